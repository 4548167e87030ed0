#!/usr/bin/env bash
# The main job: build, install, start a throwaway cluster with usermatch preloaded, load sample
# users, match them and print the results. Leaves the cluster running for you to explore.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
jobs=$(nproc 2>/dev/null || echo 2)

echo "== building"
make -j"$jobs" >/dev/null
echo "== installing (make install)"
if [[ $(id -u) -eq 0 ]]; then make install >/dev/null; else sudo make install >/dev/null; fi

echo "== starting a throwaway cluster"
# Its background-job launcher works in the demo database.
export UM_JOBS_DATABASE=${UM_JOBS_DATABASE:-usermatch_demo}
scripts/cluster.sh start
eval "$(scripts/cluster.sh env)"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS usermatch_demo" -c "CREATE DATABASE usermatch_demo"

echo "== loading sample users and matching them"
psql -X -d usermatch_demo -v ON_ERROR_STOP=1 -f scripts/demo.sql

cat <<TXT

== done. The cluster is still running:
   connect:  psql -h $PGHOST -p $PGPORT -U $PGUSER usermatch_demo
   stop:     make stop        (or: scripts/cluster.sh stop; 'scripts/cluster.sh destroy' also removes it)
TXT
