#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"
#include "core/errors.hpp"
#include "core/train/labels.hpp"
#include "core/engine/term_frequency.hpp"
#include "core/train/weights_table.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>

using namespace usermatch;
using namespace usermatch::engine;
using namespace usermatch::train;

namespace {

const char* kProfile = R"({"id": "id", "fields": [
    {"name": "name", "column": "name", "type": "person_name", "tf": true},
    {"name": "phone", "column": "phone", "type": "phone"}],
  "blocking": [["phone"]]})";

}  // namespace

TEST(TrainTermFrequency, RareValuesWeighMoreThanCommonOnes) {
    Profile p = parse_profile(kProfile);
    RecordStore s(p);
    for (int i = 0; i < 8; ++i) s.append("w" + std::to_string(i), {RawValue("王伟"), RawValue()});
    s.append("r", {RawValue("欧阳娜娜"), RawValue()});
    s.append("z", {RawValue("Wang Wei"), RawValue()});  // same pinyin, different normalised value
    s.append("n", {RawValue(), RawValue("13812345678")});
    TermFrequencies tf(p, s);
    ASSERT_TRUE(tf.has_field(0));
    EXPECT_FALSE(tf.has_field(1));
    const auto wang = TermFrequencies::value_key(s, 0, 0), rare = TermFrequencies::value_key(s, 0, 8);
    EXPECT_DOUBLE_EQ(tf.frequency(0, wang), 0.8);
    EXPECT_DOUBLE_EQ(tf.frequency(0, rare), 0.1);
    EXPECT_DOUBLE_EQ(tf.floor(0), 0.1);
    const double m = p.fields[0].levels[0].m;
    EXPECT_DOUBLE_EQ(tf.adjusted_weight(0, 0, wang), std::log2(m / 0.8));
    EXPECT_DOUBLE_EQ(tf.adjusted_weight(0, 0, rare), std::log2(m / 0.1));
    EXPECT_DOUBLE_EQ(tf.adjusted_weight(0, 0, 12345), std::log2(m / 0.1));  // unknown value: the floor
    // Other levels and other fields keep log2(m/u); NULL level 0.
    const Level& jw = p.fields[0].levels[4];
    EXPECT_DOUBLE_EQ(tf.adjusted_weight(0, 4, wang), std::log2(jw.m / jw.u));
    EXPECT_DOUBLE_EQ(tf.adjusted_weight(0, -1, wang), 0);
    EXPECT_DOUBLE_EQ(tf.adjusted_weight(1, 0, 1), std::log2(p.fields[1].levels[0].m / p.fields[1].levels[0].u));

    auto rows = tf.rows();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].field, "name");
    EXPECT_EQ(rows[0].count, 8u);
    EXPECT_DOUBLE_EQ(rows[0].frequency, 0.8);
    auto j = nlohmann::json::parse(tf.to_json());
    EXPECT_EQ(j["name"]["records"], 10);
    EXPECT_EQ(j["name"]["distinct"], 3);
    EXPECT_DOUBLE_EQ(j["name"]["values"][rows[0].value].get<double>(), 0.8);
    EXPECT_EQ(nlohmann::json::parse(tf.to_json(1))["name"]["values"].size(), 1u);
}

TEST(TrainLabels, ThresholdMaximisesF1OnAHandMadeSet) {
    std::vector<std::pair<double, bool>> s = {{0.2, false}, {0.99, true}, {0.9, false},
                                              {0.95, true}, {0.8, true},  {0.5, false}};
    ThresholdChoice c = choose_threshold(s);
    ASSERT_EQ(c.curve.size(), 6u);
    EXPECT_DOUBLE_EQ(c.curve[0].threshold, 0.99);
    EXPECT_DOUBLE_EQ(c.curve[0].recall, 1.0 / 3);
    EXPECT_DOUBLE_EQ(c.curve[2].precision, 2.0 / 3);
    EXPECT_EQ(c.chosen, 3u);  // p >= 0.8: precision 3/4, recall 1, F1 6/7
    EXPECT_NEAR(c.curve[3].f1, 6.0 / 7, 1e-12);
    EXPECT_NEAR(c.threshold, 2.0 / 3, 1e-12);  // halfway in weight between 0.8 (w=2) and 0.5 (w=0)
    ThresholdChoice t = choose_threshold(s, 0.95);
    EXPECT_TRUE(t.target_reached);
    EXPECT_EQ(t.chosen, 1u);  // p >= 0.95: precision 1, recall 2/3
    EXPECT_GT(t.threshold, 0.9);
    EXPECT_LT(t.threshold, 0.95);
    ThresholdChoice none = choose_threshold({{0.7, false}, {0.6, true}}, 0.99);
    EXPECT_FALSE(none.target_reached);
    EXPECT_EQ(choose_threshold({}).curve.size(), 0u);
}

TEST(TrainLabels, MFromMatchingLabelsAndCurve) {
    Profile p = parse_profile(kProfile);
    RecordStore s(p);
    s.append("1", {RawValue("张伟"), RawValue("13812345678")});
    s.append("2", {RawValue("Zhang Wei"), RawValue("13812345678")});
    s.append("3", {RawValue("张伟"), RawValue("13812345679")});
    s.append("4", {RawValue("李娜"), RawValue("13900000000")});
    s.append("5", {RawValue("王芳"), RawValue("13812345678")});
    std::vector<LabelledPair> labels = {{"1", "2", true}, {"1", "3", true}, {"2", "3", true},
                                        {"1", "4", false}, {"4", "5", false}, {"1", "nope", true}};
    LabelResult r = train_labels(p, s, nullptr, labels);
    EXPECT_EQ(r.matches, 3u);
    EXPECT_EQ(r.non_matches, 2u);
    EXPECT_EQ(r.unknown_ids, 1u);
    EXPECT_FALSE(r.u_estimated);  // < 100 non-matches: u kept
    EXPECT_EQ(r.profile.fields[1].levels[0].u, p.fields[1].levels[0].u);
    // Phone among the 3 matches: exact once (1-2), osa<=1 twice (1-3, 2-3); levels 1 and 3 floored
    // at 1/6, then normalised by 1 + 2/6.
    const auto& phone = r.profile.fields[1].levels;
    EXPECT_NEAR(phone[0].m, (1.0 / 3) / (4.0 / 3), 1e-9);
    EXPECT_NEAR(phone[2].m, (2.0 / 3) / (4.0 / 3), 1e-9);
    ASSERT_FALSE(r.choice.curve.empty());
    EXPECT_DOUBLE_EQ(r.choice.curve[r.choice.chosen].f1, 1.0);  // the labels separate perfectly
    EXPECT_EQ(r.profile.threshold, r.choice.threshold);
    EXPECT_NO_THROW(parse_profile(profile_to_json(r.profile)));
    EXPECT_THROW(train_labels(p, s, nullptr, {{"1", "4", false}}), Error);
}

TEST(TrainWeights, RowsAndBars) {
    Profile p = parse_profile(kProfile);
    auto rows = profile_weights(p);
    ASSERT_EQ(rows.size(), p.fields[0].levels.size() + p.fields[1].levels.size());
    EXPECT_EQ(rows[0].field, "name");
    EXPECT_EQ(rows[0].level, "exact");
    EXPECT_DOUBLE_EQ(rows[0].match_weight, std::log2(0.66 / 0.002));
    EXPECT_EQ(weight_bar(3.5), "███▌");
    EXPECT_EQ(weight_bar(2), "██");
    EXPECT_EQ(weight_bar(0), "");
    EXPECT_EQ(weight_bar(-2.4), "-░░");
    EXPECT_EQ(weight_bar(100).substr(weight_bar(100).size() - 3), "…");
    EXPECT_EQ(rows.back().bar, weight_bar(rows.back().match_weight));
}
