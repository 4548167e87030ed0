// Optimal string alignment distance: Hyyro's 2003 bit-vector algorithm (Myers' recurrence plus a
// transposition vector TR), in one 64-bit word or in 64-bit blocks for longer patterns.
#include "core/compare/common_affix.hpp"
#include "core/compare/pattern_match.hpp"
#include "core/compare/string_metrics.hpp"

#include <algorithm>
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

// OSA restricted to the diagonal band |i - j| <= max of the DP matrix (cells outside it exceed
// max anyway). Row i keeps columns j = i - max .. i + max at index t = j - i + max, so the cell
// above is t + 1 of the previous row, the diagonal t, the left t - 1 of this row, and the
// transposition source (i - 2, j - 2) t of the row before the previous one.
std::size_t osa_band(Text a, Text b, std::size_t max) {
    const std::size_t width = 2 * max + 1;
    const std::size_t inf = max + 1;
    std::vector<std::size_t> rows(3 * width, inf);
    std::size_t* before = rows.data();       // row i - 2
    std::size_t* previous = before + width;  // row i - 1
    std::size_t* current = previous + width; // row i
    for (std::size_t j = 0; j <= max && j <= b.size(); ++j) previous[j + max] = j;  // row 0: d = j
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t row_min = inf;
        std::fill(current, current + width, inf);
        for (std::size_t t = 0; t < width; ++t) {
            if (t + i < max) continue;  // j < 0
            const std::size_t j = t + i - max;
            if (j > b.size()) break;
            std::size_t d;
            if (j == 0) {
                d = i;
            } else {
                d = previous[t] + (a[i - 1] != b[j - 1]);                    // substitute / match
                if (t + 1 < width) d = std::min(d, previous[t + 1] + 1);     // delete a[i - 1]
                if (t > 0) d = std::min(d, current[t - 1] + 1);              // insert b[j - 1]
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d = std::min(d, before[t] + 1);                          // transpose
            }
            current[t] = std::min(d, inf);
            row_min = std::min(row_min, current[t]);
        }
        if (row_min > max) return inf;  // every path through this row already costs more
        std::size_t* recycled = before;
        before = previous;
        previous = current;
        current = recycled;
    }
    const std::size_t t = b.size() + max - a.size();  // column b.size() of the last row
    return t < width ? std::min(previous[t], inf) : inf;
}

}  // namespace

std::size_t osa_distance_bounded(Text a, Text b, std::size_t max) {
    if (a.size() > b.size()) std::swap(a, b);
    if (b.size() - a.size() > max) return max + 1;
    detail::remove_common_affix(a, b);
    if (a.empty()) return std::min(b.size(), max + 1);
    // Bit-parallel costs n * ceil(m / 64) words; the band n * (2 max + 1) cells.
    const std::size_t words = (a.size() + 63) / 64;
    if (a.size() <= 64) return std::min(osa_single_word(a, b), max + 1);
    if (2 * max + 1 > 16 * words) return std::min(osa_blocks(a, b), max + 1);
    return osa_band(a, b, max);
}

std::size_t osa_distance(Text a, Text b) {
    if (a.size() > b.size()) std::swap(a, b);
    detail::remove_common_affix(a, b);
    if (a.empty()) return b.size();
    return a.size() <= 64 ? osa_single_word(a, b) : osa_blocks(a, b);
}

}  // namespace usermatch::compare
