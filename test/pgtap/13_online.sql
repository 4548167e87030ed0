-- Online matching (issue 9): match_one / match_many equal link, freshness through the change log,
-- invalidation, eviction, bad records, rights, the match-on-insert helper, cache and pool counters.
-- Everything here runs in one transaction (pgTAP); committed data and a second session are
-- covered by test/online/sessions.sh.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(70);

CREATE TABLE users AS SELECT user_id, full_name, phone, email, birth_date, id_number, city
  FROM usermatch.generate_users(3000, 11);
ALTER TABLE users ADD PRIMARY KEY (user_id);
-- Query records: records of the target (each finds itself and its duplicates) and other people.
CREATE TABLE q_source AS
  SELECT * FROM (SELECT user_id, full_name, phone, email, birth_date, id_number, city FROM users ORDER BY user_id LIMIT 25) a
  UNION ALL
  SELECT * FROM (SELECT 'x' || user_id, full_name, phone, email, birth_date, id_number, city
                   FROM usermatch.generate_users(40, 12) ORDER BY user_id LIMIT 15) b;

SELECT lives_ok($$SELECT usermatch.create_profile('online', '{
  "id": "user_id",
  "fields": [
    {"name": "name",  "column": "full_name",  "type": "person_name", "tf": true},
    {"name": "phone", "column": "phone",      "type": "phone"},
    {"name": "email", "column": "email",      "type": "email"},
    {"name": "dob",   "column": "birth_date", "type": "date"},
    {"name": "idno",  "column": "id_number",  "type": "id_number"},
    {"name": "city",  "column": "city",       "type": "text", "tf": true}],
  "blocking": [["phone"], ["email"], ["idno"], ["name.pinyin_initials", "dob.year"]]}')$$, 'a profile with term frequencies');

-- The record of q_source row `rec_id` as match_one takes it.
CREATE FUNCTION pg_temp.rec(rec_id text) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('full_name', full_name, 'phone', phone, 'email', email, 'birth_date', birth_date,
                            'id_number', id_number, 'city', city) FROM q_source WHERE user_id = rec_id $$;
-- Pairs on which match_one (k large) and link (one-row left source) disagree: missing on either
-- side, or weights further apart than 1e-9. Also counts link's pairs into pg_temp.link_pairs.
CREATE TEMP TABLE link_pairs (n bigint);
CREATE FUNCTION pg_temp.mismatches(rec_id text, min_p double precision) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  IF to_regclass('pg_temp.q1') IS NOT NULL THEN DROP TABLE pg_temp.q1; END IF;
  CREATE TEMP TABLE q1 AS SELECT 'query'::text AS user_id, full_name, phone, email, birth_date, id_number, city
    FROM q_source WHERE user_id = rec_id;
  INSERT INTO link_pairs SELECT count(*) FROM usermatch.link('online', 'pg_temp.q1'::regclass, 'users', min_p);
  SELECT count(*) INTO n
    FROM (SELECT id, match_weight FROM usermatch.match_one('online', pg_temp.rec(rec_id), 'users', 100000, min_p)) m
    FULL JOIN (SELECT right_id, match_weight FROM usermatch.link('online', 'pg_temp.q1'::regclass, 'users', min_p)) l
      ON l.right_id = m.id
   WHERE m.id IS NULL OR l.right_id IS NULL OR abs(m.match_weight - l.match_weight) > 1e-9;
  RETURN n;
END $$;

-- Without the change log (no warm_cache yet): every call builds its own index, still equal.
SELECT is((SELECT sum(pg_temp.mismatches(user_id, 0)) FROM (SELECT user_id FROM q_source LIMIT 3) s), 0::numeric,
          'before warm_cache: match_one equals link (one-off indexes)');
SELECT is((SELECT entries FROM usermatch.cache_stats), 0::bigint, 'nothing is cached without the change log');

SELECT is(usermatch.warm_cache('online', 'users'), 3000::bigint, 'warm_cache indexes every row');
SELECT is((SELECT count(*)::int FROM pg_trigger WHERE tgrelid = 'users'::regclass AND tgname LIKE 'usermatch_online_%'), 3,
          'warm_cache installs the insert, update and delete triggers');
SELECT is((SELECT entries FROM usermatch.cache_stats), 1::bigint, 'the index is cached');

DELETE FROM link_pairs;
SELECT is((SELECT sum(pg_temp.mismatches(user_id, 0)) FROM q_source), 0::numeric,
          'match_one returns link''s pairs with link''s weights (within 1e-9) for 40 records, min_probability 0');
SELECT cmp_ok((SELECT sum(n) FROM link_pairs), '>=', 40::numeric, '... over at least 40 pairs');
SELECT is((SELECT sum(pg_temp.mismatches(user_id, NULL)) FROM (SELECT user_id FROM q_source LIMIT 10) s), 0::numeric,
          'and with the profile''s threshold (min_probability NULL)');
SELECT is((SELECT sum(pg_temp.mismatches(user_id, 0.5)) FROM (SELECT user_id FROM q_source LIMIT 10) s), 0::numeric,
          'and with min_probability 0.5');

-- Best first, k bounds the answer.
SELECT is((SELECT count(*)::int FROM usermatch.match_one('online', pg_temp.rec('u0000001'), 'users', 1, 0)), 1, 'k = 1 returns one row');
SELECT is((SELECT id FROM usermatch.match_one('online', pg_temp.rec('u0000001'), 'users', 1)), 'u0000001',
          'a record of the target finds itself first');
SELECT ok((SELECT bool_and(w1 >= w2) FROM (SELECT match_weight w1, lead(match_weight) OVER () w2
            FROM usermatch.match_one('online', pg_temp.rec('u0000002'), 'users', 50, 0)) s WHERE w2 IS NOT NULL),
          'results come best first');
SELECT cmp_ok((SELECT hits FROM usermatch.cache_stats), '>', 0::bigint, 'calls are served from the cached index');

-- Freshness (all in this transaction: its own writes count).
SELECT builds AS builds_before FROM usermatch.cache_stats \gset
INSERT INTO users VALUES ('n0000001', 'Zbigniew Qwertyuiop', '+48 601 234 567', 'zbig.qwerty@example.pl', '1970-01-02', NULL, 'Kraków');
SELECT is((SELECT id FROM usermatch.match_one('online', '{"full_name": "Zbigniew Qwertyuiop", "phone": "+48 601 234 567"}', 'users', 1)),
          'n0000001', 'a row inserted after the build is found');
SELECT is((SELECT delta_rows_pending FROM usermatch.cache_stats), 1::bigint, '... read as one delta row');
SELECT is((SELECT builds FROM usermatch.cache_stats), :builds_before::bigint, '... without rebuilding');
UPDATE users SET phone = '+48 699 999 999', email = NULL WHERE user_id = 'n0000001';
SELECT is((SELECT count(*)::int FROM usermatch.match_one('online', '{"phone": "+48 601 234 567"}', 'users', 5, 0)), 0,
          'an updated row is no longer found by its old value');
SELECT is((SELECT id FROM usermatch.match_one('online', '{"full_name": "Zbigniew Qwertyuiop", "phone": "+48 699 999 999"}', 'users', 1)),
          'n0000001', '... and is found by its new value');
UPDATE users SET city = 'Zürich' WHERE user_id = 'u0000003';
SELECT is((SELECT sum(pg_temp.mismatches(user_id, 0)) FROM (SELECT user_id FROM q_source LIMIT 8) s), 0::numeric,
          'with changed rows pending, match_one still equals link');
DELETE FROM users WHERE user_id = 'n0000001';
SELECT is((SELECT count(*)::int FROM usermatch.match_one('online', '{"full_name": "Zbigniew Qwertyuiop", "phone": "+48 699 999 999"}', 'users', 5, 0)),
          0, 'a deleted row is gone');
SAVEPOINT s1;
INSERT INTO users VALUES ('n0000002', 'Wojciech Asdfghjkl', '+48 602 111 222', NULL, '1971-03-04', NULL, NULL);
SELECT is((SELECT id FROM usermatch.match_one('online', '{"phone": "+48 602 111 222", "full_name": "Wojciech Asdfghjkl"}', 'users', 1)),
          'n0000002', 'a row inserted in a savepoint is found');
ROLLBACK TO SAVEPOINT s1;
SELECT is((SELECT count(*)::int FROM usermatch.match_one('online', '{"phone": "+48 602 111 222", "full_name": "Wojciech Asdfghjkl"}', 'users', 5, 0)),
          0, 'after ROLLBACK TO SAVEPOINT it is gone');
SELECT is((SELECT sum(pg_temp.mismatches(user_id, 0)) FROM (SELECT user_id FROM q_source LIMIT 5) s), 0::numeric,
          'after the rollback match_one still equals link');

-- match_many: positions.
SELECT set_eq($$SELECT position, id FROM usermatch.match_many('online', jsonb_build_array(pg_temp.rec('u0000001'), '{}'::jsonb, pg_temp.rec('u0000005')), 'users', 1)$$,
              $$VALUES (1, 'u0000001'), (3, 'u0000005')$$, 'match_many returns each record''s matches with its position');

-- Invalidation: profile change, ALTER TABLE, TRUNCATE.
SELECT is(usermatch.create_profile('online', (SELECT spec FROM usermatch.profiles WHERE name = 'online') || '{"threshold": 0.999999}', replace => true),
          2, 'the profile is replaced (version 2)');
SELECT ok((SELECT bool_and(match_probability >= 0.999999) FROM usermatch.match_one('online', pg_temp.rec('u0000002'), 'users', 100)),
          'a new profile version applies at once (its threshold)');
SELECT is((SELECT invalidations FROM usermatch.cache_stats), 1::bigint, '... through an invalidation');
ALTER TABLE users ADD COLUMN note text;
SELECT is((SELECT id FROM usermatch.match_one('online', pg_temp.rec('u0000001'), 'users', 1)), 'u0000001', 'ALTER TABLE: still answers');
SELECT is((SELECT invalidations FROM usermatch.cache_stats), 2::bigint, '... after invalidating the index');
TRUNCATE users;
SELECT is((SELECT count(*)::int FROM usermatch.match_one('online', pg_temp.rec('u0000001'), 'users', 5, 0)), 0, 'TRUNCATE: nothing is found');
SELECT is((SELECT invalidations FROM usermatch.cache_stats), 3::bigint, '... after invalidating the index');
INSERT INTO users (user_id, full_name, phone) VALUES ('t1', 'Anna Nowak', '+48 603 000 111');
SELECT is((SELECT id FROM usermatch.match_one('online', '{"full_name": "Anna Nowak", "phone": "+48 603 000 111"}', 'users', 1, 0)), 't1',
          'rows inserted after TRUNCATE are found');

-- Eviction: room for one small index only (200 rows: a 50-row image is smaller than the 64 kB minimum of cache_memory).
CREATE TABLE small_a AS SELECT user_id, full_name, phone, email, birth_date, id_number, city FROM usermatch.generate_users(200, 21);
CREATE TABLE small_b AS SELECT user_id, full_name, phone, email, birth_date, id_number, city FROM usermatch.generate_users(200, 22);
SELECT is(usermatch.drop_cache(), 1, 'drop_cache frees the index of users');
SELECT is(usermatch.warm_cache('online', 'small_a'), 200::bigint, 'one small index is built');
SELECT lives_ok($$SELECT set_config('usermatch.cache_memory', ((SELECT bytes FROM usermatch.cache_stats) * 3 / 2 / 1024)::text || 'kB', true)$$,
                'cache_memory: room for 1.5 such indexes');
SELECT is(usermatch.warm_cache('online', 'small_b'), 200::bigint, 'a second index is built');
SELECT is((SELECT entries FROM usermatch.cache_stats), 1::bigint, 'under a small cache_memory only one index stays');
SELECT is((SELECT evictions FROM usermatch.cache_stats), 1::bigint, '... the least recently used one was evicted');
SELECT is((SELECT count(*)::int FROM usermatch.match_one('online', '{"full_name": "x"}', 'small_a')), 0, 'the evicted target still answers (rebuilt)');
SELECT is((SELECT evictions FROM usermatch.cache_stats), 2::bigint, '... evicting the other one');
RESET usermatch.cache_memory;

-- Bad input.
SELECT throws_ok($$SELECT * FROM usermatch.match_one('online', '[1, 2]', 'users')$$, '22023', 'match_one: argument record must be a JSON object', 'a record that is not an object is 22023');
SELECT throws_ok($$SELECT * FROM usermatch.match_one('online', '{"full_name": "a", "nmae": 1, "fone": 2}', 'users')$$, '22023',
                 'match_one: unknown keys in record: fone, nmae', 'unknown keys are 22023 and listed');
SELECT throws_ok($$SELECT * FROM usermatch.match_one('online', '{"full_name": {"a": 1}}', 'users')$$, '42804', NULL, 'an object value is 42804');
SELECT throws_ok($$SELECT * FROM usermatch.match_one('online', jsonb_build_object('full_name', repeat('a', 10 * 1024 * 1024)), 'users')$$,
                 '54000', NULL, 'a 10 MB value is refused (54000)');
SELECT throws_ok($$SELECT * FROM usermatch.match_one('online', NULL, 'users')$$, '22004', NULL, 'a NULL record is 22004');
SELECT throws_ok($$SELECT * FROM usermatch.match_one(NULL, '{}', 'users')$$, '22004', NULL, 'a NULL profile is 22004');
SELECT throws_ok($$SELECT * FROM usermatch.match_one('online', '{}', NULL)$$, '22004', NULL, 'a NULL target is 22004');
SELECT throws_ok($$SELECT * FROM usermatch.match_one('online', '{}', 'users', 0)$$, '22023', 'match_one: argument k must be positive, not 0', 'k = 0 is 22023');
SELECT throws_ok($$SELECT * FROM usermatch.match_one('online', '{}', 'users', 5, 1.5)$$, '22023', NULL, 'min_probability > 1 is 22023');
SELECT throws_ok($$SELECT * FROM usermatch.match_many('online', '[{}, 3]', 'users')$$, '22023', 'match_many: record 2 is not a JSON object', 'match_many names the bad record');
SELECT throws_ok($$SELECT * FROM usermatch.match_one('nope', '{}', 'users')$$, '42704', NULL, 'an unknown profile is 42704');

-- Rights: the target is read with the caller's rights; the change log follows the target's rights.
SELECT cmp_ok((SELECT count(*)::int FROM usermatch.online_changes WHERE relid = 'users'::regclass), '>', 0, 'users has logged changes');
CREATE ROLE um_online_mallory;
GRANT SELECT ON small_a TO um_online_mallory;
SET ROLE um_online_mallory;
SELECT throws_ok($$SELECT * FROM usermatch.match_one('online', '{"full_name": "x"}', 'users')$$, '42501', NULL,
                 'a role without SELECT on the target is refused (even with an index cached in the backend)');
SELECT is((SELECT count(*)::int FROM usermatch.online_changes WHERE relid = 'users'::regclass), 0,
          'the change log of a table the role may not read is invisible to it');
SELECT throws_ok($$INSERT INTO usermatch.online_changes VALUES ('users'::regclass, 'u0000001', pg_current_xact_id())$$, '42501', NULL,
                 'nor can it write the log of a table it may not write');
SELECT throws_ok($$SELECT usermatch.warm_cache('online', 'small_a')$$, '42501', NULL, 'only the owner installs the change log');
SELECT throws_ok($$SELECT usermatch._online_register('small_a', 'user_id')$$, '42501', NULL, '... or registers the target');
SELECT lives_ok($$SELECT * FROM usermatch.match_one('online', '{"full_name": "x"}', 'small_a')$$, 'a role with SELECT may match');
RESET ROLE;

-- A non-superuser owner installs the change log; another role's writes are logged and found.
CREATE ROLE um_online_alice;
CREATE ROLE um_online_bob;
GRANT CREATE ON SCHEMA public TO um_online_alice;
SET ROLE um_online_alice;
CREATE TABLE alice_users AS SELECT user_id, full_name, phone, email, birth_date, id_number, city FROM usermatch.generate_users(30, 41);
GRANT SELECT, INSERT ON alice_users TO um_online_bob;
SELECT is(usermatch.warm_cache('online', 'alice_users'), 30::bigint, 'a non-superuser owner installs the change log');
RESET ROLE;
SET ROLE um_online_bob;
INSERT INTO alice_users (user_id, full_name, phone) VALUES ('bob1', 'Bogdan Mnbvcxz', '+48 605 555 666');
SELECT is((SELECT id FROM usermatch.match_one('online', '{"full_name": "Bogdan Mnbvcxz", "phone": "+48 605 555 666"}', 'alice_users', 1, 0)),
          'bob1', 'a writer''s rows are logged and found');
RESET ROLE;

-- Match on insert.
CREATE TABLE signups (user_id text, full_name text, phone text, email text, birth_date text, id_number text, city text, matched text);
CREATE TRIGGER signups_match BEFORE INSERT ON signups FOR EACH ROW
  EXECUTE FUNCTION usermatch.match_on_insert('online', 'public.small_a', 'matched', '0');
INSERT INTO signups SELECT 's' || user_id, full_name, phone, email, birth_date, id_number, city, NULL FROM small_a ORDER BY user_id LIMIT 3;
SELECT is((SELECT count(*)::int FROM signups s
            WHERE s.matched = (SELECT id FROM usermatch.match_one('online', to_jsonb(s) - 'user_id' - 'matched', 'small_a', 1, 0))),
          3, 'match_on_insert writes the best match into the column');
SELECT is((SELECT count(*)::int FROM signups WHERE matched IS NOT NULL), 3, '... for every row');

-- A dropped target's index is freed at the next call.
SELECT is(usermatch.warm_cache('online', 'small_b'), 200::bigint, 'small_b indexed again');
SELECT invalidations AS inv_before FROM usermatch.cache_stats \gset
DROP TABLE small_b;
SELECT is((SELECT count(*)::int FROM usermatch.match_one('online', '{"full_name": "x"}', 'small_a')), 0, 'another call');
SELECT is((SELECT invalidations FROM usermatch.cache_stats), (:inv_before + 1)::bigint, '... freed the index of the dropped table');

-- Cancel: a statement timeout stops a build (57014).
CREATE TABLE big AS SELECT user_id, full_name, phone, email, birth_date, id_number, city FROM usermatch.generate_users(40000, 31);
-- (throws_ok cannot catch a cancel: WHEN OTHERS excludes query_canceled.)
CREATE FUNCTION pg_temp.cancelled_build() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM usermatch.warm_cache('online', 'big');
  RETURN 'finished';
EXCEPTION WHEN query_canceled THEN
  RETURN SQLSTATE;
END $$;
SET LOCAL statement_timeout = '30ms';
SELECT pg_temp.cancelled_build() AS cancelled \gset
RESET statement_timeout;
SELECT is(:'cancelled'::text, '57014', 'a statement timeout cancels the build (57014)');

-- Pools and drop_cache.
SELECT cmp_ok((SELECT reuses FROM usermatch.pool_stats), '>', 0::bigint, 'queries reuse the pooled buffer');
SELECT cmp_ok((SELECT drop_cache FROM usermatch.drop_cache()), '>=', 1, 'drop_cache frees the indexes');
SELECT is((SELECT entries FROM usermatch.cache_stats), 0::bigint, '... none are left');

SELECT * FROM finish();
ROLLBACK;
