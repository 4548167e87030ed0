#!/usr/bin/env bash
# Every test layer of usermatch, in order; prints the failures and exits non-zero on any.
#   1. core unit tests (GoogleTest via ctest)
#   2. the same unit tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   3. build + install the extension, check its exported symbols
#   4. pg_regress (the SQL surface as psql shows it) against a throwaway cluster (server started
#      with MALLOC_PERTURB_=90, see below)
#   5. pgTAP (behaviour, errors, permissions) via pg_prove against the same cluster
#   6. background jobs under faults (test/jobs/faults.sh: kill -9, restart, idle launcher, no preload)
# The cluster is stopped and removed on exit, whatever happens.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
jobs=$(nproc 2>/dev/null || echo 2)
passed=0
failed=0
failed_layers=()

layer() {  # layer NAME COMMAND...: runs one layer and records the outcome
  local name=$1; shift
  echo
  echo "=== $name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failed_layers+=("$name")
    echo "=== $name: FAILED"
  fi
}

sudo_if_needed() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

unit_tests() {
  cmake -S . -B build-ci -DCMAKE_BUILD_TYPE=Release -DUSERMATCH_BENCHMARKS=OFF >/dev/null &&
    cmake --build build-ci -j"$jobs" &&
    ctest --test-dir build-ci --output-on-failure -j"$jobs"
}

sanitized_unit_tests() {
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DUSERMATCH_SANITIZE=ON >/dev/null &&
    cmake --build build-asan -j"$jobs" --target usermatch_unit_tests &&
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir build-asan --output-on-failure -j"$jobs"
}

install_extension() {
  make -j"$jobs" USERMATCH_WERROR=1 >/dev/null && sudo_if_needed make install >/dev/null && test/check-symbols.sh usermatch.so
}

export UM_CLUSTER_DIR=${UM_TEST_CLUSTER_DIR:-/tmp/usermatch-test-$$}
# The server runs with MALLOC_PERTURB_: glibc fills freed memory with this byte, so a
# use-after-free in the glue shows up as garbage in results and messages (Debian ships no
# --enable-cassert server build to run the suites against). UM_MALLOC_PERTURB=0 turns it off.
export UM_MALLOC_PERTURB=${UM_MALLOC_PERTURB:-90}
[[ $UM_MALLOC_PERTURB == 0 ]] && unset UM_MALLOC_PERTURB
export UM_PORT=${UM_TEST_PORT:-54330}
# The background-job launcher works in the pgTAP database (created by the pgTAP layer).
export UM_JOBS_DATABASE=usermatch_tap
cleanup() { scripts/cluster.sh destroy >/dev/null 2>&1 || true; }
trap cleanup EXIT

start_cluster() {
  scripts/cluster.sh start && eval "$(scripts/cluster.sh env)"
}

regress() {
  rm -rf results regression.diffs regression.out
  if ! make installcheck PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER="$PGUSER"; then
    [[ -f regression.diffs ]] && cat regression.diffs
    return 1
  fi
}

pgtap() {
  local db=usermatch_tap
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" &&
    psql -X -q -d "$db" -c "CREATE EXTENSION pgtap" -c "CREATE EXTENSION usermatch" &&
    pg_prove -d "$db" test/pgtap/*.sql
}

online_sessions() { test/online/sessions.sh; }

layer "core unit tests" unit_tests
layer "core unit tests (ASan + UBSan)" sanitized_unit_tests
layer "build, install, exported symbols" install_extension
if [[ ${failed_layers[*]:-} != *"build, install"* ]] && start_cluster; then
  layer "pg_regress" regress
  layer "pgTAP" pgtap
  layer "online matching across sessions" online_sessions
  layer "online: one shared index (8 backends attach, kill -9, writing transaction, corrupt file)" test/online/shared.sh
  layer "statistics (pgbench counters, exporter, Chromium, history, no preload)" test/stats/run.sh
  layer "background jobs: kill -9, restart, idle launcher, no preload" test/jobs/faults.sh
  layer "background jobs from pg_cron" test/jobs/pg_cron.sh
else
  failed=$((failed + 7)); failed_layers+=("pg_regress" "pgTAP (no cluster)" "online sessions, shared index, statistics, background jobs, pg_cron (no cluster)")
fi

echo
if ((failed > 0)); then echo "failed layers: ${failed_layers[*]}"; fi
echo "test layers: $passed passed, $failed failed"
((failed == 0))
