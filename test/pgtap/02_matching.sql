-- Matching functions: behaviour, errors with their SQLSTATEs, permissions, sources of every kind.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(34);

CREATE TABLE people (
    id integer PRIMARY KEY, full_name text, phone text, email text, birth_date date, id_number text, city text, active boolean
);
INSERT INTO people VALUES
    (1, '张伟',      '+86 138-1234-5678', 'zhangwei@163.com', '1985-03-12', '11010519850312001X', '北京', true),
    (2, '張偉',      '13812345678',       'ZhangWei@163.com', '1985-03-12', '11010519850312001X', '北京', true),
    (3, 'Zhang Wei', '0086 138 1234 5678', NULL,              '1985-03-12', NULL,                 'Beijing', true),
    (4, '李娜',      '13987654321',       'lina@qq.com',      '1992-01-30', '310104199201302228', '上海', false),
    (5, 'Li Na',     '13987654321',       NULL,               NULL,         NULL,                 NULL, true),
    (6, '王芳',      NULL,                NULL,               NULL,         NULL,                 NULL, true);

SELECT lives_ok($$SELECT usermatch.create_profile('people', '{
  "id": "id",
  "fields": [
    {"name": "name",  "column": "full_name",  "type": "person_name"},
    {"name": "phone", "column": "phone",      "type": "phone"},
    {"name": "email", "column": "email",      "type": "email"},
    {"name": "dob",   "column": "birth_date", "type": "date"},
    {"name": "idno",  "column": "id_number",  "type": "id_number"},
    {"name": "city",  "column": "city",       "type": "text"}],
  "blocking": [["phone"], ["email"], ["idno"], ["name.pinyin_initials", "dob.year"]]}')$$, 'create_profile accepts the issue''s example spec');

SELECT is((SELECT count(*)::int FROM usermatch.profiles WHERE name = 'people'), 1, 'the profile is stored');
SELECT throws_ok($$SELECT usermatch.create_profile('people', '{"id": "id", "fields": [{"name": "n", "column": "full_name", "type": "text"}], "blocking": [["n"]]}')$$,
                 '42710', 'profile "people" already exists', 'creating a profile twice is 42710');
SELECT throws_ok($$SELECT usermatch.create_profile('bad', '{"id": "id", "fields": [{"name": "x", "column": "x", "type": "emial"}], "blocking": [["y"]], "threshold": 7}')$$,
                 '22023', 'invalid profile "bad": 3 problem(s)', 'an invalid spec is 22023 and counts every problem');
SELECT is((SELECT count(*)::int FROM usermatch.validate_profile('{"id": "id", "fields": [{"name": "x", "column": "nope", "type": "text"}], "blocking": [["x"]]}', 'people')),
          1, 'validate_profile with a source reports a missing column');
SELECT throws_ok($$SELECT * FROM usermatch.validate_profile('{"id": "id", "fields": [], "blocking": []}', 0::regclass)$$,
                 '42P01', 'validate_profile: relation with OID 0 does not exist',
                 'validate_profile with a relation that does not exist: 42P01, not an internal error');

-- Results: each pair once with id1 < id2; 张伟 / 張偉 / Zhang Wei are one person, so are 李娜 / Li Na.
SELECT set_eq($$SELECT id1, id2 FROM usermatch.dedupe('people', 'people')$$,
              $$VALUES ('1', '2'), ('1', '3'), ('2', '3'), ('4', '5')$$, 'dedupe finds the duplicates and only them');
SELECT is((SELECT count(*)::int FROM usermatch.dedupe('people', 'people') WHERE id1::int >= id2::int), 0, 'id1 < id2 in every pair');
SELECT ok((SELECT bool_and(match_probability BETWEEN 0 AND 1 AND match_weight IS NOT NULL) FROM usermatch.dedupe('people', 'people', 0)),
          'probabilities lie in [0, 1]');
SELECT ok((SELECT count(*) FROM usermatch.dedupe('people', 'people', 0)) >= (SELECT count(*) FROM usermatch.dedupe('people', 'people')),
          'a lower min_probability returns at least as many pairs');
SELECT set_eq($$SELECT record_id, entity_id, cluster_size FROM usermatch.clusters('people', 'people')$$,
              $$VALUES ('1', '1', 3), ('2', '1', 3), ('3', '1', 3), ('4', '4', 2), ('5', '4', 2), ('6', '6', 1)$$,
              'clusters: every record once, entity id = smallest id');

-- Sources may be views and materialized views; ids come back as text.
CREATE VIEW active_people AS SELECT * FROM people WHERE active;
CREATE MATERIALIZED VIEW people_snapshot AS SELECT * FROM people;
SELECT set_eq($$SELECT id1, id2 FROM usermatch.dedupe('people', 'active_people')$$,
              $$VALUES ('1', '2'), ('1', '3'), ('2', '3')$$, 'a view is a source');
SELECT is((SELECT count(*)::int FROM usermatch.dedupe('people', 'people_snapshot')), 4, 'a materialized view is a source');
SELECT set_eq($$SELECT left_id, right_id FROM usermatch.link('people', 'people', 'active_people') WHERE left_id <> right_id$$,
              $$VALUES ('1', '2'), ('1', '3'), ('2', '1'), ('2', '3'), ('3', '1'), ('3', '2'), ('4', '5')$$,
              'link pairs left and right records');
-- Per rule: phone joins 1-2-3 (3 pairs) and 4-5 (1); email 1-2 (case folded); idno 1-2;
-- pinyin initials + birth year 1-2-3 (5 has no birth date, 6 neither).
SELECT set_eq($$SELECT rule, candidate_pairs, largest_block FROM usermatch.estimate_comparisons('people', 'people')$$,
              $$VALUES ('phone', 4::bigint, 3::bigint), ('email', 1, 2), ('idno', 1, 2), ('name.pinyin_initials, dob.year', 3, 3)$$,
              'estimate_comparisons counts the candidate pairs and the largest block of each rule');

-- explain_match
SELECT is((usermatch.explain_match('people', '{"full_name": "张伟"}', '{"name": "張偉"}')->'fields'->0->>'level'), 'exact',
          'explain_match reads keys by column or field name; traditional folds to simplified');
SELECT is((usermatch.explain_match('people', '{"full_name": "张伟"}', '{"full_name": "張偉"}')->'fields'->1->>'level'), 'null',
          'a missing value is the null level');
SELECT is(usermatch.explain_match('people', NULL, '{}'), NULL, 'explain_match of NULL is NULL');

-- Enormous values (toasted, compressed) are read and compared without a quadratic blow-up: the
-- fuzzy forms are capped, exact levels still see the whole value.
CREATE TABLE people_huge AS SELECT * FROM people;
UPDATE people_huge SET full_name = repeat('Zhang Wei ', 100000) || id WHERE id IN (1, 2);
UPDATE people_huge SET full_name = repeat('Zhang Wei ', 100000) WHERE id = 3;
SELECT set_eq($$SELECT id1, id2 FROM usermatch.dedupe('people', 'people_huge')$$,
              $$VALUES ('1', '2'), ('1', '3'), ('2', '3'), ('4', '5')$$,
              'megabyte names are matched, not a hang: the same duplicates as with short names, and only them');
SELECT is((usermatch.explain_match('people', (SELECT to_jsonb(p) FROM people_huge p WHERE id = 1),
                                             (SELECT to_jsonb(p) FROM people_huge p WHERE id = 2))->'fields'->0->>'level'),
          'jw>=0.92', 'names differing only at the end of a megabyte reach a fuzzy level, not exact');

-- Errors
SELECT throws_ok($$SELECT * FROM usermatch.dedupe('nope', 'people')$$, '42704', 'profile "nope" does not exist', 'unknown profile is 42704');
SELECT throws_ok($$SELECT * FROM usermatch.dedupe(NULL, 'people')$$, '22004', NULL, 'NULL profile is 22004');
CREATE TABLE people_no_email AS SELECT id, full_name, phone, birth_date, id_number, city FROM people;
SELECT throws_ok($$SELECT * FROM usermatch.dedupe('people', 'people_no_email')$$, '42703', NULL, 'a missing column is 42703');
CREATE TABLE people_bad_type AS SELECT id, full_name, phone, active AS email, birth_date, id_number, city FROM people;
SELECT throws_ok($$SELECT * FROM usermatch.dedupe('people', 'people_bad_type')$$, '42804', NULL, 'a boolean column for an email field is 42804');
CREATE TABLE people_dup_ids AS SELECT 1 AS id, full_name, phone, email, birth_date, id_number, city FROM people;
SELECT throws_ok($$SELECT * FROM usermatch.dedupe('people', 'people_dup_ids')$$, '23505', NULL, 'duplicate ids are 23505');
CREATE TABLE people_null_id AS SELECT NULL::int AS id, full_name, phone, email, birth_date, id_number, city FROM people;
SELECT throws_ok($$SELECT * FROM usermatch.dedupe('people', 'people_null_id')$$, '23502', NULL, 'a NULL id is 23502');
SELECT throws_ok($$SELECT * FROM usermatch.dedupe('people', 'people', -0.1)$$, '22023', NULL, 'min_probability outside [0, 1] is 22023');
CREATE SEQUENCE not_a_table;
SELECT throws_ok($$SELECT * FROM usermatch.dedupe('people', 'not_a_table')$$, '42809', NULL, 'a sequence is not a source');

-- Permissions: the caller's own rights apply to the source, and a role changes only its profiles.
CREATE ROLE usermatch_tap_reader;
GRANT SELECT ON active_people TO usermatch_tap_reader;
SET ROLE usermatch_tap_reader;
SELECT throws_ok($$SELECT * FROM usermatch.dedupe('people', 'people')$$, '42501', 'permission denied for table people',
                 'a role without SELECT gets the standard permission error');
SELECT throws_ok($$SELECT usermatch.drop_profile('people')$$, '42501', 'must be owner of profile "people"',
                 'a role cannot drop another role''s profile');
SELECT lives_ok($$UPDATE usermatch.profiles SET spec = '{}' WHERE name = 'people'$$, 'an UPDATE behind the API runs...');
RESET ROLE;
SELECT isnt((SELECT spec FROM usermatch.profiles WHERE name = 'people'), '{}'::jsonb, '...but row level security leaves other roles'' profiles alone');
SELECT is(usermatch.drop_profile('people'), true, 'the owner drops its profile');
SELECT throws_ok($$SELECT usermatch.drop_profile('people')$$, '42704', NULL, 'dropping it again is 42704');

SELECT * FROM finish();
ROLLBACK;
