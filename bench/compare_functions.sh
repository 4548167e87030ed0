#!/usr/bin/env bash
# SQL-level comparator benchmark: usermatch against the functions people use today, over the same
# 1,000,000 name pairs in one run. Prints ns per call net of the cost of scanning the pairs (the
# same scan calling a trivial built-in), and the ratio peer / usermatch (above 1 = usermatch faster).
#   bench/compare_functions.sh [pairs]        (default 1000000)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_machine
pairs=${1:-1000000}
echo "# reproduce: UM_BENCH_PORT=$UM_PORT bench/compare_functions.sh $pairs"
bench_start
sql -v pairs="$pairs" <<'SQL'
\pset footer off
-- Name pairs: a generated user and the next generated user (often a variant of the same person).
-- ASCII pairs, because fuzzystrmatch counts bytes and stops at 255; and mixed (Han, accents).
CREATE TABLE users AS SELECT * FROM usermatch.generate_users(:pairs + :pairs / 20 + 10, 7);
CREATE TABLE names AS
  SELECT row_number() OVER () AS n, full_name, usermatch.pinyin(full_name) AS ascii_name
  FROM users WHERE full_name IS NOT NULL;
ANALYZE names;
CREATE TABLE pairs_ascii AS
  SELECT a.ascii_name AS a, b.ascii_name AS b FROM names a JOIN names b ON b.n = a.n + 1
  WHERE a.ascii_name !~ '[^ -~]' AND b.ascii_name !~ '[^ -~]' LIMIT :pairs;
CREATE TABLE pairs_mixed AS
  SELECT a.full_name AS a, b.full_name AS b FROM names a JOIN names b ON b.n = a.n + 1 LIMIT :pairs;
VACUUM ANALYZE pairs_ascii;
VACUUM ANALYZE pairs_mixed;
SELECT count(*) AS ascii_pairs, round(avg(length(a)), 1) AS avg_chars FROM pairs_ascii;

-- Net of the scan: each query is timed against the same scan calling a trivial built-in of the
-- same shape (texteq for two arguments, octet_length for one), fastest of 3 runs each.
CREATE FUNCTION bench_count(t text) RETURNS bigint LANGUAGE plpgsql AS
  $f$ DECLARE n bigint; BEGIN EXECUTE format('SELECT count(*) FROM %I', t) INTO n; RETURN n; END $f$;
CREATE TEMP TABLE timings AS
WITH q(ord, pairs_table, args, label, peer_label, usermatch_sql, peer_sql) AS (VALUES
  (1, 'pairs_ascii', 2, 'levenshtein(a, b)', 'fuzzystrmatch levenshtein(a, b)',
   'SELECT sum(usermatch.levenshtein(a, b)) FROM pairs_ascii', 'SELECT sum(public.levenshtein(a, b)) FROM pairs_ascii'),
  (2, 'pairs_ascii', 2, 'levenshtein(a, b, 2)', 'fuzzystrmatch levenshtein_less_equal(a, b, 2)',
   'SELECT sum(usermatch.levenshtein(a, b, 2)) FROM pairs_ascii', 'SELECT sum(public.levenshtein_less_equal(a, b, 2)) FROM pairs_ascii'),
  (3, 'pairs_ascii', 2, 'jaro_winkler(a, b)', 'pg_similarity jarowinkler(a, b)',
   'SELECT sum(usermatch.jaro_winkler(a, b)) FROM pairs_ascii', 'SELECT sum(public.jarowinkler(a, b)) FROM pairs_ascii'),
  (4, 'pairs_ascii', 2, 'qgram_similarity(a, b)', 'pg_trgm similarity(a, b)',
   'SELECT sum(usermatch.qgram_similarity(a, b)) FROM pairs_ascii', 'SELECT sum(public.similarity(a, b)) FROM pairs_ascii'),
  (5, 'pairs_ascii', 1, 'soundex(a)', 'fuzzystrmatch soundex(a)',
   'SELECT count(usermatch.soundex(a)) FROM pairs_ascii', 'SELECT count(public.soundex(a)) FROM pairs_ascii'),
  (6, 'pairs_ascii', 1, 'double_metaphone(a) (both codes)', 'fuzzystrmatch dmetaphone(a), dmetaphone_alt(a)',
   'SELECT count((usermatch.double_metaphone(a)).alternate_code) FROM pairs_ascii',
   'SELECT count(public.dmetaphone_alt(a) || public.dmetaphone(a)) FROM pairs_ascii'),
  (7, 'pairs_mixed', 2, 'levenshtein(a, b), Han + Latin', 'fuzzystrmatch levenshtein (counts bytes)',
   'SELECT sum(usermatch.levenshtein(a, b)) FROM pairs_mixed', 'SELECT sum(public.levenshtein(a, b)) FROM pairs_mixed'),
  (8, 'pairs_mixed', 2, 'jaro_winkler(a, b), Han + Latin', 'pg_similarity jarowinkler',
   'SELECT sum(usermatch.jaro_winkler(a, b)) FROM pairs_mixed', 'SELECT sum(public.jarowinkler(a, b)) FROM pairs_mixed')
)
SELECT q.*, bench_ms(CASE args WHEN 2 THEN format('SELECT sum((a = b)::int) FROM %I', pairs_table)
                                ELSE format('SELECT count(octet_length(a)) FROM %I', pairs_table) END) AS scan_ms,
       bench_ms(usermatch_sql) AS usermatch_ms, bench_ms(peer_sql) AS peer_ms, bench_count(pairs_table) AS n
FROM q;

SELECT label AS usermatch_function,
       round(((usermatch_ms - scan_ms) * 1e6 / n)::numeric, 0) AS "usermatch ns/call",
       peer_label AS peer,
       round(((peer_ms - scan_ms) * 1e6 / n)::numeric, 0) AS "peer ns/call",
       round(((peer_ms - scan_ms) / nullif(usermatch_ms - scan_ms, 0))::numeric, 2) AS "peer/usermatch",
       CASE WHEN pairs_table = 'pairs_mixed' THEN '(not comparable)'
            WHEN usermatch_ms <= peer_ms THEN 'met' ELSE 'MISSED' END AS "target: usermatch at least as fast",
       round((scan_ms * 1e6 / n)::numeric, 0) AS "scan ns/row"
FROM timings ORDER BY ord;
SQL
echo "ns/call = (query time - scan with a trivial built-in of the same shape) / pairs, fastest of 3 runs."
echo "peer/usermatch above 1 = usermatch faster. Han + Latin rows: fuzzystrmatch counts bytes, so not the same answer."
