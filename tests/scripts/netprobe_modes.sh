#!/usr/bin/env bash
# netprobe's issue-5 modes write a valid report on every exit path: each
# report below (client with --capture/--pcap/--trace, --local, --watch, a
# watch ended by Ctrl-C, a watch stopped by SIGTERM, usage errors of each
# mode) is validated against docs/report.schema.json and must carry the
# expected mode and verdict code (or an error member).  Loopback only.
set -euo pipefail
# shellcheck source=tests/scripts/lib.sh
. "$(dirname "$0")/lib.sh"
: "${BIN_DIR:?BIN_DIR must name the directory with netprobe}"
t_need_jsonschema

work=$T_TMP
pids=()
t_at_exit 't_stop "${pids[@]}"'

# A loopback listener that lives until cleanup (or 60 s); prints its port.
python3 - >"$work/listener.port" <<'EOF' &
import socket, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
print(s.getsockname()[1], flush=True)
time.sleep(60)
EOF
pids+=($!)
for _ in $(seq 50); do [ -s "$work/listener.port" ] && break; sleep 0.1; done
listening=$(cat "$work/listener.port")
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

checks=()
# probe NAME MODE EXPECTED ARGS...: runs netprobe with --json into NAME.json.
probe() {
  local name=$1 mode=$2 expect=$3; shift 3
  local rc=0
  "$BIN_DIR/netprobe" --json "$work/$name.json" "$@" >"$work/$name.out" 2>&1 || rc=$?
  echo "netprobe_modes: $name: exit $rc"
  checks+=("$work/$name.json=$mode=$expect")
}

probe capture_trace client refused --capture --pcap "$work/probe.pcap" --trace --no-icmp 127.0.0.1 "$closed"
probe local_loopback local bind_loopback --local "$listening"
probe local_public local bind_loopback --local "$listening" --public 203.0.113.10
probe local_nothing local local_not_listening --local "$closed"
probe local_usage local error --local 127.0.0.1 "$closed"
probe watch_usage watch error --watch --duration never
probe trace_usage local error --local --trace
if [ "$(id -u)" -eq 0 ]; then
  probe watch watch watch --watch "$listening" --duration 1 --iface lo --from 198.51.100.7
  # Ctrl-C ends a watch early and still writes the whole report.
  "$BIN_DIR/netprobe" --json "$work/watch_int.json" --watch "$listening" --duration 30 --iface lo \
    >"$work/watch_int.out" 2>&1 &
  wpid=$!
  sleep 1
  kill -INT "$wpid"
  rc=0; wait "$wpid" || rc=$?
  echo "netprobe_modes: watch_int: exit $rc"
  checks+=("$work/watch_int.json=watch=watch-interrupted")
  # SIGTERM is not Ctrl-C: the report carries an error.
  "$BIN_DIR/netprobe" --json "$work/watch_term.json" --watch "$listening" --duration 30 --iface lo \
    >"$work/watch_term.out" 2>&1 &
  wpid=$!
  sleep 1
  kill -TERM "$wpid"
  rc=0; wait "$wpid" || rc=$?
  echo "netprobe_modes: watch_term: exit $rc"
  checks+=("$work/watch_term.json=watch=error")
else
  echo "netprobe_modes: skipped the successful watch reports: not root (capturing needs root)"
  probe watch_noperm watch error --watch "$listening" --duration 1
fi

python3 - "${checks[@]}" <<'EOF'
import json, sys, jsonschema

def no_constants(name):  # NaN and Infinity are not JSON numbers
    raise ValueError(f"non-JSON number {name}")

schema = json.load(open("docs/report.schema.json"))
validator = jsonschema.Draft202012Validator(schema)
failed = 0
for arg in sys.argv[1:]:
    path, mode, expect = arg.rsplit("=", 2)
    try:
        with open(path) as f:
            doc = json.load(f, parse_constant=no_constants)
    except Exception as e:
        print(f"FAIL {path}: not a JSON document: {e}")
        failed += 1
        continue
    errors = list(validator.iter_errors(doc))
    for e in errors:
        print(f"FAIL {path}: at {'/'.join(map(str, e.absolute_path))}: {e.message[:300]}")
    if "error" in doc:
        got = "error"
    elif doc.get("mode") == "watch":
        got = "watch-interrupted" if doc["watch"]["interrupted"] else "watch"
    else:
        got = (doc.get("verdict") or {}).get("code")
    problems = []
    if doc.get("mode") != mode:
        problems.append(f"mode {doc.get('mode')}, expected {mode}")
    if got != expect:
        problems.append(f"expected {expect}, got {got}")
    if mode == "client" and "error" not in doc and ("capture" not in doc or "trace" not in doc):
        problems.append("capture or trace member missing")
    for p in problems:
        print(f"FAIL {path}: {p}")
    ok = not errors and not problems
    failed += 0 if ok else 1
    print(f"{'ok  ' if ok else 'FAIL'} {path.rsplit('/', 1)[-1]}: {doc.get('mode')} {got}")
sys.exit(1 if failed else 0)
EOF
