// String comparators over Unicode code points. All are pure functions, thread-safe, no allocation
// on the hot path for typical names (<= 64 code points use bit-parallel single-word algorithms).
#pragma once

#include "core/core_guard.hpp"

#include <cstddef>
#include <string_view>

namespace usermatch::compare {

using Text = std::u32string_view;

// Levenshtein distance (insert, delete, substitute; unit costs). Bit-parallel (Myers/Hyyro):
// O(n) time when the shorter string has <= 64 code points, O(n * m / 64) otherwise; memory is
// linear (never an n*m matrix).
std::size_t levenshtein(Text a, Text b);
// Same, but stops early: returns max + 1 when the distance exceeds `max`. O(n) time for a
// shorter string of <= 64 code points, otherwise O(max * n) (Ukkonen band) or the blocks,
// whichever is cheaper.
std::size_t levenshtein_bounded(Text a, Text b, std::size_t max);
// The same two over bytes, each byte read as one code point: equal to the functions above for
// ASCII text without decoding it (callers check is_ascii; other bytes count as Latin-1).
std::size_t levenshtein_bytes(std::string_view a, std::string_view b);
std::size_t levenshtein_bounded_bytes(std::string_view a, std::string_view b, std::size_t max);

// Optimal string alignment distance (restricted Damerau-Levenshtein: adjacent transpositions,
// no substring edited twice). "ca" -> "abc" is 3 here (true Damerau would give 2).
std::size_t osa_distance(Text a, Text b);
// min(osa_distance(a, b), max + 1), in O(max * n) time: returns at once when the lengths differ
// by more than max, otherwise fills only the diagonal band |i - j| <= max of the DP matrix and
// stops at the first row whose cells all exceed max (single word when the shorter string has
// <= 64 code points).
std::size_t osa_distance_bounded(Text a, Text b, std::size_t max);

// Jaro similarity in [0, 1]. Two empty strings: 1.0; one empty: 0.0. Match window
// max(|a|, |b|) / 2 - 1; transpositions = (matched characters out of order) / 2, rounded down.
double jaro(Text a, Text b);
// Jaro-Winkler: jaro + l * p * (1 - jaro), l = common prefix length capped at max_prefix.
// Standard p = 0.1, max_prefix = 4 (MARTHA/MARHTA = 0.961, DIXON/DICKSONX = 0.813).
// The prefix bonus is applied whatever the Jaro value (no 0.7 "boost threshold").
// One empty string: 0.0. Throws Error(InvalidParameter) unless prefix_scale >= 0 and
// prefix_scale * max_prefix <= 1 (otherwise the result could leave [0, 1]).
double jaro_winkler(Text a, Text b, double prefix_scale = 0.1, std::size_t max_prefix = 4);

// Jaccard similarity |A & B| / |A | B| of the SETS of q-grams (code points) of each string
// padded with q-1 blanks (U+0020) on each side (pg_trgm style padding, but no lower-casing or
// word splitting: callers normalise first). "ab", q = 3: {"  a", " ab", "ab ", "b  "}.
// Two empty strings: 1.0; an empty string has no q-grams, so empty vs non-empty: 0.0.
// Throws Error(InvalidParameter) when q < 1 and Error(ProgramLimit) when q > 1000.
// O(n log n) in the total length n whatever q is: q > 3 on long strings compares 122-bit rolling
// hashes of the q-grams (a collision, about 2^-100 per pair of q-grams, would count two different
// q-grams as one), exact q-grams otherwise.
double qgram_similarity(Text a, Text b, int q = 3);

}  // namespace usermatch::compare
