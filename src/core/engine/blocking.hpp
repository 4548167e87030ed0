// Candidate generation by blocking. A pair is a candidate when it agrees on every key of at least
// one rule. Per rule every record gets a 64-bit key hash (0 = a key part is NULL: no block);
// records are sorted by key and each block's pairs are enumerated in streamed chunks.
//
// Each candidate pair is produced ONCE across rules: rule r skips a pair when an earlier rule r'
// would have produced it (same non-zero key hash of r' on both records, and that r' block was not
// skipped for size). No global set of pairs is kept.
//
// A block with more than max_block_size records (dedupe: records in the block; link: left + right
// records with that key) is skipped for that rule and reported in oversized_blocks().
#pragma once

#include "core/core_guard.hpp"
#include "core/engine/memory_budget.hpp"
#include "core/engine/profile.hpp"
#include "core/engine/record_store.hpp"
#include "core/engine/task_runner.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace usermatch::engine {

struct CandidatePair {
    std::uint32_t left;   // record index in the left store
    std::uint32_t right;  // record index in the right store (dedupe: the same store, left < right)
};

struct OversizedBlock {
    std::size_t rule;          // index into Profile::blocking
    std::string key;           // "name.pinyin_initials=wz, dob.year=1990" (from one record of the block)
    std::uint64_t size;        // records in the block (link: left + right)
};

struct RuleEstimate {
    std::size_t rule;
    std::uint64_t candidate_pairs;  // pairs this rule enumerates, oversized blocks excluded, BEFORE the
                                    // dedup across rules (a pair found by 2 rules counts in both)
    std::uint64_t largest_block;    // records in the largest block (oversized ones included)
    std::uint64_t oversized_blocks; // blocks skipped for size
};

class CandidateGenerator {
public:
    // Computes every rule's keys and sort order on the runner's threads (cancellable). `right` is
    // nullptr for dedupe. The stores and profile must outlive the generator. When `budget` is given
    // the index (12 bytes per record and rule, plus 16 per record for each sort running at once)
    // is charged to it before anything is allocated, and stays charged while the generator lives.
    CandidateGenerator(const Profile& profile, const RecordStore& left, const RecordStore* right, TaskRunner& runner,
                       MemoryBudget* budget = nullptr);
    // Bytes charged for the index of `rules` rules over the given record counts (sorting included).
    static std::size_t index_bytes(std::size_t rules, std::size_t left_records, std::size_t right_records,
                                   unsigned threads);

    // Replaces the contents of `out` with up to max_pairs next candidate pairs; false when there are
    // none left (out is then empty).
    bool next(std::vector<CandidatePair>& out, std::size_t max_pairs);

    const std::vector<OversizedBlock>& oversized_blocks() const { return oversized_; }
    const std::vector<RuleEstimate>& estimate() const { return estimates_; }
    std::size_t memory_bytes() const;

private:
    struct RuleIndex {
        std::vector<std::uint64_t> left_keys, right_keys;       // per record; 0 = no key
        std::vector<std::uint32_t> left_order, right_order;     // keyed records sorted by (key, index)
        std::vector<std::uint64_t> oversized;                   // sorted keys of skipped blocks
    };
    struct Block {
        std::uint64_t key;
        std::size_t lb, le, rb, re;  // ranges in left_order / right_order (dedupe: rb, re = lb, le)
    };
    struct BlockCursor {
        std::size_t l = 0, r = 0;
    };

    bool next_block(const RuleIndex& idx, BlockCursor& cur, Block& b) const;
    bool too_big(const Block& b, std::size_t rule) const;
    bool found_by_earlier_rule(std::size_t rule, std::uint32_t a, std::uint32_t b) const;
    void scan(std::size_t rule);

    const Profile& profile_;
    const RecordStore& left_;
    const RecordStore* right_;
    bool dedupe_;
    std::vector<RuleIndex> rules_;
    std::vector<OversizedBlock> oversized_;
    std::vector<RuleEstimate> estimates_;
    MemoryCharge charge_;

    // Enumeration state.
    std::size_t rule_ = 0;
    BlockCursor cursor_;
    bool in_block_ = false;
    Block block_{};
    std::size_t i_ = 0, j_ = 0;
};

}  // namespace usermatch::engine
