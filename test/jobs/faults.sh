#!/usr/bin/env bash
# Background jobs under faults, against the running test cluster (scripts/cluster.sh; the caller
# exported UM_CLUSTER_DIR, UM_PORT, PGHOST, PGPORT, PGUSER, and usermatch.database is $db):
#   1. kill -9 of a job's worker mid-job (the postmaster then restarts every backend): the job
#      resumes from its last committed batch; exact row count, no duplicates, same rows as a
#      direct dedupe;
#   1b. the same for an incremental job matching its new rows through the online index: it keeps
#      that path, resumes, and its rows equal today's path's;
#   2. a server restart mid-job: the same;
#   3. max_attempts 1 and a kill -9: the job fails, saying why;
#   4. an idle launcher uses no CPU: its utime+stime (/proc/<pid>/stat) does not grow over 10 s
#      (at most one clock tick, should its 60 s safety pass fall inside the window);
#   5. without shared_preload_libraries (a second, throwaway cluster): job functions fail with
#      55000 and a hint, matching still works.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
db=${UM_JOBS_DATABASE:-usermatch_tap}
failures=0
check() {  # check DESCRIPTION ACTUAL EXPECTED
  if [[ "$2" == "$3" ]]; then echo "ok - $1"; else echo "not ok - $1: got '$2', expected '$3'"; failures=$((failures + 1)); fi
}
q() { psql -X -At -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }
wait_ready() {
  for _ in $(seq 1 300); do psql -X -At -d "$db" -c 'SELECT 1' >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}
wait_for() {  # wait_for SQL-BOOLEAN SECONDS
  local deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do [[ $(q "$1" 2>/dev/null) == t ]] && return 0; sleep 0.05; done
  return 1
}

wait_ready || { echo "not ok - the test cluster does not answer"; exit 1; }
q "SET client_min_messages = warning;
   DROP TABLE IF EXISTS fault_users, fault_direct;
   CREATE TABLE fault_users AS SELECT * FROM usermatch.generate_users(6000, 11);
   SELECT usermatch.drop_profile('fault_p', true);
   SELECT usermatch.create_profile('fault_p', '{\"id\": \"user_id\", \"fields\": [
     {\"name\": \"name\", \"column\": \"full_name\", \"type\": \"person_name\"},
     {\"name\": \"phone\", \"column\": \"phone\", \"type\": \"phone\"},
     {\"name\": \"email\", \"column\": \"email\", \"type\": \"email\"}], \"blocking\": [[\"phone\"], [\"email\"]]}');
   CREATE TABLE fault_direct AS SELECT * FROM usermatch.dedupe('fault_p', 'fault_users');" >/dev/null ||
  { echo "not ok - setup"; exit 1; }
direct=$(q "SELECT count(*) FROM fault_direct")
echo "# direct dedupe: $direct pairs"

# Submits a slow job (batch_size 1: one commit per pair) and waits until it is part way through.
slow_job() {
  local job
  job=$(q "SELECT usermatch.submit_job('dedupe', 'fault_p', 'fault_users', options => '{\"batch_size\": 1, \"max_attempts\": ${1:-3}}')")
  wait_for "SELECT rows_written > 50 FROM usermatch.job_queue WHERE id = $job" 60 || echo "# job $job did not start writing" >&2
  echo "$job"
}
same_as_direct() {  # same_as_direct JOB LABEL
  check "$2: exact row count" "$(q "SELECT count(*) FROM usermatch.job_results WHERE job_id = $1")" "$direct"
  check "$2: no duplicates" "$(q "SELECT count(*) - count(DISTINCT (id1, id2)) FROM usermatch.job_results WHERE job_id = $1")" "0"
  check "$2: the same rows as a direct dedupe" "$(q "SELECT count(*) FROM (
      (SELECT id1, id2, match_weight, match_probability FROM usermatch.job_results WHERE job_id = $1
       EXCEPT SELECT id1, id2, match_weight, match_probability FROM fault_direct)
      UNION ALL
      (SELECT id1, id2, match_weight, match_probability FROM fault_direct
       EXCEPT SELECT id1, id2, match_weight, match_probability FROM usermatch.job_results WHERE job_id = $1)) d")" "0"
}

# kill_worker JOB LABEL: sets `before` to the job's committed rows, makes them durable (the test
# cluster commits asynchronously, and crash recovery could lose the last batches), then kills the
# job's worker with SIGKILL and waits for the server to come back.
kill_worker() {
  before=$(q "SELECT rows_written FROM usermatch.job_queue WHERE id = $1")
  q "CHECKPOINT" >/dev/null
  local pid
  pid=$(q "SELECT worker_pid FROM usermatch.job_queue WHERE id = $1")
  echo "# $2: killing worker $pid with SIGKILL after $before committed rows"
  kill -9 "$pid"
  sleep 1
  wait_ready || echo "# server did not come back"
}

# 1. kill -9 of the worker.
job=$(slow_job)
kill_worker "$job" "job $job"
check "kill -9: the job succeeds after the crash" "$(q "SELECT usermatch.wait_job($job, '120 s')")" "succeeded"
check "kill -9: two attempts" "$(q "SELECT attempts FROM usermatch.job_queue WHERE id = $job")" "2"
check "kill -9: the first run is marked interrupted" "$(q "SELECT string_agg(state, ',' ORDER BY id) FROM usermatch.job_runs WHERE job_id = $job")" "interrupted,succeeded"
check "kill -9: the second run resumed from a committed checkpoint" \
  "$(q "SELECT resumed_from >= $before AND resumed_from < $direct FROM usermatch.job_runs WHERE job_id = $job ORDER BY id DESC LIMIT 1")" "t"
same_as_direct "$job" "kill -9"

# 1b. kill -9 of the worker of an incremental job that matches its new rows through the online
#     index: the next attempt keeps that path and resumes; its rows equal today's path's (a copy
#     of the table without an online index), no duplicates.
q "SET client_min_messages = warning;
   DROP TABLE IF EXISTS fault_all, fault_grow, fault_grow_ref;
   CREATE TABLE fault_all AS SELECT row_number() OVER (ORDER BY user_id) AS seq, * FROM fault_users;
   CREATE TABLE fault_grow AS SELECT * FROM fault_all WHERE seq <= 3000;
   CREATE TABLE fault_grow_ref AS SELECT * FROM fault_all WHERE seq <= 3000;" >/dev/null
inc='"incremental": true, "watermark_column": "seq"'
for t in fault_grow fault_grow_ref; do q "SELECT usermatch.submit_job('dedupe', 'fault_p', '$t', options => '{$inc}')" >/dev/null; done
wait_for "SELECT NOT EXISTS (SELECT 1 FROM usermatch.job_queue WHERE state IN ('queued', 'running'))" 60
q "SET client_min_messages = warning; SELECT usermatch.warm_cache('fault_p', 'fault_grow')" >/dev/null
q "INSERT INTO fault_grow SELECT * FROM fault_all WHERE seq > 3000" >/dev/null
q "INSERT INTO fault_grow_ref SELECT * FROM fault_all WHERE seq > 3000" >/dev/null
ref=$(q "SELECT usermatch.submit_job('dedupe', 'fault_p', 'fault_grow_ref', options => '{$inc}')")
job=$(q "SELECT usermatch.submit_job('dedupe', 'fault_p', 'fault_grow', options => '{$inc, \"batch_size\": 1}')")
wait_for "SELECT rows_written > 20 FROM usermatch.job_queue WHERE id = $job" 60 || echo "# job $job did not start writing"
kill_worker "$job" "incremental job $job (online index)"
check "kill -9, online index: the incremental job succeeds after the crash" "$(q "SELECT usermatch.wait_job($job, '120 s')")" "succeeded"
check "kill -9, online index: ...in two attempts, both through the online index" \
  "$(q "SELECT attempts || ' ' || (result->>'incremental_path') FROM usermatch.job_queue WHERE id = $job")" "2 online_index"
check "kill -9, online index: the second run resumed from a committed checkpoint" \
  "$(q "SELECT resumed_from >= $before FROM usermatch.job_runs WHERE job_id = $job ORDER BY id DESC LIMIT 1")" "t"
check "kill -9, online index: today's path on the copy succeeds" "$(q "SELECT usermatch.wait_job($ref, '120 s') || ' ' || (result->>'incremental_path') FROM usermatch.job_queue WHERE id = $ref")" "succeeded link"
ref_rows=$(q "SELECT count(*) FROM usermatch.job_results WHERE job_id = $ref")
echo "# today's path: $ref_rows pairs involving the 3000 new rows"
check "kill -9, online index: exact row count, no duplicates" \
  "$(q "SELECT count(*) || ' ' || count(DISTINCT (id1, id2)) FROM usermatch.job_results WHERE job_id = $job")" "$ref_rows $ref_rows"
check "kill -9, online index: the same rows as today's path (weights within 1e-9)" "$(q "SELECT count(*) FROM usermatch.job_results o
    JOIN usermatch.job_results n USING (id1, id2) WHERE o.job_id = $ref AND n.job_id = $job
     AND abs(o.match_weight - n.match_weight) <= 1e-9 AND abs(o.match_probability - n.match_probability) <= 1e-9")" "$ref_rows"
# A crashed backend's temporary objects stay until another backend reuses its temporary schema:
# the worker drops its view of the new rows (which depends on the source) in the transaction that
# read them, so the killed one left nothing that blocks DROP TABLE.
check "kill -9, online index: no temporary view of new rows left behind" \
  "$(q "SELECT count(*) FROM pg_class WHERE relname = 'usermatch_job_increment'")" "0"
check "kill -9, online index: the source can be dropped without CASCADE" \
  "$(q "SET client_min_messages = warning; DELETE FROM usermatch.online_targets WHERE relid = 'fault_grow'::regclass;
        DROP TABLE fault_all, fault_grow, fault_grow_ref" >/dev/null 2>&1 && echo dropped)" "dropped"

# 2. A server restart mid-job.
job=$(slow_job)
before=$(q "SELECT rows_written FROM usermatch.job_queue WHERE id = $job")
echo "# job $job: restarting the server after $before committed rows"
scripts/cluster.sh stop >/dev/null && scripts/cluster.sh start >/dev/null
wait_ready || echo "# server did not come back"
check "restart: the job succeeds after the restart" "$(q "SELECT usermatch.wait_job($job, '120 s')")" "succeeded"
check "restart: the second run resumed from a committed checkpoint" \
  "$(q "SELECT resumed_from >= $before AND resumed_from < $direct FROM usermatch.job_runs WHERE job_id = $job ORDER BY id DESC LIMIT 1")" "t"
same_as_direct "$job" "restart"

# 3. Out of attempts.
job=$(slow_job 1)
kill -9 "$(q "SELECT worker_pid FROM usermatch.job_queue WHERE id = $job")"
sleep 1
wait_ready
wait_for "SELECT usermatch.launcher_pid() IS NOT NULL" 30
check "max_attempts 1: a killed job fails" "$(q "SELECT usermatch.wait_job($job, '60 s')")" "failed"
check "max_attempts 1: saying why" "$(q "SELECT error FROM usermatch.job_queue WHERE id = $job")" \
  "interrupted: its worker was stopped by a server crash or restart after 1 attempt(s) (max_attempts)"

# 4. Idle launcher CPU.
wait_for "SELECT NOT EXISTS (SELECT 1 FROM usermatch.job_queue WHERE state IN ('queued', 'running'))" 60
launcher=$(q "SELECT usermatch.launcher_pid()")
cpu() { awk '{print $14 + $15}' "/proc/$launcher/stat"; }
# The launcher also takes the statistics history sample every usermatch.history_interval (10 s):
# work asked of it, not idling. Spaced out for this measurement, restored after it.
q "ALTER SYSTEM SET usermatch.history_interval = '1h'" >/dev/null; q "SELECT pg_reload_conf()" >/dev/null
# A launcher that just started (the restart above) is still connecting and loading its caches:
# idle means after that, once its CPU time stops moving (unchanged over 6 s, waiting <= 40 s).
prev=-1; stable=0
for _ in $(seq 1 20); do
  cur=$(cpu); if [[ $cur == "$prev" ]]; then stable=$((stable + 1)); else stable=0; fi
  ((stable >= 3)) && break
  prev=$cur; sleep 2
done
t0=$(cpu); sleep 10; t1=$(cpu)
q "ALTER SYSTEM RESET usermatch.history_interval" >/dev/null; q "SELECT pg_reload_conf()" >/dev/null
echo "# idle launcher $launcher: utime+stime $t0 -> $t1 clock ticks over 10 s"
check "an idle launcher uses no CPU" "$((t1 - t0 <= 1))" "1"

q "SELECT usermatch.drop_profile('fault_p'); DELETE FROM usermatch.job_results; DELETE FROM usermatch.job_queue;
   DROP TABLE fault_users, fault_direct;" >/dev/null

# 5. Without preload: a second cluster without shared_preload_libraries.
bindir=$(pg_config --bindir)
plain=$(mktemp -d /tmp/um-plain-XXXXXX)
as_owner() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[[ $(id -u) -eq 0 ]] && chown postgres "$plain"
plain_port=$((UM_PORT + 1))
if as_owner "$bindir/initdb" -D "$plain/data" --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null 2>&1 &&
   printf "port = %s\nlisten_addresses = ''\nunix_socket_directories = '%s'\nfsync = off\n" "$plain_port" "$plain" >>"$plain/data/postgresql.conf" &&
   as_owner "$bindir/pg_ctl" -D "$plain/data" -l "$plain/log" -w start >/dev/null; then
  pq() { psql -X -At -h "$plain" -p "$plain_port" -d postgres -c "$1" 2>&1; }
  pq "CREATE EXTENSION usermatch" | grep -v "^CREATE" | sed "s/^/# /"
  check "without preload: submit_job fails with 55000" \
    "$(psql -X -At -h "$plain" -p "$plain_port" -d postgres -v VERBOSITY=verbose -c "SELECT usermatch.submit_job('dedupe', 'x', 'pg_class')" 2>&1 | head -1)" \
    "ERROR:  55000: usermatch: background jobs need the usermatch library preloaded"
  check "without preload: ...with a hint" \
    "$(pq "SELECT usermatch.cancel_job(1)" | grep HINT)" \
    "HINT:  Add usermatch to shared_preload_libraries in postgresql.conf and restart the server."
  pq "CREATE TABLE u AS SELECT * FROM usermatch.generate_users(300, 3)" >/dev/null
  pq "SELECT usermatch.create_profile('p', '{\"id\": \"user_id\", \"fields\": [{\"name\": \"phone\", \"column\": \"phone\", \"type\": \"phone\"}], \"blocking\": [[\"phone\"]]}')" >/dev/null
  check "without preload: matching still works" "$(pq "SELECT count(*) > 0 FROM usermatch.dedupe('p', 'u')")" "t"
  check "without preload: no launcher" "$(pq "SELECT usermatch.launcher_pid() IS NULL")" "t"
  as_owner "$bindir/pg_ctl" -D "$plain/data" -m immediate -w stop >/dev/null
else
  echo "not ok - could not start a cluster without preload"; failures=$((failures + 1))
fi
rm -rf "$plain"

echo "# background-job fault tests: $failures failure(s)"
((failures == 0))
