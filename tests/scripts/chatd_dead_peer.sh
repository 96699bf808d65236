#!/usr/bin/env bash
# chatd notices a peer that vanished: a logged-in client whose packets stop
# arriving (laptop lid closed, NAT state lost) is dropped with the reason
# "peer not answering" once the heartbeat PING goes unacknowledged for
# TCP_USER_TIMEOUT (30 s at the shortest).  Runs in a private network
# namespace (loopback only) where an nft rule drops everything the client
# sends to chatd.
set -u
# shellcheck source=tests/scripts/lib.sh
. "$(dirname "$0")/lib.sh"
: "${BIN_DIR:?BIN_DIR must name the directory with chatd}"
t_need_root "for a private network namespace"
t_need_tools nft
t_need_netns --net
work=$T_TMP

# Everything below runs inside the namespace; it ends with the namespace.
unshare --net bash -s "$BIN_DIR" "$work" <<'INNER'
set -u
bin=$1 work=$2
ip link set lo up
"$bin/chatd" --bind 127.0.0.1 --port 0 --heartbeat 1 2>"$work/chatd.log" &
chatd=$!
trap 'kill $chatd 2>/dev/null; wait $chatd 2>/dev/null' EXIT
port=""
for _ in $(seq 50); do
  port=$(sed -n 's/.*listening on 127\.0\.0\.1 port \([0-9]*\).*/\1/p' "$work/chatd.log" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "FAIL: chatd did not start"; cat "$work/chatd.log"; exit 1; }

exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'ana\n' >&3
for _ in $(seq 50); do grep -q "ana (1 online)" "$work/chatd.log" && break; sleep 0.1; done
grep -q "ana (1 online)" "$work/chatd.log" || { echo "FAIL: ana did not log in"; cat "$work/chatd.log"; exit 1; }

# From now on nothing from the client reaches chatd, not even its ACKs.
nft add table inet deadpeer
nft add chain inet deadpeer in '{ type filter hook input priority 0; }'
nft add rule inet deadpeer in tcp dport "$port" drop
start=$(date +%s)
for _ in $(seq 90); do
  grep -q "peer not answering" "$work/chatd.log" && break
  sleep 1
done
took=$(( $(date +%s) - start ))
if grep -q "ana: peer not answering" "$work/chatd.log"; then
  echo "ok: chatd dropped the vanished client after ${took} s: $(grep 'peer not answering' "$work/chatd.log")"
else
  echo "FAIL: no 'peer not answering' within 90 s; chatd's log:"; cat "$work/chatd.log"; exit 1
fi
exec 3>&-
kill -TERM $chatd; wait $chatd; rc=$?
trap - EXIT
[ $rc -eq 0 ] || { echo "FAIL: chatd exited $rc after SIGTERM"; cat "$work/chatd.log"; exit 1; }
echo "ok: chatd shut down cleanly"
INNER
rc=$?
if [ $rc -eq 0 ]; then echo "chatd_dead_peer: 2 passed, 0 failed"; else echo "chatd_dead_peer: 0 passed, 1 failed"; fi
exit $rc
