-- Issue 10: background jobs (launcher, workers, results, cancel, retry, wait, schedules,
-- incremental runs, row-level security, health). Runs WITHOUT a surrounding transaction: the
-- launcher only sees committed jobs. It cleans up what it creates at the end.
-- Needs usermatch.database = this database (scripts/run-tests.sh sets it for the test cluster).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SELECT plan(114);

-- Polls `query` (a boolean) until it is true or `seconds` pass; returns its last value.
CREATE FUNCTION pg_temp.eventually(query text, seconds float8 DEFAULT 30) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE ok boolean; deadline timestamptz := clock_timestamp() + make_interval(secs => seconds);
BEGIN
  LOOP
    EXECUTE query INTO ok;
    IF ok OR clock_timestamp() > deadline THEN RETURN coalesce(ok, false); END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;

CREATE TABLE jobs_users AS SELECT row_number() OVER () AS seq, * FROM usermatch.generate_users(3000, 7);
CREATE TABLE jobs_other AS SELECT * FROM usermatch.generate_users(800, 7);
SELECT usermatch.create_profile('jobs_p', '{"id": "user_id", "fields": [
  {"name": "name", "column": "full_name", "type": "person_name"},
  {"name": "phone", "column": "phone", "type": "phone"},
  {"name": "email", "column": "email", "type": "email"}],
  "blocking": [["phone"], ["email"]], "prior": 0.0004}');
CREATE TABLE jobs_direct AS SELECT * FROM usermatch.dedupe('jobs_p', 'jobs_users');

------------------------------------------------------------------------------------------
-- The launcher runs; submit -> results equal a direct run's.
------------------------------------------------------------------------------------------
SELECT ok(pg_temp.eventually('SELECT usermatch.launcher_pid() IS NOT NULL'), 'the launcher is running');
SELECT is((SELECT backend_type FROM pg_stat_activity WHERE pid = usermatch.launcher_pid()), 'usermatch launcher',
          'launcher_pid() is the launcher process');
SELECT usermatch.stat_reset();  -- so the job's statistics row below counts this run only
SELECT usermatch.submit_job('dedupe', 'jobs_p', 'jobs_users') AS job_dedupe \gset
SELECT is(usermatch.wait_job(:job_dedupe, '60 s'), 'succeeded', 'a dedupe job succeeds');
SELECT ok((SELECT count(*) FROM jobs_direct) > 100, 'the direct dedupe finds pairs (the comparison below is not vacuous)');
SELECT set_eq(format('SELECT id1, id2, match_weight, match_probability FROM usermatch.job_results WHERE job_id = %s', :job_dedupe),
              'SELECT id1, id2, match_weight, match_probability FROM jobs_direct',
              'the job''s results equal a direct dedupe''s (pairs, weights, probabilities)');
-- The attempt is recorded in the statistics as operation job:dedupe, under the submitting role.
SELECT ok(pg_temp.eventually($$SELECT coalesce((SELECT calls = 1 AND errors = 0 AND matches_out = (SELECT count(*) FROM jobs_direct)
                                               FROM usermatch.performance_metrics
                                              WHERE profile = 'jobs_p' AND operation = 'job:dedupe' AND role = current_user), false)$$),
          'performance_metrics has the job (operation job:dedupe, its rows written)');
SELECT is((SELECT count(*) FROM usermatch.job_results WHERE job_id = :job_dedupe), (SELECT count(*) FROM jobs_direct),
          '...with no duplicates');
SELECT row_eq(format('SELECT kind, profile, owner::text, state, records_done, records_total, pairs_scored, rows_written, attempts, error FROM usermatch.jobs WHERE id = %s', :job_dedupe),
              ROW('dedupe'::text, 'jobs_p'::text, current_user::text, 'succeeded'::text, 3000::bigint, 3000::bigint,
                  (SELECT count(*) FROM jobs_direct), (SELECT count(*) FROM jobs_direct), 1, NULL::text),
              'usermatch.jobs shows kind, owner, state, records done/total, pairs, rows written, attempts');
SELECT ok((SELECT submitted <= started AND started <= finished FROM usermatch.jobs WHERE id = :job_dedupe),
          'submitted <= started <= finished');
SELECT is((SELECT array_agg(state || '/' || attempt) FROM usermatch.job_runs WHERE job_id = :job_dedupe), ARRAY['succeeded/1'],
          'job_runs records the one attempt');

SELECT usermatch.submit_job('link', 'jobs_p', 'jobs_users', 'jobs_other') AS job_link \gset
SELECT usermatch.submit_job('clusters', 'jobs_p', 'jobs_users') AS job_clusters \gset
SELECT is(usermatch.wait_job(:job_link, '60 s'), 'succeeded', 'a link job succeeds');
SELECT set_eq(format('SELECT id1, id2, match_weight FROM usermatch.job_results WHERE job_id = %s', :job_link),
              $$SELECT left_id, right_id, match_weight FROM usermatch.link('jobs_p', 'jobs_users', 'jobs_other')$$,
              'link job results equal a direct link''s');
SELECT is(usermatch.wait_job(:job_clusters, '60 s'), 'succeeded', 'a clusters job succeeds');
SELECT set_eq(format('SELECT record_id, entity_id, cluster_size FROM usermatch.job_clusters WHERE job_id = %s', :job_clusters),
              $$SELECT record_id, entity_id, cluster_size FROM usermatch.clusters('jobs_p', 'jobs_users')$$,
              'clusters job results (in usermatch.job_clusters) equal a direct clusters()''s');
CREATE TABLE my_pairs (job_id bigint, id1 text, id2 text, match_weight float8, match_probability float8,
                       written_by name DEFAULT current_user);
SELECT usermatch.submit_job('dedupe', 'jobs_p', 'jobs_users', options => '{"result_table": "my_pairs", "min_probability": 0.99}') AS job_custom \gset
SELECT is(usermatch.wait_job(:job_custom, '60 s'), 'succeeded', 'a job writing into options.result_table succeeds');
SELECT set_eq('SELECT id1, id2 FROM my_pairs', $$SELECT id1, id2 FROM usermatch.dedupe('jobs_p', 'jobs_users', 0.99)$$,
              'options.result_table and options.min_probability are honoured');

------------------------------------------------------------------------------------------
-- Errors at submit time.
------------------------------------------------------------------------------------------
SELECT throws_ok($$SELECT usermatch.submit_job('dedup', 'jobs_p', 'jobs_users')$$, '22023', 'usermatch: unknown job kind "dedup"', 'an unknown kind is 22023');
SELECT throws_ok($$SELECT usermatch.submit_job('dedupe', NULL, 'jobs_users')$$, '22004', NULL, 'a NULL profile is 22004');
SELECT throws_ok($$SELECT usermatch.submit_job('link', 'jobs_p', 'jobs_users')$$, '22004', 'usermatch: a link job needs a target', 'link without a target is 22004');
SELECT throws_ok($$SELECT usermatch.submit_job('dedupe', 'nope', 'jobs_users')$$, '42704', 'usermatch: profile "nope" does not exist', 'a missing profile is 42704');
SELECT throws_ok($$SELECT usermatch.submit_job('dedupe', 'jobs_p', 'jobs_users', options => '{"incremental": true}')$$, '22023',
                 'usermatch: an incremental job needs options.watermark_column', 'incremental without a watermark column is 22023');
SELECT throws_ok($$SELECT usermatch.submit_job('dedupe', 'jobs_p', 'jobs_users', options => '{"incremental": true, "watermark_column": "nope"}')$$, '42703',
                 NULL, 'a missing watermark column is 42703');
SELECT throws_ok($$SELECT usermatch.submit_job('clusters', 'jobs_p', 'jobs_users', options => '{"incremental": true, "watermark_column": "seq"}')$$, '22023',
                 NULL, 'incremental clusters jobs are refused (22023)');
SELECT throws_ok($$SELECT usermatch.submit_job('dedupe', 'jobs_p', 'jobs_users', options => '{"max_attempts": 0}')$$, '22023', NULL, 'max_attempts 0 is 22023');
SELECT throws_ok($$SELECT usermatch.submit_job('dedupe', 'jobs_p', 'jobs_users', options => '{"result_table": "nope"}')$$, '42P01', NULL, 'a missing result table is 42P01');
SELECT throws_ok($$SELECT usermatch.cancel_job(-1)$$, '42704', 'usermatch: job -1 does not exist', 'cancelling a missing job is 42704');
SELECT is(usermatch.cancel_job(:job_dedupe), false, 'cancelling a finished job returns false');

------------------------------------------------------------------------------------------
-- A job whose profile or source was dropped fails saying which.
------------------------------------------------------------------------------------------
SELECT usermatch.create_profile('jobs_gone', (SELECT spec FROM usermatch.profiles WHERE name = 'jobs_p'));
CREATE TABLE jobs_gone_table AS SELECT * FROM jobs_users LIMIT 10;
BEGIN;
SELECT usermatch.submit_job('dedupe', 'jobs_gone', 'jobs_users') AS job_no_profile \gset
SELECT usermatch.drop_profile('jobs_gone');
SELECT usermatch.submit_job('dedupe', 'jobs_p', 'jobs_gone_table') AS job_no_source \gset
DROP TABLE jobs_gone_table;
COMMIT;
SELECT is(usermatch.wait_job(:job_no_profile, '30 s'), 'failed', 'a job whose profile was dropped fails');
SELECT is((SELECT error || ' / ' || error_code || ' / ' || attempts FROM usermatch.jobs WHERE id = :job_no_profile),
          format('usermatch job %s: profile "jobs_gone" was dropped / 42704 / 1', :job_no_profile), '...saying which profile, without retrying');
SELECT is(usermatch.wait_job(:job_no_source, '30 s'), 'failed', 'a job whose source was dropped fails');
SELECT is((SELECT error FROM usermatch.jobs WHERE id = :job_no_source),
          format('usermatch job %s: source relation public.jobs_gone_table was dropped', :job_no_source), '...naming the source');

------------------------------------------------------------------------------------------
-- Cancel, wait with a timeout, retry (resumes from the checkpoint: no duplicates).
------------------------------------------------------------------------------------------
SELECT usermatch.submit_job('dedupe', 'jobs_p', 'jobs_users', options => '{"batch_size": 1}') AS job_slow \gset
SELECT ok(pg_temp.eventually(format('SELECT rows_written > 0 FROM usermatch.jobs WHERE id = %s', :job_slow)), 'a slow job (batch_size 1) commits batches');
SELECT is(usermatch.wait_job(:job_slow, '10 ms'), 'running', 'wait_job returns the current state when the timeout passes');
SELECT is(usermatch.cancel_job(:job_slow), true, 'cancel_job cancels a running job');
SELECT is(usermatch.wait_job(:job_slow, '5 s'), 'cancelled', '...which is cancelled');
SELECT ok(pg_temp.eventually(format($$SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = 'usermatch job' AND application_name = 'usermatch job %s')$$, :job_slow), 10),
          '...and its worker stops');
SELECT ok((SELECT rows_written < (SELECT count(*) FROM jobs_direct) FROM usermatch.jobs WHERE id = :job_slow), '...part way through');
SELECT is((SELECT count(*) FROM usermatch.job_results WHERE job_id = :job_slow), (SELECT rows_written FROM usermatch.jobs WHERE id = :job_slow),
          'exactly the checkpointed rows were written');
SELECT is(usermatch.retry_job(:job_slow), true, 'retry_job queues a cancelled job again');
UPDATE usermatch.job_queue SET batch_size = 500 WHERE id = :job_slow;
SELECT is(usermatch.wait_job(:job_slow, '60 s'), 'succeeded', '...which resumes and succeeds');
SELECT set_eq(format('SELECT id1, id2, match_weight, match_probability FROM usermatch.job_results WHERE job_id = %s', :job_slow),
              'SELECT id1, id2, match_weight, match_probability FROM jobs_direct', 'the resumed job''s results equal a direct run''s');
SELECT is((SELECT count(*) FROM usermatch.job_results WHERE job_id = :job_slow), (SELECT count(*) FROM jobs_direct), '...with no duplicates');
SELECT ok((SELECT resumed_from > 0 FROM usermatch.job_runs WHERE job_id = :job_slow ORDER BY id DESC LIMIT 1),
          'job_runs shows the second attempt resumed from the checkpoint');

------------------------------------------------------------------------------------------
-- Schedules.
------------------------------------------------------------------------------------------
SELECT usermatch.schedule('jobs_every_second', '1 second', 'dedupe', 'jobs_p', 'jobs_other');
SELECT ok(pg_temp.eventually($$SELECT count(*) >= 2 FROM usermatch.jobs WHERE schedule = 'jobs_every_second' AND state = 'succeeded'$$, 20),
          'a schedule submits its job repeatedly');
SELECT ok((SELECT last_run IS NOT NULL AND next_run > last_run AND last_state IS NOT NULL FROM usermatch.schedules WHERE name = 'jobs_every_second'),
          'usermatch.schedules shows the last and next run');
SELECT is(usermatch.unschedule('jobs_every_second'), true, 'unschedule removes it');
SELECT ok(pg_temp.eventually($$SELECT NOT EXISTS (SELECT 1 FROM usermatch.jobs WHERE schedule = 'jobs_every_second' AND state IN ('queued', 'running'))$$, 20), 'its last job finishes');
SELECT count(*) AS scheduled_jobs FROM usermatch.jobs WHERE schedule = 'jobs_every_second' \gset
SELECT pg_sleep(2.5);
SELECT is((SELECT count(*) FROM usermatch.jobs WHERE schedule = 'jobs_every_second'), :scheduled_jobs::bigint, 'no job is submitted after unschedule');
SELECT throws_ok($$SELECT usermatch.unschedule('jobs_every_second')$$, '42704', NULL, 'unscheduling an unknown name is 42704');

------------------------------------------------------------------------------------------
-- Incremental: each run sees only the new rows; the union equals a full run (exactly, weights
-- included, because jobs_p fixes its prior and has no term-frequency fields).
------------------------------------------------------------------------------------------
CREATE TABLE jobs_growing AS SELECT * FROM jobs_users WHERE seq <= 2000;
SELECT usermatch.submit_job('dedupe', 'jobs_p', 'jobs_growing', options => '{"incremental": true, "watermark_column": "seq"}') AS job_inc1 \gset
SELECT is(usermatch.wait_job(:job_inc1, '60 s'), 'succeeded', 'the first incremental run succeeds');
INSERT INTO jobs_growing SELECT * FROM jobs_users WHERE seq > 2000;
SELECT usermatch.submit_job('dedupe', 'jobs_p', 'jobs_growing', options => '{"incremental": true, "watermark_column": "seq"}') AS job_inc2 \gset
SELECT is(usermatch.wait_job(:job_inc2, '60 s'), 'succeeded', 'the second incremental run succeeds');
SELECT row_eq(format('SELECT records_total, watermark_from, watermark_to FROM usermatch.job_queue WHERE id = %s', :job_inc2),
              ROW(1000::bigint, '2000'::text, '3000'::text), 'the second run read only the 1000 new rows (watermark 2000 -> 3000)');
SELECT ok((SELECT bool_and(j.seq > 2000 OR k.seq > 2000) FROM usermatch.job_results r
             JOIN jobs_users j ON j.user_id = r.id1 JOIN jobs_users k ON k.user_id = r.id2 WHERE r.job_id = :job_inc2),
          'every pair of the second run involves a new row');
SELECT set_eq(format('SELECT id1, id2, match_weight, match_probability FROM usermatch.job_results WHERE job_id IN (%s, %s)', :job_inc1, :job_inc2),
              'SELECT id1, id2, match_weight, match_probability FROM jobs_direct', 'the union of the incremental runs equals a full run');
SELECT is((SELECT count(*) FROM usermatch.job_results WHERE job_id IN (:job_inc1, :job_inc2)), (SELECT count(*) FROM jobs_direct),
          '...with no pair twice');
SELECT usermatch.submit_job('dedupe', 'jobs_p', 'jobs_growing', options => '{"incremental": true, "watermark_column": "seq"}') AS job_inc3 \gset
SELECT is(usermatch.wait_job(:job_inc3, '60 s'), 'succeeded', 'an incremental run with nothing new succeeds');
SELECT is((SELECT count(*) FROM usermatch.job_results WHERE job_id = :job_inc3), 0::bigint, '...and finds nothing');

------------------------------------------------------------------------------------------
-- Incremental through the online index: once a table has one (warm_cache), an incremental run
-- matches only its new rows against it (match_many) and writes exactly the rows, weights
-- included, that today's path (link() over the whole table) writes; without one it takes today's
-- path and says why. jobs_pd has no fixed prior (both paths use 1 / table rows) and reads a date
-- column (as the source reader does: YYYY-MM-DD).
------------------------------------------------------------------------------------------
SELECT is((SELECT result->>'incremental_path' || ': ' || (result->>'link_reason') FROM usermatch.job_queue WHERE id = :job_inc2),
          'link: public.jobs_growing has no online index (usermatch.warm_cache installs its change log)',
          'an incremental run over a table without an online index takes today''s path and says why');
SELECT usermatch.create_profile('jobs_pd', '{"id": "user_id", "fields": [
  {"name": "name", "column": "full_name", "type": "person_name"},
  {"name": "phone", "column": "phone", "type": "phone"},
  {"name": "email", "column": "email", "type": "email"},
  {"name": "dob", "column": "birth_day", "type": "date"}],
  "blocking": [["phone"], ["email"], ["name.sorted_tokens", "dob.year"]]}');
CREATE TABLE jobs_inc_all AS SELECT seq, user_id, full_name, phone, email,
  CASE WHEN birth_date ~ '^\d{4}-\d{2}-\d{2}$' THEN birth_date::date END AS birth_day FROM jobs_users;
CREATE TABLE jobs_inc_old AS SELECT * FROM jobs_inc_all WHERE seq <= 2000;
CREATE TABLE jobs_inc_new AS SELECT * FROM jobs_inc_all WHERE seq <= 2000;
SELECT usermatch.submit_job('dedupe', 'jobs_pd', 'jobs_inc_old', options => '{"incremental": true, "watermark_column": "seq"}') AS job_io1 \gset
SELECT usermatch.submit_job('dedupe', 'jobs_pd', 'jobs_inc_new', options => '{"incremental": true, "watermark_column": "seq"}') AS job_in1 \gset
SELECT is(ARRAY[usermatch.wait_job(:job_io1, '60 s'), usermatch.wait_job(:job_in1, '60 s')], ARRAY['succeeded', 'succeeded'],
          'first incremental runs over two copies of a table succeed');
SELECT ok(usermatch.warm_cache('jobs_pd', 'jobs_inc_new') = 2000, 'warm_cache builds the online index of one copy');
-- 1,000 new rows, and one changed row (its watermark moves), in both copies.
INSERT INTO jobs_inc_old SELECT * FROM jobs_inc_all WHERE seq > 2000;
INSERT INTO jobs_inc_new SELECT * FROM jobs_inc_all WHERE seq > 2000;
UPDATE jobs_inc_old SET seq = 5000, email = 'changed@example.org' WHERE seq = 10;
UPDATE jobs_inc_new SET seq = 5000, email = 'changed@example.org' WHERE seq = 10;
SELECT usermatch.submit_job('dedupe', 'jobs_pd', 'jobs_inc_old', options => '{"incremental": true, "watermark_column": "seq"}') AS job_io2 \gset
SELECT usermatch.submit_job('dedupe', 'jobs_pd', 'jobs_inc_new', options => '{"incremental": true, "watermark_column": "seq"}') AS job_in2 \gset
SELECT is(ARRAY[usermatch.wait_job(:job_io2, '60 s'), usermatch.wait_job(:job_in2, '60 s')], ARRAY['succeeded', 'succeeded'],
          'second incremental runs succeed');
SELECT is((SELECT array_agg(result->>'incremental_path' ORDER BY id) FROM usermatch.job_queue WHERE id IN (:job_io2, :job_in2)),
          ARRAY['link', 'online_index'], 'the copy with an online index is matched through it, the other through link()');
SELECT is((SELECT array_agg(records_total ORDER BY id) FROM usermatch.job_queue WHERE id IN (:job_io2, :job_in2)),
          ARRAY[1001, 1001]::bigint[], 'both read the 1,001 new or changed rows');
SELECT ok((SELECT (result ? 'index_seconds') AND (result ? 'match_seconds') FROM usermatch.job_queue WHERE id = :job_in2),
          'the job''s result says where the worker spent its time (index, matching)');
SELECT set_eq(format('SELECT id1, id2 FROM usermatch.job_results WHERE job_id = %s', :job_in2),
              format('SELECT id1, id2 FROM usermatch.job_results WHERE job_id = %s', :job_io2),
              'the online path finds the same pairs as today''s path');
SELECT cmp_ok((SELECT count(*) FROM usermatch.job_results WHERE job_id = :job_in2), '>=', 100::bigint,
              '...a few hundred of them (the comparison is not vacuous)');
SELECT is((SELECT count(*) FROM usermatch.job_results o JOIN usermatch.job_results n USING (id1, id2)
            WHERE o.job_id = :job_io2 AND n.job_id = :job_in2
              AND abs(o.match_weight - n.match_weight) <= 1e-9 AND abs(o.match_probability - n.match_probability) <= 1e-9),
          (SELECT count(*) FROM usermatch.job_results WHERE job_id = :job_io2),
          '...with the same weights and probabilities (within 1e-9), each pair once');
SELECT ok((SELECT bool_and(a.seq > 2000 OR b.seq > 2000) FROM usermatch.job_results r
             JOIN jobs_inc_new a ON a.user_id = r.id1 JOIN jobs_inc_new b ON b.user_id = r.id2 WHERE r.job_id = :job_in2),
          '...every pair involving a new or changed row');
-- A link job: new rows of a source against a target with an online index.
CREATE TABLE jobs_inc_target AS SELECT * FROM jobs_inc_all WHERE seq > 1500;
CREATE TABLE jobs_inc_src_old AS SELECT * FROM jobs_inc_all WHERE seq <= 1000;
CREATE TABLE jobs_inc_src_new AS SELECT * FROM jobs_inc_all WHERE seq <= 1000;
SELECT ok(usermatch.warm_cache('jobs_pd', 'jobs_inc_target') = 1500, 'warm_cache of a link target');
SELECT usermatch.submit_job('link', 'jobs_pd', 'jobs_inc_src_old', 'jobs_inc_target', '{"incremental": true, "watermark_column": "seq", "online_index": false}') AS job_lo1 \gset
SELECT usermatch.submit_job('link', 'jobs_pd', 'jobs_inc_src_new', 'jobs_inc_target', '{"incremental": true, "watermark_column": "seq"}') AS job_ln1 \gset
SELECT is(ARRAY[usermatch.wait_job(:job_lo1, '60 s'), usermatch.wait_job(:job_ln1, '60 s')], ARRAY['succeeded', 'succeeded'],
          'first incremental link runs succeed');
INSERT INTO jobs_inc_src_old SELECT * FROM jobs_inc_all WHERE seq > 1000 AND seq <= 1600;
INSERT INTO jobs_inc_src_new SELECT * FROM jobs_inc_all WHERE seq > 1000 AND seq <= 1600;
SELECT usermatch.submit_job('link', 'jobs_pd', 'jobs_inc_src_old', 'jobs_inc_target', '{"incremental": true, "watermark_column": "seq", "online_index": false}') AS job_lo2 \gset
SELECT usermatch.submit_job('link', 'jobs_pd', 'jobs_inc_src_new', 'jobs_inc_target', '{"incremental": true, "watermark_column": "seq"}') AS job_ln2 \gset
SELECT is(ARRAY[usermatch.wait_job(:job_lo2, '60 s'), usermatch.wait_job(:job_ln2, '60 s')], ARRAY['succeeded', 'succeeded'],
          'second incremental link runs succeed');
SELECT is((SELECT array_agg(coalesce(result->>'link_reason', result->>'incremental_path') ORDER BY id) FROM usermatch.job_queue WHERE id IN (:job_lo2, :job_ln2)),
          ARRAY['options.online_index is false', 'online_index'], 'options.online_index = false keeps today''s path');
SELECT cmp_ok((SELECT count(*) FROM usermatch.job_results WHERE job_id = :job_ln2), '>=', 50::bigint,
              'the incremental link finds the new rows'' matches (the comparison is not vacuous)');
SELECT is((SELECT count(*) FROM usermatch.job_results o FULL JOIN
             (SELECT * FROM usermatch.job_results WHERE job_id = :job_ln2) n USING (id1, id2)
            WHERE o.job_id = :job_lo2 AND abs(o.match_weight - n.match_weight) <= 1e-9
              AND abs(o.match_probability - n.match_probability) <= 1e-9),
          (SELECT count(*) FROM usermatch.job_results WHERE job_id = :job_ln2),
          '...exactly the rows of today''s path (pairs, weights within 1e-9)');
SELECT is((SELECT count(*) FROM usermatch.job_results WHERE job_id = :job_lo2),
          (SELECT count(*) FROM usermatch.job_results WHERE job_id = :job_ln2), '...no more, no fewer');
-- The union of incremental runs through the online index equals a full run (jobs_p fixes its prior).
CREATE TABLE jobs_growing_online AS SELECT * FROM jobs_users WHERE seq <= 2000;
SELECT usermatch.submit_job('dedupe', 'jobs_p', 'jobs_growing_online', options => '{"incremental": true, "watermark_column": "seq"}') AS job_go1 \gset
SELECT is(usermatch.wait_job(:job_go1, '60 s'), 'succeeded', 'a first incremental run succeeds');
SELECT usermatch.warm_cache('jobs_p', 'jobs_growing_online');
INSERT INTO jobs_growing_online SELECT * FROM jobs_users WHERE seq > 2000;
SELECT usermatch.submit_job('dedupe', 'jobs_p', 'jobs_growing_online', options => '{"incremental": true, "watermark_column": "seq"}') AS job_go2 \gset
SELECT is(usermatch.wait_job(:job_go2, '60 s'), 'succeeded', 'the second, through the online index, succeeds');
SELECT is((SELECT result->>'incremental_path' FROM usermatch.job_queue WHERE id = :job_go2), 'online_index', '...through the index');
SELECT set_eq(format('SELECT id1, id2, match_weight, match_probability FROM usermatch.job_results WHERE job_id IN (%s, %s)', :job_go1, :job_go2),
              'SELECT id1, id2, match_weight, match_probability FROM jobs_direct', 'the union of the incremental runs equals a full run');
SELECT is((SELECT count(*) FROM usermatch.job_results WHERE job_id IN (:job_go1, :job_go2)), (SELECT count(*) FROM jobs_direct),
          '...with no pair twice');
SELECT coalesce(sum(calls), 0) AS match_many_calls FROM usermatch.performance_metrics
 WHERE operation = 'match_many' AND database = current_database() \gset
SELECT usermatch.submit_job('dedupe', 'jobs_p', 'jobs_growing_online', options => '{"incremental": true, "watermark_column": "seq"}') AS job_go3 \gset
SELECT is(usermatch.wait_job(:job_go3, '60 s'), 'succeeded', 'a run with nothing new through the online index succeeds');
SELECT is((SELECT count(*) FROM usermatch.job_results WHERE job_id = :job_go3), 0::bigint, '...finds nothing');
SELECT is((SELECT coalesce(sum(calls), 0) FROM usermatch.performance_metrics WHERE operation = 'match_many' AND database = current_database()),
          :match_many_calls::numeric, '...and neither builds nor reads an index (no match_many call)');
-- At max_block_size the paths differ: today's path counts the new rows twice (link's two sides),
-- the online index once, as a full dedupe does. Block of 4 rows (2 new), max_block_size 5.
SELECT usermatch.create_profile('jobs_pcap', '{"id": "user_id", "fields": [
  {"name": "email", "column": "email", "type": "email"}, {"name": "name", "column": "full_name", "type": "person_name"}],
  "blocking": [["email"]], "max_block_size": 5, "prior": 0.01, "threshold": 0.5}');
CREATE TABLE jobs_cap_all (seq int, user_id text, full_name text, email text);
INSERT INTO jobs_cap_all VALUES (1, 'c1', 'Ann Lee', 'ann@example.org'), (2, 'c2', 'Ann Lee', 'ann@example.org'),
                                (3, 'c3', 'Ann Lee', 'ann@example.org'), (4, 'c4', 'Ann Lee', 'ann@example.org');
CREATE TABLE jobs_cap_old AS SELECT * FROM jobs_cap_all WHERE seq <= 2;
CREATE TABLE jobs_cap_new AS SELECT * FROM jobs_cap_all WHERE seq <= 2;
SELECT usermatch.submit_job('dedupe', 'jobs_pcap', 'jobs_cap_old', options => '{"incremental": true, "watermark_column": "seq"}') AS job_co1 \gset
SELECT usermatch.submit_job('dedupe', 'jobs_pcap', 'jobs_cap_new', options => '{"incremental": true, "watermark_column": "seq"}') AS job_cn1 \gset
SELECT is(ARRAY[usermatch.wait_job(:job_co1, '60 s'), usermatch.wait_job(:job_cn1, '60 s')], ARRAY['succeeded', 'succeeded'],
          'first runs over a block of 2 succeed');
SELECT usermatch.warm_cache('jobs_pcap', 'jobs_cap_new');
INSERT INTO jobs_cap_old SELECT * FROM jobs_cap_all WHERE seq > 2;
INSERT INTO jobs_cap_new SELECT * FROM jobs_cap_all WHERE seq > 2;
SELECT usermatch.submit_job('dedupe', 'jobs_pcap', 'jobs_cap_old', options => '{"incremental": true, "watermark_column": "seq"}') AS job_co2 \gset
SELECT usermatch.submit_job('dedupe', 'jobs_pcap', 'jobs_cap_new', options => '{"incremental": true, "watermark_column": "seq"}') AS job_cn2 \gset
SELECT is(ARRAY[usermatch.wait_job(:job_co2, '60 s'), usermatch.wait_job(:job_cn2, '60 s')], ARRAY['succeeded', 'succeeded'],
          'second runs (2 new rows, block of 4) succeed');
SELECT is((SELECT array_agg((SELECT count(*) FROM usermatch.job_results r WHERE r.job_id = q.id) || ' ' || (q.result->>'incremental_path') ORDER BY q.id)
             FROM usermatch.job_queue q WHERE q.id IN (:job_co2, :job_cn2)),
          ARRAY['0 link', '5 online_index'],
          'today''s path skips the block (2 new + 4 rows > 5), the online path compares it (1 + 4 rows)');
SELECT set_eq(format('SELECT id1, id2 FROM usermatch.job_results WHERE job_id IN (%s, %s)', :job_cn1, :job_cn2),
              $$SELECT id1, id2 FROM usermatch.dedupe('jobs_pcap', 'jobs_cap_all')$$,
              '...so its union with the first run equals a full dedupe (block of 4)');
-- Where the online index would not give link()'s results, the job says why and takes link().
SELECT usermatch.create_profile('jobs_ptf', '{"id": "user_id", "fields": [
  {"name": "name", "column": "full_name", "type": "person_name", "tf": true},
  {"name": "email", "column": "email", "type": "email"}], "blocking": [["email"]]}');
SELECT usermatch.create_profile('jobs_pdup', '{"id": "user_id", "fields": [
  {"name": "name", "column": "full_name", "type": "person_name"},
  {"name": "name2", "column": "full_name", "type": "text"}], "blocking": [["name"]]}');
CREATE TABLE jobs_inc_rls AS SELECT * FROM jobs_inc_target;
SELECT usermatch.warm_cache('jobs_pd', 'jobs_inc_rls');
ALTER TABLE jobs_inc_rls ENABLE ROW LEVEL SECURITY;
SELECT is(ARRAY[
  usermatch._incremental_online_refusal('dedupe', 'jobs_pd', 'jobs_inc_src_new', 'jobs_inc_new', '{"online_index": true}'),
  usermatch._incremental_online_refusal('dedupe', 'jobs_pd', 'jobs_inc_src_new', 'jobs_inc_new', '{"min_probability": 0.5}'),
  usermatch._incremental_online_refusal('dedupe', 'jobs_ptf', 'jobs_inc_src_new', 'jobs_inc_new', '{}'),
  usermatch._incremental_online_refusal('dedupe', 'jobs_pdup', 'jobs_inc_src_new', 'jobs_inc_new', '{}'),
  usermatch._incremental_online_refusal('link', 'jobs_pd', 'jobs_inc_all', 'jobs_inc_target', '{}'),
  usermatch._incremental_online_refusal('link', 'jobs_pd', 'jobs_inc_src_new', 'jobs_inc_rls', '{}')],
  ARRAY[NULL,
        'options.min_probability is set (the online index applies the profile''s threshold)',
        'the profile has term-frequency fields (link counts their values over every new row)',
        'a column is read by two fields',
        'more new rows than target rows, and the profile fixes no prior',
        'public.jobs_inc_rls has row-level security'],
  'the online path is refused where its results could differ from link()''s, saying why');

------------------------------------------------------------------------------------------
-- Rights: a job runs as its submitter; roles see and cancel only their own jobs.
------------------------------------------------------------------------------------------
CREATE ROLE um_jobs_alice LOGIN;
CREATE ROLE um_jobs_bob LOGIN;
CREATE ROLE um_jobs_carol LOGIN IN ROLE pg_monitor;
CREATE ROLE um_jobs_group NOLOGIN;
GRANT um_jobs_group TO um_jobs_bob;
GRANT CREATE ON SCHEMA public TO um_jobs_alice, um_jobs_bob;
GRANT SELECT ON jobs_users TO um_jobs_alice, um_jobs_bob, um_jobs_group;
CREATE TABLE alice_secret AS SELECT * FROM jobs_users LIMIT 100;
ALTER TABLE alice_secret OWNER TO um_jobs_alice;
SET ROLE um_jobs_alice;
SELECT usermatch.submit_job('dedupe', 'jobs_p', 'jobs_users', options => '{"batch_size": 1}') AS job_alice \gset
RESET ROLE;
SET ROLE um_jobs_bob;
SELECT is((SELECT count(*) FROM usermatch.jobs WHERE id = :job_alice), 0::bigint, 'another role does not see the job');
SELECT throws_ok(format('SELECT usermatch.cancel_job(%s)', :job_alice), '42704', NULL, '...nor cancel it');
SELECT throws_ok($$SELECT usermatch.submit_job('dedupe', 'jobs_p', 'alice_secret')$$, '42501', NULL,
                 'submitting a job over a table the role cannot read is 42501');
-- Bob's own view over Alice's table: Bob may SELECT the view only if Bob may read the table.
CREATE VIEW bob_window AS SELECT * FROM alice_secret;
SELECT usermatch.submit_job('dedupe', 'jobs_p', 'bob_window') AS job_bob_window \gset
CREATE TABLE my_pairs_bob (job_id bigint, id1 text, id2 text, match_weight float8, match_probability float8,
                           written_by name DEFAULT current_user);
SELECT usermatch.submit_job('dedupe', 'jobs_p', 'jobs_users', options => '{"result_table": "my_pairs_bob"}') AS job_bob \gset
SET ROLE um_jobs_group;
SELECT throws_ok($$SELECT usermatch.submit_job('dedupe', 'jobs_p', 'jobs_users')$$, '42501',
                 'usermatch: role "um_jobs_group" cannot log in, and a job runs as the role that submits it',
                 'a role without LOGIN cannot submit (its job could not connect)');
RESET ROLE;
SELECT is(usermatch.wait_job(:job_bob_window, '30 s'), 'failed', 'a job cannot read through its worker what its submitter cannot read');
SELECT alike((SELECT error FROM usermatch.jobs WHERE id = :job_bob_window), '%permission denied for table alice_secret%', '...permission denied');
SELECT is(usermatch.wait_job(:job_bob, '60 s'), 'succeeded', 'Bob''s own job succeeds');
SELECT is((SELECT array_agg(DISTINCT written_by) FROM my_pairs_bob), ARRAY['um_jobs_bob'::name], 'its results were written as Bob, not as a superuser');
-- No role can make a job run as another: the owner column is checked by row-level security.
SET ROLE um_jobs_bob;
SELECT throws_ok($$INSERT INTO usermatch.job_queue (kind, profile, source, source_name, owner, batch_size)
                   VALUES ('dedupe', 'jobs_p', 'jobs_users', 'jobs_users', 'um_jobs_alice', 10)$$, '42501', NULL,
                 'inserting a job owned by another role is refused');
SELECT throws_ok(format($$UPDATE usermatch.job_queue SET owner = 'um_jobs_alice' WHERE id = %s$$, :job_bob), '42501', NULL,
                 'handing one''s job to another role is refused');
SELECT throws_ok($$INSERT INTO usermatch.job_schedules (owner, name, every, kind, profile, source, source_name, next_run)
                   VALUES ('um_jobs_alice', 'x', '1 hour', 'dedupe', 'jobs_p', 'jobs_users', 'jobs_users', now())$$, '42501', NULL,
                 'so is a schedule owned by another role');
-- A schedule row written by hand that cannot submit its job does not stop the other schedules.
INSERT INTO usermatch.job_schedules (owner, name, every, kind, profile, source, source_name, next_run)
VALUES ('um_jobs_bob', 'bad', '1 hour', 'bogus', 'jobs_p', 'jobs_users', 'jobs_users', now());
SELECT usermatch.schedule('good', '1 hour', 'dedupe', 'jobs_p', 'jobs_users');
RESET ROLE;
SELECT ok(pg_temp.eventually($$SELECT count(*) = 1 FROM usermatch.jobs WHERE schedule = 'good'$$, 20),
          'a schedule still fires next to a broken one');
SELECT ok(pg_temp.eventually($$SELECT usermatch.launcher_pid() IS NOT NULL$$, 5), '...and the launcher keeps running');
SET ROLE um_jobs_carol;
SELECT is((SELECT count(*) FROM usermatch.jobs WHERE id IN (:job_alice, :job_bob)), 2::bigint, 'a pg_monitor member sees every job');
SELECT throws_ok(format('SELECT usermatch.cancel_job(%s)', :job_alice), '42501', NULL, '...but cannot cancel another role''s job');
SELECT is((SELECT count(*) FROM usermatch.job_results WHERE job_id = :job_bob), 0::bigint, '...nor read its results');
RESET ROLE;
SET ROLE um_jobs_alice;
SELECT is(usermatch.cancel_job(:job_alice), true, 'the owner cancels its own job');
RESET ROLE;

------------------------------------------------------------------------------------------
-- Memory budget: the engine lowers the batch size (recorded in the job) instead of failing;
-- a single record that cannot fit fails the job at once, clearly.
------------------------------------------------------------------------------------------
CREATE ROLE um_jobs_small LOGIN;
ALTER ROLE um_jobs_small SET usermatch.memory_limit = '16MB';
CREATE TABLE jobs_wide AS SELECT user_id, phone, email, full_name || repeat(' x', 6000) AS full_name FROM usermatch.generate_users(300, 5);
CREATE TABLE jobs_huge AS SELECT user_id, phone, email, full_name || repeat(' x', 5000000) AS full_name FROM usermatch.generate_users(3, 5);
GRANT SELECT ON jobs_wide, jobs_huge TO um_jobs_small;
SET ROLE um_jobs_small;
SELECT usermatch.submit_job('dedupe', 'jobs_p', 'jobs_wide', options => '{"batch_size": 1000}') AS job_wide \gset
SELECT usermatch.submit_job('dedupe', 'jobs_p', 'jobs_huge') AS job_huge \gset
RESET ROLE;
SELECT is(usermatch.wait_job(:job_wide, '60 s'), 'succeeded', 'a job whose rows strain usermatch.memory_limit succeeds');
SELECT ok((SELECT batch_size BETWEEN 1 AND 999 FROM usermatch.jobs WHERE id = :job_wide), '...with a lower batch size, recorded in the job');
SET usermatch.memory_limit = '16MB';
SELECT set_eq(format('SELECT id1, id2 FROM usermatch.job_results WHERE job_id = %s', :job_wide),
              $$SELECT id1, id2 FROM usermatch.dedupe('jobs_p', 'jobs_wide')$$, '...and the results of a direct run');
RESET usermatch.memory_limit;
SELECT is(usermatch.wait_job(:job_huge, '60 s'), 'failed', 'a job with a record that cannot fit fails');
SELECT alike((SELECT error_code || ' ' || attempts || ' ' || error FROM usermatch.jobs WHERE id = :job_huge),
             '53200 1 usermatch: the normalised records of % would need more than usermatch.memory_limit (A row whose values take %',
             '...at once (53200, no retry), saying that one row does not fit');

------------------------------------------------------------------------------------------
-- Statistics and health.
------------------------------------------------------------------------------------------
SELECT is((SELECT succeeded FROM usermatch.job_stats WHERE period = '1 hour'),
          (SELECT count(*) FROM usermatch.job_queue WHERE state = 'succeeded' AND finished > now() - interval '1 hour'),
          'job_stats counts the succeeded jobs of the last hour');
SELECT is((SELECT failed FROM usermatch.job_stats WHERE period = '7 days'), 4::bigint, '...and the failed ones');
SELECT is((SELECT array_agg(check_name || ':' || status ORDER BY check_name) FROM usermatch.job_health()),
          ARRAY['failed_jobs_last_hour:warning', 'free_worker_slots:ok', 'launcher_alive:ok', 'queue_lag_seconds:ok'],
          'job_health: launcher alive, free slots, queue lag, and a warning for the failures of the last hour');

-- Clean up (jobs of the roles, then the roles).
SELECT ok(pg_temp.eventually($$SELECT NOT EXISTS (SELECT 1 FROM usermatch.job_queue WHERE state IN ('queued', 'running'))$$, 30), 'every job has finished');
DELETE FROM usermatch.job_results;
DELETE FROM usermatch.job_clusters;
DELETE FROM usermatch.job_queue;
DELETE FROM usermatch.job_schedules;
DELETE FROM usermatch.online_targets WHERE relid IN ('jobs_inc_new'::regclass, 'jobs_inc_target'::regclass,
    'jobs_inc_rls'::regclass, 'jobs_growing_online'::regclass, 'jobs_cap_new'::regclass);
DROP TABLE my_pairs, jobs_users, jobs_other, jobs_direct, jobs_growing, jobs_wide, jobs_huge, jobs_inc_all, jobs_inc_old,
    jobs_inc_new, jobs_inc_target, jobs_inc_src_old, jobs_inc_src_new, jobs_inc_rls, jobs_growing_online, jobs_cap_all,
    jobs_cap_old, jobs_cap_new;
DROP OWNED BY um_jobs_alice, um_jobs_bob, um_jobs_carol, um_jobs_group, um_jobs_small;
DROP ROLE um_jobs_alice, um_jobs_bob, um_jobs_carol, um_jobs_group, um_jobs_small;
SELECT usermatch.drop_profile('jobs_p');
SELECT usermatch.drop_profile('jobs_pd');
SELECT usermatch.drop_profile('jobs_ptf');
SELECT usermatch.drop_profile('jobs_pdup');
SELECT usermatch.drop_profile('jobs_pcap');

SELECT * FROM finish();
