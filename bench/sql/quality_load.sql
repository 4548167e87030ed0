-- After the raw CSV tables are loaded by bench/quality.sh: truth tables and the baseline's input
-- tables (what a user would prepare by hand for pg_trgm + fuzzystrmatch).


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
