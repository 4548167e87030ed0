// q-gram (Jaccard) similarity over the sets of q-grams of the blank-padded strings.
// For q <= 3 each q-gram of code points (21 bits each) packs exactly into one 64-bit key, so
// short names need no heap. Longer q compare the q-grams as string views while that is cheap
// (grams x q <= 2^16 code points); beyond, each q-gram becomes a 122-bit rolling hash (two
// polynomial hashes modulo 2^61 - 1), so the cost is O(n log n) whatever q is (the views cost
// O(n q log n): 300,000 code points at q = 1000 ran for minutes).
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

// Rolling polynomial hash modulo the Mersenne prime 2^61 - 1.
constexpr std::uint64_t kMersenne61 = (std::uint64_t{1} << 61) - 1;

inline std::uint64_t mul_mod(std::uint64_t x, std::uint64_t y) noexcept {
    const unsigned __int128 p = static_cast<unsigned __int128>(x) * y;
    std::uint64_t r = static_cast<std::uint64_t>(p & kMersenne61) + static_cast<std::uint64_t>(p >> 61);
    if (r >= kMersenne61) r -= kMersenne61;
    return r;
}
inline std::uint64_t add_mod(std::uint64_t x, std::uint64_t y) noexcept {
    std::uint64_t r = x + y;
    if (r >= kMersenne61) r -= kMersenne61;
    return r;
}
inline std::uint64_t sub_mod(std::uint64_t x, std::uint64_t y) noexcept { return x >= y ? x - y : x + kMersenne61 - y; }

struct GramKey {
    std::uint64_t h1, h2;
    bool operator<(const GramKey& o) const noexcept { return h1 != o.h1 ? h1 < o.h1 : h2 < o.h2; }
    bool operator==(const GramKey& o) const noexcept { return h1 == o.h1 && h2 == o.h2; }
};

// Hashes of the |s| + q - 1 q-grams of the padded s, each in O(1) from the previous one.
void hashed_grams(Text s, std::size_t q, GramKey* out) {
    constexpr std::uint64_t kBase1 = 0x1F3D5B79A2C4E6F1ULL % kMersenne61;
    constexpr std::uint64_t kBase2 = 0x0ABCDEF123456789ULL % kMersenne61;
    std::uint64_t top1 = 1, top2 = 1;  // base^(q-1): weight of the character leaving the window
    for (std::size_t k = 1; k < q; ++k) {
        top1 = mul_mod(top1, kBase1);
        top2 = mul_mod(top2, kBase2);
    }
    const std::size_t pad = q - 1;
    const std::size_t count = s.size() + q - 1;
    std::uint64_t h1 = 0, h2 = 0;
    for (std::size_t k = 0; k < q; ++k) {
        const std::uint64_t c = static_cast<std::uint64_t>(padded_at(s, k, pad)) + 1;
        h1 = add_mod(mul_mod(h1, kBase1), c);
        h2 = add_mod(mul_mod(h2, kBase2), c);
    }
    out[0] = {h1, h2};
    for (std::size_t g = 1; g < count; ++g) {
        const std::uint64_t leaving = static_cast<std::uint64_t>(padded_at(s, g - 1, pad)) + 1;
        const std::uint64_t entering = static_cast<std::uint64_t>(padded_at(s, g + q - 1, pad)) + 1;
        h1 = add_mod(mul_mod(sub_mod(h1, mul_mod(leaving, top1)), kBase1), entering);
        h2 = add_mod(mul_mod(sub_mod(h2, mul_mod(leaving, top2)), kBase2), entering);
        out[g] = {h1, h2};
    }
}

double hashed_similarity(Text a, Text b, std::size_t q) {
    const std::size_t na = a.size() + q - 1;
    const std::size_t nb = b.size() + q - 1;
    std::vector<GramKey> keys(na + nb);
    hashed_grams(a, q, keys.data());
    hashed_grams(b, q, keys.data() + na);
    const std::size_t ua = sort_unique(keys.data(), na);
    const std::size_t ub = sort_unique(keys.data() + na, nb);
    return jaccard(ua, ub, count_common(keys.data(), ua, keys.data() + na, ub));
}

// Exact string views while grams x q stays small; hashes beyond.
constexpr double kMaxViewCodePoints = 65536;

}  // namespace

double qgram_similarity(Text a, Text b, int q) {
    if (q < 1) throw Error(ErrorCode::InvalidParameter, "q must be at least 1 (got " + std::to_string(q) + ")");
    if (q > kMaxQ)
        throw Error(ErrorCode::ProgramLimit, "q must be at most " + std::to_string(kMaxQ) + " (got " + std::to_string(q) + ")");
    if (a.empty() && b.empty()) return 1.0;
    if (a.empty() || b.empty()) return 0.0;  // an empty string has no q-grams
    const auto size_q = static_cast<std::size_t>(q);
    if (size_q <= 3 && fits_21_bits(a) && fits_21_bits(b)) return packed_similarity(a, b, size_q);
    const double grams = static_cast<double>(a.size() + b.size() + 2 * (size_q - 1));
    if (grams * static_cast<double>(size_q) <= kMaxViewCodePoints) return view_similarity(a, b, size_q);
    return hashed_similarity(a, b, size_q);
}

}  // namespace usermatch::compare
