-- Learning weights: train, train_labels, profile_weights, suggest_profile, versions.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(22);

CREATE TABLE gen AS SELECT * FROM usermatch.generate_users(20000, 3);
-- The ground truth stays out of what the profile may see.
CREATE VIEW gen_users AS SELECT user_id, full_name, phone, email, birth_date, id_number, city FROM gen;
CREATE FUNCTION pg_temp.f1(pairs regclass) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE result numeric;
BEGIN
  EXECUTE format($q$
    WITH truth AS (SELECT a.user_id AS id1, b.user_id AS id2 FROM gen a JOIN gen b
                     ON a.entity_id = b.entity_id AND a.user_id < b.user_id),
         found AS (SELECT least(id1, id2) AS id1, greatest(id1, id2) AS id2 FROM %s),
         tp AS (SELECT count(*) AS n FROM found JOIN truth USING (id1, id2))
    SELECT round(2.0 * tp.n / nullif((SELECT count(*) FROM found) + (SELECT count(*) FROM truth), 0), 4) FROM tp$q$, pairs)
  INTO result;
  RETURN result;
END $$;

SELECT usermatch.create_profile('gen', '{
  "id": "user_id",
  "fields": [
    {"name": "name",  "column": "full_name",  "type": "person_name", "tf": true},
    {"name": "phone", "column": "phone",      "type": "phone"},
    {"name": "email", "column": "email",      "type": "email"},
    {"name": "dob",   "column": "birth_date", "type": "date"},
    {"name": "idno",  "column": "id_number",  "type": "id_number"},
    {"name": "city",  "column": "city",       "type": "text"}],
  "blocking": [["phone"], ["email"], ["idno"], ["name.pinyin_initials", "dob.year"]]}');

CREATE TEMP TABLE default_pairs AS SELECT * FROM usermatch.dedupe('gen', 'gen_users');
CREATE TEMP TABLE summary AS SELECT usermatch.train('gen', 'gen_users', options => '{"seed": 7, "max_pairs": 200000}') AS s;

SELECT is((SELECT (s->>'version')::int FROM summary), 2, 'train stores a new profile version');
SELECT is((SELECT count(*)::int FROM usermatch.profile_versions WHERE name = 'gen'), 2, 'the previous version is kept');
SELECT ok((SELECT (s->'u'->>'pairs_sampled')::int FROM summary) BETWEEN 1 AND 200000, 'max_pairs bounds the u sample');
SELECT ok((SELECT jsonb_array_length(s->'rules') FROM summary) = 4, 'one EM run per blocking rule');
SELECT ok((SELECT (s->'prior'->>'prior')::float8 FROM summary) BETWEEN 1e-7 AND 1e-2, 'the prior is estimated');
SELECT ok((SELECT m > 0.6 AND u < 0.001 FROM usermatch.profile_weights('gen') WHERE field = 'phone' AND level = 'exact'),
          'phone exact: high m, tiny u');
SELECT ok((SELECT bool_and(m BETWEEN 0 AND 1 AND u BETWEEN 0 AND 1 AND match_weight = match_weight) FROM usermatch.profile_weights('gen')),
          'every m and u is a probability, no weight is NaN');

CREATE TEMP TABLE trained_pairs AS SELECT * FROM usermatch.dedupe('gen', 'gen_users');
SELECT ok(pg_temp.f1('trained_pairs') >= pg_temp.f1('default_pairs'), 'trained F1 is at least the default F1');
SELECT ok(pg_temp.f1('trained_pairs') >= 0.95, 'trained F1 on generated users is at least 0.95');

-- Same seed, same data: the same profile.
SELECT usermatch.restore_profile('gen', 1);
SELECT usermatch.train('gen', 'gen_users', options => '{"seed": 7, "max_pairs": 200000}');
SELECT is((SELECT spec FROM usermatch.profile_versions WHERE name = 'gen' AND version = 4),
          (SELECT spec FROM usermatch.profile_versions WHERE name = 'gen' AND version = 2), 'training is repeatable with a seed');
SELECT is((SELECT spec FROM usermatch.profile_versions WHERE name = 'gen' AND version = 3),
          (SELECT spec FROM usermatch.profile_versions WHERE name = 'gen' AND version = 1), 'restore_profile brings back version 1');

SELECT throws_ok($$SELECT usermatch.train('gen', 'gen_users', options => '{"max_pair": 10}')$$, '22023',
                 'train: unknown option "max_pair"', 'an unknown option is 22023');
SELECT throws_ok($$SELECT usermatch.train('gen', 'gen_users', options => '{"max_pairs": -1}')$$, '22023', NULL, 'a bad option value is 22023');

-- Degenerate data: a table of one row and an always-NULL field give warnings, not errors or NaN.
CREATE TABLE one_row AS SELECT user_id, full_name, NULL::text AS phone, email, birth_date, id_number, city FROM gen_users LIMIT 1;
SELECT usermatch.create_profile('one', (SELECT spec FROM usermatch.profile_versions WHERE name = 'gen' AND version = 1));
SELECT ok((SELECT jsonb_array_length(usermatch.train('one', 'one_row')->'warnings') > 0), 'one row: trained with warnings');
SELECT ok((SELECT bool_and(m = m AND u = u) FROM usermatch.profile_weights('one')), 'one row: no NaN');

-- Labelled pairs: m from the labels, threshold with the best F1, the curve as rows.
CREATE TABLE labels AS
SELECT d.id1, d.id2, (a.entity_id = b.entity_id) AS is_match
FROM usermatch.dedupe('gen', 'gen_users', 0.01) d JOIN gen a ON a.user_id = d.id1 JOIN gen b ON b.user_id = d.id2;
CREATE TEMP TABLE curve AS SELECT * FROM usermatch.train_labels('gen', 'labels', 'gen_users');
SELECT is((SELECT count(*)::int FROM curve WHERE chosen), 1, 'train_labels marks one threshold as chosen');
SELECT is((SELECT f1 FROM curve WHERE chosen), (SELECT max(f1) FROM curve), 'the chosen threshold has the best F1');
SELECT ok((SELECT count(*) FROM curve) > 1, 'the precision/recall curve has several points');
SELECT ok((SELECT precision FROM usermatch.train_labels('gen', 'labels', 'gen_users', target_precision => 0.999) WHERE chosen) >= 0.999,
          'target_precision is met');

-- Zero configuration: suggest, create, train, dedupe on a table nobody wrote a spec for.
SELECT lives_ok($$SELECT usermatch.create_profile('suggested', usermatch.suggest_profile('gen_users'))$$,
                'suggest_profile gives a valid profile');
SELECT is((SELECT spec->>'id' FROM usermatch.profiles WHERE name = 'suggested'), 'user_id', 'it finds the id column');
SELECT usermatch.train('suggested', 'gen_users');
CREATE TEMP TABLE suggested_pairs AS SELECT * FROM usermatch.dedupe('suggested', 'gen_users');
SELECT ok(pg_temp.f1('suggested_pairs') >= 0.95, 'suggest + train + dedupe: F1 at least 0.95');

SELECT * FROM finish();
ROLLBACK;
