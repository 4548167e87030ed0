#include "core/engine/matcher.hpp"

#include <algorithm>

#include "core/engine/expected_f1.hpp"
#include "core/engine/scorer.hpp"
#include "core/engine/task_runner.hpp"
#include "core/errors.hpp"

#include <chrono>

namespace usermatch::engine {

namespace {

// Pulls a record's hot row into cache ahead of scoring: candidate pairs visit records in block
// order, i.e. at random addresses, and the first touch of each row otherwise stalls the scorer.
inline void prefetch_hot(const RecordStore& s, std::size_t i) {
    const char* p = reinterpret_cast<const char*>(s.hot(i));
    const std::size_t bytes = s.hot_stride() * sizeof(std::uint64_t);
    for (std::size_t off = 0; off < bytes + 63; off += 64) __builtin_prefetch(p + std::min(off, bytes - 1));
}

constexpr std::size_t kPrefetchAhead = 16;  // pairs; far enough to hide a memory access

double since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

RunStats run(const Profile& profile, const RecordStore& left, const RecordStore* right, const RunOptions& options,
             const EmitFn& emit, const KeepGoingFn& keep_going) {
    if (left.field_count() != profile.fields.size() || (right && right->field_count() != profile.fields.size()))
        throw Error(ErrorCode::InvalidParameter, "record store was built for a different profile");
    RunStats stats;
    stats.left_records = left.size();
    stats.right_records = right ? right->size() : 0;
    stats.seconds_normalize = left.normalize_seconds() + (right ? right->normalize_seconds() : 0);
    stats.prior = effective_prior(profile, left.size(), right ? right->size() : left.size());
    const RecordStore& rstore = right ? *right : left;
    // An unresolved "threshold": "auto" costs one more scoring pass over the candidates.
    const double min_p = options.min_probability ? *options.min_probability
                         : profile.threshold_auto && !profile.threshold_resolved
                             ? expected_f1_threshold(profile, left, right, options.threads, keep_going).threshold
                             : profile.threshold;
    const double min_w = Scorer::weight_for_probability(min_p);
    // Term frequencies come from the records being matched (both sides for link).
    const bool any_tf = std::any_of(profile.fields.begin(), profile.fields.end(), [](const Field& f) { return f.tf; });
    MemoryCharge tf_charge(options.budget, any_tf ? TermFrequencies::memory_bound(profile, left, right) : 0,
                           "the term-frequency tables");
    auto t0 = std::chrono::steady_clock::now();
    const TermFrequencies tf = any_tf ? TermFrequencies(profile, left, right) : TermFrequencies();
    stats.seconds_tf = since(t0);
    Scorer scorer(profile, stats.prior, any_tf ? &tf : nullptr);

    TaskRunner runner(options.threads, keep_going);
    t0 = std::chrono::steady_clock::now();
    CandidateGenerator gen(profile, left, right, runner, options.budget);
    stats.seconds_block += since(t0);
    stats.rules = gen.estimate();
    stats.oversized_blocks = gen.oversized_blocks();

    const unsigned nt = runner.threads();
    const std::size_t slice_count = nt * 4;  // a few slices per thread balance uneven pair costs
    // Two chunks of pairs (the one being scored and the next one, enumerated meanwhile) and at
    // most as many results (with growth slack), charged up front; with a budget the chunk is
    // smaller when little memory is left (the pairs found do not change).
    constexpr std::size_t kBytesPerPair = 2 * sizeof(CandidatePair) + 2 * sizeof(MatchResult);
    std::size_t chunk_pairs = options.chunk_pairs;
    if (options.budget)
        chunk_pairs = std::max<std::size_t>(4096, std::min(chunk_pairs, options.budget->available() / 4 / kBytesPerPair));
    MemoryCharge chunk_charge(options.budget, chunk_pairs * kBytesPerPair, "a chunk of candidate pairs");
    std::vector<CandidatePair> chunk, upcoming;
    std::vector<std::vector<MatchResult>> results(slice_count);
    const std::size_t store_bytes = left.memory_bytes() + (right ? right->memory_bytes() : 0);

    runner.check();
    t0 = std::chrono::steady_clock::now();
    bool more = gen.next(chunk, chunk_pairs);
    stats.seconds_block += since(t0);
    while (more) {
        runner.check();
        stats.candidate_pairs += chunk.size();

        // Task 0 enumerates the next chunk while the other tasks score this one: enumeration is
        // serial, and on its own it left every worker but one idle between chunks.
        t0 = std::chrono::steady_clock::now();
        bool upcoming_more = false;
        double block_seconds = 0;
        const std::size_t per = (chunk.size() + slice_count - 1) / slice_count;
        runner.run(slice_count + 1, [&](std::size_t task) {
            if (task == 0) {
                const auto g0 = std::chrono::steady_clock::now();
                upcoming_more = gen.next(upcoming, chunk_pairs);
                block_seconds = since(g0);
                return;
            }
            const std::size_t s = task - 1;
            std::vector<MatchResult>& out = results[s];
            out.clear();
            std::size_t begin = s * per, end = std::min(chunk.size(), begin + per);
            for (std::size_t i = begin; i < end; ++i) {
                if ((i & 4095) == 0 && runner.cancelled()) return;
                if (i + kPrefetchAhead < end) {
                    prefetch_hot(left, chunk[i + kPrefetchAhead].left);
                    prefetch_hot(rstore, chunk[i + kPrefetchAhead].right);
                }
                double w;
                if (scorer.weight_at_least(left, chunk[i].left, rstore, chunk[i].right, min_w, w))
                    out.push_back({chunk[i].left, chunk[i].right, w, Scorer::probability(w)});
            }
        });
        stats.seconds_block += block_seconds;  // overlapped with the scoring, counted in both
        stats.seconds_compare += since(t0);
        stats.pairs_scored += chunk.size();

        std::size_t result_bytes = 0;
        for (const auto& r : results) result_bytes += r.capacity() * sizeof(MatchResult);
        stats.peak_memory_bytes = std::max(stats.peak_memory_bytes,
                                           store_bytes + gen.memory_bytes() +
                                               (chunk.capacity() + upcoming.capacity()) * sizeof(CandidatePair) +
                                               result_bytes);
        t0 = std::chrono::steady_clock::now();
        for (const auto& r : results) {
            if (r.empty()) continue;
            emit(r.data(), r.size());
            stats.pairs_emitted += r.size();
        }
        stats.seconds_emit += since(t0);
        chunk.swap(upcoming);
        more = upcoming_more;
    }
    stats.peak_memory_bytes = std::max(stats.peak_memory_bytes, store_bytes + gen.memory_bytes());
    return stats;
}

}  // namespace usermatch::engine
