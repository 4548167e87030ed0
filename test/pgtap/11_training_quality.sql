-- Training that never makes things worse, and the "auto" threshold (issue 8, items 4 and 5).
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(14);

-- 1,500 people in 300 suburbs (3 to a postcode), 1 to 3 records each; later records have a typo in a
-- name or the suburb one time in six each (NC-voter-like: names, suburb, postcode).
CREATE TABLE voters AS
WITH person AS (
  SELECT g AS entity,
         (ARRAY['james','mary','john','patricia','robert','jennifer','michael','linda','william','elizabeth',
                'david','barbara','richard','susan','joseph','jessica','thomas','sarah','charles','karen',
                'christopher','nancy','daniel','lisa','matthew','betty','anthony','margaret','mark','sandra'])
           [1 + abs(hashint4(g * 7 + 1)) % 30] AS given,
         (ARRAY['smith','johnson','williams','brown','jones','garcia','miller','davis','rodriguez','martinez',
                'hernandez','lopez','gonzalez','wilson','anderson','thomas','taylor','moore','jackson','martin',
                'lee','perez','thompson','white','harris','sanchez','clark','ramirez','lewis','robinson',
                'walker','young','allen','king','wright','scott','torres','nguyen','hill','flores'])
           [1 + abs(hashint4(g * 7 + 2)) % 40]
           || (ARRAY['', 'son', 'ley', 'ton', 'er', 'man', 'field', 'ford', 'wood', 'well'])[1 + abs(hashint4(g * 7 + 5)) % 10] AS surname,
         abs(hashint4(g * 7 + 3)) % 300 AS place
  FROM generate_series(1, 1500) g
), rec AS (
  SELECT p.*, k FROM person p, generate_series(0, abs(hashint4(p.entity * 7 + 4)) % 3) k
)
SELECT row_number() OVER (ORDER BY entity, k) AS id, entity,
       CASE WHEN k > 0 AND abs(hashint4(entity * 31 + k)) % 6 = 0 THEN overlay(given PLACING 'z' FROM 2 FOR 1) ELSE given END AS givenname,
       CASE WHEN k > 0 AND abs(hashint4(entity * 37 + k)) % 6 = 0 THEN overlay(surname PLACING 'q' FROM 3 FOR 1) ELSE surname END AS surname,
       CASE WHEN k > 0 AND abs(hashint4(entity * 41 + k)) % 6 = 0 THEN 'twon ' ELSE 'town ' END || place AS suburb,
       (27000 + place / 3 * 13)::text AS postcode
FROM rec;
CREATE VIEW voter_records AS SELECT id, givenname, surname, suburb, postcode FROM voters;

CREATE FUNCTION pg_temp.f1(pairs regclass) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE result numeric;
BEGIN
  EXECUTE format($q$
    WITH truth AS (SELECT a.id AS id1, b.id AS id2 FROM voters a JOIN voters b ON a.entity = b.entity AND a.id < b.id),
         found AS (SELECT least(id1::bigint, id2::bigint) AS id1, greatest(id1::bigint, id2::bigint) AS id2 FROM %s),
         tp AS (SELECT count(*) AS n FROM found JOIN truth USING (id1, id2))
    SELECT round(2.0 * tp.n / nullif((SELECT count(*) FROM found) + (SELECT count(*) FROM truth), 0), 4) FROM tp$q$, pairs)
  INTO result;
  RETURN result;
END $$;

SELECT usermatch.create_profile('voters', '{
  "id": "id",
  "fields": [
    {"name": "given_name", "column": "givenname", "type": "person_name"},
    {"name": "surname",    "column": "surname",   "type": "person_name"},
    {"name": "suburb",     "column": "suburb",    "type": "text"},
    {"name": "postcode",   "column": "postcode",  "type": "exact"}],
  "blocking": [["given_name.soundex", "surname.soundex"], ["given_name.prefix3", "postcode"], ["surname.prefix3", "postcode"]],
  "threshold": 0.9}');

CREATE TEMP TABLE default_pairs AS SELECT * FROM usermatch.dedupe('voters', 'voter_records');
CREATE TEMP TABLE summary AS SELECT usermatch.train('voters', 'voter_records', options => '{"seed": 3}') AS s;
CREATE TEMP TABLE trained_pairs AS SELECT * FROM usermatch.dedupe('voters', 'voter_records');
CREATE TEMP TABLE trained_spec AS
  SELECT spec FROM usermatch.profile_versions WHERE name = 'voters' AND version = (SELECT (s->>'version')::int FROM summary);

SELECT ok(pg_temp.f1('trained_pairs') >= pg_temp.f1('default_pairs'), 'train does not lower F1 below the default weights');
SELECT ok(pg_temp.f1('trained_pairs') >= 0.9, 'trained F1 on the voter-like table is at least 0.9');
SELECT is((SELECT jsonb_typeof(spec->'threshold'->'auto') FROM trained_spec), 'number', 'train stores threshold {"auto": t}');
SELECT ok((SELECT (spec->'threshold'->>'auto')::float8 > 0 AND (spec->'threshold'->>'auto')::float8 < 1 FROM trained_spec),
          'the stored auto threshold is in (0, 1)');
SELECT is((SELECT (s->'threshold'->>'auto')::float8 FROM summary), (SELECT (spec->'threshold'->>'auto')::float8 FROM trained_spec),
          'the summary reports the stored threshold');
SELECT ok((SELECT (s->'threshold'->>'expected_f1')::float8 BETWEEN 0 AND 1 FROM summary), 'the summary reports the expected F1');
SELECT is((SELECT jsonb_typeof(s->'kept_current') FROM summary), 'boolean', 'the summary says whether the current weights were kept');
SELECT ok((SELECT ((s->'check'->>'mean_log_likelihood_new')::float8 >= (s->'check'->>'mean_log_likelihood_current')::float8)
                  = NOT (s->>'kept_current')::boolean FROM summary),
          'kept_current follows the held-back log-likelihoods');
SELECT ok((SELECT bool_and(r ? 'log_likelihood' AND r ? 'start_match_share') FROM summary, jsonb_array_elements(s->'rules') r),
          'every EM run reports its start and its log-likelihood');
SELECT ok((SELECT (s->'prior'->>'deterministic_pairs')::float8 > 0 AND (s->'prior'->>'deterministic_recall')::float8 BETWEEN 0 AND 1
           FROM summary), 'the prior comes from a deterministic rule with its recall');

-- "auto" written by hand is resolved at run time; "keep" leaves the threshold alone.
SELECT usermatch.create_profile('voters_auto', (SELECT jsonb_set(spec, '{threshold}', '"auto"') FROM trained_spec));
CREATE TEMP TABLE auto_pairs AS SELECT * FROM usermatch.dedupe('voters_auto', 'voter_records');
SELECT is(pg_temp.f1('auto_pairs'), pg_temp.f1('trained_pairs'), 'an unresolved "auto" threshold resolves to the one train stored');
SELECT usermatch.train('voters_auto', 'voter_records', options => '{"threshold": "keep"}');
SELECT is((SELECT spec->'threshold' FROM usermatch.profile_versions WHERE name = 'voters_auto' ORDER BY version DESC LIMIT 1),
          '"auto"'::jsonb, 'option threshold "keep" keeps the profile''s threshold');
SELECT throws_ok($$SELECT usermatch.train('voters', 'voter_records', options => '{"threshold": 0.5}')$$, '22023',
                 'train: option "threshold" must be "auto" or "keep"', 'a bad threshold option is 22023');
SELECT throws_ok($$SELECT usermatch.create_profile('bad_threshold', '{"id": "id", "fields": [{"name": "x", "column": "x", "type": "text"}], "blocking": [["x"]], "threshold": "automatic"}')$$,
                 '22023', NULL, 'a threshold that is neither a probability nor "auto" is 22023');

SELECT * FROM finish();
ROLLBACK;
