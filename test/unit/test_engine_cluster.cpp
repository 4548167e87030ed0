#include "core/engine/cluster.hpp"

#include <gtest/gtest.h>

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
