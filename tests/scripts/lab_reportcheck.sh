#!/usr/bin/env bash
# tests/lab/reportcheck.py, which judges every mode check of the fault lab,
# on a fixed report: each row is an expectation and whether it must hold.
# A checker that accepted everything would let the lab pass on anything, so
# the rows that must fail matter as much as the ones that must hold.  Needs
# only python3; no network.
set -u
# shellcheck source=tests/scripts/lib.sh
. "$(dirname "$0")/lib.sh"
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3 || echo python3)}
work=$T_TMP

cat >"$work/report.json" <<'EOF'
{"mode": "watch", "reached": false, "hop": 3, "rtt": 0.5, "none": null,
 "verdict": {"code": "filtered_drop",
             "causes": ["a firewall on the way drops it", "the security group"]},
 "watch": {"sources": [{"address": "198.51.100.20", "syns": 2, "outcome": "reached_not_answered"}]},
 "findings": [{"code": "virtualbox_nat"}, {"code": "forged_reset"}]}
EOF

# want (0: holds, 1: fails, 2: unreadable) <TAB> expectation
CASES='0	mode=watch
1	mode=local
0	reached=false
1	reached=true
0	hop=3; rtt<1; hop>2
1	hop>3
1	mode>1
0	none=null
0	verdict.causes[0]~Firewall on the way
1	verdict.causes[0]~security group
0	verdict.causes~security group
1	verdict.causes[5]~x
0	watch.sources[address=198.51.100.20].syns>1
1	watch.sources[address=198.51.100.20].syns>2
0	watch.sources[address=203.0.113.9]=absent
1	watch.sources[address=198.51.100.20]=absent
0	findings[code=forged_reset].code=forged_reset
1	findings[code=icmp_blocked].code=icmp_blocked
0	hop=9|hop=3
1	hop=9|hop=8
1	mode=watch; hop=9
1	this is not a term
0	 mode = watch ;; hop=3
0	mode!=local
1	mode!=watch
0	findings[code=ipv6_broken]!=x
0	verdict.causes!~reset
1	verdict.causes!~security group
0	verdict.summary!~anything
1	verdict.code!~drop'

passed=0 failed=0
while IFS=$'\t' read -r want expect; do
  rc=0
  out=$("$PYTHON" tests/lab/reportcheck.py "$work/report.json" "$expect" 2>&1) || rc=$?
  if [ "$rc" = "$want" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); echo "FAIL \"$expect\": exit $rc, expected $want: $out"
  fi
done <<<"$CASES"

rc=0
"$PYTHON" tests/lab/reportcheck.py "$work/missing.json" "mode=watch" >/dev/null || rc=$?
if [ "$rc" = 2 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL missing report: exit $rc, expected 2"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
