#!/usr/bin/env bash
# SQL-level comparator benchmark: usermatch against the functions people use today, over the same
# 1,000,000 name pairs in one run. Prints ns per call net of the cost of scanning the pairs (the
# baseline query), and the ratio peer / usermatch (above 1 = usermatch faster).
#   bench/compare_functions.sh [pairs]        (default 1000000)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_machine
pairs=${1:-1000000}
bench_start
sql -v pairs="$pairs" <<'SQL'
\pset footer off
-- Name pairs: a generated user and the next generated user (often a variant of the same person).
-- ASCII pairs, because fuzzystrmatch counts bytes and stops at 255; and mixed (Han, accents).
CREATE TABLE users AS SELECT * FROM usermatch.generate_users(:pairs + 1, 7);
CREATE TABLE pairs_ascii AS
  SELECT a.full_name AS a, b.full_name AS b
  FROM (SELECT row_number() OVER () AS n, usermatch.pinyin(full_name) AS full_name FROM users WHERE full_name IS NOT NULL) a
  JOIN (SELECT row_number() OVER () - 1 AS n, usermatch.pinyin(full_name) AS full_name FROM users WHERE full_name IS NOT NULL) b USING (n)
  LIMIT :pairs;
CREATE TABLE pairs_mixed AS
  SELECT a.full_name AS a, b.full_name AS b
  FROM (SELECT row_number() OVER () AS n, full_name FROM users WHERE full_name IS NOT NULL) a
  JOIN (SELECT row_number() OVER () - 1 AS n, full_name FROM users WHERE full_name IS NOT NULL) b USING (n)
  LIMIT :pairs;
VACUUM ANALYZE pairs_ascii;
VACUUM ANALYZE pairs_mixed;
SELECT count(*) AS ascii_pairs, round(avg(length(a)), 1) AS avg_chars FROM pairs_ascii;

CREATE TEMP TABLE timings AS
WITH q(pairs_table, label, peer_label, usermatch_sql, peer_sql) AS (VALUES
  ('pairs_ascii', 'levenshtein', 'fuzzystrmatch.levenshtein',
   'SELECT sum(usermatch.levenshtein(a, b)) FROM pairs_ascii', 'SELECT sum(public.levenshtein(a, b)) FROM pairs_ascii'),
  ('pairs_ascii', 'levenshtein(a, b, 2)', 'fuzzystrmatch.levenshtein_less_equal(a, b, 2)',
   'SELECT sum(usermatch.levenshtein(a, b, 2)) FROM pairs_ascii', 'SELECT sum(public.levenshtein_less_equal(a, b, 2)) FROM pairs_ascii'),
  ('pairs_ascii', 'jaro_winkler', 'pg_similarity.jarowinkler',
   'SELECT sum(usermatch.jaro_winkler(a, b)) FROM pairs_ascii', 'SELECT sum(public.jarowinkler(a, b)) FROM pairs_ascii'),
  ('pairs_ascii', 'qgram_similarity', 'pg_trgm.similarity',
   'SELECT sum(usermatch.qgram_similarity(a, b)) FROM pairs_ascii', 'SELECT sum(public.similarity(a, b)) FROM pairs_ascii'),
  ('pairs_ascii', 'soundex', 'fuzzystrmatch.soundex',
   'SELECT count(usermatch.soundex(a)) FROM pairs_ascii', 'SELECT count(public.soundex(a)) FROM pairs_ascii'),
  ('pairs_ascii', 'double_metaphone', 'fuzzystrmatch.dmetaphone + dmetaphone_alt',
   'SELECT count((usermatch.double_metaphone(a)).primary_code) FROM pairs_ascii', 'SELECT count(public.dmetaphone(a) || public.dmetaphone_alt(a)) FROM pairs_ascii'),
  ('pairs_mixed', 'levenshtein (Han + Latin)', 'fuzzystrmatch.levenshtein (bytes)',
   'SELECT sum(usermatch.levenshtein(a, b)) FROM pairs_mixed', 'SELECT sum(public.levenshtein(a, b)) FROM pairs_mixed'),
  ('pairs_mixed', 'jaro_winkler (Han + Latin)', 'pg_similarity.jarowinkler',
   'SELECT sum(usermatch.jaro_winkler(a, b)) FROM pairs_mixed', 'SELECT sum(public.jarowinkler(a, b)) FROM pairs_mixed')
)
SELECT q.*, bench_ms(format('SELECT sum(length(a) + length(b)) FROM %I', pairs_table)) AS scan_ms,
       bench_ms(usermatch_sql) AS usermatch_ms, bench_ms(peer_sql) AS peer_ms,
       (SELECT count(*) FROM pairs_ascii) AS n
FROM q;

SELECT label AS usermatch_function,
       round(((usermatch_ms - scan_ms) * 1e6 / n)::numeric, 0) AS usermatch_ns_per_call,
       peer_label AS peer,
       round(((peer_ms - scan_ms) * 1e6 / n)::numeric, 0) AS peer_ns_per_call,
       round(((peer_ms - scan_ms) / nullif(usermatch_ms - scan_ms, 0))::numeric, 2) AS speedup,
       round(scan_ms::numeric, 0) AS scan_ms
FROM timings;
SQL
