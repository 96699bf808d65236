#!/usr/bin/env bash
# tests/run.sh runs what its patterns select, and only that: against a fake
# tree of tiny tests (TEST_DIR with unit/ and integration/, SCRIPT_DIR with
# shell tests) that each note their name in a log when they run, a pattern
# runs the tests whose name contains it, several patterns run the union
# once each, no pattern runs everything, and a pattern that matches nothing
# (or a wildcard, which is not one) stops the run with exit 2 before any
# test runs.  The closing "N passed, N failed" line and the exit status
# count what ran.  Runs nothing but the fakes; takes well under a second.
set -u
# shellcheck source=tests/scripts/lib.sh
. "$(dirname "$0")/lib.sh"

fake=$T_TMP/fake
mkdir -p "$fake/unit" "$fake/integration" "$fake/scripts"
export RUN_LOG=$T_TMP/ran
# fake_test PATH EXIT: an executable that logs its name and exits EXIT.
fake_test() {
  printf '#!/bin/sh\necho "%s" >>"$RUN_LOG"\nexit %s\n' "${1#"$fake/"}" "$2" >"$1"
  chmod +x "$1"
}
fake_test "$fake/unit/alpha_one" 0
# This one reads its standard input: the list of tests must not be there.
printf '#!/bin/sh\ncat >/dev/null\necho unit/alpha_two >>"$RUN_LOG"\n' >"$fake/unit/alpha_two"
chmod +x "$fake/unit/alpha_two"
fake_test "$fake/unit/beta_one" 0
fake_test "$fake/unit/not_executable" 0
chmod -x "$fake/unit/not_executable"
fake_test "$fake/integration/alpha_three" 0
fake_test "$fake/integration/gamma_fails" 1
fake_test "$fake/scripts/alpha_script.sh" 0
fake_test "$fake/scripts/lib.sh" 0

# run ARGS...: tests/run.sh ARGS against the fake tree; sets rc, out (stdout
# and stderr), ran (the names logged, space-separated, in order) and last
# (the closing line).
run() {
  rm -f "$RUN_LOG"
  out=$(SAN='' BIN_DIR=$fake TEST_DIR=$fake SCRIPT_DIR=$fake/scripts tests/run.sh "$@" 2>&1 </dev/null)
  rc=$?
  ran=$(tr '\n' ' ' 2>/dev/null <"$RUN_LOG")
  ran=${ran% }
  last=$(tail -n 1 <<<"$out")
}

# expect WHAT RC RAN LAST: the last run exited RC, ran exactly RAN (in that
# order) and closed with LAST.
expect() {
  if [ "$rc" = "$2" ] && [ "$ran" = "$3" ] && [ "$last" = "$4" ]; then
    ok "$1"
  else
    bad "$1: exit $rc (want $2), ran \"$ran\" (want \"$3\"), last line \"$last\" (want \"$4\"); output: $out"
  fi
}

all="unit/alpha_one unit/alpha_two unit/beta_one integration/alpha_three integration/gamma_fails scripts/alpha_script.sh"
run
expect "no pattern runs every test once, counts the failure and exits 1" \
  1 "$all" "5 passed, 1 failed"
if grep -qx "failed: integration/gamma_fails" <<<"$out"; then ok "the failed test is named"
else bad "no 'failed: integration/gamma_fails' line: $out"; fi

run alpha_one
expect "one pattern runs only the matching test" 0 "unit/alpha_one" "1 passed, 0 failed"

run alpha
expect "a pattern matching several tests runs each, C tests and shell tests" \
  0 "unit/alpha_one unit/alpha_two integration/alpha_three scripts/alpha_script.sh" \
  "4 passed, 0 failed"

run unit/beta alpha_three beta_one
expect "several patterns run the union, each test once, in the usual order" \
  0 "unit/beta_one integration/alpha_three" "2 passed, 0 failed"

run gamma
expect "a selected failing test fails the run" 1 "integration/gamma_fails" "0 passed, 1 failed"

run nosuch
expect "a pattern that matches nothing is an error and runs nothing" 2 "" \
  'tests/run.sh: no test name contains "nosuch" (tests/run.sh --list shows the names)'

run alpha nosuch
expect "one unmatched pattern among good ones still runs nothing" 2 "" \
  'tests/run.sh: no test name contains "nosuch" (tests/run.sh --list shows the names)'

run 'alpha_*'
expect "patterns are plain text, not wildcards" 2 "" \
  'tests/run.sh: no test name contains "alpha_*" (tests/run.sh --list shows the names)'

run not_executable
expect "a file that is not executable is not a test" 2 "" \
  'tests/run.sh: no test name contains "not_executable" (tests/run.sh --list shows the names)'

run lib.sh
expect "lib.sh is not a test" 2 "" \
  'tests/run.sh: no test name contains "lib.sh" (tests/run.sh --list shows the names)'

run --list alpha
if [ "$rc" = 0 ] && [ -z "$ran" ] &&
  [ "$(tr '\n' ' ' <<<"$out")" = "unit/alpha_one unit/alpha_two integration/alpha_three $fake/scripts/alpha_script.sh " ]; then
  ok "--list prints the selected names and runs nothing"
else
  bad "--list alpha: exit $rc, ran \"$ran\", printed: $out"
fi

rm -f "$RUN_LOG"
out=$(SAN=1 BIN_DIR=$fake TEST_DIR=$fake SCRIPT_DIR=$fake/scripts tests/run.sh beta 2>&1 </dev/null)
if [ "$(tail -n 1 <<<"$out")" = "sanitizers: 1 passed, 0 failed" ]; then
  ok "the sanitizer pass says so on its closing line"
else
  bad "SAN=1: closing line: $(tail -n 1 <<<"$out")"
fi

t_done
