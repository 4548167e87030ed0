// The dedupe / link pipeline: block -> score candidate chunks on worker threads -> emit on the
// calling thread. Memory stays bounded: candidates are generated and scored chunk by chunk.
#pragma once

#include "core/core_guard.hpp"
#include "core/engine/blocking.hpp"
#include "core/engine/memory_budget.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace usermatch::engine {

struct MatchResult {
    std::uint32_t left;   // record index in the left store
    std::uint32_t right;  // record index in the right store (dedupe: the left store, left < right)
    double match_weight;
    double match_probability;
};

struct RunOptions {
    std::optional<double> min_probability;  // emit pairs at or above this; default profile.threshold
    unsigned threads = 1;
    std::size_t chunk_pairs = 1u << 18;     // candidate pairs generated and scored per round
    // When set: the term-frequency tables, the blocking index and one chunk of pairs and results
    // are charged to it before they are allocated (Error(OutOfMemory) instead of passing it).
    MemoryBudget* budget = nullptr;
};

struct RunStats {
    std::size_t left_records = 0, right_records = 0;
    double prior = 0;
    std::uint64_t candidate_pairs = 0;  // distinct pairs after the dedup across rules
    std::uint64_t pairs_scored = 0;
    std::uint64_t pairs_emitted = 0;
    double seconds_normalize = 0;  // taken from the stores (time spent in append / append_batch)
    double seconds_tf = 0;         // counting term frequencies (fields with "tf")
    double seconds_block = 0;      // keys, sorting, and candidate enumeration
    double seconds_compare = 0;
    double seconds_emit = 0;       // inside the emit callback
    std::size_t peak_memory_bytes = 0;  // stores + blocking index + one chunk of pairs and results
    std::vector<RuleEstimate> rules;
    std::vector<OversizedBlock> oversized_blocks;
};

using EmitFn = std::function<void(const MatchResult* rows, std::size_t n)>;
using KeepGoingFn = std::function<bool()>;

// Dedupe (`right` == nullptr) or link. `emit` and `keep_going` are only ever called on the calling
// thread; keep_going at least every ~10 ms while workers compute. When keep_going returns false all
// workers stop, are joined, and run throws Error(QueryCanceled). Results of one chunk are emitted
// in a deterministic order (independent of the thread count).
RunStats run(const Profile& profile, const RecordStore& left, const RecordStore* right, const RunOptions& options,
             const EmitFn& emit, const KeepGoingFn& keep_going = {});

}  // namespace usermatch::engine
