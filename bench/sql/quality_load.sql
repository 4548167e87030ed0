-- After the raw CSV tables are loaded by bench/quality.sh: truth tables and the baseline's input
-- tables (what a user would prepare by hand for pg_trgm + fuzzystrmatch).

-- A date in the formats a user would have seen in the data, by hand: ISO, YYYYMMDD, DD/MM/YYYY,
-- YYYY年M月D日. Text 'YYYYMMDD' or NULL.
CREATE FUNCTION bl_date(v text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN m IS NULL THEN NULL
    WHEN v ~ '^\d{8}$' THEN v
    WHEN v ~ '/' THEN m[3] || lpad(m[2], 2, '0') || lpad(m[1], 2, '0')
    ELSE m[1] || lpad(m[2], 2, '0') || lpad(m[3], 2, '0') END
  FROM (SELECT coalesce(regexp_match(v, '^(\d{4})-(\d{1,2})-(\d{1,2})$'),
                        regexp_match(v, '^(\d{1,2})/(\d{1,2})/(\d{4})$'),
                        regexp_match(v, '^(\d{4})年(\d{1,2})月(\d{1,2})日$'),
                        regexp_match(v, '^(\d{8})$')) m) s $$;

-- FEBRL: the entity is N in rec-N-org / rec-N-dup-k.
CREATE TABLE febrl1_truth AS SELECT rec_id id, substring(rec_id FROM '^rec-(\d+)-') entity, 0 side FROM febrl1;
CREATE TABLE febrl2_truth AS SELECT rec_id id, substring(rec_id FROM '^rec-(\d+)-') entity, 0 side FROM febrl2;
CREATE TABLE febrl3_truth AS SELECT rec_id id, substring(rec_id FROM '^rec-(\d+)-') entity, 0 side FROM febrl3;
CREATE TABLE febrl4_truth AS
  SELECT rec_id id, substring(rec_id FROM '^rec-(\d+)-') entity, 0 side FROM febrl4a
  UNION ALL SELECT rec_id, substring(rec_id FROM '^rec-(\d+)-'), 1 FROM febrl4b;
CREATE TABLE febrl4_all AS SELECT * FROM febrl4a UNION ALL SELECT * FROM febrl4b;
CREATE TABLE fake1000_truth AS SELECT unique_id id, cluster entity, 0 side FROM fake1000;
CREATE TABLE hist50k_truth AS SELECT unique_id id, cluster entity, 0 side FROM hist50k;
CREATE TABLE users20k_truth AS SELECT user_id id, entity_id entity, 0 side FROM users20k;

CREATE TABLE bl_febrl1 AS SELECT rec_id id, 0 side, lower(concat_ws(' ', given_name, surname)) name_key,
  date_of_birth dob, soc_sec_id id1, NULL::text id2, NULL::text id3,
  lower(concat_ws(' ', street_number, address_1, address_2, suburb, postcode)) addr FROM febrl1;
CREATE TABLE bl_febrl2 AS SELECT rec_id id, 0 side, lower(concat_ws(' ', given_name, surname)) name_key,
  date_of_birth dob, soc_sec_id id1, NULL::text id2, NULL::text id3,
  lower(concat_ws(' ', street_number, address_1, address_2, suburb, postcode)) addr FROM febrl2;
CREATE TABLE bl_febrl3 AS SELECT rec_id id, 0 side, lower(concat_ws(' ', given_name, surname)) name_key,
  date_of_birth dob, soc_sec_id id1, NULL::text id2, NULL::text id3,
  lower(concat_ws(' ', street_number, address_1, address_2, suburb, postcode)) addr FROM febrl3;
CREATE TABLE bl_febrl4 AS SELECT rec_id id, side, lower(concat_ws(' ', given_name, surname)) name_key,
  date_of_birth dob, soc_sec_id id1, NULL::text id2, NULL::text id3,
  lower(concat_ws(' ', street_number, address_1, address_2, suburb, postcode)) addr
  FROM (SELECT 0 side, * FROM febrl4a UNION ALL SELECT 1, * FROM febrl4b) s;
CREATE TABLE bl_fake1000 AS SELECT unique_id id, 0 side, lower(concat_ws(' ', first_name, surname)) name_key,
  bl_date(dob) dob, lower(email) id1, NULL::text id2, NULL::text id3, lower(city) addr FROM fake1000;
CREATE TABLE bl_hist50k AS SELECT unique_id id, 0 side, lower(concat_ws(' ', first_name, surname)) name_key,
  bl_date(dob) dob, lower(postcode_fake) id1, NULL::text id2, NULL::text id3,
  lower(concat_ws(' ', birth_place, occupation)) addr FROM hist50k;
CREATE TABLE bl_users20k AS SELECT user_id id, 0 side, lower(full_name) name_key, bl_date(birth_date) dob,
  nullif(right(regexp_replace(phone, '\D', '', 'g'), 11), '') id1, lower(trim(email)) id2,
  upper(id_number) id3, lower(city) addr FROM users20k;
