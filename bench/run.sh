#!/usr/bin/env bash
# make bench: chatd and `ncat --chat` side by side, on 127.0.0.1 only.
#
#   bench/run.sh BINDIR        BINDIR holds chatd and chatbench
#   BENCH_QUICK=1              small numbers, one run each (under 30 s)
#   BENCH_REPS=N               runs per scenario and server (default 3)
#   BENCH_KEEP=DIR             keep every run's JSON report in DIR
#
# Every run gets a fresh server (ncat --chat dies easily, and the memory
# figures must start from an empty server), and the table shows the median
# of the runs.  Every server this script starts is stopped on exit.
set -euo pipefail
bin=$(cd "${1:?usage: bench/run.sh BINDIR}" && pwd)
cd "$(dirname "$0")/.."
quick=${BENCH_QUICK:-0}
if [ "$quick" = 1 ]; then reps=${BENCH_REPS:-1}; else reps=${BENCH_REPS:-3}; fi

for tool in jq ncat; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing; run 'make deps' (scripts/deps.sh)" >&2; exit 1; }
done
for prog in chatd chatbench; do
  [ -x "$bin/$prog" ] || { echo "bench: $bin/$prog is missing; run 'make bench'" >&2; exit 1; }
done
# 10,000 clients need 10,000 descriptors in chatbench and in the server.
ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt 10100 ]; then
  echo "bench: the open-file limit is $(ulimit -n); the 10,000-client scenarios need 10,100 (raise the hard limit)" >&2
  exit 1
fi

work=$(mktemp -d /tmp/chatbench.XXXXXX)
spid=""
stop_server() {
  [ -n "$spid" ] || return 0
  kill -TERM "$spid" 2>/dev/null || true
  # chatd flushes its shutdown notice; give it 10 s, then insist.
  for _ in $(seq 100); do kill -0 "$spid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$spid" 2>/dev/null || true
  wait "$spid" 2>/dev/null || true
  spid=""
}
cleanup() { stop_hog; stop_server; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts chatd on a port of its choosing; sets spid and port.
start_chatd() {
  # Empty the log here: the child truncates it only after fork, and the
  # loop below must not read the previous chatd's port.
  : >"$work/server.log"
  # Every bench client comes from 127.0.0.1: lift the per-address limits.
  "$bin/chatd" --bind 127.0.0.1 --port 0 --max-per-ip 0 --conn-rate 0 2>"$work/server.log" &
  spid=$!
  port=""
  for _ in $(seq 50); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1 port \([0-9]*\).*/\1/p' "$work/server.log" | head -1)
    [ -n "$port" ] && return 0
    kill -0 "$spid" 2>/dev/null || break
    sleep 0.1
  done
  echo "bench: chatd did not start: $(tail -3 "$work/server.log")" >&2
  return 1
}

# ncat cannot pick its own port: try free ports below the ephemeral range.
# --max-conns lifts ncat's default cap of 100 so its own limits show.
start_ncat() {
  for _ in $(seq 20); do
    port=$((20000 + RANDOM % 10000))
    [ -z "$(ss -Hltn "sport = :$port")" ] || continue
    ncat --chat --max-conns 20000 -l 127.0.0.1 "$port" 2>"$work/server.log" &
    spid=$!
    for _ in $(seq 50); do
      [ -n "$(ss -Hltn "sport = :$port")" ] && return 0
      kill -0 "$spid" 2>/dev/null || break
      sleep 0.1
    done
    stop_server
  done
  echo "bench: ncat --chat did not start: $(tail -3 "$work/server.log")" >&2
  return 1
}

# Runs: chatbench arguments.  The 10,000-client run is the "held" scenario,
# the join-time one (its setup: every client connects and logs in, chatd
# sums the joins up in NOTICE presence) and the 10 msg/s one.  The idle run
# waits 11 s so that chatd's 10 s heap trim has handed back what the join
# storm made it allocate.  The burst: 200 senders x 25 lines of 1 KB at
# once, every client reading.
if [ "$quick" = 1 ]; then
  runs=(
    "--clients 200 --senders 10 --messages 2 --rate 10"
    "--clients 200 --senders 20 --messages 10 --rate 100"
    "--clients 200 --senders 20 --messages 20"
    "--clients 200 --messages 0"
    "--clients 51 --senders 50 --messages 25 --size 1000"
    "hog --clients 200 --senders 20 --messages 10 --rate 100"
  )
  rows=(
    "1. clients held (of 200)|1|held|>= 200"
    "2. 200 clients, 100 msg/s: p99 ms|2|latency_p99_ms|<= 10"
    "3. 200 clients, 20x20 flat out: deliveries/s|3|deliveries_per_s|>= ncat"
    "4. 200 clients, 10 msg/s: p99 ms|1|latency_p99_ms|<= 50"
    "5. 200 idle clients: RSS bytes/client|4|rss_per_client_bytes|<= 4096"
    "6. 200 clients log in: seconds|1|setup_s|<= 5"
    "7. burst 50x25 x 1 KB to 51: peak RSS KiB|5|rss_peak_kib|bounded"
    "8. as 2, one core kept busy: p99 ms|6|latency_p99_ms|<= 10"
  )
else
  runs=(
    "--clients 10000 --senders 10 --messages 10 --rate 10 --setup-timeout 240"
    "--clients 500 --senders 50 --messages 40 --rate 200"
    "--clients 500 --senders 50 --messages 20"
    "--clients 500 --messages 0 --idle-sec 11"
    "--clients 201 --senders 200 --messages 25 --size 1000"
    "hog --clients 500 --senders 50 --messages 40 --rate 200"
  )
  rows=(
    "1. clients held (of 10,000)|1|held|>= 10000"
    "2. 500 clients, 200 msg/s: p99 ms|2|latency_p99_ms|<= 10"
    "3. 500 clients, 50x20 flat out: deliveries/s|3|deliveries_per_s|>= ncat"
    "4. 10,000 clients, 10 msg/s: p99 ms|1|latency_p99_ms|<= 50"
    "5. 500 idle clients: RSS bytes/client|4|rss_per_client_bytes|<= 4096"
    "6. 10,000 clients log in: seconds|1|setup_s|<= 5"
    "7. burst 200x25 x 1 KB to 201: peak RSS KiB|5|rss_peak_kib|bounded"
    "8. as 2, one core kept busy: p99 ms|6|latency_p99_ms|<= 10"
  )
fi

# A busy loop on one core for runs marked "hog" (another process competing
# with the server for the CPU); stopped after the run.
hpid=""
start_hog() { (while :; do :; done) & hpid=$!; }
stop_hog() {
  [ -n "$hpid" ] || return 0
  kill "$hpid" 2>/dev/null || true
  wait "$hpid" 2>/dev/null || true
  hpid=""
}

# One run: fresh server, chatbench, stop.  The report lands in $work.
run_one() {
  local server=$1 n=$2 rep=$3 args=$4 out="$work/$1-$2-$3.json" hog=""
  case $args in hog\ *) hog=1 args=${args#hog } ;; esac
  if ! "start_$server"; then
    echo '{"error":"server did not start"}' >"$out"
    return
  fi
  [ -z "$hog" ] || start_hog
  # shellcheck disable=SC2086 # args is a list of options on purpose
  if ! "$bin/chatbench" --server "$server" --port "$port" --pid "$spid" --json $args \
       >"$out" 2>"$work/bench.err"; then
    echo "bench: chatbench failed ($server, scenario $n): $(tail -2 "$work/bench.err")" >&2
  fi
  stop_hog
  [ -s "$out" ] || echo '{"error":"no report"}' >"$out"
  stop_server
}

# The reports of server $1 in scenario $2 (none if it was not run).
reports() { find "$work" -maxdepth 1 -name "$1-$2-*.json" -exec cat {} +; }
# Median of field over the runs of server/scenario, or "-".
median() {
  reports "$1" "$2" | jq -rs --arg f "$3" '
    [.[] | .[$f] | select(type == "number" and . >= 0)] | sort
    | if length == 0 then "-" else .[(length - 1) / 2 | floor] end'
}
# Worst (largest) value of field over the runs, or "-".
worst() {
  reports "$1" "$2" | jq -rs --arg f "$3" '
    [.[] | .[$f] | select(type == "number")] | if length == 0 then "-" else max end'
}
fmt() { case $1 in -) echo "-" ;; *) awk -v v="$1" 'BEGIN { printf (v >= 100 ? "%.0f" : v >= 1 ? "%.1f" : "%.2f"), v }' ;; esac; }

load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "chatbench: chatd vs ncat --chat, $reps run(s) each, medians; $(nproc) cores;" \
  "$(date -u +%Y-%m-%dT%H:%MZ); load average $(load)"
start=$(date +%s)
# The floor: one send() to each of as many readers as run 1 has, no server.
floor_n=$(echo "${runs[0]}" | sed -n 's/.*--clients \([0-9]*\).*/\1/p')
echo "   floor: chatbench --floor --clients $floor_n" >&2
"$bin/chatbench" --floor --clients "$floor_n" --json >"$work/floor.json" 2>"$work/bench.err" ||
  echo "bench: chatbench --floor failed: $(tail -2 "$work/bench.err")" >&2
for i in "${!runs[@]}"; do
  n=$((i + 1))
  for server in chatd ncat; do
    for rep in $(seq "$reps"); do
      echo "   run $n ($server $rep/$reps): ${runs[$i]}" >&2
      run_one "$server" "$n" "$rep" "${runs[$i]}"
    done
  done
done

printf '\n%-46s %-8s %10s %10s %14s %14s\n' "scenario" "target" "chatd" "ncat" "chatd lost/ord" "ncat lost/ord"
for row in "${rows[@]}"; do
  IFS='|' read -r name n metric target <<<"$row"
  printf '%-46s %-8s %10s %10s %14s %14s\n' "$name" "$target" \
    "$(fmt "$(median chatd "$n" "$metric")")" "$(fmt "$(median ncat "$n" "$metric")")" \
    "$(worst chatd "$n" lost)/$(worst chatd "$n" order_violations)" \
    "$(worst ncat "$n" lost)/$(worst ncat "$n" order_violations)"
done
echo
echo "Medians also: setup of run 1 (s) chatd $(fmt "$(median chatd 1 setup_s)"), ncat $(fmt "$(median ncat 1 setup_s)");" \
  "ncat clients left at the end of run 1: $(median ncat 1 held_at_end);" \
  "chatd peak RSS in run 1: $(median chatd 1 rss_peak_kib) KiB, idle RSS per client there: $(fmt "$(median chatd 1 rss_per_client_bytes)") bytes;" \
  "run 3 p99 ms chatd $(fmt "$(median chatd 3 latency_p99_ms)"), ncat $(fmt "$(median ncat 3 latency_p99_ms)")."
floor() { fmt "$(jq -r ".$1 // \"-\"" "$work/floor.json" 2>/dev/null || echo -)"; }
echo "Floor: one send() of a 64-byte line to each of $floor_n loopback readers, no server:" \
  "median $(floor floor_round_ms_median) ms ($(floor floor_send_us) us per send)," \
  "from two threads (half each) $(floor floor2_round_ms_median) ms;" \
  "chatd's run 4 p50/p99: $(fmt "$(median chatd 1 latency_p50_ms)")/$(fmt "$(median chatd 1 latency_p99_ms)") ms."
# The CPU budget of scenario 4: what one message to everyone costs the
# server and the meter, against the 100 ms of CPU two cores give in 50 ms.
echo "CPU per message sent in scenario 4 (median): chatd $(fmt "$(median chatd 1 server_cpu_ms_per_msg)") ms," \
  "chatbench $(fmt "$(median chatd 1 bench_cpu_ms_per_msg)") ms; in scenario 2: chatd" \
  "$(fmt "$(median chatd 2 server_cpu_ms_per_msg)") ms, chatbench $(fmt "$(median chatd 2 bench_cpu_ms_per_msg)") ms."
echo "lost/ord: the worst run's lost messages / order violations; \"-\": no number (ncat had quit)."
echo "Took $(($(date +%s) - start)) s; load average at the end $(load)."
if [ -n "${BENCH_KEEP:-}" ]; then
  mkdir -p "$BENCH_KEEP" && cp "$work"/*.json "$BENCH_KEEP"/ && echo "reports kept in $BENCH_KEEP"
fi
