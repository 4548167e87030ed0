#!/usr/bin/env bash
# Background jobs against the direct calls, in the same run (issue 10's two benchmark targets).
#   bench/jobs.sh [rows] [new_rows]          (defaults 100000 1000; not part of make test)
# Needs a running cluster with usermatch preloaded whose usermatch.database is $UM_JOBS_DATABASE
# (default jobs_bench), e.g. the dev cluster:
#   export UM_CLUSTER_DIR=/tmp/um-x UM_PORT=54399 UM_JOBS_DATABASE=jobs_bench
#   scripts/cluster.sh start; eval "$(scripts/cluster.sh env)"; nice bench/jobs.sh 1000000 1000
# Data: generate_users(rows + new_rows, 42, 0.3, 0.5, 'realistic') and the profile
# bench/profiles/users_realistic.json, as bench/suite.sh loads them; the first `rows` users are
# bench_users, the last `new_rows` arrive later (watermark column seq). The generated table
# (bench_all_<rows + new_rows>) is kept and reused by later runs (UM_BENCH_RELOAD=1 regenerates it).
# Steps (STEPS, default "background incremental"):
#   background   direct `INSERT INTO t SELECT ... FROM usermatch.dedupe(...)` against
#                submit_job('dedupe', ..., result_table t') + wait_job, alternated, UM_BENCH_REPEAT
#                (default 2) times each; the best of each; records/s and the ratio.
#   incremental  warm_cache on bench_users (installs the online index's change log), new_rows new
#                rows, then two incremental jobs over them: options.online_index = false (today's
#                path: link() reads and normalises the whole table) and the default (through the
#                online index); both must write the same rows. Times: submit to finish, inside the
#                worker, and the worker's phases (the job's result: index build, matching).
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

all=bench_all_$((rows + new_rows))
have=-1
[[ $(q "SELECT to_regclass('$all') IS NOT NULL") == t ]] && have=$(q "SELECT count(*) FROM $all")
if [[ ${UM_BENCH_RELOAD:-} == 1 || $have != $((rows + new_rows)) ]]; then
  t0=$(now)
  q "SET client_min_messages = warning;
     DROP TABLE IF EXISTS $all;
     CREATE TABLE $all AS SELECT row_number() OVER () AS seq, *
       FROM usermatch.generate_users($rows + $new_rows, 42, 0.3, 0.5, 'realistic');
     ANALYZE $all;" >/dev/null
  printf 'loaded %d realistic users in %.1f s\n' $((rows + new_rows)) "$(echo "$(now) - $t0" | bc)"
fi
q "SET client_min_messages = warning; SELECT usermatch.drop_profile('bench_jobs', true)" >/dev/null
# The bench profile without term frequencies: an incremental job matches its new rows through the
# online index only when no field has "tf" (usermatch._incremental_online_refusal says why), and
# the incremental step compares that path with link().
q "SELECT usermatch.create_profile('bench_jobs', (SELECT jsonb_set(s, '{fields}', (SELECT jsonb_agg(f - 'tf' ORDER BY i) FROM jsonb_array_elements(s->'fields') WITH ORDINALITY e(f, i)))
     FROM (SELECT \$json\$$(cat "$repo/bench/profiles/users_realistic.json")\$json\$::jsonb AS s) p))" >/dev/null
q "SET client_min_messages = warning;
   DROP TABLE IF EXISTS bench_users, bench_direct, bench_background;
   CREATE TABLE bench_users AS SELECT * FROM $all WHERE seq <= $rows;
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
  opts='"incremental": true, "watermark_column": "seq", "result_table": "bench_background"'
  q "SET client_min_messages = warning; SELECT usermatch.drop_cache(); TRUNCATE bench_background" >/dev/null
  # The previous incremental run: only its watermark matters to the next one, so instead of a
  # full dedupe of bench_users (untimed anyway) the benchmark records a succeeded run up to $rows.
  q "INSERT INTO usermatch.job_queue (kind, profile, source, source_name, options, owner, state, batch_size,
                                      watermark_to, submitted, started, finished)
     VALUES ('dedupe', 'bench_jobs', 'bench_users', 'bench_users', '{$opts}', current_user::regrole, 'succeeded',
             10000, '$rows', now(), now(), now())" >/dev/null
  # One session: warm_cache installs the online index's change log on bench_users (what an online
  # deployment has) and builds this session's index (timed: a worker of this branch builds the
  # same once per job); the new rows arrive; then the session matches them through its warm index
  # (the change log names them: they are read besides the index), as a worker attached to a
  # shared index would. Times from \timing, in ms.
  session=$(psql -X -At -v ON_ERROR_STOP=1 -d "$db" <<SQL
SET client_min_messages = warning;
\\timing on
SELECT usermatch.warm_cache('bench_jobs', 'bench_users');
INSERT INTO bench_users SELECT * FROM $all WHERE seq > $rows;
SELECT count(*) FROM usermatch.match_many('bench_jobs',
  (SELECT jsonb_agg(to_jsonb(u) - ARRAY['seq', 'user_id', 'entity_id', 'gender', 'country'] ORDER BY seq)
   FROM bench_users u WHERE seq > $rows), 'bench_users', 2147483647);
SQL
)
  times=($(grep -o '^Time: [0-9.]*' <<<"$session" | cut -d' ' -f2))
  warm=$(echo "${times[0]} / 1000" | bc -l) warm_match=$(echo "${times[2]} / 1000" | bc -l)
  run_inc() {  # $1: extra options; echoes "job seconds" (submit to finish)
    local t0 t1 job
    t0=$(now)
    job=$(q "SELECT usermatch.submit_job('dedupe', 'bench_jobs', 'bench_users', options => '{$opts$1}')")
    q "SELECT usermatch.wait_job($job, '1 hour')" >/dev/null
    t1=$(now)
    # Not a succeeded run any more, so the next job reads the same new rows.
    q "UPDATE usermatch.job_queue SET state = 'cancelled' WHERE id = $job AND state = 'succeeded'" >/dev/null
    echo "$job $(echo "$t1 - $t0" | bc)"
  }
  read -r job_old secs_old < <(run_inc ', "online_index": false')
  read -r job_new secs_new < <(run_inc '')
  describe() {
    q "SELECT (SELECT count(*) FROM bench_background WHERE job_id = $1) || ' rows, '
              || records_total || ' rows read; '
              || coalesce(round(extract(epoch FROM finished - started)::numeric, 2), -1) || ' s in the worker; '
              || coalesce(result::text, error, '') FROM usermatch.job_queue WHERE id = $1"
  }
  same=$(q "SELECT count(*) FILTER (WHERE o.id1 IS NULL OR n.id1 IS NULL OR abs(o.match_weight - n.match_weight) > 1e-9
                                   OR abs(o.match_probability - n.match_probability) > 1e-9) || ' differing of ' || count(*)
            FROM (SELECT * FROM bench_background WHERE job_id = $job_old) o
            FULL JOIN (SELECT * FROM bench_background WHERE job_id = $job_new) n USING (id1, id2)")
  printf 'incremental dedupe of %d new rows against %d (warm_cache in this session: %.1f s)\n' "$new_rows" "$rows" "$warm"
  printf '  old path  link() over the whole table   %6.2f s submit to finish  (%s)\n' "$secs_old" "$(describe "$job_old")"
  printf '  new path  through the online index      %6.2f s submit to finish  (%s)\n' "$secs_new" "$(describe "$job_new")"
  printf '  pairs differing between the paths (or weights by > 1e-9): %s\n' "$same"
  printf '  match_many of the new rows through a warm index in one session (what a worker attached to a shared index does): %.2f s\n' "$warm_match"
  q "SET client_min_messages = warning; DELETE FROM bench_users WHERE seq > $rows;
     DELETE FROM usermatch.online_targets WHERE relid = 'bench_users'::regclass" >/dev/null
fi
