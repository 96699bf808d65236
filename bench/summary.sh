#!/usr/bin/env bash
# netprobe --summary over 1,000 reports (issue 14's target: under a second).
#
#   bench/summary.sh BINDIR     BINDIR holds chatd and netprobe
#   SUMMARY_REPS=N              timed runs (default 5); the median is printed
#
# One real report comes from netprobe against a chatd on 127.0.0.1 (with
# findings and every stage's evidence); 1,000 distinct copies of it, each
# with its own label, make the folder.  Every process and file this script
# makes is gone when it exits.
set -euo pipefail
bin=$(cd "${1:?usage: bench/summary.sh BINDIR}" && pwd)
reps=${SUMMARY_REPS:-5}
work=$(mktemp -d /tmp/summarybench.XXXXXX)
cpid=""
cleanup() {
  [ -z "$cpid" ] || { kill -TERM "$cpid" 2>/dev/null || true; wait "$cpid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

"$bin/chatd" --bind 127.0.0.1 --port 0 2>"$work/chatd.log" &
cpid=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/.*listening on 127.0.0.1 port \([0-9]*\).*/\1/p' "$work/chatd.log")
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { echo "bench: chatd did not start" >&2; exit 1; }
"$bin/netprobe" --lang en --label "student 0000" --json "$work/one.json" 127.0.0.1 "$port" >/dev/null
mkdir "$work/reports"
for i in $(seq -w 0 999); do
  sed "s/student 0000/student $i/" "$work/one.json" >"$work/reports/r$i.json"
done
bytes=$(wc -c <"$work/one.json")

times=()
for _ in $(seq "$reps"); do
  start=$(date +%s.%N)
  "$bin/netprobe" --lang en --summary "$work/reports" >"$work/summary.out"
  end=$(date +%s.%N)
  times+=("$(echo "$end - $start" | bc)")
done
lines=$(grep -c 'student' "$work/summary.out")
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "summary: $lines reports of $bytes bytes each; runs: ${times[*]} s; median $median s"
