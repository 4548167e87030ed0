#!/usr/bin/env bash
# Background jobs against the direct calls, in the same run (issue 10's two benchmark targets).
#   bench/jobs.sh [rows] [new_rows]          (defaults 100000 1000; not part of make test)
# Needs a running cluster with usermatch preloaded whose usermatch.database is $UM_JOBS_DATABASE
# (default jobs_bench), e.g. the dev cluster:
#   export UM_CLUSTER_DIR=/tmp/um-x UM_PORT=54399 UM_JOBS_DATABASE=jobs_bench
#   scripts/cluster.sh start; eval "$(scripts/cluster.sh env)"; nice bench/jobs.sh 1000000 1000
# Data: generate_users(rows + new_rows, 42, 0.3, 0.5, 'realistic') and the profile
# bench/profiles/users_realistic.json, as bench/suite.sh loads them; the first `rows` users are
# bench_users, the last `new_rows` arrive later (watermark column seq). A table of the right size
# from an earlier run is reused (UM_BENCH_RELOAD=1 regenerates it).
# Steps (STEPS, default "background incremental"):
#   background   direct `INSERT INTO t SELECT ... FROM usermatch.dedupe(...)` against
#                submit_job('dedupe', ..., result_table t') + wait_job, alternated, UM_BENCH_REPEAT
#                (default 2) times each; the best of each; records/s and the ratio.
#   incremental  a first incremental job over bench_users (untimed), then new_rows new rows and
#                two incremental jobs over them, one with options.online_index = false (today's
#                path: link() reads and normalises the whole table) and one through the online
#                index of the table (warm_cache'd); both must give the same rows. Times: submit to
#                finish, and inside the worker (job_queue.result: where the worker spent it).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
db=${UM_JOBS_DATABASE:-jobs_bench}
rows=${1:-100000}
new_rows=${2:-1000}
steps=${STEPS:-background incremental}
repeat=${UM_BENCH_REPEAT:-2}
q() { psql -X -At -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }
now() { date +%s.%N; }
psql -X -q -d postgres -c "CREATE DATABASE $db" 2>/dev/null || true
q "CREATE EXTENSION IF NOT EXISTS usermatch" >/dev/null
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(psql -X -At -d "$db" -c 'SHOW server_version')"
echo "# reproduce: bench/jobs.sh $rows $new_rows   (STEPS='$steps', UM_BENCH_REPEAT=$repeat)"

have=-1
[[ $(q "SELECT to_regclass('bench_all') IS NOT NULL") == t ]] && have=$(q "SELECT count(*) FROM bench_all")
if [[ ${UM_BENCH_RELOAD:-} == 1 || $have != $((rows + new_rows)) ]]; then
  t0=$(now)
  q "SET client_min_messages = warning;
     DROP TABLE IF EXISTS bench_all;
     CREATE TABLE bench_all AS SELECT row_number() OVER () AS seq, *
       FROM usermatch.generate_users($rows + $new_rows, 42, 0.3, 0.5, 'realistic');
     ANALYZE bench_all;" >/dev/null
  printf 'loaded %d realistic users in %.1f s\n' $((rows + new_rows)) "$(echo "$(now) - $t0" | bc)"
fi
q "SET client_min_messages = warning; SELECT usermatch.drop_profile('bench_jobs', true)" >/dev/null
q "SELECT usermatch.create_profile('bench_jobs', \$json\$$(cat "$repo/bench/profiles/users_realistic.json")\$json\$::jsonb)" >/dev/null
q "SET client_min_messages = warning;
   DROP TABLE IF EXISTS bench_users, bench_direct, bench_background;
   CREATE TABLE bench_users AS SELECT * FROM bench_all WHERE seq <= $rows;
   ALTER TABLE bench_users ADD PRIMARY KEY (user_id);
   CREATE TABLE bench_direct (LIKE usermatch.job_results INCLUDING ALL);
   CREATE TABLE bench_background (LIKE usermatch.job_results INCLUDING ALL);
   ANALYZE bench_users;" >/dev/null

if [[ " $steps " == *" background "* ]]; then
  best_d=999999 best_b=999999 all_d="" all_b=""
  for _ in $(seq 1 "$repeat"); do
    q "TRUNCATE bench_direct, bench_background; CHECKPOINT" >/dev/null
    t0=$(now)
    direct=$(q "INSERT INTO bench_direct (job_id, id1, id2, match_weight, match_probability)
                SELECT 0, id1, id2, match_weight, match_probability FROM usermatch.dedupe('bench_jobs', 'bench_users')" | sed 's/^INSERT 0 //')
    t1=$(now)
    q "CHECKPOINT" >/dev/null
    t2=$(now)
    job=$(q "SELECT usermatch.submit_job('dedupe', 'bench_jobs', 'bench_users', options => '{\"result_table\": \"bench_background\"}')")
    state=$(q "SELECT usermatch.wait_job($job, '1 hour')")
    t3=$(now)
    d=$(echo "$t1 - $t0" | bc) b=$(echo "$t3 - $t2" | bc)
    all_d+=" $(printf '%.2f' "$d")" all_b+=" $(printf '%.2f' "$b")"
    best_d=$(echo "if ($d < $best_d) $d else $best_d" | bc)
    best_b=$(echo "if ($b < $best_b) $b else $best_b" | bc)
  done
  direct=$(q "SELECT count(*) FROM bench_direct")
  written=$(q "SELECT count(*) FROM bench_background WHERE job_id = $job")
  same=$(q "SELECT count(*) = 0 FROM (SELECT id1, id2 FROM bench_direct EXCEPT SELECT id1, id2 FROM bench_background WHERE job_id = $job) x")
  phases=$(q "SELECT coalesce(result::text, '') FROM usermatch.job_queue WHERE id = $job")
  awk -v r="$rows" -v p="$direct" -v d="$best_d" -v b="$best_b" -v s="$state" -v w="$written" -v n="$repeat" \
      -v ad="$all_d" -v ab="$all_b" -v same="$same" 'BEGIN {
    printf "dedupe of %d realistic users into a table: %d pairs (best of %d alternated runs each)\n", r, p, n
    printf "  direct      INSERT INTO t SELECT ... FROM usermatch.dedupe(...)     %7.2f s %9.0f records/s  (runs:%s)\n", d, r / d, ad
    printf "  background  submit_job + wait_job (%s, %d rows, same pairs: %s)  %7.2f s %9.0f records/s  (runs:%s)\n", s, w, same, b, r / b, ab
    printf "  background throughput = %.0f%% of direct\n", 100 * d / b
  }'
  [[ -n $phases ]] && echo "  worker phases of the last job: $phases"
fi

if [[ " $steps " == *" incremental "* ]]; then
  opts='"incremental": true, "watermark_column": "seq"'
  q "SET client_min_messages = warning; SELECT usermatch.drop_cache(); TRUNCATE bench_background" >/dev/null
  job0=$(q "SELECT usermatch.submit_job('dedupe', 'bench_jobs', 'bench_users', options => '{$opts, \"result_table\": \"bench_background\"}')")
  q "SELECT usermatch.wait_job($job0, '1 hour')" >/dev/null
  # The online index's change log on bench_users (what an online deployment has installed).
  t0=$(now)
  q "SET client_min_messages = warning; SELECT usermatch.warm_cache('bench_jobs', 'bench_users')" >/dev/null
  warm=$(echo "$(now) - $t0" | bc)
  q "INSERT INTO bench_users SELECT * FROM bench_all WHERE seq > $rows" >/dev/null
  # Two jobs over the same new rows: each reads the watermark of the first job (a run does not
  # see the other's, which is not an incremental job of the same definition... the watermark is
  # fixed per job, so both match exactly seq in ($rows, $rows + $new_rows]).
  run_inc() {  # $1: extra options; echoes "job seconds"
    local t0 t1 job
    t0=$(now)
    job=$(q "SELECT usermatch.submit_job('dedupe', 'bench_jobs', 'bench_users', options => '{$opts, \"result_table\": \"bench_background\"$1}')")
    q "SELECT usermatch.wait_job($job, '1 hour')" >/dev/null
    t1=$(now)
    # Forget this run, so the next job starts from the same watermark.
    echo "$job $(echo "$t1 - $t0" | bc)"
  }
  read -r job_old secs_old < <(run_inc ', "online_index": false')
  q "UPDATE usermatch.job_queue SET state = 'cancelled' WHERE id = $job_old" >/dev/null
  read -r job_new secs_new < <(run_inc '')
  q "UPDATE usermatch.job_queue SET state = 'cancelled' WHERE id = $job_new" >/dev/null
  describe() {
    q "SELECT (SELECT count(*) FROM bench_background WHERE job_id = $1) || ' rows; '
              || coalesce(round(extract(epoch FROM finished - started)::numeric, 2), -1) || ' s in the worker; '
              || coalesce(result::text, '') FROM usermatch.job_queue WHERE id = $1"
  }
  same=$(q "SELECT count(*) = 0 FROM (
              (SELECT id1, id2, match_weight FROM bench_background WHERE job_id = $job_old
               EXCEPT SELECT id1, id2, match_weight FROM bench_background WHERE job_id = $job_new)
              UNION ALL
              (SELECT id1, id2, match_weight FROM bench_background WHERE job_id = $job_new
               EXCEPT SELECT id1, id2, match_weight FROM bench_background WHERE job_id = $job_old)) x")
  printf 'incremental dedupe of %d new rows against %d (warm_cache of the table: %.1f s, untimed)\n' "$new_rows" "$rows" "$warm"
  printf '  old path  link() over the whole table   %6.2f s submit to finish  (%s)\n' "$secs_old" "$(describe "$job_old")"
  printf '  new path  through the online index      %6.2f s submit to finish  (%s)\n' "$secs_new" "$(describe "$job_new")"
  printf '  same rows and weights: %s\n' "$same"
  q "SET client_min_messages = warning; DELETE FROM bench_users WHERE user_id IN (SELECT user_id FROM bench_all WHERE seq > $rows)" >/dev/null
fi
