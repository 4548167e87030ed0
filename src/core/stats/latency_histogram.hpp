// Statistics arithmetic shared by the glue's shared-memory counters (src/pg/stats): a log-scale
// latency histogram, a ring of per-second counters for recent rates, and health grading.
// Plain fixed-size structs (no pointers, no constructors) so they can live in shared memory.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace usermatch::stats {

// Latencies in microseconds, 8 buckets per doubling (each bucket ~9% wide, so a percentile read
// from the bucket's geometric middle is within ~4.5% of the true value) from 1 us to 2^32 us
// (~72 minutes). Bucket 0 holds everything below 1 us; the last bucket everything above.
struct LatencyHistogram {
    static constexpr int kPerDoubling = 8;
    static constexpr int kDoublings = 32;
    static constexpr int kBuckets = 1 + kPerDoubling * kDoublings;
    std::uint64_t counts[kBuckets];

    static int bucket_of(double micros) {
        if (!(micros >= 1.0)) return 0;
        const int b = 1 + static_cast<int>(std::floor(std::log2(micros) * kPerDoubling));
        return b >= kBuckets ? kBuckets - 1 : b;
    }
    // Lower and upper edge of bucket b in microseconds.
    static double lower_edge(int b) { return b <= 0 ? 0.0 : std::exp2(static_cast<double>(b - 1) / kPerDoubling); }
    static double upper_edge(int b) { return b <= 0 ? 1.0 : std::exp2(static_cast<double>(b) / kPerDoubling); }

    void clear() {
        for (auto& c : counts) c = 0;
    }
    void add(double micros) { ++counts[bucket_of(micros)]; }
    void add(const LatencyHistogram& other) {
        for (int b = 0; b < kBuckets; ++b) counts[b] += other.counts[b];
    }
    // this - older, bucket by bucket (0 where older is larger: a reset happened in between).
    void subtract(const LatencyHistogram& older) {
        for (int b = 0; b < kBuckets; ++b) counts[b] = counts[b] >= older.counts[b] ? counts[b] - older.counts[b] : 0;
    }
    std::uint64_t total() const {
        std::uint64_t n = 0;
        for (auto c : counts) n += c;
        return n;
    }
    // The q-quantile (0 < q <= 1) in microseconds: the geometric middle of the bucket holding the
    // observation of rank ceil(q * n), clamped to [min_us, max_us] when those are given (> 0).
    // Negative when the histogram is empty.
    double quantile(double q, double min_us = 0, double max_us = 0) const {
        const std::uint64_t n = total();
        if (n == 0) return -1.0;
        std::uint64_t rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(n)));
        if (rank < 1) rank = 1;
        std::uint64_t seen = 0;
        int b = 0;
        for (; b < kBuckets; ++b) {
            seen += counts[b];
            if (seen >= rank) break;
        }
        if (b >= kBuckets) b = kBuckets - 1;
        double value = b == 0 ? 0.5 : std::sqrt(lower_edge(b) * upper_edge(b));
        if (min_us > 0 && value < min_us) value = min_us;
        if (max_us > 0 && value > max_us) value = max_us;
        return value;
    }
};

// Counters of the last 60 seconds, one slot per second (slot = second % 60, stamped with the
// second it holds, so stale slots are recognised without clearing them).
struct RateRing {
    static constexpr int kSlots = 60;
    struct Slot {
        std::int64_t second;
        std::uint64_t calls, records, pairs;
    };
    Slot slots[kSlots];

    void clear() {
        for (auto& s : slots) s = Slot{-1, 0, 0, 0};
    }
    void add(std::int64_t second, std::uint64_t calls, std::uint64_t records, std::uint64_t pairs) {
        Slot& s = slots[static_cast<std::size_t>(second % kSlots)];
        if (s.second != second) s = Slot{second, 0, 0, 0};
        s.calls += calls;
        s.records += records;
        s.pairs += pairs;
    }
    // Sums over the seconds (now - window, now], window <= 60.
    Slot sum(std::int64_t now, int window) const {
        Slot total{now, 0, 0, 0};
        for (const auto& s : slots) {
            if (s.second > now - window && s.second <= now) {
                total.calls += s.calls;
                total.records += s.records;
                total.pairs += s.pairs;
            }
        }
        return total;
    }
};

enum class HealthStatus { Ok, Warning, Critical };

inline const char* health_status_name(HealthStatus s) {
    return s == HealthStatus::Ok ? "ok" : s == HealthStatus::Warning ? "warning" : "critical";
}

// For figures where more is worse (memory share, dropped entries): critical at or above
// `critical`, warning at or above `warning`.
inline HealthStatus grade_high_is_bad(double value, double warning, double critical) {
    if (value >= critical) return HealthStatus::Critical;
    if (value >= warning) return HealthStatus::Warning;
    return HealthStatus::Ok;
}

// For figures where less is worse (cache hit rate): critical below `critical`, warning below `warning`.
inline HealthStatus grade_low_is_bad(double value, double warning, double critical) {
    if (value < critical) return HealthStatus::Critical;
    if (value < warning) return HealthStatus::Warning;
    return HealthStatus::Ok;
}

}  // namespace usermatch::stats
