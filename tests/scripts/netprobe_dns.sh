#!/usr/bin/env bash
# netprobe's dns stage and the dns_failure verdict, against resolvers this
# test starts inside network namespaces it creates (only lo, no route out,
# linked to nothing), each with its own /etc/netns/NAME/resolv.conf:
#   A  dnsmasq authoritative for .lab: a missing name is NXDOMAIN, and
#      exists.lab resolves to 198.51.100.10 (then no_route: the namespace
#      has no route, so nothing leaves it)
#   B  a "resolver" that reads queries and never answers: no_answer, and
#      netprobe still finishes within its --timeout
#   C  no nameserver line at all: no_resolver
# Each outcome must give only the cause that fits it.
# Needs root for ip netns; skips with the reason otherwise.
set -euo pipefail
# shellcheck source=tests/scripts/lib.sh
. "$(dirname "$0")/lib.sh"
: "${BIN_DIR:?BIN_DIR must name the directory with netprobe}"

t_need_root "to create network namespaces"
t_need_tools ip dnsmasq python3

tag="npdns$$"
namespaces=("$tag-a" "$tag-b" "$tag-c")
work=$T_TMP
pids=()
# shellcheck disable=SC2317  # run at exit (t_at_exit below)
drop_namespaces() {
  for ns in "${namespaces[@]}"; do
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "/etc/netns/$ns"
  done
}
t_at_exit drop_namespaces
t_at_exit 't_stop "${pids[@]}"'

# make_ns NAME RESOLV_CONF_TEXT: a namespace with lo up and its resolver.
make_ns() {
  mkdir -p "/etc/netns/$1"
  printf '%s\n' "$2" >"/etc/netns/$1/resolv.conf"
  ip netns add "$1"
  ip -n "$1" link set lo up
}

make_ns "$tag-a" "nameserver 127.0.0.1"
make_ns "$tag-b" "nameserver 127.0.0.1"
make_ns "$tag-c" "# no nameserver on purpose"

ip netns exec "$tag-a" dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
  --pid-file= --listen-address=127.0.0.1 --bind-interfaces --local=/lab/ \
  --address=/exists.lab/198.51.100.10 --log-facility=- 2>"$work/dnsmasq.log" &
pids+=($!)

ip netns exec "$tag-b" python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
end = time.monotonic() + 60
while time.monotonic() < end:
    s.settimeout(1)
    try:
        s.recvfrom(4096)  # read and never answer
    except socket.timeout:
        pass
' &
pids+=($!)

# Both resolvers must be listening before the first query.
for ns in "$tag-a" "$tag-b"; do
  for _ in $(seq 50); do
    ip netns exec "$ns" ss -Hlun 'sport = :53' | grep -q . && break
    sleep 0.1
  done
  if ! ip netns exec "$ns" ss -Hlun 'sport = :53' | grep -q .; then
    echo "netprobe_dns: the resolver in $ns did not start:"; cat "$work/dnsmasq.log"; exit 1
  fi
done

failed=0
# check NS NAME EXPECTED_EXIT EXPECTED_VERDICT EXPECTED_DNS_OUTCOME MAX_MS ARGS...
check() {
  local ns=$1 name=$2 want_rc=$3 want_verdict=$4 want_dns=$5 max_ms=$6; shift 6
  local rc=0 start end
  start=$(date +%s%N)
  ip netns exec "$ns" "$BIN_DIR/netprobe" --json "$work/$name.json" "$@" >"$work/$name.out" 2>&1 || rc=$?
  end=$(date +%s%N)
  local ms=$(((end - start) / 1000000))
  local got
  got=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
dns = d["stages"][1]["evidence"] if len(d["stages"]) > 1 else {}
addrs = ",".join(a["address"] for a in dns.get("addresses", []))
print((d.get("verdict") or {}).get("code"), dns.get("outcome"), addrs or "-")
' "$work/$name.json")
  echo "netprobe_dns: $name: exit $rc, verdict/dns outcome/addresses: $got, $ms ms"
  if [ "$rc" -ne "$want_rc" ] || [ "${got% *}" != "$want_verdict $want_dns" ] || [ "$ms" -gt "$max_ms" ]; then
    echo "netprobe_dns: FAIL $name: wanted exit $want_rc, $want_verdict $want_dns, under $max_ms ms"
    cat "$work/$name.out"
    failed=1
  fi
}

check "$tag-a" nxdomain 1 dns_failure nxdomain 5000 missing.lab 8888
check "$tag-a" resolved 1 no_route ok 5000 exists.lab 8888
if ! grep -q '"address":[[:space:]]*"198.51.100.10"' "$work/resolved.json"; then
  echo "netprobe_dns: FAIL resolved: 198.51.100.10 is not among the addresses"; failed=1
fi
# The resolver never answers: the --timeout of 1 s bounds the stage.
check "$tag-b" no_answer 1 dns_failure no_answer 4000 --timeout 1 silent.lab 8888
check "$tag-c" no_resolver 1 dns_failure no_resolver 5000 --timeout 1 any.lab 8888

# Each outcome gives its own cause, in the text and in the report: a name
# that does not exist is not a resolver that did not answer.
# causes NAME WANT NOT1 NOT2
causes() {
  local name=$1 want=$2 not1=$3 not2=$4 n
  n=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["verdict"]["causes"]))' \
    "$work/$name.json")
  if grep -q "$want" "$work/$name.out" && ! grep -q "$not1" "$work/$name.out" &&
    ! grep -q "$not2" "$work/$name.out" && [ "$n" -eq 1 ]; then
    echo "netprobe_dns: $name: the one cause that fits ($want)"
  else
    echo "netprobe_dns: FAIL $name: wanted only the cause \"$want\" ($n in the report):"
    cat "$work/$name.out"
    failed=1
  fi
}
causes nxdomain "misspelled or does not exist" "did not answer in time" "no resolver is configured"
causes no_answer "did not answer in time" "misspelled or does not exist" "no resolver is configured"
causes no_resolver "no resolver is configured" "misspelled or does not exist" "did not answer in time"

exit $failed
