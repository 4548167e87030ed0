// Phones across countries in the engine: a list of likely regions, a per-record region column,
// the national_number / last8 blocking transforms and the national_number level.
#include "core/engine/blocking_keys.hpp"
#include "core/engine/comparison.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"
#include "core/errors.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace usermatch;
using namespace usermatch::engine;

namespace {

const char* kSpec = R"({"id": "id", "fields": [
    {"name": "name", "column": "name", "type": "person_name"},
    {"name": "phone", "column": "phone", "type": "phone", "region": "CN", "regions": ["GB", "us"],
     "region_column": "country"},
    {"name": "phone2", "column": "phone2", "type": "phone", "region_column": "country"}],
  "blocking": [["phone.national_number"], ["phone.last8"]]})";

std::string key(const RecordStore& s, const Profile& p, std::size_t rule, std::size_t record) {
    std::string out;
    return blocking_key_text(s, p.blocking[rule].keys[0], record, out) ? out : "<null>";
}

std::string norm(const RecordStore& s, std::size_t f, std::size_t i) {
    return s.column(f).is_null(i) ? "<null>" : std::string(s.column(f).norm[i]);
}

}  // namespace

TEST(PhoneRegions, ProfileExposesTheRegionColumnAsOneExtraSourceColumn) {
    const Profile p = parse_profile(kSpec);
    ASSERT_EQ(p.extra_columns, std::vector<std::string>{"country"});  // read once for both fields
    EXPECT_EQ(p.fields[1].region_value, 3);
    EXPECT_EQ(p.fields[2].region_value, 3);
    EXPECT_EQ(p.fields[0].region_value, -1);
    EXPECT_EQ(p.fields[1].regions, (std::vector<std::string>{"GB", "US"}));
    // Round trip through the canonical JSON.
    const Profile again = parse_profile(profile_to_json(p));
    EXPECT_EQ(again.extra_columns, p.extra_columns);
    EXPECT_EQ(again.fields[1].regions, p.fields[1].regions);
    EXPECT_EQ(again.fields[1].region_column, "country");
    // The source must have the column when the columns are known.
    const std::vector<std::string> cols = {"id", "name", "phone", "phone2"};
    const auto problems = validate_profile(kSpec, &cols);
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_EQ(problems[0].path, "$.fields[1].region_column");
    EXPECT_EQ(problems[0].problem, "column \"country\" does not exist in the source");
}

TEST(PhoneRegions, ProfileRejectsBadOptions) {
    auto problem = [](const std::string& field) {
        const auto ps = validate_profile(R"({"id": "id", "fields": [)" + field + R"(], "blocking": [["f"]]})");
        return ps.empty() ? std::string("ok") : ps[0].path + ": " + ps[0].problem;
    };
    EXPECT_EQ(problem(R"({"name": "f", "column": "f", "type": "text", "region_column": "c"})"),
              "$.fields[0].region_column: only applies to a phone field");
    EXPECT_EQ(problem(R"({"name": "f", "column": "f", "type": "phone", "region_column": 3})"),
              "$.fields[0].region_column: must be a non-empty string (a column with each record's country)");
    EXPECT_EQ(problem(R"({"name": "f", "column": "f", "type": "phone", "regions": ["FR", "XX"]})"),
              "$.fields[0].regions: unknown region \"XX\"; expected a two-letter region code such as \"FR\"");
    EXPECT_EQ(problem(R"({"name": "f", "column": "f", "type": "phone", "regions": "FR"})"),
              "$.fields[0].regions: must be an array of at most 20 two-letter region codes such as [\"FR\", \"GB\"]");
    EXPECT_EQ(problem(R"({"name": "f", "column": "f", "type": "email", "regions": ["FR"]})"),
              "$.fields[0].regions: only applies to a phone field");
    const auto ps = validate_profile(
        R"({"id": "id", "fields": [{"name": "f", "column": "f", "type": "email"}], "blocking": [["f.last8"]]})");
    ASSERT_EQ(ps.size(), 1u);
    EXPECT_EQ(ps[0].problem, "transform \"last8\" does not apply to a email field");
}

TEST(PhoneRegions, RecordRegionFieldRegionsAndNationalForm) {
    const Profile p = parse_profile(kSpec);
    RecordStore s(p);
    // name, phone, phone2, country
    s.append("fr", {"A", "06 85 98 66 38", "01 42 68 53 00", "France"});      // record's region FR
    s.append("intl", {"B", "+33 6 85 98 66 38", std::nullopt, std::nullopt});
    s.append("junk", {"C", "06 85 98 66 38", "06 85 98 66 38", "😀 not a country"});
    s.append("gb", {"D", "07911 123456", "07911 123456", std::nullopt});       // GB from the list
    s.append("us", {"E", "(415) 555-2671", std::nullopt, "US"});
    s.append("short", {"F", "12", "x", "FR"});                                  // fewer than 5 digits
    s.append("huge", {"G", std::string(300, '9'), "ab😀cd", "\xFF\xFE"});       // junk phones
    s.append("no_extra", {"H", "06 85 98 66 38", std::nullopt});                // values for fields only
    EXPECT_EQ(norm(s, 1, 0), "+33685986638");
    EXPECT_EQ(norm(s, 2, 0), "+33142685300");
    EXPECT_EQ(norm(s, 1, 1), "+33685986638");
    EXPECT_EQ(norm(s, 1, 2), "685986638");  // valid in none of CN, GB, US: national form, not +86
    EXPECT_EQ(norm(s, 2, 2), "685986638");  // phone2: region CN only
    EXPECT_EQ(norm(s, 1, 3), "+447911123456");
    EXPECT_EQ(norm(s, 2, 3), "7911123456");
    EXPECT_EQ(norm(s, 1, 4), "+14155552671");  // the record's US is tried before CN
    EXPECT_EQ(norm(s, 1, 5), "<null>");
    EXPECT_EQ(norm(s, 2, 5), "<null>");
    EXPECT_EQ(norm(s, 1, 6), "<null>");
    EXPECT_EQ(norm(s, 2, 6), "<null>");
    EXPECT_EQ(norm(s, 1, 7), "685986638");
    // Blocking: the national and the international spelling share both keys.
    EXPECT_EQ(key(s, p, 0, 1), "685986638");
    EXPECT_EQ(key(s, p, 0, 2), "685986638");
    EXPECT_EQ(key(s, p, 1, 1), "85986638");
    EXPECT_EQ(key(s, p, 1, 2), "85986638");
    EXPECT_EQ(key(s, p, 0, 5), "<null>");
    // Level: exact for the same E.164, national_number for E.164 vs national form.
    auto level = [&](std::size_t a, std::size_t b) {
        const int l = compare_field(p.fields[1], 1, s, a, s, b);
        return l == kNullLevel ? std::string("null") : p.fields[1].levels[static_cast<std::size_t>(l)].name;
    };
    EXPECT_EQ(level(0, 1), "exact");
    EXPECT_EQ(level(1, 2), "national_number");
    EXPECT_EQ(level(0, 2), "national_number");
    EXPECT_EQ(level(1, 3), "else");
    EXPECT_EQ(level(1, 6), "null");
}

TEST(PhoneRegions, BatchWithExtraColumnsEqualsRecordByRecord) {
    const Profile p = parse_profile(kSpec);
    std::mt19937 rng(5);
    const char* phones[] = {"06 85 98 66 38", "+33 6 85 98 66 38", "07911 123456", "13812345678", "030 1234567",
                            "(415) 555-2671", "junk", "", "0151 2345678"};
    const char* countries[] = {"FR", "fr", "France", "FRA", "法国", "+33", "DE", "GB", "??", ""};
    std::vector<std::string> ids;
    std::vector<RawValue> values;
    RecordStore one(p), batch(p);
    for (int i = 0; i < 3000; ++i) {
        ids.push_back("r" + std::to_string(i));
        std::vector<RawValue> rec = {"x", phones[rng() % 9], phones[rng() % 9], countries[rng() % 10]};
        if (rng() % 5 == 0) rec[3] = std::nullopt;
        one.append(ids.back(), rec);
        values.insert(values.end(), rec.begin(), rec.end());
    }
    std::vector<std::string_view> views(ids.begin(), ids.end());
    batch.append_batch(views, values, 2);
    for (std::size_t i = 0; i < ids.size(); ++i)
        for (std::size_t f = 1; f < 3; ++f) ASSERT_EQ(norm(one, f, i), norm(batch, f, i)) << i;
    EXPECT_THROW(batch.append_batch({"bad"}, std::vector<RawValue>(5), 1), Error);  // neither 3 nor 4 values
}
