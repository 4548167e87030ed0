#!/usr/bin/env bash
# `make bench`: the three SQL-level benchmarks in order (each starts and destroys its own
# throwaway cluster). They print figures and never fail for being slow. See bench/README.md.
#   scripts/bench.sh            (UM_BENCH_PORT, USERMATCH_DATASETS as in bench/lib.sh)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
echo "# reproduce: scripts/bench.sh   (or: make bench)"
"$repo"/bench/compare_functions.sh
UM_BENCH_NO_BUILD=1 "$repo"/bench/quality.sh
UM_BENCH_NO_BUILD=${UM_BENCH_NO_BUILD:-} "$repo"/bench/speed.sh
