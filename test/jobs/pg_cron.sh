#!/usr/bin/env bash
# Cron syntax for usermatch jobs comes from pg_cron, not from a parser of ours (issue 10): a second
# throwaway cluster preloads usermatch and pg_cron, a cron entry for every minute calls
# usermatch.submit_job, and the job it submits must succeed with the same rows as a direct dedupe.
# pg_cron 1.4 (Debian 12) fires at most once a minute, so this takes up to ~90 s.
# Needs the Debian package postgresql-15-cron (scripts/deps.txt); fails when it is missing.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
failures=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failures=$((failures + 1)); }

if [[ ! -f $(pg_config --pkglibdir)/pg_cron.so ]]; then
  not_ok "pg_cron is installed for $(pg_config --bindir) (apt-get install postgresql-15-cron)"
  exit 1
fi
export UM_CLUSTER_DIR=/tmp/usermatch-cron-$$ UM_PORT=$(( ${UM_PORT:-54330} + 7 )) UM_JOBS_DATABASE=cron_test
unset UM_MALLOC_PERTURB
trap "[[ -n \${UM_KEEP_CLUSTER:-} ]] || scripts/cluster.sh destroy >/dev/null 2>&1" EXIT
scripts/cluster.sh start >/dev/null || exit 1
cat >>"$UM_CLUSTER_DIR/data/postgresql.conf" <<CONF
shared_preload_libraries = 'usermatch,pg_cron'
cron.database_name = 'cron_test'
# pg_cron connects through libpq; the cluster listens only on its socket folder
cron.host = '$UM_CLUSTER_DIR'
CONF
scripts/cluster.sh stop >/dev/null && scripts/cluster.sh start >/dev/null || exit 1
eval "$(scripts/cluster.sh env)"
q() { psql -X -qAt -v ON_ERROR_STOP=1 "$@"; }
q -d postgres -c "CREATE DATABASE cron_test" >/dev/null || exit 1
q -d cron_test >/dev/null <<'SQL' || exit 1
SET client_min_messages = warning;
CREATE EXTENSION pg_cron;
CREATE EXTENSION usermatch;
CREATE TABLE cron_users AS SELECT * FROM usermatch.generate_users(2000, 9);
SELECT usermatch.create_profile('cron_p', '{"id": "user_id", "fields": [
  {"name": "name", "column": "full_name", "type": "person_name"},
  {"name": "phone", "column": "phone", "type": "phone"},
  {"name": "email", "column": "email", "type": "email"}],
  "blocking": [["phone"], ["email"]], "prior": 0.0005}');
CREATE TABLE cron_direct AS SELECT * FROM usermatch.dedupe('cron_p', 'cron_users');
SELECT cron.schedule('usermatch-every-minute', '* * * * *',
                     $$SELECT usermatch.submit_job('dedupe', 'cron_p', 'public.cron_users')$$);
SQL
state=""
for _ in $(seq 1 100); do
  state=$(q -d cron_test -c "SELECT state FROM usermatch.jobs ORDER BY id LIMIT 1")
  [[ $state == succeeded || $state == failed ]] && break
  sleep 1
done
if [[ $state == succeeded ]]; then ok "pg_cron submitted a usermatch job, which succeeded"
else not_ok "pg_cron submitted a usermatch job, which succeeded (state: '${state:-no job within 100 s}')"; fi
q -d cron_test -c "SELECT cron.unschedule('usermatch-every-minute')" >/dev/null
same=$(q -d cron_test -c "SELECT count(*) = (SELECT count(*) FROM cron_direct) AND count(*) > 0 AND NOT EXISTS (
          SELECT id1, id2 FROM cron_direct EXCEPT SELECT id1, id2 FROM usermatch.job_results
           WHERE job_id = (SELECT min(id) FROM usermatch.jobs))
        FROM usermatch.job_results WHERE job_id = (SELECT min(id) FROM usermatch.jobs)")
if [[ $same == t ]]; then ok "the cron-submitted job's results equal a direct dedupe's"
else not_ok "the cron-submitted job's results equal a direct dedupe's"; fi
cron_ok=$(q -d cron_test -c "SELECT count(*) > 0 FROM cron.job_run_details WHERE status = 'succeeded' AND command LIKE '%usermatch.submit_job%'")
if [[ $cron_ok == t ]]; then ok "pg_cron recorded its run as succeeded"; else not_ok "pg_cron recorded its run as succeeded"; fi
echo "# pg_cron tests: $failures failed"
((failures == 0))
