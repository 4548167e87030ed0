#include "core/engine/cluster.hpp"

#include "core/engine/comparison.hpp"
#include "core/errors.hpp"
#include "timing.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>

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

// ---- the identifier guard kept per cluster as distinct values: same answers as keeping every
// record's copy (the 0.1.0 algorithm, written out below), much less work ----

namespace {

const char* kTwoIdProfile = R"({"id": "id", "fields": [
    {"name": "name", "column": "name", "type": "person_name"},
    {"name": "idno", "column": "idno", "type": "id_number"},
    {"name": "passport", "column": "passport", "type": "id_number"}],
  "blocking": [["name"]], "max_cluster_size": 6, "threshold": 0.9})";

// The 0.1.0 clustering: every record's identifiers copied into its root, all pairs compared.
ClusterResult reference_clusters(const Profile& profile, const RecordStore& store, std::vector<ClusterEdge> edges) {
    struct Id {
        std::uint32_t node, field;
    };
    const std::size_t n = store.size();
    std::vector<std::uint32_t> parent(n), size(n, 1), best(n);
    std::vector<std::vector<Id>> ids(n);
    for (std::uint32_t v = 0; v < n; ++v) {
        parent[v] = best[v] = v;
        for (std::uint32_t f = 0; f < profile.fields.size(); ++f)
            if (profile.fields[f].type == FieldType::IdNumber && !store.column(f).is_null(v) && store.column(f).strong[v])
                ids[v].push_back({v, f});
    }
    auto compatible = [&](const std::vector<Id>& x, const std::vector<Id>& y) {
        for (const Id& p : x)
            for (const Id& q : y)
                if (p.field == q.field && osa_within(store.column(p.field).norm[p.node], store.column(q.field).norm[q.node], 1))
                    return true;
        return false;
    };
    auto find = [&](std::uint32_t x) {
        while (parent[x] != x) x = parent[x];
        return x;
    };
    std::sort(edges.begin(), edges.end(), [](const ClusterEdge& x, const ClusterEdge& y) {
        if (x.weight != y.weight) return x.weight > y.weight;
        return x.a != y.a ? x.a < y.a : x.b < y.b;
    });
    ClusterResult result;
    for (const ClusterEdge& e : edges) {
        std::uint32_t ra = find(e.a), rb = find(e.b);
        if (ra == rb) continue;
        if (size[ra] + size[rb] > profile.max_cluster_size) {
            ++result.merges_refused_size;
            continue;
        }
        if (!ids[ra].empty() && !ids[rb].empty() && !compatible(ids[ra], ids[rb])) {
            ++result.merges_refused_identifier;
            continue;
        }
        if (size[ra] < size[rb]) std::swap(ra, rb);
        parent[rb] = ra;
        size[ra] += size[rb];
        if (id_less(store.id(best[rb]), store.id(best[ra]))) best[ra] = best[rb];
        ids[ra].insert(ids[ra].end(), ids[rb].begin(), ids[rb].end());
        ids[rb].clear();
    }
    result.members.resize(n);
    for (std::uint32_t v = 0; v < n; ++v) result.members[v] = {v, best[find(v)], size[find(v)]};
    return result;
}

}  // namespace

TEST(EngineCluster, DistinctIdentifierSetsAgreeWithTheFullGuard) {
    Profile p = parse_profile(kTwoIdProfile);
    std::mt19937 rng(7);
    // Identifiers from a tiny pool, several one typo apart, so merges are refused and allowed.
    const char* pool[] = {"E1234567", "E1234576", "E1234568", "G9876543", "G9876534", "K5555555", "E1234567"};
    int refusals = 0;
    for (int round = 0; round < 400; ++round) {
        RecordStore s(p);
        const std::size_t n = 2 + rng() % 14;
        for (std::size_t i = 0; i < n; ++i) {
            auto pick = [&]() -> RawValue {
                if (rng() % 3 == 0) return std::nullopt;
                return RawValue(pool[rng() % std::size(pool)]);
            };
            s.append(std::to_string(rng() % 1000) + "-" + std::to_string(i), {RawValue("x"), pick(), pick()});
        }
        std::vector<ClusterEdge> edges;
        const std::size_t m = rng() % (n * 3);
        for (std::size_t k = 0; k < m; ++k) {
            auto a = static_cast<std::uint32_t>(rng() % n), b = static_cast<std::uint32_t>(rng() % n);
            if (a != b) edges.push_back({a, b, static_cast<double>(rng() % 5)});  // ties too
        }
        const ClusterResult expected = reference_clusters(p, s, edges);
        const ClusterResult got = cluster_records(p, s, nullptr, edges);
        ASSERT_EQ(got.merges_refused_identifier, expected.merges_refused_identifier) << "round " << round;
        ASSERT_EQ(got.merges_refused_size, expected.merges_refused_size) << "round " << round;
        for (std::uint32_t v = 0; v < n; ++v) {
            ASSERT_EQ(got.members[v].entity_node, expected.members[v].entity_node) << "round " << round;
            ASSERT_EQ(got.members[v].cluster_size, expected.members[v].cluster_size) << "round " << round;
        }
        refusals += static_cast<int>(expected.merges_refused_identifier);
    }
    EXPECT_GT(refusals, 50);  // the guard was exercised, not bypassed
}

TEST(EngineCluster, OnePersonWithTwoAlternatingIdsIsFast) {
    // Issue 7: 300 records of one person alternating two valid ID numbers, every pair an edge,
    // max_cluster_size 100000: 34.6 s when each cluster kept every record's copy (O(N^4)).
    Profile p = parse_profile(R"({"id": "id", "fields": [
        {"name": "name", "column": "name", "type": "person_name"},
        {"name": "idno", "column": "idno", "type": "id_number"}],
      "blocking": [["name"]], "max_cluster_size": 100000})");
    RecordStore s(p);
    const std::size_t n = 300;
    for (std::size_t i = 0; i < n; ++i)
        s.append(std::to_string(i), {RawValue("Zhang Wei"), RawValue(i % 2 ? "11010519491231002X" : "110105198001010016")});
    std::vector<ClusterEdge> edges;
    for (std::uint32_t a = 0; a < n; ++a)
        for (std::uint32_t b = a + 1; b < n; ++b) edges.push_back({a, b, 10.0});
    const auto start = std::chrono::steady_clock::now();
    ClusterResult r = cluster_records(p, s, nullptr, edges);
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 2.0 * kTimingSlack);
    // Edge (0, 1) is refused (different valid IDs); (0, 2) merges the even records, (1, 3) the odd.
    EXPECT_EQ(r.members[0].cluster_size, n / 2);
    EXPECT_EQ(r.members[1].cluster_size, n / 2);
    EXPECT_EQ(entity(s, r, 299), "1");
}

TEST(EngineCluster, KeepGoingStopsTheMergeLoop) {
    Profile p = parse_profile(kProfile);
    RecordStore s(p);
    for (int i = 0; i < 3000; ++i) s.append(std::to_string(i), {RawValue("x"), std::nullopt});
    std::vector<ClusterEdge> edges;
    for (std::uint32_t a = 0; a < 3000; ++a)
        for (std::uint32_t b = a + 1; b < a + 20 && b < 3000; ++b) edges.push_back({a, b, 1.0});
    int polls = 0;
    try {
        cluster_records(p, s, nullptr, edges, [&] { return ++polls < 2; });
        FAIL() << "expected a cancel";
    } catch (const usermatch::Error& e) {
        EXPECT_EQ(e.code(), usermatch::ErrorCode::QueryCanceled);
    }
    EXPECT_EQ(polls, 2);
}

// A cancel during the sort of the edges stops it there: the sort of millions of edges polls
// keep_going (before, the first poll came after the whole sort, and the edges came back sorted).
TEST(EngineCluster, CancelDuringTheEdgeSortStopsIt) {
    Profile p = parse_profile(kProfile);
    RecordStore s(p);
    for (int i = 0; i < 1000; ++i) s.append("r" + std::to_string(i), {RawValue("x" + std::to_string(i)), std::nullopt});
    std::vector<ClusterEdge> edges;
    std::uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 2000000; ++i) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        edges.push_back({static_cast<std::uint32_t>(x % 1000), static_cast<std::uint32_t>((x >> 20) % 1000),
                         static_cast<double>((x >> 32) % 100000)});
    }
    int polls = 0;
    try {
        cluster_records(p, s, nullptr, edges, [&] { return ++polls < 2; });
        ADD_FAILURE() << "not cancelled";
    } catch (const usermatch::Error& e) {
        EXPECT_EQ(e.code(), usermatch::ErrorCode::QueryCanceled);
    }
    EXPECT_EQ(polls, 2);
    EXPECT_FALSE(std::is_sorted(edges.begin(), edges.end(), [](const ClusterEdge& a, const ClusterEdge& b) {
        if (a.weight != b.weight) return a.weight > b.weight;
        return a.a != b.a ? a.a < b.a : a.b < b.b;
    })) << "the sort ran to the end before the cancel was seen";
}
