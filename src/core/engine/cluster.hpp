// Entity clusters: connected components over matched pairs, with guards against chains that
// merge unrelated people. Edges are processed by descending match weight; a merge is refused when
//   - the merged cluster would exceed max_cluster_size records, or
//   - both clusters hold strong identifiers (values of id_number fields that are valid: an
//     18-character PRC ID must pass its check digit) and none of one cluster equals or is one typo
//     (OSA distance <= 1, same field) away from one of the other: different people.
//
// Entity id = the smallest record id in the cluster, comparing numerically when both ids are all
// digits (so "9" < "10", leading zeros ignored) and bytewise otherwise. Adding records with larger
// ids later therefore keeps existing entity ids stable.
#pragma once

#include "core/core_guard.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace usermatch::engine {

// Nodes: left record i is node i; right record j is node left.size() + j (link mode).
struct ClusterEdge {
    std::uint32_t a;
    std::uint32_t b;
    double weight;
};

struct ClusterMember {
    std::uint32_t node;
    std::uint32_t entity_node;  // the node whose record id is the entity id
    std::uint32_t cluster_size;
};

struct ClusterResult {
    std::vector<ClusterMember> members;  // one per node, in node order (singletons included)
    std::uint64_t merges_refused_size = 0;
    std::uint64_t merges_refused_identifier = 0;
};

// `edges` is consumed (sorted in place). Near-linear in the edges: each cluster keeps only its
// distinct strong identifiers, so a merge check costs (distinct ids of one) x (of the other).
// `keep_going` (may be empty) is polled on the calling thread every few thousand edges or value
// comparisons; when it returns false, throws Error(QueryCanceled).
ClusterResult cluster_records(const Profile& profile, const RecordStore& left, const RecordStore* right,
                              std::vector<ClusterEdge>& edges, const std::function<bool()>& keep_going = {});

// Upper bound of the bytes cluster_records allocates besides the edges it is given: union-find
// arrays, per-node identifier lists (one or two per record in practice) and the members.
inline std::size_t cluster_memory_bound(std::size_t nodes, std::size_t /*edges*/) { return nodes * 128; }

// The record id of a node.
std::string_view node_id(const RecordStore& left, const RecordStore* right, std::uint32_t node);

// The entity-id order: true when id a sorts before id b (numeric when both are all digits).
bool id_less(std::string_view a, std::string_view b);

}  // namespace usermatch::engine
