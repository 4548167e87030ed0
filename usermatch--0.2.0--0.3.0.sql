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
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
RETURN replace(replace(replace(replace(replace(coalesce(value, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;');
COMMENT ON FUNCTION usermatch.dashboard_escape(text) IS 'HTML-escapes text for usermatch.dashboard_html()';

-- An SVG line chart: `points` is a jsonb array of objects with "t" (epoch seconds) and one number
-- per name in `series` (null = gap); colours follow the series order.
CREATE FUNCTION usermatch.dashboard_chart(title text, unit text, series text[], points jsonb) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    w constant int := 640; h constant int := 200; left_pad constant int := 72; top_pad constant int := 28; bottom_pad constant int := 28;
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
                         trim_scale(round(ymax::numeric, CASE WHEN ymax >= 100 THEN 0 WHEN ymax >= 10 THEN 1 ELSE 3 END)), usermatch.dashboard_escape(unit))
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
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
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
-- == background jobs ==
-- Roles and relations are stored as regrole / regclass, so pg_dump writes their names and a
-- restore maps them back by name (not to whatever has the same OID in the new cluster).
-- Jobs run in background workers (src/pg/jobs/jobs.cpp) started by one launcher per cluster,
-- which needs shared_preload_libraries = 'usermatch' and works in the database named by
-- usermatch.database. A job runs as the role that submitted it. Every table below has row-level
-- security: a role sees (and cancels) only its own jobs; members of pg_monitor see every job
-- (but never another role's results).

-- Raises 55000 unless background jobs can run here (library preloaded, this is usermatch.database).
CREATE FUNCTION usermatch._jobs_available() RETURNS void
    AS 'MODULE_PATHNAME', 'usermatch_jobs_available' LANGUAGE C VOLATILE;
-- Wakes the launcher when the calling transaction commits.
CREATE FUNCTION usermatch._wake_launcher() RETURNS void
    AS 'MODULE_PATHNAME', 'usermatch_wake_launcher' LANGUAGE C VOLATILE;
-- The launcher's process id, NULL when no launcher runs.
CREATE FUNCTION usermatch.launcher_pid() RETURNS integer
    AS 'MODULE_PATHNAME', 'usermatch_launcher_pid' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION usermatch.launcher_pid() IS 'Process id of the background-job launcher; NULL when none runs';

-- dedupe() orders the two ids of a pair this way (engine::id_less): numerically when both are digits.
CREATE FUNCTION usermatch._id_less(a text, b text) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN a ~ '^[0-9]+$' AND b ~ '^[0-9]+$' THEN
    (length(ltrim(a, '0')), ltrim(a, '0') COLLATE "C", a COLLATE "C") < (length(ltrim(b, '0')), ltrim(b, '0') COLLATE "C", b COLLATE "C")
  ELSE a COLLATE "C" < b COLLATE "C" END
$$;

CREATE TABLE usermatch.job_queue (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('dedupe', 'link', 'clusters', 'train')),
    profile         text NOT NULL,
    source          regclass NOT NULL,
    source_name     text NOT NULL,
    target          regclass,
    target_name     text,
    options         jsonb NOT NULL DEFAULT '{}',
    owner           regrole NOT NULL,
    schedule_name   text,
    result_table    text,
    state           text NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    max_attempts    integer NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 100),
    attempts        integer NOT NULL DEFAULT 0,
    batch_size      integer NOT NULL CHECK (batch_size >= 1),
    records_total   bigint,
    records_done    bigint NOT NULL DEFAULT 0,
    pairs_found     bigint,
    rows_written    bigint NOT NULL DEFAULT 0,
    rate            double precision,
    watermark_from  text,
    watermark_to    text,
    result          jsonb,
    submitted       timestamptz NOT NULL DEFAULT now(),
    started         timestamptz,
    finished        timestamptz,
    error           text,
    error_code      text,
    worker_pid      integer,
    current_run     bigint
);
CREATE INDEX job_queue_state ON usermatch.job_queue (state) WHERE state IN ('queued', 'running');
COMMENT ON TABLE usermatch.job_queue IS 'Background jobs (read usermatch.jobs); rows_written is the committed checkpoint a resumed job continues from';

CREATE TABLE usermatch.job_runs (
    id            bigserial PRIMARY KEY,
    job_id        bigint NOT NULL REFERENCES usermatch.job_queue ON DELETE CASCADE,
    attempt       integer NOT NULL,
    owner         regrole NOT NULL,
    started       timestamptz NOT NULL DEFAULT now(),
    finished      timestamptz,
    state         text NOT NULL DEFAULT 'running',
    resumed_from  bigint NOT NULL DEFAULT 0,
    rows_written  bigint,
    error         text
);
CREATE INDEX job_runs_job ON usermatch.job_runs (job_id);
COMMENT ON TABLE usermatch.job_runs IS 'Every attempt of every background job: when it ran, the checkpoint it resumed from, how it ended';

CREATE TABLE usermatch.job_schedules (
    owner        regrole NOT NULL,
    name         text NOT NULL CHECK (name <> ''),
    every        interval NOT NULL CHECK (every >= interval '1 second'),
    kind         text NOT NULL,
    profile      text NOT NULL,
    source       regclass NOT NULL,
    source_name  text NOT NULL,
    target       regclass,
    target_name  text,
    options      jsonb NOT NULL DEFAULT '{}',
    created      timestamptz NOT NULL DEFAULT now(),
    next_run     timestamptz NOT NULL,
    last_run     timestamptz,
    last_job     bigint,
    PRIMARY KEY (owner, name)
);

-- Default result tables (options.result_table names another with the same columns).
CREATE TABLE usermatch.job_results (
    job_id             bigint NOT NULL,
    id1                text NOT NULL,
    id2                text NOT NULL,
    match_weight       double precision,
    match_probability  double precision
);
CREATE INDEX job_results_job ON usermatch.job_results (job_id);
COMMENT ON TABLE usermatch.job_results IS 'Pairs found by dedupe and link jobs, keyed by job id (a role reads only its own jobs'' rows)';
CREATE TABLE usermatch.job_clusters (
    job_id        bigint NOT NULL,
    record_id     text NOT NULL,
    entity_id     text NOT NULL,
    cluster_size  integer
);
CREATE INDEX job_clusters_job ON usermatch.job_clusters (job_id);
COMMENT ON TABLE usermatch.job_clusters IS 'Cluster membership found by clusters jobs, keyed by job id';

SELECT pg_catalog.pg_extension_config_dump('usermatch.job_queue', '');
SELECT pg_catalog.pg_extension_config_dump('usermatch.job_queue_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('usermatch.job_runs', '');
SELECT pg_catalog.pg_extension_config_dump('usermatch.job_runs_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('usermatch.job_schedules', '');
SELECT pg_catalog.pg_extension_config_dump('usermatch.job_results', '');
SELECT pg_catalog.pg_extension_config_dump('usermatch.job_clusters', '');

ALTER TABLE usermatch.job_queue ENABLE ROW LEVEL SECURITY;
CREATE POLICY job_queue_visible ON usermatch.job_queue FOR SELECT
    USING (owner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
           OR pg_catalog.pg_has_role(current_user, 'pg_monitor', 'MEMBER'));
CREATE POLICY job_queue_owned ON usermatch.job_queue
    USING (owner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user))
    WITH CHECK (owner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user));
ALTER TABLE usermatch.job_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY job_runs_visible ON usermatch.job_runs FOR SELECT
    USING (owner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
           OR pg_catalog.pg_has_role(current_user, 'pg_monitor', 'MEMBER'));
ALTER TABLE usermatch.job_schedules ENABLE ROW LEVEL SECURITY;
CREATE POLICY job_schedules_visible ON usermatch.job_schedules FOR SELECT
    USING (owner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
           OR pg_catalog.pg_has_role(current_user, 'pg_monitor', 'MEMBER'));
CREATE POLICY job_schedules_owned ON usermatch.job_schedules
    USING (owner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user))
    WITH CHECK (owner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user));
-- Results: only the owner of the job (pg_monitor sees jobs, not their data).
ALTER TABLE usermatch.job_results ENABLE ROW LEVEL SECURITY;
CREATE POLICY job_results_owned ON usermatch.job_results
    USING (EXISTS (SELECT 1 FROM usermatch.job_queue q WHERE q.id = job_id
                   AND q.owner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)))
    WITH CHECK (EXISTS (SELECT 1 FROM usermatch.job_queue q WHERE q.id = job_id
                   AND q.owner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)));
ALTER TABLE usermatch.job_clusters ENABLE ROW LEVEL SECURITY;
CREATE POLICY job_clusters_owned ON usermatch.job_clusters
    USING (EXISTS (SELECT 1 FROM usermatch.job_queue q WHERE q.id = job_id
                   AND q.owner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)))
    WITH CHECK (EXISTS (SELECT 1 FROM usermatch.job_queue q WHERE q.id = job_id
                   AND q.owner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)));
-- The worker runs as the owner and updates its own job's progress; the owner column can never
-- name another role (the policies' WITH CHECK), so no role can make a job run as someone else.
GRANT SELECT, INSERT, UPDATE ON usermatch.job_queue TO PUBLIC;
GRANT USAGE ON SEQUENCE usermatch.job_queue_id_seq TO PUBLIC;
GRANT SELECT ON usermatch.job_runs TO PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON usermatch.job_schedules TO PUBLIC;
GRANT SELECT, INSERT, DELETE ON usermatch.job_results, usermatch.job_clusters TO PUBLIC;

CREATE VIEW usermatch.jobs WITH (security_invoker = true) AS
SELECT q.id, q.kind, q.profile, pg_catalog.pg_get_userbyid(q.owner) AS owner, q.state,
       q.source_name AS source, q.target_name AS target, q.schedule_name AS schedule,
       q.records_done, q.records_total, q.pairs_found AS pairs_scored, q.rows_written,
       CASE WHEN q.state = 'running' THEN q.rate END AS current_rate, q.batch_size,
       q.attempts, q.max_attempts, q.submitted, q.started, q.finished, q.error, q.error_code,
       q.result_table, q.options, q.result
FROM usermatch.job_queue q;
COMMENT ON VIEW usermatch.jobs IS 'Background jobs you may see: progress (records, pairs, rows written, rows per second), attempts, error';
GRANT SELECT ON usermatch.jobs TO PUBLIC;

CREATE VIEW usermatch.schedules WITH (security_invoker = true) AS
SELECT s.name, pg_catalog.pg_get_userbyid(s.owner) AS owner, s.every, s.kind, s.profile,
       s.source_name AS source, s.target_name AS target, s.options, s.last_run, s.next_run,
       s.last_job, q.state AS last_state
FROM usermatch.job_schedules s LEFT JOIN usermatch.job_queue q ON q.id = s.last_job;
COMMENT ON VIEW usermatch.schedules IS 'Recurring background jobs: last run, next run, state of the last job';
GRANT SELECT ON usermatch.schedules TO PUBLIC;

-- Checks a job definition; returns options completed with their defaults. Errors name the argument.
-- result_table is options.result_table as the caller's search_path resolves it (see submit_job).
CREATE FUNCTION usermatch._check_job(kind text, profile text, source regclass, target regclass, options jsonb,
                                     result_table regclass)
RETURNS jsonb LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  opts jsonb := coalesce(options, '{}');
  wm text;
  rt regclass;
BEGIN
  IF kind IS NULL OR profile IS NULL OR source IS NULL THEN
    RAISE EXCEPTION 'usermatch: kind, profile and source must not be NULL' USING ERRCODE = '22004';
  END IF;
  IF kind NOT IN ('dedupe', 'link', 'clusters', 'train') THEN
    RAISE EXCEPTION 'usermatch: unknown job kind "%"', kind USING ERRCODE = '22023',
      HINT = 'Kinds are dedupe, link, clusters and train.';
  END IF;
  IF kind = 'link' AND target IS NULL THEN
    RAISE EXCEPTION 'usermatch: a link job needs a target' USING ERRCODE = '22004';
  END IF;
  IF jsonb_typeof(opts) <> 'object' THEN
    RAISE EXCEPTION 'usermatch: options must be a JSON object' USING ERRCODE = '22023';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM usermatch.profiles p WHERE p.name = profile) THEN
    RAISE EXCEPTION 'usermatch: profile "%" does not exist', profile USING ERRCODE = '42704';
  END IF;
  IF NOT has_table_privilege(source, 'SELECT') THEN
    RAISE EXCEPTION 'usermatch: permission denied for source %', source USING ERRCODE = '42501',
      HINT = 'A job runs as the role that submits it and reads only what that role may read.';
  END IF;
  IF target IS NOT NULL AND NOT has_table_privilege(target, 'SELECT') THEN
    RAISE EXCEPTION 'usermatch: permission denied for target %', target USING ERRCODE = '42501';
  END IF;
  IF NOT (SELECT rolcanlogin FROM pg_roles WHERE rolname = current_user) THEN
    RAISE EXCEPTION 'usermatch: role "%" cannot log in, and a job runs as the role that submits it', current_user
      USING ERRCODE = '42501', HINT = 'Submit as a role with LOGIN (RESET ROLE, or ALTER ROLE ... LOGIN).';
  END IF;
  IF opts ? 'max_attempts' AND (jsonb_typeof(opts->'max_attempts') <> 'number' OR (opts->>'max_attempts')::numeric NOT BETWEEN 1 AND 100) THEN
    RAISE EXCEPTION 'usermatch: options.max_attempts must be a number between 1 and 100' USING ERRCODE = '22023';
  END IF;
  IF opts ? 'batch_size' AND (jsonb_typeof(opts->'batch_size') <> 'number' OR (opts->>'batch_size')::numeric NOT BETWEEN 1 AND 1000000) THEN
    RAISE EXCEPTION 'usermatch: options.batch_size must be a number between 1 and 1000000' USING ERRCODE = '22023';
  END IF;
  IF opts ? 'min_probability' AND (jsonb_typeof(opts->'min_probability') <> 'number' OR (opts->>'min_probability')::float8 NOT BETWEEN 0 AND 1) THEN
    RAISE EXCEPTION 'usermatch: options.min_probability must be a number between 0 and 1' USING ERRCODE = '22023';
  END IF;
  IF coalesce(opts->>'incremental', 'false') NOT IN ('true', 'false') THEN
    RAISE EXCEPTION 'usermatch: options.incremental must be true or false' USING ERRCODE = '22023';
  END IF;
  IF (opts->>'incremental')::boolean THEN
    IF kind NOT IN ('dedupe', 'link') THEN
      RAISE EXCEPTION 'usermatch: incremental jobs are dedupe or link jobs, not %', kind USING ERRCODE = '22023';
    END IF;
    wm := opts->>'watermark_column';
    IF wm IS NULL THEN
      RAISE EXCEPTION 'usermatch: an incremental job needs options.watermark_column' USING ERRCODE = '22023',
        HINT = 'Name a column of the source that grows with every insert or change, e.g. updated_at or a serial id.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = source AND attname = wm AND attnum > 0 AND NOT attisdropped) THEN
      RAISE EXCEPTION 'usermatch: watermark column "%" does not exist in %', wm, source USING ERRCODE = '42703';
    END IF;
  END IF;
  IF kind = 'train' THEN
    opts := opts - 'result_table';
  ELSE
    rt := CASE WHEN result_table IS NOT NULL THEN result_table
               WHEN opts ? 'result_table' THEN NULL  -- named, but no such table
               WHEN kind = 'clusters' THEN 'usermatch.job_clusters'::regclass ELSE 'usermatch.job_results'::regclass END;
    IF rt IS NULL THEN
      RAISE EXCEPTION 'usermatch: result table "%" does not exist', opts->>'result_table' USING ERRCODE = '42P01';
    END IF;
    IF NOT has_table_privilege(rt, 'INSERT') THEN
      RAISE EXCEPTION 'usermatch: permission denied to insert into result table %', rt USING ERRCODE = '42501';
    END IF;
    opts := jsonb_set(opts, '{result_table}',
                      to_jsonb((SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
                                JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = rt)));
  END IF;
  RETURN opts;
END $$;

CREATE FUNCTION usermatch._submit_job(kind text, profile text, source regclass, target regclass, options jsonb,
                                      result_table regclass)
RETURNS bigint LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  opts jsonb;
  job bigint;
BEGIN
  PERFORM usermatch._jobs_available();
  opts := usermatch._check_job(kind, profile, source, target, options, result_table);
  INSERT INTO usermatch.job_queue (kind, profile, source, source_name, target, target_name, options, owner,
                                   result_table, max_attempts, batch_size)
  VALUES (kind, profile, source, source::text, target, target::text, opts,
          (SELECT oid FROM pg_roles WHERE rolname = current_user), opts->>'result_table',
          coalesce((opts->>'max_attempts')::numeric::integer, 3),
          coalesce((opts->>'batch_size')::numeric::integer, current_setting('usermatch.batch_size')::integer))
  RETURNING id INTO job;
  PERFORM usermatch._wake_launcher();
  RETURN job;
END $$;
-- The function you call. Its search_path is not pinned, on purpose: options.result_table is a
-- table name resolved the way you would resolve it. Every name in it is schema-qualified, so your
-- search_path cannot substitute a function or operator; the work happens in _submit_job, pinned.
CREATE FUNCTION usermatch.submit_job(kind text, profile text, source regclass, target regclass DEFAULT NULL,
                                     options jsonb DEFAULT '{}')
RETURNS bigint LANGUAGE sql VOLATILE AS $$
  SELECT usermatch._submit_job(kind, profile, source, target, options,
                               pg_catalog.to_regclass(options OPERATOR(pg_catalog.->>) 'result_table'))
$$;
COMMENT ON FUNCTION usermatch.submit_job(text, text, regclass, regclass, jsonb) IS
    'Queues a background dedupe, link, clusters or train job that runs as you; returns its id (see usermatch.jobs)';

CREATE FUNCTION usermatch.cancel_job(job_id bigint) RETURNS boolean
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE st text;
BEGIN
  PERFORM usermatch._jobs_available();
  UPDATE usermatch.job_queue SET state = 'cancelled', finished = now(), error = 'cancelled by ' || current_user
   WHERE id = job_id AND state IN ('queued', 'running');
  IF FOUND THEN
    PERFORM usermatch._wake_launcher();
    RETURN true;
  END IF;
  SELECT q.state INTO st FROM usermatch.job_queue q WHERE q.id = job_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'usermatch: job % does not exist', job_id USING ERRCODE = '42704';
  END IF;
  IF st IN ('queued', 'running') THEN
    RAISE EXCEPTION 'usermatch: job % belongs to another role', job_id USING ERRCODE = '42501',
      HINT = 'A role cancels only its own jobs.';
  END IF;
  RETURN false;  -- already finished
END $$;
COMMENT ON FUNCTION usermatch.cancel_job(bigint) IS 'Cancels one of your queued or running jobs; false when it had already finished';

CREATE FUNCTION usermatch.retry_job(job_id bigint) RETURNS boolean
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM usermatch._jobs_available();
  UPDATE usermatch.job_queue SET state = 'queued', attempts = 0, finished = NULL, error = NULL, error_code = NULL
   WHERE id = job_id AND state IN ('failed', 'cancelled');
  IF FOUND THEN
    PERFORM usermatch._wake_launcher();
    RETURN true;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM usermatch.job_queue q WHERE q.id = job_id) THEN
    RAISE EXCEPTION 'usermatch: job % does not exist', job_id USING ERRCODE = '42704';
  END IF;
  RETURN false;
END $$;
COMMENT ON FUNCTION usermatch.retry_job(bigint) IS
    'Queues a failed or cancelled job of yours again (fresh attempts; it resumes from its last committed batch)';

CREATE FUNCTION usermatch.wait_job(job_id bigint, timeout interval DEFAULT '1 hour') RETURNS text
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  deadline timestamptz := clock_timestamp() + coalesce(timeout, '1 hour');
  st text;
BEGIN
  LOOP
    SELECT q.state INTO st FROM usermatch.job_queue q WHERE q.id = job_id;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'usermatch: job % does not exist', job_id USING ERRCODE = '42704';
    END IF;
    IF st IN ('succeeded', 'failed', 'cancelled') OR clock_timestamp() >= deadline THEN
      RETURN st;
    END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;
COMMENT ON FUNCTION usermatch.wait_job(bigint, interval) IS
    'Waits until the job finishes or the timeout passes; returns its state then (run it outside the submitting transaction)';

CREATE FUNCTION usermatch._schedule(name text, every interval, kind text, profile text, source regclass,
                                    target regclass, options jsonb, result_table regclass)
RETURNS void LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE opts jsonb;
BEGIN
  PERFORM usermatch._jobs_available();
  IF name IS NULL OR every IS NULL THEN
    RAISE EXCEPTION 'usermatch: schedule name and interval must not be NULL' USING ERRCODE = '22004';
  END IF;
  IF every < interval '1 second' THEN
    RAISE EXCEPTION 'usermatch: a schedule runs at most every second' USING ERRCODE = '22023';
  END IF;
  opts := usermatch._check_job(kind, profile, source, target, options, result_table);
  INSERT INTO usermatch.job_schedules AS s (owner, name, every, kind, profile, source, source_name, target, target_name, options, next_run)
  VALUES ((SELECT oid FROM pg_roles WHERE rolname = current_user), _schedule.name, every, kind, profile,
          source, source::text, target, target::text, opts, now())
  ON CONFLICT ON CONSTRAINT job_schedules_pkey DO UPDATE SET every = EXCLUDED.every, kind = EXCLUDED.kind, profile = EXCLUDED.profile,
     source = EXCLUDED.source, source_name = EXCLUDED.source_name, target = EXCLUDED.target,
     target_name = EXCLUDED.target_name, options = EXCLUDED.options, next_run = now();
  PERFORM usermatch._wake_launcher();
END $$;
-- Not pinned, like submit_job: it only resolves options.result_table with your search_path.
CREATE FUNCTION usermatch.schedule(name text, every interval, kind text, profile text, source regclass,
                                   target regclass DEFAULT NULL, options jsonb DEFAULT '{}')
RETURNS void LANGUAGE sql VOLATILE AS $$
  SELECT usermatch._schedule(name, every, kind, profile, source, target, options,
                             pg_catalog.to_regclass(options OPERATOR(pg_catalog.->>) 'result_table'))
$$;
COMMENT ON FUNCTION usermatch.schedule(text, interval, text, text, regclass, regclass, jsonb) IS
    'Submits the job now and then every interval (creates or replaces your schedule of that name)';

CREATE FUNCTION usermatch.unschedule(name text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  DELETE FROM usermatch.job_schedules s
   WHERE s.name = unschedule.name AND s.owner = (SELECT oid FROM pg_roles WHERE rolname = current_user);
  IF NOT FOUND THEN
    RAISE EXCEPTION 'usermatch: you have no schedule named "%"', name USING ERRCODE = '42704';
  END IF;
  RETURN true;
END $$;
COMMENT ON FUNCTION usermatch.unschedule(text) IS 'Removes one of your schedules (jobs it already submitted keep running)';

-- Launcher steps (run by the launcher as superuser; not callable by others).
-- Jobs marked running whose worker is gone (a crash, a restart, a launcher restart), other than
-- those the launcher has workers for (`starting`): queued again, or failed once out of attempts.
CREATE FUNCTION usermatch._jobs_recover(starting bigint[]) RETURNS void LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
  WITH orphan AS (
    UPDATE usermatch.job_queue q SET
           state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
           finished = CASE WHEN attempts >= max_attempts THEN now() END, worker_pid = NULL,
           error = 'interrupted: its worker was stopped by a server crash or restart' ||
                   CASE WHEN attempts >= max_attempts THEN ' after ' || attempts || ' attempt(s) (max_attempts)' ELSE '' END
     WHERE q.state = 'running' AND q.id <> ALL (starting)
       AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = q.worker_pid AND a.backend_type = 'usermatch job')
    RETURNING q.id, q.rows_written, q.error)
  UPDATE usermatch.job_runs r SET finished = now(), state = 'interrupted', rows_written = o.rows_written, error = o.error
    FROM orphan o WHERE r.job_id = o.id AND r.finished IS NULL;
$$;
-- A worker has exited: settle the job (if the worker could not) and its run.
CREATE FUNCTION usermatch._job_exited(job bigint, run bigint) RETURNS void LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
  UPDATE usermatch.job_queue q SET
         state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
         finished = CASE WHEN attempts >= max_attempts THEN now() END, worker_pid = NULL,
         error = coalesce(error, 'the job worker exited unexpectedly (see the server log)')
   WHERE q.id = job AND q.state = 'running' AND q.current_run = run;
  UPDATE usermatch.job_runs r SET finished = now(), rows_written = q.rows_written, error = q.error,
         state = CASE WHEN q.state IN ('succeeded', 'cancelled', 'failed') THEN q.state ELSE 'failed' END
    FROM usermatch.job_queue q WHERE r.id = run AND q.id = r.job_id AND r.finished IS NULL;
$$;
-- Due schedules submit their job (unless the previous one is still queued or running).
CREATE FUNCTION usermatch._fire_schedules() RETURNS void LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE s record; job bigint;
BEGIN
  FOR s IN SELECT * FROM usermatch.job_schedules WHERE next_run <= now() FOR UPDATE LOOP
    job := NULL;
    IF NOT EXISTS (SELECT 1 FROM usermatch.job_queue q WHERE q.id = s.last_job AND q.state IN ('queued', 'running')) THEN
      BEGIN  -- a schedule row a role wrote by hand must not stop the others
        INSERT INTO usermatch.job_queue (kind, profile, source, source_name, target, target_name, options, owner,
                                         schedule_name, result_table, max_attempts, batch_size)
        VALUES (s.kind, s.profile, s.source, s.source_name, s.target, s.target_name, s.options, s.owner, s.name,
                s.options->>'result_table', coalesce((s.options->>'max_attempts')::numeric::integer, 3),
                coalesce((s.options->>'batch_size')::numeric::integer, current_setting('usermatch.batch_size')::integer))
        RETURNING id INTO job;
      EXCEPTION WHEN OTHERS THEN
        RAISE WARNING 'usermatch: schedule "%" of role % cannot submit its job: %', s.name, s.owner::regrole, SQLERRM;
      END;
    END IF;
    UPDATE usermatch.job_schedules SET next_run = greatest(s.next_run + s.every, now()),
           last_run = CASE WHEN job IS NULL THEN last_run ELSE now() END, last_job = coalesce(job, last_job)
     WHERE owner = s.owner AND name = s.name;
  END LOOP;
END $$;
REVOKE ALL ON FUNCTION usermatch._jobs_recover(bigint[]), usermatch._job_exited(bigint, bigint), usermatch._fire_schedules() FROM PUBLIC;

CREATE VIEW usermatch.job_stats WITH (security_invoker = true) AS
SELECT w.period,
       count(*) FILTER (WHERE q.state = 'succeeded') AS succeeded,
       count(*) FILTER (WHERE q.state = 'failed') AS failed,
       count(*) FILTER (WHERE q.state = 'cancelled') AS cancelled,
       count(*) FILTER (WHERE q.state = 'running') AS running,
       count(*) FILTER (WHERE q.state = 'queued') AS queued
FROM (VALUES ('1 hour', interval '1 hour', 1), ('24 hours', interval '24 hours', 2), ('7 days', interval '7 days', 3))
       AS w(period, span, ord)
LEFT JOIN usermatch.job_queue q
       ON q.state IN ('queued', 'running') OR q.finished >= now() - w.span
GROUP BY w.period, w.ord ORDER BY w.ord;
COMMENT ON VIEW usermatch.job_stats IS 'Jobs you may see by state: finished in the last hour / 24 hours / 7 days, and queued or running now';
GRANT SELECT ON usermatch.job_stats TO PUBLIC;

CREATE FUNCTION usermatch.job_health()
RETURNS TABLE(check_name text, status text, value double precision, threshold double precision, advice text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  pid integer := usermatch.launcher_pid();
  maxw integer := coalesce(current_setting('usermatch.max_workers', true), '8')::integer;
  running bigint;
  lag double precision;
  failed bigint;
BEGIN
  check_name := 'launcher_alive'; value := CASE WHEN pid IS NULL THEN 0 ELSE 1 END; threshold := 1;
  status := CASE WHEN pid IS NOT NULL THEN 'ok' ELSE 'critical' END;
  advice := CASE WHEN pid IS NOT NULL THEN 'launcher pid ' || pid
                 ELSE 'No job launcher: add usermatch to shared_preload_libraries and restart; check usermatch.database and the server log.' END;
  RETURN NEXT;
  SELECT count(*) INTO running FROM usermatch.job_queue WHERE state = 'running';
  check_name := 'free_worker_slots'; value := maxw - running; threshold := 0;
  status := CASE WHEN maxw - running > 0 THEN 'ok' ELSE 'warning' END;
  advice := CASE WHEN maxw - running > 0 THEN running || ' of ' || maxw || ' workers busy'
                 ELSE 'All usermatch.max_workers slots are busy; raise it (and max_worker_processes) if jobs queue up.' END;
  RETURN NEXT;
  SELECT coalesce(extract(epoch FROM now() - min(submitted)), 0) INTO lag FROM usermatch.job_queue WHERE state = 'queued';
  check_name := 'queue_lag_seconds'; value := lag; threshold := 60;
  status := CASE WHEN lag < 60 THEN 'ok' WHEN lag < 600 THEN 'warning' ELSE 'critical' END;
  advice := CASE WHEN lag < 60 THEN 'queued jobs start promptly'
                 ELSE 'The oldest queued job waits ' || round(lag) || ' s: check the launcher, usermatch.max_workers and max_worker_processes.' END;
  RETURN NEXT;
  SELECT count(*) INTO failed FROM usermatch.job_queue WHERE state = 'failed' AND finished >= now() - interval '1 hour';
  check_name := 'failed_jobs_last_hour'; value := failed; threshold := 1;
  status := CASE WHEN failed = 0 THEN 'ok' WHEN failed < 5 THEN 'warning' ELSE 'critical' END;
  advice := CASE WHEN failed = 0 THEN 'no failures'
                 ELSE 'See SELECT id, error FROM usermatch.jobs WHERE state = ''failed'' ORDER BY finished DESC.' END;
  RETURN NEXT;
END $$;
COMMENT ON FUNCTION usermatch.job_health() IS 'Health checks of the background jobs: launcher alive, free worker slots, queue lag, recent failures';

-- == health: statistics and jobs together ==
-- system_health (statistics section) gains the job launcher's checks.
CREATE OR REPLACE VIEW usermatch.system_health AS
    SELECT * FROM usermatch.stats_health()
    UNION ALL
    SELECT * FROM usermatch.job_health();
