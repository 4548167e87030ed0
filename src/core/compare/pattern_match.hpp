// Pattern-match bit vectors for the bit-parallel comparators (internal to src/core/compare).
// Bit i of get(c) is set when pattern[i] == c. ASCII code points index a dense table; every
// other code point goes to a small open-addressing table, so any Unicode text works.
#pragma once

#include "core/core_guard.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace usermatch::compare::detail {

inline std::size_t hash_code_point(char32_t c) noexcept {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(c) * 0x9E3779B97F4A7C15ull) >> 32);
}

// A text unit as a code point: bytes are read unsigned (each byte one Latin-1 code point).
inline char32_t code_point(char c) noexcept { return static_cast<unsigned char>(c); }
inline char32_t code_point(char32_t c) noexcept { return c; }

// Single 64-bit word: pattern of at most 64 code points. Lives on the stack, no heap.
class PatternMatch64 {
public:
    explicit PatternMatch64(std::u32string_view pattern) noexcept { fill(pattern); }
    // Each byte one code point (exact for ASCII text).
    explicit PatternMatch64(std::string_view pattern) noexcept { fill(pattern); }

    std::uint64_t get(char32_t c) const noexcept {
        if (c < 128) return ascii_[c];
        return get_extended(c);
    }

private:
    template <typename CharT>
    void fill(std::basic_string_view<CharT> pattern) noexcept {
        std::memset(ascii_, 0, sizeof ascii_);
        std::uint64_t bit = 1;
        for (const CharT unit : pattern) {
            const char32_t c = code_point(unit);
            if (c < 128)
                ascii_[c] |= bit;
            else
                insert_extended(c, bit);
            bit <<= 1;
        }
    }

    std::uint64_t get_extended(char32_t c) const noexcept {
        if (!has_extended_) return 0;
        std::size_t i = hash_code_point(c) & (kSlots - 1);
        while (ext_bits_[i] != 0) {  // a free slot has no bits: c is absent
            if (ext_keys_[i] == c) return ext_bits_[i];
            i = (i + 1) & (kSlots - 1);
        }
        return 0;
    }

    static constexpr std::size_t kSlots = 128;  // >= 2 * 64 keys: probing always ends

    void insert_extended(char32_t c, std::uint64_t bit) noexcept {
        if (!has_extended_) {  // cleared lazily: ASCII-only names never pay for it
            std::memset(ext_bits_, 0, sizeof ext_bits_);
            has_extended_ = true;
        }
        std::size_t i = hash_code_point(c) & (kSlots - 1);
        while (ext_bits_[i] != 0 && ext_keys_[i] != c) i = (i + 1) & (kSlots - 1);
        ext_keys_[i] = c;
        ext_bits_[i] |= bit;
    }

    std::uint64_t ascii_[128];
    bool has_extended_ = false;
    char32_t ext_keys_[kSlots];
    std::uint64_t ext_bits_[kSlots];
};

// Pattern of any length split in 64-bit words (block w covers pattern[64w .. 64w+63]).
// Memory is linear in the pattern: a dense 128-entry ASCII column per block plus, per block,
// an open-addressing table sized to that block's distinct non-ASCII code points.
class BlockPatternMatch {
public:
    explicit BlockPatternMatch(std::u32string_view pattern);

    std::size_t words() const noexcept { return words_; }

    std::uint64_t get(std::size_t word, char32_t c) const noexcept {
        if (c < 128) return ascii_[static_cast<std::size_t>(c) * words_ + word];
        const std::uint32_t capacity = ext_capacity_[word];
        if (capacity == 0) return 0;
        const std::size_t base = ext_offset_[word];
        std::size_t i = hash_code_point(c) & (capacity - 1);
        while (true) {
            const std::uint64_t bits = ext_bits_[base + i];
            if (bits == 0) return 0;
            if (ext_keys_[base + i] == c) return bits;
            i = (i + 1) & (capacity - 1);
        }
    }

private:
    std::size_t words_;
    std::vector<std::uint64_t> ascii_;  // [c * words_ + word]
    std::vector<std::size_t> ext_offset_;
    std::vector<std::uint32_t> ext_capacity_;  // 0 or a power of two
    std::vector<char32_t> ext_keys_;
    std::vector<std::uint64_t> ext_bits_;
};

}  // namespace usermatch::compare::detail
