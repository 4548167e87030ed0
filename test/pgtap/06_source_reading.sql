-- Reading sources: field expressions are parsed on their own (issue 7 item 1), train_labels reads
-- is_match only from a boolean column (item 10), usermatch.memory_limit bounds the run (item 6).
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(37);

-- == Item 6: usermatch.memory_limit bounds the run; 53200 before it is passed ==
-- First in the file, so that the backend's peak RSS (VmHWM) measures this statement.
-- 60 names of ~1 MB (TOAST compresses them to almost nothing on disk). Before the fix the whole
-- first batch was fetched, detoasted and normalised before the limit was looked at (300 such rows:
-- 1 GB RSS with a 64 MB limit).
CREATE TABLE huge AS SELECT 'u' || i AS user_id, repeat('Wolfgang Amadeus ', 60000) || i AS full_name,
                            '1380000' || lpad(i::text, 4, '0') AS phone
                     FROM generate_series(1, 60) i;
SELECT usermatch.create_profile('huge', '{"id": "user_id",
  "fields": [{"name": "name", "column": "full_name", "type": "person_name"},
             {"name": "phone", "column": "phone", "type": "phone"}], "blocking": [["phone"]]}');
CREATE FUNCTION pg_temp.peak_rss_kb() RETURNS int LANGUAGE sql AS
  $$SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\s+(\d+) kB'))[1]::int$$;
-- Warm up (libraries, ICU data, worker threads) so that the measure is what the run itself holds.
CREATE TABLE warm AS SELECT user_id, full_name, phone FROM usermatch.generate_users(500, 3);
CREATE TEMP TABLE warm_pairs AS SELECT * FROM usermatch.dedupe('huge', 'warm');
CREATE TEMP TABLE rss AS SELECT pg_temp.peak_rss_kb() AS before_kb;
SAVEPOINT huge;
SET LOCAL usermatch.memory_limit = '64MB';
SELECT throws_like($$SELECT count(*) FROM usermatch.dedupe('huge', 'huge')$$,
                   'usermatch: the normalised records of public.huge would need more than usermatch.memory_limit',
                   'megabyte names past memory_limit are refused');
SELECT throws_ok($$SELECT count(*) FROM usermatch.dedupe('huge', 'huge')$$, '53200', NULL, 'with 53200');
ROLLBACK TO SAVEPOINT huge;
SELECT diag('peak RSS grew by ' || (pg_temp.peak_rss_kb() - (SELECT before_kb FROM rss)) || ' kB');
SELECT cmp_ok(pg_temp.peak_rss_kb() - (SELECT before_kb FROM rss), '<', 96 * 1024,
              'the backend''s peak RSS grew by less than 1.5 x the 64 MB memory_limit (before: by the whole source, ~20x)');

CREATE TABLE gen AS SELECT * FROM usermatch.generate_users(20000, 5);
SELECT usermatch.create_profile('gen', '{"id": "user_id",
  "fields": [{"name": "name", "column": "full_name", "type": "person_name"},
             {"name": "phone", "column": "phone", "type": "phone"},
             {"name": "email", "column": "email", "type": "email"},
             {"name": "dob", "column": "birth_date", "type": "date"}],
  "blocking": [["phone"], ["email"], ["name.pinyin_initials", "dob.year"]]}');
CREATE TEMP TABLE gen_pairs AS SELECT * FROM usermatch.dedupe('gen', 'gen');
CREATE VIEW gen_half AS SELECT * FROM gen ORDER BY user_id LIMIT 10000;
SAVEPOINT small;
SET LOCAL usermatch.memory_limit = '16MB';
SELECT set_eq($$SELECT id1, id2, match_weight FROM usermatch.dedupe('gen', 'gen')$$,
              $$SELECT id1, id2, match_weight FROM gen_pairs$$,
              'a run within a small memory_limit (smaller batches and chunks) finds the same pairs and weights');
SELECT lives_ok($$SELECT count(*) FROM usermatch.link('gen', 'gen_half', 'gen_half')$$, 'link of two halves fits in 16 MB');
SELECT throws_ok($$SELECT count(*) FROM usermatch.link('gen', 'gen', 'gen')$$, '53200',
                 'usermatch: the normalised records of public.gen would need more than usermatch.memory_limit',
                 'both sides of link count: each fits alone, both do not');
ROLLBACK TO SAVEPOINT small;

-- The blocking index: 12 bytes per record and rule. 64 rules over 20,000 rows need 15 MB.
SELECT usermatch.create_profile('many_rules', jsonb_build_object('id', 'user_id',
  'fields', '[{"name": "phone", "column": "phone", "type": "phone"}, {"name": "email", "column": "email", "type": "email"}]'::jsonb,
  'blocking', (SELECT jsonb_agg(CASE WHEN i % 2 = 0 THEN '["phone"]'::jsonb ELSE '["email"]'::jsonb END) FROM generate_series(1, 64) i)));
SAVEPOINT rules;
SET LOCAL usermatch.memory_limit = '16MB';
SELECT throws_ok($$SELECT count(*) FROM usermatch.dedupe('many_rules', 'gen')$$, '53200',
                 'usermatch: the blocking index would need more than usermatch.memory_limit', 'the blocking index counts');
SELECT throws_ok($$SELECT * FROM usermatch.estimate_comparisons('many_rules', 'gen')$$, '53200', NULL,
                 'estimate_comparisons too');
ROLLBACK TO SAVEPOINT rules;
SELECT is((SELECT problem FROM usermatch.validate_profile(jsonb_build_object('id', 'user_id',
  'fields', '[{"name": "phone", "column": "phone", "type": "phone"}]'::jsonb,
  'blocking', (SELECT jsonb_agg('["phone"]'::jsonb) FROM generate_series(1, 65))))),
  'has 65 rules; at most 64 are allowed', 'validate_profile: at most 64 blocking rules');
SELECT throws_ok($$SELECT usermatch.create_profile('too_many_rules', jsonb_build_object('id', 'user_id',
  'fields', '[{"name": "phone", "column": "phone", "type": "phone"}]'::jsonb,
  'blocking', (SELECT jsonb_agg('["phone"]'::jsonb) FROM generate_series(1, 65))))$$,
  '22023', NULL, 'create_profile refuses 65 rules');

-- clusters(): the edge list. 2,000 rows with one phone: 2 million edges, 32 MB.
CREATE TABLE same_phone AS SELECT 'u' || i AS user_id, 'Zhang Wei' AS full_name, '13800000000' AS phone
                           FROM generate_series(1, 2000) i;
SELECT usermatch.create_profile('same_phone', '{"id": "user_id",
  "fields": [{"name": "name", "column": "full_name", "type": "person_name"},
             {"name": "phone", "column": "phone", "type": "phone"}], "blocking": [["phone"]], "max_block_size": 100000}');
SAVEPOINT edges;
SET LOCAL usermatch.memory_limit = '16MB';
SELECT throws_ok($$SELECT count(*) FROM usermatch.clusters('same_phone', 'same_phone')$$, '53200',
                 'usermatch: the edge list of clusters() would need more than usermatch.memory_limit',
                 'the edge list of clusters() counts');
ROLLBACK TO SAVEPOINT edges;

-- Term-frequency tables: one entry per distinct value.
CREATE TABLE distinct_values AS SELECT 'u' || i AS user_id, repeat(md5(i::text), 8) AS code,
                                       '1380000' || lpad(i::text, 4, '0') AS phone FROM generate_series(1, 30000) i;
SELECT usermatch.create_profile('tf', '{"id": "user_id",
  "fields": [{"name": "code", "column": "code", "type": "exact", "tf": true},
             {"name": "phone", "column": "phone", "type": "phone"}], "blocking": [["phone"]]}');
SAVEPOINT tf;
SET LOCAL usermatch.memory_limit = '16MB';
SELECT throws_ok($$SELECT count(*) FROM usermatch.dedupe('tf', 'distinct_values')$$, '53200',
                 'usermatch: the term-frequency tables would need more than usermatch.memory_limit',
                 'term-frequency tables count');
ROLLBACK TO SAVEPOINT tf;
SELECT lives_ok($$SELECT count(*) FROM usermatch.dedupe('tf', 'distinct_values')$$, 'and fit in the default limit');

-- The generator's plan: ~256 bytes per row, 25 MB for 100,000 rows.
SAVEPOINT plan;
SET LOCAL usermatch.memory_limit = '16MB';
SELECT throws_ok($$SELECT count(*) FROM usermatch.generate_users(100000)$$, '53200',
                 'usermatch: the plan of generate_users would need more than usermatch.memory_limit',
                 'the plan of generate_users counts');
SELECT is((SELECT count(*)::int FROM usermatch.generate_users(1000)), 1000, 'a small plan fits');
ROLLBACK TO SAVEPOINT plan;

CREATE TABLE src AS SELECT * FROM usermatch.generate_users(200, 1);

-- == Item 1: an expression cannot change the reader's column list ==
SELECT usermatch.create_profile('two_columns', '{"id": "user_id",
  "fields": [{"name": "x", "expression": "1), (2", "type": "text"}], "blocking": [["x"]]}');
SELECT throws_ok($$SELECT count(*) FROM usermatch.dedupe('two_columns', 'src')$$, '22023',
                 'the expression of field "x" must be exactly one value expression',
                 '"1), (2" is refused before a row is read (it made an int4 be read as text)');
SELECT usermatch.create_profile('many_columns', format('{"id": "user_id",
  "fields": [{"name": "x", "expression": "full_name)::text, %s (full_name", "type": "text"}], "blocking": [["x"]]}',
  repeat('''p'', ', 1500))::jsonb);
SELECT throws_ok($$SELECT count(*) FROM usermatch.dedupe('many_columns', 'src')$$, '22023',
                 'the expression of field "x" must be exactly one value expression',
                 '1,500 extra columns are refused (they overflowed the datums array)');
SELECT throws_ok($$SELECT count(*) FROM usermatch.link('many_columns', 'src', 'src')$$, '22023', NULL,
                 'link refuses it too');
-- A ";" is refused by profile validation (22023), both when the profile is stored and when a run
-- loads a spec stored before that check (0.1.0) or written into usermatch.profiles directly.
SELECT throws_ok($$SELECT usermatch.create_profile('two_statements', '{"id": "user_id",
  "fields": [{"name": "x", "expression": "full_name); SELECT (1", "type": "text"}], "blocking": [["x"]]}')$$,
                 '22023', NULL, 'create_profile refuses an expression holding two statements');
SELECT usermatch.create_profile('two_statements', '{"id": "user_id",
  "fields": [{"name": "x", "expression": "full_name", "type": "text"}], "blocking": [["x"]]}');
UPDATE usermatch.profiles SET spec = jsonb_set(spec, '{fields,0,expression}', '"full_name); SELECT (1"')
 WHERE name = 'two_statements';
SELECT throws_ok($$SELECT count(*) FROM usermatch.dedupe('two_statements', 'src')$$, '22023', NULL,
                 'a stored spec whose expression holds two statements is refused when a run loads it');
SELECT usermatch.create_profile('semicolon', '{"id": "user_id",
  "fields": [{"name": "x", "expression": "full_name", "type": "text"}], "blocking": [["x"]]}');
UPDATE usermatch.profiles SET spec = jsonb_set(spec, '{fields,0,expression}', '"full_name;"')
 WHERE name = 'semicolon';
SELECT throws_ok($$SELECT count(*) FROM usermatch.dedupe('semicolon', 'src')$$, '22023', NULL,
                 'a stored spec with a ";" in an expression is refused when a run loads it');
SELECT usermatch.create_profile('from_clause', '{"id": "user_id",
  "fields": [{"name": "x", "expression": "1) FROM pg_class WHERE (true", "type": "text"}], "blocking": [["x"]]}');
SELECT throws_ok($$SELECT count(*) FROM usermatch.dedupe('from_clause', 'src')$$, '42601', NULL,
                 'an expression cannot add clauses to the query');
SELECT usermatch.create_profile('srf', '{"id": "user_id",
  "fields": [{"name": "x", "expression": "generate_series(1, 2)", "type": "text"}], "blocking": [["x"]]}');
SELECT throws_ok($$SELECT count(*) FROM usermatch.dedupe('srf', 'src')$$, '22023',
                 'the expression of field "x" must compute one value per row', 'a set-returning function is refused');
SELECT usermatch.create_profile('aggregate', '{"id": "user_id",
  "fields": [{"name": "x", "expression": "count(*)", "type": "text"}], "blocking": [["x"]]}');
SELECT throws_ok($$SELECT count(*) FROM usermatch.dedupe('aggregate', 'src')$$, '22023',
                 'the expression of field "x" must compute one value per row', 'an aggregate is refused');
SELECT usermatch.create_profile('unknown_column', '{"id": "user_id",
  "fields": [{"name": "x", "expression": "lower(no_such_column)", "type": "text"}], "blocking": [["x"]]}');
SELECT throws_ok($$SELECT count(*) FROM usermatch.dedupe('unknown_column', 'src')$$, '42703', NULL,
                 'an unknown column in an expression is 42703');

-- Good expressions still work, a trailing comment included, and give the same pairs as columns.
SELECT usermatch.create_profile('by_column', '{"id": "user_id",
  "fields": [{"name": "name", "column": "full_name", "type": "person_name"},
             {"name": "phone", "column": "phone", "type": "phone"}], "blocking": [["phone"]]}');
SELECT usermatch.create_profile('by_expression', '{"id": "user_id",
  "fields": [{"name": "name", "expression": "full_name -- a comment", "type": "person_name"},
             {"name": "phone", "expression": "(SELECT s.phone FROM src s WHERE s.user_id = src.user_id)", "type": "phone"}],
  "blocking": [["phone"]]}');
SELECT set_eq($$SELECT id1, id2, match_weight FROM usermatch.dedupe('by_expression', 'src', 0)$$,
              $$SELECT id1, id2, match_weight FROM usermatch.dedupe('by_column', 'src', 0)$$,
              'expressions (with a comment, a scalar subquery) read the same values as columns');
SELECT ok((SELECT count(*) FROM usermatch.dedupe('by_column', 'src', 0)) > 10, 'and they find pairs');

-- validate_profile with a source reports each bad expression; without one it cannot.
CREATE TEMP TABLE problems AS SELECT * FROM usermatch.validate_profile(format('{"id": "user_id", "fields": [
  {"name": "a", "expression": "1), (2", "type": "text"},
  {"name": "b", "expression": "full_name)::text, %s (full_name", "type": "text"},
  {"name": "c", "expression": "full_name; SELECT 1", "type": "text"},
  {"name": "d", "expression": "count(*)", "type": "text"},
  {"name": "e", "expression": "lower(full_name)", "type": "text"}], "blocking": [["e"]]}', repeat('''p'', ', 1500))::jsonb, 'src');
SELECT set_eq($$SELECT path FROM problems$$,
              ARRAY['$.fields[0].expression', '$.fields[1].expression', '$.fields[2].expression', '$.fields[3].expression'],
              'validate_profile(spec, source) reports the four bad expressions and not the good one');
SELECT alike((SELECT problem FROM problems WHERE path = '$.fields[0].expression'), '%exactly one value expression%',
            'it says why');
SELECT alike((SELECT string_agg(problem, ' | ') FROM problems WHERE path = '$.fields[2].expression'), '%42601%',
             'with the SQLSTATE (beside the rule against ";")');
SELECT is((SELECT count(*)::int FROM usermatch.validate_profile('{"id": "user_id",
  "fields": [{"name": "a", "expression": "lower(full_name)", "type": "text"}], "blocking": [["a"]]}', 'src')), 0,
          'a good expression is no problem');

-- == Item 10: is_match must be boolean ==
CREATE TABLE labels_bool AS
SELECT d.id1, d.id2, (a.entity_id = b.entity_id) AS is_match
FROM usermatch.dedupe('by_column', 'src', 0) d JOIN src a ON a.user_id = d.id1 JOIN src b ON b.user_id = d.id2;
CREATE TABLE labels_text AS SELECT id1, id2, 'false'::text AS is_match FROM labels_bool;
SELECT throws_ok($$SELECT * FROM usermatch.train_labels('by_column', 'labels_text', 'src')$$, '42804',
                 'train_labels: column "is_match" of public.labels_text has type text, not boolean',
                 'a text is_match is refused (''false'' was read as true)');
SELECT is((SELECT count(*)::int FROM usermatch.profile_versions WHERE name = 'by_column'), 1, 'and no version is stored');
CREATE TABLE labels_int AS SELECT id1, id2, 0 AS is_match FROM labels_bool;
SELECT throws_ok($$SELECT * FROM usermatch.train_labels('by_column', 'labels_int', 'src')$$, '42804', NULL,
                 'an integer is_match is refused');
CREATE VIEW labels_cast AS SELECT id1, id2, is_match::boolean AS is_match FROM labels_text;
SELECT throws_like($$SELECT * FROM usermatch.train_labels('by_column', 'labels_cast', 'src')$$,
                   '%labels hold no matching pair%', 'cast to boolean, ''false'' labels are all non-matches');
CREATE DOMAIN pg_temp.verdict AS boolean;
CREATE TABLE labels_domain AS SELECT id1, id2, is_match::pg_temp.verdict AS is_match FROM labels_bool;
SELECT lives_ok($$SELECT * FROM usermatch.train_labels('by_column', 'labels_domain', 'src')$$,
                'a domain over boolean is accepted');
SELECT lives_ok($$SELECT * FROM usermatch.train_labels('by_column', 'labels_bool', 'src')$$, 'a boolean is_match is accepted');

SELECT * FROM finish();
ROLLBACK;
