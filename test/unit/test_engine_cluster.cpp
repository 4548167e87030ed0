#include "core/engine/cluster.hpp"
#include "core/engine/explain.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace usermatch::engine;

namespace {

const char* kProfile = R"({"id": "id", "fields": [
    {"name": "name", "column": "name", "type": "person_name"},
    {"name": "idno", "column": "idno", "type": "id_number"}],
  "blocking": [["name"]], "max_cluster_size": 3, "threshold": 0.9})";

std::string entity(const RecordStore& s, const ClusterResult& r, std::uint32_t node) {
    return std::string(node_id(s, nullptr, r.members[node].entity_node));
}

}  // namespace

TEST(EngineCluster, IdOrderIsNumericForDigits) {
    EXPECT_TRUE(id_less("9", "10"));
    EXPECT_FALSE(id_less("10", "9"));
    EXPECT_TRUE(id_less("007", "8"));
    EXPECT_TRUE(id_less("a10", "a9"));  // bytewise when not all digits
}

TEST(EngineCluster, ComponentsWithStableSmallestIdAndSingletons) {
    Profile p = parse_profile(kProfile);
    RecordStore s(p);
    for (const char* id : {"10", "9", "100", "7"}) s.append(id, {RawValue("x"), std::nullopt});
    std::vector<ClusterEdge> edges = {{0, 1, 5.0}, {1, 2, 4.0}};
    ClusterResult r = cluster_records(p, s, nullptr, edges);
    ASSERT_EQ(r.members.size(), 4u);
    EXPECT_EQ(entity(s, r, 0), "9");
    EXPECT_EQ(entity(s, r, 2), "9");
    EXPECT_EQ(r.members[2].cluster_size, 3u);
    EXPECT_EQ(entity(s, r, 3), "7");  // singleton
    EXPECT_EQ(r.members[3].cluster_size, 1u);
}

TEST(EngineCluster, SizeGuardRefusesChains) {
    Profile p = parse_profile(kProfile);  // max_cluster_size 3
    RecordStore s(p);
    for (int i = 1; i <= 5; ++i) s.append(std::to_string(i), {RawValue("x"), std::nullopt});
    // Strongest edges first: {1,2,3} forms, then 4-5 forms, the weak 3-4 bridge is refused.
    std::vector<ClusterEdge> edges = {{2, 3, 1.0}, {0, 1, 9.0}, {1, 2, 8.0}, {3, 4, 7.0}};
    ClusterResult r = cluster_records(p, s, nullptr, edges);
    EXPECT_EQ(r.members[2].cluster_size, 3u);
    EXPECT_EQ(r.members[3].cluster_size, 2u);
    EXPECT_EQ(entity(s, r, 4), "4");
    EXPECT_EQ(r.merges_refused_size, 1u);
}

TEST(EngineCluster, DifferentValidIdNumbersNeverMerge) {
    Profile p = parse_profile(kProfile);
    RecordStore s(p);
    s.append("1", {RawValue("Zhang Wei"), RawValue("11010519491231002X")});
    s.append("2", {RawValue("Zhang Wei"), std::nullopt});                    // no ID: may join either
    s.append("3", {RawValue("Zhang Wei"), RawValue("110105198001010016")});  // another valid ID
    s.append("4", {RawValue("Zhang Wei"), RawValue("110105194912310021")});  // bad check digit: not strong
    std::vector<ClusterEdge> edges = {{0, 1, 9.0}, {1, 2, 8.0}, {0, 3, 7.0}};
    ClusterResult r = cluster_records(p, s, nullptr, edges);
    EXPECT_EQ(entity(s, r, 1), "1");
    EXPECT_EQ(entity(s, r, 2), "3");  // refused: {1,2} holds 11010519491231002X, {3} another valid ID
    EXPECT_EQ(entity(s, r, 3), "1");
    EXPECT_EQ(r.merges_refused_identifier, 1u);
}

TEST(EngineCluster, OneTypoInAnIdentifierWithoutCheckDigitIsTolerated) {
    Profile p = parse_profile(kProfile);
    RecordStore s(p);
    s.append("1", {RawValue("Li Na"), RawValue("E12345678")});
    s.append("2", {RawValue("Li Na"), RawValue("E12345687")});  // transposition: OSA 1
    s.append("3", {RawValue("Li Na"), RawValue("G98765432")});
    std::vector<ClusterEdge> edges = {{0, 1, 9.0}, {1, 2, 8.0}};
    ClusterResult r = cluster_records(p, s, nullptr, edges);
    EXPECT_EQ(r.members[1].cluster_size, 2u);
    EXPECT_EQ(entity(s, r, 2), "3");
    EXPECT_EQ(r.merges_refused_identifier, 1u);
}

TEST(EngineCluster, LinkModeNodesSpanBothStores) {
    Profile p = parse_profile(kProfile);
    RecordStore l(p), rr(p);
    l.append("5", {RawValue("a"), std::nullopt});
    rr.append("3", {RawValue("a"), std::nullopt});
    std::vector<ClusterEdge> edges = {{0, 1, 3.0}};
    ClusterResult r = cluster_records(p, l, &rr, edges);
    ASSERT_EQ(r.members.size(), 2u);
    EXPECT_EQ(node_id(l, &rr, r.members[0].entity_node), "3");
}

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
