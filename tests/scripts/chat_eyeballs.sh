#!/usr/bin/env bash
# Happy Eyeballs (RFC 8305) in chat's connect, in a network namespace of
# our own: a dummy interface (or the namespace's loopback when there is no
# dummy driver) holds 2001:db8::1 and 198.51.100.1 (lab
# documentation prefixes, reachable only inside the namespace), the name
# chat.test has both in a hosts file the test bind-mounts (no resolver is
# asked), chatd listens on both, and an nft rule drops TCP 8888 over IPv6,
# the missing "::/0" security-group rule.  chat must be connected (and
# done) in under 1 s over IPv4, not after the 5 s IPv6 timeout; with both
# families dropped, the failure lists each address and how it failed.
# --mount-proc gives the namespace its own /proc (LeakSanitizer reads
# /proc/PID/task, which the host's /proc would not have).  --pid --kill-child: nothing started in there outlives the test.
set -u
cd "$(dirname "$0")/../.." || exit 3
: "${BIN_DIR:?BIN_DIR must name the directory with chatd and chat}"
if [ "$(id -u)" -ne 0 ]; then
  echo "skip: chat_eyeballs.sh needs root for unshare --net --mount and nft (run as root to test Happy Eyeballs)"
  exit 0
fi
if ! unshare --net --mount --pid --fork --kill-child true 2>/dev/null; then
  echo "skip: unshare --net --mount --pid is not allowed here (no namespaces in this container)"
  exit 0
fi
for tool in ip nft; do
  if ! command -v "$tool" >/dev/null; then
    echo "skip: $tool is not installed (scripts/deps.sh installs it)"
    exit 0
  fi
done
tmp=$(mktemp -d /tmp/chat-eyeballs.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
printf '2001:db8::1 chat.test\n198.51.100.1 chat.test\n' >"$tmp/hosts"
printf 'hosts: files\n' >"$tmp/nsswitch.conf"

cat >"$tmp/inner.sh" <<'INNER'
set -u
fail=0
ok()  { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
mount --bind "$TMPD/hosts" /etc/hosts && mount --bind "$TMPD/nsswitch.conf" /etc/nsswitch.conf ||
  { echo "FAIL: bind-mount the hosts file"; exit 1; }
# A dummy interface when the kernel has one, else the namespace's own
# loopback: either way the addresses exist only in here.
dev=d0
ip link add d0 type dummy 2>/dev/null || dev=lo
ip link set lo up && ip link set "$dev" up &&
  ip addr add 2001:db8::1/128 dev "$dev" nodad && ip addr add 198.51.100.1/32 dev "$dev" ||
  { echo "FAIL: put the lab addresses on $dev"; exit 1; }
"$BIN_DIR/chatd" --port 8888 2>"$TMPD/chatd.log" &
for _ in $(seq 50); do grep -q "listening on" "$TMPD/chatd.log" && break; sleep 0.1; done
grep -q "listening on" "$TMPD/chatd.log" || { echo "FAIL: chatd did not start: $(cat "$TMPD/chatd.log")"; exit 1; }
order=$(getent ahosts chat.test | awk '$2 == "STREAM" {print $1}' | tr '\n' ' ')
echo "getaddrinfo order: $order"

# IPv6 works (no rule yet): the baseline.
out=$(printf 'hi\n' | timeout 20 "$BIN_DIR/chat" --name six chat.test 8888 2>&1) && [[ $out == *"<six> hi"* ]] ||
  bad "chat over both families failed: $out"

nft add table inet hetest && nft add chain inet hetest in '{ type filter hook input priority 0; }' &&
  nft add rule inet hetest in meta nfproto ipv6 tcp dport 8888 drop ||
  { echo "FAIL: nft rule"; exit 1; }
start=$(date +%s%N)
out=$(printf 'hello over IPv4\n' | timeout 20 "$BIN_DIR/chat" --name ana chat.test 8888 2>&1); rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ $rc -eq 0 ] && [[ $out == *"<ana> hello over IPv4"* ]] && [ $ms -lt 1000 ]; then
  ok "IPv6 port dropped, IPv4 works: chat connected and done in $ms ms"
else
  bad "IPv6 dropped: exit $rc after $ms ms (want 0 in under 1000 ms): $out"
fi
# The IPv6 attempt did start first (the SYN was dropped by our rule).
if nft list ruleset | grep -Eq 'drop' && [[ $order == 2001:db8::1* ]]; then
  ok "getaddrinfo lists 2001:db8::1 first, so IPv6 was tried first"
else
  bad "the order was not IPv6 first: $order"
fi

nft add rule inet hetest in meta nfproto ipv4 tcp dport 8888 drop || { echo "FAIL: nft rule 2"; exit 1; }
start=$(date +%s%N)
out=$(timeout 20 "$BIN_DIR/chat" --timeout 2 --name ana chat.test 8888 </dev/null 2>&1); rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ $rc -eq 1 ] && [[ $out == *"Addresses tried: 2001:db8::1 (timed out after 2 s), 198.51.100.1 (timed out after 2 s)."* ]] &&
   [[ $out == *"run: netprobe chat.test 8888" ]] && [ $ms -lt 3500 ]; then
  ok "both dropped: each address and how it failed, in $ms ms (the attempts overlap)"
else
  bad "both dropped: exit $rc after $ms ms: $out"
fi
exit $fail
INNER

TMPD=$tmp BIN_DIR=$BIN_DIR unshare --net --mount --pid --fork --kill-child --mount-proc bash "$tmp/inner.sh"
rc=$?
[ $rc -eq 0 ] && echo "chat_eyeballs.sh: all cases passed"
exit $rc
