#!/usr/bin/env bash
# `make dashboard`: writes usermatch.dashboard_html() of the demo cluster (scripts/cluster.sh,
# default folder and port; started if it is stopped) to a file and prints its path.
#   UM_DASHBOARD_DB   database with usermatch installed  (default: usermatch_demo, from make demo)
#   UM_DASHBOARD_OUT  output file                        (default: <checkout>/dashboard.html)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
db=${UM_DASHBOARD_DB:-usermatch_demo}
out=${UM_DASHBOARD_OUT:-$repo/dashboard.html}
scripts/cluster.sh start >/dev/null
eval "$(scripts/cluster.sh env)"
if ! psql -X -qAt -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
  echo "dashboard: database $db does not exist; run 'make demo' first (or set UM_DASHBOARD_DB)" >&2
  exit 1
fi
psql -X -qAt -v ON_ERROR_STOP=1 -d "$db" -c 'SELECT usermatch.dashboard_html()' -o "$out"
echo "$out"
