-- Issue 11: call statistics in shared memory (performance_metrics, stats_info, stat_reset),
-- who sees and resets them, the health checks, and the dashboard page. The concurrent-count,
-- history-spacing, no-preload and exporter tests are in test/stats/run.sh (they need pgbench,
-- a restart, a second cluster).
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(45);

CREATE TABLE st_people AS SELECT * FROM usermatch.generate_users(400, 5);
SELECT usermatch.create_profile('st_people', '{
  "id": "user_id",
  "fields": [
    {"name": "name",  "column": "full_name",  "type": "person_name"},
    {"name": "phone", "column": "phone",      "type": "phone"},
    {"name": "email", "column": "email",      "type": "email"},
    {"name": "dob",   "column": "birth_date", "type": "date"}],
  "blocking": [["phone"], ["email"], ["name.pinyin_initials", "dob.year"]]}');

SELECT lives_ok('SELECT usermatch.stat_reset()', 'a superuser may reset');
SELECT is((SELECT entries FROM usermatch.stats_info), 0::bigint, 'after a reset there are no entries');
SELECT ok((SELECT stats_reset > now() - interval '1 minute' FROM usermatch.stats_info), 'stats_info shows when the reset happened');
SELECT is((SELECT preloaded FROM usermatch.stats_info), true, 'the test cluster preloads usermatch');

-- Counters equal the calls made.
SELECT usermatch.explain_match('st_people', '{"full_name": "Wang Fang"}', '{"full_name": "Wang Fang"}') FROM generate_series(1, 7);
DO $$ BEGIN PERFORM usermatch.explain_match('st_missing', '{}', '{}'); EXCEPTION WHEN undefined_object THEN NULL; END $$;
DO $$ BEGIN PERFORM usermatch.explain_match('st_missing', '{}', '{}'); EXCEPTION WHEN undefined_object THEN NULL; END $$;
CREATE TEMP TABLE st_pairs AS SELECT * FROM usermatch.dedupe('st_people', 'st_people');
SELECT count(*) FROM usermatch.clusters('st_people', 'st_people');
SELECT count(*) FROM usermatch.link('st_people', 'st_people', 'st_people');

SELECT results_eq(
  $$SELECT profile, operation, calls, errors FROM usermatch.performance_metrics WHERE role = current_user ORDER BY profile, operation$$,
  $$VALUES ('st_missing', 'explain_match', 2::bigint, 2::bigint), ('st_people', 'clusters', 1, 0), ('st_people', 'dedupe', 1, 0),
           ('st_people', 'explain_match', 7, 0), ('st_people', 'link', 1, 0)$$,
  'one row per profile and operation; calls and errors count exactly');
SELECT is((SELECT records_read FROM usermatch.performance_metrics WHERE profile = 'st_people' AND operation = 'dedupe'), 400::bigint,
          'dedupe read every record of the source');
SELECT is((SELECT records_read FROM usermatch.performance_metrics WHERE profile = 'st_people' AND operation = 'link'), 800::bigint,
          'link read both sources');
SELECT is((SELECT matches_out FROM usermatch.performance_metrics WHERE profile = 'st_people' AND operation = 'dedupe'),
          (SELECT count(*) FROM st_pairs), 'matches_out is the number of pairs dedupe returned');
SELECT ok((SELECT candidate_pairs >= pairs_scored AND pairs_scored >= matches_out AND matches_out > 0
             FROM usermatch.performance_metrics WHERE profile = 'st_people' AND operation = 'dedupe'),
          'candidate pairs >= pairs scored >= matches out');
SELECT is((SELECT (records_read, candidate_pairs, pairs_scored)::text FROM usermatch.performance_metrics
            WHERE profile = 'st_people' AND operation = 'explain_match'), '(14,7,7)', 'explain_match: two records, one pair a call');
SELECT ok((SELECT min_ms > 0 AND min_ms <= p50_ms AND p50_ms <= p95_ms AND p95_ms <= p99_ms AND p99_ms <= max_ms
                  AND abs(mean_ms * calls - total_ms) < 1e-6 AND min_ms <= mean_ms AND mean_ms <= max_ms
             FROM usermatch.performance_metrics WHERE profile = 'st_people' AND operation = 'explain_match'),
          'min <= p50 <= p95 <= p99 <= max; mean = total / calls');
SELECT ok((SELECT calls_per_s_10s = 0.7 AND records_per_s_10s = 1.4 AND pairs_per_s_1m = 7 / 60.0
             FROM usermatch.performance_metrics WHERE profile = 'st_people' AND operation = 'explain_match'),
          'rates over the last 10 s and 1 min count the calls just made');
SELECT ok((SELECT memory_peak_bytes > 0 FROM usermatch.performance_metrics WHERE profile = 'st_people' AND operation = 'dedupe'),
          'the memory a dedupe held is recorded');
SELECT ok((SELECT cache_hit_rate IS NULL AND pool_reuse_rate IS NULL FROM usermatch.performance_metrics WHERE operation = 'dedupe'),
          'cache and pool rates are NULL while nothing publishes them');


-- Training and suggesting are recorded too.
SELECT usermatch.train('st_people', 'st_people', options => '{"seed": 7}');
CREATE TEMP TABLE st_labels AS SELECT id1, id2, true AS is_match FROM st_pairs LIMIT 20;
SET client_min_messages = warning;
SELECT count(*) FROM usermatch.train_labels('st_people', 'st_labels', 'st_people');
SELECT usermatch.suggest_profile('st_people');
RESET client_min_messages;
SELECT results_eq($$SELECT operation, calls, records_read FROM usermatch.performance_metrics
                     WHERE operation IN ('train', 'train_labels', 'suggest_profile') ORDER BY operation$$,
                  $$VALUES ('suggest_profile', 1::bigint, 400::bigint), ('train', 1, 400), ('train_labels', 1, 400)$$,
                  'train, train_labels and suggest_profile are counted with the records they read');

-- usermatch.track = off stops collection.
SET usermatch.track = off;
SELECT usermatch.explain_match('st_people', '{}', '{}');
RESET usermatch.track;
SELECT is((SELECT calls FROM usermatch.performance_metrics WHERE profile = 'st_people' AND operation = 'explain_match'), 7::bigint,
          'no call is counted with usermatch.track = off');

-- Who sees which rows, who may reset.
CREATE ROLE um_stats_alice;
CREATE ROLE um_stats_carol;
GRANT pg_read_all_stats TO um_stats_carol;
SET ROLE um_stats_alice;
DO $$ BEGIN PERFORM usermatch.explain_match('st_alice_only', '{}', '{}'); EXCEPTION WHEN undefined_object THEN NULL; END $$;
SELECT results_eq($$SELECT role || '/' || profile FROM usermatch.performance_metrics$$,
                  $$VALUES ('um_stats_alice/st_alice_only')$$, 'a role sees only its own rows');
SELECT throws_ok('SELECT usermatch.stat_reset()', '42501', NULL, 'a plain role may not reset');
SELECT ok((SELECT entries = 9 FROM usermatch.stats_info), 'stats_info counts every entry');
RESET ROLE;
SET ROLE um_stats_carol;
SELECT is((SELECT count(DISTINCT role)::int FROM usermatch.performance_metrics), 2, 'a member of pg_read_all_stats sees every role''s rows');
SELECT throws_ok('SELECT usermatch.stat_reset()', '42501', NULL, 'pg_read_all_stats does not allow a reset');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM usermatch.performance_metrics), 9, 'a superuser sees every row');

-- Health checks.
SELECT results_eq($$SELECT check_name, status FROM usermatch.system_health
                     WHERE check_name NOT IN ('launcher_alive', 'free_worker_slots', 'queue_lag_seconds', 'failed_jobs_last_hour')
                     ORDER BY check_name$$,
                  $$VALUES ('cache_hit_rate', 'ok'), ('library_preloaded', 'ok'), ('memory_budget', 'ok'), ('statistics_entries_dropped', 'ok')$$,
                  'every check is ok on a quiet preloaded server');
SELECT is((SELECT value FROM usermatch.system_health WHERE check_name = 'cache_hit_rate'), NULL, 'no cache lookups: no hit rate');
SELECT is((SELECT array_agg(check_name || ':' || status ORDER BY check_name) FROM usermatch.system_health
            WHERE check_name IN ('launcher_alive', 'free_worker_slots', 'queue_lag_seconds')),
          ARRAY['free_worker_slots:ok', 'launcher_alive:ok', 'queue_lag_seconds:ok'],
          'system_health includes the job launcher''s checks (job_health)');
-- memory against budget: 64 blocking rules need 12 bytes per record and rule (06_source_reading).
CREATE TABLE st_gen AS SELECT * FROM usermatch.generate_users(17000, 11);
CREATE TABLE st_gen14 AS SELECT * FROM st_gen ORDER BY user_id LIMIT 14600;  -- ~84% of 16 MB
SELECT usermatch.create_profile('st_many_rules', jsonb_build_object('id', 'user_id',
  'fields', '[{"name": "phone", "column": "phone", "type": "phone"}, {"name": "email", "column": "email", "type": "email"}]'::jsonb,
  'blocking', (SELECT jsonb_agg(CASE WHEN i % 2 = 0 THEN '["phone"]'::jsonb ELSE '["email"]'::jsonb END) FROM generate_series(1, 64) i)));
SAVEPOINT tiny_budget;
SET LOCAL client_min_messages = warning;
SET LOCAL usermatch.memory_limit = '16MB';
SELECT count(*) FROM usermatch.dedupe('st_many_rules', 'st_gen14');
SELECT is((SELECT status FROM usermatch.system_health WHERE check_name = 'memory_budget'), 'warning',
          'a call that used over 80% of a tiny memory_limit: warning');
SELECT ok((SELECT value BETWEEN 80 AND 90 AND threshold = 80 FROM usermatch.system_health WHERE check_name = 'memory_budget'),
          'value is the share of memory_limit used, threshold the warning level');
SELECT throws_ok($$SELECT count(*) FROM usermatch.dedupe('st_many_rules', 'st_gen')$$, '53200', NULL, 'a call past the limit fails');
SELECT is((SELECT status FROM usermatch.system_health WHERE check_name = 'memory_budget'), 'critical',
          'a call stopped by memory_limit: critical');
SET LOCAL usermatch.health_memory_critical = 101;
SELECT is((SELECT status FROM usermatch.system_health WHERE check_name = 'memory_budget'), 'warning',
          'the critical threshold is a setting');
ROLLBACK TO SAVEPOINT tiny_budget;
-- statistics entries dropped: more (role, profile, operation) combinations than max_stat_entries.
DO $$
DECLARE i int;
BEGIN
    FOR i IN 1 .. current_setting('usermatch.max_stat_entries')::int LOOP
        BEGIN PERFORM usermatch.explain_match('st_fill_' || i, '{}', '{}'); EXCEPTION WHEN undefined_object THEN NULL; END;
    END LOOP;
END $$;
SELECT is((SELECT entries::int FROM usermatch.stats_info), current_setting('usermatch.max_stat_entries')::int, 'the entries are full');
SELECT ok((SELECT dropped > 0 FROM usermatch.stats_info), 'calls of new combinations are dropped and counted');
SELECT is((SELECT status FROM usermatch.system_health WHERE check_name = 'statistics_entries_dropped'), 'warning', 'dropped entries: warning');
SELECT is((SELECT calls FROM usermatch.performance_metrics WHERE profile = 'st_people' AND operation = 'dedupe'), 1::bigint,
          'existing entries still count');
DO $$
DECLARE i int;
BEGIN
    FOR i IN 1 .. current_setting('usermatch.max_stat_entries')::int LOOP
        BEGIN PERFORM usermatch.explain_match('st_more_' || i, '{}', '{}'); EXCEPTION WHEN undefined_object THEN NULL; END;
    END LOOP;
END $$;
SELECT is((SELECT status FROM usermatch.system_health WHERE check_name = 'statistics_entries_dropped'), 'critical',
          'as many calls dropped as entries kept: critical');
SELECT usermatch.stat_reset();
SELECT is((SELECT (entries, dropped)::text FROM usermatch.stats_info), '(0,0)', 'a reset empties the entries and the dropped count');

-- Online matching is recorded, with the backend's cache and pool counters folded in.
SELECT usermatch.warm_cache('st_people', 'st_people');
DO $$ BEGIN FOR i IN 1 .. 3 LOOP
    -- a person of the table: at least that row is a candidate
    PERFORM * FROM usermatch.match_one('st_people', (SELECT jsonb_build_object('full_name', full_name, 'phone', phone)
                                                       FROM st_people ORDER BY user_id LIMIT 1), 'st_people');
END LOOP; END $$;
SELECT count(*) FROM usermatch.match_many('st_people', '[{"full_name": "Wang Fang"}, {"email": "a@b.cn"}]', 'st_people');
SELECT results_eq(
  $$SELECT operation, calls, records_read FROM usermatch.performance_metrics
     WHERE profile = 'st_people' AND operation IN ('match_one', 'match_many') ORDER BY operation$$,
  $$VALUES ('match_many', 1::bigint, 2::bigint), ('match_one', 3, 3)$$,
  'match_one and match_many: calls and records counted exactly');
SELECT ok((SELECT pairs_scored >= 3 AND pairs_scored % 3 = 0 AND candidate_pairs = pairs_scored AND pairs_scored >= matches_out
             FROM usermatch.performance_metrics WHERE profile = 'st_people' AND operation = 'match_one'),
          'match_one counts the candidates it scored (three identical calls: a multiple of 3, at least the matches)');
SELECT ok((SELECT cache_hit_rate > 0.5 FROM usermatch.performance_metrics WHERE profile = 'st_people' AND operation = 'match_one'),
          'match_one after warm_cache: the cache hit rate is folded in');
SELECT ok((SELECT pool_reuse_rate > 0 FROM usermatch.performance_metrics WHERE profile = 'st_people' AND operation = 'match_one'),
          'match_one: the pool reuse rate is folded in');
SELECT ok((SELECT value > 0.5 AND status = 'ok' FROM usermatch.system_health WHERE check_name = 'cache_hit_rate'),
          'system_health: the cache hit rate of match_one calls');

-- The dashboard page: self-contained, escaped.
SELECT usermatch.explain_match('st_people', '{}', '{}');
SELECT ok((SELECT h LIKE '<!DOCTYPE html>%</html>' AND h LIKE '%<svg%' AND h LIKE '%library_preloaded%'
                  AND h NOT ILIKE '%<script%' AND h NOT ILIKE '%http://%.css%' AND h NOT ILIKE '%src=%' AND h NOT ILIKE '%@import%'
             FROM usermatch.dashboard_html() h), 'dashboard_html is one page: SVG, health, no scripts or external resources');
-- A history chart breaks its line where samples stop (server down) instead of bridging the gap.
SELECT is((SELECT count(*)::int FROM regexp_matches(
              usermatch.dashboard_chart('t', '/s', ARRAY['a'],
                  '[{"t":0,"a":1},{"t":1,"a":2},{"t":2,"a":1},{"t":60,"a":3},{"t":61,"a":2}]'), 'M[0-9]', 'g')),
          2, 'a history chart starts a new line after a gap in the samples');
SELECT is((SELECT count(*)::int FROM regexp_matches(
              usermatch.dashboard_chart('t', '/s', ARRAY['a'],
                  '[{"t":0,"a":1},{"t":1,"a":2},{"t":2,"a":1},{"t":3,"a":3},{"t":4,"a":2}]'), 'M[0-9]', 'g')),
          1, 'and draws one line through evenly spaced samples');
SELECT is(usermatch.dashboard_escape('<b a="x">&''</b>'), '&lt;b a=&quot;x&quot;&gt;&amp;&#39;&lt;/b&gt;', 'dashboard text is escaped');

SELECT * FROM finish();
ROLLBACK;
