#!/usr/bin/env bash
# Interactive chat (in a tmux pane) when the server goes away: it says what
# it is doing, reconnects with backoff once chatd is back on the same port,
# and takes its name back, or the nearest free one when someone took it
# meanwhile; --no-reconnect exits 1 instead.  Also: a line too long for
# chatd is refused on a terminal and stays in the edit line.  Everything
# stays on 127.0.0.1; the tmux server is our own (-S, in the test's directory),
# killed at the end.
set -u
# shellcheck source=tests/scripts/lib.sh
. "$(dirname "$0")/lib.sh"
: "${BIN_DIR:?BIN_DIR must name the directory with chatd and chat}"
t_need_tools tmux
tmp=$T_TMP
# Our own tmux server, its socket in the test's directory (removed at
# exit with it): -L would leave a socket file in /tmp/tmux-UID.
tx() { tmux -S "$tmp/tmux.sock" "$@"; }
server="" holder=""
cleanup() {
  tx kill-server 2>/dev/null
  # shellcheck disable=SC2086 # two pids or none
  t_stop $server $holder
}
t_at_exit cleanup

# start_chatd PORT: chatd on 127.0.0.1 (PORT 0: any); sets $server, $port.
start_chatd() {
  : >"$tmp/chatd.log"
  "$BIN_DIR/chatd" --bind 127.0.0.1 --port "$1" 2>"$tmp/chatd.log" &
  server=$!
  port=$(t_chatd_port "$tmp/chatd.log" "$server") && return 0
  echo "FAIL: chatd did not start: $(cat "$tmp/chatd.log")"
  exit 1
}
stop_chatd() { kill "$server"; wait "$server" 2>/dev/null; server=""; }

# start_pane NAME CHAT-ARGS...: chat in its own tmux session; its exit code
# goes to $tmp/exit-NAME.
start_pane() {
  local session=$1; shift
  {
    printf 'env NO_COLOR=1'
    printf ' %q' "$BIN_DIR/chat" "$@" "127.0.0.1:$port"
    printf '\necho "exit=$?" >%q.tmp; mv %q.tmp %q\nsleep 60\n' \
      "$tmp/exit-$session" "$tmp/exit-$session" "$tmp/exit-$session"
  } >"$tmp/run-$session.sh"
  tx new-session -d -s "$session" -x 150 -y 40 "bash $tmp/run-$session.sh"
}
screen() { tx capture-pane -p -J -t "$1"; }
# wait_screen NAME REGEX [TENTHS]: waits (default 10 s) for the pane to match.
wait_screen() {
  for _ in $(seq "${3:-100}"); do
    screen "$1" | grep -Eq -- "$2" && return 0
    sleep 0.1
  done
  return 1
}

start_chatd 0

# 1. The server restarts: alice reconnects and is alice again.
start_pane alice --name alice
wait_screen alice "alice joined" || bad "alice never joined: $(screen alice)"
stop_chatd
if wait_screen alice "server closed the connection: .*" && wait_screen alice "reconnecting in [0-9.]+ s"; then
  ok "a server shutdown is reported and a reconnect announced"
else
  bad "no reconnect announced: $(screen alice)"
fi
sleep 1.5 # let a reconnect attempt fail while the server is down
start_chatd "$port"
if wait_screen alice "reconnected: you are alice again" 400; then
  ok "alice reconnected and has her name back"
else
  bad "alice did not reconnect with her name: $(screen alice)"
fi
if printf 'hello again\n' | timeout 10 "$BIN_DIR/chat" --name bob "127.0.0.1:$port" >"$tmp/bob.out" 2>&1 &&
   wait_screen alice "<bob> hello again"; then
  ok "after the reconnect alice gets messages"
else
  bad "alice gets nothing after the reconnect: $(screen alice); bob: $(cat "$tmp/bob.out")"
fi

# 2. Someone takes the name while alice is away: she becomes alice2.
stop_chatd
wait_screen alice "reconnecting in" || bad "second drop not announced: $(screen alice)"
start_chatd "$port"
# The holder keeps the name "alice" (its input stays open for 30 s).
(sleep 30 | "$BIN_DIR/chat" --name alice "127.0.0.1:$port" >"$tmp/holder.out" 2>&1) &
holder=$!
if wait_screen alice "the name alice was taken, so you are alice2 now" 400; then
  ok "a taken name is replaced by the nearest free one, and the user is told"
else
  bad "no nearest free name: $(screen alice); holder: $(cat "$tmp/holder.out")"
fi
wait_screen alice "^alice2> ?$" 20 || bad "the prompt does not show the new name: $(screen alice)"

# 3. A line longer than chatd takes is refused and stays in the edit line.
long=$(printf 'x%.0s' $(seq 1100))
tx send-keys -t alice -l "$long"
tx send-keys -t alice Enter
if wait_screen alice "this line is 1100 bytes; the server takes at most 1023"; then
  ok "an over-long typed line is refused with the reason"
else
  bad "no refusal for an over-long line: $(screen alice)"
fi
if screen alice | tr -d '\n' | grep -q "alice2> x\{1100\}"; then
  ok "the refused line is still in the edit line"
else
  bad "the refused line was lost: $(screen alice | tail -5)"
fi
if grep -q "line_too_long" <(screen alice); then bad "the long line reached the server"; else ok "the long line was not sent"; fi
tx send-keys -t alice C-u
tx send-keys -t alice -l "/quit"
tx send-keys -t alice Enter
for _ in $(seq 100); do [ -f "$tmp/exit-alice" ] && break; sleep 0.1; done
if grep -q '^exit=0$' "$tmp/exit-alice" 2>/dev/null; then ok "/quit after reconnects exits 0"
else bad "/quit did not exit 0: $(cat "$tmp/exit-alice" 2>/dev/null)"; fi

# 4. --no-reconnect: a drop ends chat with exit 1.
start_pane nora --no-reconnect --name nora
wait_screen nora "nora joined" || bad "nora never joined: $(screen nora)"
stop_chatd
for _ in $(seq 100); do [ -f "$tmp/exit-nora" ] && break; sleep 0.1; done
if grep -q '^exit=1$' "$tmp/exit-nora" 2>/dev/null && ! screen nora | grep -q "reconnecting"; then
  ok "--no-reconnect exits 1 when the server goes away"
else
  bad "--no-reconnect: $(cat "$tmp/exit-nora" 2>/dev/null); $(screen nora)"
fi

t_done
