# shellcheck shell=bash
# lib.sh - what every shell test in tests/scripts/ shares.  Not a test
# itself (tests/run.sh skips it); each test sources it first:
#
#   set -u
#   # shellcheck source=tests/scripts/lib.sh
#   . "$(dirname "$0")/lib.sh"
#
# Sourcing moves to the repository root, names the test (T_NAME: the
# script's file name without .sh) and arranges for the exit: on any exit,
# or on SIGINT/SIGTERM/SIGHUP/SIGPIPE, the actions registered with
# t_at_exit run, newest first.  It offers:
#
#   ok WHAT, bad WHAT   count one check that held / failed ("ok: WHAT",
#                       "FAIL: WHAT"); the counts are $pass and $fail
#   t_done              prints "NAME: N passed, N failed"; its status is
#                       0 only if nothing failed (the script's last line)
#   t_skip WHY          prints "NAME: skipped: WHY" and exits 0
#   t_need_root WHY     skips unless run as root ("needs root WHY")
#   t_need_tools T...   skips unless every command T is installed
#   t_need_netns [ARG...]  skips unless `unshare ARG... true` works
#                       (default --net)
#   t_need_jsonschema   skips unless python3 can import jsonschema
#   $T_TMP              the test's own directory under /tmp, made when
#                       lib.sh is sourced and removed at exit
#   t_at_exit COMMAND   runs COMMAND (a string, expanded then) at exit
#   t_stop PID...       stops processes: SIGTERM, SIGKILL after 10 s, reaped
#
# Works under `set -e` too: nothing here fails on a process that is gone.

T_NAME=$(basename "$0" .sh)
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 3

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

t_done() {
  echo "$T_NAME: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}

t_skip() {
  echo "$T_NAME: skipped: $*"
  exit 0
}

t_need_root() {
  [ "$(id -u)" -eq 0 ] || t_skip "needs root $*"
}

t_need_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || t_skip "$tool is not installed (scripts/deps.sh installs it)"
  done
}

t_need_netns() {
  [ $# -gt 0 ] || set -- --net
  unshare "$@" true 2>/dev/null ||
    t_skip "unshare $* is not allowed here (this machine cannot create namespaces)"
}

t_need_jsonschema() {
  python3 -c 'import jsonschema' 2>/dev/null ||
    t_skip "python3 module jsonschema is missing (scripts/deps.sh installs python3-jsonschema)"
}

T_AT_EXIT=()
t_at_exit() { T_AT_EXIT+=("$1"); }

# t_chatd_port LOG PID: prints the port a chatd started with --bind
# 127.0.0.1 --port 0 (pid PID, stderr to LOG) says it listens on, once it
# does; fails without printing if it exits or says nothing within 5 s.
t_chatd_port() {
  local p
  for _ in $(seq 50); do
    p=$(sed -n 's/.*listening on 127\.0\.0\.1 port \([0-9]*\).*/\1/p' "$1" | head -1)
    [ -n "$p" ] && { echo "$p"; return 0; }
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

t_stop() {
  local pid i
  for pid in "$@"; do
    [ -n "$pid" ] || continue
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}

# Runs the registered actions, newest first.  An action that fails does not
# stop the others, and the script's exit status stays what it was.
t_run_at_exit() {
  local i
  for ((i = ${#T_AT_EXIT[@]} - 1; i >= 0; i--)); do
    eval "${T_AT_EXIT[i]}" || true
  done
  T_AT_EXIT=()
}
trap t_run_at_exit EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

# shellcheck disable=SC2034  # used by the tests that source this file
T_TMP=$(mktemp -d "/tmp/$T_NAME.XXXXXX") || { echo "FAIL: $T_NAME: mktemp -d failed"; exit 1; }
t_at_exit 'rm -rf -- "$T_TMP"'
