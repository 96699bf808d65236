#!/usr/bin/env bash
# netprobe --show prints a saved report as the run printed it (timings
# normalised, though they are stored exactly), in English and in Spanish,
# for a healthy run, a refused one (-v too) and --local; a report read in
# the other language is said again in that language, stage lines and
# evidence too, unless its evidence does not give them back; --label is
# shown; a file that is not a report is refused with exit 2.  The stage
# lines come in the list's order on every run.  --summary lists a folder
# of these reports with the counts.  Loopback only.
set -u
# shellcheck source=tests/scripts/lib.sh
. "$(dirname "$0")/lib.sh"
: "${BIN_DIR:?BIN_DIR must name the directory with chatd and netprobe}"
np=$BIN_DIR/netprobe
work=$T_TMP

"$BIN_DIR/chatd" --bind 127.0.0.1 --port 0 2>"$work/chatd.log" &
chatd=$!
t_at_exit "t_stop $chatd"
port=
for _ in $(seq 100); do
  port=$(sed -n 's/.*listening on 127.0.0.1 port \([0-9]*\).*/\1/p' "$work/chatd.log")
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { bad "chatd did not start: $(cat "$work/chatd.log")"; t_done; exit; }
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

norm() { sed -E 's/[0-9]+\.[0-9]+ ms/N ms/g; s/[0-9]+\.[0-9]+\/[0-9.]+\/[0-9.]+ ms/N ms/g' "$1"; }

# same NAME LANG ARGS...: run netprobe ARGS with --json, then --show the
# report in the same language; the two outputs must be the same.
same() {
  local name=$1 lang=$2; shift 2
  "$np" --lang "$lang" --json "$work/$name.json" "$@" >"$work/$name.run" 2>/dev/null
  local extra=()
  [[ " $* " == *" -v "* ]] && extra=(-v)
  if ! "$np" --lang "$lang" "${extra[@]}" --show "$work/$name.json" >"$work/$name.show" 2>&1; then
    bad "$name: --show failed: $(cat "$work/$name.show")"; return
  fi
  if diff <(norm "$work/$name.run") <(norm "$work/$name.show") >"$work/$name.diff"; then
    ok "$name ($lang): --show prints what the run printed ($(wc -l <"$work/$name.run") lines)"
  else
    bad "$name ($lang): --show differs from the run: $(cat "$work/$name.diff")"
  fi
}

same ok_en en 127.0.0.1 "$port"
same ok_es es 127.0.0.1 "$port"
same refused_en en --no-icmp 127.0.0.1 "$closed"
same refused_es_v es -v --no-icmp 127.0.0.1 "$closed"
same local_en en --local "$port"
same local_es es --local "$closed"

# A report read in the other language is said again in that language from
# its codes and evidence: the stage lines and the "seen:" sentences too,
# the same lines a run in the reader's language printed (timings, the
# source port and the file name aside), and no note that anything is
# quoted.
cross_norm() {
  norm "$1" | sed -E 's/(us as|nos ve como) ([0-9.]+) (port|puerto) [0-9]+/\1 \2 \3 P/;
                      s#[0-9.]+/[0-9.]+/N ms#N ms#;
                      s/[a-z_]+\.json$/R.json/'
}
cross() {
  local report=$1 lang=$2 want=$3; shift 3
  "$np" --lang "$lang" "$@" --show "$work/$report.json" >"$work/$report.$lang.show" 2>&1
  if grep -q 'quoted from the report\|se citan del informe' "$work/$report.$lang.show"; then
    bad "$report.json shown with --lang $lang: a quoted note: $(cat "$work/$report.$lang.show")"
  elif diff <(cross_norm "$work/$want") <(cross_norm "$work/$report.$lang.show") >"$work/$report.$lang.diff"; then
    ok "$report.json shown with --lang $lang: every line in that language, as its run printed them"
  else
    bad "$report.json shown with --lang $lang differs from a $lang run: $(cat "$work/$report.$lang.diff")"
  fi
}
cross ok_en es ok_es.run
cross ok_es en ok_en.run
cross refused_en es refused_es_v.run -v
# --local too: its checks and sentences are summarized again from the
# checks' evidence (a run in Spanish on the same port, no report written).
"$np" --lang es --local "$port" >"$work/local_port_es.run" 2>/dev/null
cross local_en es local_port_es.run
if grep -q '^✗ tcp   puerto [0-9]*: 127.0.0.1 closed/reset (plazo' "$work/refused_en.es.show" &&
   grep -q '^  visto: TCP a 127.0.0.1 puerto' "$work/refused_en.es.show" &&
   grep -q '^veredicto: refused - El servidor' "$work/refused_en.es.show" &&
   grep -q 'guía: docs/troubleshooting.es.md#refused' "$work/refused_en.es.show"; then
  ok "an English report shown with --lang es: stage lines, evidence, verdict and guide in Spanish"
else
  bad "an English report shown with --lang es: $(cat "$work/refused_en.es.show")"
fi

# A report whose evidence does not give back its own sentences (here a
# hand-edited tcp line) keeps that line as written and says it is quoted;
# the lines that do are still said in the reader's language.
python3 - "$work/refused_en.json" "$work/edited.txt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["stages"]:
    if s["name"] == "tcp":
        s["summary"] = "an edited line"
open(sys.argv[2], "w").write(json.dumps(d))
PY
"$np" --lang es --show "$work/edited.txt" >"$work/edited.show" 2>&1
if grep -q '^✗ tcp   an edited line' "$work/edited.show" &&
   grep -q 'se citan del informe, en su idioma: en)' "$work/edited.show" &&
   grep -q '^✓ dns   127.0.0.1 es una dirección' "$work/edited.show"; then
  ok "a line its evidence does not give back is quoted, with the note; the others are said again"
else
  bad "an edited report shown with --lang es: $(cat "$work/edited.show")"
fi

"$np" --label "Ana Pérez, lab 3" --json "$work/label.json" --no-icmp 127.0.0.1 "$closed" >/dev/null 2>&1
first=$("$np" --lang en --show "$work/label.json" | head -1)
[ "$first" = "label: Ana Pérez, lab 3" ] && ok "--show prints the --label first" ||
  bad "--show's first line: $first"

# Not a report: exit 2 and a reason that names the file.
echo '{"hello": 1}' >"$work/other.json"
rc=0; "$np" --lang en --show "$work/other.json" >"$work/other.out" 2>&1 || rc=$?
if [ "$rc" = 2 ] && grep -q "other.json: not a netprobe report" "$work/other.out"; then
  ok "a JSON file that is not a report: exit 2 and the reason"
else
  bad "not a report: exit $rc, $(cat "$work/other.out")"
fi
rc=0; "$np" --show "$work/missing.json" >"$work/missing.out" 2>&1 || rc=$?
[ "$rc" = 2 ] && grep -q "missing.json" "$work/missing.out" && ok "a missing file: exit 2" ||
  bad "a missing file: exit $rc, $(cat "$work/missing.out")"

# The stage lines in the list's order, run after run (icmp runs in
# parallel with tcp and used to come after it).
orders=$(for _ in 1 2 3 4 5 6 7 8; do
  "$np" --lang en 127.0.0.1 "$port" | awk '$2 ~ /^(local|dns|icmp|tcp|app|echo)$/ {printf "%s ", $2} END {print ""}'
done | sort -u)
if [ "$orders" = "local dns icmp tcp app echo " ]; then
  ok "8 runs, one order of stage lines: $orders"
else
  bad "stage line orders seen: $orders"
fi

# --summary over the folder: one line per report, the other file listed
# with its reason, the counts most common first; exit 1 (a file was not
# a report).
rc=0; "$np" --lang en --summary "$work" >"$work/summary.out" 2>&1 || rc=$?
if [ "$rc" = 1 ] && grep -q "Ana Pérez, lab 3 .* refused " "$work/summary.out" &&
   grep -q "other.json: not a netprobe report" "$work/summary.out" &&
   [ "$(grep -A1 '^verdicts in 7 report(s)' "$work/summary.out" | tail -1 | awk '{print $2}')" = refused ]; then
  ok "--summary: rows, the file that is not a report, refused counted first"
else
  bad "--summary (exit $rc): $(cat "$work/summary.out")"
fi
"$np" --summary "$work" --json "$work/summary.doc" >/dev/null 2>&1
if python3 - "$work/summary.doc" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "netprobe.summary/1"
assert len(d["reports"]) == 7 and len(d["not_reports"]) == 1
counts = [v["count"] for v in d["verdicts"]]
assert counts == sorted(counts, reverse=True) and sum(counts) == 7
assert any(r["label"] == "Ana Pérez, lab 3" for r in d["reports"])
PY
then ok "--summary --json: the same rows and counts as a document"
else bad "--summary --json: $(head -c 600 "$work/summary.doc")"; fi

t_done
