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
SET statement_timeout = '200ms';
SELECT count(*) FROM usermatch.dedupe('gen', 'gen');
SELECT count(*) FROM usermatch.clusters('gen', 'gen');
RESET statement_timeout;
CREATE TABLE gen_small AS SELECT * FROM gen ORDER BY user_id LIMIT 2000;
SELECT count(*) > 0 AS works_after_cancel FROM usermatch.dedupe('gen', 'gen_small', 0);
