#!/usr/bin/env bash
# Runs the test programs once against the binaries in $BIN_DIR:
#   $TEST_DIR/unit/*          cmocka unit tests
#   $TEST_DIR/integration/*   cmocka tests against real processes on loopback
#   tests/scripts/*.sh        shell scenario tests (demo, pipes, lab)
#
# usage: tests/run.sh [--list] [PATTERN...]
#
# A test's name is unit/NAME, integration/NAME or tests/scripts/NAME.sh.
# With patterns, only the tests whose name contains one of them (a plain
# substring, no wildcards) run; a pattern that matches no test is an error
# (exit 2), so a typo never passes as "0 passed".  --list prints the names
# that would run and runs nothing.  `make check TESTS=PATTERN` passes its
# patterns here.
#
# Each test runs under a generous time bound that only catches hangs.
# Prints a line per test program and closes with "N passed, N failed".
# SCRIPT_DIR (default tests/scripts) is where the shell tests are found;
# tests/scripts/run_filter.sh points it, and TEST_DIR, at a fake tree.
set -u
usage() { echo "usage: tests/run.sh [--list] [PATTERN...]  (BIN_DIR and TEST_DIR must be set)"; }
list_only=0
case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  --list) list_only=1; shift ;;
  -*) usage >&2; exit 2 ;;
esac
: "${BIN_DIR:?BIN_DIR must name the directory with chatd, chat, netprobe}"
: "${TEST_DIR:?TEST_DIR must name the directory with the test binaries}"
export BIN_DIR TEST_DIR
cd "$(dirname "$0")/.." || exit 3
SCRIPT_DIR=${SCRIPT_DIR:-tests/scripts}

# Leak checks matter, but a sanitizer report must fail the run loudly.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=86"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# The tests compare English text; a Spanish-speaking shell must not change
# that (tests/scripts/i18n.sh asks for Spanish itself, per command).
export LANG=C.UTF-8 LC_ALL=C.UTF-8
# netprobe --local asks the EC2 metadata service (169.254.169.254) when
# --public is not given; no test may reach it from this machine's own
# network.  tests/scripts/netprobe_local_imds.sh unsets this inside a namespace
# that has its own fake service.
export NETPROBE_IMDS=off
unset LANGUAGE LC_MESSAGES

# Every test as "NAME<TAB>COMMAND-PATH", in the order they run: the C tests
# are executables, the shell tests run under bash.
all_tests() {
  local t
  for t in "$TEST_DIR"/unit/* "$TEST_DIR"/integration/*; do
    if [ ! -f "$t" ] || [ ! -x "$t" ]; then continue; fi
    printf '%s\t%s\n' "$(basename "$(dirname "$t")")/$(basename "$t")" "$t"
  done
  for t in "$SCRIPT_DIR"/*.sh; do
    # lib.sh is what the shell tests source, not a test.
    if [ ! -f "$t" ] || [ "$(basename "$t")" = lib.sh ]; then continue; fi
    printf '%s\t%s\n' "$t" "$t"
  done
}

# Keeps the tests whose name contains one of the patterns (all without
# patterns).  Returns 2, naming it, when a pattern selects nothing.
select_tests() {
  local list line pat name rc=0
  list=$(all_tests)
  if [ $# -eq 0 ]; then
    if [ -n "$list" ]; then printf '%s\n' "$list"; fi
    return 0
  fi
  for pat in "$@"; do
    if ! cut -f1 <<<"$list" | grep -qF -- "$pat"; then
      echo "tests/run.sh: no test name contains \"$pat\" (tests/run.sh --list shows the names)" >&2
      rc=2
    fi
  done
  [ $rc -eq 0 ] || return $rc
  while IFS= read -r line; do
    name=${line%%$'\t'*}
    for pat in "$@"; do
      if [[ $name == *"$pat"* ]]; then printf '%s\n' "$line"; break; fi
    done
  done <<<"$list"
}

selected=$(select_tests "$@") || exit 2
if [ $list_only -eq 1 ]; then
  if [ -n "$selected" ]; then cut -f1 <<<"$selected"; fi
  exit 0
fi

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

# The list is read on fd 3 so that the tests keep the caller's stdin.
while IFS=$'\t' read -r -u 3 name path; do
  [ -n "$name" ] || continue
  echo "== RUN $name"
  case $path in
    *.sh) run_one "$name" bash "$path" 3<&- ;;
    *) run_one "$name" "$path" 3<&- ;;
  esac
done 3<<<"$selected"

echo
[ ${#failures[@]} -gt 0 ] && printf 'failed: %s\n' "${failures[@]}"
echo "${SAN:+sanitizers: }$passed passed, $failed failed"
[ $failed -eq 0 ]
