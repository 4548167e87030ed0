-- Issue 7, items 7, 8, 9, 11, 12, 13, 14: whose SQL runs with whose rights, who may write profile
-- history, ceilings on the per-role GUCs, and inputs that were misread or accepted too late.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(64);

CREATE TABLE pub AS SELECT * FROM usermatch.generate_users(60, 1);
GRANT SELECT ON pub TO PUBLIC;
CREATE TABLE labels AS SELECT a.user_id AS id1, b.user_id AS id2, a.entity_id = b.entity_id AS is_match
  FROM pub a JOIN pub b ON a.user_id < b.user_id AND a.phone = b.phone;
GRANT SELECT ON labels TO PUBLIC;

------------------------------------------------------------------------------------------
-- Item 7: another role's expression fields do not run with your rights.
------------------------------------------------------------------------------------------
CREATE ROLE um_rights_bob;
CREATE ROLE um_rights_alice;
CREATE SCHEMA um_rights_bob AUTHORIZATION um_rights_bob;
SET ROLE um_rights_bob;
-- Harmless when Bob calls it; makes Bob a superuser when a superuser does.
CREATE FUNCTION um_rights_bob.tidy(v text) RETURNS text LANGUAGE plpgsql AS $fn$
BEGIN
  IF current_user <> 'um_rights_bob' THEN EXECUTE 'ALTER ROLE um_rights_bob SUPERUSER'; END IF;
  RETURN v;
END $fn$;
SELECT usermatch.create_profile('bobs', '{"id": "user_id",
  "fields": [{"name": "name", "expression": "um_rights_bob.tidy(full_name)", "type": "person_name"},
             {"name": "phone", "column": "phone", "type": "phone"}],
  "blocking": [["phone"]]}');
SELECT lives_ok($$SELECT count(*) FROM usermatch.dedupe('bobs', 'pub')$$, 'the owner runs its own expression profile');
RESET ROLE;

SELECT throws_ok($$SELECT * FROM usermatch.dedupe('bobs', 'pub')$$, '42501',
  'profile "bobs" belongs to role "um_rights_bob" and has 1 expression field(s), which would run with the rights of role "' || current_user || '"',
  'a superuser running another role''s expression profile is refused (42501), naming profile and owner');
SELECT is((SELECT rolsuper FROM pg_roles WHERE rolname = 'um_rights_bob'), false, '...and Bob did not become superuser');
CREATE FUNCTION pg_temp.error_hint(query text) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE hint text;
BEGIN
  EXECUTE query;
  RETURN NULL;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS hint = PG_EXCEPTION_HINT;
  RETURN hint;
END $fn$;
SELECT alike(pg_temp.error_hint($$SELECT * FROM usermatch.dedupe('bobs', 'pub')$$),
            '%SET usermatch.trusted_profile_owners = ''um_rights_bob''%', 'the hint says how to opt in');
SELECT throws_ok($$SELECT * FROM usermatch.link('bobs', 'pub', 'pub')$$, '42501', NULL, 'link refuses it too');
SELECT throws_ok($$SELECT * FROM usermatch.clusters('bobs', 'pub')$$, '42501', NULL, 'clusters refuses it too');
SELECT throws_ok($$SELECT * FROM usermatch.estimate_comparisons('bobs', 'pub')$$, '42501', NULL, 'estimate_comparisons refuses it too');
SELECT throws_ok($$SELECT usermatch.train('bobs', 'pub')$$, '42501', NULL, 'train refuses it too');
SELECT throws_ok($$SELECT * FROM usermatch.train_labels('bobs', 'labels', 'pub')$$, '42501', NULL, 'train_labels refuses it too');
SELECT is((SELECT rolsuper FROM pg_roles WHERE rolname = 'um_rights_bob'), false, 'after all of them Bob is still not superuser');

-- Another ordinary role is protected the same way.
SET ROLE um_rights_alice;
SELECT throws_ok($$SELECT * FROM usermatch.dedupe('bobs', 'pub')$$, '42501',
  'profile "bobs" belongs to role "um_rights_bob" and has 1 expression field(s), which would run with the rights of role "um_rights_alice"',
  'another ordinary role is refused too, before the expression runs');
RESET ROLE;

-- Opting in runs it: this is exactly the attack the check stops.
SAVEPOINT opt_in;
SET LOCAL usermatch.trusted_profile_owners = 'someone_else, um_rights_bob';
SELECT lives_ok($$SELECT count(*) FROM usermatch.dedupe('bobs', 'pub')$$, 'a caller who lists the owner in usermatch.trusted_profile_owners runs it');
SELECT is((SELECT rolsuper FROM pg_roles WHERE rolname = 'um_rights_bob'), true, '...with the caller''s rights (what the refusal prevents)');
ROLLBACK TO SAVEPOINT opt_in;
SELECT throws_ok($$SET usermatch.trusted_profile_owners = '"unterminated'$$, '22023', NULL,
                 'usermatch.trusted_profile_owners must be a list of role names');

-- A profile without expressions, or one owned by a role that already has the caller's rights, just runs.
SELECT usermatch.create_profile('su_expr', '{"id": "user_id",
  "fields": [{"name": "name", "expression": "lower(full_name)", "type": "person_name"},
             {"name": "phone", "column": "phone", "type": "phone"}],
  "blocking": [["phone"]]}');
SET ROLE um_rights_bob;
SELECT usermatch.create_profile('bobs_plain', '{"id": "user_id",
  "fields": [{"name": "phone", "column": "phone", "type": "phone"}], "blocking": [["phone"]]}');
SELECT lives_ok($$SELECT count(*) FROM usermatch.dedupe('su_expr', 'pub')$$, 'a superuser''s expression profile runs for Bob');
RESET ROLE;
SELECT lives_ok($$SELECT count(*) FROM usermatch.dedupe('bobs_plain', 'pub')$$, 'another role''s profile without expressions runs');
SELECT lives_ok($$SELECT usermatch.explain_match('bobs', '{"user_id": "1", "name": "A", "phone": "1"}', '{"user_id": "2", "name": "A", "phone": "1"}')$$,
                'explain_match evaluates no expression, so it may read any profile');

------------------------------------------------------------------------------------------
-- Item 8: history rows only for profiles you own.
------------------------------------------------------------------------------------------
CREATE ROLE um_rights_mallory;
SET ROLE um_rights_alice;
SELECT usermatch.create_profile('alice_p', '{"id": "user_id",
  "fields": [{"name": "phone", "column": "phone", "type": "phone"}, {"name": "name", "column": "full_name", "type": "person_name"}],
  "blocking": [["phone"]]}');
SET ROLE um_rights_mallory;
SELECT throws_ok($$INSERT INTO usermatch.profile_versions (name, version, spec) VALUES ('alice_p', 2, '{"planted": true}')$$,
                 '42501', NULL, 'a role cannot plant a version of another role''s profile');
SELECT usermatch.create_profile('mallory_p', '{"id": "user_id",
  "fields": [{"name": "phone", "column": "phone", "type": "phone"}], "blocking": [["phone"]]}');
SELECT throws_ok($$UPDATE usermatch.profile_versions SET name = 'alice_p', version = 2 WHERE name = 'mallory_p'$$,
                 '42501', NULL, '...nor move one of its own versions under it');
SET ROLE um_rights_alice;
SELECT is(usermatch.create_profile('alice_p', (SELECT spec FROM usermatch.profiles WHERE name = 'alice_p'), true), 2,
          'the owner still replaces its profile');
SELECT is((usermatch.train('alice_p', 'pub', options => '{"seed": 1}')->>'version')::int, 3, 'the owner still trains it');
SELECT is(usermatch.restore_profile('alice_p', 1), 4, 'the owner still restores a version');
SELECT is((SELECT count(*)::int FROM usermatch.profile_versions WHERE name = 'alice_p' AND spec ? 'planted'), 0, 'no planted spec anywhere');
RESET ROLE;

------------------------------------------------------------------------------------------
-- Item 9: ceilings a role cannot raise.
------------------------------------------------------------------------------------------
SET ROLE um_rights_alice;
SELECT throws_ok($$SET usermatch.max_threads = 64$$, '42501', NULL, 'a non-superuser cannot raise usermatch.max_threads');
SELECT throws_ok($$SET usermatch.max_memory_limit = '100GB'$$, '42501', NULL, 'a non-superuser cannot raise usermatch.max_memory_limit');
SELECT throws_ok($$SET usermatch.threads = 9$$, '22023', NULL, 'usermatch.threads above usermatch.max_threads (default 8) is refused');
SELECT throws_ok($$SET usermatch.memory_limit = '5GB'$$, '22023', NULL, 'usermatch.memory_limit above usermatch.max_memory_limit (default 4GB) is refused');
SELECT lives_ok($$SET LOCAL usermatch.threads = 8$$, 'up to the ceiling is fine');
RESET ROLE;
SAVEPOINT ceilings;
SET LOCAL usermatch.max_threads = 16;
SELECT lives_ok($$SET LOCAL usermatch.threads = 16$$, 'a superuser raises the ceiling, then the setting');
-- Lowering a ceiling caps a value already set: a run then sees the lower one.
CREATE TABLE wide AS SELECT g::text AS id, repeat('x', 10000) || g AS v FROM generate_series(1, 3000) g;
SELECT usermatch.create_profile('wide', '{"id": "id", "fields": [{"name": "v", "column": "v", "type": "exact"}], "blocking": [["v"]]}');
SET LOCAL usermatch.memory_limit = '1GB';
SELECT lives_ok($$SELECT count(*) FROM usermatch.dedupe('wide', 'wide')$$, '30 MB of values fit in memory_limit 1GB');
SET LOCAL usermatch.max_memory_limit = '16MB';
SELECT is(current_setting('usermatch.memory_limit'), '1GB', 'SHOW keeps the value the role set...');
SELECT throws_ok($$SELECT count(*) FROM usermatch.dedupe('wide', 'wide')$$, '53200', NULL, '...but the run is held to the 16MB ceiling');
ROLLBACK TO SAVEPOINT ceilings;

------------------------------------------------------------------------------------------
-- Item 11: non-finite numbers compare exact-only; NaN is missing.
------------------------------------------------------------------------------------------
SELECT usermatch.create_profile('nums', '{"id": "id", "fields": [{"name": "n", "column": "n", "type": "number"}], "blocking": [["n"]]}');
CREATE FUNCTION pg_temp.level(profile text, a jsonb, b jsonb) RETURNS text LANGUAGE sql AS
  $$SELECT usermatch.explain_match(profile, a, b)->'fields'->0->>'level'$$;
SELECT is(pg_temp.level('nums', '{"n": "Infinity"}', '{"n": 5}'), 'else', 'Infinity is not within 1% of 5');
SELECT is(pg_temp.level('nums', '{"n": "Infinity"}', '{"n": "Infinity"}'), 'exact', 'Infinity equals Infinity');
SELECT is(pg_temp.level('nums', '{"n": "NaN"}', '{"n": "NaN"}'), 'null', 'NaN is a missing value, like NULL');
SELECT is(pg_temp.level('nums', '{"n": 100}', '{"n": 100.5}'), 'within_pct<=1', 'finite numbers are unchanged');

------------------------------------------------------------------------------------------
-- Item 12: explain_match reads values as the table path does; its errors are 22023.
------------------------------------------------------------------------------------------
CREATE TABLE amounts (id int, amount numeric, note text);
INSERT INTO amounts VALUES (1, 1.10, 'k'), (2, 1.1, 'k');
SELECT usermatch.create_profile('amounts', '{"id": "id",
  "fields": [{"name": "amount", "column": "amount", "type": "exact"}, {"name": "note", "column": "note", "type": "exact"}],
  "blocking": [["note"]]}');
SELECT is(pg_temp.level('amounts', (SELECT to_jsonb(a) FROM amounts a WHERE id = 1), (SELECT to_jsonb(a) FROM amounts a WHERE id = 2)),
          'else', 'explain_match: 1.10 vs 1.1 is "else", as numeric::text gives the engine in dedupe');
SELECT is((SELECT match_weight FROM usermatch.dedupe('amounts', 'amounts', 0)),
          (usermatch.explain_match('amounts', (SELECT to_jsonb(a) FROM amounts a WHERE id = 1),
                                   (SELECT to_jsonb(a) FROM amounts a WHERE id = 2), 2)->>'match_weight')::float8,
          'dedupe and explain_match give the pair the same weight');
SELECT is(pg_temp.level('amounts', '{"amount": 1e400, "note": "k"}', '{"amount": 1e400, "note": "k"}'), 'exact',
          'a number beyond a double is read as its text, no error');
SELECT is(pg_temp.level('nums', '{"n": 1e400}', '{"n": 1e400}'), 'null', '...and is a missing value for a number field');
SELECT throws_ok($$SELECT usermatch.explain_match('amounts', '[1]', '{}')$$, '22023', NULL, 'a non-object record is 22023');

------------------------------------------------------------------------------------------
-- Item 13: train does not overwrite a version stored while it ran.
------------------------------------------------------------------------------------------
SELECT usermatch.create_profile('tr', '{"id": "user_id",
  "fields": [{"name": "phone", "column": "phone", "type": "phone"}, {"name": "name", "column": "full_name", "type": "person_name"}],
  "blocking": [["phone"]]}');
-- Reading this view stores a new version of "tr", as another session's create_profile(replace) would
-- between train reading the profile and storing its result.
CREATE FUNCTION bump_tr() RETURNS int LANGUAGE sql AS
  $$SELECT usermatch.create_profile('tr', (SELECT spec FROM usermatch.profiles WHERE name = 'tr'), true, 'edited meanwhile')$$;
CREATE VIEW pub_edited_meanwhile AS SELECT p.* FROM pub p CROSS JOIN (SELECT bump_tr() AS v OFFSET 0) AS once;
SELECT throws_ok($$SELECT usermatch.train('tr', 'pub_edited_meanwhile')$$, '40001', NULL,
                 'train fails with 40001 when the profile changed while it ran');
SELECT throws_ok($$SELECT * FROM usermatch.train_labels('tr', 'labels', 'pub_edited_meanwhile')$$, '40001', NULL,
                 'train_labels too');
SELECT bump_tr();
SELECT is((SELECT max(version) FROM usermatch.profile_versions WHERE name = 'tr'), 2, 'nothing was stored over the edit');
SELECT is((usermatch.train('tr', 'pub')->>'version')::int, 3, 'without an edit meanwhile train stores the next version');

------------------------------------------------------------------------------------------
-- Item 14: validation catches what used to fail later or with the wrong SQLSTATE.
------------------------------------------------------------------------------------------
CREATE FUNCTION pg_temp.problems(spec text) RETURNS text LANGUAGE sql AS
  $$SELECT string_agg(path || ': ' || problem, ' | ') FROM usermatch.validate_profile(spec::jsonb)$$;
SELECT alike(pg_temp.problems('{"id": "user_id", "fields": [{"name": "p", "column": "phone", "type": "phone", "region": "ZZ"}], "blocking": [["p"]]}'),
            '$.fields[0].region: unknown region "ZZ"%', 'an unknown phone region is reported by validation');
SELECT throws_ok($$SELECT usermatch.create_profile('zz', '{"id": "user_id", "fields": [{"name": "p", "column": "phone", "type": "phone", "region": "ZZ"}], "blocking": [["p"]]}')$$,
                 '22023', NULL, '...and refused by create_profile');
SELECT alike(pg_temp.problems('{"id": "user_id", "fields": [{"name": "e", "column": "x", "type": "exact", "u": [1e-320, 0.5]}], "blocking": [["e"]]}'),
            '$.fields[0].u[0]: must be at least 1e-12%', 'u = 1e-320 is refused (its weight would be infinite)');
SELECT alike(pg_temp.problems('{"id": "user_id", "fields": [{"name": "t", "column": "x", "type": "text", "levels": ["jw>=0.8", "jw>=0.9"]}], "blocking": [["t"]]}'),
            '$.fields[0].levels[1]: level "jw>=0.9" is unreachable%', 'an unreachable level is refused');
SELECT alike(pg_temp.problems('{"id": "user_id", "fields": [{"name": "t", "column": "x", "type": "text", "levels": ["exact", "exact"]}], "blocking": [["t"]]}'),
            '$.fields[0].levels[1]: duplicate level "exact"%', 'a duplicate level is refused');
SELECT alike(pg_temp.problems('{"id": "user_id", "fields": [{"name": "name", "column": "x", "type": "person_name"}], "blocking": [["name."]]}'),
            '$.blocking[0][0]: blocking key "name." ends with "."%', 'a blocking key ending in a dot is refused');
SELECT is(pg_temp.problems('{"id": "user_id", "fields": [{"name": "t", "column": "x", "type": "text"}], "blocking": ' ||
                           (SELECT jsonb_agg('["t"]'::jsonb) FROM generate_series(1, 100000))::text || '}'),
          '$.blocking: has 100000 rules; at most 64 are allowed', '100,000 blocking rules are refused');
SELECT is(pg_temp.problems('{"id": "user_id", "fields": [{"name": "t", "column": "x", "type": "text"}], "blocking": [["t"]], "threshold": 1e400}'),
          '$.threshold: must be a finite number (this one is out of range)', 'threshold 1e400 is named, not "invalid JSON"');
SELECT throws_ok($$SELECT usermatch.create_profile('big', '{"id": "user_id", "fields": [{"name": "t", "column": "x", "type": "text"}], "blocking": [["t"]], "threshold": 1e400}')$$,
                 '22023', NULL, '...and create_profile refuses it with 22023');
SELECT throws_ok($$SELECT usermatch.create_profile('semi', '{"id": "user_id", "fields": [{"name": "t", "expression": "lower(city); SELECT 1", "type": "text"}], "blocking": [["t"]]}')$$,
                 '22023', NULL, 'an expression with ";" is 22023 at create_profile, not 42P11 at dedupe');
SELECT is(pg_temp.problems('{"id": "user_id", "fields": [{"name": "t", "expression": "city || '';''", "type": "text"}], "blocking": [["t"]]}'),
          NULL, '...but a ";" inside a string literal is fine');
SELECT throws_ok($$SELECT usermatch.restore_profile(NULL, 1)$$, '22004', NULL, 'restore_profile(NULL, ...) is 22004');
SELECT throws_ok($$SELECT usermatch.restore_profile('tr', NULL)$$, '22004', NULL, 'restore_profile(..., NULL) is 22004');
SELECT throws_ok($$SELECT usermatch.drop_profile(NULL)$$, '22004', NULL, 'drop_profile(NULL) is 22004');
SELECT throws_ok($$SELECT usermatch.create_profile(NULL, '{}')$$, '22004', NULL, 'create_profile(NULL, ...) is 22004');
SELECT throws_ok($$SELECT * FROM usermatch.dedupe(NULL, 'pub')$$, '22004', NULL, 'dedupe(NULL, ...) is 22004');
SELECT throws_ok($$SELECT * FROM usermatch.profile_weights(NULL)$$, '22004', NULL, 'profile_weights(NULL) is 22004');

-- suggest_profile(source, right_source) reads no row of right_source, but refuses a table the
-- caller cannot read, like every other function (found by make stress).
CREATE TABLE um_rights_secret AS SELECT * FROM pub;
SET ROLE um_rights_alice;
SELECT throws_ok($$SELECT usermatch.suggest_profile('pub', 'um_rights_secret')$$, '42501', NULL,
                 'suggest_profile refuses a second table the caller cannot read');
SELECT lives_ok($$SELECT usermatch.suggest_profile('pub', 'pub')$$, '...and accepts one it can');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
