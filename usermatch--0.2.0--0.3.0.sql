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
