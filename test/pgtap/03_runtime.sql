-- Runtime behaviour (cancel is in sql/cancel.sql: plpgsql cannot trap query_canceled): streaming past work_mem, memory limit, threads, GUCs.
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(7);

CREATE TABLE gen AS SELECT * FROM usermatch.generate_users(300000, 11);
SELECT usermatch.create_profile('gen', '{
  "id": "user_id",
  "fields": [
    {"name": "name",  "column": "full_name",  "type": "person_name"},
    {"name": "phone", "column": "phone",      "type": "phone"},
    {"name": "email", "column": "email",      "type": "email"},
    {"name": "dob",   "column": "birth_date", "type": "date"},
    {"name": "idno",  "column": "id_number",  "type": "id_number"},
    {"name": "city",  "column": "city",       "type": "text"}],
  "blocking": [["phone"], ["email"], ["idno"], ["name.pinyin_initials", "dob.year"]]}');
CREATE TABLE gen_small AS SELECT * FROM gen ORDER BY user_id LIMIT 20000;

-- Results larger than work_mem stream through a tuplestore that spills to disk.
CREATE TEMP TABLE big_result AS SELECT * FROM usermatch.dedupe('gen', 'gen_small', 0);
SAVEPOINT small_work_mem;
SET LOCAL work_mem = '64kB';
SELECT bag_eq($$SELECT * FROM usermatch.dedupe('gen', 'gen_small', 0)$$, $$SELECT * FROM big_result$$,
              'the same rows come back with work_mem = 64kB');
ROLLBACK TO SAVEPOINT small_work_mem;

-- Threads change speed, not results.
SAVEPOINT one_thread;
SET LOCAL usermatch.threads = 1;
SELECT set_eq($$SELECT id1, id2, round(match_weight::numeric, 9) FROM usermatch.dedupe('gen', 'gen_small')$$,
              $$SELECT id1, id2, round(match_weight::numeric, 9) FROM big_result WHERE match_probability >= 0.9$$,
              'one thread gives the same pairs and weights as two');
ROLLBACK TO SAVEPOINT one_thread;

-- A source too large for usermatch.memory_limit is refused with out_of_memory, not an OOM kill.
SAVEPOINT small_memory;
SET LOCAL usermatch.memory_limit = '16MB';
SELECT throws_like($$SELECT count(*) FROM usermatch.dedupe('gen', 'gen')$$,
                   '%need more than usermatch.memory_limit%', 'memory_limit is enforced');
ROLLBACK TO SAVEPOINT small_memory;
SAVEPOINT small_memory2;
SET LOCAL usermatch.memory_limit = '16MB';
SELECT throws_ok($$SELECT count(*) FROM usermatch.dedupe('gen', 'gen')$$, '53200', NULL, 'with SQLSTATE 53200');
ROLLBACK TO SAVEPOINT small_memory2;

-- GUCs are validated.
SELECT throws_ok($$SET usermatch.threads = 0$$, '22023', NULL, 'usermatch.threads must be at least 1');
SELECT throws_ok($$SET usermatch.batch_size = 10$$, '22023', NULL, 'usermatch.batch_size has a floor');
SELECT is(current_setting('usermatch.batch_size'), '10000', 'batch_size defaults to 10000');

SELECT * FROM finish();
ROLLBACK;
