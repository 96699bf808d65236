#!/usr/bin/env bash
# chatd's start-up warning for a machine with a global IPv6 address where
# chatd accepts IPv4 only (issue 15 item 5).  Runs in a fresh network
# namespace (unshare --net) with loopback and one dummy interface (a veth
# pair where the kernel has no dummy driver), so the
# machine's own addresses play no part and nothing leaves it; --pid
# --kill-child makes sure no chatd outlives the test.  The dummy first has
# only its link-local address (fe80::, not global), then 2001:db8::5/64.
set -u
# shellcheck source=tests/scripts/lib.sh
. "$(dirname "$0")/lib.sh"
: "${BIN_DIR:?BIN_DIR must name the directory with chatd}"
t_need_root "for unshare --net (run as root to test the IPv6 start-up warning)"
t_need_netns --net --mount --pid --fork --kill-child
t_need_tools ip

cat >"$T_TMP/inner.sh" <<'INNER'
set -u
pass=0 fail=0
# expect NAME WANT NOT -- ARGS...: starts chatd ARGS, waits up to 10 s for
# its families line, stops it; its output must match WANT and not NOT
# (extended regexes; NOT "" checks nothing).
expect() {
  local name=$1 want=$2 not=$3; shift 4
  local log=$TMPD/chatd.log pid i
  : >"$log"
  "$BIN_DIR/chatd" --port 0 "$@" >"$log" 2>&1 &
  pid=$!
  for ((i = 0; i < 100; i++)); do
    grep -q "accepting IPv" "$log" && break
    sleep 0.1
  done
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  if grep -Eq "$want" "$log" && { [ -z "$not" ] || ! grep -Eq "$not" "$log"; }; then
    echo "ok: $name"; pass=$((pass + 1))
  else
    echo "FAIL: $name: output: $(cat "$log")"; fail=$((fail + 1))
  fi
}

# A dummy interface; where the kernel has no dummy driver, one end of a
# veth pair whose other end stays in this namespace too.
ip link set lo up || { echo "FAIL: ip link set lo up"; exit 1; }
if ! ip link add d0 type dummy 2>/dev/null; then
  echo "note: no dummy driver in this kernel; using a veth pair (both ends here)"
  ip link add d0 type veth peer name d1 && ip link set d1 up ||
    { echo "FAIL: cannot create a dummy or veth interface"; exit 1; }
fi
ip link set d0 up || { echo "FAIL: ip link set d0 up"; exit 1; }
# The kernel adds the link-local address when the link comes up.
for ((i = 0; i < 50; i++)); do
  ip -6 addr show dev d0 scope link | grep -q fe80 && break
  sleep 0.1
done
ip -6 addr show dev d0 scope link | grep -q fe80 || { echo "FAIL: d0 has no fe80:: address"; exit 1; }

expect "a link-local IPv6 address alone is no reason to warn" \
  "accepting IPv4 connections only" "global IPv6" -- --bind 0.0.0.0

ip -6 addr add 2001:db8::5/64 dev d0 nodad || { echo "FAIL: ip -6 addr add"; exit 1; }

expect "IPv4 only with a global IPv6 address warns and says what to do" \
  "warning: this machine has the global IPv6 address 2001:db8::5, but chatd accepts IPv4 only.*use --bind :: or leave out --bind" \
  "" -- --bind 0.0.0.0
expect "the default (0.0.0.0 and ::) accepts both and does not warn" \
  "accepting IPv4 and IPv6 connections" "global IPv6" --
expect "--bind with the IPv6 address accepts IPv6 only, no warning" \
  "accepting IPv6 connections only" "global IPv6" -- --bind 2001:db8::5
expect "loopback only has its own warning, not this one" \
  "listening on loopback only" "global IPv6" -- --bind 127.0.0.1
echo "inner: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
INNER

out=$(TMPD=$T_TMP BIN_DIR=$BIN_DIR unshare --net --pid --fork --kill-child --mount-proc \
  bash "$T_TMP/inner.sh" 2>&1)
rc=$?
echo "$out"
if [ $rc -eq 0 ]; then ok "every case held in the namespace"; else bad "a case failed (above)"; fi
t_done
