// The "auto" threshold: expected_f1_threshold against a brute force over every candidate pair, and
// "threshold": "auto" in a profile (parsed, serialised, resolved by a run).
#include "core/engine/expected_f1.hpp"
#include "core/engine/matcher.hpp"
#include "core/errors.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

using namespace usermatch;
using namespace usermatch::engine;

namespace {

const char* kProfile = R"({"id": "id", "fields": [
    {"name": "name", "column": "name", "type": "person_name"},
    {"name": "dob", "column": "dob", "type": "date"}],
  "blocking": [["name.soundex"], ["dob"]], "prior": 0.01, "threshold": "auto"})";

RecordStore people(const Profile& p) {
    RecordStore s(p);
    const char* names[] = {"john smith", "jon smith", "john smyth", "mary jones", "mary jonse", "marie jones",
                           "peter brown", "peter browne", "pete brown", "anna white"};
    const char* dobs[] = {"1980-01-01", "1980-01-01", "1980-02-01", "1975-05-05", "1975-05-05",
                          "1980-01-01", "1990-09-09", "1990-09-19", "1975-05-05", "1990-09-09"};
    for (int r = 0; r < 3; ++r)
        for (int i = 0; i < 10; ++i)
            s.append(std::to_string(r * 10 + i), {RawValue(names[i]), RawValue(dobs[(i + r) % 10])});
    return s;
}

}  // namespace

TEST(EngineExpectedF1, ChoosesTheBestExpectedF1OfTheCandidates) {
    Profile p = parse_profile(kProfile);
    RecordStore s = people(p);
    std::vector<double> probs;
    RunOptions all;
    all.min_probability = 1e-15;
    run(p, s, nullptr, all, [&](const MatchResult* r, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) probs.push_back(r[i].match_probability);
    });
    ASSERT_GT(probs.size(), 10u);
    double sum = 0;
    for (double x : probs) sum += x;
    auto expected_f1 = [&](double t) {
        double tp = 0, predicted = 0;
        for (double x : probs)
            if (x >= t) tp += x, predicted += 1;
        return 2 * tp / (predicted + sum);
    };
    double best = 0;
    for (double t : probs) best = std::max(best, expected_f1(t));
    const ExpectedF1 e = expected_f1_threshold(p, s, nullptr, 2);
    EXPECT_EQ(e.candidate_pairs, probs.size());
    EXPECT_NEAR(e.expected_matches, sum, 1e-9 * sum);
    EXPECT_GT(e.threshold, 0);
    EXPECT_LT(e.threshold, 1);
    EXPECT_NEAR(e.expected_f1, best, 1e-9);               // bins are finer than the distinct weights here
    EXPECT_NEAR(expected_f1(e.threshold), best, 1e-9);    // and the threshold reaches it
}

TEST(EngineExpectedF1, UnresolvedAutoIsResolvedByTheRun) {
    Profile p = parse_profile(kProfile);
    ASSERT_TRUE(p.threshold_auto);
    ASSERT_FALSE(p.threshold_resolved);
    EXPECT_NE(profile_to_json(p).find(R"("threshold":"auto")"), std::string::npos);
    RecordStore s = people(p);
    const ExpectedF1 e = expected_f1_threshold(p, s, nullptr, 1);
    std::size_t with_auto = 0, with_number = 0;
    run(p, s, nullptr, {}, [&](const MatchResult*, std::size_t n) { with_auto += n; });
    Profile fixed = p;
    fixed.threshold_auto = false;
    fixed.threshold = e.threshold;
    run(fixed, s, nullptr, {}, [&](const MatchResult*, std::size_t n) { with_number += n; });
    EXPECT_EQ(with_auto, with_number);
    EXPECT_GT(with_auto, 0u);
}

TEST(EngineExpectedF1, ResolvedAutoRoundTripsAndBadValuesAreRejected) {
    std::string text = kProfile;
    text.replace(text.find(R"("auto")"), 6, R"({"auto": 0.73})");
    Profile p = parse_profile(text);
    EXPECT_TRUE(p.threshold_auto && p.threshold_resolved);
    EXPECT_DOUBLE_EQ(p.threshold, 0.73);
    Profile back = parse_profile(profile_to_json(p));
    EXPECT_TRUE(back.threshold_auto && back.threshold_resolved);
    EXPECT_DOUBLE_EQ(back.threshold, 0.73);
    for (const char* bad : {R"("automatic")", R"({"auto": 1.5})", R"({"auto": 0.5, "x": 1})", "null"}) {
        std::string t = kProfile;
        t.replace(t.find(R"("auto")"), 6, bad);
        EXPECT_THROW(parse_profile(t), Error) << bad;
    }
}
