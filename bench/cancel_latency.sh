#!/usr/bin/env bash
# Cancel latency of every long path: for each one, statement_timeout is set well below the time
# the path takes, and the table shows how long after the timeout the statement actually stopped
# (late = elapsed - timeout, measured on the server from the statement's start to the moment the
# 57014 is caught). Paths that are now bounded by a cap finish before their timeout: the table
# then shows "finished" and the elapsed time (they cannot run long enough to need a cancel).
#
# Runs against a running cluster (PG* variables, e.g. eval "$(scripts/cluster.sh env)") with
# usermatch installed; creates and drops database usermatch_cancel. About 1-2 minutes.
#   bench/cancel_latency.sh [rows]      (rows of generated users, default 200000)
set -euo pipefail
rows=${1:-200000}
db=usermatch_cancel
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS '"$db"'" >/dev/null 2>&1 || true' EXIT
sql() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }

sql <<SQL
CREATE EXTENSION usermatch;
CREATE TABLE users AS SELECT * FROM usermatch.generate_users($rows, 7);
CREATE TABLE users_b AS SELECT * FROM usermatch.generate_users($rows, 8);
ANALYZE users; ANALYZE users_b;
SELECT usermatch.create_profile('latency', '{
  "id": "user_id",
  "fields": [
    {"name": "name",  "column": "full_name",  "type": "person_name"},
    {"name": "phone", "column": "phone",      "type": "phone"},
    {"name": "email", "column": "email",      "type": "email"},
    {"name": "dob",   "column": "birth_date", "type": "date"},
    {"name": "idno",  "column": "id_number",  "type": "id_number"},
    {"name": "city",  "column": "city",       "type": "text"}],
  "blocking": [["phone"], ["email"], ["idno"], ["name.pinyin_initials", "dob.year"], ["city"]],
  "max_block_size": 100000000}') \gset
-- One person, 300 records, two alternating ID numbers (issue 7 clusters repro).
CREATE TABLE one_person AS
    SELECT i::text AS user_id, 'Zhang Wei' AS full_name,
           CASE WHEN i % 2 = 0 THEN '110105198001010016' ELSE '11010519491231002X' END AS id_number
    FROM generate_series(1, 300) AS i;
SELECT usermatch.create_profile('latency_person', '{"id": "user_id",
  "fields": [{"name": "name", "column": "full_name", "type": "person_name"},
             {"name": "idno", "column": "id_number", "type": "id_number"}],
  "blocking": [["name"]], "max_cluster_size": 100000}') \gset
CREATE TABLE huge_ids (user_id text, idno text);
INSERT INTO huge_ids VALUES ('1', repeat('ABCDEFGHIJ', 40000)), ('2', repeat('ABCDEFGHIJ', 39999) || 'ABCDEFGHIK');
SELECT usermatch.create_profile('latency_ids', '{"id": "user_id",
  "fields": [{"name": "idno", "column": "idno", "type": "id_number", "levels": ["exact", "osa<=2"]}],
  "blocking": [["idno.prefix3"]]}') \gset
CREATE TABLE many_fields AS
    SELECT jsonb_build_object('id', 'user_id', 'blocking', '[["f1"]]'::jsonb,
                              'fields', jsonb_agg(jsonb_build_object('name', 'f' || i, 'column', 'c', 'type', 'text'))) AS spec
    FROM generate_series(1, 60000) AS i;
-- How a statement ended and when, from the start of the enclosing statement (when
-- statement_timeout started counting).
-- The outer block catches a timeout that fires just after the statement finished.
CREATE FUNCTION outcome(sql text, OUT how text, OUT ms double precision) AS \$\$
BEGIN
    BEGIN
        BEGIN
            EXECUTE sql;
            how := 'finished';
        EXCEPTION
            WHEN query_canceled THEN how := 'canceled';
            WHEN OTHERS THEN how := 'error ' || SQLSTATE;
        END;
        ms := extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000;
    EXCEPTION WHEN query_canceled THEN
        ms := extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000;
    END;
END \$\$ LANGUAGE plpgsql;
SQL

printf '%-58s %8s %-10s %9s %8s\n' path timeout outcome elapsed late
printf '%-58s %8s %-10s %9s %8s\n' ---- ------- ------- ------- ----
worst=0
measure() {  # label, timeout in ms, query
  local label=$1 timeout=$2 query=$3 line how ms late
  line=$(PGOPTIONS="-c client_min_messages=warning" psql -X -q -At -F ' ' -d "$db" -c "SET statement_timeout = $timeout" \
           -c "SELECT how, round(ms::numeric, 1) FROM outcome(\$q\$$query\$q\$)") || line="failed -"

  how=${line% *}
  ms=${line##* }
  if [[ $how == canceled ]]; then
    late=$(awk -v e="$ms" -v t="$timeout" 'BEGIN { printf "%.1f", e - t }')
    worst=$(awk -v a="$worst" -v b="$late" 'BEGIN { print (b > a ? b : a) }')
  else
    late=-
  fi
  printf '%-58s %6sms %-10s %7sms %8s\n' "$label" "$timeout" "$how" "$ms" "$late"
}

for t in 50 150 400 1000 2000; do measure "dedupe, $rows users" $t "SELECT count(*) FROM usermatch.dedupe('latency', 'users', 0)"; done
for t in 50 150 400 1000 2000; do measure "link, $rows x $rows users" $t "SELECT count(*) FROM usermatch.link('latency', 'users', 'users_b', 0)"; done
for t in 50 300 1000 1500; do measure "clusters, $rows users" $t "SELECT count(*) FROM usermatch.clusters('latency', 'users', 0)"; done
for t in 50 300 1000 1500; do measure "train, $rows users" $t "SELECT usermatch.train('latency', 'users')"; done
for t in 25 50 100; do measure "suggest_profile, $rows users" $t "SELECT usermatch.suggest_profile('users')"; done
for t in 25 50 100 200; do measure "estimate_comparisons, $rows users" $t "SELECT count(*) FROM usermatch.estimate_comparisons('latency', 'users')"; done
for t in 100 500 2000 8000; do measure "generate_users(10000000)" $t "SELECT count(*) FROM usermatch.generate_users(10000000)"; done
measure "clusters, 300 records, 2 alternating IDs (was 34.6 s)" 1000 "SELECT count(*) FROM usermatch.clusters('latency_person', 'one_person', 0)"
measure "dedupe, id_number osa<=2 on 400 KB values (was 22.5 s)" 1000 "SELECT count(*) FROM usermatch.dedupe('latency_ids', 'huge_ids', 0)"
measure "qgram_similarity q=1000, 300,000 chars (was minutes)" 1000 "SELECT usermatch.qgram_similarity(repeat('abcdef', 50000), repeat('abcdeg', 50000), 1000)"
measure "qgram_similarity q=3, 1,000,000 chars" 1000 "SELECT usermatch.qgram_similarity(repeat('abcdef', 83333), repeat('abcdeg', 83333))"
measure "levenshtein, 2 x 31,000 chars (at the cost limit)" 1000 "SELECT usermatch.levenshtein(repeat('é', 31000), repeat('e', 31000))"
measure "damerau_levenshtein, 2 x 31,000 chars (at the limit)" 1000 "SELECT usermatch.damerau_levenshtein(repeat('é', 31000), repeat('e', 31000))"
measure "jaro_winkler, 2 x 31,000 chars (at the cost limit)" 1000 "SELECT usermatch.jaro_winkler(repeat('ab', 15500), repeat('ba', 15500))"
measure "levenshtein(a, b, 1000), 2 x 900,000 chars" 1000 "SELECT usermatch.levenshtein(repeat('ab', 450000), repeat('ba', 450000), 1000)"
measure "normalize_name, 'a' + 160,000 marks (was 17.5 s)" 1000 "SELECT usermatch.normalize_name('a' || repeat(U&'\\0301\\0316', 80000))"
measure "validate_profile, 60,000 fields (was 21 s)" 1000 "SELECT count(*) FROM usermatch.validate_profile((SELECT spec FROM many_fields))"
echo "worst late: ${worst} ms"
