// Comparison levels of many record pairs, computed on worker threads with engine::compare_field:
// the blocked candidate pairs of a profile (compressed to comparison vectors, for EM) and a
// uniform random sample of pairs (per-level counts, for u).
#pragma once

#include "core/core_guard.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"
#include "core/engine/task_runner.hpp"
#include "core/train/em.hpp"

#include <cstdint>
#include <vector>

namespace usermatch::train {

// Pairs held back from fitting (about 1 in 5, chosen by a hash of the pair: the same pairs for every
// rule and every run), on which train compares the new estimate with the current one.
bool held_back_pair(std::uint32_t left, std::uint32_t right);

enum class HeldBack : std::uint8_t {
    Include,  // every candidate pair in the result
    Exclude,  // held-back pairs skipped
    Split,    // held-back pairs into *held_back, the others into the result
};

// Every candidate pair of `profile`'s blocking rules (each pair once, oversized blocks skipped), as
// comparison vectors over all fields. `right` == nullptr: dedupe.
ComparisonVectors candidate_vectors(const engine::Profile& profile, const engine::RecordStore& left,
                                    const engine::RecordStore* right, engine::TaskRunner& runner,
                                    HeldBack held = HeldBack::Include, ComparisonVectors* held_back = nullptr);

struct LevelCounts {
    std::vector<std::vector<std::uint64_t>> reached;  // per field, per level: sampled pairs reaching it
    std::vector<std::uint64_t> non_null;              // per field: sampled pairs with both values present
    std::vector<std::uint64_t> first_both;            // fields x fields: pairs with both fields at their first level
    std::uint64_t pairs = 0;                          // pairs sampled
    bool exhaustive = false;                          // every possible pair was compared (no sampling)
};

// Number of distinct pairs: n(n-1)/2 for dedupe, left x right for link.
double possible_pairs(const engine::RecordStore& left, const engine::RecordStore* right);

// Level counts over random pairs: dedupe draws unordered pairs i<j uniformly, link draws (i, j)
// uniformly (with replacement; duplicates are negligible). When all possible pairs number at most
// max_pairs they are all compared instead. The same seed gives the same counts for any thread count.
LevelCounts sample_level_counts(const engine::Profile& profile, const engine::RecordStore& left,
                                const engine::RecordStore* right, std::uint64_t max_pairs, std::uint64_t seed,
                                engine::TaskRunner& runner);

}  // namespace usermatch::train
