// Jaro and Jaro-Winkler, bit-parallel as in rapidfuzz: bits stand for positions of the shorter
// string P; each character of the longer string T takes the lowest still-unmatched bit of
// (match vector & search window). The greedy matching is the classic one and is symmetric, so
// choosing P = the shorter string does not change the result.
#include "core/compare/pattern_match.hpp"
#include "core/compare/string_metrics.hpp"
#include "core/errors.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace usermatch::compare {

namespace {

using detail::BlockPatternMatch;
using detail::PatternMatch64;

// Bits lo..hi (inclusive) of a word, 0 <= lo <= hi <= 63.
inline std::uint64_t bit_range(std::size_t lo, std::size_t hi) noexcept {
    const std::uint64_t upto_hi = hi == 63 ? ~std::uint64_t{0} : (std::uint64_t{1} << (hi + 1)) - 1;
    return upto_hi & ~((std::uint64_t{1} << lo) - 1);
}

inline int lowest_bit_index(std::uint64_t x) noexcept { return __builtin_ctzll(x); }

double jaro_from_counts(std::size_t matches, std::size_t mismatched_order, std::size_t len_p,
                        std::size_t len_t) noexcept {
    if (matches == 0) return 0.0;
    const double m = static_cast<double>(matches);
    const double transpositions = static_cast<double>(mismatched_order / 2);
    return (m / static_cast<double>(len_p) + m / static_cast<double>(len_t) + (m - transpositions) / m) / 3.0;
}

// P has 1..64 code points; T may be of any length (only its matched characters are kept).
double jaro_single_word(Text p, Text t, std::size_t window) {
    const PatternMatch64 pm(p);
    const std::size_t m = p.size();
    const std::uint64_t in_pattern = m == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << m) - 1;
    // Search window of T position j: P positions [j - window, j + window]. It slides one bit
    // per step; while j < window its lower end stays at 0.
    std::uint64_t window_mask = window >= 63 ? ~std::uint64_t{0} : (std::uint64_t{1} << (window + 1)) - 1;
    std::uint64_t p_flags = 0;
    char32_t t_matched[64];  // at most m <= 64 matches
    std::size_t matches = 0;
    const std::size_t t_end = std::min(t.size(), m + window);  // later T positions see no P
    for (std::size_t j = 0; j < t_end; ++j) {
        const std::uint64_t candidates = pm.get(t[j]) & window_mask & in_pattern & ~p_flags;
        window_mask = (window_mask << 1) | std::uint64_t{j < window};
        if (candidates == 0) continue;
        p_flags |= candidates & (~candidates + 1);  // lowest set bit: first unmatched position
        t_matched[matches++] = t[j];
    }
    std::size_t out_of_order = 0;
    std::size_t k = 0;
    for (std::uint64_t flags = p_flags; flags != 0; flags &= flags - 1, ++k)
        out_of_order += p[static_cast<std::size_t>(lowest_bit_index(flags))] != t_matched[k];
    return jaro_from_counts(matches, out_of_order, m, t.size());
}

// Any lengths: P in 64-bit blocks; each T character scans only the blocks of its window.
double jaro_blocks(Text p, Text t, std::size_t window) {
    const BlockPatternMatch pm(p);
    const std::size_t m = p.size();
    std::vector<std::uint64_t> p_flags(pm.words(), 0);
    std::vector<char32_t> t_matched;
    t_matched.reserve(m);
    const std::size_t t_end = std::min(t.size(), m + window);
    for (std::size_t j = 0; j < t_end; ++j) {
        const std::size_t lo = j > window ? j - window : 0;
        const std::size_t hi = std::min(m - 1, j + window);
        for (std::size_t w = lo / 64; w <= hi / 64; ++w) {
            const std::size_t word_lo = w == lo / 64 ? lo % 64 : 0;
            const std::size_t word_hi = w == hi / 64 ? hi % 64 : 63;
            const std::uint64_t candidates = pm.get(w, t[j]) & ~p_flags[w] & bit_range(word_lo, word_hi);
            if (candidates == 0) continue;
            p_flags[w] |= candidates & (~candidates + 1);
            t_matched.push_back(t[j]);
            break;
        }
    }
    std::size_t out_of_order = 0;
    std::size_t k = 0;
    for (std::size_t w = 0; w < p_flags.size(); ++w)
        for (std::uint64_t flags = p_flags[w]; flags != 0; flags &= flags - 1, ++k)
            out_of_order += p[w * 64 + static_cast<std::size_t>(lowest_bit_index(flags))] != t_matched[k];
    return jaro_from_counts(t_matched.size(), out_of_order, m, t.size());
}

}  // namespace

double jaro(Text a, Text b) {
    if (a.empty() && b.empty()) return 1.0;
    if (a.empty() || b.empty()) return 0.0;
    if (a == b) return 1.0;  // exact duplicates are common in record linkage
    if (a.size() > b.size()) std::swap(a, b);
    // Characters match when equal and no further apart than max(|a|, |b|) / 2 - 1.
    const std::size_t window = b.size() / 2 > 0 ? b.size() / 2 - 1 : 0;
    return a.size() <= 64 ? jaro_single_word(a, b, window) : jaro_blocks(a, b, window);
}

double jaro_winkler(Text a, Text b, double prefix_scale, std::size_t max_prefix) {
    if (!(prefix_scale >= 0.0) || prefix_scale * static_cast<double>(max_prefix) > 1.0)
        throw Error(ErrorCode::InvalidParameter,
                    "prefix_scale must be >= 0 and prefix_scale * max_prefix must be <= 1");
    const double sim = jaro(a, b);
    const std::size_t limit = std::min({max_prefix, a.size(), b.size()});
    std::size_t prefix = 0;
    while (prefix < limit && a[prefix] == b[prefix]) ++prefix;
    return sim + static_cast<double>(prefix) * prefix_scale * (1.0 - sim);
}

}  // namespace usermatch::compare
