#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what is missing, builds build/ (RelWithDebInfo)
# and build-asan/ (ASan + UBSan), runs every ctest in both, and closes with both runs' ctest
# summaries, the sanitizer run's last. Exits non-zero when a build or a test fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
jobs=${MESHGATE_JOBS:-2}
# Other build directories, for developers sharing a work tree; CI uses the defaults.
build_dir=${MESHGATE_BUILD_DIR:-build}
asan_dir=${MESHGATE_ASAN_BUILD_DIR:-build-asan}

tools/install_deps.sh

# Sanitizer settings for every instrumented process, including gtest discovery at build time.
# LSan suppressions are for third-party statics only (see the file).
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:print_stacktrace=1:abort_on_error=0:detect_stack_use_after_return=1:check_initialization_order=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LSAN_OPTIONS=suppressions=$root/tools/lsan.supp:print_suppressions=0

declare -A summary failed_tests
failed=0

# run_suite NAME DIR CMAKE_ARGS...: configure, build and test one build directory.
run_suite() {
  local name=$1 dir=$2
  shift 2
  echo "==== $name: configure and build $dir"
  if ! cmake -S . -B "$dir" -G Ninja "$@" || ! cmake --build "$dir" -j "$jobs"; then
    summary[$name]="build of $dir failed"
    failed=1
    return
  fi
  echo "==== $name: ctest in $dir"
  local log=$dir/ctest.log rc=0
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" 2>&1 | tee "$log" || rc=$?
  local line
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)
  if ((rc != 0)) || [[ -z $line ]]; then
    failed=1
  fi
  if [[ -z $line ]]; then
    # ctest prints no summary when there are no tests; say so instead of passing silently.
    line="ctest in $dir ran no test (exit $rc)"
    failed=1
  fi
  summary[$name]=$line
  failed_tests[$name]=$(sed -n '/^The following tests FAILED:/,$p' "$log" | grep -E '^\s+[0-9]+ - ' || true)
}

start=$SECONDS
run_suite release "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo
# -O1 keeps the sanitizer build quick to compile and its tests quick to run.
run_suite asan "$asan_dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" -DMESHGATE_SANITIZE=ON

echo
echo "==== tools/test.sh finished in $((SECONDS - start)) s"
for name in release asan; do
  if [[ -n ${failed_tests[$name]:-} ]]; then
    echo "$name: failed tests:"
    echo "${failed_tests[$name]}"
  fi
done
echo "release ($build_dir/):"
echo "${summary[release]}"
echo "asan+ubsan ($asan_dir/):"
echo "${summary[asan]}"
exit "$failed"
