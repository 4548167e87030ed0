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
// Sharing: the index can be written as one position-independent byte image (write_image) and an
// index can VIEW such an image in memory it does not own (attach: e.g. a file mapped read-only
// by every backend, so the physical pages exist once). Both kinds read the same flat arrays through
// the same code, so their answers are bit-identical. A query never writes to the image: its
// term-frequency adjustments go to a per-object overlay (TermFrequencies flat mode).
//
// Image layout (native byte order, every array 64-byte aligned):
//   ImageHeader | ImageArray[array_count] | arrays...
// arrays: the store's (ids, id hash table, hot rows, per field null bits, arenas and value
// vectors), then per blocking rule the sorted posting keys (u64) and rows (u32), then per field the
// term-frequency keys (u64, sorted) and counts (u32), then the per-field tf totals (u64).
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

using ImageSink = std::function<void(const void* data, std::size_t bytes)>;

class OnlineIndex {
public:
    // Takes the target's store (built with `profile`, which must outlive the index).
    OnlineIndex(const Profile& profile, std::unique_ptr<RecordStore> base,
                const std::function<bool()>& keep_going = {});

    // An index over an image (write_image's bytes at `data`, `size` bytes, 8-byte aligned) that
    // stays valid and unchanged while the index lives (`keep_alive` is held until then: e.g. the
    // mapping). The image is checked before any query reads it: a truncated, foreign or corrupt
    // image (other profile shape, sizes, offsets, rows out of range, `tag` different from the
    // writer's) throws Error(InvalidParameter); nothing outside [data, data + size) is ever read.
    static std::unique_ptr<OnlineIndex> attach(const Profile& profile, const void* data, std::size_t size,
                                               std::uint64_t tag, std::shared_ptr<const void> keep_alive,
                                               const std::function<bool()>& keep_going = {});

    // Bytes of the image and the image itself, streamed to `sink` in pieces. `tag`: any value the
    // reader must present to attach (the glue: a hash of what the index is valid for).
    std::size_t image_size() const;
    void write_image(const ImageSink& sink, std::uint64_t tag = 0) const;

    const RecordStore& base() const { return *base_; }
    // Bytes this object holds in its own memory (an attached index: its pool and overlay only).
    std::size_t memory_bytes() const { return bytes_; }
    bool attached() const { return attached_bytes_ > 0; }
    std::size_t attached_bytes() const { return attached_bytes_; }  // the viewed image

    // The best matches of record `q` of `query`, best first (ties by id), at most options.k.
    // keep_going is polled every 4096 candidates; false -> Error(QueryCanceled).
    std::vector<Hit> match(const RecordStore& query, std::size_t q, const Delta& delta, const QueryOptions& options,
                           const std::function<bool()>& keep_going = {});

    const PoolCounters& pool() const { return pool_counters_; }
    // What the last match() did: distinct candidate rows it found and pairs it scored (the
    // statistics views' candidate_pairs and pairs_scored for match_one / match_many).
    struct QueryFigures {
        std::uint64_t candidates = 0;
        std::uint64_t scored = 0;
    };
    const QueryFigures& last_query() const { return last_query_; }

private:
    friend class ImageCodec;
    explicit OnlineIndex(const Profile& profile);
    void finish(std::size_t own_bytes);  // term-frequency view, pool, byte count

    const Profile& profile_;
    std::unique_ptr<RecordStore> base_;
    // Per rule the rows with a key, sorted by (key, row): keys and rows as two arrays.
    std::vector<engine::Buf<std::uint64_t>> post_keys_;
    std::vector<engine::Buf<std::uint32_t>> post_rows_;
    bool any_tf_ = false;
    // Per field (empty for fields without tf): distinct value keys, sorted, and their counts.
    std::vector<engine::Buf<std::uint64_t>> tf_keys_;
    std::vector<engine::Buf<std::uint32_t>> tf_counts_;
    engine::Buf<std::uint64_t> tf_totals_;               // per field: values counted
    engine::TermFrequencies tf_;                          // flat view of the above + per-query overlay
    std::shared_ptr<const void> keep_alive_;
    std::size_t attached_bytes_ = 0;
    std::size_t bytes_ = 0;

    // Per-query pool: one buffer reused by every query (monotonic, released after each query).
    std::vector<std::byte> pool_buffer_;
    PoolCounters pool_counters_;
    QueryFigures last_query_;
};

}  // namespace usermatch::index
