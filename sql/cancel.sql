-- Cancel: statement_timeout (the same interrupt as pg_cancel_backend) stops a long run with
-- PostgreSQL's own error, worker threads are stopped, and the session carries on.
CREATE TABLE gen AS SELECT * FROM usermatch.generate_users(300000, 11);
SELECT usermatch.create_profile('gen', '{
  "id": "user_id",
  "fields": [
    {"name": "name",  "column": "full_name",  "type": "person_name"},
    {"name": "phone", "column": "phone",      "type": "phone"},
    {"name": "email", "column": "email",      "type": "email"},
    {"name": "dob",   "column": "birth_date", "type": "date"}],
  "blocking": [["phone"], ["email"], ["name.pinyin_initials", "dob.year"]]}');
-- Every record of the first 1,000 people (about 1,400 records, 660 true duplicate pairs).
CREATE TABLE gen_small AS SELECT * FROM gen WHERE entity_id IN (SELECT DISTINCT entity_id FROM gen ORDER BY entity_id LIMIT 1000);
CREATE TABLE before_cancel AS SELECT * FROM usermatch.dedupe('gen', 'gen_small');
SET statement_timeout = '200ms';
SELECT count(*) FROM usermatch.dedupe('gen', 'gen');
SELECT count(*) FROM usermatch.clusters('gen', 'gen');
RESET statement_timeout;
-- After the cancels the same run gives the same rows as before them, and they are duplicates.
CREATE TABLE after_cancel AS SELECT * FROM usermatch.dedupe('gen', 'gen_small');
SELECT count(*) > 500 AS found_pairs,
       count(*) FILTER (WHERE a.entity_id = b.entity_id) >= 0.95 * count(*) AS true_duplicates
FROM after_cancel d JOIN gen_small a ON a.user_id = d.id1 JOIN gen_small b ON b.user_id = d.id2;
SELECT
       NOT EXISTS (SELECT * FROM before_cancel EXCEPT ALL SELECT * FROM after_cancel)
   AND NOT EXISTS (SELECT * FROM after_cancel EXCEPT ALL SELECT * FROM before_cancel) AS same_rows_after_cancel;
