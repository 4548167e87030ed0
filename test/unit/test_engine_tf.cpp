// Term frequencies in scoring: with "tf": true, agreeing on a rare value weighs more than
// agreeing on a common one, and the matcher applies it.
#include "core/engine/matcher.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"
#include "core/engine/scorer.hpp"
#include "core/engine/term_frequency.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace usermatch::engine;

namespace {

Profile surname_profile(bool tf) {
    return parse_profile(std::string(R"({"id": "id", "fields": [{"name": "surname", "column": "surname", "type": "text", "tf": )") +
                         (tf ? "true" : "false") + R"(}], "blocking": [["surname"]], "prior": 0.01})");
}

RecordStore surnames(const Profile& p) {
    RecordStore s(p);
    for (int i = 0; i < 18; ++i) s.append("smith" + std::to_string(i), {RawValue("Smith")});
    s.append("z1", {RawValue("Zbigniew")});
    s.append("z2", {RawValue("Zbigniew")});
    return s;
}

}  // namespace

TEST(EngineTermFrequency, RareAgreementOutweighsCommonAgreement) {
    const Profile p = surname_profile(true);
    const RecordStore s = surnames(p);
    const TermFrequencies tf(p, s);
    const Scorer plain(p, 0.01);
    const Scorer adjusted(p, 0.01, &tf);
    // Without tf both exact agreements weigh the same; with tf the rare one weighs more.
    EXPECT_DOUBLE_EQ(plain.weight(s, 0, s, 1), plain.weight(s, 18, s, 19));
    EXPECT_GT(adjusted.weight(s, 18, s, 19), adjusted.weight(s, 0, s, 1));
    // u_tf = frequency of the value: Smith 18/20, Zbigniew 2/20.
    const double m = p.fields[0].levels[0].m;
    EXPECT_NEAR(adjusted.weight(s, 0, s, 1) - adjusted.prior_weight(), std::log2(m / 0.9), 1e-12);
    EXPECT_NEAR(adjusted.weight(s, 18, s, 19) - adjusted.prior_weight(), std::log2(m / 0.1), 1e-12);
    // Pruning stays exact: weight_at_least agrees with weight.
    double w = 0;
    ASSERT_TRUE(adjusted.weight_at_least(s, 18, s, 19, adjusted.weight(s, 18, s, 19) - 1e-9, w));
    EXPECT_DOUBLE_EQ(w, adjusted.weight(s, 18, s, 19));
}

TEST(EngineTermFrequency, MatcherUsesTermFrequenciesOfTheData) {
    const Profile with_tf = surname_profile(true);
    const Profile without_tf = surname_profile(false);
    const RecordStore a = surnames(with_tf);
    const RecordStore b = surnames(without_tf);
    auto weight_of = [](const Profile& p, const RecordStore& s, const char* id1, const char* id2) {
        double found = NAN;
        RunOptions options;
        options.min_probability = 0.0;
        run(p, s, nullptr, options, [&](const MatchResult* rows, std::size_t n) {
            for (std::size_t i = 0; i < n; ++i)
                if (s.id(rows[i].left) == id1 && s.id(rows[i].right) == id2) found = rows[i].match_weight;
        });
        return found;
    };
    // Without tf every exact agreement weighs the same; with tf the rare surname weighs more,
    // by log2(frequency(Smith) / frequency(Zbigniew)) = log2(0.9 / 0.1).
    EXPECT_DOUBLE_EQ(weight_of(without_tf, b, "z1", "z2"), weight_of(without_tf, b, "smith0", "smith1"));
    EXPECT_NEAR(weight_of(with_tf, a, "z1", "z2") - weight_of(with_tf, a, "smith0", "smith1"), std::log2(9.0), 1e-9);
}
