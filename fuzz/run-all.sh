#!/bin/sh
# Builds the fuzz harnesses and runs each one for SECONDS (default 5) on
# its seed corpus, two at a time, under ASan and UBSan. Exits non-zero when
# a harness finds a crash, a leak, a hang or a broken invariant; the input
# that did it is left in BUILD/artifacts/. Used by CI with a short time:
#
#   fuzz/run-all.sh 5            # 13 harnesses, two at a time: 35 s of runs
#   FUZZ_JOBS=1 fuzz/run-all.sh 600
#
# BUILD is $FUZZ_BUILD_DIR, default build-fuzz beside fuzz/. New inputs the
# fuzzer finds go to BUILD/corpus/<target>/, never into the repository.
set -eu
seconds=${1:-5}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
jobs=${FUZZ_JOBS:-2}

CC=${CC:-clang} CXX=${CXX:-clang++} cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 >/dev/null

mkdir -p "$build/artifacts" "$build/logs"
# Leaks count as failures; a run that takes over 10 s on one input hangs.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:intercept_tls_get_addr=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_one() {
  t=$1
  mkdir -p "$build/corpus/$t"
  if "$build/fuzz_$t" "$build/corpus/$t" "$here/corpus/$t" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$build/artifacts/$t-" >"$build/logs/$t.log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/logs/$t.log")
    echo "fuzz_$t: ${execs:-?} runs in ${seconds}s, no crash"
  else
    echo "fuzz_$t: FAILED (log: $build/logs/$t.log)"
    tail -n 30 "$build/logs/$t.log"
    return 1
  fi
}

targets=$(cd "$here/corpus" && ls)
status=0
set -- $targets
while [ $# -gt 0 ]; do
  pids=""
  names=""
  i=0
  while [ $i -lt "$jobs" ] && [ $# -gt 0 ]; do
    run_one "$1" &
    pids="$pids $!"
    shift
    i=$((i + 1))
  done
  for p in $pids; do
    wait "$p" || status=1
  done
done
if [ $status -eq 0 ]; then
  echo "fuzz: every harness ran ${seconds}s with no crash"
fi
exit $status
