#include "core/engine/blocking.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"
#include "core/engine/task_runner.hpp"
#include "core/errors.hpp"
#include "core/train/suggest.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <random>
#include <set>

using namespace usermatch;
using namespace usermatch::engine;
using namespace usermatch::train;

namespace {

ColumnSample column(const std::string& name, std::vector<std::string> values, const std::string& type = "text") {
    ColumnSample c;
    c.name = name;
    c.type_name = type;
    std::set<std::string> d(values.begin(), values.end());
    c.distinct_share = values.empty() ? 0 : double(d.size()) / values.size();
    c.rows = values.size();
    c.values = std::move(values);
    return c;
}

std::string pick(std::mt19937_64& rng, const std::vector<std::string>& v) { return v[rng() % v.size()]; }

// n records: Chinese or Latin people.
std::vector<ColumnSample> people(std::size_t n, bool chinese) {
    std::mt19937_64 rng(chinese ? 1 : 2);
    const std::vector<std::string> cn_family = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙"};
    const std::vector<std::string> cn_given = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳",
                                               "杰", "娟", "涛", "明", "超", "秀英", "华", "平", "建国", "志强"};
    const std::vector<std::string> la_first = {"james", "mary", "john", "patricia", "robert", "linda", "michael",
                                               "barbara", "william", "elizabeth", "david", "susan", "richard", "karen"};
    const std::vector<std::string> la_last = {"smith", "johnson", "williams", "brown", "jones", "garcia", "miller",
                                              "davis", "rodriguez", "martinez", "wilson", "anderson", "taylor", "moore"};
    const std::vector<std::string> cities = {"北京", "上海", "广州", "深圳", "Wuhan", "London", "Sydney"};
    std::vector<std::string> ids, names, first, last, phones, emails, dates, idnos, city;
    char buf[64];
    for (std::size_t i = 0; i < n; ++i) {
        ids.push_back(std::to_string(1000 + i));
        int y = 1950 + int(rng() % 50), m = 1 + int(rng() % 12), d = 1 + int(rng() % 28);
        if (chinese) {
            names.push_back(pick(rng, cn_family) + pick(rng, cn_given) + (rng() % 2 ? pick(rng, cn_given) : ""));
            std::snprintf(buf, sizeof buf, "1%d%09llu", 3 + int(rng() % 6), (unsigned long long)(rng() % 1000000000));
            phones.push_back(buf);
            std::snprintf(buf, sizeof buf, i % 3 ? "%04d-%02d-%02d" : (i % 2 ? "%04d%02d%02d" : "%04d/%02d/%02d"), y, m, d);
            dates.push_back(buf);
            std::snprintf(buf, sizeof buf, "110101%04d%02d%02d%03d%d", y, m, d, int(rng() % 1000), int(rng() % 10));
            idnos.push_back(buf);
            emails.push_back("u" + std::to_string(rng() % 100000000) + "@qq.com");
        } else {
            first.push_back(pick(rng, la_first));
            last.push_back(pick(rng, la_last));
            std::snprintf(buf, sizeof buf, "+1 %03d-%03d-%04d", 200 + int(rng() % 700), int(rng() % 1000), int(rng() % 10000));
            phones.push_back(buf);
            std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", m, d, y);  // month first
            dates.push_back(buf);
            emails.push_back(first.back() + "." + last.back() + std::to_string(rng() % 10000) + "@example.com");
        }
        city.push_back(pick(rng, cities));
    }
    if (chinese)
        return {column("user_id", ids), column("姓名", names), column("手机", phones), column("email", emails),
                column("出生日期", dates), column("身份证号", idnos), column("city", city)};
    return {column("customer_key", ids), column("first_name", first), column("surname", last),
            column("contact", phones), column("mail_address", emails), column("birthday", dates),
            column("notes", std::vector<std::string>{})};
}

std::string type_of(const nlohmann::json& doc, const std::string& field) {
    for (const auto& f : doc["fields"])
        if (f["name"] == field) return f["type"];
    return "(none)";
}

// Builds a store of the sampled rows and checks that no block of the suggested rules is oversized.
void expect_blocks_under_cap(const Profile& p, const std::vector<ColumnSample>& cols) {
    RecordStore s(p);
    const std::size_t n = cols[0].values.size();
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<RawValue> row;
        for (const Field& f : p.fields)
            for (const auto& c : cols)
                if (c.name == f.column) row.push_back(i < c.values.size() ? RawValue(c.values[i]) : RawValue());
        s.append("r" + std::to_string(i), row);
    }
    TaskRunner runner(1, {});
    CandidateGenerator gen(p, s, nullptr, runner);
    std::uint64_t pairs = 0;
    for (const RuleEstimate& e : gen.estimate()) {
        EXPECT_LE(e.largest_block, p.max_block_size) << "rule " << e.rule;
        EXPECT_EQ(e.oversized_blocks, 0u);
        pairs += e.candidate_pairs;
    }
    EXPECT_LE(pairs, 50 * n);
}

}  // namespace

TEST(SuggestProfile, ChineseUsers) {
    auto cols = people(2000, true);
    Suggestion s = suggest_profile(cols);
    Profile p = parse_profile(s.profile_json);
    auto doc = nlohmann::json::parse(s.profile_json);
    EXPECT_EQ(p.id_column, "user_id");
    EXPECT_EQ(type_of(doc, "姓名"), "person_name");
    EXPECT_EQ(type_of(doc, "手机"), "phone");
    EXPECT_EQ(type_of(doc, "email"), "email");
    EXPECT_EQ(type_of(doc, "出生日期"), "date");
    EXPECT_EQ(type_of(doc, "身份证号"), "id_number");
    EXPECT_EQ(type_of(doc, "city"), "text");
    for (const auto& f : doc["fields"])
        if (f["type"] == "phone") EXPECT_EQ(f["region"], "CN");
    EXPECT_FALSE(p.blocking.empty());
    expect_blocks_under_cap(p, cols);
    EXPECT_NE(s.explanation.find("id column: user_id"), std::string::npos);
}

TEST(SuggestProfile, LatinUsersFromValuesAndNames) {
    auto cols = people(2000, false);
    cols[6].null_share = 1;  // "notes": NULL everywhere
    Suggestion s = suggest_profile(cols);
    Profile p = parse_profile(s.profile_json);
    auto doc = nlohmann::json::parse(s.profile_json);
    EXPECT_EQ(p.id_column, "customer_key");  // the first unique column
    EXPECT_EQ(type_of(doc, "first_name"), "person_name");
    EXPECT_EQ(type_of(doc, "surname"), "person_name");
    EXPECT_EQ(type_of(doc, "contact"), "phone");       // from the values
    EXPECT_EQ(type_of(doc, "mail_address"), "email");
    EXPECT_EQ(type_of(doc, "birthday"), "date");
    EXPECT_EQ(type_of(doc, "notes"), "(none)");
    for (const auto& f : doc["fields"]) {
        if (f["type"] == "phone") EXPECT_EQ(f["region"], "US");
        if (f["type"] == "date") EXPECT_EQ(f["date_order"], "MDY");
    }
    expect_blocks_under_cap(p, cols);
}

TEST(SuggestProfile, SmallBlockCapAvoidsCoarseKeys) {
    auto cols = people(2000, false);
    SuggestOptions o;
    o.max_block_size = 40;
    Suggestion s = suggest_profile(cols, o);
    Profile p = parse_profile(s.profile_json);
    EXPECT_EQ(p.max_block_size, 40u);
    for (const auto& rule : p.blocking)  // a surname alone gives blocks of ~150 here
        EXPECT_FALSE(rule.keys.size() == 1 && rule.keys[0].text == "surname");
    expect_blocks_under_cap(p, cols);
}

TEST(SuggestProfile, NoUniqueColumnIsAClearError) {
    std::vector<ColumnSample> cols = {column("name", {"a", "a", "b"}), column("city", {"x", "x", "y"})};
    EXPECT_THROW(suggest_profile(cols), Error);
    EXPECT_THROW(suggest_profile({}), Error);
}

TEST(SuggestProfile, KeepGoingStopsTheSuggestion) {
    const auto cols = people(2000, true);
    int polls = 0;
    SuggestOptions o;
    o.keep_going = [&] { return ++polls < 3; };
    try {
        suggest_profile(cols, o);
        FAIL() << "expected a cancel";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::QueryCanceled);
    }
    EXPECT_EQ(polls, 3);
    o.keep_going = [] { return true; };  // polled but never stopping: the same suggestion
    EXPECT_EQ(suggest_profile(cols, o).profile_json, suggest_profile(cols).profile_json);
}
