// Optimal string alignment distance: Hyyro's 2003 bit-vector algorithm (Myers' recurrence plus a
// transposition vector TR), in one 64-bit word or in 64-bit blocks for longer patterns.
#include "core/compare/common_affix.hpp"
#include "core/compare/pattern_match.hpp"
#include "core/compare/string_metrics.hpp"

#include <cstdint>
#include <vector>

namespace usermatch::compare {

namespace {

using detail::BlockPatternMatch;
using detail::PatternMatch64;

std::size_t osa_single_word(Text pattern, Text text) {
    const PatternMatch64 pm(pattern);
    std::uint64_t vp = ~std::uint64_t{0};
    std::uint64_t vn = 0;
    std::uint64_t d0 = 0;
    std::uint64_t pm_previous = 0;  // match vector of the previous text character
    const std::uint64_t last = std::uint64_t{1} << (pattern.size() - 1);
    std::size_t dist = pattern.size();
    for (const char32_t c : text) {
        const std::uint64_t pm_j = pm.get(c);
        // pattern[i-1] == text[j] and pattern[i] == text[j-1]: a transposition ends at (i, j).
        const std::uint64_t tr = (((~d0) & pm_j) << 1) & pm_previous;
        d0 = (((pm_j & vp) + vp) ^ vp) | pm_j | vn | tr;
        std::uint64_t hp = vn | ~(d0 | vp);
        std::uint64_t hn = d0 & vp;
        dist += (hp & last) != 0;
        dist -= (hn & last) != 0;
        hp = (hp << 1) | 1;
        hn <<= 1;
        vp = hn | ~(d0 | hp);
        vn = hp & d0;
        pm_previous = pm_j;
    }
    return dist;
}

std::size_t osa_blocks(Text pattern, Text text) {
    const BlockPatternMatch pm(pattern);
    const std::size_t words = pm.words();
    std::vector<std::uint64_t> vp(words, ~std::uint64_t{0});
    std::vector<std::uint64_t> vn(words, 0);
    std::vector<std::uint64_t> d0(words, 0);
    std::vector<std::uint64_t> pm_previous(words, 0);
    const std::uint64_t last = std::uint64_t{1} << ((pattern.size() - 1) % 64);
    std::size_t dist = pattern.size();
    for (const char32_t c : text) {
        std::uint64_t hp_carry = 1;
        std::uint64_t hn_carry = 0;
        std::uint64_t tr_carry = 0;  // top bit of (~d0 & pm_j) of the previous word
        for (std::size_t w = 0; w < words; ++w) {
            const std::uint64_t pm_j = pm.get(w, c);
            const std::uint64_t shifted_in = tr_carry;
            tr_carry = ((~d0[w]) & pm_j) >> 63;
            const std::uint64_t tr = (((((~d0[w]) & pm_j) << 1) | shifted_in)) & pm_previous[w];
            const std::uint64_t x = pm_j | hn_carry;
            const std::uint64_t d = (((x & vp[w]) + vp[w]) ^ vp[w]) | x | vn[w] | tr;
            std::uint64_t hp = vn[w] | ~(d | vp[w]);
            std::uint64_t hn = d & vp[w];
            const std::uint64_t hp_in = hp_carry;
            const std::uint64_t hn_in = hn_carry;
            if (w + 1 < words) {
                hp_carry = hp >> 63;
                hn_carry = hn >> 63;
            } else {
                hp_carry = (hp & last) != 0;
                hn_carry = (hn & last) != 0;
            }
            hp = (hp << 1) | hp_in;
            hn = (hn << 1) | hn_in;
            vp[w] = hn | ~(d | hp);
            vn[w] = hp & d;
            d0[w] = d;
            pm_previous[w] = pm_j;
        }
        dist += hp_carry;
        dist -= hn_carry;
    }
    return dist;
}

}  // namespace

std::size_t osa_distance(Text a, Text b) {
    if (a.size() > b.size()) std::swap(a, b);
    detail::remove_common_affix(a, b);
    if (a.empty()) return b.size();
    return a.size() <= 64 ? osa_single_word(a, b) : osa_blocks(a, b);
}

}  // namespace usermatch::compare
