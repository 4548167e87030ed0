#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the demo and the tests, with usermatch preloaded.
#   scripts/cluster.sh start | stop | status | env
# Settings (environment):
#   UM_CLUSTER_DIR  data + socket folder   (default: <checkout>/.cluster)
#   UM_PORT         private port            (default: 54329)
#   UM_JOBS_DATABASE   database whose background jobs the launcher runs (usermatch.database;
#                   default postgres)
#   UM_MALLOC_PERTURB  when set (1-255), the server runs with MALLOC_PERTURB_ set to it: glibc
#                   fills freed memory with that byte, so a use-after-free shows up as garbage
#                   (the tests use it; Debian ships no --enable-cassert server build)
# The cluster listens only on a Unix socket in UM_CLUSTER_DIR. PostgreSQL refuses to run as
# root, so as root the cluster belongs to the OS user `postgres` (commands go through runuser).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bindir=$(pg_config --bindir)
dir=${UM_CLUSTER_DIR:-$repo/.cluster}
port=${UM_PORT:-54329}

if [[ $(id -u) -eq 0 ]]; then
  owner=postgres
  as_owner() { runuser -u postgres -- "$@"; }
else
  owner=$(id -un)
  as_owner() { "$@"; }
fi

# The owner must reach the folder, and a Unix socket path must stay short (107 bytes).
if [[ -z ${UM_CLUSTER_DIR:-} ]]; then
  parent=$(dirname "$dir")
  if ! as_owner test -x "$parent" 2>/dev/null || ((${#dir} > 80)); then
    dir=/tmp/usermatch-cluster-$(printf '%s' "$repo" | md5sum | cut -c1-8)-$port
  fi
fi
data=$dir/data
log=$dir/postgresql.log

start() {
  mkdir -p "$dir"
  [[ $owner == "$(id -un)" ]] || chown "$owner" "$dir"
  chmod 700 "$dir"
  if [[ ! -f $data/PG_VERSION ]]; then
    as_owner "$bindir/initdb" -D "$data" -U "$owner" --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    cat >>"$data/postgresql.conf" <<CONF

# --- written by usermatch scripts/cluster.sh ---
port = $port
listen_addresses = ''
unix_socket_directories = '$dir'
shared_preload_libraries = 'usermatch'
usermatch.database = '${UM_JOBS_DATABASE:-postgres}'
max_worker_processes = 16
fsync = off
synchronous_commit = off
shared_buffers = 256MB
work_mem = 64MB
maintenance_work_mem = 256MB
log_min_messages = warning
CONF
  fi
  if as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    echo "cluster: already running ($dir, port $port)"
  else
    local perturb=()
    [[ -n ${UM_MALLOC_PERTURB:-} ]] && perturb=(env "MALLOC_PERTURB_=$UM_MALLOC_PERTURB")
    as_owner "${perturb[@]}" "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null ||
      { tail -n 30 "$log" >&2; exit 1; }
    echo "cluster: started ($dir, port $port, owner $owner${UM_MALLOC_PERTURB:+, MALLOC_PERTURB_=$UM_MALLOC_PERTURB})"
  fi
}

stop() {
  if [[ -f $data/PG_VERSION ]] && as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_owner "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    echo "cluster: stopped ($dir)"
  fi
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  destroy) stop; rm -rf "$dir" ;;
  status) as_owner "$bindir/pg_ctl" -D "$data" status ;;
  env) printf 'export PGHOST=%q PGPORT=%q PGUSER=%q\n' "$dir" "$port" "$owner" ;;
  *) echo "usage: $0 start|stop|destroy|status|env" >&2; exit 2 ;;
esac
