// Levenshtein distance: Myers/Hyyro bit-vector algorithm (one 64-bit word when the shorter string
// has <= 64 code points, 64-bit blocks otherwise) and, for bounded long strings, Ukkonen's band.
#include "core/compare/common_affix.hpp"
#include "core/compare/pattern_match.hpp"
#include "core/compare/string_metrics.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace usermatch::compare {

namespace {

using detail::BlockPatternMatch;
using detail::PatternMatch64;

// Myers 1999 / Hyyro 2001, single word. `pattern_len` in [1, 64]. When `bounded`, stops as soon
// as the distance cannot come back to <= max (each remaining column lowers it by at most one).
// Pattern bits for bytes: one entry per byte value, and only the entries of bytes that occur in
// the pattern or the text are written (no 2 KiB clear for a 12-byte name).
class BytePatternMatch64 {
public:
    BytePatternMatch64(std::string_view pattern, std::string_view text) noexcept {
        for (const char c : text) bits_[index(c)] = 0;
        for (const char c : pattern) bits_[index(c)] = 0;
        std::uint64_t bit = 1;
        for (const char c : pattern) {
            bits_[index(c)] |= bit;
            bit <<= 1;
        }
    }
    // Only for bytes of the pattern or the text given to the constructor.
    std::uint64_t get(char32_t byte) const noexcept { return bits_[byte & 0xFF]; }

private:
    static std::size_t index(char c) noexcept { return static_cast<unsigned char>(c); }
    std::uint64_t bits_[256];  // deliberately not cleared: see the constructor
};

template <bool bounded, typename CharT, typename Match>
std::size_t myers_single_word(const Match& pm, std::size_t pattern_len, std::basic_string_view<CharT> text,
                              std::size_t max) {
    std::uint64_t vp = ~std::uint64_t{0};
    std::uint64_t vn = 0;
    const std::uint64_t last = std::uint64_t{1} << (pattern_len - 1);
    std::size_t dist = pattern_len;
    const std::size_t n = text.size();
    for (std::size_t j = 0; j < n; ++j) {
        const std::uint64_t x = pm.get(detail::code_point(text[j]));
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

// Each byte read as one code point (Latin-1): widened only for the rare long-string paths.
std::u32string widen(std::string_view bytes) {
    std::u32string out(bytes.size(), U'\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) out[i] = detail::code_point(bytes[i]);
    return out;
}

// Both texts trimmed and a.size() <= b.size(); `a` is not empty.
template <bool bounded, typename CharT>
std::size_t distance_trimmed(std::basic_string_view<CharT> a, std::basic_string_view<CharT> b, std::size_t max) {
    if (a.size() <= 64) {
        if constexpr (std::is_same_v<CharT, char>) {
            const BytePatternMatch64 pm(a, b);
            return myers_single_word<bounded>(pm, a.size(), b, max);
        } else {
            const PatternMatch64 pm(a);
            return myers_single_word<bounded>(pm, a.size(), b, max);
        }
    }
    if constexpr (!std::is_same_v<CharT, char32_t>) {
        const std::u32string wide_a = widen(a);
        const std::u32string wide_b = widen(b);
        return distance_trimmed<bounded, char32_t>(wide_a, wide_b, max);
    } else {
        if (!bounded) return myers_blocks(a, b);
        // The band fills (2max+1) cells per row; the blocks do a few word ops per 64 cells.
        const std::size_t words = (a.size() + 63) / 64;
        const bool band_is_cheaper = (2 * max + 1) * a.size() <= 4 * words * b.size();
        return band_is_cheaper ? banded_dp(a, b, max) : myers_blocks(a, b);
    }
}

template <typename CharT>
std::size_t levenshtein_any(std::basic_string_view<CharT> a, std::basic_string_view<CharT> b) {
    if (a.size() > b.size()) std::swap(a, b);
    detail::remove_common_affix(a, b);
    if (a.empty()) return b.size();
    return distance_trimmed<false>(a, b, 0);
}

template <typename CharT>
std::size_t levenshtein_bounded_any(std::basic_string_view<CharT> a, std::basic_string_view<CharT> b, std::size_t max) {
    if (a.size() > b.size()) std::swap(a, b);
    if (max >= b.size()) return levenshtein_any(a, b);  // never above the longer length (no overflow)
    if (b.size() - a.size() > max) return max + 1;      // the length gap alone exceeds max
    detail::remove_common_affix(a, b);
    if (a.empty()) return b.size() <= max ? b.size() : max + 1;
    const std::size_t dist = distance_trimmed<true>(a, b, max);
    return dist <= max ? dist : max + 1;
}

}  // namespace

std::size_t levenshtein(Text a, Text b) { return levenshtein_any(a, b); }

std::size_t levenshtein_bounded(Text a, Text b, std::size_t max) { return levenshtein_bounded_any(a, b, max); }

std::size_t levenshtein_bytes(std::string_view a, std::string_view b) { return levenshtein_any(a, b); }

std::size_t levenshtein_bounded_bytes(std::string_view a, std::string_view b, std::size_t max) {
    return levenshtein_bounded_any(a, b, max);
}

}  // namespace usermatch::compare
