#include "core/train/em.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace usermatch::train;

namespace {

// 3 fields x 3 levels, known m, u and lambda.
const std::vector<std::vector<double>> kM = {{0.70, 0.20, 0.10}, {0.80, 0.15, 0.05}, {0.60, 0.30, 0.10}};
const std::vector<std::vector<double>> kU = {{0.02, 0.08, 0.90}, {0.05, 0.15, 0.80}, {0.01, 0.09, 0.90}};

int draw(const std::vector<double>& p, std::mt19937_64& rng) {
    double x = std::uniform_real_distribution<double>(0, 1)(rng);
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (x < p[i]) return static_cast<int>(i);
        x -= p[i];
    }
    return static_cast<int>(p.size()) - 1;
}

ComparisonVectors simulate(std::size_t pairs, double lambda, std::uint64_t seed, double null_share = 0) {
    std::mt19937_64 rng(seed);
    ComparisonVectors v(3);
    for (std::size_t k = 0; k < pairs; ++k) {
        const bool match = std::uniform_real_distribution<double>(0, 1)(rng) < lambda;
        std::int8_t levels[3];
        for (int f = 0; f < 3; ++f) {
            levels[f] = static_cast<std::int8_t>(draw(match ? kM[f] : kU[f], rng));
            if (std::uniform_real_distribution<double>(0, 1)(rng) < null_share) levels[f] = -1;
        }
        v.add(levels);
    }
    return v;
}

EmSettings start() {
    EmSettings s;
    s.m = {{0.4, 0.3, 0.3}, {0.4, 0.3, 0.3}, {0.4, 0.3, 0.3}};
    s.u = kU;
    s.lambda = 0.5;
    s.max_iterations = 200;
    s.tolerance = 1e-6;
    return s;
}

}  // namespace

TEST(TrainEm, CompressesPairsIntoDistinctVectors) {
    ComparisonVectors v(2);
    const std::int8_t a[2] = {0, 1}, b[2] = {0, -1};
    v.add(a);
    v.add(b, 2);
    v.add(a);
    EXPECT_EQ(v.distinct(), 2u);
    EXPECT_DOUBLE_EQ(v.total(), 4);
    EXPECT_DOUBLE_EQ(v.count(0), 2);
    EXPECT_DOUBLE_EQ(v.count(1), 2);
    EXPECT_EQ(v.vector(1)[1], -1);
}

TEST(TrainEm, RecoversKnownMAndLambda) {
    ComparisonVectors v = simulate(100000, 0.1, 7);
    EXPECT_LE(v.distinct(), 27u);
    EmResult r = run_em(v, start());
    EXPECT_TRUE(r.converged);
    EXPECT_NEAR(r.lambda, 0.1, 0.01);
    for (std::size_t f = 0; f < 3; ++f)
        for (std::size_t l = 0; l < 3; ++l) EXPECT_NEAR(r.m[f][l], kM[f][l], 0.02) << "field " << f << " level " << l;
}

TEST(TrainEm, RecoversWithNullComparisons) {
    ComparisonVectors v = simulate(100000, 0.1, 11, 0.2);
    EmResult r = run_em(v, start());
    EXPECT_NEAR(r.lambda, 0.1, 0.01);
    for (std::size_t f = 0; f < 3; ++f)
        for (std::size_t l = 0; l < 3; ++l) EXPECT_NEAR(r.m[f][l], kM[f][l], 0.02);
}

TEST(TrainEm, SameSeedSameResult) {
    EmResult a = run_em(simulate(20000, 0.1, 3), start()), b = run_em(simulate(20000, 0.1, 3), start());
    EXPECT_EQ(a.m, b.m);
    EXPECT_EQ(a.lambda, b.lambda);
    EXPECT_EQ(a.iterations, b.iterations);
}

TEST(TrainEm, FixedFieldsKeepTheirMAndAreIgnored) {
    ComparisonVectors v = simulate(100000, 0.1, 5);
    EmSettings s = start();
    s.fixed = {false, true, false};
    s.m[1] = {0.01, 0.01, 0.98};  // nonsense that would wreck the estimate if it were used
    EmResult r = run_em(v, s);
    EXPECT_FALSE(r.estimated[1]);
    EXPECT_EQ(r.m[1][0], 0.01);
    EXPECT_NEAR(r.lambda, 0.1, 0.015);
    EXPECT_NEAR(r.m[0][0], kM[0][0], 0.03);
    EXPECT_NEAR(r.m[2][0], kM[2][0], 0.03);
}

TEST(TrainEm, NotConvergingWarnsAndKeepsTheLastEstimate) {
    EmSettings s = start();
    s.max_iterations = 2;
    s.tolerance = 1e-12;
    EmResult r = run_em(simulate(10000, 0.1, 1), s);
    EXPECT_FALSE(r.converged);
    EXPECT_EQ(r.iterations, 2);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].find("did not converge"), std::string::npos);
    for (const auto& f : r.m)
        for (double m : f) EXPECT_TRUE(std::isfinite(m));
}

TEST(TrainEm, NoPairsKeepsTheStartingValues) {
    EmResult r = run_em(ComparisonVectors(3), start());
    EXPECT_EQ(r.iterations, 0);
    EXPECT_FALSE(r.converged);
    EXPECT_DOUBLE_EQ(r.m[0][0], 0.4);
    EXPECT_DOUBLE_EQ(r.lambda, 0.5);
    EXPECT_FALSE(r.warnings.empty());
}

TEST(TrainEm, AllNullFieldKeepsItsM) {
    ComparisonVectors v(2);
    std::mt19937_64 rng(1);
    for (int k = 0; k < 1000; ++k) {
        std::int8_t levels[2] = {static_cast<std::int8_t>(draw(kU[0], rng)), -1};
        v.add(levels);
    }
    EmSettings s;
    s.m = {{0.7, 0.2, 0.1}, {0.5, 0.5}};
    s.u = {kU[0], {0.1, 0.9}};
    EmResult r = run_em(v, s);
    EXPECT_FALSE(r.estimated[1]);
    EXPECT_EQ(r.m[1], (std::vector<double>{0.5, 0.5}));
    EXPECT_TRUE(std::isfinite(r.lambda));
}

TEST(TrainEm, ZeroAndOneAreClamped) {
    // Every pair agrees exactly on both fields: m("exact") -> 1, the other levels -> 0, all clamped.
    ComparisonVectors v(2);
    const std::int8_t agree[2] = {0, 0};
    v.add(agree, 500);
    EmSettings s;
    s.m = {{0.5, 0.5}, {0.5, 0.5}};
    s.u = {{0.0, 1.0}, {0.01, 0.99}};  // u of 0 and 1 clamped too
    EmResult r = run_em(v, s);
    EXPECT_DOUBLE_EQ(r.m[0][0], 1 - kMinProbability);
    EXPECT_DOUBLE_EQ(r.m[0][1], kMinProbability);
    EXPECT_LE(r.lambda, 1 - kMinProbability);
    EXPECT_TRUE(r.converged);
}

TEST(TrainEm, FieldThatNeverAgreesGetsTinyAgreementM) {
    ComparisonVectors v = simulate(50000, 0.1, 9);
    // Add a 4th field that never agrees: rebuild with level 1 ("else") everywhere.
    ComparisonVectors w(4);
    for (std::size_t k = 0; k < v.distinct(); ++k) {
        std::int8_t levels[4] = {v.vector(k)[0], v.vector(k)[1], v.vector(k)[2], 1};
        w.add(levels, v.count(k));
    }
    EmSettings s = start();
    s.m.push_back({0.9, 0.1});
    s.u.push_back({0.05, 0.95});
    EmResult r = run_em(w, s);
    EXPECT_DOUBLE_EQ(r.m[3][0], kMinProbability);
    EXPECT_NEAR(r.lambda, 0.1, 0.01);
}

// Households: a third group of pairs agrees on the contact fields (0 and 1) like matches and on the
// identity field (2, a date of birth) only by chance. Two classes put them among the matches and
// learn that matches often disagree on the date; the related class keeps m of the date's "else" small.
namespace {
ComparisonVectors simulate_households(std::size_t pairs, std::uint64_t seed) {
    const std::vector<std::vector<double>> m = {{0.70, 0.20, 0.10}, {0.80, 0.15, 0.05}, {0.95, 0.04, 0.01}};
    const std::vector<std::vector<double>> related = {{0.10, 0.20, 0.70}, {0.85, 0.10, 0.05}};  // name apart, shared phone
    std::mt19937_64 rng(seed);
    ComparisonVectors v(3);
    for (std::size_t k = 0; k < pairs; ++k) {
        const double x = std::uniform_real_distribution<double>(0, 1)(rng);
        const int cls = x < 0.3 ? 0 : x < 0.5 ? 1 : 2;  // 30% matches, 20% households, 50% strangers
        std::int8_t levels[3];
        for (int f = 0; f < 3; ++f) {
            const auto& p = cls == 0 ? m[f] : cls == 1 && f < 2 ? related[f] : kU[f];
            levels[f] = static_cast<std::int8_t>(draw(p, rng));
        }
        v.add(levels);
    }
    return v;
}
}  // namespace

TEST(TrainEm, RelatedClassKeepsHouseholdsOutOfTheMatches) {
    const ComparisonVectors v = simulate_households(60000, 11);
    EmSettings s = start();
    s.lambda = 0.3;
    const EmResult two = run_em(v, s);
    EXPECT_TRUE(two.related_levels.empty());
    EXPECT_DOUBLE_EQ(two.related_share, 0);

    s.related_random = {false, false, true};
    s.related_starts_apart = {true, false, false};
    const EmResult three = run_em(v, s);
    ASSERT_FALSE(three.related_levels.empty());
    // Truth 0.01. With three fields the classes overlap and some matches stay in doubt, but two
    // classes learn several times more (households counted as matches).
    EXPECT_LT(three.m[2][2], 0.1);
    EXPECT_GT(two.m[2][2], 3 * three.m[2][2]);
    EXPECT_NEAR(three.lambda, 0.3, 0.04);
    EXPECT_NEAR(three.related_share, 0.2, 0.05);
    EXPECT_NEAR(three.related_levels[1][0], 0.85, 0.05);
    // The fitted three-class mixture explains the pairs better than the two-class one.
    EXPECT_GT(three.log_likelihood, two.log_likelihood);
}

TEST(TrainEm, RelatedClassNeedsAnIdentityAndAnotherFreeField) {
    const ComparisonVectors v = simulate(20000, 0.3, 5);
    EmSettings s = start();
    s.related_random = {true, true, true};  // nothing left to tell relatives from strangers
    EXPECT_TRUE(run_em(v, s).related_levels.empty());
    s.related_random = {false, false, true};
    s.fixed = {false, false, true};  // the identity field is the blocking rule's
    EXPECT_TRUE(run_em(v, s).related_levels.empty());
}

TEST(TrainEm, FrozenMEstimatesOnlyTheShares) {
    const ComparisonVectors v = simulate_households(20000, 3);
    EmSettings s = start();
    s.m = {{0.70, 0.20, 0.10}, {0.80, 0.15, 0.05}, {0.95, 0.04, 0.01}};
    s.related_random = {false, false, true};
    s.freeze_m = true;
    const EmResult e = run_em(v, s);
    for (std::size_t f = 0; f < 3; ++f)
        for (std::size_t l = 0; l < 3; ++l) EXPECT_DOUBLE_EQ(e.m[f][l], s.m[f][l]);
    EXPECT_NEAR(e.lambda, 0.3, 0.04);
    EXPECT_NEAR(e.related_share, 0.2, 0.06);
}
