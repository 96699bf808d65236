#!/usr/bin/env bash
# netprobe --local and the EC2 instance metadata service (issue 14 item 6),
# against a fake service at 169.254.169.254 port 80 in a network namespace
# this test creates (unshare --net): the real 169.254.169.254 is never
# reached, because netprobe only ever runs inside the namespace.  The fake
# (tests/scripts/imds_fake.py) speaks IMDSv2: a token for a PUT with the
# TTL header, the address only for a GET carrying that token.
# --pid --kill-child makes sure nothing outlives the test.
set -u
# shellcheck source=tests/scripts/lib.sh
. "$(dirname "$0")/lib.sh"
: "${BIN_DIR:?BIN_DIR must name the directory with netprobe}"
t_need_root "for unshare --net (run as root to test the metadata service lookup)"
t_need_netns --net --mount --pid --fork --kill-child
t_need_tools ip python3

cat >"$T_TMP/inner.sh" <<'INNER'
set -u
pass=0 fail=0
check() { # check NAME CONDITION-STATUS OUTPUT
  if [ "$2" -eq 0 ]; then echo "ok: $1"; pass=$((pass + 1)); else echo "FAIL: $1: $3"; fail=$((fail + 1)); fi
}
# run ARGS...: netprobe --local with ARGS; sets $out (text and JSON) and $ms.
run() {
  local t0 t1
  t0=$(date +%s%N)
  out=$(timeout 30 "$BIN_DIR/netprobe" --local 8888 --json "$TMPD/report.json" "$@" 2>&1)
  t1=$(date +%s%N)
  ms=$(((t1 - t0) / 1000000))
  out="$out
$(cat "$TMPD/report.json" 2>/dev/null)"
}
start_fake() { # start_fake MODE
  : >"$TMPD/fake.log"
  python3 "$FAKE" "$1" 169.254.169.254 80 "$TMPD/fake.log" &
  fake=$!
  for ((i = 0; i < 50; i++)); do grep -q ready "$TMPD/fake.log" && return 0; sleep 0.1; done
  echo "FAIL: the fake metadata service did not start: $(cat "$TMPD/fake.log")"; exit 1
}
stop_fake() { kill "$fake" 2>/dev/null; wait "$fake" 2>/dev/null; }

unset NETPROBE_IMDS
ip link set lo up || { echo "FAIL: ip link set lo up"; exit 1; }
# The metadata address on an interface of its own (a dummy; a veth pair
# kept inside the namespace where the kernel has no dummy driver).
if ! ip link add m0 type dummy 2>/dev/null; then
  ip link add m0 type veth peer name m1 && ip link set m1 up ||
    { echo "FAIL: cannot create a dummy or veth interface"; exit 1; }
fi
ip addr add 169.254.169.254/32 dev m0 && ip link set m0 up ||
  { echo "FAIL: cannot put 169.254.169.254 on m0"; exit 1; }

# 1. On "EC2": the address comes from the service, the line says so.
start_fake ok
run
check "the public address comes from the metadata service" \
  "$(grep -q 'public address 203.0.113.77 (from the EC2 instance metadata service)' <<<"$out"; echo $?)" "$out"
check "the report names the source" \
  "$(grep -q '"address":"203.0.113.77","on_interface":false,"source":"imds"' <<<"$(tr -d ' \n\t' <<<"$out")"; echo $?)" "$out"
cp "$TMPD/report.json" "$TMPD/report-imds.json"
check "not bind_address_unavailable: nobody asked to bind it" \
  "$(! grep -q 'bind_address_unavailable' <<<"$out"; echo $?)" "$out"
check "IMDSv2: a PUT for the token, then a GET with it" \
  "$(grep -q '^PUT /latest/api/token ttl=60$' "$TMPD/fake.log" &&
     grep -q '^GET /latest/meta-data/public-ipv4 token=ok$' "$TMPD/fake.log"; echo $?)" "$(cat "$TMPD/fake.log")"

# 2. --public still overrides: the service is not asked.
lines_before=$(grep -c '^PUT' "$TMPD/fake.log")
run --public 198.51.100.9
check "--public overrides the metadata service" \
  "$(grep -q '198.51.100.9 is not an address of this machine' <<<"$out" &&
     [ "$(grep -c '^PUT' "$TMPD/fake.log")" -eq "$lines_before" ]; echo $?)" "$out"
stop_fake

# 3. A service that answers the token but has no public IPv4 (404).
start_fake no_public
run
check "no public IPv4: said in the evidence, nowhere else" \
  "$(grep -q 'gave no public address (the instance has no public IPv4 address)' <<<"$out" &&
     ! grep -q '^netprobe:' <<<"$out"; echo $?)" "$out"
stop_fake

# 4. A service that never answers: the budget of 1 s holds.
start_fake silent
run
check "silence: skipped after 1 s, said only in the evidence" \
  "$(grep -q 'gave no public address (no answer within 1000 ms)' <<<"$out" &&
     ! grep -q '^netprobe:' <<<"$out"; echo $?)" "$out"
cp "$TMPD/report.json" "$TMPD/report-silent.json"
check "silence costs at most the budget (run took $ms ms, bound 10000)" "$([ "$ms" -lt 10000 ]; echo $?)" ""
stop_fake

# 5. Off EC2: nothing on port 80 (refused), then no route at all.
run
check "refused: skipped, said only in the evidence" \
  "$(grep -q 'gave no public address (Connection refused)' <<<"$out"; echo $?)" "$out"
ip link del m0
run
check "no route: skipped, said only in the evidence" \
  "$(grep -q 'gave no public address (Network is unreachable)' <<<"$out"; echo $?)" "$out"
echo "inner: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
INNER

out=$(TMPD=$T_TMP BIN_DIR=$BIN_DIR FAKE=$PWD/tests/scripts/imds_fake.py \
  unshare --net --mount --pid --fork --kill-child --mount-proc bash "$T_TMP/inner.sh" 2>&1)
rc=$?
echo "$out"
if [ $rc -eq 0 ]; then ok "every case held in the namespace"; else bad "a case failed (above)"; fi

# The two new shapes of the public_address evidence match the schema.
if python3 -c 'import jsonschema' 2>/dev/null; then
  for f in report-imds report-silent; do
    if python3 - "$T_TMP/$f.json" <<'EOF'
import json, sys, jsonschema
schema = json.load(open("docs/report.schema.json"))
errors = list(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[1]))))
for e in errors:
    print("  at %s: %s" % ("/".join(map(str, e.absolute_path)), e.message[:300]))
sys.exit(1 if errors else 0)
EOF
    then ok "$f.json matches docs/report.schema.json"; else bad "$f.json does not match the schema"; fi
  done
else
  echo "note: python3 jsonschema is missing; the reports were not checked against the schema"
fi
t_done
