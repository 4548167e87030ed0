// Online matching: the k best matches of ONE record against a prepared index of a target, with
// exactly the weights link(profile, <one-row source>, target) gives the same pair.
//
// The index holds the target's normalised records (a RecordStore), per blocking rule a sorted
// (key hash, row) posting list and each row's key, and the target's term-frequency table. A query
// may bring a "delta": rows of the target changed since the index was built (their base rows are
// excluded, their current versions come in a second, small RecordStore). Candidates, block sizes
// (max_block_size), the prior and the term frequencies are then those of the target as the caller
// sees it, so the result equals link's on the current table.
//
// Hot path: candidate lists, delta keys and hits live in a per-index monotonic buffer (reset per
// query, see PoolCounters), so a warm query makes no general heap allocation in its loops (the
// term-frequency adjustment inserts a hash node only for a value the target does not hold).
#pragma once

#include "core/core_guard.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"
#include "core/engine/scorer.hpp"
#include "core/engine/term_frequency.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <memory_resource>
#include <optional>
#include <vector>

namespace usermatch::index {

using engine::Profile;
using engine::RecordStore;

// Counters of the per-query memory pool (one plain struct so that code can read and aggregate it).
struct PoolCounters {
    std::uint64_t acquisitions = 0;  // queries that took the pool
    std::uint64_t reuses = 0;        // ... and found its buffer already allocated (no upstream call)
    std::uint64_t upstream_allocations = 0;  // buffers the pool had to ask the heap for
    std::uint64_t bytes_reserved = 0;        // bytes the pool holds (buffer + overflow blocks)
    std::uint64_t bytes_overflow_last = 0;   // bytes the last query needed beyond the buffer
};

struct Hit {
    bool from_delta = false;  // row of the delta store (else of the base store)
    std::uint32_t row = 0;
    double match_weight = 0;
    double match_probability = 0;
};

struct QueryOptions {
    std::size_t k = 10;
    // Lowest probability returned; nullopt = the profile's threshold (link's default). An unresolved
    // "threshold": "auto" counts as 0 here (every candidate; k bounds the answer).
    std::optional<double> min_probability;
};

// Rows changed since the build, as the caller's snapshot sees the target.
struct Delta {
    const RecordStore* rows = nullptr;        // current versions (nullptr or empty: none)
    std::vector<std::uint32_t> excluded;      // base rows superseded or deleted (any order, no dups)
    // Blocking keys of `rows` ([rule * rows + row]): computed by the first match() that uses this
    // delta, reused by the next ones while `rows` and its size stay the same (match_many of n
    // records over d changed rows hashed n * d keys per rule before: 1.3 s for 1,000 and 1,000).
    mutable std::vector<std::uint64_t> rule_keys;
    mutable const RecordStore* keyed_rows = nullptr;
    mutable std::size_t keyed_size = 0;
};

class OnlineIndex {
public:
    // Takes the target's store (built with `profile`, which must outlive the index).
    OnlineIndex(const Profile& profile, std::unique_ptr<RecordStore> base,
                const std::function<bool()>& keep_going = {});

    const RecordStore& base() const { return *base_; }
    std::size_t memory_bytes() const { return bytes_; }

    // The best matches of record `q` of `query`, best first (ties by id), at most options.k.
    // keep_going is polled every 4096 candidates; false -> Error(QueryCanceled).
    std::vector<Hit> match(const RecordStore& query, std::size_t q, const Delta& delta, const QueryOptions& options,
                           const std::function<bool()>& keep_going = {});

    const PoolCounters& pool() const { return pool_counters_; }

private:
    struct Posting {
        std::uint64_t key;
        std::uint32_t row;
        bool operator<(const Posting& o) const { return key != o.key ? key < o.key : row < o.row; }
    };
    std::size_t base_count(std::size_t rule, std::uint64_t key) const;

    const Profile& profile_;
    std::unique_ptr<RecordStore> base_;
    std::vector<std::vector<std::uint64_t>> row_keys_;  // [rule][row]; 0 = no key
    std::vector<std::vector<Posting>> postings_;        // [rule], sorted; rows with a key only
    bool any_tf_ = false;
    engine::TermFrequencies tf_;                          // of the base rows; adjusted per query, restored
    std::size_t bytes_ = 0;

    // Per-query pool: one buffer reused by every query (monotonic, released after each query).
    std::vector<std::byte> pool_buffer_;
    PoolCounters pool_counters_;
};

}  // namespace usermatch::index
