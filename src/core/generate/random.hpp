// The generator's own PRNG and distributions. Only integer arithmetic and IEEE-exact double
// operations (+, *, sqrt, compare) so every platform produces the same stream.
#pragma once

#include "core/core_guard.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace usermatch::generate::detail {

inline std::uint64_t splitmix64(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// Independent seed for (stream, index) under a user seed: records and entities get their own
// streams so a record's content does not depend on the order it is rendered in.
inline std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) noexcept {
    std::uint64_t s = seed;
    std::uint64_t a = splitmix64(s) ^ (stream * 0xD6E8FEB86659FD93ull);
    std::uint64_t b = splitmix64(a) ^ (index * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull);
    return splitmix64(b);
}

// xoshiro256** 1.0 (Blackman & Vigna), seeded through splitmix64.
class Rng {
public:
    explicit Rng(std::uint64_t seed) noexcept {
        for (auto& word : s_) word = splitmix64(seed);
    }

    std::uint64_t next() noexcept {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    // Uniform in [0, n) (n > 0) by multiply-shift; the bias (< n / 2^64) is irrelevant here.
    std::uint64_t below(std::uint64_t n) noexcept {
        return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
    }
    int between(int lo, int hi) noexcept {  // inclusive
        return lo + static_cast<int>(below(static_cast<std::uint64_t>(hi - lo + 1)));
    }
    double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
    bool chance(double p) noexcept { return unit() < p; }  // chance(0) is always false

    // Index in [0, n) skewed towards 0: P(index < k) = (k/n)^(1/exponent), exponent 1, 1.5 or 2
    // (Zipf-like heads so that common names collide across different people).
    std::size_t skewed(std::size_t n, double exponent) noexcept {
        const double u = unit();
        double v = u;
        if (exponent >= 2.0)
            v = u * u;
        else if (exponent > 1.0)
            v = u * std::sqrt(u);  // sqrt is correctly rounded by IEEE 754: deterministic
        std::size_t i = static_cast<std::size_t>(v * static_cast<double>(n));
        return i < n ? i : n - 1;
    }

    template <class T, std::size_t N>
    const T& pick(const T (&items)[N]) noexcept {
        return items[below(N)];
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4];
};

}  // namespace usermatch::generate::detail
