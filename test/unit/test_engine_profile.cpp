#include "core/engine/profile.hpp"
#include "core/errors.hpp"
#include "timing.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

using namespace usermatch;
using namespace usermatch::engine;

namespace {

const char* kGood = R"J({ "id": "user_id",
  "fields": [
    {"name": "name",  "column": "full_name",  "type": "person_name"},
    {"name": "phone", "column": "phone",      "type": "phone", "region": "CN"},
    {"name": "email", "column": "email",      "type": "email"},
    {"name": "dob",   "column": "birth_date", "type": "date"},
    {"name": "idno",  "column": "id_number",  "type": "id_number"},
    {"name": "city",  "expression": "lower(city)", "type": "text"} ],
  "blocking": [["phone"], ["email"], ["idno"], ["name.pinyin_initials", "dob.year"]],
  "threshold": 0.9 })J";

bool has(const std::vector<Problem>& ps, const std::string& path, const std::string& fragment) {
    return std::any_of(ps.begin(), ps.end(), [&](const Problem& p) {
        return p.path == path && p.problem.find(fragment) != std::string::npos;
    });
}

}  // namespace

TEST(EngineProfile, ParsesTheExampleWithDefaults) {
    Profile p = parse_profile(kGood);
    EXPECT_EQ(p.id_column, "user_id");
    ASSERT_EQ(p.fields.size(), 6u);
    EXPECT_EQ(p.fields[0].type, FieldType::PersonName);
    EXPECT_EQ(p.fields[5].expression, "lower(city)");
    EXPECT_TRUE(p.fields[5].column.empty());
    EXPECT_EQ(p.fields[0].levels.size(), 9u);
    EXPECT_EQ(p.fields[0].levels.back().condition, Condition::Else);
    ASSERT_EQ(p.blocking.size(), 4u);
    EXPECT_EQ(p.blocking[3].keys[0].transform, Transform::PinyinInitials);
    EXPECT_EQ(p.blocking[3].keys[1].field, 3u);
    EXPECT_EQ(p.max_block_size, 5000u);
    EXPECT_EQ(p.max_cluster_size, 100u);
    EXPECT_FALSE(p.prior.has_value());
    EXPECT_DOUBLE_EQ(effective_prior(p, 1000, 10), 0.001);
    EXPECT_DOUBLE_EQ(effective_prior(p, 1, 0), 0.5);
}

TEST(EngineProfile, ReportsEveryProblemAtOnce) {
    const char* bad = R"({ "fields": [
        {"name": "name", "column": "full_nam", "type": "person_name"},
        {"name": "name", "column": "x", "expression": "y", "type": "text"},
        {"name": "mail", "type": "emial"},
        {"name": "p", "column": "phone", "type": "phone", "m": [0.9, 0.1], "u": [0.5, 1.5, 0.1, 0.2]},
        {"name": "d", "column": "birth_date", "type": "date", "levels": ["exact", "jw>=0.9"]} ],
      "blocking": [["nme.soundex"], ["name.soundx"], ["d.soundex"], []],
      "threshold": 1.5, "prior": 0, "max_block_size": -3, "colour": 1 })";
    std::vector<std::string> cols = {"user_id", "full_name", "phone", "birth_date", "x"};
    auto ps = validate_profile(bad, &cols);
    EXPECT_TRUE(has(ps, "$.id", "missing"));
    EXPECT_TRUE(has(ps, "$.fields[0].column", "column \"full_nam\" does not exist in the source"));
    EXPECT_TRUE(has(ps, "$.fields[1].name", "duplicate field name \"name\""));
    EXPECT_TRUE(has(ps, "$.fields[1]", "both"));
    EXPECT_TRUE(has(ps, "$.fields[2]", "needs either"));
    EXPECT_TRUE(has(ps, "$.fields[2].type",
                    "unknown type \"emial\"; expected one of person_name, text, phone, email, date, id_number, exact, number"));
    EXPECT_TRUE(has(ps, "$.fields[3].m", "has 2 values but the field has 4 levels"));
    EXPECT_TRUE(has(ps, "$.fields[3].u[1]", "between 0 and 1 exclusive"));
    EXPECT_TRUE(has(ps, "$.fields[4].levels[1]", "does not apply to a date field"));
    EXPECT_TRUE(has(ps, "$.blocking[0][0]", "blocking key \"nme.soundex\" names no field"));
    EXPECT_TRUE(has(ps, "$.blocking[1][0]", "unknown transform \"soundx\""));
    EXPECT_TRUE(has(ps, "$.blocking[2][0]", "does not apply to a date field"));
    EXPECT_TRUE(has(ps, "$.blocking[3]", "non-empty"));
    EXPECT_TRUE(has(ps, "$.threshold", "must be between 0 and 1 exclusive"));
    EXPECT_TRUE(has(ps, "$.prior", "must be between 0 and 1 exclusive"));
    EXPECT_TRUE(has(ps, "$.max_block_size", "integer"));
    EXPECT_TRUE(has(ps, "$.colour", "unknown key"));
    EXPECT_GE(ps.size(), 17u);
}

TEST(EngineProfile, InvalidJsonIsOneProblemAtRoot) {
    auto ps = validate_profile("{\"id\": ");
    ASSERT_EQ(ps.size(), 1u);
    EXPECT_EQ(ps[0].path, "$");
    EXPECT_EQ(validate_profile("[1]")[0].path, "$");
}

TEST(EngineProfile, ValidProfileHasNoProblems) {
    std::vector<std::string> cols = {"user_id", "full_name", "phone", "email", "birth_date", "id_number"};
    EXPECT_TRUE(validate_profile(kGood, &cols).empty());
}

TEST(EngineProfile, ParseThrowsFirstProblemWithCount) {
    try {
        parse_profile(R"({"id": "x", "fields": [], "blocking": [], "threshold": 2})");
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidParameter);
        EXPECT_NE(std::string(e.what()).find("$.fields"), std::string::npos);
        EXPECT_NE(e.detail().find("2 more problem"), std::string::npos);
    }
}

TEST(EngineProfile, CustomLevelsAndProbabilities) {
    Profile p = parse_profile(R"({"id": "id", "fields": [
        {"name": "n", "column": "n", "type": "text", "levels": ["exact", "jw>=0.85", "else"],
         "m": [0.9, 0.05, 0.05], "u": [0.01, 0.04, 0.95], "tf": true}],
      "blocking": [["n.prefix3"]], "prior": 0.001, "max_cluster_size": 10})");
    const Field& f = p.fields[0];
    ASSERT_EQ(f.levels.size(), 3u);
    EXPECT_EQ(f.levels[1].condition, Condition::JaroWinkler);
    EXPECT_DOUBLE_EQ(f.levels[1].param, 0.85);
    EXPECT_DOUBLE_EQ(f.levels[1].m, 0.05);
    EXPECT_DOUBLE_EQ(f.levels[2].u, 0.95);
    EXPECT_TRUE(f.tf);
    EXPECT_DOUBLE_EQ(*p.prior, 0.001);
    EXPECT_EQ(p.max_cluster_size, 10u);
}

TEST(EngineProfile, CanonicalJsonRoundTrips) {
    Profile p = parse_profile(kGood);
    std::string text = profile_to_json(p);
    Profile q = parse_profile(text);
    EXPECT_EQ(profile_to_json(q), text);
    EXPECT_NE(text.find("\"levels\":[\"exact\",\"pinyin\",\"swapped\""), std::string::npos);
    EXPECT_NE(text.find("\"expression\":\"lower(city)\""), std::string::npos);
}

TEST(EngineProfile, ManyFieldsAreValidatedInLinearTimeOrRefused) {
    // Issue 7: validate_profile with 60,000 fields ran 21 s (quadratic duplicate-name check).
    auto spec = [](std::size_t fields, bool duplicate) {
        std::string s = R"({"id": "id", "fields": [)";
        for (std::size_t i = 0; i < fields; ++i) {
            if (i) s += ",";
            const std::size_t name = duplicate && i == fields - 1 ? 0 : i;
            s += R"({"name": "f)" + std::to_string(name) + R"(", "column": "c", "type": "text"})";
        }
        return s + R"(], "blocking": [["f0"]]})";
    };
    const auto start = std::chrono::steady_clock::now();
    try {
        validate_profile(spec(60000, false));
        FAIL() << "expected a program-limit error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::ProgramLimit);
        EXPECT_NE(std::string(e.what()).find("60000 fields; at most 64"), std::string::npos) << e.what();
    }
    EXPECT_THROW(parse_profile(spec(1001, false)), Error);
    // Up to 1,000 fields every problem is still listed, duplicates found through a hash set.
    const auto problems = validate_profile(spec(1000, true));
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_EQ(problems[0].problem, "has 1000 fields; at most 64 are allowed");
    EXPECT_EQ(problems[1].path, "$.fields[999].name");
    EXPECT_EQ(problems[1].problem, "duplicate field name \"f0\"");
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 2.0 * kTimingSlack);
}

// A rule may carry its own block cap; it round-trips through to_json and is validated.
TEST(EngineProfile, RuleOwnBlockCap) {
    const std::string base = R"({"id": "id", "fields": [{"name": "name", "column": "n", "type": "person_name"},
        {"name": "phone", "column": "p", "type": "phone"}], "blocking": )";
    Profile p = parse_profile(base + R"([["phone"], {"keys": ["name.sorted_tokens"], "max_block_size": 50}]})");
    ASSERT_EQ(p.blocking.size(), 2u);
    EXPECT_EQ(p.blocking[0].max_block_size, 0u);
    EXPECT_EQ(p.blocking[1].max_block_size, 50u);
    EXPECT_EQ(p.blocking[1].keys[0].text, "name.sorted_tokens");
    const Profile again = parse_profile(profile_to_json(p));
    EXPECT_EQ(again.blocking[1].max_block_size, 50u);
    EXPECT_EQ(again.blocking[0].max_block_size, 0u);
    auto problems = [&](const std::string& rules) { return validate_profile(base + rules + "}"); };
    auto first_path = [&](const std::string& rules) {
        auto v = problems(rules);
        return v.empty() ? std::string("(none)") : v[0].path;
    };
    EXPECT_EQ(first_path(R"([{"keys": ["name"], "max_block_size": 1}])"), "$.blocking[0].max_block_size");
    EXPECT_EQ(first_path(R"([{"keys": ["name"], "max_block_size": "50"}])"), "$.blocking[0].max_block_size");
    EXPECT_EQ(first_path(R"([{"max_block_size": 50}])"), "$.blocking[0].keys");
    EXPECT_EQ(first_path(R"([{"keys": [], "max_block_size": 50}])"), "$.blocking[0].keys");
    EXPECT_EQ(first_path(R"([{"keys": ["name"], "cap": 50}])"), "$.blocking[0].cap");
    EXPECT_EQ(first_path(R"([{"keys": ["nmae"]}])"), "$.blocking[0].keys[0]");
    EXPECT_TRUE(problems(R"([{"keys": ["name"]}])").empty());
}

TEST(EngineProfile, InteractionsRoundTripAndTheirProblemsAreNamed) {
    std::string spec = kGood;
    spec.insert(spec.rfind('}'), R"(, "interactions": [{"field": "city", "given": "phone", "u": {"exact": 0.9, "jw>=0.92": 0.02}}])");
    const Profile p = parse_profile(spec);
    ASSERT_EQ(p.interactions.size(), 1u);
    EXPECT_EQ(p.fields[p.interactions[0].field].name, "city");
    EXPECT_EQ(p.fields[p.interactions[0].given].name, "phone");
    ASSERT_EQ(p.interactions[0].u.size(), p.fields[5].levels.size());
    EXPECT_DOUBLE_EQ(p.interactions[0].u[0], 0.9);
    EXPECT_DOUBLE_EQ(p.interactions[0].u.back(), 0.0);  // "else": never given
    // Canonical JSON keeps them, and reads back the same.
    const Profile again = parse_profile(profile_to_json(p));
    ASSERT_EQ(again.interactions.size(), 1u);
    EXPECT_EQ(again.interactions[0].u, p.interactions[0].u);
    EXPECT_EQ(profile_to_json(again), profile_to_json(p));
    EXPECT_EQ(profile_to_json(parse_profile(kGood)).find("interactions"), std::string::npos);

    std::string bad = kGood;
    bad.insert(bad.rfind('}'), R"(, "interactions": [{"field": "town", "given": "phone", "u": {}},
        {"field": "city", "given": "city", "u": {}}, {"field": "city", "given": "phone", "u": {"else": 0.5, "exact": 2}},
        {"field": "email", "given": "phone", "u": [0.5], "why": 1}, 7,
        {"field": "city", "given": "phone", "u": {"exact": 0.5}}, {"field": "phone", "given": "city", "u": {}}])");
    const auto ps = validate_profile(bad);
    EXPECT_TRUE(has(ps, "$.interactions[0].field", "\"town\" names no field"));
    EXPECT_TRUE(has(ps, "$.interactions[1].given", "another field"));
    EXPECT_TRUE(has(ps, "$.interactions[2].u.else", "names no level of \"city\" before \"else\""));
    EXPECT_TRUE(has(ps, "$.interactions[2].u.exact", "between 0 and 1 exclusive"));
    EXPECT_TRUE(has(ps, "$.interactions[3].u", "must be a non-empty object"));
    EXPECT_TRUE(has(ps, "$.interactions[3].why", "unknown key"));
    EXPECT_TRUE(has(ps, "$.interactions[4]", "must be an object"));
    EXPECT_TRUE(has(ps, "$.interactions[5]", "repeats $.interactions[2]"));
    EXPECT_TRUE(has(ps, "$.interactions[6].u", "non-empty"));
    std::string not_array = kGood;
    not_array.insert(not_array.rfind('}'), R"(, "interactions": {"field": "city"})");
    EXPECT_TRUE(has(validate_profile(not_array), "$.interactions", "must be an array"));
}
