-- Shared online index (issue 9: memory must not grow with connections): warm_cache publishes the
-- index as a file that this and every other backend maps; a backend without the index attaches to
-- the file instead of building; answers are bit-identical to a private index
-- (usermatch.online_share = off); profiles with expression fields stay private; the view keeps
-- its 0.3.0 columns first. Several backends, kill -9 and corrupt files: test/online/shared.sh.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(21);

CREATE TABLE sh_people AS SELECT user_id, full_name, phone, email, birth_date, id_number, city
  FROM usermatch.generate_users(400, 31);
ALTER TABLE sh_people ADD PRIMARY KEY (user_id);
SELECT usermatch.create_profile('sh', '{"id": "user_id", "fields": [
  {"name": "name", "column": "full_name", "type": "person_name", "tf": true},
  {"name": "phone", "column": "phone", "type": "phone"},
  {"name": "email", "column": "email", "type": "email"},
  {"name": "dob", "column": "birth_date", "type": "date"},
  {"name": "city", "column": "city", "type": "text", "tf": true}],
  "blocking": [["phone"], ["email"], ["name.pinyin_initials", "dob.year"], ["name.sorted_tokens", "city"]]}');
CREATE TEMP TABLE sh_queries AS
  SELECT row_number() OVER (ORDER BY user_id) AS n,
         jsonb_build_object('full_name', full_name, 'phone', phone, 'email', email, 'birth_date', birth_date, 'city', city) AS rec
    FROM (SELECT * FROM sh_people ORDER BY user_id LIMIT 15) s;

SELECT is(current_setting('usermatch.online_share'), 'on', 'online_share is on by default');
SELECT is((SELECT array_agg(attname ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'usermatch.cache_stats'::regclass AND attnum <= 10),
          ARRAY['entries', 'bytes', 'builds', 'hits', 'misses', 'evictions', 'invalidations', 'delta_rows_pending',
                'uncached_builds', 'last_build_seconds']::name[], 'cache_stats keeps its 0.3.0 columns first');

SELECT usermatch.drop_cache();
SELECT builds AS b0, published AS p0, attaches AS a0 FROM usermatch.cache_stats \gset
SELECT is(usermatch.warm_cache('sh', 'sh_people'), 400::bigint, 'warm_cache builds the index');
SELECT is((SELECT published - :p0 FROM usermatch.cache_stats), 1::bigint, '... and publishes it');
SELECT is((SELECT shared_entries FROM usermatch.cache_stats), 1::bigint, '... which this backend maps');
SELECT is((SELECT private_entries FROM usermatch.cache_stats), 0::bigint, '... instead of a private copy');
SELECT cmp_ok((SELECT mapped_bytes FROM usermatch.cache_stats), '>', 20000::bigint, 'the mapped image holds the rows');
SELECT cmp_ok((SELECT bytes - mapped_bytes FROM usermatch.cache_stats), '<', 100000::bigint, '... the backend itself only its query pool');
SELECT is((SELECT count(*)::int FROM pg_ls_dir('pg_usermatch/online') f
            WHERE f LIKE (SELECT oid FROM pg_database WHERE datname = current_database())::text || '_' || 'sh_people'::regclass::oid::text || '\_%.idx'),
          1, 'one file for this database, relation and profile');
SELECT cmp_ok((SELECT published_bytes FROM usermatch.cache_stats), '>=', (SELECT mapped_bytes FROM usermatch.cache_stats),
              'published_bytes counts the file');

-- Answers through the shared index, kept for the comparison below.
CREATE TEMP TABLE shared_hits AS
  SELECT q.n, m.* FROM sh_queries q, usermatch.match_one('sh', q.rec, 'sh_people', 50, 0) m;
SELECT cmp_ok((SELECT count(*) FROM shared_hits), '>=', 15::bigint, 'every record finds at least itself');

-- A backend without the index attaches to the published file: no build.
SELECT is(usermatch.drop_cache(), 1, 'drop_cache frees the mapping');
SELECT is((SELECT count(*)::int FROM usermatch.match_one('sh', (SELECT rec FROM sh_queries WHERE n = 1), 'sh_people', 1, 0)), 1,
          'a call after drop_cache answers');
SELECT is((SELECT attaches - :a0 FROM usermatch.cache_stats), 1::bigint, '... from the published file (attached)');
SELECT is((SELECT builds - :b0 FROM usermatch.cache_stats), 1::bigint, '... without building again');

-- The private design (online_share = off) gives bit-identical answers.
SET LOCAL usermatch.online_share = off;
SELECT usermatch.drop_cache();
CREATE TEMP TABLE private_hits AS
  SELECT q.n, m.* FROM sh_queries q, usermatch.match_one('sh', q.rec, 'sh_people', 50, 0) m;
SELECT is((SELECT private_entries FROM usermatch.cache_stats), 1::bigint, 'online_share = off: a private index');
SELECT is((SELECT builds - :b0 FROM usermatch.cache_stats), 2::bigint, '... built by this backend');
SELECT is((SELECT count(*)::int FROM (SELECT * FROM shared_hits EXCEPT SELECT * FROM private_hits) d)
        + (SELECT count(*)::int FROM (SELECT * FROM private_hits EXCEPT SELECT * FROM shared_hits) d), 0,
          'shared and private indexes give the same ids, weights and probabilities (bit for bit)');
RESET usermatch.online_share;

-- Expression fields run with the caller's rights: such an index is never shared.
SELECT usermatch.create_profile('sh_expr', '{"id": "user_id", "fields": [
  {"name": "name", "expression": "upper(full_name)", "type": "person_name"},
  {"name": "phone", "column": "phone", "type": "phone"}],
  "blocking": [["phone"]]}');
SELECT usermatch.drop_cache();
SELECT published AS p1 FROM usermatch.cache_stats \gset
SELECT is(usermatch.warm_cache('sh_expr', 'sh_people'), 400::bigint, 'a profile with an expression field is indexed');
SELECT is((SELECT published - :p1 FROM usermatch.cache_stats), 0::bigint, '... but not published');
SELECT is((SELECT private_entries FROM usermatch.cache_stats), 1::bigint, '... and kept private');

SELECT * FROM finish();
ROLLBACK;
