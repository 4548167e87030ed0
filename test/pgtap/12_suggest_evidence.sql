-- Evidence for sparse records and suggest_profile on real columns (issue 8 items 6 and 7):
-- address / city / gender normalisers, date_order "auto", osa<=1 on codes, and what
-- suggest_profile proposes for a table that mixes date orders, gender spellings and countries.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(20);

CREATE TABLE people (id text, first_name text, surname text, birth text, gender text, country text,
                     phone text, city text, postcode text, address text);
-- 600 distinct people with mixed formats, then 4 format-only duplicates.
INSERT INTO people
SELECT 'p' || i, 'given' || chr(97 + i % 26) || (i % 37), 'family' || chr(97 + i % 23) || (i % 41),
       (ARRAY['27-06-1998', '1991-05-20', '12/24/1975', '04/05/1990', '1975年4月12日', '13/01/1980'])[1 + i % 6],
       (ARRAY['F', 'female', '女', 'FEMALE', 'f', 'M', 'male', '男', 'Herr', 'W'])[1 + i % 10],
       (ARRAY['France', 'FR', 'China', 'CN', 'Germany', 'United Kingdom'])[1 + i % 6],
       '06 85 98 ' || (10 + i % 90) || ' ' || (10 + (i / 90) % 90),
       (ARRAY['北京市', 'Shanghai', 'NYC', 'London'])[1 + i % 4],
       (2000 + i % 300)::text, (i % 90 + 1) || ' Main St'
FROM generate_series(1, 600) i;

CREATE TABLE pairs (id text, name text, birth text, gender text, city text, postcode text, address text);
INSERT INTO pairs VALUES
  ('a1', 'Zbigniew Kowalczyk', '04/05/1990', 'F',      '北京',     '2600', '金色家园38-4-401'),
  ('a2', 'Zbigniew Kowalczyk', '1990-05-04', '女',     'Beijing',  '2600', '金色家园38栋4单元401室'),
  ('b1', 'Hortensia Quist',    '27-06-1998', 'male',   'NYC',      '3000', 'Apt 5A, 12 Main St'),
  ('b2', 'Hortensia Quist',    '1998-06-27', 'Herr',   'New York', '3001', 'Apt. 5A 12 Main Street');

-- Normalisers see through format (same level "exact" for both spellings).
SELECT usermatch.create_profile('fmt', '{
  "id": "id",
  "fields": [
    {"name": "name",     "column": "name",     "type": "person_name"},
    {"name": "birth",    "column": "birth",    "type": "date", "date_order": "auto"},
    {"name": "gender",   "column": "gender",   "type": "exact", "normalize": "gender"},
    {"name": "city",     "column": "city",     "type": "text", "normalize": "city"},
    {"name": "postcode", "column": "postcode", "type": "exact", "levels": ["exact", "osa<=1"]},
    {"name": "address",  "column": "address",  "type": "text", "normalize": "address"}],
  "blocking": [["name"]], "threshold": 0.5}');
SELECT results_eq($$SELECT id1, id2 FROM usermatch.dedupe('fmt', 'pairs') ORDER BY 1$$,
                  $$VALUES ('a1', 'a2'), ('b1', 'b2')$$, 'both format-only duplicates are found');

CREATE TEMP TABLE lv AS
SELECT e.* FROM usermatch.dedupe('fmt', 'pairs') d, LATERAL usermatch.explain('fmt', 'pairs', d.id1, d.id2) e;
SELECT is((SELECT count(*)::int FROM lv WHERE field = 'birth' AND level = 'exact'), 2,
          'an ambiguous 04/05/1990 equals 1990-05-04; 27-06-1998 is read as written');
SELECT is((SELECT count(*)::int FROM lv WHERE field = 'gender' AND level = 'exact'), 2, 'F = 女, male = Herr');
SELECT is((SELECT count(*)::int FROM lv WHERE field = 'city' AND level = 'exact'), 2, '北京 = Beijing, NYC = New York');
SELECT is((SELECT count(*)::int FROM lv WHERE field = 'address' AND level = 'exact'), 2,
          '金色家园38-4-401 = 金色家园38栋4单元401室, Apt 5A, 12 Main St = Apt. 5A 12 Main Street');
SELECT is((SELECT level FROM lv WHERE field = 'postcode' AND id1 = 'b1'), 'osa<=1', '3000 vs 3001 is one character off');

-- Profile validation names the problem.
SELECT throws_like($${"id": "id", "fields": [{"name": "c", "column": "city", "type": "text", "normalize": "zip"}], "blocking": [["c"]]}$$::text
                     FROM (SELECT 1) x WHERE false, '%', 'placeholder');
