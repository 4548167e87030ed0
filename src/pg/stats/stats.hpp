// Statistics of usermatch calls in shared memory (usermatch.performance_metrics,
// performance_history, system_health, stats_info; see stats.cpp). The recording API for the
// rest of the glue:
//
//  * Wrap a call:  return stats::measured(stats::Operation::Dedupe, profile, [&](stats::CallFigures& f) {
//                      ...; f.records_read = ...; return result; });
//    times the body, marks an exception as an error (an out-of-memory one as a call that hit
//    usermatch.memory_limit), records, and rethrows.
//  * Or record figures you measured yourself: stats::record_call(op, profile, figures), or
//    stats::record_job(kind, profile, figures) for a background job (operation "job:<kind>").
//  * Caches and pools publish their per-backend counters once, at init or first use:
//    stats::publish_backend_counters(&my_counters); the struct must live as long as the backend
//    (a static); the owner just increments its fields. They are folded into the row of each
//    call this backend records next (cache hit rate, pool reuse rate) and memory_bytes into
//    memory_in_use.
//
// Recording never raises a PostgreSQL error and never throws: it may run in a catch block.
// Without shared_preload_libraries or with usermatch.track = off it does nothing.
#pragma once

#include "core/engine/matcher.hpp"
#include "core/errors.hpp"

#include <chrono>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

namespace usermatch::pg::stats {

enum class Operation : std::uint8_t {
    Dedupe,
    Link,
    Clusters,
    MatchOne,
    MatchMany,
    Train,
    TrainLabels,
    SuggestProfile,
    Explain,
    EstimateComparisons,
};

// "dedupe", "link", "clusters", "match_one", "match_many", "train", "train_labels",
// "suggest_profile", "explain_match", "estimate_comparisons".
const char* operation_name(Operation op);

struct CallFigures {
    std::uint64_t records_read = 0;
    std::uint64_t candidate_pairs = 0;
    std::uint64_t pairs_scored = 0;
    std::uint64_t matches_out = 0;
    double elapsed_ms = 0;
    bool error = false;
    bool out_of_memory = false;            // stopped by usermatch.memory_limit (counts as 100% of it)
    std::uint64_t memory_peak_bytes = 0;   // largest memory the call's budget held
    std::uint64_t memory_limit_bytes = 0;  // 0 = usermatch.memory_limit as set now
};

// Figures of an engine run (dedupe, link, clusters, match_many).
inline void add_run(CallFigures& figures, const engine::RunStats& run) {
    figures.records_read += run.left_records + run.right_records;
    figures.candidate_pairs += run.candidate_pairs;
    figures.pairs_scored += run.pairs_scored;
    figures.matches_out += run.pairs_emitted;
    if (run.peak_memory_bytes > figures.memory_peak_bytes) figures.memory_peak_bytes = run.peak_memory_bytes;
}

void record_call(Operation op, const char* profile, const CallFigures& figures) noexcept;
void record_job(const char* kind, const char* profile, const CallFigures& figures) noexcept;

// Per-backend counters of the caches and object pools (issue 9), published by pointer.
struct BackendCounters {
    std::uint64_t cache_hits;
    std::uint64_t cache_misses;
    std::uint64_t pool_reuses;       // objects handed out again from a pool
    std::uint64_t pool_allocations;  // objects a pool had to create
    std::uint64_t memory_bytes;      // memory the cache and pools hold now
};
void publish_backend_counters(const BackendCounters* counters) noexcept;

// Runs body(figures), times it and records it (see the top of this file). Returns what body returns.
template <typename Body>
auto measured(Operation op, const char* profile, Body&& body) -> decltype(body(std::declval<CallFigures&>())) {
    CallFigures figures;
    const auto start = std::chrono::steady_clock::now();
    auto finish = [&](bool error) {
        figures.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        figures.error = error;
        record_call(op, profile, figures);
    };
    try {
        if constexpr (std::is_void_v<decltype(body(figures))>) {
            body(figures);
            finish(false);
        } else {
            auto result = body(figures);
            finish(false);
            return result;
        }
    } catch (const usermatch::Error& e) {
        figures.out_of_memory = e.code() == usermatch::ErrorCode::OutOfMemory;
        finish(true);
        throw;
    } catch (const std::bad_alloc&) {
        figures.out_of_memory = true;
        finish(true);
        throw;
    } catch (...) {
        finish(true);
        throw;
    }
}

// GUCs and shared-memory hooks; called from _PG_init.
void init_stats();

}  // namespace usermatch::pg::stats
