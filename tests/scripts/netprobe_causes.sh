#!/usr/bin/env bash
# netprobe names the cause it measured, against real processes:
#   1. chatd --max-clients 1 with its one place taken answers the next
#      connection with ERR server_full: the verdict is chatd_error, quoting
#      chatd, with the full server as the only cause (loopback);
#   1b. chatd --max-per-ip 2 --conn-rate 1 answers netprobe's hello, then
#      refuses its echo connection (the third in a second) with ERR
#      too_many_connections: chatd_error quoting it, never ok (loopback);
#   2. inside a network namespace this test creates (its own loopback only),
#      an nft OUTPUT rule that drops (then one that rejects with a reset)
#      TCP to chatd's port: the verdict is local_firewall naming the rule,
#      never filtered_drop or refused, and nothing about the server's side;
#   3. the same drop probed as an unprivileged user, who cannot read the
#      rules: filtered_drop, and the report says why the rules were not read.
# An OUTPUT drop does not make connect() fail with EPERM (the kernel keeps
# the error as a soft one and retransmits), so EPERM itself is covered by
# the unit rows (tests/unit/netprobe_verdict.c), not here.
set -u
# shellcheck source=tests/scripts/lib.sh
. "$(dirname "$0")/lib.sh"
: "${BIN_DIR:?BIN_DIR must name the directory with chatd and netprobe}"
t_need_tools python3

work=$T_TMP
pids=()
# shellcheck disable=SC2016  # expanded at exit, when the pids are known
t_at_exit 't_stop "${pids[@]}"'

# check NAME REPORT PYTHON-EXPR: the expression over the report `r` holds.
check() {
  local name=$1 report=$2 expr=$3
  if python3 - "$report" "$expr" <<'EOF'; then ok "$name"; else bad "$name: $(head -c 3000 "$report")"; fi
import json, sys
r = json.load(open(sys.argv[1]))
v = r["verdict"]
causes = " | ".join(v["causes"]); fix = " | ".join(v["fix"])
ev = " | ".join(v["evidence"])
tcp = next(s for s in r["stages"] if s["name"] == "tcp")["evidence"]
app = next(s for s in r["stages"] if s["name"] == "app")["evidence"]
sys.exit(0 if eval(sys.argv[2]) else 1)
EOF
}

# start_chatd LOG ARGS...: starts chatd on 127.0.0.1 port 0, sets $port.
start_chatd() {
  local log=$1; shift
  "$BIN_DIR/chatd" --port 0 --bind 127.0.0.1 "$@" 2>"$log" &
  pids+=($!)
  port=$(t_chatd_port "$log" "${pids[-1]}") || {
    bad "chatd did not start: $(cat "$log")"; t_done; exit 1; }
}

# probe_exits_1 NAME WHAT: netprobe against chatd on $port, its report in
# $work/NAME.json; it must exit 1 (a fault named).
probe_exits_1() {
  "$BIN_DIR/netprobe" --no-icmp --json "$work/$1.json" 127.0.0.1 "$port" >"$work/$1.out" 2>&1
  local rc=$?
  if [ "$rc" -eq 1 ]; then ok "$2 exits 1"; else bad "$2 exits $rc: $(cat "$work/$1.out")"; fi
}

# 1. The server is full and says so.
start_chatd "$work/chatd.log" --max-clients 1
exec 3<>"/dev/tcp/127.0.0.1/$port" # takes the one place
read -r -t 5 greeting <&3 || greeting=""
case $greeting in "NOTICE welcome"*) ok "the first client got chatd's welcome" ;;
  *) bad "the first client got \"$greeting\"" ;; esac
probe_exits_1 full "a full server"
check "ERR server_full gives chatd_error quoting chatd" "$work/full.json" \
  'v["code"] == "chatd_error" and "ERR server_full" in ev and app["chatd_said"].startswith("ERR server_full")'
check "the only cause is the full server, its fix first" "$work/full.json" \
  'len(v["causes"]) == 1 and "full" in causes and "max-clients" in v["fix"][0] and "not chatd" not in causes'
exec 3>&-
t_stop "${pids[@]}"
pids=()

# 1b. The per-address rate counts netprobe's own connections.
start_chatd "$work/rate.log" --max-per-ip 2 --conn-rate 1
probe_exits_1 rate "a refused echo connection"
check "ERR too_many_connections on the echo connection gives chatd_error quoting it" "$work/rate.json" \
  'v["code"] == "chatd_error" and "ERR too_many_connections" in ev and "conn-rate" in v["fix"][0]'
check "the echo stage keeps chatd's words" "$work/rate.json" \
  'next(s for s in r["stages"] if s["name"] == "echo")["evidence"]["chatd_said"].startswith("ERR too_many_connections")'
t_stop "${pids[@]}"
pids=()

# 2 and 3 need a namespace of our own and nft inside it.
if [ "$(id -u)" -ne 0 ] || ! command -v nft >/dev/null || ! unshare --net true 2>/dev/null; then
  echo "skipped: the local-firewall cases need root, nft and unshare --net"
  t_done
  exit
fi

cat >"$work/inner.sh" <<'INNER'
# Runs in a fresh network namespace: only its own loopback exists.
set -u
ip link set lo up || exit 1
"$BIN_DIR/chatd" --port 0 --bind 127.0.0.1 2>"$TMPD/ns_chatd.log" &
chatd=$!
trap 'kill $chatd 2>/dev/null; wait $chatd 2>/dev/null' EXIT
for _ in $(seq 50); do
  port=$(sed -n 's/^chatd: listening on 127.0.0.1 port \([0-9]*\)$/\1/p' "$TMPD/ns_chatd.log")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || exit 1
nft -f - <<EOF || exit 1
table inet npcauses {
  chain out { type filter hook output priority 0; policy accept; tcp dport $port drop; }
}
EOF
"$BIN_DIR/netprobe" --no-icmp --json "$TMPD/drop.json" 127.0.0.1 "$port" \
  >"$TMPD/drop.out" 2>&1
# An unprivileged user cannot read the rules: netprobe must not pretend.
chmod 0777 "$TMPD"
setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN_DIR/netprobe" --no-icmp \
  --json "$TMPD/drop_user.json" 127.0.0.1 "$port" >"$TMPD/drop_user.out" 2>&1
nft flush ruleset
nft -f - <<EOF || exit 1
table inet npcauses {
  chain out { type filter hook output priority 0; policy accept; tcp dport $port reject with tcp reset; }
}
EOF
"$BIN_DIR/netprobe" --no-icmp --json "$TMPD/reset.json" 127.0.0.1 "$port" \
  >"$TMPD/reset.out" 2>&1
exit 0
INNER
TMPD=$work BIN_DIR=$BIN_DIR timeout 60 unshare --net bash "$work/inner.sh" ||
  bad "the namespace part failed"

check "an OUTPUT drop gives local_firewall naming the rule" "$work/drop.json" \
  'v["code"] == "local_firewall" and "npcauses out handle" in ev and tcp["local_firewall"]["blocks"]'
check "local_firewall says nothing about the server's side" "$work/drop.json" \
  '"security group" not in causes and "Security groups" not in fix and "On the server" not in fix'
check "our own reset is local_firewall, not refused" "$work/reset.json" \
  'v["code"] == "local_firewall" and "reject" in tcp["local_firewall"]["rule"]'
if [ -s "$work/drop_user.json" ]; then
  check "unprivileged: filtered_drop, and the report says why the rules were not read" \
    "$work/drop_user.json" \
    'v["code"] == "filtered_drop" and not tcp["local_firewall"]["read"] and "root" in tcp["local_firewall"]["why_unread"]'
else
  bad "no report from the unprivileged run: $(cat "$work/drop_user.out" 2>/dev/null)"
fi
t_done
