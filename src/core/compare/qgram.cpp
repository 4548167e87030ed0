// q-gram (Jaccard) similarity over the sets of q-grams of the blank-padded strings.
// For q <= 3 each q-gram of code points (21 bits each) packs exactly into one 64-bit key, so
// short names need no heap; longer q compare the q-grams as string views.
#include "core/compare/string_metrics.hpp"
#include "core/errors.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace usermatch::compare {

namespace {

constexpr char32_t kPad = U' ';
constexpr int kMaxQ = 1000;              // padding grows with q: keep memory bounded
constexpr std::size_t kInlineKeys = 96;  // names up to ~90 code points stay on the stack

// Sorted, de-duplicated keys; returns the new length.
template <typename T>
std::size_t sort_unique(T* keys, std::size_t count) {
    std::sort(keys, keys + count);
    return static_cast<std::size_t>(std::unique(keys, keys + count) - keys);
}

template <typename T>
std::size_t count_common(const T* a, std::size_t na, const T* b, std::size_t nb) {
    std::size_t i = 0, j = 0, common = 0;
    while (i < na && j < nb) {
        if (a[i] < b[j]) {
            ++i;
        } else if (b[j] < a[i]) {
            ++j;
        } else {
            ++common;
            ++i;
            ++j;
        }
    }
    return common;
}

// Code point at position `pos` of the padded string (q-1 blanks on each side).
inline char32_t padded_at(Text s, std::size_t pos, std::size_t pad) noexcept {
    return (pos < pad || pos >= pad + s.size()) ? kPad : s[pos - pad];
}

// Writes the packed q-grams of s (q <= 3, code points < 2^21); count = |s| + q - 1.
void packed_grams(Text s, std::size_t q, std::uint64_t* out) {
    const std::size_t pad = q - 1;
    const std::size_t count = s.size() + q - 1;
    for (std::size_t g = 0; g < count; ++g) {
        std::uint64_t key = 0;
        for (std::size_t k = 0; k < q; ++k) key = (key << 21) | padded_at(s, g + k, pad);
        out[g] = key;
    }
}

bool fits_21_bits(Text s) noexcept {
    for (char32_t c : s)
        if (c >= (char32_t{1} << 21)) return false;
    return true;
}

double jaccard(std::size_t set_a, std::size_t set_b, std::size_t common) {
    return static_cast<double>(common) / static_cast<double>(set_a + set_b - common);
}

double packed_similarity(Text a, Text b, std::size_t q) {
    const std::size_t na = a.size() + q - 1;
    const std::size_t nb = b.size() + q - 1;
    std::uint64_t inline_keys[2 * kInlineKeys];
    std::vector<std::uint64_t> heap_keys;
    std::uint64_t* keys = inline_keys;
    if (na + nb > 2 * kInlineKeys) {
        heap_keys.resize(na + nb);
        keys = heap_keys.data();
    }
    packed_grams(a, q, keys);
    packed_grams(b, q, keys + na);
    const std::size_t ua = sort_unique(keys, na);
    const std::size_t ub = sort_unique(keys + na, nb);
    return jaccard(ua, ub, count_common(keys, ua, keys + na, ub));
}

double view_similarity(Text a, Text b, std::size_t q) {
    const std::u32string pad(q - 1, kPad);
    const std::u32string pa = pad + std::u32string(a) + pad;
    const std::u32string pb = pad + std::u32string(b) + pad;
    auto grams = [q](const std::u32string& padded) {
        std::vector<Text> out;
        for (std::size_t g = 0; g + q <= padded.size(); ++g) out.push_back(Text(padded).substr(g, q));
        out.resize(sort_unique(out.data(), out.size()));
        return out;
    };
    const std::vector<Text> ga = grams(pa);
    const std::vector<Text> gb = grams(pb);
    return jaccard(ga.size(), gb.size(), count_common(ga.data(), ga.size(), gb.data(), gb.size()));
}

}  // namespace

double qgram_similarity(Text a, Text b, int q) {
    if (q < 1) throw Error(ErrorCode::InvalidParameter, "q must be at least 1 (got " + std::to_string(q) + ")");
    if (q > kMaxQ)
        throw Error(ErrorCode::ProgramLimit, "q must be at most " + std::to_string(kMaxQ) + " (got " + std::to_string(q) + ")");
    if (a.empty() && b.empty()) return 1.0;
    if (a.empty() || b.empty()) return 0.0;  // an empty string has no q-grams
    const auto size_q = static_cast<std::size_t>(q);
    if (size_q <= 3 && fits_21_bits(a) && fits_21_bits(b)) return packed_similarity(a, b, size_q);
    return view_similarity(a, b, size_q);
}

}  // namespace usermatch::compare
