-- Evidence for sparse records and suggest_profile on real columns (issue 8 items 6 and 7):
-- address / city / gender normalisers, date_order "auto", osa<=1 on codes, and what
-- suggest_profile proposes for a table that mixes date orders, gender spellings and countries.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(24);

CREATE TABLE pairs (id text, name text, birth text, gender text, city text, postcode text, address text);
INSERT INTO pairs VALUES
  ('a1', 'Zbigniew Kowalczyk', '04/05/1990', 'F',      '北京',     '2600', '金色家园38-4-401'),
  ('a2', 'Zbigniew Kowalczyk', '1990-05-04', '女',     'Beijing',  '2600', '金色家园38栋4单元401室'),
  ('b1', 'Hortensia Quist',    '27-06-1998', 'male',   'NYC',      '3000', 'Apt 5A, 12 Main St'),
  ('b2', 'Hortensia Quist',    '1998-06-27', 'Herr',   'New York', '3001', 'Apt. 5A 12 Main Street');

SELECT usermatch.create_profile('fmt', '{
  "id": "id",
  "fields": [
    {"name": "name",     "column": "name",     "type": "person_name"},
    {"name": "birth",    "column": "birth",    "type": "date", "date_order": "auto"},
    {"name": "gender",   "column": "gender",   "type": "exact", "normalize": "gender"},
    {"name": "city",     "column": "city",     "type": "text", "normalize": "city"},
    {"name": "postcode", "column": "postcode", "type": "exact", "levels": ["exact", "osa<=1"]},
    {"name": "address",  "column": "address",  "type": "text", "normalize": "address"}],
  "blocking": [["name"]]}');
CREATE FUNCTION pg_temp.lvl(field text, a text, b text) RETURNS text LANGUAGE sql AS $$
  SELECT f->>'level' FROM jsonb_array_elements(usermatch.explain_match('fmt',
           (SELECT to_jsonb(p) FROM pairs p WHERE id = a), (SELECT to_jsonb(p) FROM pairs p WHERE id = b))->'fields') f
  WHERE f->>'name' = field $$;

SELECT is(pg_temp.lvl('birth', 'a1', 'a2'), 'exact', 'date_order auto: an ambiguous 04/05/1990 equals 1990-05-04');
SELECT is(pg_temp.lvl('birth', 'b1', 'b2'), 'exact', 'an unambiguous 27-06-1998 is read as written');
SELECT is(pg_temp.lvl('gender', 'a1', 'a2'), 'exact', 'normalize gender: F = 女');
SELECT is(pg_temp.lvl('gender', 'b1', 'b2'), 'exact', 'male = Herr');
SELECT is(pg_temp.lvl('gender', 'a1', 'b1'), 'else', 'F <> male');
SELECT is(pg_temp.lvl('city', 'a1', 'a2'), 'exact', 'normalize city: 北京 = Beijing');
SELECT is(pg_temp.lvl('city', 'b1', 'b2'), 'exact', 'NYC = New York');
SELECT is(pg_temp.lvl('address', 'a1', 'a2'), 'exact', 'normalize address: 金色家园38-4-401 = 金色家园38栋4单元401室');
SELECT is(pg_temp.lvl('address', 'b1', 'b2'), 'exact', 'Apt 5A, 12 Main St = Apt. 5A 12 Main Street');
SELECT is(pg_temp.lvl('postcode', 'b1', 'b2'), 'osa<=1', 'osa<=1 on an exact field: 3000 vs 3001 is one character off');
SELECT is(pg_temp.lvl('postcode', 'a1', 'b1'), 'else', '2600 vs 3000 is not');
SELECT results_eq($$SELECT id1, id2 FROM usermatch.dedupe('fmt', 'pairs') ORDER BY 1$$,
                  $$VALUES ('a1', 'a2'), ('b1', 'b2')$$, 'both format-only duplicates are found, nothing else');

SELECT is((SELECT count(*)::int FROM usermatch.validate_profile('{"id": "id", "fields": [{"name": "c", "column": "c",
             "type": "text", "normalize": "zip"}], "blocking": [["c"]]}') WHERE path = '$.fields[0].normalize'), 1,
          'an unknown normaliser is a problem at its path');
SELECT is((SELECT count(*)::int FROM usermatch.validate_profile('{"id": "id", "fields": [{"name": "c", "column": "c",
             "type": "date", "normalize": "city"}], "blocking": [["c"]]}') WHERE path = '$.fields[0].normalize'), 1,
          'a normaliser on a date field is a problem');
SELECT is((SELECT count(*)::int FROM usermatch.validate_profile('{"id": "id", "fields": [{"name": "c", "column": "c",
             "type": "exact", "levels": ["exact", "osa<=1"]}], "blocking": [["c"]]}')), 0, 'osa<=1 is allowed on exact fields');

-- suggest_profile on a table that writes its columns as real sources do.
CREATE TABLE people (id text, first_name text, surname text, birth text, gender text, country text,
                     phone text, city text, postcode text, address text);
INSERT INTO people
SELECT 'p' || i, 'given' || chr(97 + i % 26) || (i % 37), 'family' || chr(97 + i % 23) || (i % 41),
       (ARRAY['27-06-1998', '1991-05-20', '12/24/1975', '04/05/1990', '1975年4月12日', '13/01/1980'])[1 + i % 6],
       (ARRAY['F', 'female', '女', 'FEMALE', 'f', 'M', 'male', '男', 'Herr', 'W'])[1 + i % 10],
       (ARRAY['France', 'FR', 'China', 'CN', 'Germany', 'United Kingdom'])[1 + i % 6],
       CASE WHEN i % 4 <> 0 THEN '06 85 98 ' || (10 + i % 90) || ' ' || (10 + (i / 90) % 90) END,
       (ARRAY['北京市', 'Shanghai', 'NYC', 'London'])[1 + i % 4],
       (2000 + i % 300)::text, (i % 90 + 1) || (ARRAY[' Main St', ' Main Street', '号楼'])[1 + i % 3]
FROM generate_series(1, 6000) i;
CREATE TEMP TABLE s AS SELECT usermatch.suggest_profile('people') AS p;
CREATE FUNCTION pg_temp.sf(field text) RETURNS jsonb LANGUAGE sql AS $$
  SELECT f FROM s, jsonb_array_elements(s.p->'fields') f WHERE f->>'name' = field $$;
SELECT is(pg_temp.sf('birth')->>'date_order', 'auto', 'a column mixing 27-06-1998 and 12/24/1975 gets date_order auto');
SELECT is(pg_temp.sf('gender')->>'normalize', 'gender', 'a gender column is normalised');
SELECT is(pg_temp.sf('phone')->>'region_column', 'country', 'phones take each record''s region from the country column');
SELECT ok(pg_temp.sf('phone')->'regions' ? 'FR', 'and the column''s common regions as a list');
SELECT is(pg_temp.sf('city')->>'normalize', 'city', 'a city column is normalised');
SELECT is(pg_temp.sf('address')->>'normalize', 'address', 'an address column written in several ways is normalised');
SELECT is(pg_temp.sf('postcode')->'levels', '["exact", "osa<=1", "else"]'::jsonb, 'postcodes get a one-character-off level');
SELECT is(pg_temp.sf('surname')->'tf', 'true'::jsonb, 'names get term frequencies');
SELECT lives_ok($$SELECT usermatch.create_profile('suggested12', (SELECT p FROM s))$$, 'the suggested profile is valid');

SELECT * FROM finish();
ROLLBACK;
