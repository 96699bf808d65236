#!/usr/bin/env bash
# Runs every test program once against the binaries in $BIN_DIR:
#   $TEST_DIR/unit/*          cmocka unit tests
#   $TEST_DIR/integration/*   cmocka tests against real processes on loopback
#   tests/scripts/*.sh        shell scenario tests (demo, pipes, lab)
# Each runs under a generous time bound that only catches hangs.  Prints a
# line per test program and closes with "N passed, N failed".
set -u
: "${BIN_DIR:?BIN_DIR must name the directory with chatd, chat, netprobe}"
: "${TEST_DIR:?TEST_DIR must name the directory with the test binaries}"
export BIN_DIR TEST_DIR
cd "$(dirname "$0")/.." || exit 3

# Leak checks matter, but a sanitizer report must fail the run loudly.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=86"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# The tests compare English text; a Spanish-speaking shell must not change
# that (tests/scripts/i18n.sh asks for Spanish itself, per command).
export LANG=C.UTF-8 LC_ALL=C.UTF-8
unset LANGUAGE LC_MESSAGES

passed=0 failed=0 failures=()
run_one() {
  local name=$1; shift
  local start end rc
  start=$(date +%s.%N)
  timeout --kill-after=10 600 "$@"
  rc=$?
  end=$(date +%s.%N)
  local secs
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}')
  if [ $rc -eq 0 ]; then
    passed=$((passed + 1)); echo "== PASS $name (${secs}s)"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "== FAIL $name (exit $rc, ${secs}s)"
  fi
}

for t in "$TEST_DIR"/unit/* "$TEST_DIR"/integration/*; do
  if [ ! -f "$t" ] || [ ! -x "$t" ]; then continue; fi
  echo "== RUN $(basename "$(dirname "$t")")/$(basename "$t")"
  run_one "$(basename "$(dirname "$t")")/$(basename "$t")" "$t"
done
for t in tests/scripts/*.sh; do
  [ -f "$t" ] || continue
  echo "== RUN $t"
  run_one "$t" bash "$t"
done

echo
[ ${#failures[@]} -gt 0 ] && printf 'failed: %s\n' "${failures[@]}"
echo "${SAN:+sanitizers: }$passed passed, $failed failed"
[ $failed -eq 0 ]
