#!/usr/bin/env bash
# Online matching figures: index build time and size, p50/p99 latency and throughput of
# match_one (pgbench -M prepared) at 1 and 8 clients on a generate_users(ROWS, preset =>
# 'realistic') target. Each pgbench connection is a new backend that builds its own index on its
# first call (the cache is per backend), so latencies are reported without each client's first
# transaction, and that first transaction is reported separately.
#   bench/online/run.sh [rows=100000] [seconds=10]
# Uses bench/lib.sh's throwaway cluster (UM_BENCH_PORT, UM_BENCH_CLUSTER_DIR, UM_BENCH_NO_BUILD).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/target.sh"
rows=${1:-100000}
seconds=${2:-10}
bench_start
online_target_load "$rows"
sql -At -F ' ' -c "SELECT 'rows indexed:', usermatch.warm_cache('online_bench', 'online_target')" \
    -c "SELECT 'build seconds:', round(last_build_seconds::numeric, 3), 'index bytes:', bytes FROM usermatch.cache_stats" \
    -c "SELECT 'target table bytes:', pg_total_relation_size('online_target')"
logdir=$(mktemp -d)
for clients in 1 8; do
  rm -f "$logdir"/pgbench_log.*
  (cd "$logdir" && pgbench -n -M prepared -c "$clients" -j "$clients" -T "$seconds" -l -f "$repo/bench/online/match_one.pgbench" \
       >"$logdir/summary.txt" 2>&1) || { cat "$logdir/summary.txt"; exit 1; }
  tps=$(grep -oP 'tps = \K[0-9.]+' "$logdir/summary.txt" | head -1)
  # Log lines: client_id transaction_no time(us) script_no time_epoch time_us. The first
  # transaction of each client builds that backend's index.
  # -j = -c: one log file per client; its first line is the call that built the backend's index.
  for f in "$logdir"/pgbench_log.*; do tail -n +2 "$f"; done | awk '{ print $3 / 1000 }' | sort -n >"$logdir/lat"
  for f in "$logdir"/pgbench_log.*; do head -1 "$f"; done | awk '{ print $3 / 1000 }' | sort -n >"$logdir/first"
  n=$(wc -l <"$logdir/lat"); nf=$(wc -l <"$logdir/first")
  pct() { sed -n "$(( $2 * n / 100 + 1 ))p" "$1"; }
  echo "clients $clients: $((n + nf)) lookups in ${seconds}s, tps $tps (first calls included)," \
       "p50 $(pct "$logdir/lat" 50) ms, p99 $(pct "$logdir/lat" 99) ms, max $(tail -1 "$logdir/lat") ms;" \
       "first call of each client (builds its index): median $(sed -n "$(( (nf + 1) / 2 ))p" "$logdir/first") ms"
done
rm -rf "$logdir"
