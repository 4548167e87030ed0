-- usermatch 0.2.0 -> 0.3.0: online matching, background jobs, statistics views and what later
-- sections add. A fresh CREATE EXTENSION runs usermatch--0.1.0.sql, then
-- usermatch--0.1.0--0.2.0.sql, then this file, so an install and an upgrade end with the same objects.
\echo Use "ALTER EXTENSION usermatch UPDATE TO '0.3.0'" to load this file. \quit

-- == online matching ==
-- match_one / match_many score one record (or a few) against a prepared index of the target,
-- cached per backend and kept fresh by a change log that warm_cache installs (see
-- src/pg/online/online_functions.cpp for the design).

-- Targets whose change log is installed; generation is bumped when warm_cache prunes the log, which
-- invalidates every index built before. Not user data (indexes are rebuilt from the targets).
CREATE TABLE usermatch.online_targets (
    relid oid NOT NULL,
    id_column text NOT NULL,
    generation bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (relid, id_column)
);
-- Rows written to a target, by the transaction that wrote them (top-level xid).
CREATE TABLE usermatch.online_changes (
    relid oid NOT NULL,
    id text,
    xid xid8 NOT NULL
);
CREATE INDEX online_changes_relid ON usermatch.online_changes (relid, xid);
-- Rights, enforced by row-level security (evaluated as the calling role; the extension's C code
-- reads the log as the owner of these tables, after checking the caller's SELECT right on the
-- target):
--  * the change log is visible for targets you may SELECT, writable for targets you may write
--    (the triggers run as the writer: no SECURITY DEFINER code evaluates a user's id column);
--  * a target is registered, and its log pruned, by its owner only.
ALTER TABLE usermatch.online_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE usermatch.online_targets ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON usermatch.online_targets, usermatch.online_changes FROM PUBLIC;
GRANT SELECT, INSERT, DELETE ON usermatch.online_changes TO PUBLIC;
GRANT SELECT, INSERT, UPDATE ON usermatch.online_targets TO PUBLIC;
CREATE POLICY online_changes_read ON usermatch.online_changes FOR SELECT
    USING (pg_catalog.has_table_privilege(relid, 'SELECT'));
CREATE POLICY online_changes_write ON usermatch.online_changes FOR INSERT
    WITH CHECK (pg_catalog.has_table_privilege(relid, 'INSERT') OR pg_catalog.has_table_privilege(relid, 'UPDATE')
                OR pg_catalog.has_table_privilege(relid, 'DELETE'));
CREATE POLICY online_changes_prune ON usermatch.online_changes FOR DELETE
    USING (pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) relid), 'USAGE'));
CREATE POLICY online_targets_read ON usermatch.online_targets FOR SELECT USING (true);
CREATE POLICY online_targets_register ON usermatch.online_targets FOR INSERT
    WITH CHECK (pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) relid), 'USAGE'));
CREATE POLICY online_targets_bump ON usermatch.online_targets FOR UPDATE
    USING (pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) relid), 'USAGE'));

-- Trigger function of the change log (runs as the writer).
CREATE FUNCTION usermatch.online_log_changes()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $fn$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        EXECUTE format('INSERT INTO usermatch.online_changes (relid, id, xid) SELECT $1, (n.%I)::text, pg_catalog.pg_current_xact_id() FROM usermatch_new_rows n',
                       TG_ARGV[0]) USING TG_RELID;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        EXECUTE format('INSERT INTO usermatch.online_changes (relid, id, xid) SELECT $1, (o.%I)::text, pg_catalog.pg_current_xact_id() FROM usermatch_old_rows o',
                       TG_ARGV[0]) USING TG_RELID;
    END IF;
    RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION usermatch.online_log_changes() IS
    'Trigger function of the online change log (installed by warm_cache); argument: the id column';

-- Records the target (or bumps its generation, which invalidates every index built before) and
-- prunes its log of rows every later snapshot sees. Row-level security: owner only.
CREATE FUNCTION usermatch._online_register(target regclass, id_column text)
    RETURNS void
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
    AS $fn$
    INSERT INTO usermatch.online_targets AS t (relid, id_column) VALUES ($1, $2)
        ON CONFLICT (relid, id_column) DO UPDATE SET generation = t.generation OPERATOR(pg_catalog.+) 1;
    DELETE FROM usermatch.online_changes c
     WHERE c.relid OPERATOR(pg_catalog.=) $1
       AND c.xid OPERATOR(pg_catalog.<) pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot());
$fn$;

CREATE FUNCTION usermatch._online_build(profile text, target regclass)
    RETURNS bigint
    AS 'MODULE_PATHNAME', 'usermatch_online_build'
    LANGUAGE C VOLATILE;

CREATE FUNCTION usermatch.warm_cache(profile text, target regclass)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $fn$
DECLARE
    idcol text;
    suffix text;
    kind "char";
BEGIN
    IF profile IS NULL OR target IS NULL THEN
        RAISE EXCEPTION 'warm_cache: arguments profile and target must not be NULL' USING ERRCODE = '22004';
    END IF;
    SELECT p.spec ->> 'id' INTO idcol FROM usermatch.profiles p WHERE p.name = profile;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'profile "%" does not exist', profile USING ERRCODE = '42704';
    END IF;
    SELECT c.relkind INTO kind FROM pg_class c WHERE c.oid = target;
    IF kind NOT IN ('r', 'p') THEN
        RAISE EXCEPTION 'warm_cache: % is not a table', target USING ERRCODE = '42809',
            HINT = 'match_one also reads views, but rebuilds its index on every call for them.';
    END IF;
    IF NOT has_table_privilege(target, 'SELECT') THEN
        RAISE EXCEPTION 'permission denied for table %', target USING ERRCODE = '42501';
    END IF;
    suffix := substr(md5(idcol), 1, 8);
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = target AND tgname = 'usermatch_online_ins_' || suffix) THEN
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %s REFERENCING NEW TABLE AS usermatch_new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION usermatch.online_log_changes(%L)',
                       'usermatch_online_ins_' || suffix, target, idcol);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %s REFERENCING OLD TABLE AS usermatch_old_rows NEW TABLE AS usermatch_new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION usermatch.online_log_changes(%L)',
                       'usermatch_online_upd_' || suffix, target, idcol);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %s REFERENCING OLD TABLE AS usermatch_old_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION usermatch.online_log_changes(%L)',
                       'usermatch_online_del_' || suffix, target, idcol);
    END IF;
    PERFORM usermatch._online_register(target, idcol);
    RETURN usermatch._online_build(profile, target);
END
$fn$;
COMMENT ON FUNCTION usermatch.warm_cache(text, regclass) IS
    'Installs the change log on target (owner only) and builds this backend''s index for match_one; returns the rows indexed';

CREATE FUNCTION usermatch.drop_cache(profile text DEFAULT NULL, target regclass DEFAULT NULL)
    RETURNS integer
    AS 'MODULE_PATHNAME', 'usermatch_drop_cache'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION usermatch.drop_cache(text, regclass) IS
    'Frees this backend''s online indexes of profile / target (NULL = any); returns how many';

CREATE FUNCTION usermatch.match_one(profile text, record jsonb, target regclass, k integer DEFAULT 10,
                                    min_probability double precision DEFAULT NULL)
    RETURNS TABLE(id text, match_weight double precision, match_probability double precision)
    AS 'MODULE_PATHNAME', 'usermatch_match_one'
    LANGUAGE C VOLATILE PARALLEL RESTRICTED CALLED ON NULL INPUT ROWS 10;
COMMENT ON FUNCTION usermatch.match_one(text, jsonb, regclass, integer, double precision) IS
    'The k best matches of one record (keys: the profile''s columns or field names) in target, best first, with link''s weights';

CREATE FUNCTION usermatch.match_many(profile text, records jsonb, target regclass, k integer DEFAULT 10)
    RETURNS TABLE("position" integer, id text, match_weight double precision, match_probability double precision)
    AS 'MODULE_PATHNAME', 'usermatch_match_many'
    LANGUAGE C VOLATILE PARALLEL RESTRICTED CALLED ON NULL INPUT ROWS 100;
COMMENT ON FUNCTION usermatch.match_many(text, jsonb, regclass, integer) IS
    'match_one for each record of a JSON array; position is the record''s 1-based position';

-- Match on insert: CREATE TRIGGER ... BEFORE INSERT ON t FOR EACH ROW
--   EXECUTE FUNCTION usermatch.match_on_insert('profile', 'schema.target_table', 'result_column' [, 'min_probability'])
-- writes the id of the best match in target (NULL when none) into NEW.result_column. The function
-- runs with search_path = pg_catalog, pg_temp: name the target with its schema.
CREATE FUNCTION usermatch.match_on_insert()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $fn$
DECLARE
    keys text[];
    rec jsonb;
    best text;
BEGIN
    IF TG_NARGS < 3 THEN
        RAISE EXCEPTION 'usermatch.match_on_insert(profile, target, result_column [, min_probability]) needs 3 arguments'
            USING ERRCODE = '22023';
    END IF;
    SELECT array_agg(k) INTO keys FROM (
        SELECT COALESCE(f ->> 'column', f ->> 'name') FROM usermatch.profiles p, jsonb_array_elements(p.spec -> 'fields') f
         WHERE p.name = TG_ARGV[0] AND f ->> 'expression' IS NULL
        UNION ALL
        SELECT f ->> 'name' FROM usermatch.profiles p, jsonb_array_elements(p.spec -> 'fields') f
         WHERE p.name = TG_ARGV[0] AND f ->> 'expression' IS NOT NULL
        UNION ALL
        SELECT f ->> 'region_column' FROM usermatch.profiles p, jsonb_array_elements(p.spec -> 'fields') f
         WHERE p.name = TG_ARGV[0] AND f ? 'region_column') s(k);
    SELECT COALESCE(jsonb_object_agg(e.key, e.value), '{}') INTO rec
      FROM jsonb_each(to_jsonb(NEW)) e WHERE e.key = ANY (keys);
    SELECT m.id INTO best
      FROM usermatch.match_one(TG_ARGV[0], rec, TG_ARGV[1]::regclass, 1,
                               CASE WHEN TG_NARGS > 3 THEN TG_ARGV[3]::double precision END) m;
    NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[2], best));
    RETURN NEW;
END
$fn$;
COMMENT ON FUNCTION usermatch.match_on_insert() IS
    'BEFORE INSERT trigger: writes the id of the best match of the new row in a target into a column';

CREATE FUNCTION usermatch._cache_stats(
    OUT entries bigint, OUT bytes bigint, OUT builds bigint, OUT hits bigint, OUT misses bigint,
    OUT evictions bigint, OUT invalidations bigint, OUT delta_rows_pending bigint, OUT uncached_builds bigint,
    OUT last_build_seconds double precision)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'usermatch_cache_stats'
    LANGUAGE C VOLATILE;
CREATE VIEW usermatch.cache_stats AS SELECT * FROM usermatch._cache_stats();
COMMENT ON VIEW usermatch.cache_stats IS
    'This backend''s online index cache: entries, bytes, builds, hits, misses, evictions, delta rows read by the last call';

CREATE FUNCTION usermatch._pool_stats(
    OUT pool text, OUT acquisitions bigint, OUT reuses bigint, OUT upstream_allocations bigint, OUT bytes_reserved bigint)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'usermatch_pool_stats'
    LANGUAGE C VOLATILE;
CREATE VIEW usermatch.pool_stats AS SELECT * FROM usermatch._pool_stats();
COMMENT ON VIEW usermatch.pool_stats IS
    'This backend''s object pools: per-query buffers taken, reused without a heap allocation, heap allocations, bytes held';
GRANT SELECT ON usermatch.cache_stats, usermatch.pool_stats TO PUBLIC;
-- == quality ==
COMMENT ON FUNCTION usermatch.train(text, regclass, regclass, jsonb) IS
    'Estimates u (random pairs), the prior (a deterministic rule over the candidate pairs, its recall from the expected matches passing it), m (EM per blocking rule, started from that prior) and the threshold ("auto": the model''s own best expected F1), damps fields that agree by chance together with a more selective one (a suburb inside a postcode; summary: correlated_fields), keeps the current weights when the new ones explain held-back candidate pairs worse, and stores a new profile version; returns a summary. Options: max_pairs, seed, max_iterations, tolerance, estimate_u, estimate_m, dampen_correlation, deterministic_recall, threshold ("auto" or "keep")';
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
SELECT d.datname::text COLLATE pg_catalog."default" AS database, r.rolname::text COLLATE pg_catalog."default" AS role,
       s.profile, s.operation,
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

GRANT SELECT ON usermatch.performance_metrics, usermatch.performance_history, usermatch.stats_info,
                usermatch.system_health TO PUBLIC;

-- The dashboard page: one self-contained HTML document (inline CSS and SVG, no scripts, no
-- external fonts or images). `make dashboard` writes it from the demo cluster.
CREATE FUNCTION usermatch.dashboard_escape(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN replace(replace(replace(replace(replace(coalesce(value, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;');
COMMENT ON FUNCTION usermatch.dashboard_escape(text) IS 'HTML-escapes text for usermatch.dashboard_html()';

-- An SVG line chart: `points` is a jsonb array of objects with "t" (epoch seconds) and one number
-- per name in `series` (null = gap); colours follow the series order.
CREATE FUNCTION usermatch.dashboard_chart(title text, unit text, series text[], points jsonb) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    w constant int := 640; h constant int := 200; left_pad constant int := 64; top_pad constant int := 28; bottom_pad constant int := 28;
    colours constant text[] := ARRAY['#2563eb', '#d97706', '#dc2626', '#059669'];
    t0 float8; t1 float8; ymax float8; svg text; line text; s int; n int;
BEGIN
    n := jsonb_array_length(coalesce(points, '[]'));
    svg := format('<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" role="img" aria-label="%s">',
                  w, h, w, h, usermatch.dashboard_escape(title))
        || format('<text x="%s" y="16" class="ct">%s</text>', left_pad, usermatch.dashboard_escape(title));
    IF n < 2 THEN
        RETURN svg || format('<text x="%s" y="%s" class="muted">Not enough history yet (%s sample%s).</text></svg>',
                             left_pad, h / 2, n, CASE WHEN n = 1 THEN '' ELSE 's' END);
    END IF;
    SELECT min((p->>'t')::float8), max((p->>'t')::float8) INTO t0, t1 FROM jsonb_array_elements(points) p;
    SELECT max((p->>k)::float8) INTO ymax FROM jsonb_array_elements(points) p, unnest(series) k;
    IF ymax IS NULL OR ymax <= 0 THEN ymax := 1; END IF;
    IF t1 <= t0 THEN t1 := t0 + 1; END IF;
    -- axes, y labels, x labels
    svg := svg || format('<line x1="%s" y1="%s" x2="%s" y2="%s" class="axis"/>', left_pad, h - bottom_pad, w - 8, h - bottom_pad)
               || format('<line x1="%s" y1="%s" x2="%s" y2="%s" class="axis"/>', left_pad, top_pad, left_pad, h - bottom_pad)
               || format('<text x="%s" y="%s" class="lbl" text-anchor="end">%s %s</text>', left_pad - 4, top_pad + 4,
                         trim_scale(round(ymax::numeric, CASE WHEN ymax >= 100 THEN 0 ELSE 3 END)), usermatch.dashboard_escape(unit))
               || format('<text x="%s" y="%s" class="lbl" text-anchor="end">0</text>', left_pad - 4, h - bottom_pad)
               || format('<text x="%s" y="%s" class="lbl">%s</text>', left_pad, h - 8,
                         to_char(to_timestamp(t0), 'HH24:MI:SS'))
               || format('<text x="%s" y="%s" class="lbl" text-anchor="end">%s</text>', w - 8, h - 8,
                         to_char(to_timestamp(t1), 'HH24:MI:SS'));
    FOR s IN 1 .. array_length(series, 1) LOOP
        SELECT string_agg(format('%s,%s',
                   round((left_pad + ((p->>'t')::float8 - t0) / (t1 - t0) * (w - 8 - left_pad))::numeric, 1),
                   round((h - bottom_pad - (p->>series[s])::float8 / ymax * (h - bottom_pad - top_pad))::numeric, 1)), ' '
                   ORDER BY (p->>'t')::float8)
          INTO line
          FROM jsonb_array_elements(points) p WHERE p->>series[s] IS NOT NULL;
        IF line IS NOT NULL THEN
            svg := svg || format('<polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/>', colours[1 + (s - 1) % 4], line);
        END IF;
        svg := svg || format('<rect x="%s" y="6" width="10" height="10" fill="%s"/><text x="%s" y="15" class="lbl">%s</text>',
                             w - 8 - (array_length(series, 1) - s + 1) * 110, colours[1 + (s - 1) % 4],
                             w - 8 - (array_length(series, 1) - s + 1) * 110 + 14, usermatch.dashboard_escape(series[s]));
    END LOOP;
    RETURN svg || '</svg>';
END $$;
COMMENT ON FUNCTION usermatch.dashboard_chart(text, text, text[], jsonb) IS 'An inline SVG line chart for usermatch.dashboard_html()';

CREATE FUNCTION usermatch.dashboard_html() RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    page text; points jsonb; health text; metrics text; info record; jobs record; cache text;
BEGIN
    SELECT * INTO info FROM usermatch.stats_info;
    SELECT coalesce(jsonb_agg(jsonb_build_object('t', extract(epoch FROM sample_time), 'records/s', records_per_s,
                                                 'pairs/s', pairs_per_s, 'calls/s', calls_per_s,
                                                 'p50', p50_ms, 'p95', p95_ms, 'p99', p99_ms) ORDER BY sample_time), '[]')
      INTO points FROM usermatch.performance_history;
    SELECT string_agg(format('<tr class="%s"><td>%s</td><td><b>%s</b></td><td>%s</td><td>%s</td><td>%s</td></tr>',
                             usermatch.dashboard_escape(status), usermatch.dashboard_escape(check_name),
                             usermatch.dashboard_escape(status),
                             coalesce(trim_scale(round(value::numeric, 3))::text, '&ndash;'),
                             coalesce(trim_scale(round(threshold::numeric, 3))::text, '&ndash;'), usermatch.dashboard_escape(advice)),
                      '' ORDER BY CASE status WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, check_name)
      INTO health FROM usermatch.system_health;
    SELECT string_agg(format('<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td class="n">%s</td><td class="n">%s</td>'
                             '<td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td></tr>',
                             usermatch.dashboard_escape(database), usermatch.dashboard_escape(role),
                             usermatch.dashboard_escape(profile), usermatch.dashboard_escape(operation), calls, errors,
                             to_char(mean_ms, 'FM999999990.000'), coalesce(to_char(p95_ms, 'FM999999990.000'), '&ndash;'),
                             to_char(records_per_s_1m, 'FM999999990.0'),
                             coalesce(to_char(100 * cache_hit_rate, 'FM990.0') || '%', '&ndash;'),
                             coalesce(to_char(100 * pool_reuse_rate, 'FM990.0') || '%', '&ndash;')),
                      '' ORDER BY calls DESC, profile, operation)
      INTO metrics FROM (SELECT * FROM usermatch.performance_metrics ORDER BY calls DESC LIMIT 50) m;
    SELECT coalesce(sum(job_calls), 0) AS calls, coalesce(sum(job_errors), 0) AS errors INTO jobs
      FROM usermatch.performance_history WHERE sample_time > now() - interval '1 hour';
    SELECT coalesce(to_char(100 * value, 'FM990.0') || '%', 'no lookups yet') INTO cache
      FROM usermatch.system_health WHERE check_name = 'cache_hit_rate';
    page := '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>usermatch dashboard</title>'
         || '<meta name="viewport" content="width=device-width, initial-scale=1">'
         || '<style>body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#111827;background:#f9fafb}'
         || 'h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}.muted,.lbl{fill:#6b7280;color:#6b7280;font-size:12px}'
         || '.ct{font-size:13px;font-weight:600;fill:#111827}.axis{stroke:#9ca3af;stroke-width:1}'
         || 'table{border-collapse:collapse;background:#fff;font-size:13px}td,th{border:1px solid #e5e7eb;padding:4px 8px;text-align:left}'
         || 'td.n{text-align:right;font-variant-numeric:tabular-nums}tr.ok td:nth-child(2){color:#047857}'
         || 'tr.warning{background:#fef3c7}tr.warning td:nth-child(2){color:#b45309}tr.critical{background:#fee2e2}'
         || 'tr.critical td:nth-child(2){color:#b91c1c}.cards{display:flex;gap:12px;flex-wrap:wrap}'
         || '.card{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:8px 14px}.card b{display:block;font-size:18px}'
         || 'svg{background:#fff;border:1px solid #e5e7eb;border-radius:6px;margin:0 12px 12px 0}</style></head><body>'
         || '<h1>usermatch</h1><div class="muted">'
         || usermatch.dashboard_escape(format('%s, %s; statistics since %s; history every %s ms',
                                              current_database(), to_char(now(), 'YYYY-MM-DD HH24:MI:SS TZ'),
                                              coalesce(to_char(info.stats_reset, 'YYYY-MM-DD HH24:MI:SS'), 'never (not preloaded)'),
                                              info.history_interval_ms))
         || '</div><div class="cards" style="margin-top:12px">'
         || format('<div class="card">calls recorded<b>%s</b></div>', (SELECT coalesce(sum(calls), 0) FROM usermatch.performance_metrics))
         || format('<div class="card">cache hit rate<b>%s</b></div>', usermatch.dashboard_escape(cache))
         || format('<div class="card">memory in use<b>%s</b></div>', pg_size_pretty(info.memory_in_use_bytes))
         || format('<div class="card">jobs, last hour<b>%s</b></div>', jobs.calls)
         || format('<div class="card">failed jobs, last hour<b>%s</b></div>', jobs.errors)
         || format('<div class="card">entries dropped<b>%s</b></div>', info.dropped)
         || '</div><h2>Health</h2><table><tr><th>check</th><th>status</th><th>value</th><th>threshold</th><th>advice</th></tr>'
         || coalesce(health, '') || '</table><h2>Over time</h2><div>'
         || usermatch.dashboard_chart('Throughput', '/s', ARRAY['records/s', 'pairs/s', 'calls/s'], points)
         || usermatch.dashboard_chart('Latency', 'ms', ARRAY['p50', 'p95', 'p99'], points)
         || '</div><h2>Calls</h2><table><tr><th>database</th><th>role</th><th>profile</th><th>operation</th><th>calls</th>'
         || '<th>errors</th><th>mean ms</th><th>p95 ms</th><th>records/s (1 min)</th><th>cache hits</th><th>pool reuse</th></tr>'
         || coalesce(metrics, '<tr><td colspan="11" class="muted">No calls recorded.</td></tr>')
         || '</table></body></html>';
    RETURN page;
END $$;
COMMENT ON FUNCTION usermatch.dashboard_html() IS
  'One self-contained HTML page (inline SVG, no scripts): throughput and latency over time, health checks, calls, cache and jobs';
