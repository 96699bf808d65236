#!/usr/bin/env bash
# chat on a real terminal (a tmux pane): a message that arrives while a
# line is half typed is shown above it and the typed text survives intact;
# the line can then be finished and sent; /quit, Ctrl-D and Ctrl-C each
# exit 0 and leave the terminal in its normal mode.  Everything stays on
# 127.0.0.1, and the tmux server is our own (-S, in the test's directory),
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
server=""
stop_all() { tx kill-server 2>/dev/null; t_stop "$server"; }
t_at_exit stop_all

"$BIN_DIR/chatd" --bind 127.0.0.1 --port 0 2>"$tmp/chatd.log" &
server=$!
if ! port=$(t_chatd_port "$tmp/chatd.log" "$server"); then echo "FAIL: chatd did not start: $(cat "$tmp/chatd.log")"; exit 1; fi

# start_pane SESSION [ENV=VALUE...] -- CHAT-ARGS...: runs chat in its own
# tmux session; when chat exits the pane records its exit code and the
# terminal mode (stty -a).
start_pane() {
  local session=$1; shift
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  {
    printf 'env %s' "${envs[*]:-}"
    printf ' %q' "$BIN_DIR/chat" "$@" 127.0.0.1 "$port"
    printf '\necho "exit=$?" >%q\n' "$tmp/exit-$session.tmp"
    printf 'stty -a >>%q 2>&1\n' "$tmp/exit-$session.tmp"
    printf 'mv %q %q\nsleep 60\n' "$tmp/exit-$session.tmp" "$tmp/exit-$session"
  } >"$tmp/run-$session.sh"
  tx new-session -d -s "$session" -x 100 -y 30 "bash $tmp/run-$session.sh"
}
screen() { tx capture-pane -p -t "$1"; }
# wait_screen NAME REGEX: waits up to 10 s for the pane to match.
wait_screen() {
  for _ in $(seq 100); do
    screen "$1" | grep -Eq -- "$2" && return 0
    sleep 0.1
  done
  return 1
}
# wait_exit NAME: waits up to 10 s for chat in that pane to exit.
wait_exit() {
  for _ in $(seq 100); do
    [ -f "$tmp/exit-$1" ] && return 0
    sleep 0.1
  done
  return 1
}
# check_exit NAME HOW: chat exited 0 and the terminal is back in cooked mode.
check_exit() {
  if ! wait_exit "$1"; then bad "$2 did not make chat exit within 10 s"; return; fi
  if grep -q '^exit=0$' "$tmp/exit-$1"; then ok "$2 exits 0"; else bad "$2: $(head -1 "$tmp/exit-$1")"; fi
  if grep -Eq '(^| )icanon( |$)' "$tmp/exit-$1" && grep -Eq '(^| )echo( |$)' "$tmp/exit-$1"; then
    ok "$2 leaves the terminal in normal (icanon, echo) mode"
  else
    bad "$2 left the terminal in raw mode: $(grep -o -- '-\?icanon\|-\?echo ' "$tmp/exit-$1" | tr '\n' ' ')"
  fi
}

# 1. A message arrives while alice is typing.
start_pane alice -- --name alice
if wait_screen alice "alice joined"; then ok "chat shows the join notice on a terminal"
else bad "alice never joined: $(screen alice)"; fi
tx send-keys -t alice -l "half a line, typed"
wait_screen alice "alice> half a line, typed" || bad "the typed text never showed: $(screen alice)"
if printf 'hello from bob\n' | timeout 10 "$BIN_DIR/chat" --name bob 127.0.0.1 "$port" >"$tmp/bob.out" 2>&1; then
  ok "bob (a pipe client) sent his line and exited 0"
else
  bad "bob's chat failed: $(cat "$tmp/bob.out")"
fi
if wait_screen alice "<bob> hello from bob"; then ok "bob's message appears in alice's pane"
else bad "bob's message never appeared: $(screen alice)"; fi
wait_screen alice "bob left" || true
last=$(screen alice | grep -v '^$' | tail -1)
if [ "$last" = "alice> half a line, typed" ]; then
  ok "the half-typed line is still there, intact, on the last line"
else
  bad "the half-typed line was clobbered; last line: \"$last\"; screen: $(screen alice)"
fi
above=$(screen alice | grep -n -e '<bob> hello from bob' -e 'alice> half a line' | cut -d: -f2- | tr '\n' '|')
case $above in
  "<bob> hello from bob|alice> half a line, typed|") ok "the message is printed above the line being typed" ;;
  *) bad "wrong order on screen: $above" ;;
esac

# Colors on a terminal (tmux -e shows only attribute changes, so look for
# any foreground color at all).
if tx capture-pane -e -p -t alice | grep -q $'\033\\[3[1-6]m'; then
  ok "notices are colored on a terminal"
else
  bad "no color on a terminal: $(tx capture-pane -e -p -t alice | head -5 | cat -v)"
fi

# A name that is taken is asked for again on a terminal; NO_COLOR is obeyed.
start_pane nameless NO_COLOR=1 --
if wait_screen nameless "^name> ?$"; then ok "without --name chat asks for one"
else bad "no name prompt: $(screen nameless)"; fi
tx send-keys -t nameless -l "ALICE"
tx send-keys -t nameless Enter
if wait_screen nameless "^!! .*taken" && wait_screen nameless "^name> ?$"; then
  ok "a taken name is reported and asked for again"
else
  bad "a taken name was not asked again: $(screen nameless)"
fi
tx send-keys -t nameless -l "erin"
tx send-keys -t nameless Enter
if wait_screen nameless "erin joined"; then ok "the second name is accepted"
else bad "the second name was not accepted: $(screen nameless)"; fi
if tx capture-pane -e -p -t nameless | grep -q $'\033\\[3[1-6]m'; then
  bad "NO_COLOR=1 still printed colors"
else
  ok "NO_COLOR turns colors off"
fi
tx send-keys -t nameless C-d
wait_exit nameless || bad "Ctrl-D did not end the nameless chat"
wait_screen alice "erin left" || true

# 2. Finishing the line sends it as typed.
tx send-keys -t alice -l " and finished"
tx send-keys -t alice Enter
if wait_screen alice "<alice> half a line, typed and finished"; then ok "the finished line is sent whole"
else bad "the finished line was not echoed: $(screen alice)"; fi

# 3. /quit.
tx send-keys -t alice -l "/quit"
tx send-keys -t alice Enter
check_exit alice "/quit"

# 4. Ctrl-D on an empty line, and Ctrl-C with text typed.
start_pane dora -- --name dora
wait_screen dora "dora joined" || bad "dora never joined: $(screen dora)"
tx send-keys -t dora C-d
check_exit dora "Ctrl-D"
start_pane cleo -- --name cleo
wait_screen cleo "cleo joined" || bad "cleo never joined: $(screen cleo)"
tx send-keys -t cleo -l "never sent"
tx send-keys -t cleo C-c
check_exit cleo "Ctrl-C"

t_done
