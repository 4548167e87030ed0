// Phonetic codes for Latin-script names.
#pragma once

#include "core/core_guard.hpp"

#include <string>
#include <string_view>

namespace usermatch::compare {

// American Soundex (letter + 3 digits, e.g. Robert -> R163) with the H/W rule (Ashcraft ->
// A261). Non-letters are skipped (they separate nothing), Latin-1 and Latin Extended-A letters
// are folded first (é -> E, ß -> SS, Ł -> L); "" when the input has no Latin letter. Other
// scripts are ignored: callers transliterate first (e.g. Han -> pinyin).
std::string soundex(std::u32string_view s);
// The same over bytes, each byte read as one code point: equal to soundex() for ASCII text
// without decoding it (callers check is_ascii; other bytes are read as Latin-1).
std::string soundex_bytes(std::string_view s);

struct MetaphoneCodes {
    std::string primary;
    std::string alternate;  // equals primary when the name has only one pronunciation
};
// Lawrence Philips' Double Metaphone, codes up to max_length characters (4 is the classic),
// following the common C version (Text::DoubleMetaphone, PostgreSQL's fuzzystrmatch) rule for
// rule. Letters with diacritics are folded as for soundex except Ç and Ñ, which the algorithm
// codes itself. Both codes empty when the input has no Latin letter (e.g. Han).
// Throws Error(InvalidParameter) when max_length is 0.
MetaphoneCodes double_metaphone(std::u32string_view s, std::size_t max_length = 4);
// The same over bytes, each byte read as one code point (exact for ASCII; Latin-1 otherwise).
MetaphoneCodes double_metaphone_bytes(std::string_view s, std::size_t max_length = 4);

}  // namespace usermatch::compare
