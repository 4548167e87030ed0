// The statistics arithmetic behind usermatch.performance_metrics / performance_history /
// system_health (src/core/stats/latency_histogram.hpp).
#include "core/stats/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

using namespace usermatch::stats;

TEST(StatsHistogram, QuantilesWithinHalfABucketOfExactOnes) {
    static LatencyHistogram h;
    h.clear();
    std::mt19937_64 rng(7);
    std::lognormal_distribution<double> latency(std::log(300.0), 0.8);  // ~0.3 ms, sub-millisecond body
    std::vector<double> values;
    for (int i = 0; i < 20000; ++i) {
        values.push_back(latency(rng));
        h.add(values.back());
    }
    std::sort(values.begin(), values.end());
    for (double q : {0.5, 0.95, 0.99}) {
        const double exact = values[static_cast<std::size_t>(std::ceil(q * values.size())) - 1];
        const double estimate = h.quantile(q);
        EXPECT_NEAR(estimate / exact, 1.0, 0.05) << "q=" << q;
    }
    EXPECT_EQ(h.total(), 20000u);
}

TEST(StatsHistogram, EdgesAndEmpty) {
    static LatencyHistogram h;
    h.clear();
    EXPECT_LT(h.quantile(0.5), 0);
    EXPECT_EQ(LatencyHistogram::bucket_of(0.2), 0);
    EXPECT_EQ(LatencyHistogram::bucket_of(1.0), 1);
    EXPECT_EQ(LatencyHistogram::bucket_of(1e30), LatencyHistogram::kBuckets - 1);
    h.add(100.0);
    // One observation: clamped to the observed min/max it is exact.
    EXPECT_DOUBLE_EQ(h.quantile(0.99, 100.0, 100.0), 100.0);
    static LatencyHistogram older;
    older = h;
    h.add(5000.0);
    h.subtract(older);
    EXPECT_EQ(h.total(), 1u);
    EXPECT_NEAR(h.quantile(0.5) / 5000.0, 1.0, 0.05);
}

TEST(StatsRateRing, WindowsAndStaleSlots) {
    RateRing r;
    r.clear();
    r.add(100, 1, 10, 5);
    r.add(105, 2, 20, 7);
    r.add(109, 1, 30, 1);
    EXPECT_EQ(r.sum(109, 10).records, 60u);
    EXPECT_EQ(r.sum(109, 5).records, 50u);  // seconds 105..109
    EXPECT_EQ(r.sum(170, 60).calls, 0u);    // all older than a minute
    r.add(160, 1, 1, 1);                    // same slot as 100: replaces it
    EXPECT_EQ(r.sum(160, 60).records, 51u); // 105, 109, 160
}

TEST(StatsHealth, Grading) {
    EXPECT_EQ(grade_high_is_bad(79.9, 80, 90), HealthStatus::Ok);
    EXPECT_EQ(grade_high_is_bad(80, 80, 90), HealthStatus::Warning);
    EXPECT_EQ(grade_high_is_bad(95, 80, 90), HealthStatus::Critical);
    EXPECT_EQ(grade_low_is_bad(0.9, 0.5, 0.2), HealthStatus::Ok);
    EXPECT_EQ(grade_low_is_bad(0.3, 0.5, 0.2), HealthStatus::Warning);
    EXPECT_EQ(grade_low_is_bad(0.1, 0.5, 0.2), HealthStatus::Critical);
    EXPECT_STREQ(health_status_name(HealthStatus::Critical), "critical");
}
