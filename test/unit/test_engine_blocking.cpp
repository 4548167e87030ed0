#include "core/engine/blocking.hpp"
#include "core/engine/blocking_keys.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

using namespace usermatch::engine;

namespace {

const char* kProfile = R"({"id": "id", "fields": [
    {"name": "name", "column": "name", "type": "person_name"},
    {"name": "dob", "column": "dob", "type": "date"},
    {"name": "phone", "column": "phone", "type": "phone"}],
  "blocking": [["phone"], ["name.pinyin_initials", "dob.year"], ["name.sorted_tokens"]],
  "max_block_size": 4})";

std::vector<CandidatePair> all_pairs(CandidateGenerator& g, std::size_t chunk = 3) {
    std::vector<CandidatePair> all, out;
    while (g.next(out, chunk)) {
        EXPECT_LE(out.size(), chunk);
        all.insert(all.end(), out.begin(), out.end());
    }
    EXPECT_TRUE(out.empty());
    return all;
}

std::set<std::pair<std::uint32_t, std::uint32_t>> as_set(const std::vector<CandidatePair>& v) {
    std::set<std::pair<std::uint32_t, std::uint32_t>> s;
    for (auto p : v) s.insert({p.left, p.right});
    return s;
}

// Text of one key ("field.transform") for record r of a store built with kProfile's fields.
std::string key(const RecordStore& s, const std::string& field_transform, std::size_t r) {
    std::string json = R"({"id":"id","fields":[{"name":"name","column":"name","type":"person_name"},
        {"name":"dob","column":"dob","type":"date"},{"name":"phone","column":"phone","type":"phone"}],
        "blocking":[[")" + field_transform + "\"]]}";
    BlockingKey k = parse_profile(json).blocking[0].keys[0];
    std::string out;
    if (!blocking_key_text(s, k, r, out)) return "<null>";
    return out;
}

}  // namespace

TEST(EngineBlocking, ChineseAndLatinNameVariantsMeet) {
    Profile p = parse_profile(kProfile);
    RecordStore s(p);
    s.append("1", {RawValue("张伟"), RawValue("1990-01-01"), std::nullopt});
    s.append("2", {RawValue("張偉"), RawValue("1990-05-05"), std::nullopt});
    s.append("3", {RawValue("Zhang Wei"), RawValue("1990-07-07"), std::nullopt});
    s.append("4", {RawValue("Wei Zhang"), RawValue("1990-09-09"), std::nullopt});
    TaskRunner runner(2, {});
    CandidateGenerator g(p, s, nullptr, runner);
    auto pairs = as_set(all_pairs(g));
    EXPECT_EQ(pairs.size(), 6u);  // all 4 meet (rule 1: initials "wz" + year 1990), each pair once
    for (std::uint32_t a = 0; a < 4; ++a)
        for (std::uint32_t b = a + 1; b < 4; ++b) EXPECT_TRUE(pairs.count({a, b})) << a << "," << b;
    EXPECT_EQ(key(s, "name.pinyin_initials", 3), "wz");
    EXPECT_EQ(key(s, "name.sorted_tokens", 0), "wei zhang");
    EXPECT_EQ(key(s, "name.pinyin", 1), "zhangwei");
    EXPECT_EQ(key(s, "name.soundex", 2), key(s, "name.soundex", 3));
}

TEST(EngineBlocking, TransformsAndNullKeys) {
    Profile p = parse_profile(kProfile);
    RecordStore s(p);
    s.append("1", {RawValue("Bill Smith"), RawValue("1985-03-15"), RawValue("+86 138 1234 5678")});
    s.append("2", {std::nullopt, std::nullopt, RawValue("12")});
    EXPECT_EQ(key(s, "name.first_token", 0), "bill");
    EXPECT_EQ(key(s, "name.last_token", 0), "smith");
    EXPECT_EQ(key(s, "name.nickname", 0), "smith william");
    EXPECT_EQ(key(s, "name.soundex", 0), "B400 S530");
    EXPECT_EQ(key(s, "name.prefix3", 0), "bil");
    EXPECT_EQ(key(s, "dob.year", 0), "1985");
    EXPECT_EQ(key(s, "dob.month_day", 0), "0315");
    EXPECT_EQ(key(s, "phone.digits_last4", 0), "5678");
    EXPECT_EQ(key(s, "name.first_token", 1), "<null>");
    EXPECT_EQ(key(s, "dob.year", 1), "<null>");
    EXPECT_EQ(key(s, "phone", 1), "<null>");  // too short to be a phone
    EXPECT_EQ(rule_key_hash(s, p.blocking[1], 1), 0u);
}

// A phone's plain key is its national significant number: the international spelling and a
// national one that no region could read (kept as digits) block together; before, the key was the
// normalised value ("+15105151230" against "5105151230") and the pair was never a candidate.
TEST(EngineBlocking, PhoneKeyMeetsAcrossInternationalAndNationalSpellings) {
    Profile p = parse_profile(kProfile);
    RecordStore s(p);
    s.append("intl", {RawValue("Alice Fisher"), std::nullopt, RawValue("+1 510-515-1230")});
    s.append("national", {RawValue("Alice Fisher"), std::nullopt, RawValue("(510) 515-1230")});
    s.append("other", {RawValue("Bob Stone"), std::nullopt, RawValue("+1 510-515-1231")});
    EXPECT_EQ(key(s, "phone", 0), "5105151230");
    EXPECT_EQ(key(s, "phone", 0), key(s, "phone", 1));
    EXPECT_NE(key(s, "phone", 0), key(s, "phone", 2));
    EXPECT_EQ(rule_key_hash(s, p.blocking[0], 0), rule_key_hash(s, p.blocking[0], 1));
    Profile phone_only = parse_profile(R"({"id": "id", "fields": [
        {"name": "name", "column": "name", "type": "person_name"},
        {"name": "dob", "column": "dob", "type": "date"},
        {"name": "phone", "column": "phone", "type": "phone"}], "blocking": [["phone"]]})");
    RecordStore t(phone_only);
    t.append("intl", {RawValue("Alice Fisher"), std::nullopt, RawValue("+1 510-515-1230")});
    t.append("national", {RawValue("Alice Fisher"), std::nullopt, RawValue("(510) 515-1230")});
    t.append("other", {RawValue("Bob Stone"), std::nullopt, RawValue("+1 510-515-1231")});
    TaskRunner runner(1, {});
    CandidateGenerator g(phone_only, t, nullptr, runner);
    EXPECT_EQ(as_set(all_pairs(g)), (std::set<std::pair<std::uint32_t, std::uint32_t>>{{0, 1}}));
}

TEST(EngineBlocking, NullKeysNeverBlockTogether) {
    Profile p = parse_profile(kProfile);
    RecordStore s(p);
    for (int i = 0; i < 3; ++i) s.append(std::to_string(i), {std::nullopt, std::nullopt, std::nullopt});
    TaskRunner runner(1, {});
    CandidateGenerator g(p, s, nullptr, runner);
    EXPECT_TRUE(all_pairs(g).empty());
}

TEST(EngineBlocking, EachPairOnceAcrossRulesAndChunks) {
    Profile p = parse_profile(kProfile);
    RecordStore s(p);
    // Same phone AND same name/year: rules 0, 1 and 2 all find pair (0,1); it must come out once.
    s.append("a", {RawValue("Li Na"), RawValue("1980-01-01"), RawValue("13800000001")});
    s.append("b", {RawValue("Li Na"), RawValue("1980-02-02"), RawValue("13800000001")});
    s.append("c", {RawValue("Na Li"), RawValue("1970-02-02"), RawValue("13800000009")});
    TaskRunner runner(2, {});
    CandidateGenerator g(p, s, nullptr, runner);
    auto v = all_pairs(g, 1);
    auto set = as_set(v);
    EXPECT_EQ(v.size(), set.size());
    EXPECT_EQ(set, (std::set<std::pair<std::uint32_t, std::uint32_t>>{{0, 1}, {0, 2}, {1, 2}}));
    // Estimates count before the dedup across rules.
    const auto& est = g.estimate();
    ASSERT_EQ(est.size(), 3u);
    EXPECT_EQ(est[0].candidate_pairs, 1u);
    EXPECT_EQ(est[1].candidate_pairs, 1u);
    EXPECT_EQ(est[2].candidate_pairs, 3u);
    EXPECT_EQ(est[2].largest_block, 3u);
}

TEST(EngineBlocking, OversizedBlocksAreSkippedAndReported) {
    Profile p = parse_profile(kProfile);  // max_block_size 4
    RecordStore s(p);
    for (int i = 0; i < 5; ++i)
        s.append(std::to_string(i), {RawValue("Wang Fang"), RawValue("1970-01-0" + std::to_string(i + 1)),
                                     RawValue("1390000000" + std::to_string(i))});
    s.append("x", {RawValue("Liu Yang"), std::nullopt, RawValue("13900000000")});  // phone meets record 0
    TaskRunner runner(2, {});
    CandidateGenerator g(p, s, nullptr, runner);
    auto set = as_set(all_pairs(g));
    EXPECT_EQ(set, (std::set<std::pair<std::uint32_t, std::uint32_t>>{{0, 5}}));
    ASSERT_EQ(g.oversized_blocks().size(), 2u);  // name+year block and sorted-name block, 5 records each
    EXPECT_EQ(g.oversized_blocks()[0].rule, 1u);
    EXPECT_EQ(g.oversized_blocks()[0].key, "name.pinyin_initials=fw, dob.year=1970");
    EXPECT_EQ(g.oversized_blocks()[0].size, 5u);
    EXPECT_EQ(g.oversized_blocks()[1].key, "name.sorted_tokens=fang wang");
    EXPECT_EQ(g.estimate()[1].oversized_blocks, 1u);
    EXPECT_EQ(g.estimate()[1].candidate_pairs, 0u);
}

// A rule with its own cap pairs only rare values: its larger blocks are skipped without a NOTICE
// (not in oversized_blocks) but counted in its estimate, and other rules keep the profile's cap.
TEST(EngineBlocking, RuleOwnCapSkipsCommonValuesQuietly) {
    Profile p = parse_profile(R"({"id": "id", "fields": [
        {"name": "city", "column": "c", "type": "exact"}, {"name": "name", "column": "n", "type": "text"}],
      "blocking": [["city"], {"keys": ["name"], "max_block_size": 2}], "max_block_size": 10})");
    ASSERT_EQ(p.blocking.size(), 2u);
    EXPECT_EQ(rule_block_cap(p, 0), 10u);
    EXPECT_EQ(rule_block_cap(p, 1), 2u);
    RecordStore s(p);
    s.append("1", {RawValue("bj"), RawValue("common")});
    s.append("2", {RawValue("sh"), RawValue("common")});
    s.append("3", {RawValue("gz"), RawValue("common")});
    s.append("4", {RawValue("sz"), RawValue("rare")});
    s.append("5", {RawValue("hz"), RawValue("rare")});
    s.append("6", {RawValue("bj"), RawValue("x")});
    TaskRunner runner(1, {});
    CandidateGenerator g(p, s, nullptr, runner);
    // city pairs 1-6; the name rule pairs the rare name (4-5) but not the common one (3 records).
    EXPECT_EQ(as_set(all_pairs(g)), (std::set<std::pair<std::uint32_t, std::uint32_t>>{{0, 5}, {3, 4}}));
    EXPECT_TRUE(g.oversized_blocks().empty());
    EXPECT_EQ(g.estimate()[1].oversized_blocks, 1u);
    EXPECT_EQ(g.estimate()[1].candidate_pairs, 1u);
}

TEST(EngineBlocking, PairSkippedByEarlierOversizedRuleStillComesFromLaterRule) {
    Profile p = parse_profile(R"({"id": "id", "fields": [
        {"name": "city", "column": "c", "type": "exact"}, {"name": "name", "column": "n", "type": "text"}],
      "blocking": [["city"], ["name"]], "max_block_size": 2})");
    RecordStore s(p);
    s.append("1", {RawValue("bj"), RawValue("a")});
    s.append("2", {RawValue("bj"), RawValue("a")});
    s.append("3", {RawValue("bj"), RawValue("b")});
    TaskRunner runner(1, {});
    CandidateGenerator g(p, s, nullptr, runner);
    EXPECT_EQ(as_set(all_pairs(g)), (std::set<std::pair<std::uint32_t, std::uint32_t>>{{0, 1}}));
}

TEST(EngineBlocking, LinkModePairsCrossStoresOnly) {
    Profile p = parse_profile(kProfile);
    RecordStore l(p), r(p);
    l.append("l1", {RawValue("Zhang Wei"), RawValue("1990-01-01"), RawValue("13800000001")});
    l.append("l2", {RawValue("Zhang Wei"), RawValue("1990-01-01"), RawValue("13800000002")});
    r.append("r1", {RawValue("张伟"), RawValue("1990-03-03"), RawValue("13800000003")});
    r.append("r2", {RawValue("Li Lei"), RawValue("1990-01-01"), RawValue("13800000001")});
    TaskRunner runner(2, {});
    CandidateGenerator g(p, l, &r, runner);
    auto set = as_set(all_pairs(g));
    // l1-r1, l2-r1 by name; l1-r2 by phone. Never l1-l2 (same side).
    EXPECT_EQ(set, (std::set<std::pair<std::uint32_t, std::uint32_t>>{{0, 0}, {1, 0}, {0, 1}}));
}
