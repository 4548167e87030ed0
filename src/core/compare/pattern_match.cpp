#include "core/compare/pattern_match.hpp"

#include <algorithm>

namespace usermatch::compare::detail {

namespace {

std::uint32_t table_capacity_for(std::size_t keys) {
    if (keys == 0) return 0;
    std::uint32_t capacity = 2;
    while (capacity < 2 * keys) capacity <<= 1;  // load factor <= 1/2
    return capacity;
}

}  // namespace

BlockPatternMatch::BlockPatternMatch(std::u32string_view pattern)
    : words_((pattern.size() + 63) / 64),
      ascii_(128 * words_, 0),
      ext_offset_(words_, 0),
      ext_capacity_(words_, 0) {
    // First pass: size each block's table by its distinct non-ASCII code points.
    std::vector<char32_t> distinct;
    std::size_t total = 0;
    for (std::size_t w = 0; w < words_; ++w) {
        const std::u32string_view block = pattern.substr(w * 64, 64);
        distinct.clear();
        for (char32_t c : block)
            if (c >= 128) distinct.push_back(c);
        std::sort(distinct.begin(), distinct.end());
        const auto unique_count =
            static_cast<std::size_t>(std::unique(distinct.begin(), distinct.end()) - distinct.begin());
        ext_offset_[w] = total;
        ext_capacity_[w] = table_capacity_for(unique_count);
        total += ext_capacity_[w];
    }
    ext_keys_.assign(total, 0);
    ext_bits_.assign(total, 0);

    for (std::size_t pos = 0; pos < pattern.size(); ++pos) {
        const char32_t c = pattern[pos];
        const std::size_t w = pos / 64;
        const std::uint64_t bit = std::uint64_t{1} << (pos % 64);
        if (c < 128) {
            ascii_[static_cast<std::size_t>(c) * words_ + w] |= bit;
            continue;
        }
        const std::uint32_t capacity = ext_capacity_[w];
        const std::size_t base = ext_offset_[w];
        std::size_t i = hash_code_point(c) & (capacity - 1);
        while (ext_bits_[base + i] != 0 && ext_keys_[base + i] != c) i = (i + 1) & (capacity - 1);
        ext_keys_[base + i] = c;
        ext_bits_[base + i] |= bit;
    }
}

}  // namespace usermatch::compare::detail
