-- The C++ / PostgreSQL boundary (issue 7, items 2 and 4): a PostgreSQL error raised inside an
-- SPI connection reaches the client intact (run the suite with the server under MALLOC_PERTURB_,
-- as `make test` does, so that freed memory reads as garbage), errors of nested usermatch calls
-- come through the same way, an unrelated pending interrupt does not cancel a run, and a real
-- cancel still does (57014, promptly).
\set ON_ERROR_STOP 1
BEGIN;
SELECT plan(9);

-- SQLSTATE and the start of the message of the error `query` raises (NULL when none). Traps
-- query_canceled too, which pgTAP's throws_ok (WHEN OTHERS) cannot.
CREATE FUNCTION pg_temp.error_of(query text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE query;
    RETURN NULL;
EXCEPTION
    WHEN query_canceled THEN RETURN SQLSTATE || ' ' || left(SQLERRM, 60);
    WHEN OTHERS THEN RETURN SQLSTATE || ' ' || left(SQLERRM, 60);
END $$;

CREATE TABLE t AS SELECT * FROM usermatch.generate_users(200, 1);

-- Item 2: the cast error is raised while SPI fetches the batch. Before the fix, pg_call copied it
-- into SPI's memory, SPI_finish freed it during unwinding, and the client got "ZZZZZZZZ..."
-- (MALLOC_PERTURB_=90) or worse.
SELECT usermatch.create_profile('big_cast_error', $${"id": "user_id",
  "fields": [{"name": "n", "expression": "(full_name || repeat('a', 300000))::int", "type": "text"}],
  "blocking": [["n"]]}$$);
SELECT matches(pg_temp.error_of($$SELECT * FROM usermatch.dedupe('big_cast_error', 't')$$),
               '^22P02 invalid input syntax for type integer: "[^Z"]+aaaa',
               'an error raised inside SPI reaches the client intact (SQLSTATE and message)');
-- The same error again in the same transaction: the boundary state was restored by the abort.
SELECT matches(pg_temp.error_of($$SELECT * FROM usermatch.clusters('big_cast_error', 't')$$),
               '^22P02 invalid input syntax for type integer: "[^Z"]+aaaa',
               '...and again from another function in the same transaction');

-- A usermatch function called inside an expression fails: its error crosses two guards.
SELECT usermatch.create_profile('nested_error', $${"id": "user_id",
  "fields": [{"name": "n", "expression": "usermatch.qgram_similarity(full_name, full_name, 0)::text", "type": "text"}],
  "blocking": [["n"]]}$$);
SELECT is(pg_temp.error_of($$SELECT * FROM usermatch.dedupe('nested_error', 't')$$),
          '22023 qgram_similarity: argument q must be at least 1',
          'an error of a nested usermatch call comes through unchanged');

-- Item 4: an interrupt that is pending but is not a cancel (here: a request to log the memory
-- contexts, sent by the expression to its own backend) is processed and the run goes on. Each
-- batch of 100 rows ends on a row that sent the request, so it is still pending when the engine
-- polls keep_going; before the fix that ended the run with 57014.
CREATE TABLE signal_self AS SELECT i AS id, 'Person ' || (i % 50) AS full_name FROM generate_series(1, 200) AS i;
SELECT usermatch.create_profile('signal_self', $${"id": "id",
  "fields": [{"name": "n", "type": "text",
              "expression": "full_name || CASE WHEN id % 10 = 0 THEN left(pg_log_backend_memory_contexts(pg_backend_pid())::text, 0) ELSE '' END"}],
  "blocking": [["n"]]}$$);
SET LOCAL usermatch.batch_size = 100;
SELECT is(pg_temp.error_of($$SELECT * FROM usermatch.dedupe('signal_self', 'signal_self', 0)$$), NULL,
          'a pending memory-context log request does not cancel dedupe');
SELECT set_eq($$SELECT least(id1::int, id2::int) AS id1, greatest(id1::int, id2::int) AS id2 FROM usermatch.dedupe('signal_self', 'signal_self', 0)$$,
              $$SELECT a.id AS id1, b.id AS id2 FROM signal_self a JOIN signal_self b ON a.full_name = b.full_name AND a.id < b.id$$,
              '...and returns every pair of equal names');
SELECT is((SELECT count(*)::int FROM usermatch.clusters('signal_self', 'signal_self', 0)), 200,
          '...clusters too');
RESET usermatch.batch_size;

-- A real cancel still stops a long run, with PostgreSQL's own error, promptly. 20,000 records in
-- one block: ~200 million comparisons (about a minute), cancelled after 300 ms.
CREATE TABLE same_phone AS SELECT i AS id, 'Person ' || i AS full_name, '13800000000' AS phone FROM generate_series(1, 20000) AS i;
SELECT usermatch.create_profile('same_phone', $${"id": "id",
  "fields": [{"name": "name", "column": "full_name", "type": "person_name"},
             {"name": "phone", "column": "phone", "type": "phone"}],
  "blocking": [["phone"]], "max_block_size": 100000000}$$);
CREATE TEMP TABLE cancel_timing (started timestamptz, error text, ended timestamptz);
SET LOCAL statement_timeout = '300ms';
INSERT INTO cancel_timing
SELECT clock_timestamp(), pg_temp.error_of($$SELECT count(*) FROM usermatch.dedupe('same_phone', 'same_phone')$$), clock_timestamp();
RESET statement_timeout;
SELECT is((SELECT error FROM cancel_timing), '57014 canceling statement due to statement timeout',
          'statement_timeout cancels a long dedupe with 57014');
SELECT cmp_ok((SELECT extract(epoch FROM ended - started) FROM cancel_timing)::numeric, '<', 2.0,
              '...within a fraction of a second of the timeout, not after the run');
SELECT is(pg_temp.error_of($$SELECT * FROM usermatch.dedupe('signal_self', 'signal_self', 0)$$), NULL,
          'the session works after the cancel');

SELECT * FROM finish();
ROLLBACK;
