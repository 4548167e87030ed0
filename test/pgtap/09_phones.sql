-- Phones across countries (issue 8 item 3): no numbers invented in the default region, region
-- lists, a per-record region column, national-number blocking, junk with defined results.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(36);

-- normalize_phone(text, region): valid numbers as before; others are not turned into a fake +86.
SELECT is(usermatch.normalize_phone('13812345678'), '+8613812345678', 'a valid CN mobile is E.164 as before');
SELECT is(usermatch.normalize_phone('+33 6 85 98 66 38'), '+33685986638', 'a number with + keeps its country');
SELECT is(usermatch.normalize_phone('0033 6 85 98 66 38'), '+33685986638', 'and with the IDD prefix 00');
SELECT is(usermatch.normalize_phone('06 85 98 66 38'), '685986638',
          'a French number read in CN (possible there, not valid) gives its national form, not +86685986638');
SELECT is(usermatch.normalize_phone('06 85 98 66 38', 'FR'), '+33685986638', 'read in FR it is E.164');
SELECT is(usermatch.normalize_phone('(415) 555-2671', 'US'), '+14155552671', 'US as before');

-- normalize_phone(text, regions text[]): first region where the number is valid.
SELECT is(usermatch.normalize_phone('06 85 98 66 38', ARRAY['CN', 'GB', 'FR']), '+33685986638', 'a list of likely regions');
SELECT is(usermatch.normalize_phone('07911 123456', ARRAY['cn', 'fr', 'gb']), '+447911123456', 'regions in any case');
SELECT is(usermatch.normalize_phone('06 85 98 66 38', ARRAY[]::text[]), '685986638', 'no region: national form');
SELECT is(usermatch.normalize_phone('+33685986638', ARRAY[]::text[]), '+33685986638', 'no region: + numbers still E.164');
SELECT throws_ok($$SELECT usermatch.normalize_phone('0685986638', ARRAY['FR', NULL])$$, '22004',
                 'normalize_phone: argument regions must not contain NULL', 'a NULL region is 22004');
SELECT throws_like($$SELECT usermatch.normalize_phone('0685986638', ARRAY['FR', 'XX'])$$, '%invalid region "XX"%',
                   'an unknown region in the list names it');
SELECT throws_ok($$SELECT usermatch.normalize_phone('0685986638', ARRAY['FR', 'XX'])$$, '22023', NULL, 'and is 22023');
SELECT throws_ok($$SELECT usermatch.normalize_phone('0685986638', array_fill('FR'::text, ARRAY[101]))$$, '22023',
                 'normalize_phone: argument regions has 101 elements; at most 100 are allowed', 'at most 100 regions');

-- Junk: defined results, never an error.
SELECT is(usermatch.normalize_phone(repeat('9', 300)), NULL, 'a phone of 300 digits is NULL');
SELECT is(usermatch.normalize_phone(repeat('9', 40), ARRAY['FR']), NULL, '40 digits are NULL');
SELECT is(usermatch.normalize_phone('call me maybe'), NULL, 'letters are NULL');
SELECT is(usermatch.normalize_phone('😀📞😀'), NULL, 'emoji are NULL');
SELECT is(usermatch.normalize_phone('06/85/98/66/38'), '685986638', 'slashes are phone punctuation');

-- phone_region and phone_national_number.
SELECT is(array_agg(usermatch.phone_region(c) ORDER BY n),
          ARRAY['FR', 'FR', 'FR', 'FR', 'FR', 'GB', 'US', 'CN', NULL, NULL, NULL, NULL],
          'phone_region reads codes, names and calling codes; junk is NULL')
FROM unnest(ARRAY['FR', 'fr', 'France', 'FRA', '+33', 'UK', 'United States', '中国', 'junk', '', '😀', 'ZZ'])
     WITH ORDINALITY AS t(c, n);
SELECT is(usermatch.phone_national_number('+33685986638'), '685986638', 'national number of an E.164 value');
SELECT is(usermatch.phone_national_number(usermatch.normalize_phone('06 85 98 66 38')), '685986638',
          'the national form is its own national number');

-- Matching: a region column, national-number blocking, the national_number level.
CREATE TABLE contacts (id text PRIMARY KEY, full_name text, phone text, country text, country_code integer, born date, active boolean);
INSERT INTO contacts VALUES
    ('a', 'Marie Dupont', '06 85 98 66 38',    'France',          33,   '1990-01-01', true),
    ('b', 'Marie Dupont', '+33 6 85 98 66 38', NULL,              NULL, '1990-01-01', true),
    ('c', 'Marie Dupont', '06 85 98 66 38',    '😀 no country',   -1,   '1990-01-01', true),
    ('d', 'Wang Fang',    '13812345678',       'CHN',             86,   '1990-01-01', true),
    ('e', 'John Smith',   repeat('7', 300),    repeat('x', 5000), 0,    '1990-01-01', true),
    ('f', 'Jane Roe',     'not a phone',       'Atlantis',        NULL, '1990-01-01', true);

SELECT lives_ok($$SELECT usermatch.create_profile('contacts', '{
  "id": "id",
  "fields": [
    {"name": "name",  "column": "full_name", "type": "person_name"},
    {"name": "phone", "column": "phone", "type": "phone", "region": "CN", "regions": ["GB"], "region_column": "country"}],
  "blocking": [["phone.national_number"]]}')$$, 'a phone field with regions and region_column');
SELECT is((SELECT spec->'fields'->1->>'region_column' FROM usermatch.profiles WHERE name = 'contacts'), 'country',
          'the stored profile keeps region_column');
SELECT set_eq($$SELECT id1, id2 FROM usermatch.dedupe('contacts', 'contacts')$$,
              $$VALUES ('a', 'b'), ('a', 'c'), ('b', 'c')$$,
              'national and international spellings block together and match; junk countries and phones do not fail the run');
SELECT is((usermatch.explain_match('contacts', '{"full_name": "Marie Dupont", "phone": "06 85 98 66 38", "country": "FR"}',
                                   '{"full_name": "Marie Dupont", "phone": "+33685986638"}')->'fields'->1->>'level'),
          'exact', 'explain_match reads the region column: FR makes both +33685986638');
SELECT is((usermatch.explain_match('contacts', '{"full_name": "Marie Dupont", "phone": "06 85 98 66 38"}',
                                   '{"full_name": "Marie Dupont", "phone": "+33685986638"}')->'fields'->1->>'level'),
          'national_number', 'without it the national form meets the E.164 value on the national_number level');
SELECT is((usermatch.explain_match('contacts', '{"phone": "06 85 98 66 38"}', '{"phone": "+33685986638"}')->'fields'->1->>'normalized_a'),
          '685986638', 'explain shows the national form');

-- A numeric region column is read as text (junk numbers ignored); last8 blocking.
SELECT lives_ok($$SELECT usermatch.create_profile('contacts_codes', '{
  "id": "id",
  "fields": [{"name": "phone", "column": "phone", "type": "phone", "region_column": "country_code"}],
  "blocking": [["phone.last8"]]}')$$, 'a numeric region column');
SELECT set_eq($$SELECT id1, id2 FROM usermatch.dedupe('contacts_codes', 'contacts')$$,
              $$VALUES ('a', 'b'), ('a', 'c'), ('b', 'c')$$, 'last8 blocking with a numeric region column');

-- Errors: a missing region column, a region column of a type phones cannot read, bad options.
SELECT is((SELECT problem FROM usermatch.validate_profile('{"id": "id", "fields": [{"name": "p", "column": "phone", "type": "phone", "region_column": "nope"}], "blocking": [["p"]]}', 'contacts')),
          'column "nope" does not exist in the source', 'validate_profile checks the region column against the source');
SELECT lives_ok($$SELECT usermatch.create_profile('contacts_flags', '{
  "id": "id", "fields": [{"name": "phone", "column": "phone", "type": "phone", "region_column": "active"}],
  "blocking": [["phone.national_number"]]}')$$, 'a profile naming a boolean column as region column');
SELECT throws_ok($$SELECT * FROM usermatch.dedupe('contacts_flags', 'contacts')$$, '42804',
                 'column "active" of relation "contacts" has type boolean, which field "phone" cannot read',
                 'a boolean region column is 42804 naming the phone field');
SELECT is((SELECT problem FROM usermatch.validate_profile('{"id": "id", "fields": [{"name": "p", "column": "phone", "type": "phone", "regions": ["FR", "XX"]}], "blocking": [["p"]]}')),
          'unknown region "XX"; expected a two-letter region code such as "FR"', 'unknown regions are rejected naming them');
SELECT throws_ok($$SELECT usermatch.create_profile('bad_transform', '{"id": "id", "fields": [{"name": "n", "column": "full_name", "type": "text"}], "blocking": [["n.last8"]]}')$$,
                 '22023', NULL, 'last8 on a text field is 22023');
SELECT is((SELECT count(*)::int FROM usermatch.validate_profile('{"id": "id", "fields": [{"name": "n", "column": "full_name", "type": "text", "region_column": "country"}], "blocking": [["n"]]}', 'contacts')),
          1, 'region_column on a non-phone field is a problem');

SELECT * FROM finish();
ROLLBACK;
