#!/usr/bin/env bash
# `make stress`: tries to break usermatch in a throwaway cluster and says, per check, PASS or FAIL
# (or SKIP: "not available in this build" for checks whose functions are not merged yet).
# Exits 1 when any check fails; the last line names the checks skipped. Default run time ~12 min on
# 2 cores (5 min of it concurrency).
# concurrency: CLIENTS pgbench clients of dedupe/link/clusters/explain_match/updates for DURATION and,
# beside them, 32 pgbench clients of match_one (application_name stress_match_one) and a schedule
# firing a dedupe job every 5 s. soak: the memory of both groups' backends sampled over that time.
# tablespace_full: a tmpfs mounted as a tablespace, nearly full; a direct CREATE TABLE ... TABLESPACE
# AS SELECT * FROM dedupe(...) and a job with options.result_table there must fail with 53100 and
# leave nothing half-written, then give the clean rows once space is freed (SKIP when it cannot mount).
# Online, jobs and statistics: match_one_clients (32 pgbench clients of match_one for DURATION, at
# most 60 s, beside a background dedupe), worker_kill and restart_mid_job (kill -9 of a job's worker,
# pg_ctl restart -m immediate; the job must succeed with a direct dedupe's rows), background_schedule
# (every 1 s: fires, stops after unschedule), statistics_consistent (stat_reset, then
# performance_metrics' calls must equal the pgbench -t calls made).
#
#   test/stress/run.sh            (make stress [DURATION=5min] [FUZZ_SECONDS=10] [CHECKS="..."])
# Environment:
#   DURATION          concurrency phase: 60s, 5min, 1h, ... (default 5min). With 30min or more it is
#                     a soak. Memory = RssAnon (private memory) of each backend, sampled every
#                     DURATION/60 (at least 5 s); slopes by least squares after the warm-up (20% of
#                     the run, at least 30 s). Bounds: the worst mixed-client backend under
#                     UM_STRESS_SLOPE_KB_MIN (default 256 kB/min; 2048 for runs under 30 min, where
#                     warm-up dominates); the SUM over the 32 match_one backends under
#                     UM_STRESS_MO_SLOPE_KB_MIN (default 1024 kB/min; 8192 under 30 min), also
#                     printed as bytes per lookup
#   CLIENTS           pgbench clients of the concurrency phase (default 8)
#   FUZZ_SECONDS      seconds per libFuzzer target (16 targets; default 10; 0 skips fuzzing)
#   CHECKS            the checks to run, space separated (default: all, in the order of all_checks;
#                     CHECKS=selftest kills a backend with SIGSEGV to prove the crash detector works)
#   UM_STRESS_PORT, UM_STRESS_CLUSTER_DIR   the throwaway cluster (default 54334, /tmp/usermatch-stress-$$)
#   UM_STRESS_NO_BUILD=1   use the extension already installed
#   UM_STRESS_LEAK_BYTES=N self-test of the soak judge: each match_one lookup also keeps N bytes (a
#                          growing session setting), so soak must FAIL (CHECKS="concurrency soak")
#   UM_STRESS_KEEP_WORK=1  keep the work files (pgbench logs, memory samples rss.tsv) after the run
#
# Adding a check (e.g. after merging match_one, jobs or statistics): a function check_<name> that
# calls `needs usermatch.<function> <name> || return 0` first and `verdict <name> PASS|FAIL "detail"`
# at the end, and <name> in all_checks.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
here=$repo/test/stress
all_checks="concurrency soak cancel memory_budget disconnect source_dropped tablespace_full hostile_sql privileges fuzz match_one_clients worker_kill restart_mid_job background_schedule statistics_consistent"
checks=${CHECKS:-$all_checks}
duration=${DURATION:-5min}
clients=${CLIENTS:-8}
fuzz_seconds=${FUZZ_SECONDS:-10}

to_seconds() {  # 60 | 60s | 5min | 1h
  local v=$1
  case $v in
    *h) echo $(( ${v%h} * 3600 )) ;;
    *min) echo $(( ${v%min} * 60 )) ;;
    *m) echo $(( ${v%m} * 60 )) ;;
    *s) echo "${v%s}" ;;
    *) echo "$v" ;;
  esac
}
secs=$(to_seconds "$duration")
[[ $secs =~ ^[0-9]+$ && $secs -gt 0 ]] || { echo "DURATION: use e.g. 60s, 5min, 1h" >&2; exit 2; }

export UM_CLUSTER_DIR=${UM_STRESS_CLUSTER_DIR:-/tmp/usermatch-stress-$$}
export UM_PORT=${UM_STRESS_PORT:-54334}
# The background-job launcher works in the database the checks use (usermatch.database, written by
# cluster.sh at initdb; the launcher retries every 5 s until the database exists).
export UM_JOBS_DATABASE=stress
log=$UM_CLUSTER_DIR/postgresql.log
work=$(mktemp -d /tmp/usermatch-stress-work.XXXXXX)
chmod 755 "$work"
cleanup() {
  local pids
  pids=$(jobs -p)
  [[ -n $pids ]] && kill $pids 2>/dev/null
  "$repo"/scripts/cluster.sh destroy >/dev/null 2>&1
  ts_unmount
  if [[ -n ${UM_STRESS_KEEP_WORK:-} ]]; then echo "work files kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -z ${UM_STRESS_NO_BUILD:-} ]]; then
  (cd "$repo" && nice make -s -j2 >/dev/null && if [[ $(id -u) -eq 0 ]]; then make -s install >/dev/null; else sudo make -s install >/dev/null; fi) ||
    { echo "build failed" >&2; exit 2; }
fi
"$repo"/scripts/cluster.sh start >/dev/null || exit 2
eval "$("$repo"/scripts/cluster.sh env)"
export PGDATABASE=stress
postmaster_pid=$(head -1 "$UM_CLUSTER_DIR/data/postmaster.pid")
log_from=0  # server_problem reads the log from this byte on (only check_selftest moves it)
started=$(date +%s)

results=()
failed=0
skipped=()
verdict() {  # NAME PASS|FAIL|SKIP DETAIL
  local line
  line=$(printf '%-4s %-22s %s' "$2" "$1" "$3")
  echo "$line"
  results+=("$line")
  [[ $2 == FAIL ]] && failed=$((failed + 1))
  [[ $2 == SKIP ]] && skipped+=("$1")
  return 0
}
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
# needs FUNCTION_OR_VIEW CHECK: true when this build has it, else reports the check as not available.
needs() {
  local have
  have=$(q -d postgres -c "SELECT 1" >/dev/null && q -c "SELECT coalesce(to_regproc('$1')::text, to_regclass('$1')::text, '')")
  [[ -n $have ]] && return 0
  verdict "$2" SKIP "not available in this build (no $1)"
  return 1
}
# The server is fine: same postmaster, accepts connections, no crash in the log.
server_problem() {
  local now
  now=$(head -1 "$UM_CLUSTER_DIR/data/postmaster.pid" 2>/dev/null)
  [[ $now == "$postmaster_pid" ]] || { echo "postmaster pid changed ($postmaster_pid -> ${now:-none})"; return; }
  q -d postgres -c "SELECT 1" >/dev/null 2>&1 || { echo "server does not accept connections"; return; }
  local crash
  crash=$(tail -c +$((log_from + 1)) "$log" | grep -Em1 'terminated by signal|was terminated by exception|all server processes terminated|database system was interrupted')
  [[ -n $crash ]] && { echo "crash in the log: $crash"; return; }
  echo ""
}
backend_pid() {  # APPLICATION_NAME: pid of the active backend running under that name (waits up to 30 s)
  local pid
  for _ in $(seq 300); do
    pid=$(q -d postgres -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$1' AND state = 'active' LIMIT 1")
    [[ -n $pid ]] && { echo "$pid"; return 0; }
    sleep 0.1
  done
  return 1
}
sqlstate_of() { grep -Eo '(ERROR|FATAL): +[0-9A-Z]{5}' "$1" | head -1 | grep -Eo '[0-9A-Z]{5}$'; }

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), PostgreSQL $(pg_config --version | cut -d' ' -f2)"
echo "# reproduce: make stress DURATION=$duration CLIENTS=$clients FUZZ_SECONDS=$fuzz_seconds   (test/stress/run.sh)"
echo "== setup"
q -d postgres -c "CREATE DATABASE stress"
q -v spec="$(cat "$repo/bench/profiles/users_realistic.json")" <<'SQL' >/dev/null || { echo "setup failed"; exit 2; }
CREATE EXTENSION usermatch;
-- small tables for the concurrency phase
CREATE TABLE users_s AS SELECT * FROM usermatch.generate_users(300, 1, 0.3, 0.5, 'realistic');
CREATE TABLE users_t AS SELECT * FROM usermatch.generate_users(300, 2, 0.3, 0.5, 'realistic');
ALTER TABLE users_s ADD PRIMARY KEY (user_id);
SELECT usermatch.create_profile('stress', :'spec'::jsonb);
-- a dedupe that runs for seconds (four huge blocks: 32 M pairs, ~7 s on 2 cores), for the fault checks
CREATE TABLE big AS SELECT user_id, full_name, phone, birth_date, (abs(hashtext(user_id)) % 4)::text AS city
  FROM usermatch.generate_users(16000, 7);
-- more than 16 MB of normalised records (usermatch.memory_limit's minimum), for memory_budget
CREATE TABLE mem_src AS SELECT * FROM usermatch.generate_users(100000, 9);
SELECT usermatch.create_profile('slow', '{"id": "user_id",
  "fields": [{"name": "name", "column": "full_name", "type": "person_name"},
             {"name": "phone", "column": "phone", "type": "phone"},
             {"name": "dob", "column": "birth_date", "type": "date"},
             {"name": "city", "column": "city", "type": "text"}],
  "blocking": [["city"]], "max_block_size": 100000000}'::jsonb);
-- match_one_clients / statistics_consistent: a target of generated users and lookup records (half
-- of them records of the target, half other people)
CREATE TABLE mo_target AS SELECT * FROM usermatch.generate_users(2000, 21, 0.3, 0.5, 'realistic');
ALTER TABLE mo_target ADD PRIMARY KEY (user_id);
CREATE TABLE mo_queries AS
  SELECT row_number() OVER ()::int AS n, jsonb_strip_nulls(to_jsonb(q) - 'user_id' - 'entity_id' - 'gender' - 'country') AS rec
    FROM (SELECT * FROM (SELECT * FROM mo_target ORDER BY user_id LIMIT 250) a
          UNION ALL SELECT * FROM usermatch.generate_users(250, 2121, 0.3, 0.5, 'realistic')) q;
ALTER TABLE mo_queries ADD PRIMARY KEY (n);
-- worker_kill / restart_mid_job: a dedupe run as a job with batch_size 1 (one commit per pair),
-- so that it is mid-run for seconds (as test/jobs/faults.sh)
CREATE TABLE job_src AS SELECT * FROM usermatch.generate_users(6000, 11);
SELECT usermatch.create_profile('job_p', '{"id": "user_id", "fields": [
  {"name": "name", "column": "full_name", "type": "person_name"},
  {"name": "phone", "column": "phone", "type": "phone"},
  {"name": "email", "column": "email", "type": "email"}], "blocking": [["phone"], ["email"]]}'::jsonb);
-- background_schedule: a small source a scheduled dedupe finishes in well under a second
CREATE TABLE sched_src AS SELECT * FROM usermatch.generate_users(200, 5, 0.3, 0.5, 'realistic');
ANALYZE;
SQL
clean_small=$(q -c "SELECT count(*) FROM usermatch.dedupe('stress', 'users_s')")
t0=$(date +%s.%N)
clean_slow=$(q -c "SELECT count(*) FROM usermatch.dedupe('slow', 'big')")
slow_s=$(echo "$(date +%s.%N) - $t0" | bc)
printf 'clean runs: dedupe(stress, users_s) = %s pairs; dedupe(slow, big) = %s pairs in %.1f s\n' "$clean_small" "$clean_slow" "$slow_s"

# ------------------------------------------------------------------------------------------------
rss_samples=$work/rss.tsv
mo_soak_out=$work/match_one_soak.out
have() { [[ -n $(q -c "SELECT coalesce(to_regproc('$1')::text, to_regclass('$1')::text, '')" 2>/dev/null) ]]; }
check_concurrency() {
  local with_mo=""
  have usermatch.match_one && have usermatch.schedule && with_mo=1
  echo "== concurrency: $clients pgbench clients for $duration (dedupe, link, clusters, explain_match, updates)${with_mo:+; beside them 32 pgbench clients of match_one and a schedule firing a dedupe every 5 s}"
  local rc out=$work/pgbench.out sampler mo_pid="" mo_rc=0 indexed=""
  # Backend memory over time (private memory: RssAnon; shared buffers excluded), per backend of the
  # mixed clients (application_name pgbench) and of the match_one clients (stress_match_one).
  (
    interval=$(( secs / 60 )); ((interval < 5)) && interval=5
    t_start=$(date +%s)
    while sleep "$interval"; do
      now=$(( $(date +%s) - t_start ))
      q -d postgres -F ' ' -c "SELECT application_name, pid FROM pg_stat_activity WHERE application_name IN ('pgbench', 'stress_match_one')" 2>/dev/null |
        while read -r app pid; do
          kb=$(sed -n 's/^RssAnon:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null)
          [[ -n $kb ]] && printf '%s\t%s\t%s\t%s\n' "$now" "$pid" "$kb" "$app" >>"$rss_samples"
        done
    done
  ) &
  sampler=$!
  if [[ -n $with_mo ]]; then
    indexed=$(q -c "SELECT usermatch.warm_cache('stress', 'mo_target')" 2>&1)
    q -c "SELECT usermatch.schedule('stress_soak_5s', '5 seconds', 'dedupe', 'stress', 'sched_src')" >/dev/null
    local mo_soak_script=$mo_script
    if [[ -n ${UM_STRESS_LEAK_BYTES:-} ]]; then  # self-test of the soak judge: each lookup keeps N more bytes
      mo_soak_script=$work/match_one_leak.pgbench
      { cat "$mo_script"; echo "SELECT length(set_config('stress.leak', coalesce(current_setting('stress.leak', true), '') || repeat('x', ${UM_STRESS_LEAK_BYTES}), false));"; } >"$mo_soak_script"
      echo "     UM_STRESS_LEAK_BYTES=$UM_STRESS_LEAK_BYTES: every match_one client keeps $UM_STRESS_LEAK_BYTES more bytes per lookup (the soak check must FAIL)"
    fi
    PGAPPNAME=stress_match_one nice pgbench -n -M prepared -c 32 -j 2 -T "$secs" -P $(( secs >= 600 ? 60 : 10 )) -f "$mo_soak_script" >"$mo_soak_out" 2>&1 &
    mo_pid=$!
  fi
  nice pgbench -n -c "$clients" -j 2 -T "$secs" -P $(( secs >= 600 ? 60 : 10 )) \
    -f "$here/dedupe.sql@4" -f "$here/link.sql@2" -f "$here/clusters.sql@2" -f "$here/explain.sql@4" -f "$here/update.sql@1" \
    >"$out" 2>&1
  rc=$?
  [[ -n $mo_pid ]] && { wait "$mo_pid"; mo_rc=$?; }
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
  local tx failed_tx aborted problem after
  tx=$(sed -n 's/^number of transactions actually processed: *\([0-9]*\).*/\1/p' "$out")
  failed_tx=$(sed -n 's/^number of failed transactions: *\([0-9]*\).*/\1/p' "$out")
  aborted=$(grep -c 'aborted\|ERROR' "$out")
  local mo_detail="" mo_ok=1
  if [[ -n $with_mo ]]; then
    q -c "SELECT usermatch.unschedule('stress_soak_5s')" >/dev/null
    wait_for "SELECT NOT EXISTS (SELECT 1 FROM usermatch.job_queue WHERE schedule_name = 'stress_soak_5s' AND state IN ('queued', 'running'))" 60
    local mo_tx mo_failed mo_errs fired sched_bad
    mo_tx=$(sed -n 's/^number of transactions actually processed: *\([0-9]*\).*/\1/p' "$mo_soak_out")
    mo_failed=$(sed -n 's/^number of failed transactions: *\([0-9]*\).*/\1/p' "$mo_soak_out")
    mo_errs=$(grep -c 'aborted\|ERROR' "$mo_soak_out")
    fired=$(q -c "SELECT count(*) FROM usermatch.job_queue WHERE schedule_name = 'stress_soak_5s'")
    sched_bad=$(q -c "SELECT count(*) FROM usermatch.job_queue WHERE schedule_name = 'stress_soak_5s' AND state <> 'succeeded'")
    mo_detail="; match_one: ${mo_tx:-?} lookups by 32 clients ($(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$mo_soak_out" | head -1) tps, warm_cache $indexed rows), failed ${mo_failed:-?}, error lines $mo_errs; schedule: $fired dedupe jobs fired, $sched_bad not succeeded"
    ((mo_rc == 0 && ${mo_failed:-0} == 0 && mo_errs == 0 && ${mo_tx:-0} > 0 && fired >= 2 && sched_bad == 0)) && [[ $indexed =~ ^[0-9]+$ ]] || mo_ok=""
    grep -E '^progress' "$mo_soak_out" >"$work/progress_mo"
  fi
  problem=$(server_problem)
  after=$(q -c "SELECT count(*) FROM usermatch.dedupe('stress', 'users_s')" 2>&1)
  grep -E '^progress' "$out" >"$work/progress"
  if ((rc == 0)) && [[ -n $mo_ok && -z $problem && ${failed_tx:-0} == 0 && $aborted == 0 && $after == "$clean_small" ]]; then
    verdict concurrency PASS "$tx transactions by $clients clients in ${secs}s ($(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$out" | head -1) tps), 0 errors$mo_detail; server up, same dedupe result after ($after pairs)"
  else
    verdict concurrency FAIL "pgbench rc=$rc, transactions ${tx:-?}, failed ${failed_tx:-?}, error lines $aborted$mo_detail (pgbench rc $mo_rc), ${problem:-server fine}, dedupe after: $after (clean $clean_small); logs: $out $mo_soak_out"
    grep -m5 -E 'aborted|ERROR' "$out" "$mo_soak_out" 2>/dev/null
  fi
}

# Least-squares slope (kB/min) of RssAnon over the samples after the warm-up (caches, first profile
# loads, the first call of each script): the first 20% of the run, at least 30 s (at most half of a
# short run). Reads "t pid kB app" lines of one application_name.
#   per_backend: the worst backend's slope, "slope backends first_kB last_kB" (or "none")
#   sum:         the slope of the sum over that application's backends, at the samples that saw
#                all of them, "slope samples backends first_sum_kB last_sum_kB" (or "none")
rss_slope() {  # APP per_backend|sum
  local skip=$(( secs / 5 )); ((skip < 30)) && skip=30; ((skip > secs / 2)) && skip=$(( secs / 2 ))
  awk -v skip="$skip" -v app="$1" -v mode="$2" -F'\t' '
    $4 != app || $1 < skip { next }
    mode == "per_backend" { n[$2]++; sx[$2]+=$1; sy[$2]+=$3; sxx[$2]+=$1*$1; sxy[$2]+=$1*$3; last[$2]=$3; if (!($2 in first)) first[$2]=$3; next }
    { cnt[$1]++; tot[$1]+=$3; pids[$2] = 1 }
    END {
      if (mode == "per_backend") {
        worst = -1e18; m = 0
        for (p in n) if (n[p] >= 3) { d = n[p]*sxx[p] - sx[p]*sx[p]; if (d == 0) continue;
          s = (n[p]*sxy[p] - sx[p]*sy[p]) / d * 60; m++; if (s > worst) { worst = s; wf = first[p]; wl = last[p] } }
        if (m == 0) print "none"; else printf "%.1f %d %d %d\n", worst, m, wf, wl
        exit
      }
      full = 0; for (t in cnt) if (cnt[t] > full) full = cnt[t]
      k = 0; for (t in cnt) if (cnt[t] == full) { k++; ts[k] = t + 0 }
      if (k < 3) { print "none"; exit }
      for (i = 1; i <= k; i++) { x = ts[i]; y = tot[ts[i]]; N++; Sx += x; Sy += y; Sxx += x*x; Sxy += x*y
        if (i == 1 || x < tmin) { tmin = x; fy = y } if (i == 1 || x > tmax) { tmax = x; ly = y } }
      d = N*Sxx - Sx*Sx; if (d == 0) { print "none"; exit }
      printf "%.1f %d %d %d %d\n", (N*Sxy - Sx*Sy) / d * 60, N, full, fy, ly }' "$rss_samples"
}
tps_trend() {  # PROGRESS_FILE: tps of the first and the last third of pgbench's progress lines
  awk '{ for (i = 1; i <= NF; i++) if ($i == "tps,") print $(i-1) }' "$1" 2>/dev/null |
    awk '{ v[NR] = $1 } END { if (NR < 3) { print "n/a"; exit } t = int(NR / 3); for (i = 1; i <= t; i++) a += v[i]; for (i = NR - t + 1; i <= NR; i++) b += v[i];
          printf "tps first third %.1f, last third %.1f", a / t, b / t }'
}

check_soak() {
  [[ -s $rss_samples ]] || { verdict soak SKIP "no RSS samples (run together with concurrency)"; return; }
  local limit=${UM_STRESS_SLOPE_KB_MIN:-$(( secs >= 1800 ? 256 : 2048 ))}
  local mo_limit=${UM_STRESS_MO_SLOPE_KB_MIN:-$(( secs >= 1800 ? 1024 : 8192 ))}
  # Mixed clients: the worst backend's slope. match_one clients: the slope of the sum over the 32
  # backends (a leak of a few bytes per lookup adds up over all of them), and bytes per lookup.
  local res rates
  res=$(rss_slope pgbench per_backend)
  rates=$(tps_trend "$work/progress")
  [[ $rates == n/a ]] && rates="rates: too few progress lines for a trend"
  if [[ $res == none ]]; then
    verdict soak SKIP "too few samples after warm-up (DURATION=$duration); $rates"
    return
  fi
  local slope backends first last ok=1
  read -r slope backends first last <<<"$res"
  local line="mixed clients: backend RssAnon slope $slope kB/min (worst of $backends backends, ${first} -> ${last} kB after warm-up; limit $limit), $rates"
  awk -v s="$slope" -v l="$limit" 'BEGIN { exit !(s < l) }' || ok=""
  if [[ -s $mo_soak_out ]]; then
    local mres mslope msamples mbackends mfirst mlast mworst calls_min per_call
    mres=$(rss_slope stress_match_one sum)
    if [[ $mres == none ]]; then
      line+="; match_one clients: too few samples after warm-up"; ok=""
    else
      read -r mslope msamples mbackends mfirst mlast <<<"$mres"
      read -r mworst _ <<<"$(rss_slope stress_match_one per_backend)"
      calls_min=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$mo_soak_out" | head -1 | awk '{ printf "%.0f", $1 * 60 }')
      per_call=$(awk -v s="$mslope" -v c="${calls_min:-0}" 'BEGIN { if (c > 0) printf "%.1f", s * 1024 / c; else print "?" }')
      line+="; match_one clients: sum of RssAnon over $mbackends backends $(awk -v a="$mfirst" -v b="$mlast" 'BEGIN { printf "%.1f -> %.1f MB", a / 1024, b / 1024 }') over $msamples samples after warm-up, slope $mslope kB/min (limit $mo_limit; $per_call bytes per lookup at $calls_min lookups/min; worst single backend $mworst kB/min), $(tps_trend "$work/progress_mo")"
      awk -v s="$mslope" -v l="$mo_limit" 'BEGIN { exit !(s < l) }' || ok=""
    fi
  fi
  if [[ -n $ok ]]; then verdict soak PASS "$line"; else verdict soak FAIL "$line"; fi
}

check_cancel() {
  echo "== cancel mid-dedupe"
  local err=$work/cancel.err pid t0 t1 rc after
  PGAPPNAME=stress_cancel psql -X -q -At -v VERBOSITY=verbose -c "SELECT count(*) FROM usermatch.dedupe('slow', 'big')" >/dev/null 2>"$err" &
  local client=$!
  pid=$(backend_pid stress_cancel) || { verdict cancel FAIL "the dedupe never showed up as active"; return; }
  sleep 1
  t0=$(date +%s.%N)
  q -d postgres -c "SELECT pg_cancel_backend($pid)" >/dev/null
  wait "$client"; rc=$?
  t1=$(date +%s.%N)
  local state ms
  state=$(sqlstate_of "$err")
  ms=$(echo "($t1 - $t0) * 1000 / 1" | bc)
  after=$(q -c "SELECT count(*) FROM usermatch.dedupe('stress', 'users_s')" 2>&1)
  local problem; problem=$(server_problem)
  if ((rc != 0)) && [[ $state == 57014 && $after == "$clean_small" && -z $problem ]] && ((ms < 5000)); then
    verdict cancel PASS "57014 after ${ms} ms; the next call returns the clean result ($after pairs)"
  else
    verdict cancel FAIL "rc=$rc sqlstate=${state:-none} after ${ms} ms, next call: $after (clean $clean_small), ${problem:-server fine}; $(head -c 300 "$err")"
  fi
}

check_memory_budget() {
  echo "== memory budget exhausted"
  local err=$work/mem.err out
  out=$(psql -X -q -At -v VERBOSITY=verbose 2>"$err" <<'SQL'
SET usermatch.memory_limit = '16MB';
CREATE TABLE mem_out AS SELECT * FROM usermatch.dedupe('stress', 'mem_src');
RESET usermatch.memory_limit;
SELECT 'left:' || coalesce(to_regclass('mem_out')::text, 'nothing');
SELECT 'again:' || count(*) FROM usermatch.dedupe('stress', 'users_s');
SQL
)
  local state msg problem
  state=$(sqlstate_of "$err")
  msg=$(grep -m1 -E 'ERROR' "$err" | sed 's/^.*ERROR: *//')
  problem=$(server_problem)
  if [[ $state == 53200 && $msg == *memory_limit* && $out == *"left:nothing"* && $out == *"again:$clean_small"* && -z $problem ]]; then
    verdict memory_budget PASS "\"${msg}\"; no table left; the same session then matches normally"
  else
    verdict memory_budget FAIL "sqlstate=${state:-none} msg=${msg:-none} out=$(echo "$out" | tr '\n' ' ') ${problem:-server fine}"
  fi
}

check_disconnect() {
  echo "== client disconnects mid-call (dedupe, then match_many)"
  local what sql pid client t0 gone ms problem results=() failed=""
  for what in dedupe match_many; do
    if [[ $what == dedupe ]]; then
      sql="SELECT count(*) FROM usermatch.dedupe('slow', 'big')"
    else  # every record of big against big: ~4,000 candidates each, seconds in all
      sql="SELECT count(*) FROM usermatch.match_many('slow', (SELECT jsonb_agg(to_jsonb(b) - 'user_id') FROM big b), 'big', 5)"
    fi
    gone=""
    PGAPPNAME=stress_disconnect PGOPTIONS="-c client_connection_check_interval=1s" \
      psql -X -q -At -c "$sql" >/dev/null 2>&1 &
    client=$!
    pid=$(backend_pid stress_disconnect) || { verdict disconnect FAIL "the $what call never showed up as active"; return; }
    sleep 1
    # Still running after 1 s, or the check proves nothing.
    [[ -n $(q -d postgres -c "SELECT 1 FROM pg_stat_activity WHERE pid = $pid AND state = 'active'") ]] ||
      { verdict disconnect FAIL "the $what call finished within 1 s: nothing to interrupt"; kill -9 "$client" 2>/dev/null; return; }
    kill -9 "$client"; wait "$client" 2>/dev/null
    t0=$(date +%s.%N)
    for _ in $(seq 600); do
      [[ -z $(q -d postgres -c "SELECT 1 FROM pg_stat_activity WHERE pid = $pid") ]] && { gone=1; break; }
      sleep 0.1
    done
    ms=$(echo "($(date +%s.%N) - $t0) * 1000 / 1" | bc)
    problem=$(server_problem)
    if [[ -n $gone && -z $problem ]] && ((ms < 10000)); then
      results+=("$what: backend ended ${ms} ms later")
    else
      failed=1
      results+=("$what: backend ${gone:+ended}${gone:-still there} ${ms} ms after the client was killed; ${problem:-server fine}")
    fi
  done
  local joined
  joined=$(printf '%s; ' "${results[@]}")
  if [[ -z $failed ]]; then
    verdict disconnect PASS "psql killed (-9) mid-call (client_connection_check_interval=1s): ${joined}server fine"
  else
    verdict disconnect FAIL "${joined}clean dedupe takes ${slow_s}s"
  fi
}

check_source_dropped() {
  echo "== source dropped mid-call"
  q -c "CREATE TABLE big_copy AS SELECT * FROM big"
  local out=$work/drop.out err=$work/drop.err client lockerr dropper t_drop
  PGAPPNAME=stress_drop psql -X -q -At -c "SELECT count(*) FROM usermatch.dedupe('slow', 'big_copy')" >"$out" 2>&1 &
  client=$!
  backend_pid stress_drop >/dev/null || { verdict source_dropped FAIL "the dedupe never showed up as active"; return; }
  sleep 0.5
  # A DROP with lock_timeout cannot get in; one without waits for the call to finish.
  lockerr=$(psql -X -q -At -v VERBOSITY=verbose -c "SET lock_timeout = '1s'" -c "DROP TABLE big_copy" 2>&1 | grep -Eo 'ERROR: +[0-9A-Z]{5}' | grep -Eo '[0-9A-Z]{5}$')
  psql -X -q -c "DROP TABLE big_copy" >"$err" 2>&1 &
  dropper=$!
  wait "$client"; local rc=$?
  wait "$dropper"; local drc=$?
  local gone problem
  gone=$(q -c "SELECT coalesce(to_regclass('big_copy')::text, 'dropped')")
  problem=$(server_problem)
  if ((rc == 0 && drc == 0)) && [[ $lockerr == 55P03 && $(cat "$out") == "$clean_slow" && $gone == dropped && -z $problem ]]; then
    verdict source_dropped PASS "DROP TABLE waits for the running dedupe (lock_timeout: 55P03); the call returns the clean result ($clean_slow pairs), then the DROP completes"
  else
    verdict source_dropped FAIL "rc=$rc lock_timeout DROP: ${lockerr:-no error} result: $(head -c 200 "$out") (clean $clean_slow) drop rc=$drc table: $gone ${problem:-server fine}"
  fi
}

# The results table's tablespace fills up: a tmpfs (mounted for this check, owned by the cluster's
# OS user) as tablespace ts_full, with a filler file leaving room for about half of a dedupe's
# result. A direct CREATE TABLE ... TABLESPACE ts_full AS SELECT * FROM usermatch.dedupe(...) and a
# background job with options.result_table in ts_full must fail with 53100 (disk full) and leave
# nothing half-written: no table from the direct call; the job failed with the error, and its rows in
# the result table are exactly its committed checkpoint (rows_written: whole batches of the clean
# run's rows, nothing of the batch that failed). After the filler is removed, retry_job and the same
# CREATE TABLE give the clean run's rows. SKIP (with the reason) when no file system can be mounted.
ts_mount=""
ts_unmount() {  # the cluster may be gone already (cleanup); a busy mount is detached lazily
  [[ -n $ts_mount ]] || return 0
  as_root umount "$ts_mount" 2>/dev/null || as_root umount -l "$ts_mount" 2>/dev/null
  rmdir "$ts_mount" 2>/dev/null
  ts_mount=""
}
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }
check_tablespace_full() {
  echo "== results table's tablespace full (a tmpfs as tablespace; direct CREATE TABLE AS and a job's result_table)"
  local clean_n clean_bytes
  q -c "CREATE TABLE ts_clean AS SELECT * FROM usermatch.dedupe('stress', 'mem_src')" || { verdict tablespace_full FAIL "clean dedupe failed"; return; }
  clean_n=$(q -c "SELECT count(*) FROM ts_clean")
  clean_bytes=$(q -c "SELECT pg_relation_size('ts_clean')")
  # room: tmpfs of twice the result (at least 4 MB); the filler leaves about half the result free
  local mb=$(( (2 * clean_bytes + 1048575) / 1048576 )); ((mb < 4)) && mb=4
  local mnt=$work/ts_full err=$work/ts_mount.err owner
  owner=$(stat -c %U "$UM_CLUSTER_DIR/data")
  mkdir -p "$mnt"
  if ! as_root mount -t tmpfs -o "size=${mb}M,mode=0700" tmpfs "$mnt" 2>"$err"; then
    verdict tablespace_full SKIP "cannot mount a ${mb} MB tmpfs as $(id -un): $(head -c 200 "$err" | tr '\n' ' ') (needs root or passwordless sudo)"
    rmdir "$mnt"; return
  fi
  ts_mount=$mnt
  # LOCATION: an empty directory of the cluster's OS user (the filler file goes beside it)
  as_root chown "$owner" "$mnt" && as_owner mkdir "$mnt/pg" && q -c "CREATE TABLESPACE ts_full LOCATION '$mnt/pg'" 2>"$err" ||
    { verdict tablespace_full FAIL "CREATE TABLESPACE failed: $(head -c 200 "$err")"; ts_unmount; return; }
  local free_kb=$(( clean_bytes / 2048 )) avail_kb
  avail_kb=$(df -k --output=avail "$mnt" | tail -1 | tr -d ' ')
  as_root dd if=/dev/zero of="$mnt/filler" bs=1k count=$(( avail_kb - free_kb )) status=none 2>/dev/null
  avail_kb=$(df -k --output=avail "$mnt" | tail -1 | tr -d ' ')
  echo "     clean run: $clean_n pairs, $(( clean_bytes / 1024 )) kB; tmpfs ${mb} MB, ${avail_kb} kB left free by the filler"

  # 1. direct CREATE TABLE ... TABLESPACE ... AS
  local d_err=$work/ts_direct.err d_state d_msg d_left d_used_after
  psql -X -q -At -v VERBOSITY=verbose -c "CREATE TABLE ts_direct TABLESPACE ts_full AS SELECT * FROM usermatch.dedupe('stress', 'mem_src')" >/dev/null 2>"$d_err"
  d_state=$(sqlstate_of "$d_err")
  d_msg=$(grep -m1 'ERROR' "$d_err" | sed 's/^.*ERROR: *[0-9A-Z]*: *//')
  d_left=$(q -c "SELECT coalesce(to_regclass('ts_direct')::text, 'none')")
  d_used_after=$(df -k --output=avail "$mnt" | tail -1 | tr -d ' ')  # the aborted table's file is truncated at abort

  # 2. a background job writing into a result table in ts_full (batches of 2000 rows, 2 attempts)
  q -c "CREATE TABLE ts_job_results (LIKE usermatch.job_results) TABLESPACE ts_full"
  local job j_state j_code j_err j_attempts j_written j_scored j_rows j_dups j_extra
  job=$(q -c "SELECT usermatch.submit_job('dedupe', 'stress', 'mem_src', options => '{\"result_table\": \"ts_job_results\", \"batch_size\": 2000, \"max_attempts\": 2}')")
  j_state=$(q -c "SELECT usermatch.wait_job($job, '180 s')" 2>&1)
  read -r j_code j_attempts j_written j_scored < <(q -F ' ' -c "SELECT error_code, attempts, rows_written, pairs_scored FROM usermatch.jobs WHERE id = $job")
  j_err=$(q -c "SELECT error FROM usermatch.jobs WHERE id = $job")
  j_rows=$(q -c "SELECT count(*) FROM ts_job_results WHERE job_id = $job")
  j_dups=$(q -c "SELECT count(*) - count(DISTINCT (id1, id2)) FROM ts_job_results WHERE job_id = $job")
  # what is there must be whole rows of the clean run (the first rows_written in the job's order)
  j_extra=$(q -c "SELECT count(*) FROM (SELECT id1, id2, match_weight, match_probability FROM ts_job_results WHERE job_id = $job
      EXCEPT (SELECT id1, id2, match_weight, match_probability FROM ts_clean ORDER BY id1 COLLATE \"C\", id2 COLLATE \"C\" LIMIT ${j_written:-0})) d")

  # 3. space freed (the filler removed): the job again, and the same CREATE TABLE
  as_root rm -f "$mnt/filler"
  local r_state r_differs r_resumed c_err=$work/ts_again.err c_differs
  q -c "SELECT usermatch.retry_job($job)" >/dev/null
  r_state=$(q -c "SELECT usermatch.wait_job($job, '180 s')" 2>&1)
  r_resumed=$(q -c "SELECT resumed_from FROM usermatch.job_runs WHERE job_id = $job ORDER BY id DESC LIMIT 1")
  r_differs=$(q -c "SELECT (SELECT count(*) FROM ts_job_results WHERE job_id = $job) || ' rows, '
      || (SELECT count(*) - count(DISTINCT (id1, id2)) FROM ts_job_results WHERE job_id = $job) || ' duplicates, '
      || (SELECT count(*) FROM ((SELECT id1, id2, match_weight, match_probability FROM ts_job_results WHERE job_id = $job
                                 EXCEPT SELECT id1, id2, match_weight, match_probability FROM ts_clean)
                                UNION ALL (SELECT id1, id2, match_weight, match_probability FROM ts_clean
                                 EXCEPT SELECT id1, id2, match_weight, match_probability FROM ts_job_results WHERE job_id = $job)) d) || ' differ'")
  psql -X -q -At -c "CREATE TABLE ts_direct TABLESPACE ts_full AS SELECT * FROM usermatch.dedupe('stress', 'mem_src')" >/dev/null 2>"$c_err"
  c_differs=$(q -c "SELECT (SELECT count(*) FROM ts_direct) || ' rows, '
      || (SELECT count(*) FROM ((TABLE ts_direct EXCEPT TABLE ts_clean) UNION ALL (TABLE ts_clean EXCEPT TABLE ts_direct)) d) || ' differ'" 2>&1)
  local problem; problem=$(server_problem)
  q -c "DROP TABLE IF EXISTS ts_direct, ts_job_results, ts_clean" -c "DROP TABLESPACE ts_full" >/dev/null 2>&1
  ts_unmount

  local want_same="$clean_n rows, 0 duplicates, 0 differ"
  local detail="direct: ${d_state:-no error} \"${d_msg:-}\", table left: $d_left, ${d_used_after} kB free after (${avail_kb} before); job $job: $j_state, error_code ${j_code:-none} after ${j_attempts:-?} attempts (\"${j_err:0:160}\"), $j_rows rows in its result table = its checkpoint rows_written ${j_written:-?} (pairs_scored ${j_scored:-?}) ($j_dups duplicates, $j_extra not among the clean run's first ${j_written:-?}); space freed: retry_job -> $r_state, resumed from row ${r_resumed:-?}, $r_differs (clean $clean_n); CREATE TABLE again: $c_differs"
  if [[ $d_state == 53100 && $d_left == none && $j_state == failed && $j_code == 53100 && $j_err == *"No space left on device"* &&
        $j_rows == "${j_written:-x}" && $j_dups == 0 && $j_extra == 0 && $r_state == succeeded && $r_differs == "$want_same" &&
        $c_differs == "$clean_n rows, 0 differ" && -z $problem ]] && ((d_used_after >= avail_kb - 64 && j_written < clean_n)); then
    verdict tablespace_full PASS "$detail"
  else
    verdict tablespace_full FAIL "$detail; ${problem:-server fine}; $(head -c 200 "$c_err")"
  fi
}

check_hostile_sql() {
  echo "== hostile SQL: every function of the extension with NULL, '', 10 MB, extreme and non-finite values"
  q -d postgres -c "CREATE DATABASE stress_hostile"
  psql -X -q -d stress_hostile -v ON_ERROR_STOP=1 -v spec="$(cat "$repo/bench/profiles/users_realistic.json")" -f "$here/hostile_setup.sql" >/dev/null ||
    { verdict hostile_sql FAIL "setup failed"; return; }
  q -d stress_hostile -c "SELECT stmt FROM hostile_calls() ORDER BY ord" >"$work/hostile.sql"
  local n; n=$(wc -l <"$work/hostile.sql")
  { echo "SET statement_timeout = '5s';"; echo '\set VERBOSITY sqlstate'; echo '\set ECHO errors'; cat "$work/hostile.sql"; } |
    PGOPTIONS="-c client_min_messages=error" nice psql -X -q -At -d stress_hostile >/dev/null 2>"$work/hostile.err"
  local problem errors by_state internal
  problem=$(server_problem)
  errors=$(grep -c 'ERROR:' "$work/hostile.err")
  by_state=$(grep -Eo 'ERROR: +[0-9A-Z]{5}' "$work/hostile.err" | awk '{ print $2 }' | sort | uniq -c | sort -rn | awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }')
  internal=$(grep -c 'ERROR: *XX000' "$work/hostile.err")
  local fns; fns=$(q -d stress_hostile -c "SELECT count(DISTINCT fn) FROM hostile_calls()")
  if ((n == 0)); then
    verdict hostile_sql FAIL "no call generated (hostile_calls() failed?): $(head -c 300 "$work/hostile.err")"
  elif [[ -z $problem ]]; then
    verdict hostile_sql PASS "$n calls of $fns functions, no crash (postmaster unchanged, no signal in the log); $errors refused: $by_state"
  else
    verdict hostile_sql FAIL "$problem (after $n calls; see $work/hostile.err)"
  fi
  ((internal > 0)) && { echo "     note: $internal internal error(s) (XX000, not a crash) from:"; grep -A1 'ERROR: *XX000' "$work/hostile.err" | grep -v 'ERROR' | cut -c1-200 | sed 's/^/       /'; }
  q -d postgres -c "DROP DATABASE stress_hostile" >/dev/null 2>&1
}

check_privileges() {
  echo "== a non-superuser: another role's table, another role's profile, search_path"
  q -d postgres -c "CREATE DATABASE stress_priv"
  psql -X -q -d stress_priv -v ON_ERROR_STOP=1 -v spec="$(cat "$repo/bench/profiles/users_realistic.json")" -f "$here/privileges_setup.sql" >/dev/null ||
    { verdict privileges FAIL "setup failed"; return; }
  # 1. every function taking a table, called by mallory on alice's table
  q -d stress_priv -c "SELECT stmt FROM table_calls() ORDER BY 1" >"$work/priv_tables.sql"
  local total refused=0 leaked=() allowed=()
  # Calls that read no row of the table, so need no SELECT right (checked in the code): they are
  # allowed to succeed. validate_profile(spec, source) reads column names and types, which the
  # catalog shows every role anyway.
  # drop_cache(profile, target) drops only the caller's own backend cache entries.
  # _incremental_online_refusal (added in 0.4.0, after this check last ran) reads the profile, the
  # caller's rows of usermatch.online_targets (row-level security) and pg_class, and counts rows
  # only with the caller's rights (SECURITY INVOKER): here it stops at "has no online index".
  catalog_only() { [[ $1 == *usermatch.validate_profile\(* || $1 == *usermatch.drop_cache\(* ||
                     $1 == *usermatch._incremental_online_refusal\(* ]]; }
  # submit_job / schedule (and the _submit_job / _schedule they call) outside usermatch.database
  # (stress) stop at 55000 before reading anything.
  jobs_elsewhere() { [[ $2 == 55000 && ( $1 == *usermatch.submit_job\(* || $1 == *usermatch.schedule\(* ||
                                           $1 == *usermatch._submit_job\(* || $1 == *usermatch._schedule\(* ) ]]; }
  total=$(wc -l <"$work/priv_tables.sql")
  while IFS= read -r stmt; do
    local st
    st=$(PGUSER=mallory psql -X -q -At -d stress_priv -v VERBOSITY=verbose -c "$stmt" 2>&1 >/dev/null | grep -Eo '^ERROR: +[0-9A-Z]{5}' | grep -Eo '[0-9A-Z]{5}$')
    if [[ $st == 42501 ]]; then refused=$((refused + 1))
    elif jobs_elsewhere "$stmt" "$st"; then allowed+=("$(sed -E 's/^SELECT count\(\*\) FROM usermatch\.([a-z_]+)\(.*/\1/' <<<"$stmt") -> 55000, jobs run only in database stress")
    elif catalog_only "$stmt"; then allowed+=("$(sed -E 's/^SELECT count\(\*\) FROM usermatch\.([a-z_]+)\(.*/\1/' <<<"$stmt") -> ${st:-succeeded}")
    else leaked+=("${stmt:0:100}… -> ${st:-succeeded}"); fi
  done <"$work/priv_tables.sql"
  # 2. alice's profile: every way mallory could change it
  local before after
  before=$(q -d stress_priv -c "SELECT md5(string_agg(p::text, '|' ORDER BY p::text)) FROM (SELECT * FROM usermatch.profiles WHERE name = 'alice_p') p")
  before+=$(q -d stress_priv -c "SELECT md5(coalesce(string_agg(v::text, '|' ORDER BY v::text), '')) FROM usermatch.profile_versions v WHERE v::text LIKE '%alice_p%'")
  PGUSER=mallory psql -X -d stress_priv -f "$here/privileges_profile.sql" >"$work/priv_profile.out" 2>&1
  after=$(q -d stress_priv -c "SELECT md5(string_agg(p::text, '|' ORDER BY p::text)) FROM (SELECT * FROM usermatch.profiles WHERE name = 'alice_p') p")
  after+=$(q -d stress_priv -c "SELECT md5(coalesce(string_agg(v::text, '|' ORDER BY v::text), '')) FROM usermatch.profile_versions v WHERE v::text LIKE '%alice_p%'")
  local attempts profile_errors
  attempts=$(grep -c '^-- attempt' "$here/privileges_profile.sql")
  profile_errors=$(grep -c '^psql.*ERROR' "$work/priv_profile.out")
  local no_rows; no_rows=$(grep -Ec '^(UPDATE|DELETE) 0$' "$work/priv_profile.out")
  # 3. search_path: mallory's schema shadows every extension function and common built-ins;
  #    superuser and mallory call the extension with it first in search_path; any shadow function
  #    that runs logs who ran it.
  PGUSER=mallory psql -X -q -d stress_priv -f "$here/privileges_shadow.sql" >"$work/priv_shadow.out" 2>&1
  q -d stress_priv -c "SELECT stmt FROM normal_calls() ORDER BY 1" >"$work/priv_normal.sql"
  { echo "SET search_path = mal, pg_catalog, public;"; cat "$work/priv_normal.sql"; } | psql -X -q -d stress_priv >/dev/null 2>&1
  { echo "SET search_path = mal, pg_catalog, public;"; cat "$work/priv_normal.sql"; } | PGUSER=mallory psql -X -q -d stress_priv >/dev/null 2>&1
  local hijacked own_hits create_in_schema
  hijacked=$(q -d stress_priv -c "SELECT string_agg(DISTINCT fn || ' as ' || who, ', ') FROM mal.hits WHERE who <> 'mallory'")
  own_hits=$(q -d stress_priv -c "SELECT string_agg(DISTINCT fn, ', ') FROM mal.hits WHERE who = 'mallory'")
  create_in_schema=$(PGUSER=mallory psql -X -q -At -d stress_priv -v VERBOSITY=verbose -c "CREATE FUNCTION usermatch.x() RETURNS int LANGUAGE sql AS 'SELECT 1'" 2>&1 | grep -Eo 'ERROR: +[0-9A-Z]{5}' | grep -Eo '[0-9A-Z]{5}$')
  local definer_unsafe
  definer_unsafe=$(q -d stress_priv -c "SELECT string_agg(p.oid::regprocedure::text, ', ') FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
      JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'usermatch'
      WHERE p.prosecdef AND NOT coalesce(p.proconfig::text LIKE '%search_path=pg_catalog%', false)")
  local problem; problem=$(server_problem)
  local detail="tables: $refused/$total calls on alice's table refused with 42501; alice's profile: $attempts attempts, $profile_errors refused with an error, $no_rows touched no row (row-level security), profile ${before:+$([[ $before == "$after" ]] && echo unchanged || echo CHANGED)}; search_path: ${hijacked:-no shadow function ran for another role}, CREATE in schema usermatch: ${create_in_schema:-allowed}, SECURITY DEFINER without pinned search_path: ${definer_unsafe:-none}"
  ((${#allowed[@]} > 0)) && detail="${detail/ refused with 42501;/ refused with 42501 (+ ${#allowed[@]} that read no row or stop before: ${allowed[*]});}"
  if ((total > 0 && refused + ${#allowed[@]} == total)) && [[ $before == "$after" && -z $hijacked && $create_in_schema == 42501 && -z $definer_unsafe && -z $problem ]]; then
    verdict privileges PASS "$detail"
  else
    verdict privileges FAIL "$detail ${problem}"
    ((${#leaked[@]} > 0)) && printf '     not refused: %s\n' "${leaked[@]}"
  fi
  [[ -n $own_hits ]] && echo "     note: in mallory's own session (no privilege gained) her shadow functions ran inside: $own_hits"
  q -d postgres -c "DROP DATABASE stress_priv" >/dev/null 2>&1
}

check_fuzz() {
  ((fuzz_seconds > 0)) || { verdict fuzz SKIP "FUZZ_SECONDS=0"; return; }
  echo "== fuzzing: make fuzz FUZZ_SECONDS=$fuzz_seconds (16 targets)"
  local rc out=$work/fuzz.out
  (cd "$repo" && nice make -s fuzz FUZZ_SECONDS="$fuzz_seconds") >"$out" 2>&1
  rc=$?
  local summary execs targets
  summary=$(sed -n '/=== fuzzing summary/,$p' "$out")
  execs=$(echo "$summary" | awk 'NR > 2 && $2 ~ /^[0-9]+$/ { e += $2; n++ } END { printf "%d executions over %d targets", e, n }')
  echo "$summary" | sed -n '2,$p' | sed 's/^/     /'
  if ((rc == 0)); then
    verdict fuzz PASS "$execs, no crash (per target: cov = edges, ft = features above)"
  else
    verdict fuzz FAIL "rc=$rc; $execs; $(tail -3 "$out" | tr '\n' ' ')"
  fi
}

# Opt-in (CHECKS=selftest): proves that server_problem sees a crash. A backend killed with SIGSEGV
# makes the postmaster restart every backend and log it; the detector must report it. The log
# offset then moves past the crash so the run's other checks start clean again.
check_selftest() {
  echo "== selftest: does the crash detector see a backend killed by SIGSEGV?"
  psql -X -q -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
  local client=$! pid
  pid=$(for _ in $(seq 100); do p=$(q -d postgres -c "SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%' AND pid <> pg_backend_pid()"); [[ -n $p ]] && { echo "$p"; break; }; sleep 0.1; done)
  [[ -n $pid ]] || { verdict selftest FAIL "no backend to kill"; return; }
  kill -SEGV "$pid"; wait "$client" 2>/dev/null
  for _ in $(seq 100); do q -d postgres -c "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
  sleep 1
  local seen; seen=$(server_problem)
  log_from=$(stat -c %s "$log")
  if [[ $seen == *"terminated by signal"* ]]; then verdict selftest PASS "detector reported: $seen"; else verdict selftest FAIL "detector missed a SIGSEGV: '${seen}'"; fi
}

# ------------------------------------------------------------------------------------------------
# Online matching, background jobs and statistics (issues 9, 10, 11).
as_owner() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
wait_for() {  # SQL-BOOLEAN SECONDS: polls until the query returns t
  local deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do [[ $(q -c "$1" 2>/dev/null) == t ]] && return 0; sleep 0.1; done
  return 1
}
wait_accepting() { for _ in $(seq 600); do q -c "SELECT 1" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
# After a deliberate kill -9 or restart: the server must be back; the crash detector then starts
# after it (new postmaster pid, log offset). Any other crash in the log meanwhile (a signal other
# than 9) is reported. Sets fault_problem (empty when fine); not run in a subshell.
fault_problem=""
accept_fault() {  # LOG_OFFSET_BEFORE
  fault_problem=""
  wait_accepting || { fault_problem="server did not come back"; return; }
  local other
  other=$(tail -c +$(($1 + 1)) "$log" | grep -E 'terminated by signal|terminated by exception' | grep -v 'signal 9: Killed' | head -1)
  postmaster_pid=$(head -1 "$UM_CLUSTER_DIR/data/postmaster.pid")
  log_from=$(stat -c %s "$log")
  [[ -n $other ]] && fault_problem="unexpected crash: $other"
}
mo_script=$work/match_one.pgbench
printf '%s\n' '\set n random(1, 500)' \
  "SELECT count(*) FROM usermatch.match_one('stress', (SELECT rec FROM mo_queries WHERE n = :n), 'mo_target', 10);" >"$mo_script"

check_match_one_clients() {
  needs usermatch.match_one match_one_clients || return 0
  local t=$(( secs < 60 ? secs : 60 )) out=$work/match_one.out rc job
  echo "== match_one: 32 pgbench clients (-M prepared) for ${t}s against a warm_cache'd target of 2000 users, a background dedupe running"
  local indexed; indexed=$(q -c "SELECT usermatch.warm_cache('stress', 'mo_target')" 2>&1)
  job=$(q -c "SELECT usermatch.submit_job('dedupe', 'stress', 'users_t')" 2>&1)
  nice pgbench -n -M prepared -c 32 -j 2 -T "$t" -f "$mo_script" >"$out" 2>&1
  rc=$?
  local tx failed_tx errs problem jstate jrows direct
  tx=$(sed -n 's/^number of transactions actually processed: *\([0-9]*\).*/\1/p' "$out")
  failed_tx=$(sed -n 's/^number of failed transactions: *\([0-9]*\).*/\1/p' "$out")
  errs=$(grep -c 'aborted\|ERROR' "$out")
  jstate=$(q -c "SELECT usermatch.wait_job($job, '120 s')" 2>&1)
  jrows=$(q -c "SELECT count(*) FROM usermatch.job_results WHERE job_id = $job" 2>&1)
  direct=$(q -c "SELECT count(*) FROM usermatch.dedupe('stress', 'users_t')" 2>&1)
  problem=$(server_problem)
  local lat; lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$out")
  if ((rc == 0)) && [[ -z $problem && ${failed_tx:-0} == 0 && $errs == 0 && $indexed =~ ^[0-9]+$ && ${tx:-0} -gt 0 && $jstate == succeeded && $jrows == "$direct" ]]; then
    verdict match_one_clients PASS "$tx lookups by 32 clients in ${t}s ($(sed -n 's/^tps = \([0-9]*\).*/\1/p' "$out" | head -1) tps, ${lat} ms average; warm_cache indexed $indexed rows), 0 errors, server up; the background dedupe beside them succeeded ($jrows pairs, as a direct dedupe)"
  else
    verdict match_one_clients FAIL "pgbench rc=$rc, lookups ${tx:-?}, failed ${failed_tx:-?}, error lines $errs, warm_cache: $indexed, job $job: $jstate ($jrows pairs, direct $direct), ${problem:-server fine}; log: $out"
    grep -m5 -E 'aborted|ERROR' "$out"
  fi
}

job_direct=""
direct_run() {  # the direct dedupe the jobs' results must equal (once)
  [[ -n $job_direct ]] && return
  q -c "CREATE TABLE job_direct AS SELECT * FROM usermatch.dedupe('job_p', 'job_src')"
  job_direct=$(q -c "SELECT count(*) FROM job_direct")
}
# Submits the slow dedupe job (batch_size 1) and waits until it has committed over 50 rows; echoes its id.
slow_job() {
  local job
  job=$(q -c "SELECT usermatch.submit_job('dedupe', 'job_p', 'job_src', options => '{\"batch_size\": 1, \"max_attempts\": 3}')") || return 1
  wait_for "SELECT state = 'running' AND rows_written > 50 FROM usermatch.job_queue WHERE id = $job" 60 || return 1
  echo "$job"
}
# Compares a finished job's rows with the direct dedupe's: echoes nothing when equal.
job_differs() {  # JOB
  local n dup diff
  n=$(q -c "SELECT count(*) FROM usermatch.job_results WHERE job_id = $1")
  dup=$(q -c "SELECT count(*) - count(DISTINCT (id1, id2)) FROM usermatch.job_results WHERE job_id = $1")
  diff=$(q -c "SELECT count(*) FROM (
      (SELECT id1, id2, match_weight, match_probability FROM usermatch.job_results WHERE job_id = $1
       EXCEPT SELECT id1, id2, match_weight, match_probability FROM job_direct)
      UNION ALL
      (SELECT id1, id2, match_weight, match_probability FROM job_direct
       EXCEPT SELECT id1, id2, match_weight, match_probability FROM usermatch.job_results WHERE job_id = $1)) d")
  [[ $n == "$job_direct" && $dup == 0 && $diff == 0 ]] || echo "$n rows (direct $job_direct), $dup duplicates, $diff rows differ"
}

check_worker_kill() {
  needs usermatch.submit_job worker_kill || return 0
  echo "== kill -9 of a background job's worker mid-job"
  local job before pid offset problem state runs differs
  direct_run
  job=$(slow_job) || { verdict worker_kill FAIL "the job never got part way (state: $(q -c "SELECT state || ' ' || rows_written FROM usermatch.job_queue ORDER BY id DESC LIMIT 1"))"; return; }
  before=$(q -c "SELECT rows_written FROM usermatch.job_queue WHERE id = $job")
  pid=$(q -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'usermatch job' AND pid = (SELECT worker_pid FROM usermatch.job_queue WHERE id = $job)")
  [[ -n $pid ]] || { verdict worker_kill FAIL "job $job: no 'usermatch job' backend in pg_stat_activity with its worker_pid"; return; }
  offset=$(stat -c %s "$log")
  kill -9 "$pid"
  sleep 1
  accept_fault "$offset"; problem=$fault_problem
  state=$(q -c "SELECT usermatch.wait_job($job, '180 s')" 2>&1)
  runs=$(q -c "SELECT string_agg(state, ',' ORDER BY id) FROM usermatch.job_runs WHERE job_id = $job" 2>&1)
  differs=$(job_differs "$job")
  [[ -z $problem ]] && problem=$(server_problem)
  if [[ $state == succeeded && -z $differs && -z $problem && $runs == interrupted,succeeded ]]; then
    verdict worker_kill PASS "worker $pid of job $job killed (-9) after $before committed rows; server recovered, runs $runs; the job's $job_direct rows equal a direct dedupe's, no duplicates"
  else
    verdict worker_kill FAIL "job $job: $state, runs ${runs:-none}; ${differs:-results equal}; ${problem:-server fine}"
  fi
}

check_restart_mid_job() {
  needs usermatch.submit_job restart_mid_job || return 0
  echo "== server restart (pg_ctl restart -m immediate) mid-job"
  local job before offset problem state resumed differs
  direct_run
  job=$(slow_job) || { verdict restart_mid_job FAIL "the job never got part way"; return; }
  before=$(q -c "SELECT rows_written FROM usermatch.job_queue WHERE id = $job")
  offset=$(stat -c %s "$log")
  as_owner "$(pg_config --bindir)/pg_ctl" -D "$UM_CLUSTER_DIR/data" -l "$log" -m immediate -w -t 60 restart >/dev/null 2>&1 ||
    { verdict restart_mid_job FAIL "pg_ctl restart failed"; return; }
  accept_fault "$offset"; problem=$fault_problem
  state=$(q -c "SELECT usermatch.wait_job($job, '180 s')" 2>&1)
  resumed=$(q -c "SELECT resumed_from FROM usermatch.job_runs WHERE job_id = $job ORDER BY id DESC LIMIT 1" 2>&1)
  differs=$(job_differs "$job")
  [[ -z $problem ]] && problem=$(server_problem)
  if [[ $state == succeeded && -z $differs && -z $problem ]] && ((resumed >= before && resumed < job_direct)); then
    verdict restart_mid_job PASS "immediate restart after $before committed rows of job $job; it resumed from row $resumed and succeeded; its $job_direct rows equal a direct dedupe's, no duplicates"
  else
    verdict restart_mid_job FAIL "job $job: $state, resumed from ${resumed:-?} (killed after $before); ${differs:-results equal}; ${problem:-server fine}"
  fi
}

check_background_schedule() {
  needs usermatch.schedule background_schedule || return 0
  echo "== a schedule every second: fires, then stops when unscheduled"
  local fired t0 t1 after later failed problem
  q -c "SELECT usermatch.schedule('stress_every_1s', '1 second', 'dedupe', 'stress', 'sched_src')" >/dev/null ||
    { verdict background_schedule FAIL "schedule() failed"; return; }
  t0=$(date +%s.%N)
  wait_for "SELECT count(*) >= 3 FROM usermatch.job_queue WHERE schedule_name = 'stress_every_1s' AND state = 'succeeded'" 30
  t1=$(date +%s.%N)
  fired=$(q -c "SELECT count(*) FROM usermatch.job_queue WHERE schedule_name = 'stress_every_1s'")
  q -c "SELECT usermatch.unschedule('stress_every_1s')" >/dev/null
  sleep 1
  wait_for "SELECT NOT EXISTS (SELECT 1 FROM usermatch.job_queue WHERE schedule_name = 'stress_every_1s' AND state IN ('queued', 'running'))" 30
  after=$(q -c "SELECT count(*) FROM usermatch.job_queue WHERE schedule_name = 'stress_every_1s'")
  sleep 5
  later=$(q -c "SELECT count(*) FROM usermatch.job_queue WHERE schedule_name = 'stress_every_1s'")
  failed=$(q -c "SELECT count(*) FROM usermatch.job_queue WHERE schedule_name = 'stress_every_1s' AND state <> 'succeeded'")
  problem=$(server_problem)
  local span; span=$(echo "$t1 - $t0" | bc)
  if ((fired >= 2 && later == after && failed == 0)) && [[ -z $problem ]]; then
    verdict background_schedule PASS "$(printf '%s jobs submitted in %.1f s (3 succeeded first)' "$fired" "$span"); unscheduled: $after in total, still $later 5 s later; all succeeded"
  else
    verdict background_schedule FAIL "fired $fired; after unschedule $after, 5 s later $later; $failed not succeeded; ${problem:-server fine}"
  fi
}

check_statistics_consistent() {
  needs usermatch.performance_metrics statistics_consistent || return 0
  local clients=8 per=25 dedupes=3
  echo "== statistics: stat_reset, then $clients clients x $per match_one calls (pgbench -t) and $dedupes dedupes"
  q -c "SELECT usermatch.stat_reset()" >/dev/null || { verdict statistics_consistent FAIL "stat_reset failed"; return; }
  local out=$work/stats.out rc
  nice pgbench -n -M prepared -c "$clients" -j 2 -t "$per" -f "$mo_script" >"$out" 2>&1
  rc=$?
  for _ in $(seq $dedupes); do q -c "SELECT count(*) FROM usermatch.dedupe('stress', 'users_s')" >/dev/null; done
  local tx expected=$((clients * per)) got dd errs p50 p99
  tx=$(sed -n 's/^number of transactions actually processed: *\([0-9]*\).*/\1/p' "$out")
  # the counters of other backends reach shared memory at the end of each call; allow a moment
  wait_for "SELECT coalesce(sum(calls), 0) = $expected FROM usermatch.performance_metrics WHERE database = 'stress' AND operation = 'match_one'" 5
  got=$(q -c "SELECT coalesce(sum(calls), 0) FROM usermatch.performance_metrics WHERE database = 'stress' AND operation = 'match_one'")
  errs=$(q -c "SELECT coalesce(sum(errors), 0) FROM usermatch.performance_metrics WHERE database = 'stress' AND operation IN ('match_one', 'dedupe')")
  dd=$(q -c "SELECT coalesce(sum(calls), 0) FROM usermatch.performance_metrics WHERE database = 'stress' AND operation = 'dedupe' AND profile = 'stress'")
  read -r p50 p99 < <(q -F ' ' -c "SELECT round(p50_ms::numeric, 2), round(p99_ms::numeric, 2) FROM usermatch.performance_metrics WHERE database = 'stress' AND operation = 'match_one' ORDER BY calls DESC LIMIT 1")
  local problem; problem=$(server_problem)
  if ((rc == 0)) && [[ $tx == "$expected" && $got == "$expected" && $dd == "$dedupes" && $errs == 0 && -z $problem ]]; then
    verdict statistics_consistent PASS "performance_metrics after stat_reset: match_one calls $got = $clients x $per made, dedupe calls $dd = $dedupes made, 0 errors (match_one p50 $p50 ms, p99 $p99 ms)"
  else
    verdict statistics_consistent FAIL "pgbench rc=$rc made ${tx:-?} of $expected; performance_metrics match_one calls $got, dedupe calls $dd (made $dedupes), errors $errs; ${problem:-server fine}"
  fi
}

for c in $checks; do
  if ! declare -F "check_$c" >/dev/null; then echo "unknown check $c (known: $all_checks selftest)" >&2; exit 2; fi
done
check_times=("setup $(( $(date +%s) - started ))s")
for c in $checks; do
  t_check=$(date +%s)
  "check_$c"
  check_times+=("$c $(( $(date +%s) - t_check ))s")
done

problem=$(server_problem)
[[ -n $problem ]] && verdict server FAIL "$problem"
echo
echo "== stress summary ($(( $(date +%s) - started )) s, DURATION=$duration, CLIENTS=$clients, FUZZ_SECONDS=$fuzz_seconds)"
printf '%s\n' "${results[@]}"
echo "wall time per check: ${check_times[*]}" | sed 's/s /s, /g'
if ((failed > 0)); then echo "stress: $failed check(s) FAILED"; exit 1; fi
if ((${#skipped[@]} > 0)); then echo "stress: all checks passed, ${#skipped[@]} skipped (${skipped[*]}; see above)"; else echo "stress: all checks passed"; fi
