// Levenshtein distance: Myers/Hyyro bit-vector algorithm (one 64-bit word when the shorter string
// has <= 64 code points, 64-bit blocks otherwise) and, for bounded long strings, Ukkonen's band.
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

// Myers 1999 / Hyyro 2001, single word. `pattern_len` in [1, 64]. When `bounded`, stops as soon
// as the distance cannot come back to <= max (each remaining column lowers it by at most one).
template <bool bounded>
std::size_t myers_single_word(const PatternMatch64& pm, std::size_t pattern_len, Text text, std::size_t max) {
    std::uint64_t vp = ~std::uint64_t{0};
    std::uint64_t vn = 0;
    const std::uint64_t last = std::uint64_t{1} << (pattern_len - 1);
    std::size_t dist = pattern_len;
    const std::size_t n = text.size();
    for (std::size_t j = 0; j < n; ++j) {
        const std::uint64_t x = pm.get(text[j]);
        const std::uint64_t d0 = (((x & vp) + vp) ^ vp) | x | vn;
        std::uint64_t hp = vn | ~(d0 | vp);
        std::uint64_t hn = d0 & vp;
        dist += (hp & last) != 0;
        dist -= (hn & last) != 0;
        hp = (hp << 1) | 1;
        hn <<= 1;
        vp = hn | ~(d0 | hp);
        vn = hp & d0;
        if (bounded && dist > max + (n - 1 - j)) return max + 1;
    }
    return dist;
}

// Myers' block algorithm: the horizontal deltas of the last row of block w carry into block w+1.
std::size_t myers_blocks(Text pattern, Text text) {
    const BlockPatternMatch pm(pattern);
    const std::size_t words = pm.words();
    std::vector<std::uint64_t> vp(words, ~std::uint64_t{0});
    std::vector<std::uint64_t> vn(words, 0);
    const std::uint64_t last = std::uint64_t{1} << ((pattern.size() - 1) % 64);
    std::size_t dist = pattern.size();
    for (const char32_t c : text) {
        std::uint64_t hp_carry = 1;  // row 0 grows by one per column
        std::uint64_t hn_carry = 0;
        for (std::size_t w = 0; w < words; ++w) {
            const std::uint64_t x = pm.get(w, c) | hn_carry;
            const std::uint64_t d0 = (((x & vp[w]) + vp[w]) ^ vp[w]) | x | vn[w];
            std::uint64_t hp = vn[w] | ~(d0 | vp[w]);
            std::uint64_t hn = d0 & vp[w];
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
            vp[w] = hn | ~(d0 | hp);
            vn[w] = hp & d0;
        }
        dist += hp_carry;
        dist -= hn_carry;
    }
    return dist;
}

// Ukkonen's band: only cells with |i - j| <= max can hold a value <= max. O(max * |b|) time.
std::size_t banded_dp(Text a, Text b, std::size_t max) {
    const std::size_t over = max + 1;
    const std::size_t n = b.size();
    std::vector<std::size_t> row(n + 1);
    for (std::size_t j = 0; j <= n; ++j) row[j] = j <= max ? j : over;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        const std::size_t lo = i > max ? i - max : 1;
        const std::size_t hi = std::min(n, i + max);
        std::size_t diag = row[lo - 1];
        std::size_t left = (lo == 1 && i <= max) ? i : over;
        row[lo - 1] = left;
        std::size_t row_min = left;
        const char32_t ca = a[i - 1];
        for (std::size_t j = lo; j <= hi; ++j) {
            const std::size_t up = row[j];
            std::size_t v = diag + (ca != b[j - 1]);
            v = std::min(v, std::min(up, left) + 1);
            v = std::min(v, over);
            diag = up;
            row[j] = v;
            left = v;
            row_min = std::min(row_min, v);
        }
        if (row_min > max) return over;
    }
    return std::min(row[n], over);
}

// Orders so that `a` is the shorter string and trims what both share.
void prepare(Text& a, Text& b) noexcept {
    if (a.size() > b.size()) std::swap(a, b);
    detail::remove_common_affix(a, b);
}

}  // namespace

std::size_t levenshtein(Text a, Text b) {
    prepare(a, b);
    if (a.empty()) return b.size();
    if (a.size() <= 64) {
        const PatternMatch64 pm(a);
        return myers_single_word<false>(pm, a.size(), b, 0);
    }
    return myers_blocks(a, b);
}

std::size_t levenshtein_bounded(Text a, Text b, std::size_t max) {
    if (a.size() > b.size()) std::swap(a, b);
    if (max >= b.size()) return levenshtein(a, b);   // never above the longer length (no overflow)
    if (b.size() - a.size() > max) return max + 1;  // the length gap alone exceeds max
    detail::remove_common_affix(a, b);
    if (a.empty()) return b.size() <= max ? b.size() : max + 1;
    std::size_t dist;
    if (a.size() <= 64) {
        const PatternMatch64 pm(a);
        dist = myers_single_word<true>(pm, a.size(), b, max);
    } else {
        // The band fills (2max+1) cells per row; the blocks do a few word ops per 64 cells.
        const std::size_t words = (a.size() + 63) / 64;
        const bool band_is_cheaper = (2 * max + 1) * a.size() <= 4 * words * b.size();
        dist = band_is_cheaper ? banded_dp(a, b, max) : myers_blocks(a, b);
    }
    return dist <= max ? dist : max + 1;
}

}  // namespace usermatch::compare
