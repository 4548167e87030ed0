-- usermatch at a glance in psql:   \i scripts/dashboard.sql   then   \watch 5
-- (\watch repeats the last query, so everything is one statement.)
\pset footer off
SELECT 'health' AS section, format('%-28s %-8s %s', check_name, upper(status), coalesce(round(value::numeric, 2)::text, '-')) AS figure,
       CASE WHEN status <> 'ok' THEN advice ELSE '' END AS detail
  FROM usermatch.system_health
UNION ALL
SELECT 'last sample', format('%s calls/s  %s records/s  %s pairs/s', round(calls_per_s::numeric, 1),
                             round(records_per_s::numeric), round(pairs_per_s::numeric)),
       format('p50 %s ms  p95 %s ms  p99 %s ms  at %s', coalesce(round(p50_ms::numeric, 3)::text, '-'),
              coalesce(round(p95_ms::numeric, 3)::text, '-'), coalesce(round(p99_ms::numeric, 3)::text, '-'),
              to_char(sample_time, 'HH24:MI:SS'))
  FROM (SELECT * FROM usermatch.performance_history ORDER BY sample_time DESC LIMIT 1) h
UNION ALL
(SELECT 'top calls', format('%-10s %-16s %-14s %8s calls %4s err', role, profile, operation, calls, errors),
        format('mean %s ms  p95 %s ms  %s rec/s (1 min)  cache %s', round(mean_ms::numeric, 3),
               round(p95_ms::numeric, 3), round(records_per_s_1m::numeric), coalesce(round(100 * cache_hit_rate::numeric) || '%', '-'))
   FROM usermatch.performance_metrics ORDER BY calls DESC LIMIT 10)
UNION ALL
SELECT 'statistics', format('%s entries of %s, %s dropped', entries, max_entries, dropped),
       format('since %s, memory in use %s', to_char(stats_reset, 'YYYY-MM-DD HH24:MI:SS'), pg_size_pretty(memory_in_use_bytes))
  FROM usermatch.stats_info;
