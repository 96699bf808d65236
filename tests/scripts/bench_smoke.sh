#!/usr/bin/env bash
# The benchmark itself works (not how fast anything is): chatbench against
# a real chatd on 127.0.0.1 in a tiny configuration must count every
# delivery, see no loss and no order violation, and print a JSON report
# whose numbers agree with each other; the same against ncat --chat, whose
# broadcast skips the sender; and a bad option is refused with its value.
set -u
# shellcheck source=tests/scripts/lib.sh
. "$(dirname "$0")/lib.sh"
: "${BIN_DIR:?BIN_DIR must name the directory with chatd and chatbench}"
bench="$BIN_DIR/chatbench"
for f in "$BIN_DIR/chatd" "$bench"; do
  [ -x "$f" ] || t_skip "$f is not built"
done
t_need_tools jq

tmp=$T_TMP
spid=""
stop_server() { t_stop "$spid"; spid=""; }
t_at_exit stop_server

# check REPORT JQ-EXPRESSION WHAT: the expression must be true of the report.
check() {
  if jq -e "$2" "$1" >/dev/null 2>&1; then ok "$3"; else bad "$3: $(cat "$1")"; fi
}

# 1. chatd: 20 clients, 5 senders x 10 messages; chatd echoes to the sender.
# All from 127.0.0.1: the per-address limits are lifted.
"$BIN_DIR/chatd" --bind 127.0.0.1 --port 0 --max-per-ip 0 --conn-rate 0 2>"$tmp/chatd.log" &
spid=$!
if ! port=$(t_chatd_port "$tmp/chatd.log" "$spid"); then
  bad "chatd did not start: $(tail -3 "$tmp/chatd.log")"
else
  if timeout 60 "$bench" --port "$port" --pid "$spid" --clients 20 --senders 5 \
       --messages 10 --json >"$tmp/chatd.json" 2>"$tmp/bench.err"; then
    ok "chatbench runs against chatd"
  else
    bad "chatbench against chatd failed: $(cat "$tmp/bench.err")"
  fi
  check "$tmp/chatd.json" '.server == "chatd" and .held == 20 and .dropped == 0' \
    "all 20 chatd clients were held"
  check "$tmp/chatd.json" '.sent == 50 and .expected == 1000 and .delivered == 1000' \
    "every message reached all 20 chatd clients, the sender included"
  check "$tmp/chatd.json" '.lost == 0 and .order_violations == 0 and .malformed == 0' \
    "chatd: zero loss, zero order violations"
  check "$tmp/chatd.json" '.latency_p50_ms >= 0 and .latency_p50_ms <= .latency_p99_ms
      and .latency_p99_ms <= .latency_max_ms and .latency_max_ms < 10000
      and .deliveries_per_s > 0 and .duration_s > 0' \
    "chatd: latency quantiles are ordered and throughput is positive"
  check "$tmp/chatd.json" '.rss_before_kib > 0 and .rss_idle_kib > 0
      and .rss_peak_kib >= .rss_idle_kib' \
    "chatd: the server's RSS was read from /proc"
  check "$tmp/chatd.json" '.server_cpu_ms >= 0 and .bench_cpu_ms > 0
      and ((.server_cpu_ms_per_msg - .server_cpu_ms / .sent) | fabs) < 1e-9
      and ((.bench_cpu_ms_per_msg - .bench_cpu_ms / .sent) | fabs) < 1e-9' \
    "chatd: the CPU time of the server (/proc) and of chatbench is given per message sent"
  # The burst scenario's shape: 1 KB lines, every sender at once.
  if timeout 60 "$bench" --port "$port" --pid "$spid" --clients 21 --senders 20 \
       --messages 5 --size 1000 --json >"$tmp/burst.json" 2>"$tmp/bench.err"; then
    ok "chatbench --size 1000 runs against chatd"
  else
    bad "chatbench --size 1000 against chatd failed: $(cat "$tmp/bench.err")"
  fi
  check "$tmp/burst.json" '.message_bytes == 1000 and .sent == 100 and .expected == 2100
      and .delivered == 2100 and .lost == 0 and .order_violations == 0 and .malformed == 0' \
    "chatd: every 1 KB line of the burst reached all 21 clients, in order"
fi
stop_server

# The floor: chatbench's own readers, no server; the figures must agree.
if timeout 60 "$bench" --floor --clients 200 --json >"$tmp/floor.json" 2>"$tmp/bench.err"; then
  check "$tmp/floor.json" '.floor_clients == 200 and .floor_failed_sends == 0
      and .floor_round_ms_min > 0 and .floor_round_ms_min <= .floor_round_ms_median
      and .floor_send_us > 0
      and .floor2_round_ms_min > 0 and .floor2_round_ms_min <= .floor2_round_ms_median' \
    "chatbench --floor times 200 sends, from one thread and from two, with none failing"
else
  bad "chatbench --floor failed: $(cat "$tmp/bench.err")"
fi

# 2. ncat --chat: 10 clients, 3 senders x 5; the sender gets no copy.
if command -v ncat >/dev/null; then
  started=""
  for _ in $(seq 20); do
    port=$((20000 + RANDOM % 10000))
    [ -z "$(ss -Hltn "sport = :$port")" ] || continue
    ncat --chat -l 127.0.0.1 "$port" 2>"$tmp/ncat.log" &
    spid=$!
    for _ in $(seq 50); do
      if [ -n "$(ss -Hltn "sport = :$port")" ]; then started=1; break; fi
      kill -0 "$spid" 2>/dev/null || break
      sleep 0.1
    done
    [ -n "$started" ] && break
    stop_server
  done
  if [ -z "$started" ]; then
    bad "ncat --chat did not start: $(cat "$tmp/ncat.log")"
  else
    timeout 60 "$bench" --server ncat --port "$port" --clients 10 --senders 3 --messages 5 \
      --json >"$tmp/ncat.json" 2>"$tmp/bench.err"
    check "$tmp/ncat.json" '.server == "ncat" and .held == 10 and .sent == 15
        and .expected == 135 and .delivered == 135 and .lost == 0 and .order_violations == 0' \
      "ncat --chat: every message reached the 9 other clients, in order"
    check "$tmp/ncat.json" '.server_cpu_ms == -1 and .server_cpu_ms_per_msg == -1
        and .bench_cpu_ms > 0' \
      "without --pid the server's CPU time is unknown (-1), chatbench's is measured"
  fi
  stop_server
else
  echo "skip: ncat is not installed, the ncat --chat mode was not checked"
fi

# 3. A bad option is refused with exit 2, quoting the bad value.
"$bench" --port 1 --clients 0 >"$tmp/usage.out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q -- '--clients "0"' "$tmp/usage.out"; then
  ok "a bad --clients value is refused with exit 2 and quoted"
else
  bad "--clients 0: exit $rc, $(cat "$tmp/usage.out")"
fi

"$bench" --port 1 --size 2000 >"$tmp/usage.out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q -- '--size "2000"' "$tmp/usage.out"; then
  ok "a --size past the longest line is refused with exit 2 and quoted"
else
  bad "--size 2000: exit $rc, $(cat "$tmp/usage.out")"
fi

t_done
