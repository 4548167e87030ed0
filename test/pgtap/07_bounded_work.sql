-- Work that must stay bounded (issue 7, item 5): each repro either finishes well inside a
-- generous statement_timeout with a defined result (capped / linear paths), or stops with 57014
-- within a second of the timeout (paths that are long by nature). Before the fixes every one of
-- them ran for 4 to 60+ seconds and ignored the timeout.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(15);

-- Runs `sql` and says how it ended: 'finished', 'canceled' (57014: plpgsql can trap it by name,
-- pgTAP's throws_ok cannot) or the SQLSTATE; `ms` is the time from the start of the enclosing
-- statement, i.e. from when statement_timeout started counting.
CREATE FUNCTION pg_temp.outcome(sql text, OUT how text, OUT ms double precision) AS $$
BEGIN
    BEGIN
        EXECUTE sql;
        how := 'finished';
    EXCEPTION
        WHEN query_canceled THEN how := 'canceled';
        WHEN OTHERS THEN how := SQLSTATE;
    END;
    ms := extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000;
END $$ LANGUAGE plpgsql;

-- 1. qgram_similarity with q = 1000 on 300,000 characters: O(n q log n) before, minutes.
SET statement_timeout = '5s';
SELECT is((SELECT how FROM pg_temp.outcome($$SELECT usermatch.qgram_similarity(repeat('abcdef', 50000), repeat('abcdeg', 50000), 1000)$$)),
          'finished', 'qgram_similarity(q = 1000) on 300,000 characters finishes (rolling hashes, O(n log n))');
SELECT ok(usermatch.qgram_similarity(repeat('abcdef', 50000), repeat('abcdeg', 50000), 1000) BETWEEN 0.001 AND 0.002,
          'and gives the Jaccard value (5 shared q-grams of about 2,000 per side)');
RESET statement_timeout;
SELECT throws_ok($$SELECT usermatch.qgram_similarity(repeat('a', 600000), repeat('b', 600000))$$, '54000',
                 'qgram_similarity: inputs of more than 1000000 characters in all are not supported',
                 'qgram_similarity refuses more than 1,000,000 characters in all');

-- 2. An id_number with levels ["exact", "osa<=2"] and two 400 KB values: 22.5 s before.
CREATE TABLE huge_ids (user_id text, idno text);
INSERT INTO huge_ids VALUES ('1', repeat('ABCDEFGHIJ', 40000)), ('2', repeat('ABCDEFGHIJ', 39999) || 'ABCDEFGHIK'),
                            ('3', repeat('ABCDEFGHIJ', 40000)), ('4', 'X12345678'), ('5', 'X12345687');
SELECT usermatch.create_profile('bounded_ids', '{"id": "user_id",
  "fields": [{"name": "idno", "column": "idno", "type": "id_number", "levels": ["exact", "osa<=2"]}],
  "blocking": [["idno.prefix3"]], "threshold": 0.5}');
SET statement_timeout = '5s';
SELECT is((SELECT how FROM pg_temp.outcome($$SELECT count(*) FROM usermatch.dedupe('bounded_ids', 'huge_ids', 0)$$)),
          'finished', 'osa<=2 on 400 KB identifiers finishes (values over 256 characters compare exact-only)');
RESET statement_timeout;
SELECT set_eq($$SELECT id1, id2 FROM usermatch.dedupe('bounded_ids', 'huge_ids', 0.5)$$,
              $$VALUES ('1', '3'), ('4', '5')$$,
              'huge values match only when equal; short values one edit apart still match (osa<=2)');

-- 3. clusters() on 300 records of one person alternating two valid ID numbers: 34.6 s before.
CREATE TABLE one_person AS
    SELECT i::text AS user_id, 'Zhang Wei' AS full_name,
           CASE WHEN i % 2 = 0 THEN '110105198001010016' ELSE '11010519491231002X' END AS id_number
    FROM generate_series(1, 300) AS i;
SELECT usermatch.create_profile('bounded_person', '{"id": "user_id",
  "fields": [{"name": "name", "column": "full_name", "type": "person_name"},
             {"name": "idno", "column": "id_number", "type": "id_number"}],
  "blocking": [["name"]], "max_cluster_size": 100000, "max_block_size": 1000}');
SET statement_timeout = '5s';
SELECT is((SELECT how FROM pg_temp.outcome($$SELECT count(*) FROM usermatch.clusters('bounded_person', 'one_person', 0)$$)),
          'finished', 'clusters() on one person with two alternating ID numbers finishes');
RESET statement_timeout;
SELECT set_eq($$SELECT entity_id, count(*)::int, max(cluster_size) FROM usermatch.clusters('bounded_person', 'one_person', 0) GROUP BY 1$$,
              $$VALUES ('1', 150, 150), ('2', 150, 150)$$,
              'the ID guard still splits the two ID numbers into two clusters of 150');

-- 4. normalize_name on "a" + 160,000 combining marks of alternating classes: 17.5 s before.
SET statement_timeout = '5s';
SELECT is((SELECT how FROM pg_temp.outcome($$SELECT usermatch.normalize_name('a' || repeat(U&'\0301\0316', 80000) || ' Lopez')$$)),
          'finished', 'normalize_name on 160,000 combining marks finishes (runs past 30 marks are cut)');
RESET statement_timeout;
SELECT is(usermatch.normalize_name('a' || repeat(U&'\0301\0316', 80000) || ' Lopez'), 'a lopez',
          'and the marks are stripped as before');
SELECT is(usermatch.normalize_name('Jose' || repeat(U&'\0301', 31)), 'jose', 'a run of 31 marks on a name');

-- 5. validate_profile with 60,000 fields: 21 s before (quadratic duplicate check).
CREATE TEMP TABLE many_fields AS
    SELECT jsonb_build_object('id', 'user_id', 'blocking', '[["f1"]]'::jsonb,
                              'fields', jsonb_agg(jsonb_build_object('name', 'f' || i, 'column', 'c', 'type', 'text'))) AS spec
    FROM generate_series(1, 60000) AS i;
SET statement_timeout = '5s';
SELECT is((SELECT how FROM pg_temp.outcome($$SELECT count(*) FROM usermatch.validate_profile((SELECT spec FROM many_fields))$$)),
          '54000', 'validate_profile with 60,000 fields is refused at once with 54000');
RESET statement_timeout;
SELECT throws_ok($$SELECT usermatch.validate_profile((SELECT spec FROM many_fields))$$, '54000',
                 'matching profile has 60000 fields; at most 64 are allowed', 'and says why');
SELECT is((SELECT array_agg(path || ': ' || problem ORDER BY path) FROM usermatch.validate_profile(
              (SELECT jsonb_set(spec, '{fields}', (SELECT jsonb_agg(f) FROM (
                   SELECT f FROM jsonb_array_elements(spec->'fields') WITH ORDINALITY AS e(f, n) WHERE n <= 999
                   UNION ALL SELECT '{"name": "f7", "column": "c", "type": "text"}'::jsonb) AS x))
               FROM many_fields))),
          ARRAY['$.fields: has 1000 fields; at most 64 are allowed', '$.fields[999].name: duplicate field name "f7"'],
          'up to 1,000 fields every problem is still listed, duplicates included');

-- 6. generate_users(10000000) planned for 25 s without checking for a cancel. Its plan (2.5 GB)
-- must fit usermatch.memory_limit, or the budget refuses it before planning (53200).
SET usermatch.memory_limit = '3GB';
SET statement_timeout = '300ms';
SELECT is((SELECT how FROM pg_temp.outcome($$SELECT count(*) FROM usermatch.generate_users(10000000)$$)),
          'canceled', 'generate_users(10000000) stops on statement_timeout');
RESET statement_timeout;
SET statement_timeout = '300ms';
SELECT cmp_ok((SELECT ms FROM pg_temp.outcome($$SELECT count(*) FROM usermatch.generate_users(10000000)$$)), '<', 6000::float8,
              'within seconds of the timeout, not the 25 s it took before (loose: CI machines are busy)');
RESET statement_timeout;
RESET usermatch.memory_limit;

SELECT * FROM finish();
ROLLBACK;
