#!/usr/bin/env bash
# The shared online index (issue 9): cold build time and image bytes of a generate_users(ROWS,
# preset => 'realistic') target, then the memory of 1 and CLIENTS backends that each ran
# match_one, with the shared index (usermatch.online_share = on: one mapped file) and with the
# private design (off: every backend builds its own copy; PRIVATE_CLIENTS backends at most, since
# each needs the whole index), then p50/p99 of match_one at 1 client (pgbench -M prepared).
#
# Memory = the sum of Pss (/proc/<pid>/smaps_rollup) of those backends minus the same sum for as
# many idle backends: Pss divides each shared page by the processes mapping it, so the sum counts
# a page of the mapped index once however many backends map it.
#   ROWS=1000000 CLIENTS=32 PRIVATE_CLIENTS=4 SECONDS_PGBENCH=10 nice bench/online_shared.sh
# Uses bench/lib.sh's throwaway cluster (UM_BENCH_PORT, UM_BENCH_CLUSTER_DIR, UM_BENCH_NO_BUILD).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/online/target.sh"
rows=${ROWS:-1000000}
clients=${CLIENTS:-32}
private_clients=${PRIVATE_CLIENTS:-4}
seconds=${SECONDS_PGBENCH:-10}
bench_start
bench_machine
online_target_load "$rows"
sql -At -F ' ' -c "SELECT 'cold build (warm_cache, published):', usermatch.warm_cache('online_bench', 'online_target'), 'rows'" \
    -c "SELECT 'build seconds:', round(last_build_seconds::numeric, 3), 'image bytes:', mapped_bytes,
               '(' || round(mapped_bytes::numeric / $rows, 1) || ' per row)' FROM usermatch.cache_stats"
sql -At -F ' ' -c "SET usermatch.online_share = off" -c "SELECT usermatch.drop_cache()" \
    -c "SELECT count(*) FROM usermatch.match_one('online_bench', '{\"full_name\": \"x\"}', 'online_target')" \
    -c "SELECT 'private index (online_share = off): build seconds', round(last_build_seconds::numeric, 3), 'bytes', bytes FROM usermatch.cache_stats" | grep private

pss_sum() {  # sum of Pss (kB) of the backends whose current query contains $1 (all their memory)
  local total=0 pid kb
  for pid in $(sql -At -c "SELECT pid FROM pg_stat_activity WHERE query LIKE '%$1%' AND pid <> pg_backend_pid()"); do
    kb=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
    total=$((total + ${kb:-0}))
  done
  echo "$total"
}
mapped_pss_sum() {  # ... of their mappings of published index files only
  local total=0 pid kb
  for pid in $(sql -At -c "SELECT pid FROM pg_stat_activity WHERE query LIKE '%$1%' AND pid <> pg_backend_pid()"); do
    kb=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { on = index($0, "pg_usermatch/online") > 0 } on && /^Pss:/ { s += $2 } END { print s + 0 }' \
           "/proc/$pid/smaps" 2>/dev/null || echo 0)
    total=$((total + ${kb:-0}))
  done
  echo "$total"
}
# hold MODE N TAG: N backends that ran match_one (MODE on/off) or nothing (MODE idle), then sleep.
hold() {
  local mode=$1 n=$2 tag=$3 i
  for ((i = 1; i <= n; i++)); do
    if [[ $mode == idle ]]; then
      sql -At -c "SELECT pg_sleep(600) AS $tag" >/dev/null 2>&1 &
    else
      sql -At -c "SET usermatch.online_share = $mode" \
          -c "SELECT count(*) FROM usermatch.match_one('online_bench', (SELECT rec FROM online_queries WHERE n = $i), 'online_target')" \
          -c "SELECT pg_sleep(600) AS $tag" >/dev/null 2>&1 &
    fi
  done
  for _ in $(seq 1 3000); do
    [[ $(sql -At -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(600) AS $tag%' AND pid <> pg_backend_pid()") -ge $n ]] && break
    sleep 0.2
  done
}
release() {
  sql -At -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(600) AS $1%' AND pid <> pg_backend_pid()" >/dev/null
  wait 2>/dev/null || true
}
measure() {  # measure MODE N: prints the index memory of N backends in MB
  local mode=$1 n=$2 base used mapped
  hold idle "$n" um_idle_$n; base=$(pss_sum "AS um_idle_$n"); release um_idle_$n
  hold "$mode" "$n" um_hold_${mode}_$n; used=$(pss_sum "AS um_hold_${mode}_$n"); mapped=$(mapped_pss_sum "AS um_hold_${mode}_$n")
  release um_hold_${mode}_$n
  echo "online_share = $mode, $n backend(s) after match_one: total Pss $((used / 1024)) MB - idle backends $((base / 1024)) MB" \
       "= $(((used - base) / 1024)) MB (of which the mapped index file: $((mapped / 1024)) MB)"
}
measure on 1
measure on "$clients"
measure off 1
((private_clients > 1)) && measure off "$private_clients"

first_call() {  # first_call MODE: ms of the first match_one of a new backend
  sql -At -c "SET usermatch.online_share = $1" -c '\timing on' \
      -c "SELECT count(*) FROM usermatch.match_one('online_bench', (SELECT rec FROM online_queries WHERE n = 7), 'online_target')" |
    grep -oP 'Time: \K[0-9.]+'
}
echo "first call of a new backend: online_share = on (attaches) $(first_call on) ms, off (builds) $(first_call off) ms"
latency() {  # latency MODE
  local logdir n
  logdir=$(mktemp -d)
  (cd "$logdir" && PGOPTIONS="-c usermatch.online_share=$1" pgbench -n -M prepared -c 1 -j 1 -T "$seconds" -l -f "$repo/bench/online/match_one.pgbench" >"$logdir/summary.txt" 2>&1) ||
    { cat "$logdir/summary.txt"; exit 1; }
  for f in "$logdir"/pgbench_log.*; do tail -n +2 "$f"; done | awk '{ print $3 / 1000 }' | sort -n >"$logdir/lat"
  n=$(wc -l <"$logdir/lat")
  pct() { sed -n "$(($1 * n / 100 + 1))p" "$logdir/lat"; }
  echo "1 client, online_share = $1: $n lookups in ${seconds}s (first call excluded), tps $(grep -oP 'tps = \K[0-9.]+' "$logdir/summary.txt" | head -1)," \
       "p50 $(pct 50) ms, p99 $(pct 99) ms"
  rm -rf "$logdir"
}
latency on
latency off
