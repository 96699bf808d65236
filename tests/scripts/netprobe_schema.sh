#!/usr/bin/env bash
# netprobe's JSON reports from real runs on loopback, validated against
# docs/report.schema.json with python3-jsonschema: chatd (ok), a closed
# port, servers that stay silent, close at once or greet like SSH, a usage
# error, --redact, and --json - on standard output.  Each report must also
# carry the expected verdict code (or an error member).
set -euo pipefail
# shellcheck source=tests/scripts/lib.sh
. "$(dirname "$0")/lib.sh"
: "${BIN_DIR:?BIN_DIR must name the directory with netprobe}"
t_need_jsonschema

work=$T_TMP
pids=()
t_at_exit 't_stop "${pids[@]}"'

# Waits up to 5 s for a line matching sed expression $2 in file $1; prints
# the captured group.
wait_for() {
  local v=""
  for _ in $(seq 50); do
    v=$(sed -n "$2" "$1" 2>/dev/null | head -1)
    [ -n "$v" ] && { echo "$v"; return 0; }
    sleep 0.1
  done
  echo "netprobe_schema: nothing matched $2 in $1:" >&2; cat "$1" >&2; return 1
}

# Three misbehaving servers on loopback, one port each; they live until
# cleanup kills them (or 60 s, whichever is first).
python3 - >"$work/fake.ports" 2>&1 <<'EOF' &
import select, socket, sys, time
socks = {}
for mode in ("silent", "close", "banner"):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    socks[s] = mode
print(" ".join(f"{m}={s.getsockname()[1]}" for s, m in socks.items()), flush=True)
keep, end = [], time.monotonic() + 60
while time.monotonic() < end:
    ready, _, _ = select.select(list(socks), [], [], 1)
    for s in ready:
        c, _ = s.accept()
        if socks[s] == "close":
            c.close()
            continue
        if socks[s] == "banner":
            c.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
        keep.append(c)
EOF
pids+=($!)
silent=$(wait_for "$work/fake.ports" 's/.*silent=\([0-9]*\).*/\1/p')
close=$(wait_for "$work/fake.ports" 's/.*close=\([0-9]*\).*/\1/p')
banner=$(wait_for "$work/fake.ports" 's/.*banner=\([0-9]*\).*/\1/p')
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

checks=()
# probe NAME EXPECTED ARGS...: runs netprobe with --json into NAME.json.
probe() {
  local name=$1 expect=$2; shift 2
  local rc=0
  "$BIN_DIR/netprobe" --json "$work/$name.json" "$@" >"$work/$name.out" 2>&1 || rc=$?
  echo "netprobe_schema: $name: exit $rc"
  checks+=("$work/$name.json=$expect")
}

if [ -x "$BIN_DIR/chatd" ]; then
  "$BIN_DIR/chatd" --bind 127.0.0.1 --port 0 2>"$work/chatd.log" &
  pids+=($!)
  port=$(t_chatd_port "$work/chatd.log" "${pids[-1]}") ||
    echo "netprobe_schema: chatd did not start: $(cat "$work/chatd.log")" >&2
  probe chatd ok 127.0.0.1 "$port"
  probe chatd_redacted ok --redact 127.0.0.1 "$port"
else
  echo "netprobe_schema: skipped the chatd report: $BIN_DIR/chatd is not built"
fi
probe refused refused 127.0.0.1 "$closed"
probe refused_redacted refused --redact --no-icmp 127.0.0.1 "$closed"
probe silent connected_silent --timeout 0.5 127.0.0.1 "$silent"
probe closed server_closed 127.0.0.1 "$close"
probe banner wrong_service --timeout 0.5 127.0.0.1 "$banner"
probe usage error --timeout never 127.0.0.1
probe sizes refused --sizes 16,1400 -4 127.0.0.1 "$closed"

rc=0
"$BIN_DIR/netprobe" --json - 127.0.0.1 "$closed" >"$work/stdout.json" 2>"$work/stdout.err" || rc=$?
echo "netprobe_schema: --json -: exit $rc"
checks+=("$work/stdout.json=refused")

python3 - "${checks[@]}" <<'EOF'
import json, sys, jsonschema

def no_constants(name):  # NaN and Infinity are not JSON numbers
    raise ValueError(f"non-JSON number {name}")

schema = json.load(open("docs/report.schema.json"))
validator = jsonschema.Draft202012Validator(schema)
failed = 0
for arg in sys.argv[1:]:
    path, expect = arg.rsplit("=", 1)
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
    got = "error" if "error" in doc else (doc.get("verdict") or {}).get("code")
    if got != expect:
        print(f"FAIL {path}: expected {expect}, got {got}")
    ok = not errors and got == expect
    failed += 0 if ok else 1
    print(f"{'ok  ' if ok else 'FAIL'} {path.rsplit('/', 1)[-1]}: {got}")
sys.exit(1 if failed else 0)
EOF
