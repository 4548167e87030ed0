#!/usr/bin/env bash
# The benchmark suite (issue 12): `make bench LEVEL=small|medium|large|extreme`, or
#   bench/suite.sh LEVEL
# Generates LEVEL's realistic users (generate_users(n, 42, 0.3, 0.5, 'realistic'): Latin and
# Chinese names, known duplicates in entity_id) in a throwaway cluster, then runs every step of
# STEPS below on them, usermatch and its peers on the same data in the same run, each step in a
# fresh backend (peak memory = that backend's VmHWM). Prints one table and writes
# bench/results/suite-LEVEL-<UTC time>.{json,md}, then redraws bench/results/suite.svg (time and
# F1 against size, from every suite JSON present).
#
# Levels: small 10,000 | medium 100,000 | large 1,000,000 | extreme 5,000,000 users.
# Environment (besides lib.sh's UM_BENCH_PORT, UM_BENCH_CLUSTER_DIR, UM_BENCH_NO_BUILD):
#   UM_BENCH_ROWS          override the number of users of the level
#   UM_BENCH_PEER_TIMEOUT  time cap of each peer, statement_timeout syntax (default: small 2min,
#                          medium 5min, large 90s, extreme 10min); usermatch steps get UM_BENCH_TIMEOUT
#                          (default 30min). At large (target: the whole run in 10 min) the peers
#                          pg_trgm and fuzzystrmatch cannot finish 1M users in minutes; with 5 min each
#                          the peers alone took up to 15 min. A peer over its cap is still reported,
#                          as "timed out" with the time it ran (its time ratio a lower bound).
#   UM_BENCH_TRGM_FLOOR    pg_trgm.similarity_threshold of the trigram peer (default 0.5: the cut-off
#                          its oracle-tuned F1 picks on small anyway; 0.3 is 10x slower)
#   UM_BENCH_BLOCK_CAP     block cap of the fuzzystrmatch peer (default 500); the exact-key peer
#                          caps key values at UM_BENCH_KEY_CAP records (default 20)
#   UM_BENCH_THREADS       usermatch.threads (default 2)
#   UM_BENCH_MEMORY_LIMIT  usermatch.memory_limit (default 1GB, the GUC's default; extreme 4GB, the
#                          default usermatch.max_memory_limit: 5M records need ~3 GB)
#   STEPS                  the steps to run, space separated (default: all, in the order below)
#
# Adding a step (e.g. after merging match_one, jobs or statistics): write a function step_<name>
# that starts with `needs usermatch.<function> || return 0` and calls `run_step`, then add <name>
# to all_steps. A step whose function is missing is reported as "not available in this build".
set -euo pipefail
level=${1:-${LEVEL:-small}}
case $level in
  small) rows=10000 cap=2min mo_secs=20 ;;
  medium) rows=100000 cap=5min mo_secs=20 ;;
  large) rows=1000000 cap=90s mo_secs=10 ;;  # 3 peers x cap must leave the usermatch steps room in 10 min
  extreme) rows=5000000 cap=10min mo_secs=10 mem=4GB ;;
  *) echo "usage: $0 small|medium|large|extreme" >&2; exit 2 ;;
esac
rows=${UM_BENCH_ROWS:-$rows}
peer_timeout=${UM_BENCH_PEER_TIMEOUT:-$cap}
um_timeout=${UM_BENCH_TIMEOUT:-30min}
trgm_floor=${UM_BENCH_TRGM_FLOOR:-0.5}
block_cap=${UM_BENCH_BLOCK_CAP:-500}
key_cap=${UM_BENCH_KEY_CAP:-20}
threads=${UM_BENCH_THREADS:-2}
memory_limit=${UM_BENCH_MEMORY_LIMIT:-${mem:-1GB}}
all_steps="load dedupe link clusters train dedupe_trained match_one background_job incremental_job statistics peer_trgm peer_fuzzy peer_exact"
steps=${STEPS:-$all_steps}

# The background-job launcher works in lib.sh's database (usermatch.database, set at initdb).
export UM_JOBS_DATABASE=usermatch_bench
source "$(dirname "$0")/lib.sh"
results=$repo/bench/results
mkdir -p "$results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
run_started=$(date +%s.%N)
machine=$(bench_machine)
echo "$machine"
echo "# reproduce: make bench LEVEL=$level   (bench/suite.sh $level; $rows users, peer cap $peer_timeout)"
bench_start
export PGOPTIONS="-c usermatch.threads=$threads -c usermatch.memory_limit=$memory_limit -c client_min_messages=warning"
sql -v spec="$(cat "$repo/bench/profiles/users_realistic.json")" \
  <<<"SELECT usermatch.create_profile('bench', :'spec'::jsonb); SELECT usermatch.create_profile('bench_trained', :'spec'::jsonb);" >/dev/null
sql -f "$repo/bench/sql/quality_lib.sql" -f "$repo/bench/sql/suite_lib.sql" >/dev/null
sql -c "CREATE TABLE users_warm AS SELECT * FROM usermatch.generate_users(100, 7, 0.3, 0.5, 'realistic')"

# run_step STEP TOOL TASK RECORDS TIMEOUT QUERY [PAIRS_TABLE TRUTH LINK NOTE]: one step in a fresh backend.
run_step() {
  local step=$1 tool=$2 task=$3 records=$4 timeout=$5 query=$6 pairs=${7:-} truth=${8:-} link=${9:-false} note=${10:-}
  printf '  %-16s %-14s ' "$step" "$tool"
  # The fresh backend first pays its one-off start-up costs on 100 rows (usermatch: ICU, phone
  # metadata; peers: loading their library), untimed, so small levels measure the work.
  local warm="SELECT count(*) FROM usermatch.dedupe('bench', 'users_warm')"
  [[ $tool != usermatch ]] && warm="SELECT similarity('a', 'b'), dmetaphone('a'), levenshtein('a', 'b')"
  sql -At -v q="$query" -v pt="$pairs" -v tr="$truth" -v nt="$note" <<SQL | tail -1
$warm \\g /dev/null
SET statement_timeout = '$timeout';
SELECT suite_step('$step', '$tool', '$task', $records, :'q', nullif(:'pt', ''), nullif(:'tr', ''), $link, nullif(:'nt', '')) AS n \\gset
SELECT status || ' ' || round(seconds::numeric, 2) || ' s' || coalesce(' (' || note || ')', '') FROM suite_results WHERE ord = :n AND status <> 'ok';
SELECT status || ' ' || round(seconds::numeric, 2) || ' s' FROM suite_results WHERE ord = :n AND status = 'ok';
SQL
}
# needs FUNCTION_OR_VIEW STEP: true when this build has it; otherwise records the step as not available.
needs() {
  local have
  have=$(sql -At -c "SELECT coalesce(to_regproc('$1')::text, to_regclass('$1')::text, '')")
  if [[ -z $have ]]; then
    printf '  %-16s %-14s not available in this build (no %s)\n' "$2" usermatch "$1"
    sql -c "SELECT suite_unavailable('$2', 'usermatch', '$1')" >/dev/null
    return 1
  fi
}

step_load() {
  run_step load usermatch generate "$rows" "$um_timeout" \
    "CREATE TABLE users AS SELECT * FROM usermatch.generate_users($rows, 42, 0.3, 0.5, 'realistic')" "" "" false \
    "generate_users + CREATE TABLE AS"
  # Untimed preparation: truth, the two halves for link, the peers' inputs (what a user prepares by
  # hand, as in quality.sh: lower-cased name, YYYYMMDD date, phone digits, e-mail, ID number, address).
  sql <<'SQL'
CREATE TABLE users_truth AS SELECT user_id id, entity_id entity, 0 side FROM users;
CREATE TABLE users_a AS SELECT * FROM users WHERE hashtext(user_id) & 1 = 0;
CREATE TABLE users_b AS SELECT * FROM users WHERE hashtext(user_id) & 1 = 1;
CREATE TABLE link_truth AS SELECT user_id id, entity_id entity, (hashtext(user_id) & 1) side FROM users;
CREATE TABLE bl_input AS SELECT user_id id, 0 side, lower(full_name) name_key, bl_date(birth_date) dob,
  nullif(right(regexp_replace(phone, '\D', '', 'g'), 9), '') id1, lower(trim(email)) id2,
  upper(id_number) id3, lower(concat_ws(' ', address, city)) addr FROM users;
CREATE TABLE bl_trgm AS SELECT * FROM bl_input;
CREATE TABLE bl_fuzzy AS SELECT * FROM bl_input;
CREATE TABLE bl_exact AS SELECT * FROM bl_input;
CREATE INDEX ON users_truth (id); CREATE INDEX ON link_truth (id);
CREATE INDEX ON bl_fuzzy (id);
VACUUM ANALYZE;
-- The load's writes are flushed now, not by a checkpoint during the first timed step.
CHECKPOINT;
SQL
}
step_dedupe() {
  run_step dedupe usermatch dedupe "$rows" "$um_timeout" \
    "CREATE TABLE um_dedupe AS SELECT id1 l, id2 r FROM usermatch.dedupe('bench', 'users')" um_dedupe users_truth false \
    "hand profile bench/profiles/users_realistic.json, its threshold"
}
step_link() {
  run_step link usermatch link "$rows" "$um_timeout" \
    "CREATE TABLE um_link AS SELECT left_id l, right_id r FROM usermatch.link('bench', 'users_a', 'users_b')" um_link link_truth true \
    "users split in two halves by hashtext(user_id)"
}
step_clusters() {
  run_step clusters usermatch clusters "$rows" "$um_timeout" \
    "CREATE TABLE um_clusters AS SELECT * FROM usermatch.clusters('bench', 'users')" "" "" false \
    "quality: pairs within a cluster"
  sql -c "CREATE TABLE um_cluster_pairs AS SELECT a.record_id l, b.record_id r FROM um_clusters a
          JOIN um_clusters b ON a.entity_id = b.entity_id AND a.record_id < b.record_id" 2>/dev/null &&
    sql -c "UPDATE suite_results SET pairs_table = 'um_cluster_pairs', truth = 'users_truth' WHERE step = 'clusters' AND status = 'ok'" || true
}
step_train() {
  run_step train usermatch train "$rows" "$um_timeout" \
    "SELECT usermatch.train('bench_trained', 'users')" "" "" false "no labels; stores a new version of profile bench_trained"
}
step_dedupe_trained() {
  run_step dedupe_trained usermatch dedupe "$rows" "$um_timeout" \
    "CREATE TABLE um_dedupe_trained AS SELECT id1 l, id2 r FROM usermatch.dedupe('bench_trained', 'users')" \
    um_dedupe_trained users_truth false "profile after train, its threshold"
}
# match_one through pgbench, 1, 8 and 32 clients, each for UM_BENCH_MATCH_ONE_SECONDS (default 20;
# 10 at large and extreme, where the rest of the run is longer):
# one record of users_b (its profile columns only) against users_a per call, -M prepared. Written against the
# signature in issue 9 (match_one(profile, record jsonb, target regclass, k)); first run after merging.
step_match_one() {
  needs usermatch.match_one match_one || return 0
  local secs=${UM_BENCH_MATCH_ONE_SECONDS:-$mo_secs} script=$UM_CLUSTER_DIR/match_one.pgbench c out
  sql -c "CREATE TABLE IF NOT EXISTS probes AS SELECT row_number() OVER (ORDER BY user_id) AS n,
            jsonb_build_object('full_name', full_name, 'phone', phone, 'email', email,
              'birth_date', birth_date, 'id_number', id_number, 'address', address, 'city', city) AS rec
          FROM users_b" -c "CREATE UNIQUE INDEX IF NOT EXISTS probes_n ON probes (n)"
  [[ -n $(sql -At -c "SELECT to_regproc('usermatch.warm_cache')") ]] && sql -c "SELECT usermatch.warm_cache('bench', 'users_a')" >/dev/null
  local nprobes; nprobes=$(sql -At -c "SELECT count(*) FROM probes")
  printf '\\set i random(1, %s)\nSELECT count(*) FROM usermatch.match_one('"'bench'"', (SELECT rec FROM probes WHERE n = :i), '"'users_a'"', 10);\n' "$nprobes" >"$script"
  for c in 1 8 32; do
    local rc=0 tx lat
    out=$(nice pgbench -n -M prepared -c "$c" -j 2 -T "$secs" -f "$script" 2>&1) || rc=$?
    tx=$(sed -n 's/^number of transactions actually processed: *\([0-9]*\).*/\1/p' <<<"$out")
    lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<<"$out")
    local first=""
    # Each pgbench connection is a new backend whose first call loads the target's index; at large
    # sizes that can take longer than the run, and the figure is then that first call's.
    ((rc == 0 && ${tx:-0} < 2 * c)) && first="; fewer than 2 calls per client: mostly each new backend's first call, which loads the target's index"
    printf '  %-16s %-14s %s\n' "match_one_c$c" usermatch "$( ((rc == 0)) && echo "ok ${tx:-?} calls in ${secs} s, ${lat:-?} ms average$first" || echo "error (pgbench rc=$rc)")"
    sql -c "INSERT INTO suite_results (step, tool, task, status, records, seconds, note)
            VALUES ('match_one_c$c', 'usermatch', 'match_one', '$( ((rc == 0)) && echo ok || echo error)', ${tx:-0}, $secs,
                    'pgbench $c client(s); records = calls; latency average ${lat:-?} ms$first')" >/dev/null
  done
}
# Runs a background job and waits for it (two sessions: the launcher sees only a committed job).
# Echoes "JOB STATE SECONDS" (seconds: submitted -> finished, from usermatch.job_queue: the queue
# wait and the worker's start included).
run_job() {  # PROFILE SOURCE OPTIONS_JSON
  local job state
  # The launcher connects to usermatch_bench only once it exists (it retries every 5 s): wait for it
  # first, so that the time is the job's, not the launcher's start.
  for _ in $(seq 300); do [[ $(sql -At -c "SELECT usermatch.launcher_pid() IS NOT NULL") == t ]] && break; sleep 0.1; done
  job=$(sql -At -c "SELECT usermatch.submit_job('dedupe', '$1', '$2', options => '$3')") || return 1
  state=$(sql -At -c "SELECT usermatch.wait_job($job, '$um_timeout'::interval)") || return 1
  echo "$job $state $(sql -At -c "SELECT round(extract(epoch FROM finished - submitted)::numeric, 3) FROM usermatch.job_queue WHERE id = $job")"
}
# A dedupe of users as a background job (submit_job + wait_job): time, records/s, ratio to the
# direct dedupe's time, and P / R / F1 of the job's results (usermatch.job_results).
step_background_job() {
  needs usermatch.submit_job background_job || return 0
  printf '  %-16s %-14s ' background_job usermatch
  local job state secs direct note st
  read -r job state secs < <(run_job bench users '{}') || true
  direct=$(sql -At -c "SELECT seconds FROM suite_results WHERE step = 'dedupe' AND tool = 'usermatch' AND status = 'ok' ORDER BY ord DESC LIMIT 1")
  note="submit_job('dedupe') + wait_job, seconds = submitted -> finished; runs in a background worker (peak memory not measured)"
  [[ -n $direct && -n $secs ]] && note+=$(awk -v j="$secs" -v d="$direct" 'BEGIN { printf "; %.2fx the direct dedupe (%.2f s)", j / d, d }')
  if [[ $state == succeeded ]]; then
    st=ok
    sql -c "CREATE TABLE um_job_pairs AS SELECT id1 l, id2 r FROM usermatch.job_results WHERE job_id = $job"
  else st=error; note+="; job ${job:-?} ended ${state:-without a state}"; fi
  sql -v nt="$note" <<<"INSERT INTO suite_results (step, tool, task, status, records, seconds, pairs_table, truth, link, note)
          VALUES ('background_job', 'usermatch', 'dedupe', '$st', $rows, ${secs:-NULL}, $([[ $st == ok ]] && echo "'um_job_pairs', 'users_truth'" || echo "NULL, NULL"), false, :'nt')" >/dev/null
  echo "$st ${secs:-?} s${direct:+ ($(awk -v j="${secs:-0}" -v d="$direct" 'BEGIN { printf "%.2fx", j / d }') the direct dedupe)}"
}
# An incremental dedupe job: the first 99% of users (watermark seq) run as one incremental job
# (untimed), then 1% new rows are added and a second incremental job, timed, matches only them
# against the whole table.
step_incremental_job() {
  needs usermatch.submit_job incremental_job || return 0
  printf '  %-16s %-14s ' incremental_job usermatch
  local cut=$(( rows - rows / 100 )) new=$(( rows / 100 )) opts='{"incremental": true, "watermark_column": "seq"}'
  sql -c "CREATE TABLE users_inc AS SELECT row_number() OVER (ORDER BY user_id) AS seq, * FROM users" \
      -c "CREATE TABLE users_growing AS SELECT * FROM users_inc WHERE seq <= $cut" -c "ANALYZE users_growing"
  local job0 state0 secs0 job state secs st note
  read -r job0 state0 secs0 < <(run_job bench users_growing "$opts") || true
  sql -c "INSERT INTO users_growing SELECT * FROM users_inc WHERE seq > $cut" -c "ANALYZE users_growing"
  read -r job state secs < <(run_job bench users_growing "$opts") || true
  local total; total=$(sql -At -c "SELECT records_total || ' new records read (watermark ' || watermark_from || ' -> ' || watermark_to || '), ' || coalesce(pairs_found, 0) || ' pairs' FROM usermatch.job_queue WHERE id = ${job:-0}")
  note="$new new rows (1%) added to $cut; an incremental job (watermark_column seq) after a first one over the $cut (${secs0:-?} s): ${total:-?}"
  if [[ $state0 == succeeded && $state == succeeded ]]; then st=ok; else st=error; note+="; jobs ended ${state0:-?} / ${state:-?}"; fi
  sql -v nt="$note" <<<"INSERT INTO suite_results (step, tool, task, status, records, seconds, note)
          VALUES ('incremental_job', 'usermatch', 'dedupe', '$st', $new, ${secs:-NULL}, :'nt')" >/dev/null
  echo "$st ${secs:-?} s ($new new rows; the first run over $cut: ${secs0:-?} s)"
}
# What usermatch.performance_metrics recorded for the steps above (calls per operation of this
# database, counted since the cluster started), and match_one's latency percentiles.
step_statistics() {
  needs usermatch.performance_metrics statistics || return 0
  echo "  statistics       performance_metrics of this run (database usermatch_bench):"
  sql -At -F ' | ' -c "SELECT rpad(operation, 14), rpad(coalesce(profile, ''), 14), lpad(sum(calls)::text, 7) || ' calls',
           lpad(sum(errors)::text, 3) || ' errors', lpad(round(sum(total_ms)::numeric / 1000, 2)::text, 8) || ' s total'
      FROM usermatch.performance_metrics WHERE database = current_database()
     GROUP BY operation, profile ORDER BY operation, profile" | sed 's/^/    /'
  local mo; mo=$(sql -At -F ' ' -c "SELECT sum(calls), round(max(p50_ms)::numeric, 2), round(max(p99_ms)::numeric, 2)
      FROM usermatch.performance_metrics WHERE database = current_database() AND operation = 'match_one' AND profile = 'bench'")
  local calls="" p50="" p99=""; read -r calls p50 p99 <<<"$mo" || true
  if [[ -n $calls ]]; then
    echo "    match_one: $calls calls, p50 ${p50:-?} ms, p99 ${p99:-?} ms (performance_metrics)"
    sql -c "INSERT INTO suite_results (step, tool, task, status, records, note)
            VALUES ('statistics', 'usermatch', 'match_one', 'ok', $calls,
                    'performance_metrics: match_one ${calls} calls (all match_one steps), p50 ${p50:-?} ms, p99 ${p99:-?} ms')" >/dev/null
  else
    echo "    match_one: no calls recorded"
  fi
}
step_peer_trgm() {
  run_step peer_trgm pg_trgm dedupe "$rows" "$peer_timeout" \
    "SELECT bench_baseline_candidates('bl_trgm', false, $trgm_floor)" bl_trgm_cand "" false \
    "GIN gin_trgm_ops self-join: name % name (similarity_threshold $trgm_floor) or phone equal; score = name similarity + agreements; ORACLE-TUNED threshold"
}
step_peer_fuzzy() {
  run_step peer_fuzzy fuzzystrmatch dedupe "$rows" "$peer_timeout" \
    "SELECT suite_fuzzy_candidates('bl_fuzzy', $block_cap)" bl_fuzzy_cand "" false \
    "blocks: sorted dmetaphone codes of the name tokens, blocks over $block_cap skipped; levenshtein score + agreements; ORACLE-TUNED threshold"
}
step_peer_exact() {
  run_step peer_exact "exact keys" dedupe "$rows" "$peer_timeout" \
    "SELECT suite_exact_candidates('bl_exact', $key_cap)" bl_exact_cand users_truth false \
    "match = same phone digits, e-mail or ID number; key values held by over $key_cap records skipped"
}

# Wall time of every phase of the run (a step's wall time includes its untimed preparation, its
# fresh backend's warm-up and, for load, building the peers' inputs): printed at the end and kept in
# the JSON, so a level that takes too long shows which phase dominates.
wall_names=() wall_secs=()
mark=$run_started
wall() {  # PHASE: the time since the previous mark
  local now; now=$(date +%s.%N)
  wall_names+=("$1"); wall_secs+=("$(awk -v a="$mark" -v b="$now" 'BEGIN { printf "%.1f", b - a }')")
  mark=$now
}
wall setup  # build check, cluster, extensions, profiles
for s in $steps; do
  if ! declare -F "step_$s" >/dev/null; then echo "unknown step $s (known: $all_steps)" >&2; exit 2; fi
done
echo "== $level: $rows users; steps: $steps"
for s in $steps; do
  "step_$s"
  wall "$s"
done

echo "== quality (untimed)"
sql -c "SELECT suite_quality()" >/dev/null
# The two oracle-tuned peers: best F1 over their thresholds, as quality.sh does for pg_trgm.
for peer in trgm fuzzy; do
  [[ $(sql -At -c "SELECT count(*) FROM suite_results WHERE step = 'peer_$peer' AND status = 'ok'") == 1 ]] || continue
  sql -c "UPDATE suite_results s SET pairs = b.predicted, p = b.p, r = b.r, f1 = b.f1,
            note = note || format(' (best: name_sim >= %s, score >= %s)', b.sim_cut, b.score_cut),
            candidates = (SELECT count(*) FROM bl_${peer}_cand)
          FROM bench_baseline_best('bl_$peer', 'users_truth', false, '{0.3,0.4,0.5,0.6,0.7,0.8}'::float8[]) b
          WHERE s.step = 'peer_$peer' AND s.status = 'ok'"
done

wall quality
total=$(awk -v a="$run_started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
wall_json=$(for i in "${!wall_names[@]}"; do printf '%s{"phase": "%s", "seconds": %s}' "$([[ $i -gt 0 ]] && echo ', ')" "${wall_names[$i]}" "${wall_secs[$i]}"; done)
json=$results/suite-$level-$stamp.json
sql -At -v machine="$machine" -v cmd="make bench LEVEL=$level" -v wall="[$wall_json]" -o "$json" <<SQL
SELECT suite_json(jsonb_build_object(
    'wall_seconds', jsonb_build_object('total', $total, 'phases', :'wall'::jsonb),
    'level', '$level', 'users', $rows, 'date', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI UTC'),
    'machine', :'machine', 'command', :'cmd', 'usermatch_threads', $threads, 'peer_timeout', '$peer_timeout',
    'usermatch_memory_limit', '$memory_limit',
    'postgres', current_setting('server_version'),
    'generator', 'usermatch.generate_users($rows, 42, 0.3, 0.5, ''realistic'')'));
SQL
python3 "$repo/bench/suite_report.py" "$json" "$results"
echo "== wall time: $total s in all (level $level, $rows users; peer cap $peer_timeout each)"
for i in "${!wall_names[@]}"; do printf '  %-16s %8s s\n' "${wall_names[$i]}" "${wall_secs[$i]}"; done
