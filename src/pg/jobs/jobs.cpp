// Background jobs: one launcher per cluster (a background worker attached to usermatch.database)
// starts one dynamic background worker per queued job, at most usermatch.max_workers at a time.
//
// The launcher (after pg_cron's): sleeps on its latch (a committed submit_job / cancel_job /
// schedule, or a worker exiting, wakes it), reloads the configuration on SIGHUP, exits on SIGTERM
// and on postmaster death, resets its memory every pass, and each pass
//   1. settles jobs whose worker is gone (crash, restart, kill -9): queued again, or failed once
//      out of attempts (usermatch._jobs_recover, usermatch._job_exited);
//   2. stops the workers of cancelled jobs;
//   3. submits the jobs of due schedules (usermatch._fire_schedules);
//   4. starts workers for queued jobs, as the role that submitted each (which must still have LOGIN).
// It also calls launcher_hooks.tick() (statistics sampling) at the interval the hook asks for.
//
// A job worker connects as the job's owner and runs the job through SPI with that role's rights:
//   attempt start   one transaction runs the match into a temporary table numbered in a total
//                   order (pairs by id1, id2; cluster rows by record_id) and records progress;
//   batches         each transaction copies the next batch_size rows into the result table and
//                   advances the job's checkpoint (rows_written) in the same transaction;
//   resume          a later attempt recomputes the same ordered rows and skips those committed.
// So after kill -9 or a restart the results equal an uninterrupted run's (the same rows, no
// duplicates), provided the source did not change in between. Everything here is plain
// PostgreSQL code (no C++ objects), so ereport may unwind through it.
#include "pg/jobs/jobs.hpp"
#include "pg/stats/stats.hpp"

#include "pg/guard.hpp"
#include "pg/settings.hpp"

#include <algorithm>

extern "C" {
#include "access/xact.h"
#include "commands/dbcommands.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "tcop/tcopprot.h"
#include "utils/snapmgr.h"
#include "utils/elog.h"
#include "utils/timestamp.h"
}

extern "C" {
PGDLLEXPORT void usermatch_launcher_main(Datum);
PGDLLEXPORT void usermatch_job_main(Datum);
}

namespace usermatch::pg {
namespace {

// Shared memory: where the launcher's latch is, so a committing backend can wake it.
struct JobsShared {
    pid_t launcher_pid;
    Latch* launcher_latch;
};
JobsShared* jobs_shared = nullptr;
shmem_request_hook_type prev_shmem_request = nullptr;
shmem_startup_hook_type prev_shmem_startup = nullptr;

char* jobs_database = nullptr;  // usermatch.database
int max_workers = 8;            // usermatch.max_workers
bool wake_at_commit = false;

constexpr int kMaxSlots = 64;       // upper bound of usermatch.max_workers
constexpr long kIdleMs = 60000;     // a pass at least this often even if nothing wakes the launcher
constexpr long kRetryMs = 1000;     // after no free background-worker slot
constexpr long kErrorMs = 5000;     // after a launcher pass failed

struct WorkerExtra {  // bgw_extra of a job worker
    Oid database;
    Oid role;
};

void jobs_shmem_request() {
    if (prev_shmem_request) prev_shmem_request();
    RequestAddinShmemSpace(MAXALIGN(sizeof(JobsShared)));
}

void jobs_shmem_startup() {
    if (prev_shmem_startup) prev_shmem_startup();
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    bool found = false;
    jobs_shared = static_cast<JobsShared*>(ShmemInitStruct("usermatch jobs", sizeof(JobsShared), &found));
    if (!found) memset(jobs_shared, 0, sizeof(JobsShared));
    LWLockRelease(AddinShmemInitLock);
}

void wake_launcher_now() {
    if (jobs_shared) {
        Latch* latch = jobs_shared->launcher_latch;
        if (latch) SetLatch(latch);
    }
}

void jobs_xact_callback(XactEvent event, void*) {
    switch (event) {
    case XACT_EVENT_COMMIT:
        if (wake_at_commit) wake_launcher_now();
        wake_at_commit = false;
        break;
    case XACT_EVENT_ABORT:
    case XACT_EVENT_PREPARE:
        wake_at_commit = false;
        break;
    default:
        break;
    }
}

void clear_launcher(int, Datum) {
    if (jobs_shared && jobs_shared->launcher_pid == MyProcPid) {
        jobs_shared->launcher_latch = nullptr;
        jobs_shared->launcher_pid = 0;
    }
}

// ---- SPI helpers (plain PostgreSQL code) ----------------------------------------------------

void txn_begin() {
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "usermatch: SPI_connect failed");
    PushActiveSnapshot(GetTransactionSnapshot());
}

void txn_commit(MemoryContext back_to) {
    SPI_finish();
    PopActiveSnapshot();
    CommitTransactionCommand();
    MemoryContextSwitchTo(back_to);
}

// Runs one statement; returns SPI_processed.
uint64 spi_run(const char* sql, int nargs = 0, Oid* types = nullptr, Datum* values = nullptr,
               const char* nulls = nullptr) {
    pgstat_report_activity(STATE_RUNNING, sql);
    const int rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);
    if (rc < 0) elog(ERROR, "usermatch: SPI failed (%s) running: %s", SPI_result_code_string(rc), sql);
    return SPI_processed;
}

// Column `col` (1-based) of result row `row` as text, copied into `cxt`; nullptr for NULL.
char* spi_text(uint64 row, int col, MemoryContext cxt) {
    char* value = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
    return value ? MemoryContextStrdup(cxt, value) : nullptr;
}

int64 spi_int64(uint64 row, int col, int64 if_null = 0) {
    bool isnull = false;
    Datum d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &isnull);
    if (isnull) return if_null;
    const Oid type = SPI_gettypeid(SPI_tuptable->tupdesc, col);
    if (type == INT4OID) return DatumGetInt32(d);
    if (type == OIDOID || type == REGCLASSOID || type == REGROLEOID) return DatumGetObjectId(d);
    if (type == BOOLOID) return DatumGetBool(d) ? 1 : 0;
    return DatumGetInt64(d);
}

// ---- launcher -------------------------------------------------------------------------------

struct Slot {
    int64 job;
    int64 run;
    BackgroundWorkerHandle* handle;  // in TopMemoryContext; nullptr = free slot
    bool terminating;
};
Slot* slots = nullptr;

struct Start {
    int64 job;
    int64 run;
    Oid owner;
};

bool start_worker(const Start& start, Slot* slot) {
    BackgroundWorker worker;
    memset(&worker, 0, sizeof(worker));
    snprintf(worker.bgw_name, BGW_MAXLEN, "usermatch job %lld", (long long)start.job);
    snprintf(worker.bgw_type, BGW_MAXLEN, "usermatch job");
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = BGW_NEVER_RESTART;
    snprintf(worker.bgw_library_name, BGW_MAXLEN, "usermatch");
    snprintf(worker.bgw_function_name, BGW_MAXLEN, "usermatch_job_main");
    worker.bgw_main_arg = Int64GetDatum(start.job);
    worker.bgw_notify_pid = MyProcPid;
    WorkerExtra extra{MyDatabaseId, start.owner};
    memcpy(worker.bgw_extra, &extra, sizeof(extra));
    MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
    BackgroundWorkerHandle* handle = nullptr;
    const bool ok = RegisterDynamicBackgroundWorker(&worker, &handle);
    MemoryContextSwitchTo(old);
    if (!ok) return false;
    slot->job = start.job;
    slot->run = start.run;
    slot->handle = handle;
    slot->terminating = false;
    return true;
}

// One pass of the launcher; returns how long it may sleep (ms) before the next.
long launcher_pass(MemoryContext pass_context) {
    long timeout = kIdleMs;
    txn_begin();
    spi_run("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'usermatch' "
            "AND pg_catalog.to_regprocedure('usermatch._jobs_recover(bigint[])') IS NOT NULL");
    if (SPI_processed == 0) {  // not installed here (yet), or an older version without jobs
        txn_commit(pass_context);
        return timeout;
    }
    // 1. Workers that have exited, and running jobs nobody works on.
    for (int i = 0; i < kMaxSlots; ++i) {
        Slot& slot = slots[i];
        if (!slot.handle) continue;
        pid_t pid = 0;
        const BgwHandleStatus status = GetBackgroundWorkerPid(slot.handle, &pid);
        if (status == BGWH_STOPPED || status == BGWH_POSTMASTER_DIED) {
            Oid types[2] = {INT8OID, INT8OID};
            Datum values[2] = {Int64GetDatum(slot.job), Int64GetDatum(slot.run)};
            spi_run("SELECT usermatch._job_exited($1, $2)", 2, types, values);
            pfree(slot.handle);
            slot.handle = nullptr;
        } else if (!slot.terminating) {
            // 2. Cancelled jobs: stop their worker (SIGTERM; it rolls back its current batch).
            Oid types[1] = {INT8OID};
            Datum values[1] = {Int64GetDatum(slot.job)};
            spi_run("SELECT 1 FROM usermatch.job_queue WHERE id = $1 AND state = 'cancelled'", 1, types, values);
            if (SPI_processed > 0) {
                TerminateBackgroundWorker(slot.handle);
                slot.terminating = true;
            }
        }
    }
    {
        Datum* ids = static_cast<Datum*>(palloc(sizeof(Datum) * kMaxSlots));
        int n = 0;
        for (int i = 0; i < kMaxSlots; ++i)
            if (slots[i].handle) ids[n++] = Int64GetDatum(slots[i].job);
        ArrayType* array = construct_array(ids, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
        Oid types[1] = {INT8ARRAYOID};
        Datum values[1] = {PointerGetDatum(array)};
        spi_run("SELECT usermatch._jobs_recover($1)", 1, types, values);
    }
    // 3. Due schedules.
    spi_run("SELECT usermatch._fire_schedules()");
    // 4. Queued jobs, oldest first, as many as there are free slots.
    int used = 0;
    for (int i = 0; i < kMaxSlots; ++i) used += slots[i].handle != nullptr;
    const int free = std::min(max_workers, kMaxSlots) - used;
    Start* starts = static_cast<Start*>(palloc0(sizeof(Start) * kMaxSlots));
    int nstarts = 0;
    if (free > 0) {
        Oid types[1] = {INT4OID};
        Datum values[1] = {Int32GetDatum(free)};
        spi_run("SELECT q.id, q.owner::oid, coalesce(r.rolcanlogin, false), coalesce(r.rolname::text, q.owner::oid::text) "
                "FROM usermatch.job_queue q LEFT JOIN pg_catalog.pg_roles r ON r.oid = q.owner "
                "WHERE q.state = 'queued' ORDER BY q.id LIMIT $1",
                1, types, values);
        SPITupleTable* queued = SPI_tuptable;
        const uint64 count = SPI_processed;
        for (uint64 row = 0; row < count; ++row) {
            SPI_tuptable = queued;
            const int64 job = spi_int64(row, 1);
            const Oid owner = static_cast<Oid>(spi_int64(row, 2));
            const bool can_login = spi_int64(row, 3) != 0;
            char* role = spi_text(row, 4, CurrentMemoryContext);
            if (!can_login) {
                // Background workers connect as the role; PostgreSQL 15 refuses roles without LOGIN.
                Oid t[2] = {INT8OID, TEXTOID};
                Datum v[2] = {Int64GetDatum(job), CStringGetTextDatum(role)};
                spi_run("UPDATE usermatch.job_queue SET state = 'failed', finished = now(), error_code = '42501', "
                        "error = format('role %s cannot log in (or was dropped), and a job runs as the role that "
                        "submitted it', $2) WHERE id = $1",
                        2, t, v);
                continue;
            }
            Oid t[1] = {INT8OID};
            Datum v[1] = {Int64GetDatum(job)};
            spi_run("WITH run AS (INSERT INTO usermatch.job_runs (job_id, attempt, owner, resumed_from) "
                    "  SELECT id, attempts + 1, owner, rows_written FROM usermatch.job_queue "
                    "  WHERE id = $1 AND state = 'queued' RETURNING id, job_id) "
                    "UPDATE usermatch.job_queue q SET state = 'running', attempts = attempts + 1, started = now(), "
                    "  finished = NULL, error = NULL, error_code = NULL, rate = NULL, worker_pid = NULL, "
                    "  current_run = run.id FROM run WHERE q.id = run.job_id RETURNING run.id",
                    1, t, v);
            if (SPI_processed == 1) starts[nstarts++] = Start{job, spi_int64(0, 1), owner};
        }
    }
    spi_run("SELECT (extract(epoch FROM min(next_run) - now()) * 1000)::bigint FROM usermatch.job_schedules");
    bool isnull = false;
    Datum next = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
    if (!isnull) timeout = std::max(10L, std::min(timeout, static_cast<long>(DatumGetInt64(next)) + 5));
    txn_commit(pass_context);

    // Workers start after the commit, so they find their job marked running.
    for (int s = 0; s < nstarts; ++s) {
        Slot* slot = nullptr;
        for (int i = 0; i < kMaxSlots && !slot; ++i)
            if (!slots[i].handle) slot = &slots[i];
        if (slot && start_worker(starts[s], slot)) continue;
        // No background-worker slot free (max_worker_processes): queue the job again, retry soon.
        txn_begin();
        Oid t[2] = {INT8OID, INT8OID};
        Datum v[2] = {Int64GetDatum(starts[s].job), Int64GetDatum(starts[s].run)};
        spi_run("UPDATE usermatch.job_queue SET state = 'queued', attempts = attempts - 1, current_run = NULL "
                "WHERE id = $1 AND state = 'running' AND current_run = $2",
                2, t, v);
        spi_run("DELETE FROM usermatch.job_runs WHERE id = $2 AND job_id = $1", 2, t, v);
        txn_commit(pass_context);
        timeout = kRetryMs;
    }
    return timeout;
}

// ---- job worker -----------------------------------------------------------------------------

// The engine lowers its read batch to stay within usermatch.memory_limit and says so in a
// NOTICE; the worker records the lowest such batch size in the job (batch size in use).
int lowered_batch_size = 0;
emit_log_hook_type prev_emit_log_hook = nullptr;


struct Job {
    int64 id;
    char* kind;
    char* profile;
    Oid source;
    char* source_name;
    Oid target;  // InvalidOid: none
    char* target_name;
    char* result_table;
    int batch_size;
    int64 rows_written;
    bool incremental;
    char* watermark_column;
    char* watermark_from;
    char* watermark_to;
    char* min_probability;  // text of options.min_probability, or nullptr
    char* train_options;    // jsonb text of options.train, or nullptr
    int64 owner;
    char* incremental_path;  // "online_index" or "link", fixed by the first attempt; or nullptr
};

[[noreturn]] void job_error(int code, const char* message, const char* hint = nullptr) {
    ereport(ERROR, (errcode(code), errmsg("%s", message), hint ? errhint("%s", hint) : 0));
    pg_unreachable();
}

char* qualified_name(Oid relation) {
    char* name = get_rel_name(relation);
    char* schema = get_namespace_name(get_rel_namespace(relation));
    if (!name || !schema) return nullptr;
    return quote_qualified_identifier(schema, name);
}

// Reads the job (as its owner: row-level security applies) and claims it. False: nothing to do.
bool load_job(int64 id, Job* job, MemoryContext cxt) {
    Oid types[2] = {INT8OID, INT4OID};
    Datum values[2] = {Int64GetDatum(id), Int32GetDatum(MyProcPid)};
    spi_run("UPDATE usermatch.job_queue SET worker_pid = $2 WHERE id = $1 AND state = 'running' "
            "RETURNING kind, profile, source, source_name, target, target_name, result_table, batch_size, "
            "rows_written, coalesce((options->>'incremental')::boolean, false), options->>'watermark_column', "
            "watermark_from, watermark_to, options->>'min_probability', options->'train', owner, "
            "result->>'incremental_path'",
            2, types, values);
    if (SPI_processed != 1) return false;
    job->id = id;
    job->kind = spi_text(0, 1, cxt);
    job->profile = spi_text(0, 2, cxt);
    job->source = static_cast<Oid>(spi_int64(0, 3));
    job->source_name = spi_text(0, 4, cxt);
    job->target = static_cast<Oid>(spi_int64(0, 5, InvalidOid));
    job->target_name = spi_text(0, 6, cxt);
    job->result_table = spi_text(0, 7, cxt);
    job->batch_size = static_cast<int>(spi_int64(0, 8));
    job->rows_written = spi_int64(0, 9);
    job->incremental = spi_int64(0, 10) != 0;
    job->watermark_column = spi_text(0, 11, cxt);
    job->watermark_from = spi_text(0, 12, cxt);
    job->watermark_to = spi_text(0, 13, cxt);
    job->min_probability = spi_text(0, 14, cxt);
    job->train_options = spi_text(0, 15, cxt);
    job->owner = spi_int64(0, 16);
    job->incremental_path = spi_text(0, 17, cxt);
    return true;
}

// Fails (42704 / 42P01) when the profile, source, target or result table was dropped, naming it.
void check_job_objects(Job& job) {
    Oid types[1] = {TEXTOID};
    Datum values[1] = {CStringGetTextDatum(job.profile)};
    spi_run("SELECT 1 FROM usermatch.profiles WHERE name = $1", 1, types, values);
    if (SPI_processed == 0)
        job_error(ERRCODE_UNDEFINED_OBJECT, psprintf("usermatch job %lld: profile \"%s\" was dropped", (long long)job.id, job.profile));
    if (!get_rel_name(job.source))
        job_error(ERRCODE_UNDEFINED_TABLE,
                  psprintf("usermatch job %lld: source relation %s was dropped", (long long)job.id, job.source_name));
    if (OidIsValid(job.target) && !get_rel_name(job.target))
        job_error(ERRCODE_UNDEFINED_TABLE,
                  psprintf("usermatch job %lld: target relation %s was dropped", (long long)job.id, job.target_name));
    if (job.result_table) {
        values[0] = CStringGetTextDatum(job.result_table);
        spi_run("SELECT pg_catalog.to_regclass($1)", 1, types, values);
        bool isnull = true;
        const Datum oid = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
        if (isnull)
            job_error(ERRCODE_UNDEFINED_TABLE, psprintf("usermatch job %lld: result table %s was dropped",
                                                        (long long)job.id, job.result_table));
        // From here on the table's quoted name, never the stored text, goes into SQL.
        job.result_table = MemoryContextStrdup(TopMemoryContext, qualified_name(DatumGetObjectId(oid)));
    }
}

// For an incremental job: the watermark range (from the last successful run of the same
// definition, to the source's current maximum), fixed by the first attempt so a resumed attempt
// reads the same rows; then a temporary view of the source rows inside it.
void prepare_increment(Job* job, MemoryContext cxt) {
    const char* source = qualified_name(job->source);
    const char* column = quote_identifier(job->watermark_column);
    if (!job->watermark_to) {
        Oid types[4] = {INT8OID, OIDOID, OIDOID, TEXTOID};
        Datum values[4] = {Int64GetDatum(job->id), ObjectIdGetDatum(job->source), ObjectIdGetDatum(job->target),
                           CStringGetTextDatum(job->watermark_column)};
        char nulls[4] = {' ', ' ', OidIsValid(job->target) ? ' ' : 'n', ' '};
        spi_run("SELECT p.watermark_to FROM usermatch.job_queue p, usermatch.job_queue me "
                "WHERE me.id = $1 AND p.id <> me.id AND p.owner = me.owner AND p.kind = me.kind "
                "AND p.profile = me.profile AND p.source = $2 AND p.target IS NOT DISTINCT FROM $3 "
                "AND p.state = 'succeeded' AND (p.options->>'incremental')::boolean "
                "AND p.options->>'watermark_column' = $4 AND p.watermark_to IS NOT NULL "
                "ORDER BY p.finished DESC, p.id DESC LIMIT 1",
                4, types, values, nulls);
        job->watermark_from = SPI_processed ? spi_text(0, 1, cxt) : nullptr;
        spi_run(psprintf("SELECT max(%s)::text FROM %s", column, source));
        job->watermark_to = spi_text(0, 1, cxt);
        Oid t[3] = {INT8OID, TEXTOID, TEXTOID};
        Datum v[3] = {Int64GetDatum(job->id), job->watermark_from ? CStringGetTextDatum(job->watermark_from) : 0,
                      job->watermark_to ? CStringGetTextDatum(job->watermark_to) : 0};
        char n[3] = {' ', job->watermark_from ? ' ' : 'n', job->watermark_to ? ' ' : 'n'};
        spi_run("UPDATE usermatch.job_queue SET watermark_from = $2, watermark_to = $3 WHERE id = $1", 3, t, v, n);
    }
    StringInfoData sql;
    initStringInfo(&sql);
    appendStringInfo(&sql, "CREATE TEMPORARY VIEW usermatch_job_increment AS SELECT * FROM %s WHERE ", source);
    if (!job->watermark_to)
        appendStringInfoString(&sql, "false");
    else {
        appendStringInfo(&sql, "%s <= %s", column, quote_literal_cstr(job->watermark_to));
        if (job->watermark_from) appendStringInfo(&sql, " AND %s > %s", column, quote_literal_cstr(job->watermark_from));
    }
    spi_run("DROP VIEW IF EXISTS pg_temp.usermatch_job_increment");
    spi_run(sql.data);
}

// The query whose rows the job writes, with the columns of its result table and a total order.
// $1 profile, $2 source (or the increment view), $3 target, $4 min_probability.
const char* job_query(const Job& job, const char** columns, const char** order) {
    if (strcmp(job.kind, "clusters") == 0) {
        *columns = "record_id, entity_id, cluster_size";
        *order = "record_id COLLATE \"C\"";
        return "SELECT record_id, entity_id, cluster_size FROM usermatch.clusters($1, $2, $4)";
    }
    *columns = "id1, id2, match_weight, match_probability";
    *order = "id1 COLLATE \"C\", id2 COLLATE \"C\"";
    if (strcmp(job.kind, "link") == 0)
        return "SELECT left_id AS id1, right_id AS id2, match_weight, match_probability "
               "FROM usermatch.link($1, $2, $3, $4)";
    if (job.incremental && job.watermark_from)
        // New or changed rows against every row: link them to the whole source, drop self pairs,
        // order each pair as dedupe() does and keep one of its two directions.
        return "SELECT DISTINCT ON (id1, id2) id1, id2, match_weight, match_probability FROM ("
               "  SELECT CASE WHEN usermatch._id_less(right_id, left_id) THEN right_id ELSE left_id END AS id1,"
               "         CASE WHEN usermatch._id_less(right_id, left_id) THEN left_id ELSE right_id END AS id2,"
               "         match_weight, match_probability"
               "  FROM usermatch.link($1, $2, $3, $4) WHERE left_id <> right_id) p ORDER BY id1, id2";
    return "SELECT id1, id2, match_weight, match_probability FROM usermatch.dedupe($1, $2, $4)";
}

// ---- incremental runs through the online index ------------------------------------------------
// An incremental dedupe or link job past its first run matches its new rows with match_many
// against the target's online index (the cache warm_cache keeps fresh through the change log),
// instead of link() reading and normalising the whole target. match_many goes through SQL on
// purpose: it is the online layer's contract (its cache is being made shared between backends,
// so a worker will attach to an index instead of building one), and a JSON array of at most
// 100,000 new rows costs milliseconds against reading the target. The path is chosen once per job
// (usermatch._incremental_online_refusal: only where the results equal link()'s, but for blocks
// within a few rows of max_block_size, see there) and kept by every attempt, so a resumed
// attempt recomputes the same rows.

// A column of the increment as load_source reads it (source_reader.cpp, build_query): dates and
// times as YYYY-MM-DD, anything else as text. Plain PostgreSQL code.
const char* column_as_source_text(Oid relid, const char* column) {
    const AttrNumber attnum = get_attnum(relid, column);
    if (attnum == InvalidAttrNumber || attnum < 0)
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN), errmsg("usermatch: column \"%s\" of the source does not exist", column)));
    char category;
    bool preferred;
    get_type_category_preferred(getBaseType(get_atttype(relid, attnum)), &category, &preferred);
    const char* quoted = quote_identifier(column);
    if (category == TYPCATEGORY_DATETIME) return psprintf("pg_catalog.to_char(%s, 'YYYY-MM-DD')", quoted);
    return psprintf("%s::pg_catalog.text", quoted);
}

// The rows of an incremental job through the online index; $1 profile, $3 target (as job_query).
const char* online_query(const Job& job, Oid increment) {
    Oid types[1] = {TEXTOID};
    Datum values[1] = {CStringGetTextDatum(job.profile)};
    spi_run("SELECT c FROM usermatch.profiles p, LATERAL ("
            "  SELECT f->>'column' FROM pg_catalog.jsonb_array_elements(p.spec->'fields') f"
            "  UNION SELECT f->>'region_column' FROM pg_catalog.jsonb_array_elements(p.spec->'fields') f) x(c) "
            "WHERE p.name = $1 AND c IS NOT NULL UNION ALL "
            "SELECT NULL UNION ALL SELECT spec->>'id' FROM usermatch.profiles WHERE name = $1",
            1, types, values);
    // Rows: the columns, a NULL, the id column.
    const uint64 n = SPI_processed;
    if (n < 2) elog(ERROR, "usermatch job %lld: profile \"%s\" was dropped", (long long)job.id, job.profile);
    StringInfoData record;
    initStringInfo(&record);
    appendStringInfoString(&record, "pg_catalog.jsonb_build_object(");
    int in_call = 0;
    const char* id_column = spi_text(n - 1, 1, CurrentMemoryContext);
    char** columns = static_cast<char**>(palloc(sizeof(char*) * n));
    for (uint64 i = 0; i < n; ++i) columns[i] = spi_text(i, 1, CurrentMemoryContext);
    for (uint64 i = 0; i + 2 < n; ++i) {
        if (in_call == 40) {  // jsonb_build_object takes at most 100 arguments
            appendStringInfoString(&record, ") OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(");
            in_call = 0;
        }
        appendStringInfo(&record, "%s%s, %s", in_call ? ", " : "", quote_literal_cstr(columns[i]),
                         column_as_source_text(increment, columns[i]));
        ++in_call;
    }
    appendStringInfoChar(&record, ')');
    StringInfoData sql;
    initStringInfo(&sql);
    appendStringInfo(&sql,
                     "WITH inc AS MATERIALIZED (SELECT pg_catalog.row_number() OVER () AS pos, %s AS id, %s AS rec "
                     "  FROM pg_temp.usermatch_job_increment), "
                     "m AS MATERIALIZED (SELECT * FROM usermatch.match_many($1, (SELECT "
                     "  coalesce(pg_catalog.jsonb_agg(rec ORDER BY pos), '[]'::jsonb) FROM inc), $3, 2147483647) "
                     "  WHERE EXISTS (SELECT FROM inc)) ",  // nothing new: no index needed
                     column_as_source_text(increment, id_column), record.data);
    if (strcmp(job.kind, "link") == 0)
        appendStringInfoString(&sql, "SELECT inc.id AS id1, m.id AS id2, m.match_weight, m.match_probability "
                                     "FROM m JOIN inc ON inc.pos = m.\"position\"");
    else  // as job_query's incremental dedupe: no self pairs, each pair in dedupe's order, once
        appendStringInfoString(&sql,
                               "SELECT DISTINCT ON (id1, id2) id1, id2, match_weight, match_probability FROM ("
                               "  SELECT CASE WHEN usermatch._id_less(m.id, inc.id) THEN m.id ELSE inc.id END AS id1,"
                               "         CASE WHEN usermatch._id_less(m.id, inc.id) THEN inc.id ELSE m.id END AS id2,"
                               "         m.match_weight, m.match_probability"
                               "  FROM m JOIN inc ON inc.pos = m.\"position\" WHERE inc.id <> m.id) p ORDER BY id1, id2");
    return sql.data;
}

// Chooses (first attempt) or reads (later attempts) the path of an incremental job past its
// first run, and records it in the job's result; true: through the online index.
bool use_online_index(Job* job, Oid increment, Oid target, MemoryContext cxt) {
    if (!job->incremental_path) {
        Oid types[5] = {INT8OID, TEXTOID, TEXTOID, REGCLASSOID, REGCLASSOID};
        Datum values[5] = {Int64GetDatum(job->id), CStringGetTextDatum(job->kind), CStringGetTextDatum(job->profile),
                           ObjectIdGetDatum(increment), ObjectIdGetDatum(target)};
        char nulls[5] = {' ', ' ', ' ', ' ', OidIsValid(target) ? ' ' : 'n'};
        spi_run("UPDATE usermatch.job_queue SET result = pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object("
                "  'incremental_path', CASE WHEN r.refusal IS NULL THEN 'online_index' ELSE 'link' END, 'link_reason', r.refusal)) "
                "FROM (SELECT usermatch._incremental_online_refusal($2, $3, $4, $5, options) AS refusal "
                "      FROM usermatch.job_queue WHERE id = $1) r "
                "WHERE id = $1 RETURNING result->>'incremental_path'",
                5, types, values, nulls);
        job->incremental_path = spi_text(0, 1, cxt);
    }
    return job->incremental_path && strcmp(job->incremental_path, "online_index") == 0;
}

double seconds_since(TimestampTz start) {
    return static_cast<double>(GetCurrentTimestamp() - start) / 1e6;
}

void set_batch_size_setting(int batch_size) {
    char value[32];
    snprintf(value, sizeof(value), "%d", std::max(100, batch_size));
    SetConfigOption("usermatch.batch_size", value, PGC_USERSET, PGC_S_SESSION);
}

// Runs the job; returns normally when it succeeded, was cancelled, or is no longer this worker's.
// The attempt this worker runs, for its statistics row (operation "job:<kind>"); the strings
// live in the job's memory context, which outlives a failed transaction.
const char* attempt_kind = nullptr;
const char* attempt_profile = nullptr;
TimestampTz attempt_start = 0;

void record_attempt(bool error, int64 records, int64 rows_out) {
    if (!attempt_kind) return;
    stats::CallFigures figures;
    figures.error = error;
    figures.records_read = static_cast<std::uint64_t>(std::max<int64>(records, 0));
    figures.matches_out = static_cast<std::uint64_t>(std::max<int64>(rows_out, 0));
    figures.elapsed_ms = static_cast<double>(GetCurrentTimestamp() - attempt_start) / 1000.0;
    stats::record_job(attempt_kind, attempt_profile, figures);
}

void run_job(int64 id, MemoryContext cxt) {
    Job job;
    memset(&job, 0, sizeof(job));
    txn_begin();
    const bool claimed = load_job(id, &job, cxt);
    txn_commit(cxt);  // the claim (worker_pid) stays even if the attempt fails
    if (!claimed) return;
    attempt_kind = job.kind;
    attempt_profile = job.profile;
    attempt_start = GetCurrentTimestamp();
    txn_begin();
    check_job_objects(job);
    set_batch_size_setting(job.batch_size);
    Oid source = job.source;
    if (strcmp(job.kind, "train") == 0) {
        Oid types[5] = {TEXTOID, REGCLASSOID, REGCLASSOID, TEXTOID, INT8OID};
        Datum values[5] = {CStringGetTextDatum(job.profile), ObjectIdGetDatum(job.source), ObjectIdGetDatum(job.target),
                           job.train_options ? CStringGetTextDatum(job.train_options) : 0, Int64GetDatum(job.id)};
        char nulls[5] = {' ', ' ', OidIsValid(job.target) ? ' ' : 'n', job.train_options ? ' ' : 'n', ' '};
        spi_run(psprintf("WITH t AS (SELECT usermatch.train($1, $2, $3, coalesce($4::jsonb, '{}')) AS result) "
                         "UPDATE usermatch.job_queue SET result = t.result, state = 'succeeded', finished = now(), "
                         "records_total = (SELECT count(*) FROM %s), records_done = (SELECT count(*) FROM %s) "
                         "FROM t WHERE id = $5 AND state = 'running'",
                         qualified_name(job.source), qualified_name(job.source)),
                5, types, values, nulls);
        txn_commit(cxt);
        record_attempt(false, 0, 0);
        return;
    }
    if (job.incremental) {
        prepare_increment(&job, cxt);
        spi_run("SELECT 'pg_temp.usermatch_job_increment'::regclass::oid");
        source = static_cast<Oid>(spi_int64(0, 1));
    }
    const char* columns = nullptr;
    const char* order = nullptr;
    const char* query = job_query(job, &columns, &order);
    // The target of an incremental dedupe is the whole source.
    const Oid target = strcmp(job.kind, "dedupe") == 0 ? job.source : job.target;
    const bool increment = job.incremental && job.watermark_from && strcmp(job.kind, "train") != 0 &&
                           strcmp(job.kind, "clusters") != 0;
    const bool online = increment && use_online_index(&job, source, target, cxt);
    TimestampTz compute_start = GetCurrentTimestamp();
    double index_seconds = 0;
    if (online) {
        query = online_query(job, source);
        // Builds this backend's index of the target (or attaches to a shared one), so the
        // figures tell the index apart from the matching.
        Oid types[2] = {TEXTOID, REGCLASSOID};
        Datum values[2] = {CStringGetTextDatum(job.profile), ObjectIdGetDatum(target)};
        spi_run("SELECT pg_catalog.count(*) FROM usermatch.match_many($1, '[]'::jsonb, $2, 1) "
                "WHERE EXISTS (SELECT FROM pg_temp.usermatch_job_increment)",
                2, types, values);
        index_seconds = seconds_since(compute_start);
        compute_start = GetCurrentTimestamp();
    }
    {
        Oid types[4] = {TEXTOID, REGCLASSOID, REGCLASSOID, FLOAT8OID};
        Datum values[4] = {CStringGetTextDatum(job.profile), ObjectIdGetDatum(source), ObjectIdGetDatum(target),
                           job.min_probability ? Float8GetDatum(strtod(job.min_probability, nullptr)) : 0};
        char nulls[4] = {' ', ' ', OidIsValid(target) ? ' ' : 'n', job.min_probability ? ' ' : 'n'};
        spi_run("DROP TABLE IF EXISTS pg_temp.usermatch_job_rows");
        spi_run(psprintf("CREATE TEMPORARY TABLE usermatch_job_rows AS "
                         "SELECT row_number() OVER (ORDER BY %s) AS n, q.* FROM (%s) q",
                         order, query),
                4, types, values, nulls);
    }
    const int64 total = static_cast<int64>(SPI_processed);
    if (increment) {  // where the worker spent its time (usermatch.jobs.result)
        const double compute_seconds = seconds_since(compute_start);
        Oid types[3] = {INT8OID, FLOAT8OID, FLOAT8OID};
        Datum values[3] = {Int64GetDatum(job.id), Float8GetDatum(index_seconds), Float8GetDatum(compute_seconds)};
        spi_run(online ? "UPDATE usermatch.job_queue SET result = result || pg_catalog.jsonb_build_object("
                         "'index_seconds', round($2::numeric, 3), 'match_seconds', round($3::numeric, 3)) WHERE id = $1"
                       : "UPDATE usermatch.job_queue SET result = result || pg_catalog.jsonb_build_object("
                         "'link_seconds', round($3::numeric, 3)) WHERE id = $1",
                3, types, values);
    }
    int64 records_total = 0;
    spi_run("ALTER TABLE pg_temp.usermatch_job_rows ADD PRIMARY KEY (n)");
    if (lowered_batch_size > 0 && lowered_batch_size < job.batch_size) {
        job.batch_size = lowered_batch_size;
        Oid types[2] = {INT8OID, INT4OID};
        Datum values[2] = {Int64GetDatum(job.id), Int32GetDatum(job.batch_size)};
        spi_run("UPDATE usermatch.job_queue SET batch_size = $2 WHERE id = $1", 2, types, values);
    }
    {
        Oid types[3] = {INT8OID, INT8OID, OIDOID};
        Datum values[3] = {Int64GetDatum(job.id), Int64GetDatum(total), ObjectIdGetDatum(source)};
        spi_run(psprintf("UPDATE usermatch.job_queue SET pairs_found = $2, "
                         "records_total = (SELECT count(*) FROM %s), records_done = (SELECT count(*) FROM %s) "
                         "WHERE id = $1 RETURNING records_total",
                         qualified_name(source), qualified_name(source)),
                2, types, values);
        records_total = spi_int64(0, 1);
    }
    // The view of the new rows has served (its rows are in usermatch_job_rows). Dropped in this
    // transaction: it depends on the source, and a worker killed during the batches below would
    // leave it in its temporary schema, where it blocked DROP TABLE of the source.
    if (job.incremental) spi_run("DROP VIEW IF EXISTS pg_temp.usermatch_job_increment");
    txn_commit(cxt);

    // Committed batches, each with its checkpoint.
    int64 done = job.rows_written;
    const char* insert = psprintf("INSERT INTO %s (job_id, %s) SELECT $1, %s FROM pg_temp.usermatch_job_rows "
                                  "WHERE n > $2 AND n <= $3 ORDER BY n",
                                  job.result_table, columns, columns);
    while (done < total) {
        CHECK_FOR_INTERRUPTS();
        const int64 end = std::min<int64>(total, done + job.batch_size);
        txn_begin();
        Oid types[3] = {INT8OID, INT8OID, INT8OID};
        Datum values[3] = {Int64GetDatum(job.id), Int64GetDatum(done), Int64GetDatum(end)};
        spi_run(insert, 3, types, values);
        spi_run("UPDATE usermatch.job_queue SET rows_written = $3, "
                "rate = ($3 - (SELECT resumed_from FROM usermatch.job_runs WHERE id = current_run)) "
                "       / greatest(extract(epoch FROM clock_timestamp() - started), 0.001) "
                "WHERE id = $1 AND state = 'running' AND rows_written = $2 AND worker_pid = pg_backend_pid()",
                3, types, values);
        if (SPI_processed != 1) {  // cancelled, or no longer ours: drop this batch
            SPI_finish();
            PopActiveSnapshot();
            AbortCurrentTransaction();
            MemoryContextSwitchTo(cxt);
            return;
        }
        txn_commit(cxt);
        done = end;
    }
    txn_begin();
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(job.id)};
    spi_run("UPDATE usermatch.job_queue SET state = 'succeeded', finished = now(), error = NULL, error_code = NULL "
            "WHERE id = $1 AND state = 'running' AND worker_pid = pg_backend_pid()",
            1, types, values);
    spi_run("DROP TABLE IF EXISTS pg_temp.usermatch_job_rows");
    txn_commit(cxt);
    record_attempt(false, records_total, total);
}

// Records a failed attempt: queued again while attempts remain, else failed with the error.
// Errors another attempt cannot fix fail at once: data (22), rules and rights (42), integrity
// (23), and memory (53200: the engine already lowered its batch size to the one row that did not
// fit, or the structures of the run do not fit; its message says which).
void record_failure(int64 id, ErrorData* error, MemoryContext cxt) {
    const char* code = pstrdup(unpack_sql_state(error->sqlerrcode));  // a static buffer
    const char* category = pstrdup(unpack_sql_state(ERRCODE_TO_CATEGORY(error->sqlerrcode)));
    const bool permanent = strncmp(category, "22", 2) == 0 || strncmp(category, "42", 2) == 0 ||
                           strncmp(category, "23", 2) == 0 || error->sqlerrcode == ERRCODE_OUT_OF_MEMORY;
    StringInfoData message;
    initStringInfo(&message);
    appendStringInfoString(&message, error->message ? error->message : "unknown error");
    if (error->detail) appendStringInfo(&message, " (%s)", error->detail);
    txn_begin();
    Oid types[4] = {INT8OID, TEXTOID, TEXTOID, BOOLOID};
    Datum values[4] = {Int64GetDatum(id), CStringGetTextDatum(message.data), CStringGetTextDatum(code),
                       BoolGetDatum(permanent)};
    spi_run("UPDATE usermatch.job_queue SET "
            " state = CASE WHEN NOT $4 AND attempts < max_attempts THEN 'queued' ELSE 'failed' END, "
            " finished = CASE WHEN NOT $4 AND attempts < max_attempts THEN NULL ELSE now() END, "
            " error = CASE WHEN NOT $4 AND attempts >= max_attempts "
            "              THEN $2 || format(' (after %s attempts, max_attempts)', attempts) ELSE $2 END, "
            " error_code = $3, worker_pid = NULL "
            "WHERE id = $1 AND state = 'running' AND worker_pid = pg_backend_pid()",
            4, types, values);
    txn_commit(cxt);
}

void job_emit_log_hook(ErrorData* edata) {
    int from = 0, to = 0;
    if (edata->elevel == NOTICE && edata->message &&
        sscanf(edata->message, "usermatch: batch size lowered from %d to %d rows", &from, &to) == 2 && to > 0)
        lowered_batch_size = lowered_batch_size ? std::min(lowered_batch_size, to) : to;
    if (edata->elevel < WARNING) edata->output_to_server = false;  // notices stay out of the server log
    if (prev_emit_log_hook) prev_emit_log_hook(edata);
}

}  // namespace

void init_jobs() {
    // A PGC_POSTMASTER variable can only be defined while preloading (else FATAL); without
    // preload there are no jobs to configure.
    if (loaded_by_preload)
        DefineCustomStringVariable("usermatch.database", "Database whose background jobs the launcher runs.",
                                   "Jobs can be submitted only in this database.", &jobs_database, "postgres",
                                   PGC_POSTMASTER, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("usermatch.max_workers", "Most background jobs running at once.",
                            "Each running job uses one of max_worker_processes.", &max_workers, 8, 0, kMaxSlots,
                            PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    if (!loaded_by_preload) return;
    prev_shmem_request = shmem_request_hook;
    shmem_request_hook = jobs_shmem_request;
    prev_shmem_startup = shmem_startup_hook;
    shmem_startup_hook = jobs_shmem_startup;
    RegisterXactCallback(jobs_xact_callback, nullptr);

    BackgroundWorker worker;
    memset(&worker, 0, sizeof(worker));
    snprintf(worker.bgw_name, BGW_MAXLEN, "usermatch launcher");
    snprintf(worker.bgw_type, BGW_MAXLEN, "usermatch launcher");
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = 5;
    snprintf(worker.bgw_library_name, BGW_MAXLEN, "usermatch");
    snprintf(worker.bgw_function_name, BGW_MAXLEN, "usermatch_launcher_main");
    RegisterBackgroundWorker(&worker);
}

}  // namespace usermatch::pg

namespace pgjobs = usermatch::pg;

extern "C" void usermatch_launcher_main(Datum) {
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnection(pgjobs::jobs_database, nullptr, 0);
    pgstat_report_appname("usermatch launcher");
    if (pgjobs::jobs_shared) {
        pgjobs::jobs_shared->launcher_latch = MyLatch;
        pgjobs::jobs_shared->launcher_pid = MyProcPid;
        before_shmem_exit(pgjobs::clear_launcher, 0);
    }
    pgjobs::slots = static_cast<pgjobs::Slot*>(MemoryContextAllocZero(TopMemoryContext, sizeof(pgjobs::Slot) * pgjobs::kMaxSlots));
    MemoryContext pass_context = AllocSetContextCreate(TopMemoryContext, "usermatch launcher", ALLOCSET_DEFAULT_SIZES);
    TimestampTz next_tick = 0;
    while (!ShutdownRequestPending) {
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            ProcessConfigFile(PGC_SIGHUP);
            next_tick = 0;  // sample now, then at the (possibly new) usermatch.history_interval
        }
        MemoryContextSwitchTo(pass_context);
        long timeout = pgjobs::kIdleMs;
        PG_TRY();
        {
            const auto& hooks = usermatch::pg::launcher_hooks;
            if (hooks.tick && hooks.interval_ms) {
                const long interval = std::max(10L, hooks.interval_ms());
                const TimestampTz now = GetCurrentTimestamp();
                if (now >= next_tick) {
                    hooks.tick();
                    next_tick = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), interval);
                }
                timeout = std::min(timeout, std::max(1L, static_cast<long>((next_tick - GetCurrentTimestamp()) / 1000)));
            }
            timeout = std::min(timeout, pgjobs::launcher_pass(pass_context));
        }
        PG_CATCH();
        {
            MemoryContextSwitchTo(pass_context);
            EmitErrorReport();
            FlushErrorState();
            AbortCurrentTransaction();
            timeout = pgjobs::kErrorMs;
        }
        PG_END_TRY();
        pgstat_report_activity(STATE_IDLE, nullptr);
        MemoryContextSwitchTo(TopMemoryContext);
        MemoryContextReset(pass_context);
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, timeout, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
    }
    proc_exit(0);
}

extern "C" void usermatch_job_main(Datum arg) {
    const int64 id = DatumGetInt64(arg);
    pgjobs::WorkerExtra extra;
    memcpy(&extra, MyBgworkerEntry->bgw_extra, sizeof(extra));
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    // As the submitting role: it reads and writes only what that role may.
    BackgroundWorkerInitializeConnectionByOid(extra.database, extra.role, 0);
    char appname[64];
    snprintf(appname, sizeof(appname), "usermatch job %lld", (long long)id);
    pgstat_report_appname(appname);
    // Notices reach emit_log_hook only when the server would log them (see job_emit_log_hook).
    SetConfigOption("log_min_messages", "notice", PGC_SUSET, PGC_S_OVERRIDE);
    pgjobs::prev_emit_log_hook = emit_log_hook;
    emit_log_hook = pgjobs::job_emit_log_hook;
    MemoryContext cxt = AllocSetContextCreate(TopMemoryContext, "usermatch job", ALLOCSET_DEFAULT_SIZES);
    MemoryContextSwitchTo(cxt);
    PG_TRY();
    { pgjobs::run_job(id, cxt); }
    PG_CATCH();
    {
        MemoryContextSwitchTo(cxt);
        ErrorData* error = CopyErrorData();
        EmitErrorReport();
        FlushErrorState();
        AbortCurrentTransaction();
        MemoryContextSwitchTo(cxt);
        pgjobs::record_attempt(true, 0, 0);
        pgjobs::record_failure(id, error, cxt);
    }
    PG_END_TRY();
    pgstat_report_activity(STATE_IDLE, nullptr);
    proc_exit(0);
}

// ---- SQL helpers --------------------------------------------------------------------------------

USERMATCH_FUNCTION(usermatch_jobs_available) {
    if (!pgjobs::loaded_by_preload || !pgjobs::jobs_shared)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("usermatch: background jobs need the usermatch library preloaded"),
                        errhint("Add usermatch to shared_preload_libraries in postgresql.conf and restart the server.")));
    const char* here = get_database_name(MyDatabaseId);
    if (!here || strcmp(here, pgjobs::jobs_database) != 0)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("usermatch: background jobs run in database \"%s\" (usermatch.database), not in \"%s\"",
                               pgjobs::jobs_database, here ? here : "?"),
                        errhint("Submit jobs there, or set usermatch.database and restart the server.")));
    PG_RETURN_VOID();
}

USERMATCH_FUNCTION(usermatch_wake_launcher) {
    pgjobs::wake_at_commit = true;
    PG_RETURN_VOID();
}

USERMATCH_FUNCTION(usermatch_launcher_pid) {
    if (!pgjobs::jobs_shared || pgjobs::jobs_shared->launcher_pid == 0) PG_RETURN_NULL();
    PG_RETURN_INT32(pgjobs::jobs_shared->launcher_pid);
}
