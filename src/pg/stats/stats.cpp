// Statistics of usermatch calls in shared memory, after pg_stat_statements: the memory is
// requested in shmem_request_hook and created in shmem_startup_hook under AddinShmemInitLock; a
// named LWLock tranche ("usermatch_stats") guards the entry hash (shared to update an existing
// entry, exclusive to add or remove entries); each entry's counters sit under its own spinlock.
// Entries are keyed by (database, role, profile, operation); when usermatch.max_stat_entries are
// in use, calls of new keys are not recorded and counted as dropped (stats_info, system_health).
//
// History: every usermatch.history_interval a sample of server-wide totals (calls, rates,
// latency percentiles over the interval, memory, jobs) goes into a ring of usermatch.history_size
// samples. The job launcher takes the samples through launcher_hooks.tick; a backend that
// records a call or reads a view also takes one when a sampling boundary has passed (so history
// works without the launcher). Samples are stamped with the interval boundary they stand for.
#include "pg/stats/stats.hpp"

#include "core/stats/latency_histogram.hpp"
#include "pg/guard.hpp"
#include "pg/settings.hpp"

#include <algorithm>
#include <cmath>

extern "C" {
#include "catalog/pg_authid.h"
#include "storage/backendid.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/acl.h"
#include "utils/hsearch.h"
#include "utils/timestamp.h"
}

namespace usermatch::pg::stats {

namespace {

using usermatch::stats::HealthStatus;
using usermatch::stats::LatencyHistogram;
using usermatch::stats::RateRing;

constexpr int kOperationLen = 32;
constexpr int kProfileLen = NAMEDATALEN;  // longer profile names are cut (at a character boundary)

struct EntryKey {
    Oid database;
    Oid role;
    char operation[kOperationLen];
    char profile[kProfileLen];
};

struct Counters {
    int64 calls;
    int64 errors;
    uint64 records_read, candidate_pairs, pairs_scored, matches_out;
    double total_ms, min_ms, max_ms;
    uint64 memory_peak_bytes;
    double memory_total_bytes;
    uint64 cache_hits, cache_misses, pool_reuses, pool_allocations;
    LatencyHistogram latency;
    RateRing recent;
};

struct Entry {
    EntryKey key;  // first: the hash key
    slock_t mutex;
    Counters counters;
};

// Server-wide totals at one moment (what history samples are differences of).
struct Totals {
    int64 calls, errors, job_calls, job_errors;
    uint64 records, pairs, matches;
    LatencyHistogram latency;
};

struct HistorySample {
    TimestampTz time;      // the interval boundary the sample stands for
    double seconds;        // time since the previous sample (what the rates are over)
    int64 calls, errors, job_calls, job_errors;
    uint64 records, pairs, matches;
    double p50_ms, p95_ms, p99_ms;  // negative: no calls in the interval
    uint64 memory_peak_bytes;       // largest memory a call held in the interval
    uint64 memory_in_use_bytes;     // caches and pools of live backends at the sample
};

struct BackendSlot {
    int pid;
    uint64 memory_bytes;
};

struct SharedState {
    LWLock* lock;
    slock_t mutex;  // guards everything below
    TimestampTz stats_reset;
    int64 dropped;
    // largest share of usermatch.memory_limit used by a call, per minute (two minutes kept)
    int64 memory_minute[2];
    double memory_ratio[2];
    uint64 interval_memory_peak;
    // history
    bool sampling;
    TimestampTz last_sample_time;    // boundary of the newest sample
    TimestampTz previous_actual;     // when the newest sample's totals were read
    Totals previous;
    int history_head;   // next slot to write
    int history_count;  // samples held
    int history_size;
    int backend_slots;
    // followed by HistorySample[history_size], then BackendSlot[backend_slots]
};

SharedState* shared = nullptr;
HTAB* entries = nullptr;
HistorySample* history = nullptr;
BackendSlot* backends = nullptr;

// GUCs
bool track = true;
int max_entries = 1000;
int history_size = 360;
int history_interval_ms = 10000;
double memory_warning_pct = 80;
double memory_critical_pct = 90;
double cache_warning = 0.5;
double cache_critical = 0.2;

// This backend's published cache and pool counters, and what was folded into entries already.
const BackendCounters* published = nullptr;
BackendCounters folded = {0, 0, 0, 0, 0};

shmem_request_hook_type prev_shmem_request_hook = nullptr;
shmem_startup_hook_type prev_shmem_startup_hook = nullptr;

Size shared_size() {
    Size size = MAXALIGN(sizeof(SharedState));
    size = add_size(size, mul_size(history_size, sizeof(HistorySample)));
    size = add_size(size, mul_size(MaxBackends, sizeof(BackendSlot)));
    return size;
}

void shmem_request() {
    if (prev_shmem_request_hook) prev_shmem_request_hook();
    RequestAddinShmemSpace(shared_size());
    RequestAddinShmemSpace(hash_estimate_size(max_entries, sizeof(Entry)));
    RequestNamedLWLockTranche("usermatch_stats", 1);
}

void shmem_startup() {
    if (prev_shmem_startup_hook) prev_shmem_startup_hook();
    shared = nullptr;
    entries = nullptr;
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    bool found = false;
    shared = static_cast<SharedState*>(ShmemInitStruct("usermatch_stats", shared_size(), &found));
    char* tail = reinterpret_cast<char*>(shared) + MAXALIGN(sizeof(SharedState));
    history = reinterpret_cast<HistorySample*>(tail);
    backends = reinterpret_cast<BackendSlot*>(tail + sizeof(HistorySample) * history_size);
    if (!found) {
        memset(shared, 0, shared_size());
        shared->lock = &(GetNamedLWLockTranche("usermatch_stats"))->lock;
        SpinLockInit(&shared->mutex);
        shared->stats_reset = GetCurrentTimestamp();
        shared->previous_actual = shared->stats_reset;
        shared->memory_minute[0] = shared->memory_minute[1] = -1;
        shared->previous.latency.clear();
        shared->history_size = history_size;
        shared->backend_slots = MaxBackends;
    }
    HASHCTL info;
    memset(&info, 0, sizeof(info));
    info.keysize = sizeof(EntryKey);
    info.entrysize = sizeof(Entry);
    entries = ShmemInitHash("usermatch_stats hash", max_entries, max_entries, &info, HASH_ELEM | HASH_BLOBS);
    LWLockRelease(AddinShmemInitLock);
}

int64 second_of(TimestampTz t) { return t / USECS_PER_SEC; }

void clear_counters(Counters& c) {
    memset(&c, 0, sizeof(c));
    c.recent.clear();
}

// Cuts `text` to at most max-1 bytes without splitting a UTF-8 character.
void copy_cut(char* dest, const char* text, std::size_t max) {
    std::size_t n = text ? strlen(text) : 0;
    if (n > max - 1) {
        n = max - 1;
        while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
    }
    if (n) memcpy(dest, text, n);
    dest[n] = '\0';
}

long interval_ms() { return history_interval_ms; }

void totals_of(Totals& totals) {  // caller holds shared->lock
    memset(&totals, 0, sizeof(totals));
    HASH_SEQ_STATUS scan;
    hash_seq_init(&scan, entries);
    Entry* e;
    while ((e = static_cast<Entry*>(hash_seq_search(&scan))) != nullptr) {
        const bool job = strncmp(e->key.operation, "job:", 4) == 0;
        SpinLockAcquire(&e->mutex);
        const Counters& c = e->counters;
        totals.calls += c.calls;
        totals.errors += c.errors;
        if (job) {
            totals.job_calls += c.calls;
            totals.job_errors += c.errors;
        }
        totals.records += c.records_read;
        totals.pairs += c.pairs_scored;
        totals.matches += c.matches_out;
        totals.latency.add(c.latency);
        SpinLockRelease(&e->mutex);
    }
}

uint64 memory_in_use() {
    uint64 bytes = 0;
    for (int i = 0; i < shared->backend_slots; ++i)
        if (backends[i].pid != 0) bytes += backends[i].memory_bytes;
    return bytes;
}

// Takes a history sample when a sampling boundary has passed since the newest one.
void maybe_sample(TimestampTz now) {
    if (!shared || shared->history_size <= 0) return;
    const int64 interval_us = std::max<int64>(1, int64(history_interval_ms) * 1000);
    const TimestampTz boundary = now - now % interval_us;
    if (boundary <= shared->last_sample_time) return;  // unlocked pre-check; rechecked below
    static Totals previous;  // static: 2 kB, kept off the stack
    SpinLockAcquire(&shared->mutex);
    if (boundary <= shared->last_sample_time || shared->sampling) {
        SpinLockRelease(&shared->mutex);
        return;
    }
    shared->sampling = true;
    shared->last_sample_time = boundary;
    previous = shared->previous;
    const TimestampTz previous_actual = shared->previous_actual;
    SpinLockRelease(&shared->mutex);

    static Totals now_totals;
    LWLockAcquire(shared->lock, LW_SHARED);
    totals_of(now_totals);
    LWLockRelease(shared->lock);

    HistorySample s;
    s.time = boundary;
    s.seconds = std::max(1e-6, double(now - previous_actual) / USECS_PER_SEC);
    auto delta = [](auto later, auto earlier) { return later >= earlier ? later - earlier : decltype(later)(0); };
    s.calls = delta(now_totals.calls, previous.calls);
    s.errors = delta(now_totals.errors, previous.errors);
    s.job_calls = delta(now_totals.job_calls, previous.job_calls);
    s.job_errors = delta(now_totals.job_errors, previous.job_errors);
    s.records = delta(now_totals.records, previous.records);
    s.pairs = delta(now_totals.pairs, previous.pairs);
    s.matches = delta(now_totals.matches, previous.matches);
    static LatencyHistogram interval;
    interval = now_totals.latency;
    interval.subtract(previous.latency);
    s.p50_ms = interval.quantile(0.50) / 1000.0;
    s.p95_ms = interval.quantile(0.95) / 1000.0;
    s.p99_ms = interval.quantile(0.99) / 1000.0;
    s.memory_in_use_bytes = memory_in_use();

    SpinLockAcquire(&shared->mutex);
    s.memory_peak_bytes = shared->interval_memory_peak;
    shared->interval_memory_peak = 0;
    history[shared->history_head] = s;
    shared->history_head = (shared->history_head + 1) % shared->history_size;
    shared->history_count = std::min(shared->history_count + 1, shared->history_size);
    shared->previous = now_totals;
    shared->previous_actual = now;
    shared->sampling = false;
    SpinLockRelease(&shared->mutex);
}

void launcher_tick() { maybe_sample(GetCurrentTimestamp()); }

void clear_backend_slot(int, Datum) {
    if (shared && MyBackendId >= 1 && MyBackendId <= shared->backend_slots) {
        backends[MyBackendId - 1].memory_bytes = 0;
        backends[MyBackendId - 1].pid = 0;
    }
}

void record(const char* operation, const char* profile, const CallFigures& f) {
    if (!shared || !entries || !track) return;
    EntryKey key;
    memset(&key, 0, sizeof(key));
    key.database = MyDatabaseId;
    key.role = GetUserId();
    copy_cut(key.operation, operation, kOperationLen);
    copy_cut(key.profile, profile, kProfileLen);
    const TimestampTz now = GetCurrentTimestamp();

    // Cache and pool counters published by this backend since its last recorded call.
    BackendCounters fold = {0, 0, 0, 0, 0};
    if (published) {
        const BackendCounters current = *published;
        fold.cache_hits = current.cache_hits - folded.cache_hits;
        fold.cache_misses = current.cache_misses - folded.cache_misses;
        fold.pool_reuses = current.pool_reuses - folded.pool_reuses;
        fold.pool_allocations = current.pool_allocations - folded.pool_allocations;
        folded = current;
        if (MyBackendId >= 1 && MyBackendId <= shared->backend_slots) {
            backends[MyBackendId - 1].pid = MyProcPid;
            backends[MyBackendId - 1].memory_bytes = current.memory_bytes;
        }
    }

    LWLockAcquire(shared->lock, LW_SHARED);
    auto* e = static_cast<Entry*>(hash_search(entries, &key, HASH_FIND, nullptr));
    if (!e) {
        LWLockRelease(shared->lock);
        LWLockAcquire(shared->lock, LW_EXCLUSIVE);
        bool found = false;
        if (hash_get_num_entries(entries) < max_entries || (e = static_cast<Entry*>(hash_search(entries, &key, HASH_FIND, nullptr)))) {
            if (!e) e = static_cast<Entry*>(hash_search(entries, &key, HASH_ENTER_NULL, &found));
            if (e && !found) {
                SpinLockInit(&e->mutex);
                clear_counters(e->counters);
            }
        }
        if (!e) {
            LWLockRelease(shared->lock);
            SpinLockAcquire(&shared->mutex);
            ++shared->dropped;
            SpinLockRelease(&shared->mutex);
            return;
        }
    }
    const double micros = f.elapsed_ms * 1000.0;
    SpinLockAcquire(&e->mutex);
    Counters& c = e->counters;
    if (c.calls == 0 || f.elapsed_ms < c.min_ms) c.min_ms = f.elapsed_ms;
    if (f.elapsed_ms > c.max_ms) c.max_ms = f.elapsed_ms;
    c.calls += 1;
    if (f.error) c.errors += 1;
    c.records_read += f.records_read;
    c.candidate_pairs += f.candidate_pairs;
    c.pairs_scored += f.pairs_scored;
    c.matches_out += f.matches_out;
    c.total_ms += f.elapsed_ms;
    if (f.memory_peak_bytes > c.memory_peak_bytes) c.memory_peak_bytes = f.memory_peak_bytes;
    c.memory_total_bytes += double(f.memory_peak_bytes);
    c.cache_hits += fold.cache_hits;
    c.cache_misses += fold.cache_misses;
    c.pool_reuses += fold.pool_reuses;
    c.pool_allocations += fold.pool_allocations;
    c.latency.add(micros);
    c.recent.add(second_of(now), 1, f.records_read, f.pairs_scored);
    SpinLockRelease(&e->mutex);
    LWLockRelease(shared->lock);

    // Memory against the budget: the largest share of the limit a call used, per minute.
    const double limit = f.memory_limit_bytes ? double(f.memory_limit_bytes) : double(settings.memory_limit_kb) * 1024.0;
    const double ratio = f.out_of_memory ? 1.0 : (limit > 0 ? double(f.memory_peak_bytes) / limit : 0.0);
    const int64 minute = second_of(now) / 60;
    SpinLockAcquire(&shared->mutex);
    const int slot = int(minute % 2);
    if (shared->memory_minute[slot] != minute) {
        shared->memory_minute[slot] = minute;
        shared->memory_ratio[slot] = 0;
    }
    shared->memory_ratio[slot] = std::max(shared->memory_ratio[slot], ratio);
    const uint64 peak = f.out_of_memory ? uint64(limit) : f.memory_peak_bytes;
    shared->interval_memory_peak = std::max(shared->interval_memory_peak, peak);
    SpinLockRelease(&shared->mutex);

    maybe_sample(now);
}

// ---- reading ----

bool sees_all_rows() { return is_member_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS); }

Datum float_or_null(double v, bool& isnull) {
    isnull = !(v >= 0) || std::isnan(v);
    return Float8GetDatum(isnull ? 0 : v);
}

}  // namespace

const char* operation_name(Operation op) {
    switch (op) {
    case Operation::Dedupe: return "dedupe";
    case Operation::Link: return "link";
    case Operation::Clusters: return "clusters";
    case Operation::MatchOne: return "match_one";
    case Operation::MatchMany: return "match_many";
    case Operation::Train: return "train";
    case Operation::TrainLabels: return "train_labels";
    case Operation::SuggestProfile: return "suggest_profile";
    case Operation::Explain: return "explain_match";
    case Operation::EstimateComparisons: return "estimate_comparisons";
    }
    return "unknown";
}

void record_call(Operation op, const char* profile, const CallFigures& figures) noexcept {
    record(operation_name(op), profile, figures);
}

void record_job(const char* kind, const char* profile, const CallFigures& figures) noexcept {
    char operation[kOperationLen];
    snprintf(operation, sizeof(operation), "job:%s", kind ? kind : "");
    record(operation, profile, figures);
}

void publish_backend_counters(const BackendCounters* counters) noexcept {
    static bool exit_callback = false;
    published = counters;
    if (counters) folded = *counters;  // count from now on
    if (!exit_callback && shared) {
        on_shmem_exit(clear_backend_slot, 0);
        exit_callback = true;
    }
}

void init_stats() {
    DefineCustomBoolVariable("usermatch.track", "Collects statistics of usermatch calls (usermatch.performance_metrics).",
                             nullptr, &track, true, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("usermatch.history_interval", "Time between two usermatch.performance_history samples.",
                            nullptr, &history_interval_ms, 10000, 100, 3600 * 1000, PGC_SIGHUP, GUC_UNIT_MS, nullptr,
                            nullptr, nullptr);
    DefineCustomRealVariable("usermatch.health_memory_warning",
                             "usermatch.system_health warns when a call used this percentage of usermatch.memory_limit.",
                             nullptr, &memory_warning_pct, 80, 0, 1000, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomRealVariable("usermatch.health_memory_critical",
                             "usermatch.system_health is critical when a call used this percentage of usermatch.memory_limit.",
                             nullptr, &memory_critical_pct, 90, 0, 1000, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomRealVariable("usermatch.health_cache_hit_warning",
                             "usermatch.system_health warns when the cache hit rate is below this.", nullptr,
                             &cache_warning, 0.5, 0, 1, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomRealVariable("usermatch.health_cache_hit_critical",
                             "usermatch.system_health is critical when the cache hit rate is below this.", nullptr,
                             &cache_critical, 0.2, 0, 1, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    // PostgreSQL refuses PGC_POSTMASTER settings defined after startup (FATAL), and without
    // preloading there is no shared memory for them to size: like pg_stat_statements, define
    // them only when preloaded.
    if (!process_shared_preload_libraries_in_progress) return;
    DefineCustomIntVariable("usermatch.max_stat_entries",
                            "Most (database, role, profile, operation) rows usermatch keeps statistics for.",
                            "Calls of further combinations are counted as dropped (usermatch.stats_info).",
                            &max_entries, 1000, 100, 100000, PGC_POSTMASTER, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("usermatch.history_size", "Samples kept in usermatch.performance_history.", nullptr,
                            &history_size, 360, 2, 100000, PGC_POSTMASTER, 0, nullptr, nullptr, nullptr);
    prev_shmem_request_hook = shmem_request_hook;
    shmem_request_hook = shmem_request;
    prev_shmem_startup_hook = shmem_startup_hook;
    shmem_startup_hook = shmem_startup;
    launcher_hooks.tick = launcher_tick;
    launcher_hooks.interval_ms = interval_ms;
}

}  // namespace usermatch::pg::stats

namespace stats = usermatch::pg::stats;
using usermatch::stats::HealthStatus;
using usermatch::stats::RateRing;

// ---- SQL functions: plain PostgreSQL code, no C++ objects with destructors ----

// usermatch.stat_entries(): one row per entry the caller may see (its own; all for members of
// pg_read_all_stats and superusers).
USERMATCH_FUNCTION(usermatch_stat_entries) {
    InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC | MAT_SRF_BLESS);
    if (!stats::shared || !stats::entries) return (Datum)0;
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    const TimestampTz now = GetCurrentTimestamp();
    stats::maybe_sample(now);
    const bool all = stats::sees_all_rows();
    const Oid me = GetUserId();
    const int64 second = stats::second_of(now);
    static stats::Counters c;
    LWLockAcquire(stats::shared->lock, LW_SHARED);
    HASH_SEQ_STATUS scan;
    hash_seq_init(&scan, stats::entries);
    stats::Entry* e;
    while ((e = static_cast<stats::Entry*>(hash_seq_search(&scan))) != nullptr) {
        if (!all && e->key.role != me) continue;
        SpinLockAcquire(&e->mutex);
        c = e->counters;
        SpinLockRelease(&e->mutex);
        constexpr int kColumns = 26;
        Datum v[kColumns];
        bool n[kColumns];
        memset(n, 0, sizeof(n));
        int i = 0;
        v[i++] = ObjectIdGetDatum(e->key.database);
        v[i++] = ObjectIdGetDatum(e->key.role);
        v[i++] = CStringGetTextDatum(e->key.profile);
        v[i++] = CStringGetTextDatum(e->key.operation);
        v[i++] = Int64GetDatum(c.calls);
        v[i++] = Int64GetDatum(c.errors);
        v[i++] = Int64GetDatum(int64(c.records_read));
        v[i++] = Int64GetDatum(int64(c.candidate_pairs));
        v[i++] = Int64GetDatum(int64(c.pairs_scored));
        v[i++] = Int64GetDatum(int64(c.matches_out));
        v[i++] = Float8GetDatum(c.total_ms);
        v[i++] = Float8GetDatum(c.min_ms);
        v[i++] = Float8GetDatum(c.max_ms);
        v[i++] = Float8GetDatum(c.calls ? c.total_ms / double(c.calls) : 0.0);
        for (double q : {0.50, 0.95, 0.99}) {
            const double us = c.latency.quantile(q, c.min_ms * 1000.0, c.max_ms * 1000.0);
            v[i] = stats::float_or_null(us / 1000.0, n[i]);
            ++i;
        }
        const RateRing::Slot last10 = c.recent.sum(second, 10);
        const RateRing::Slot last60 = c.recent.sum(second, 60);
        v[i++] = Float8GetDatum(double(last10.calls) / 10.0);
        v[i++] = Float8GetDatum(double(last10.records) / 10.0);
        v[i++] = Float8GetDatum(double(last10.pairs) / 10.0);
        v[i++] = Float8GetDatum(double(last60.records) / 60.0);
        v[i++] = Float8GetDatum(double(last60.pairs) / 60.0);
        const uint64 lookups = c.cache_hits + c.cache_misses;
        v[i] = lookups ? Float8GetDatum(double(c.cache_hits) / double(lookups)) : (n[i] = true, Datum(0));
        ++i;
        const uint64 handed = c.pool_reuses + c.pool_allocations;
        v[i] = handed ? Float8GetDatum(double(c.pool_reuses) / double(handed)) : (n[i] = true, Datum(0));
        ++i;
        v[i++] = Int64GetDatum(int64(c.memory_peak_bytes));
        v[i++] = Int64GetDatum(c.calls ? int64(c.memory_total_bytes / double(c.calls)) : 0);
        Assert(i == kColumns);
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
    }
    LWLockRelease(stats::shared->lock);
    return (Datum)0;
}

// usermatch.stat_history(): the samples, oldest first.
USERMATCH_FUNCTION(usermatch_stat_history) {
    InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC | MAT_SRF_BLESS);
    if (!stats::shared) return (Datum)0;
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    stats::maybe_sample(GetCurrentTimestamp());
    const int size = stats::shared->history_size;
    SpinLockAcquire(&stats::shared->mutex);
    const int count = stats::shared->history_count;
    const int head = stats::shared->history_head;
    SpinLockRelease(&stats::shared->mutex);
    for (int k = 0; k < count; ++k) {
        stats::HistorySample s;
        SpinLockAcquire(&stats::shared->mutex);
        s = stats::history[(head - count + k + size) % size];
        SpinLockRelease(&stats::shared->mutex);
        constexpr int kColumns = 15;
        Datum v[kColumns];
        bool n[kColumns];
        memset(n, 0, sizeof(n));
        int i = 0;
        v[i++] = TimestampTzGetDatum(s.time);
        v[i++] = Float8GetDatum(s.seconds);
        v[i++] = Int64GetDatum(s.calls);
        v[i++] = Int64GetDatum(s.errors);
        v[i++] = Float8GetDatum(double(s.calls) / s.seconds);
        v[i++] = Float8GetDatum(double(s.records) / s.seconds);
        v[i++] = Float8GetDatum(double(s.pairs) / s.seconds);
        v[i++] = Float8GetDatum(double(s.matches) / s.seconds);
        v[i] = stats::float_or_null(s.p50_ms, n[i]); ++i;
        v[i] = stats::float_or_null(s.p95_ms, n[i]); ++i;
        v[i] = stats::float_or_null(s.p99_ms, n[i]); ++i;
        v[i++] = Int64GetDatum(int64(s.memory_peak_bytes));
        v[i++] = Int64GetDatum(int64(s.memory_in_use_bytes));
        v[i++] = Int64GetDatum(s.job_calls);
        v[i++] = Int64GetDatum(s.job_errors);
        Assert(i == kColumns);
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
    }
    return (Datum)0;
}

// usermatch.stat_info(): one row.
USERMATCH_FUNCTION(usermatch_stat_info) {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE) elog(ERROR, "return type must be a row type");
    constexpr int kColumns = 8;
    Datum v[kColumns];
    bool n[kColumns];
    memset(n, 0, sizeof(n));
    const bool have = stats::shared != nullptr;
    int64 entries = 0, dropped = 0, samples = 0;
    TimestampTz reset = 0;
    if (have) {
        LWLockAcquire(stats::shared->lock, LW_SHARED);
        entries = hash_get_num_entries(stats::entries);
        LWLockRelease(stats::shared->lock);
        SpinLockAcquire(&stats::shared->mutex);
        dropped = stats::shared->dropped;
        reset = stats::shared->stats_reset;
        samples = stats::shared->history_count;
        SpinLockRelease(&stats::shared->mutex);
    }
    v[0] = TimestampTzGetDatum(reset);
    n[0] = !have;
    v[1] = Int64GetDatum(dropped);
    v[2] = Int64GetDatum(entries);
    v[3] = Int32GetDatum(stats::max_entries);
    v[4] = Int64GetDatum(have ? int64(stats::memory_in_use()) : 0);
    v[5] = BoolGetDatum(usermatch::pg::loaded_by_preload && have);
    v[6] = Int32GetDatum(int32(samples));
    v[7] = Int32GetDatum(stats::history_interval_ms);
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), v, n)));
}

// usermatch.stat_reset(): removes every entry (REVOKEd from PUBLIC in the SQL script).
USERMATCH_FUNCTION(usermatch_stat_reset) {
    if (!stats::shared)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("usermatch statistics must be loaded via shared_preload_libraries")));
    LWLockAcquire(stats::shared->lock, LW_EXCLUSIVE);
    HASH_SEQ_STATUS scan;
    hash_seq_init(&scan, stats::entries);
    stats::Entry* e;
    while ((e = static_cast<stats::Entry*>(hash_seq_search(&scan))) != nullptr)
        hash_search(stats::entries, &e->key, HASH_REMOVE, nullptr);
    SpinLockAcquire(&stats::shared->mutex);
    stats::shared->stats_reset = GetCurrentTimestamp();
    stats::shared->dropped = 0;
    memset(&stats::shared->previous, 0, sizeof(stats::shared->previous));
    stats::shared->memory_minute[0] = stats::shared->memory_minute[1] = -1;
    stats::shared->memory_ratio[0] = stats::shared->memory_ratio[1] = 0;
    SpinLockRelease(&stats::shared->mutex);
    LWLockRelease(stats::shared->lock);
    PG_RETURN_VOID();
}

// usermatch.stats_health(): the statistics' checks of usermatch.system_health.
USERMATCH_FUNCTION(usermatch_stats_health) {
    InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC | MAT_SRF_BLESS);
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    const bool have = stats::shared != nullptr;
    auto put = [&](const char* name, HealthStatus status, double value, bool value_null, double threshold,
                   const char* advice) {
        Datum v[5] = {CStringGetTextDatum(name), CStringGetTextDatum(usermatch::stats::health_status_name(status)),
                      Float8GetDatum(value), Float8GetDatum(threshold), CStringGetTextDatum(advice)};
        bool n[5] = {false, false, value_null, false, false};
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
    };
    static const char* const kNotMeasured = "Not measured: usermatch is not in shared_preload_libraries.";
    if (!have) {
        put("library_preloaded", HealthStatus::Critical, 0, false, 1,
            "Add usermatch to shared_preload_libraries and restart the server: statistics, history and the job "
            "launcher need shared memory.");
        put("statistics_entries_dropped", HealthStatus::Warning, 0, true, 0, kNotMeasured);
        put("memory_budget", HealthStatus::Warning, 0, true, stats::memory_warning_pct, kNotMeasured);
        put("cache_hit_rate", HealthStatus::Warning, 0, true, stats::cache_warning, kNotMeasured);
        return (Datum)0;
    }
    const TimestampTz now = GetCurrentTimestamp();
    stats::maybe_sample(now);
    put("library_preloaded", HealthStatus::Ok, 1, false, 1, "usermatch is preloaded.");

    SpinLockAcquire(&stats::shared->mutex);
    const int64 dropped = stats::shared->dropped;
    const int64 minute = stats::second_of(now) / 60;
    double ratio = 0;
    for (int k = 0; k < 2; ++k)
        if (stats::shared->memory_minute[k] >= minute - 1) ratio = std::max(ratio, stats::shared->memory_ratio[k]);
    SpinLockRelease(&stats::shared->mutex);

    const HealthStatus dropped_status =
        usermatch::stats::grade_high_is_bad(double(dropped), 1, double(stats::max_entries));
    put("statistics_entries_dropped", dropped_status, double(dropped), false, 0,
        dropped_status == HealthStatus::Ok
            ? "Every call since the last reset was recorded."
            : "Calls were not recorded for lack of entries: raise usermatch.max_stat_entries (restart) or call "
              "usermatch.stat_reset().");

    const double pct = ratio * 100.0;
    const HealthStatus memory_status =
        usermatch::stats::grade_high_is_bad(pct, stats::memory_warning_pct, stats::memory_critical_pct);
    put("memory_budget", memory_status, pct, false, stats::memory_warning_pct,
        memory_status == HealthStatus::Ok
            ? "Calls of the last minute stayed well within usermatch.memory_limit."
            : "A call of the last minute used (or asked for) most of usermatch.memory_limit: raise it (within "
              "usermatch.max_memory_limit), or tighten blocking rules so fewer records share a block.");

    uint64 hits = 0, lookups = 0;
    LWLockAcquire(stats::shared->lock, LW_SHARED);
    HASH_SEQ_STATUS scan;
    hash_seq_init(&scan, stats::entries);
    stats::Entry* e;
    while ((e = static_cast<stats::Entry*>(hash_seq_search(&scan))) != nullptr) {
        SpinLockAcquire(&e->mutex);
        hits += e->counters.cache_hits;
        lookups += e->counters.cache_hits + e->counters.cache_misses;
        SpinLockRelease(&e->mutex);
    }
    LWLockRelease(stats::shared->lock);
    if (lookups == 0) {
        put("cache_hit_rate", HealthStatus::Ok, 0, true, stats::cache_warning, "No cache lookups recorded since the last reset.");
    } else {
        const double rate = double(hits) / double(lookups);
        const HealthStatus s = usermatch::stats::grade_low_is_bad(rate, stats::cache_warning, stats::cache_critical);
        put("cache_hit_rate", s, rate, false, stats::cache_warning,
            s == HealthStatus::Ok ? "The profile cache serves most lookups."
                                  : "Most lookups miss the profile cache: calls alternate between more profiles than "
                                    "the cache holds, or profiles change often.");
    }
    return (Datum)0;
}
