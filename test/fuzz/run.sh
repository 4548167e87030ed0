#!/usr/bin/env bash
# Fuzzes every core target for a bounded time: test/fuzz/run.sh [SECONDS_PER_TARGET] (default 20).
#   FUZZ_TARGETS="phone date"   only these targets (default: all 15)
#   FUZZ_JOBS=2                 build parallelism
# Builds build-fuzz/ with clang-14 + libFuzzer + ASan + UBSan (USERMATCH_FUZZ=ON), then runs each
# target over a scratch copy of its seeds (test/fuzz/corpus/<t>) and kept crash inputs
# (test/fuzz/regressions/<t>) with -max_len=4096 and -timeout=1 (an input taking over 1 s is a
# hang). Prints executions, exec/s, coverage (cov: edges, ft: features) and crashes per target.
# A crash, hang, leak or sanitizer report is copied into test/fuzz/regressions/<t>/ (replayed by
# the unit tests from then on) and makes the script exit 1.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
seconds=${1:-20}
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || { echo "usage: $0 [SECONDS_PER_TARGET]" >&2; exit 2; }
all_targets="normalize_name pinyin phone phone_fast_path phone_region email date cn_id phonetic levenshtein osa jaro qgram profile person_name value_normalizers"
targets=${FUZZ_TARGETS:-$all_targets}
jobs=${FUZZ_JOBS:-2}
build=$repo/build-fuzz
cxx=${FUZZ_CXX:-clang++-14}

sudo_if_needed() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

# clang-14 with its libFuzzer runtime (Debian: clang-14 + libfuzzer-14-dev); not needed by `make test`.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '#include <cstdint>\n#include <cstddef>\nextern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }\n' >"$probe/p.cpp"
if ! "$cxx" -fsanitize=fuzzer,address,undefined "$probe/p.cpp" -o "$probe/p" 2>/dev/null; then
  echo "installing clang-14 and libfuzzer-14-dev"
  sudo_if_needed apt-get install -y -q clang-14 libfuzzer-14-dev >/dev/null || { echo "cannot install clang-14/libfuzzer-14-dev" >&2; exit 2; }
fi

echo "=== build (clang-14, -fsanitize=fuzzer,address,undefined) in $build"
cmake -S . -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DUSERMATCH_FUZZ=ON -DUSERMATCH_BENCHMARKS=OFF >/dev/null || exit 2
build_targets=()
for t in $targets; do build_targets+=(--target "fuzz_$t"); done
nice cmake --build "$build" -j"$jobs" "${build_targets[@]}" >"$build/build.log" 2>&1 || { tail -40 "$build/build.log"; exit 2; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
total_crashes=0
rows=()
for t in $targets; do
  work=$build/work/$t
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  dict=()
  [[ $t == profile ]] && dict=(-dict="$repo/test/fuzz/profile.dict")
  echo
  echo "=== fuzz_$t: ${seconds}s"
  nice "$build/fuzz_$t" -max_total_time="$seconds" -max_len=4096 -timeout=1 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" "${dict[@]}" \
    "$work/corpus" "test/fuzz/corpus/$t" "test/fuzz/regressions/$t" >"$work/log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -1)
  cov=$(grep -Eo 'cov: [0-9]+' "$work/log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -Eo 'ft: [0-9]+' "$work/log" | tail -1 | cut -d' ' -f2)
  crashes=0
  for a in "$work"/artifacts/*; do
    [[ -f $a ]] || continue
    crashes=$((crashes + 1))
    mkdir -p "test/fuzz/regressions/$t"
    cp "$a" "test/fuzz/regressions/$t/$(basename "$a")"
    echo "kept test/fuzz/regressions/$t/$(basename "$a")"
  done
  if ((rc != 0 && crashes == 0)); then crashes=1; fi  # e.g. a crash before an artifact was written
  if ((crashes > 0)); then
    grep -E 'ERROR|SUMMARY|property violated|detail:|runtime error|#[0-9]+ 0x.* in usermatch' "$work/log" | head -30
  fi
  total_crashes=$((total_crashes + crashes))
  rows+=("$(printf '%-15s %12s %9s %7s %7s %8s' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$crashes")")
done

echo
echo "=== fuzzing summary (${seconds}s per target, -max_len=4096, log: $build/work/<target>/log)"
printf '%-15s %12s %9s %7s %7s %8s\n' target executions exec/s cov ft crashes
printf '%s\n' "${rows[@]}"
if ((total_crashes > 0)); then
  echo "fuzzing: $total_crashes crash(es); inputs kept under test/fuzz/regressions/"
  exit 1
fi
echo "fuzzing: no crash"
