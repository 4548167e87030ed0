#!/usr/bin/env bash
# Issue 11, the statistics tests that need more than one SQL session (run by scripts/run-tests.sh
# after pgTAP, against the running test cluster: PGHOST, PGPORT, PGUSER set):
#   1. 16 concurrent pgbench clients, mixed workload: counters equal the transactions pgbench made
#   2. prometheus-postgres-exporter with scripts/prometheus-usermatch.yaml on 127.0.0.1 serves them
#   3. the dashboard page renders in headless Chromium without console errors
#   4. a second cluster: history samples (count, spacing) with a short usermatch.history_interval,
#      then the same cluster without shared_preload_libraries: the views answer, system_health says why
# Settings: UM_STATS_SECONDS (pgbench duration, default 30, as issue 11 asks), UM_EXPORTER_PORT (default 9188).
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
seconds=${UM_STATS_SECONDS:-30}
exporter_port=${UM_EXPORTER_PORT:-9188}
work=$(mktemp -d /tmp/usermatch-stats-test.XXXXXX)
chmod 755 "$work"
failures=0
exporter_pid=
second_dir=$work/second
cleanup() {
  [[ -n $exporter_pid ]] && kill "$exporter_pid" 2>/dev/null
  UM_CLUSTER_DIR=$second_dir scripts/cluster.sh destroy >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failures=$((failures + 1)); }
check() {  # check DESCRIPTION HAVE WANT
  if [[ $2 == "$3" ]]; then ok "$1"; else not_ok "$1 (have '$2', want '$3')"; fi
}
q() { psql -X -qAt -v ON_ERROR_STOP=1 "$@"; }

db=usermatch_stats
q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null || exit 1
q -d $db >/dev/null <<'SQL' || exit 1
CREATE EXTENSION usermatch;
CREATE TABLE tiny AS SELECT * FROM usermatch.generate_users(40, 3);
SELECT usermatch.create_profile('tiny', '{"id": "user_id", "fields": [
  {"name": "name", "column": "full_name", "type": "person_name"}, {"name": "phone", "column": "phone", "type": "phone"},
  {"name": "email", "column": "email", "type": "email"}], "blocking": [["phone"], ["email"]]}');
SQL

# ---- 1. concurrent clients: counters equal the calls made ----
echo "SELECT usermatch.explain_match('tiny', '{\"full_name\": \"Li Na\"}', '{\"full_name\": \"Li Na\"}');" >"$work/explain.sql"
echo "SELECT count(*) FROM usermatch.dedupe('tiny', 'tiny');" >"$work/dedupe.sql"
echo "SELECT count(*) FROM usermatch.clusters('tiny', 'tiny');" >"$work/clusters.sql"
echo "SELECT count(*) FROM usermatch.match_one('tiny', '{\"full_name\": \"Li Na\", \"phone\": \"13812345678\"}', 'tiny');" >"$work/match_one.sql"
q -d $db -c 'SELECT usermatch.stat_reset()' >/dev/null
nice pgbench -n -c 16 -j 2 -T "$seconds" -f "$work/explain.sql@6" -f "$work/dedupe.sql@2" -f "$work/clusters.sql@1" \
  -f "$work/match_one.sql@4" $db \
  >"$work/pgbench.out" 2>&1 || { cat "$work/pgbench.out"; not_ok "pgbench ran"; }
# " - 1234 transactions (66.7% of total, tps = ...)" after each "SQL script N: <file>" line
script_count() { awk -v f="$1" '$0 ~ "SQL script [0-9]+: .*"f {s=1; next} s && /transactions/ {print $2; exit}' "$work/pgbench.out"; }
explains=$(script_count explain.sql)
dedupes=$(script_count dedupe.sql)
clusters=$(script_count clusters.sql)
match_ones=$(script_count match_one.sql)
failed=$(awk '/^number of failed transactions/ {print $5}' "$work/pgbench.out")
echo "# pgbench: $explains explain_match, $dedupes dedupe, $clusters clusters, $match_ones match_one in ${seconds}s (16 clients), failed ${failed:-0}"
counted() { q -d $db -c "SELECT coalesce(sum(calls), 0) FROM usermatch.performance_metrics WHERE database = current_database() AND operation = '$1'"; }
check "explain_match calls equal the transactions pgbench made" "$(counted explain_match)" "$explains"
check "dedupe calls equal the transactions pgbench made" "$(counted dedupe)" "$dedupes"
check "clusters calls equal the transactions pgbench made" "$(counted clusters)" "$clusters"
check "match_one calls equal the transactions pgbench made" "$(counted match_one)" "$match_ones"
check "match_one: one record read per call" \
  "$(q -d $db -c "SELECT records_read FROM usermatch.performance_metrics WHERE operation = 'match_one'")" "$match_ones"
check "no errors recorded" "$(q -d $db -c "SELECT sum(errors) FROM usermatch.performance_metrics WHERE database = current_database()")" 0
check "records read = 40 per dedupe call" "$(q -d $db -c "SELECT records_read FROM usermatch.performance_metrics WHERE operation = 'dedupe'")" "$((dedupes * 40))"
check "matches out = calls x pairs of one dedupe" \
  "$(q -d $db -c "SELECT matches_out FROM usermatch.performance_metrics WHERE operation = 'dedupe'")" \
  "$((dedupes * $(q -d $db -c "SELECT count(*) FROM usermatch.dedupe('tiny', 'tiny')")))"
# the dedupe just made is one more call
check "explain_match p50 <= p95 <= p99 <= max" \
  "$(q -d $db -c "SELECT p50_ms <= p95_ms AND p95_ms <= p99_ms AND p99_ms <= max_ms FROM usermatch.performance_metrics WHERE operation = 'explain_match'")" t

# ---- 2. prometheus-postgres-exporter ----
if command -v prometheus-postgres-exporter >/dev/null; then
  DATA_SOURCE_NAME="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$db sslmode=disable" \
    prometheus-postgres-exporter --web.listen-address="127.0.0.1:$exporter_port" --disable-default-metrics \
    --disable-settings-metrics --extend.query-path=scripts/prometheus-usermatch.yaml >"$work/exporter.log" 2>&1 &
  exporter_pid=$!
  metrics=
  for _ in $(seq 50); do
    metrics=$(curl -fsS "http://127.0.0.1:$exporter_port/metrics" 2>/dev/null) && [[ $metrics == *usermatch_calls_total* ]] && break
    sleep 0.2
  done
  echo "$metrics" >"$work/metrics.txt"
  want=$(q -d $db -c "SELECT calls FROM usermatch.performance_metrics WHERE operation = 'dedupe'")
  have=$(grep '^usermatch_calls_total{' "$work/metrics.txt" | grep 'operation="dedupe"' | awk '{print $NF}')
  check "exporter: usermatch_calls_total{operation=\"dedupe\"} equals the view" "$have" "$want"
  have=$(grep '^usermatch_health_status_code{' "$work/metrics.txt" | grep -c 'check_name=')
  check "exporter: one usermatch_health_status_code per health check" "$have" "$(q -d $db -c 'SELECT count(*) FROM usermatch.system_health')"
  have=$(grep '^usermatch_stats_preloaded' "$work/metrics.txt" | awk '{print $NF}')
  check "exporter: usermatch_stats_preloaded is 1" "$have" 1
  have=$(grep -c '^usermatch_latency_p99_seconds{' "$work/metrics.txt")
  check "exporter: a p99 latency per row" "$have" "$(q -d $db -c 'SELECT count(*) FROM usermatch.performance_metrics')"
  if grep -qi 'level=error' "$work/exporter.log"; then not_ok "exporter logged errors: $(grep -i 'level=error' "$work/exporter.log" | head -3)"; else ok "exporter logged no errors"; fi
  kill "$exporter_pid" 2>/dev/null; wait "$exporter_pid" 2>/dev/null; exporter_pid=
else
  not_ok "prometheus-postgres-exporter is not installed (scripts/deps.txt lists it)"
fi

# ---- 3. the dashboard in headless Chromium ----
if command -v chromium >/dev/null; then
  q -d $db -c 'SELECT usermatch.dashboard_html()' -o "$work/dashboard.html"
  sandbox=(); [[ $(id -u) -eq 0 ]] && sandbox=(--no-sandbox)
  # A page that logs an error: proves that console errors would be seen.
  echo '<!DOCTYPE html><html><body><script>console.error("probe-error")</script></body></html>' >"$work/probe.html"
  chrome() {
    timeout 60 chromium --headless "${sandbox[@]}" --disable-gpu --disable-dev-shm-usage --user-data-dir="$work/chrome" \
      --enable-logging=stderr --v=0 --window-size=1280,1500 "$@" 2>&1
  }
  probe=$(chrome --dump-dom "file://$work/probe.html")
  if grep -q 'probe-error' <<<"$probe"; then ok "chromium reports console errors (probe page)"; else not_ok "chromium console probe not seen"; fi
  out=$(chrome --screenshot="$work/dashboard.png" "file://$work/dashboard.html")
  if grep -Eq 'CONSOLE|Uncaught|Refused to|net::ERR' <<<"$out"; then
    not_ok "dashboard renders without console errors: $(grep -E 'CONSOLE|Uncaught|Refused to|net::ERR' <<<"$out" | head -3)"
  else
    ok "dashboard renders without console errors"
  fi
  size=$(stat -c %s "$work/dashboard.png" 2>/dev/null || echo 0)
  if ((size > 20000)); then ok "dashboard screenshot written ($size bytes)"; else not_ok "dashboard screenshot ($size bytes)"; fi
  dom=$(chrome --dump-dom "file://$work/dashboard.html")
  check "the rendered page has the two charts" "$(grep -o '<svg' <<<"$dom" | wc -l)" 2
else
  not_ok "chromium is not installed (scripts/deps.txt lists it)"
fi
q -d postgres -c "DROP DATABASE $db" >/dev/null

# ---- 4. a second cluster: history spacing, then no preload ----
export UM_CLUSTER_DIR=$second_dir
unset UM_MALLOC_PERTURB
if scripts/cluster.sh start >/dev/null && eval "$(scripts/cluster.sh env)"; then
  cat >>"$second_dir/data/postgresql.conf" <<'CONF'
usermatch.history_interval = '500ms'
usermatch.history_size = 5
CONF
  scripts/cluster.sh stop >/dev/null && scripts/cluster.sh start >/dev/null
  q -d postgres -c 'CREATE EXTENSION usermatch' >/dev/null
  # Calls every 0.1 s for 4 s: every 0.5 s boundary is passed by a call, so every one is sampled.
  q -d postgres -c "DO \$\$ BEGIN FOR i IN 1 .. 40 LOOP
      BEGIN PERFORM usermatch.explain_match('nope', '{}', '{}'); EXCEPTION WHEN undefined_object THEN NULL; END;
      PERFORM pg_sleep(0.1); END LOOP; END \$\$" >/dev/null
  check "history holds usermatch.history_size samples" "$(q -d postgres -c 'SELECT count(*) FROM usermatch.performance_history')" 5
  check "samples are exactly usermatch.history_interval apart" \
    "$(q -d postgres -c "SELECT string_agg(d::text, ',') FROM (SELECT sample_time - lag(sample_time) OVER (ORDER BY sample_time) AS d FROM usermatch.performance_history) x WHERE d IS NOT NULL")" \
    "00:00:00.5,00:00:00.5,00:00:00.5,00:00:00.5"
  check "samples lie on interval boundaries" \
    "$(q -d postgres -c "SELECT bool_and((extract(epoch FROM sample_time) * 1000)::bigint % 500 = 0) FROM usermatch.performance_history")" t
  check "each sample's rate counts the calls of its interval (5 calls in 0.5 s, +-1)" \
    "$(q -d postgres -c "SELECT bool_and(calls BETWEEN 4 AND 6 AND abs(interval_s - 0.5) < 0.2) FROM (SELECT * FROM usermatch.performance_history ORDER BY sample_time DESC OFFSET 1) h")" t
  # Without preloading.
  sed -i -e "s/^shared_preload_libraries = 'usermatch'/#&/" -e 's/^usermatch.history_size/#&/' "$second_dir/data/postgresql.conf"
  scripts/cluster.sh stop >/dev/null && scripts/cluster.sh start >/dev/null
  q -d postgres -c "SELECT usermatch.explain_match('nope', NULL, NULL)" >/dev/null
  check "without preload: performance_metrics answers, empty" "$(q -d postgres -c 'SELECT count(*) FROM usermatch.performance_metrics')" 0
  check "without preload: performance_history answers, empty" "$(q -d postgres -c 'SELECT count(*) FROM usermatch.performance_history')" 0
  check "without preload: stats_info says so" "$(q -d postgres -c 'SELECT preloaded, entries, stats_reset IS NULL FROM usermatch.stats_info')" "f|0|t"
  check "without preload: system_health says what is missing" \
    "$(q -d postgres -c "SELECT status || ':' || (advice LIKE '%shared_preload_libraries%') FROM usermatch.system_health WHERE check_name = 'library_preloaded'")" "critical:true"
  check "without preload: the other statistics checks are not measured" \
    "$(q -d postgres -c "SELECT string_agg(status || ':' || (value IS NULL), ',') FROM usermatch.stats_health() WHERE check_name <> 'library_preloaded'")" \
    "warning:true,warning:true,warning:true"
  check "without preload: system_health says no job launcher runs" \
    "$(q -d postgres -c "SELECT status || ':' || (advice LIKE '%shared_preload_libraries%') FROM usermatch.system_health WHERE check_name = 'launcher_alive'")" "critical:true"
  check "without preload: stat_reset says why it cannot" \
    "$(psql -X -qAt -d postgres -c 'SELECT usermatch.stat_reset()' 2>&1 | grep -c 'shared_preload_libraries')" 1
  check "without preload: the dashboard still renders" "$(q -d postgres -c "SELECT usermatch.dashboard_html() LIKE '%library_preloaded%'")" t
else
  not_ok "second cluster started"
fi

echo "# statistics tests: $failures failed"
((failures == 0))
