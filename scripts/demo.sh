#!/usr/bin/env bash
# make demo: start chatd on a free loopback port, let two scripted chat
# clients talk, show what each saw, check the path with netprobe, stop.
# Everything stays on 127.0.0.1.
set -euo pipefail
bin=${1:-bin}
work=$(mktemp -d /tmp/chat-demo.XXXXXX)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

"$bin/chatd" --bind 127.0.0.1 --port 0 2>"$work/chatd.log" &
server=$!
port=""
for _ in $(seq 50); do
  port=$(sed -n 's/.*listening on 127\.0\.0\.1 port \([0-9]*\).*/\1/p' "$work/chatd.log" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "demo: chatd did not start:"; cat "$work/chatd.log"; exit 1; }
echo "== chatd is listening on 127.0.0.1 port $port"
echo

# Each client sends its lines a little apart so the other is online to see them.
talk() { for line in "$@"; do sleep 0.4; printf '%s\n' "$line"; done; sleep 0.8; }
talk "hola, soy ana" "/me saluda" "/msg bruno ¿me oyes?" \
  | "$bin/chat" --name ana 127.0.0.1 "$port" >"$work/ana.out" 2>&1 &
ana=$!
sleep 0.2
talk "hi ana, bruno here" "/who" \
  | "$bin/chat" --name bruno 127.0.0.1 "$port" >"$work/bruno.out" 2>&1 &
bruno=$!
wait "$ana" "$bruno"

echo "== what ana saw:";   sed 's/^/   /' "$work/ana.out"; echo
echo "== what bruno saw:"; sed 's/^/   /' "$work/bruno.out"; echo

if [ -x "$bin/netprobe" ]; then
  echo "== netprobe 127.0.0.1 $port"
  "$bin/netprobe" --json "$work/report.json" 127.0.0.1 "$port" || true
  echo
fi
echo "== the server's log:"; sed 's/^/   /' "$work/chatd.log"
