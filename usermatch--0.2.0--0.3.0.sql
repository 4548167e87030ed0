-- usermatch 0.2.0 -> 0.3.0: online matching, background jobs, statistics views and what later
-- sections add. A fresh CREATE EXTENSION runs usermatch--0.1.0.sql, then
-- usermatch--0.1.0--0.2.0.sql, then this file, so an install and an upgrade end with the same objects.
\echo Use "ALTER EXTENSION usermatch UPDATE TO '0.3.0'" to load this file. \quit

-- == statistics ==
-- Shared-memory statistics of usermatch calls (src/pg/stats), after pg_stat_statements: C
-- functions behind views. A role sees its own rows of performance_metrics; members of
-- pg_read_all_stats (and superusers) see every role's.

CREATE FUNCTION usermatch.stat_entries(
    OUT database_oid oid, OUT role_oid oid, OUT profile text, OUT operation text,
    OUT calls bigint, OUT errors bigint, OUT records_read bigint, OUT candidate_pairs bigint,
    OUT pairs_scored bigint, OUT matches_out bigint,
    OUT total_ms double precision, OUT min_ms double precision, OUT max_ms double precision,
    OUT mean_ms double precision, OUT p50_ms double precision, OUT p95_ms double precision,
    OUT p99_ms double precision, OUT calls_per_s_10s double precision,
    OUT records_per_s_10s double precision, OUT pairs_per_s_10s double precision,
    OUT records_per_s_1m double precision, OUT pairs_per_s_1m double precision,
    OUT cache_hit_rate double precision, OUT pool_reuse_rate double precision,
    OUT memory_peak_bytes bigint, OUT memory_mean_bytes bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'usermatch_stat_entries' LANGUAGE C STRICT VOLATILE PARALLEL SAFE;

CREATE VIEW usermatch.performance_metrics AS
SELECT d.datname AS database, r.rolname AS role, s.profile, s.operation,
       s.calls, s.errors, s.records_read, s.candidate_pairs, s.pairs_scored, s.matches_out,
       s.total_ms, s.min_ms, s.max_ms, s.mean_ms, s.p50_ms, s.p95_ms, s.p99_ms,
       s.calls_per_s_10s, s.records_per_s_10s, s.pairs_per_s_10s, s.records_per_s_1m, s.pairs_per_s_1m,
       s.cache_hit_rate, s.pool_reuse_rate, s.memory_peak_bytes, s.memory_mean_bytes
  FROM usermatch.stat_entries() s
  LEFT JOIN pg_catalog.pg_database d ON d.oid OPERATOR(pg_catalog.=) s.database_oid
  LEFT JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) s.role_oid;
COMMENT ON VIEW usermatch.performance_metrics IS
  'Calls of usermatch functions per database, role, profile and operation: counters, recent rates, latency percentiles (needs shared_preload_libraries)';

CREATE FUNCTION usermatch.stat_history(
    OUT sample_time timestamptz, OUT interval_s double precision, OUT calls bigint, OUT errors bigint,
    OUT calls_per_s double precision, OUT records_per_s double precision, OUT pairs_per_s double precision,
    OUT matches_per_s double precision, OUT p50_ms double precision, OUT p95_ms double precision,
    OUT p99_ms double precision, OUT memory_peak_bytes bigint, OUT memory_in_use_bytes bigint,
    OUT job_calls bigint, OUT job_errors bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'usermatch_stat_history' LANGUAGE C STRICT VOLATILE PARALLEL SAFE;

CREATE VIEW usermatch.performance_history AS SELECT * FROM usermatch.stat_history();
COMMENT ON VIEW usermatch.performance_history IS
  'Server-wide samples every usermatch.history_interval, the newest usermatch.history_size kept (rates and latencies over each interval)';

CREATE FUNCTION usermatch.stat_info(
    OUT stats_reset timestamptz, OUT dropped bigint, OUT entries bigint, OUT max_entries integer,
    OUT memory_in_use_bytes bigint, OUT preloaded boolean, OUT history_samples integer,
    OUT history_interval_ms integer)
RETURNS record
AS 'MODULE_PATHNAME', 'usermatch_stat_info' LANGUAGE C STRICT VOLATILE PARALLEL SAFE;

CREATE VIEW usermatch.stats_info AS SELECT * FROM usermatch.stat_info();
COMMENT ON VIEW usermatch.stats_info IS
  'When the statistics were last reset, and calls not recorded for lack of entries (usermatch.max_stat_entries)';

CREATE FUNCTION usermatch.stat_reset() RETURNS void
AS 'MODULE_PATHNAME', 'usermatch_stat_reset' LANGUAGE C STRICT VOLATILE PARALLEL SAFE;
REVOKE ALL ON FUNCTION usermatch.stat_reset() FROM PUBLIC;
COMMENT ON FUNCTION usermatch.stat_reset() IS 'Discards all usermatch call statistics (not the history); superuser unless granted';

CREATE FUNCTION usermatch.stats_health(
    OUT check_name text, OUT status text, OUT value double precision, OUT threshold double precision,
    OUT advice text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'usermatch_stats_health' LANGUAGE C STRICT VOLATILE PARALLEL SAFE;

-- One row per check; the job launcher's checks (usermatch.job_health(), same columns) are
-- added to this view with UNION ALL.
CREATE VIEW usermatch.system_health AS SELECT * FROM usermatch.stats_health();
COMMENT ON VIEW usermatch.system_health IS
  'Health checks: status ok / warning / critical, the measured value, the threshold and what to do';
