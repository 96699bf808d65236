#!/usr/bin/env bash
# The local stage names the route the kernel uses to the target (issue 14:
# on loopback it used to show the default gateway).  Runs netprobe in a
# fresh network namespace (unshare --net) with one veth pair (both ends
# inside it), 198.51.100.2/24 on one end and a default route via
# 198.51.100.1: a target on that link is "on the local link", one beyond it
# goes "via gateway 198.51.100.1", 127.0.0.1 is "delivered on this
# machine".  Packets netprobe sends stay in the namespace (nobody answers
# them); --pid --kill-child leaves nothing behind.
set -u
# shellcheck source=tests/scripts/lib.sh
. "$(dirname "$0")/lib.sh"
: "${BIN_DIR:?BIN_DIR must name the directory with netprobe}"
t_need_root "for unshare --net (run as root to test the local stage's route)"
t_need_netns --net --mount --pid --fork --kill-child
t_need_tools ip python3

cat >"$T_TMP/inner.sh" <<'INNER'
set -u
fail=0
ip link set lo up && ip link add r0 type veth peer name r1 && ip link set r1 up &&
  ip addr add 198.51.100.2/24 dev r0 && ip link set r0 up &&
  ip route add default via 198.51.100.1 ||
  { echo "FAIL: cannot set up the namespace's network"; exit 1; }
# expect TARGET ROUTE NEXT_HOP WORDS
expect() {
  local target=$1 route=$2 hop=$3 words=$4 out got
  out=$(timeout 30 "$BIN_DIR/netprobe" --timeout 1 --json "$TMPD/r.json" "$target" 8888 2>&1)
  got=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
ev = next(s["evidence"] for s in d["stages"] if s["name"] == "local")
print(ev["route"], ev["next_hop"] or "-", ev["gateway"] or "-")
' "$TMPD/r.json")
  if [ "$got" = "$route $hop 198.51.100.1" ] && grep -q "^. local .*$words" <<<"$out"; then
    echo "ok: $target: $words (report: $got)"
  else
    echo "FAIL: $target: wanted route $route, next hop $hop and \"$words\"; report: $got; output:"
    echo "$out"
    fail=1
  fi
}
expect 127.0.0.1 local - "delivered on this machine, no gateway"
expect 198.51.100.9 direct - "on the local link, no gateway"
expect 203.0.113.5 gateway 198.51.100.1 "via gateway 198.51.100.1"
exit $fail
INNER

out=$(TMPD=$T_TMP BIN_DIR=$BIN_DIR unshare --net --mount --pid --fork --kill-child --mount-proc \
  bash "$T_TMP/inner.sh" 2>&1)
rc=$?
echo "$out"
if [ $rc -eq 0 ]; then ok "the local stage named each route"; else bad "a route was named wrongly (above)"; fi
t_done
