#!/usr/bin/env bash
# Runs libFuzzer targets built by `make fuzz-build` and prints one line of
# figures for each (docs/fuzzing.md).
#
#   fuzz/run.sh SECONDS TARGET...
#
# Environment:
#   FUZZ_DIR     where the targets are (default build/fuzz); each run writes
#                FUZZ_DIR/NAME.log, grows FUZZ_DIR/corpus/NAME (never the
#                committed seeds in fuzz/corpus/NAME) and leaves any
#                reproducer as FUZZ_DIR/NAME-crash-* (or -timeout-, -oom-...)
#   FUZZ_CORPUS  where the grown corpora live (default FUZZ_DIR/corpus)
#   FUZZ_JOBS    how many targets run at once (default 1)
#
# Every run is niced (the machine is shared).  An input that takes longer
# than 10 s or 1 GiB is a finding too: the parsers promise bounded work.
# Exit status: 0 if no target found anything, 1 otherwise, 2 on misuse.
set -u
cd "$(dirname "$0")/.." || exit 2
[ $# -ge 2 ] || { echo "usage: fuzz/run.sh SECONDS TARGET..." >&2; exit 2; }
secs=$1; shift
FUZZ_DIR=${FUZZ_DIR:-build/fuzz}
FUZZ_CORPUS=${FUZZ_CORPUS:-$FUZZ_DIR/corpus}
FUZZ_JOBS=${FUZZ_JOBS:-1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Runs one target and writes its summary to FUZZ_DIR/NAME.result.
run_one() {
  local t=$1 bin=$FUZZ_DIR/$1 work=$FUZZ_CORPUS/$1 seeds=fuzz/corpus/$1
  local log=$FUZZ_DIR/$t.log
  if [ ! -x "$bin" ]; then
    echo "$t: FAIL not built ($bin); run make fuzz-build" >"$FUZZ_DIR/$t.result"
    return
  fi
  mkdir -p "$work"
  rm -f "$FUZZ_DIR/$t"-crash-* "$FUZZ_DIR/$t"-timeout-* "$FUZZ_DIR/$t"-oom-* \
        "$FUZZ_DIR/$t"-leak-* "$FUZZ_DIR/$t"-slow-unit-*
  local dirs=("$work")
  [ -d "$seeds" ] && dirs+=("$seeds")
  nice -n 19 "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
      -print_final_stats=1 -artifact_prefix="$FUZZ_DIR/$t-" "${dirs[@]}" >"$log" 2>&1
  local rc=$?
  local execs cov ft corp seeds_n found
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  corp=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -1 | cut -d' ' -f2)
  seeds_n=$(find "${dirs[@]:1}" -type f 2>/dev/null | wc -l)
  found=$(ls "$FUZZ_DIR/$t"-crash-* "$FUZZ_DIR/$t"-timeout-* "$FUZZ_DIR/$t"-oom-* \
              "$FUZZ_DIR/$t"-leak-* 2>/dev/null | head -1)
  local verdict="ok"
  if [ $rc -ne 0 ] || [ -n "$found" ]; then
    verdict="FINDING (exit $rc) reproducer ${found:-none}, log $log"
  fi
  # corpus: libFuzzer's own count/size after its reductions (the directory
  # also keeps inputs that later ones replaced).
  printf '%s: %s execs in %ss, cov %s, ft %s, corpus %s (from %s seeds): %s\n' "$t" \
      "${execs:-?}" "$secs" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$seeds_n" "$verdict" \
      >"$FUZZ_DIR/$t.result"
}

mkdir -p "$FUZZ_DIR" "$FUZZ_CORPUS"
running=0
for t in "$@"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$FUZZ_JOBS" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait

failed=0
for t in "$@"; do
  cat "$FUZZ_DIR/$t.result"
  grep -q ': ok$' "$FUZZ_DIR/$t.result" || failed=1
done
exit $failed
