-- What each level of a profile contributes, as psql shows it; a zero-configuration profile.
SELECT usermatch.create_profile('contacts', $${
  "id": "contact_id",
  "fields": [
    {"name": "name",  "column": "name",  "type": "person_name"},
    {"name": "phone", "column": "phone", "type": "phone"},
    {"name": "dob",   "column": "dob",   "type": "date"} ],
  "blocking": [["phone"], ["name.pinyin_initials", "dob.year"]] }$$);
SELECT field, level, m, u, round(match_weight::numeric, 2) AS weight, bar FROM usermatch.profile_weights('contacts');

CREATE TABLE contacts (contact_id bigint PRIMARY KEY, name text, mobile text, email text, born date, notes text);
INSERT INTO contacts
SELECT i, (ARRAY['张伟', 'Li Na', 'William Smith', '王芳', 'José García'])[1 + i % 5] || ' ' || i,
       '138' || lpad((i * 7919 % 100000000)::text, 8, '0'), 'user' || i || '@example.com',
       date '1960-01-01' + (i * 37 % 15000), 'free text ' || i
FROM generate_series(1, 500) AS i;
SELECT jsonb_pretty(usermatch.suggest_profile('contacts'));
SELECT usermatch.create_profile('contacts_suggested', usermatch.suggest_profile('contacts'));
