#!/usr/bin/env bash
# Speed benchmark: usermatch.dedupe end to end through SQL on generated users
# (generate_users(rows, 42)), with records/s, peak backend memory (VmHWM of the backend, read
# from /proc/<pid>/status at the end of the run) and F1 against entity_id; then the pg_trgm +
# fuzzystrmatch baseline and usermatch again on a smaller size, for a speed ratio at equal size;
# then the core CLI um_match on a CSV export of the same rows for the per-phase time split.
#   bench/speed.sh [rows] [baseline_rows]        (defaults 1000000 and 100000)
# Environment: UM_BENCH_PORT, UM_BENCH_NO_BUILD=1 (use the installed extension and an existing
#   build-bench/um_match), UM_BENCH_THREADS (usermatch.threads, default 2),
#   UM_BENCH_BASELINE_TIMEOUT (statement_timeout of the baseline, default 10min).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
rows=${1:-1000000}
small=${2:-100000}
threads=${UM_BENCH_THREADS:-2}
timeout=${UM_BENCH_BASELINE_TIMEOUT:-10min}
bench_machine
echo "# reproduce: UM_BENCH_PORT=$UM_PORT bench/speed.sh $rows $small"
bench_start
export PGOPTIONS="-c usermatch.threads=$threads -c client_min_messages=warning"
sql -v spec="$(cat "$repo/bench/profiles/users.json")" <<<"SELECT usermatch.create_profile('users', :'spec'::jsonb);" >/dev/null
sql -f "$repo/bench/sql/quality_lib.sql"
sql <<'SQL'
-- One timed matching run in this backend; returns seconds, output pairs and the backend's
-- peak resident memory (VmHWM: includes the shared buffers it touched, see RssShmem).
CREATE FUNCTION bench_proc_kb(field text) RETURNS bigint LANGUAGE sql AS $$
  SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), field || ':\s+(\d+) kB'))[1]::bigint $$;
-- A fresh backend first pays one-off start-up costs (ICU, phone metadata): a warm-up run on
-- 100 rows takes them out of the timed run, and reports them as cold_start_s.
CREATE FUNCTION bench_run(query text, OUT seconds float8, OUT pairs bigint, OUT vmhwm_mb float8,
                          OUT rss_shmem_mb float8, OUT cold_start_s float8)
LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
  PERFORM count(*) FROM usermatch.dedupe('users', 'users_warm');
  cold_start_s := bench_seconds(t0);
  t0 := clock_timestamp();
  EXECUTE query INTO pairs;
  seconds := bench_seconds(t0);
  vmhwm_mb := bench_proc_kb('VmHWM') / 1024.0;
  rss_shmem_mb := bench_proc_kb('RssShmem') / 1024.0;
END $$;
CREATE TABLE users_warm AS SELECT * FROM usermatch.generate_users(100, 7);
CREATE TABLE speed_results (run text, records bigint, seconds float8, records_per_s float8, pairs bigint,
                            vmhwm_mb float8, rss_shmem_mb float8, cold_start_s float8, p float8, r float8, f1 float8, note text);
SQL

t0=$(date +%s.%N)
sql -c "CREATE TABLE users_big AS SELECT * FROM usermatch.generate_users($rows, 42)"
sql -c "CREATE TABLE users_big_truth AS SELECT user_id id, entity_id entity, 0 side FROM users_big" \
    -c "VACUUM ANALYZE users_big" -c "VACUUM ANALYZE users_big_truth"
printf 'generated %s users in %.1f s (not counted)\n' "$rows" "$(echo "$(date +%s.%N) - $t0" | bc)"

# Each run in a fresh backend (new psql), so VmHWM is that run's peak.
um_run() {  # label table note query
  sql -c "INSERT INTO speed_results (run, records, seconds, records_per_s, pairs, vmhwm_mb, rss_shmem_mb, cold_start_s, note)
          SELECT '$1', (SELECT count(*) FROM $2), b.seconds, (SELECT count(*) FROM $2) / b.seconds, b.pairs,
                 b.vmhwm_mb, b.rss_shmem_mb, b.cold_start_s, '$3' FROM bench_run(\$q\$$4\$q\$) b"
}
echo "== usermatch, $rows rows: count(*) of dedupe"
um_run "usermatch count(*)" users_big "SELECT count(*) of dedupe" \
  "SELECT count(*) FROM usermatch.dedupe('users', 'users_big')"
echo "== usermatch, $rows rows: CREATE TABLE AS dedupe"
sql -c "CREATE FUNCTION bench_ctas(t text, src text) RETURNS bigint LANGUAGE plpgsql AS \$\$
        DECLARE n bigint; BEGIN
          EXECUTE format('CREATE TABLE %I AS SELECT id1 l, id2 r, match_probability FROM usermatch.dedupe(''users'', %L)', t, src);
          GET DIAGNOSTICS n = ROW_COUNT; RETURN n; END \$\$"
um_run "usermatch CREATE TABLE AS" users_big "output stored in a table" "SELECT bench_ctas('um_pairs_big', 'users_big')"
sql -c "UPDATE speed_results s SET p = q.p, r = q.r, f1 = q.f1
        FROM bench_pair_quality('um_pairs_big', 'users_big_truth', false) q WHERE s.run LIKE 'usermatch%'"

echo "== baseline size: $small rows (generate_users($small, 42))"
sql -c "CREATE TABLE users_small AS SELECT * FROM usermatch.generate_users($small, 42)" \
    -c "CREATE TABLE users_small_truth AS SELECT user_id id, entity_id entity, 0 side FROM users_small" \
    -c "CREATE TABLE bl_users_small AS SELECT user_id id, 0 side, lower(full_name) name_key, bl_date(birth_date) dob,
          nullif(right(regexp_replace(phone, '\D', '', 'g'), 11), '') id1, lower(trim(email)) id2,
          upper(id_number) id3, lower(city) addr FROM users_small" \
    -c "VACUUM ANALYZE"
um_run "usermatch at baseline size" users_small "CREATE TABLE AS" "SELECT bench_ctas('um_pairs_small', 'users_small')"
sql -c "UPDATE speed_results s SET p = q.p, r = q.r, f1 = q.f1
        FROM bench_pair_quality('um_pairs_small', 'users_small_truth', false) q WHERE s.run = 'usermatch at baseline size'"
echo "== pg_trgm + fuzzystrmatch baseline, $small rows (statement_timeout $timeout)"
if sql -c "SET statement_timeout = '$timeout'" -c "CREATE TABLE bl_timing AS SELECT * FROM bench_baseline_candidates('bl_users_small', false, 0.3)"; then
  sql -c "INSERT INTO speed_results (run, records, seconds, records_per_s, pairs, p, r, f1, note)
          SELECT 'pg_trgm baseline', $small, t.seconds, $small / t.seconds, b.predicted, b.p, b.r, b.f1,
                 format('ORACLE-TUNED: name sim >= %s or phone equal, score >= %s', b.sim_cut, b.score_cut)
          FROM bl_timing t, bench_baseline_best('bl_users_small', 'users_small_truth', false, '{0.3,0.4,0.5,0.6,0.7}') b"
else
  secs=$(sql -At -c "SELECT extract(epoch FROM interval '$timeout')")
  sql -c "INSERT INTO speed_results (run, records, seconds, records_per_s, note)
          VALUES ('pg_trgm baseline', $small, $secs, $small / $secs::float8, 'TIMED OUT: seconds and records/s are bounds')"
fi

echo
echo "Results (usermatch.threads = $threads; VmHWM = peak resident memory of the backend, including the"
echo "shared buffers it touched, RssShmem at the end; cold_start_s = a first 100-row run in the same fresh"
echo "backend, not counted in seconds; baseline F1 with oracle-tuned thresholds):"
sql -c "SELECT run, records, round(seconds::numeric, 2) seconds, round(records_per_s::numeric) records_per_s, pairs,
          round(vmhwm_mb::numeric) vmhwm_mb, round(rss_shmem_mb::numeric) rss_shmem_mb,
          round(cold_start_s::numeric, 2) cold_start_s,
          round(p::numeric, 4) p, round(r::numeric, 4) r, round(f1::numeric, 4) f1, note FROM speed_results"
sql -At -c "SELECT format('speed ratio at %s rows: usermatch %s records/s vs baseline %s records/s = %sx%s; F1 %s vs %s',
                   b.records, round(u.records_per_s::numeric), round(b.records_per_s::numeric),
                   round((u.records_per_s / b.records_per_s)::numeric, 1),
                   CASE WHEN b.note LIKE 'TIMED OUT%' THEN ' (at least: baseline timed out)' ELSE '' END,
                   round(u.f1::numeric, 4), coalesce(round(b.f1::numeric, 4)::text, 'n/a'))
            FROM speed_results u, speed_results b
            WHERE u.run = 'usermatch at baseline size' AND b.run = 'pg_trgm baseline'"
sql -At -c "SELECT format('targets at %s rows: records/s %s (target >= 200000: %s), peak backend memory %s MB (target < 1024: %s)',
                   records, round(records_per_s::numeric), CASE WHEN records_per_s >= 200000 THEN 'met' ELSE 'MISSED' END,
                   round(vmhwm_mb::numeric), CASE WHEN vmhwm_mb < 1024 THEN 'met' ELSE 'MISSED' END)
            FROM speed_results WHERE run = 'usermatch CREATE TABLE AS'"

# Phase split from the core CLI on the same rows (no PostgreSQL in the loop).
um_match=$repo/build-bench/um_match
if [[ ! -x $um_match && -z ${UM_BENCH_NO_BUILD:-} ]]; then
  echo "== building build-bench/um_match (once)"
  (cmake -S "$repo" -B "$repo/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null &&
    cmake --build "$repo/build-bench" -j2 --target um_match um_generate >/dev/null) || echo "um_match build failed; no phase split"
fi
if [[ -x $um_match ]]; then
  csv=$UM_CLUSTER_DIR/users_big.csv
  sql -c "\\copy users_big TO '$csv' (FORMAT csv, HEADER true)"
  echo "== phase split: $um_match --profile bench/profiles/users.json --left <export of users_big> --truth-column entity_id --threads $threads"
  "$um_match" --profile "$repo/bench/profiles/users.json" --left "$csv" --truth-column entity_id --threads "$threads" |
    grep -E '^(records|candidate pairs|pairs emitted|time|speed|peak|pairwise)'
  rm -f "$csv"
else
  echo "(no build-bench/um_match: no phase split)"
fi
