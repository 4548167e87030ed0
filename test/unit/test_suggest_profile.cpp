#include "core/engine/blocking.hpp"
#include "core/engine/blocking_keys.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"
#include "core/engine/task_runner.hpp"
#include "core/errors.hpp"
#include "core/train/suggest.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>
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

// Issue 8 item 7: columns as real sources write them.
TEST(SuggestProfile, RealColumnsMixedDatesGenderCountryPhones) {
    std::vector<std::string> ids, first, last, dob, gender, country, phone, city, postcode, address;
    const char* dates[] = {"27-06-1998", "1991-05-20", "12/24/1975", "04/05/1990", "1975年4月12日", "13/01/1980"};
    const char* genders[] = {"F", "female", "女", "FEMALE", "f", "M", "male", "男", "Herr", "W"};
    const char* countries[] = {"France", "FR", "China", "CN", "Germany", "United Kingdom"};
    for (int i = 0; i < 600; ++i) {
        ids.push_back("u" + std::to_string(i));
        first.push_back(std::string("given") + char('a' + i % 26) + std::to_string(i % 37));
        last.push_back(std::string("family") + char('a' + i % 23) + std::to_string(i % 41));
        dob.push_back(dates[i % 6]);
        gender.push_back(genders[i % 10]);
        country.push_back(countries[i % 6]);
        phone.push_back("06 85 98 " + std::to_string(10 + i % 90) + " " + std::to_string(10 + (i / 90) % 90));
        city.push_back(i % 2 ? "北京市" : "Beijing");
        postcode.push_back(std::to_string(2000 + i % 300));
        address.push_back(std::to_string(i % 90 + 1) + " Main St");
    }
    std::vector<ColumnSample> cols = {column("id", ids), column("first_name", first), column("surname", last),
                                      column("birth", dob), column("gender", gender), column("country", country),
                                      column("phone", phone), column("city", city), column("postcode", postcode),
                                      column("address", address)};
    // A small table: names without term frequencies (a name's count would be its own duplicates).
    EXPECT_EQ(nlohmann::json::parse(suggest_profile(cols).profile_json)["fields"][0].count("tf"), 0u);
    for (auto& c : cols) c.rows = 60000;  // the sample of a large table
    Suggestion s = suggest_profile(cols);
    nlohmann::json doc = nlohmann::json::parse(s.profile_json);
    std::map<std::string, nlohmann::json> f;
    for (const auto& x : doc["fields"]) f[x["name"].get<std::string>()] = x;
    EXPECT_EQ(f["birth"]["date_order"], "auto") << s.explanation;
    EXPECT_EQ(f["gender"]["normalize"], "gender");
    EXPECT_EQ(f["gender"]["type"], "exact");
    EXPECT_EQ(f["phone"]["region_column"], "country");
    ASSERT_TRUE(f["phone"].contains("regions"));
    EXPECT_NE(f["phone"]["regions"].dump().find("FR"), std::string::npos);
    EXPECT_EQ(f["city"]["normalize"], "city");
    EXPECT_EQ(f["address"]["normalize"], "address");
    EXPECT_EQ(f["postcode"]["levels"], nlohmann::json::array({"exact", "osa<=1", "else"}));
    EXPECT_EQ(f["first_name"]["tf"], true);
    EXPECT_EQ(f["surname"]["tf"], true);
    // The profile is usable: a store reads every column.
    Profile p = parse_profile(s.profile_json);
    EXPECT_EQ(p.fields.size(), 9u);
}

TEST(SuggestProfile, DatesOfOneOrderKeepThatOrder) {
    std::vector<std::string> ids, dmy, mdy;
    for (int i = 0; i < 300; ++i) {
        ids.push_back(std::to_string(i));
        char b[32];
        std::snprintf(b, sizeof b, "%02d/%02d/19%02d", 1 + i % 28, 1 + i % 12, 50 + i % 40);
        dmy.push_back(b);
        std::snprintf(b, sizeof b, "%02d/%02d/19%02d", 1 + i % 12, 1 + i % 28, 50 + i % 40);
        mdy.push_back(b);
    }
    nlohmann::json doc = nlohmann::json::parse(
        suggest_profile({column("id", ids), column("dob", dmy), column("date_of_birth", mdy)}).profile_json);
    EXPECT_EQ(doc["fields"][0]["date_order"], "DMY");
    EXPECT_EQ(doc["fields"][1]["date_order"], "MDY");
}

// Sampled rows kept as rows: records with only a name and records with only a phone are both
// covered, and the coverage line is measured on those rows.
TEST(SuggestProfile, SparseRowsMeasuredOnTheRows) {
    ColumnSample id, name, phone;
    id.name = "id", name.name = "full_name", phone.name = "phone";
    id.type_name = name.type_name = phone.type_name = "text";
    const std::size_t n = 400;
    for (std::size_t r = 0; r < n; ++r) {
        id.values.push_back("r" + std::to_string(r)), id.sample_row.push_back(r);
        if (r % 2 == 0) name.values.push_back("person" + std::to_string(r % 97) + " family" + std::to_string(r % 89)), name.sample_row.push_back(r);
        else phone.values.push_back("138" + std::to_string(10000000 + r * 7)), phone.sample_row.push_back(r);
    }
    for (ColumnSample* c : {&id, &name, &phone}) {
        c->sample_rows = n;
        c->rows = n;
        std::set<std::string> d(c->values.begin(), c->values.end());
        c->distinct_share = double(d.size()) / c->values.size();
        c->null_share = 1 - double(c->values.size()) / n;
    }
    Suggestion s = suggest_profile({id, name, phone});
    EXPECT_NE(s.explanation.find("measured on 400 sampled rows: 100.0% of records"), std::string::npos) << s.explanation;
    nlohmann::json doc = nlohmann::json::parse(s.profile_json);
    bool name_rule = false, phone_rule = false;
    for (const auto& rule : doc["blocking"]) {
        name_rule |= rule.size() == 1 && rule[0].get<std::string>().rfind("full_name", 0) == 0;
        phone_rule |= rule.size() == 1 && rule[0].get<std::string>().rfind("phone", 0) == 0;
    }
    EXPECT_TRUE(name_rule) << s.profile_json;
    EXPECT_TRUE(phone_rule) << s.profile_json;
}

// NC-voter-like rows: given name, surname, postcode; 1,000 people with two records each, and in
// 40% of the second records BOTH names carry a one-letter typo. Rules chosen under "a typo keeps
// every fuzzy key" took only [given.pinyin] and [surname.pinyin] (pinyin of a Latin name is the
// name itself), and no pair with two typo'd names ever became a candidate. With the typo model
// measured on the sampled values, most of them must.
TEST(SuggestProfile, TyposInBothNamesStillBlockTogether) {
    std::mt19937_64 rng(7);
    const std::string letters = "abcdefghijklmnopqrstuvwxyz";
    auto word = [&](std::size_t len) {
        std::string w;
        for (std::size_t i = 0; i < len; ++i) w += letters[rng() % 26];
        return w;
    };
    std::vector<std::string> given_pool, family_pool;
    for (int i = 0; i < 150; ++i) given_pool.push_back(word(4 + rng() % 4));
    for (int i = 0; i < 600; ++i) family_pool.push_back(word(5 + rng() % 4));
    auto typo = [&](std::string v) {  // one substitution after the first letter
        const std::size_t at = 1 + rng() % (v.size() - 1);
        char c;
        do c = letters[rng() % 26]; while (c == v[at]);
        v[at] = c;
        return v;
    };
    const std::size_t people = 1000, n = 2 * people;
    std::vector<std::string> ids, given, family, postcode;
    std::vector<std::size_t> both_typos;  // people whose second record has typos in both names
    for (std::size_t p = 0; p < people; ++p) {
        const std::string g = pick(rng, given_pool), f = pick(rng, family_pool);
        const std::string pc = std::to_string(27000 + rng() % 15);
        const bool typos = rng() % 10 < 4;
        if (typos) both_typos.push_back(p);
        ids.push_back("a" + std::to_string(p)), given.push_back(g), family.push_back(f), postcode.push_back(pc);
        ids.push_back("b" + std::to_string(p)), given.push_back(typos ? typo(g) : g), family.push_back(typos ? typo(f) : f),
            postcode.push_back(pc);
    }
    std::vector<ColumnSample> cols = {column("id", ids), column("givenname", given), column("surname", family),
                                      column("postcode", postcode)};
    for (auto& c : cols) {
        c.sample_rows = n;
        for (std::size_t i = 0; i < n; ++i) c.sample_row.push_back(i);
    }
    Suggestion s = suggest_profile(cols);
    EXPECT_NE(s.explanation.find("typos in givenname"), std::string::npos) << s.explanation;
    const Profile p = parse_profile(s.profile_json);
    RecordStore store(p);
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<RawValue> row;
        for (const Field& f : p.fields)
            for (const auto& c : cols)
                if (c.name == f.column) row.push_back(RawValue(c.values[i]));
        store.append(ids[i], row);
    }
    std::size_t caught = 0;
    for (std::size_t person : both_typos) {
        bool any = false;
        for (const BlockingRule& rule : p.blocking) {
            const std::uint64_t a = rule_key_hash(store, rule, 2 * person), b = rule_key_hash(store, rule, 2 * person + 1);
            any = any || (a != 0 && a == b);
        }
        caught += any;
    }
    EXPECT_GE(double(caught), 0.8 * double(both_typos.size())) << s.profile_json << "\n" << s.explanation;
}

// Duplicates whose fields are equal only about half the time (as on splink_fake_1000): the shares
// are measured on the sampled rows (pairs equal on two other identifying fields), the simulation
// takes them instead of the fixed shares, and the recall it reports drops below the ~99% it
// promised before. With one identifying field only, nothing can be measured and the line is absent.
TEST(SuggestProfile, EqualSharesMeasuredOnProbableDuplicates) {
    std::mt19937_64 rng(11);
    const std::string letters = "abcdefghijklmnopqrstuvwxyz";
    auto word = [&](std::size_t len) {
        std::string w;
        for (std::size_t i = 0; i < len; ++i) w += letters[rng() % 26];
        return w;
    };
    auto sample = [&](bool corrupted, bool only_names) {
        ColumnSample id, name, email, dob;
        id.name = "id", name.name = "full_name", email.name = "email", dob.name = "birth_date";
        id.type_name = name.type_name = email.type_name = dob.type_name = "text";
        std::size_t row = 0;
        auto add = [&](ColumnSample& c, std::string v) { c.values.push_back(std::move(v)), c.sample_row.push_back(row); };
        for (int person = 0; person < 800; ++person) {
            const std::string n = word(6) + " " + word(7), e = word(8) + "@example.com";
            auto date = [&] {
                return std::to_string(1940 + rng() % 60) + "-0" + std::to_string(1 + rng() % 9) + "-1" + std::to_string(rng() % 10);
            };
            const std::string d = date();
            for (int copy = 0; copy < 2; ++copy, ++row) {
                const bool keep_name = !corrupted || copy == 0 || rng() % 2, keep_email = !corrupted || copy == 0 || rng() % 2;
                const bool keep_dob = !corrupted || copy == 0 || rng() % 5 < 2;
                add(id, "r" + std::to_string(row));
                add(name, keep_name ? n : n + "x");
                if (!only_names) add(email, keep_email ? e : word(8) + "@example.org");
                add(dob, keep_dob ? d : date());
            }
        }
        std::vector<ColumnSample> cols{id, name, dob};
        if (!only_names) cols.push_back(email);
        for (ColumnSample& c : cols) {
            c.sample_rows = row;
            c.rows = row;
            std::set<std::string> distinct(c.values.begin(), c.values.end());
            c.distinct_share = double(distinct.size()) / c.values.size();
            c.null_share = 1 - double(c.values.size()) / row;
        }
        return suggest_profile(cols);
    };
    auto caught = [](const Suggestion& s) {
        const std::size_t at = s.explanation.find("candidate pairs (budget");
        const std::size_t comma = s.explanation.find("), ", at);
        return std::stod(s.explanation.substr(comma + 3));
    };
    const Suggestion messy = sample(true, false);
    const std::size_t line = messy.explanation.find("equal values on");
    ASSERT_NE(line, std::string::npos) << messy.explanation;
    // birth_date is kept in 2 of 5 second copies.
    const std::size_t dob_at = messy.explanation.find("birth_date ", line);
    ASSERT_NE(dob_at, std::string::npos) << messy.explanation;
    const double dob_share = std::stod(messy.explanation.substr(dob_at + 11));
    EXPECT_GE(dob_share, 25) << messy.explanation;
    EXPECT_LE(dob_share, 60) << messy.explanation;
    const Suggestion clean = sample(false, false);
    EXPECT_LT(caught(messy), caught(clean) - 5) << messy.explanation << "\n" << clean.explanation;
    const Suggestion names_only = sample(true, true);
    EXPECT_EQ(names_only.explanation.find("equal values on"), std::string::npos) << names_only.explanation;
}
