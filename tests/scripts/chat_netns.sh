#!/usr/bin/env bash
# chat's connect failures that need a network of their own: "no route" and
# "name not resolved" (the name does not exist / the resolver did not
# answer).  Each runs inside a fresh network namespace (unshare --net) that
# holds only its own loopback, so nothing can leave this machine.  Names are
# resolved by a dnsmasq we start on 127.0.0.1 inside that namespace, with
# resolv.conf and nsswitch.conf bind-mounted in a private mount namespace:
# this machine's resolver is never asked.  --pid --kill-child makes sure
# nothing started in there outlives the test; --mount-proc gives the
# namespace its own /proc (LeakSanitizer reads /proc/PID/task there).
set -u
# shellcheck source=tests/scripts/lib.sh
. "$(dirname "$0")/lib.sh"
: "${BIN_DIR:?BIN_DIR must name the directory with chat}"
t_need_root "for unshare --net --mount (run as root to test no-route and DNS failures)"
t_need_netns --net --mount --pid --fork --kill-child
t_need_tools ip dnsmasq
tmp=$T_TMP

printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$tmp/resolv.conf"
printf 'hosts: files dns\n' >"$tmp/nsswitch.conf"

# Runs inside the namespaces; prints "ok: ..." / "FAIL: ..." lines.
cat >"$tmp/inner.sh" <<'INNER'
set -u
chat=$BIN_DIR/chat
fail=0
# expect NAME RC PATTERN -- ARGS...: runs chat ARGS, checks its exit code
# and that its output matches PATTERN (an extended regex).
expect() {
  local name=$1 want_rc=$2 pattern=$3; shift 4
  local out rc start end
  start=$(date +%s)
  out=$(timeout 20 "$chat" "$@" </dev/null 2>&1); rc=$?
  end=$(date +%s)
  if [ "$rc" -eq "$want_rc" ] && grep -Eq "$pattern" <<<"$out"; then
    echo "ok: $name ($((end - start)) s): $out"
  else
    echo "FAIL: $name: exit $rc (want $want_rc), output: $out"
    fail=1
  fi
}

# 1. Only a down loopback: there is no route to anything.
expect "no route: 198.51.100.1 is unreachable" 1 \
  "(no route to host|network unreachable).*run: netprobe 198\.51\.100\.1 8888" \
  -- --timeout 3 --name x 198.51.100.1 8888

mount --bind "$TMPD/resolv.conf" /etc/resolv.conf || { echo "FAIL: bind-mount resolv.conf"; exit 1; }
mount --bind "$TMPD/nsswitch.conf" /etc/nsswitch.conf || { echo "FAIL: bind-mount nsswitch.conf"; exit 1; }
ip link set lo up || { echo "FAIL: ip link set lo up"; exit 1; }

# 2. Our resolver answers: *.invalid does not exist (NXDOMAIN).
dnsmasq --keep-in-foreground --no-resolv --no-hosts --listen-address=127.0.0.1 \
  --bind-interfaces --port=53 --local=/invalid/ --user=root --log-queries \
  --log-facility="$TMPD/dnsmasq.log" --pid-file="$TMPD/dnsmasq.pid" &
dns=$!
for _ in $(seq 50); do [ -s "$TMPD/dnsmasq.pid" ] && break; sleep 0.1; done
expect "name does not exist" 1 \
  "name not resolved: the name no-such-host\.invalid does not exist.*run: netprobe no-such-host\.invalid 8888" \
  -- --name x no-such-host.invalid 8888
kill "$dns"; wait "$dns" 2>/dev/null
# The answer came from our dnsmasq, not from anywhere else.
if grep -q "query\[A*\] no-such-host.invalid from 127.0.0.1" "$TMPD/dnsmasq.log"; then
  echo "ok: the query went to the test's own dnsmasq"
else
  echo "FAIL: our dnsmasq did not see the query; its log: $(cat "$TMPD/dnsmasq.log")"
  fail=1
fi

# 3. Nobody answers on the resolver's address.
expect "resolver did not answer" 1 \
  "name not resolved: the resolver did not answer for chat\.invalid.*run: netprobe chat\.invalid 8888" \
  -- --name x chat.invalid 8888
exit $fail
INNER

TMPD=$tmp BIN_DIR=$BIN_DIR unshare --net --mount --pid --fork --kill-child --mount-proc bash "$tmp/inner.sh"
rc=$?
[ $rc -eq 0 ] && echo "chat_netns.sh: all cases passed"
exit $rc
