#include "core/engine/explain.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>

using namespace usermatch::engine;

TEST(EngineExplain, ReportsEveryFieldAndTheDecision) {
    Profile p = parse_profile(R"({"id": "id", "fields": [
        {"name": "name", "column": "name", "type": "person_name"},
        {"name": "dob", "column": "dob", "type": "date"},
        {"name": "phone", "column": "phone", "type": "phone"}],
      "blocking": [["phone"]], "prior": 0.001, "threshold": 0.9})");
    auto j = nlohmann::json::parse(explain_pair(p, {RawValue("張偉"), RawValue("1990-03-15"), std::nullopt},
                                                {RawValue("Zhang Wei"), RawValue("15/03/1990"), RawValue("138")}));
    ASSERT_EQ(j["fields"].size(), 3u);
    EXPECT_EQ(j["fields"][0]["a"], "張偉");
    EXPECT_EQ(j["fields"][0]["normalized_a"], "张伟");
    EXPECT_EQ(j["fields"][0]["normalized_b"], "zhang wei");
    EXPECT_EQ(j["fields"][0]["level"], "pinyin");
    EXPECT_DOUBLE_EQ(j["fields"][0]["weight"].get<double>(), std::log2(0.05 / 0.001));
    EXPECT_EQ(j["fields"][1]["level"], "exact");
    EXPECT_EQ(j["fields"][1]["normalized_b"], "1990-03-15");
    EXPECT_EQ(j["fields"][2]["level"], "null");
    EXPECT_TRUE(j["fields"][2]["m"].is_null());
    EXPECT_DOUBLE_EQ(j["fields"][2]["weight"].get<double>(), 0.0);
    double total = j["prior_weight"].get<double>() + j["fields"][0]["weight"].get<double>() +
                   j["fields"][1]["weight"].get<double>();
    EXPECT_NEAR(j["match_weight"].get<double>(), total, 1e-9);
    EXPECT_NEAR(j["prior_weight"].get<double>(), std::log2(0.001 / 0.999), 1e-12);
    EXPECT_DOUBLE_EQ(j["threshold"].get<double>(), 0.9);
    EXPECT_EQ(j["is_match"].get<bool>(), j["match_probability"].get<double>() >= 0.9);
    EXPECT_TRUE(j["is_match"].get<bool>());
}
