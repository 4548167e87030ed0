// 64-bit string hashing for equality tests and blocking keys. 0 is reserved for "no value".
#pragma once

#include "core/core_guard.hpp"

#include <cstdint>
#include <cstring>
#include <string_view>

namespace usermatch::engine {

inline std::uint64_t mix64(std::uint64_t x) {  // splitmix64 finaliser
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

// Never returns 0, so 0 can mean NULL.
inline std::uint64_t hash_bytes(std::string_view s, std::uint64_t seed = 0x9e3779b97f4a7c15ULL) {
    std::uint64_t h = seed ^ (s.size() * 0xff51afd7ed558ccdULL);
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        h = mix64(h ^ w) * 0x9e3779b97f4a7c15ULL;
    }
    std::uint64_t tail = 0;
    for (std::size_t k = 0; i < s.size(); ++i, ++k) tail |= std::uint64_t(static_cast<unsigned char>(s[i])) << (8 * k);
    h = mix64(h ^ tail ^ 0x5bd1e995ULL);
    return h == 0 ? 1 : h;
}

inline std::uint64_t hash_combine(std::uint64_t a, std::uint64_t b) {
    std::uint64_t h = mix64(a * 0x9e3779b97f4a7c15ULL + b);
    return h == 0 ? 1 : h;
}

}  // namespace usermatch::engine
