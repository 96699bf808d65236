#!/usr/bin/env bash
# Every fuzz target (fuzz/*.c) still holds its invariants on its committed
# seeds and a few seconds of mutations: a smoke run that catches
# regressions, not a search (that is `make fuzz`, docs/fuzzing.md).  A
# finding fails the test and leaves its reproducer in build/fuzz/.
#
# It runs in make check's normal pass only: the targets carry their own
# ASan+UBSan, so the SAN=1 pass would repeat the same run.  Without clang
# and its libFuzzer runtime it says so and skips.
set -u
cd "$(dirname "$0")/../.." || exit 3
secs=${FUZZ_SMOKE_SECONDS:-5}

if [ "${SAN:-}" = 1 ]; then
  echo "SKIP: the fuzz smoke runs in the normal pass only (SAN=1 is set; the targets have their own sanitizers)"
  exit 0
fi
cc=${FUZZ_CC:-clang}
if ! command -v "$cc" >/dev/null; then
  echo "SKIP: $cc is not installed, so the fuzz targets cannot be built (make deps installs it)"
  exit 0
fi
probe=$(mktemp -d /tmp/fuzz-smoke.XXXXXX)
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
  >"$probe/t.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined -o "$probe/t" "$probe/t.c" 2>"$probe/err"; then
  echo "SKIP: $cc cannot link -fsanitize=fuzzer (libFuzzer runtime missing: libclang-rt-14-dev):"
  head -3 "$probe/err"
  exit 0
fi

# A make started by a test must not join the outer make's job server.
if ! env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS nice make -s -j2 WERROR=1 FUZZ_CC="$cc" fuzz-build; then
  echo "FAIL: the fuzz targets do not build"
  exit 1
fi
targets=()
for f in fuzz/*.c; do targets+=("$(basename "$f" .c)"); done

# A fresh corpus each time: the smoke run must not depend on (or slow down
# with) what long runs have grown in build/fuzz/corpus.
smoke=build/fuzz/smoke-corpus
rm -rf "$smoke"
echo "fuzz smoke: ${#targets[@]} targets, ${secs}s each, two at a time"
if FUZZ_DIR=build/fuzz FUZZ_CORPUS="$smoke" FUZZ_JOBS=2 fuzz/run.sh "$secs" "${targets[@]}"; then
  rm -rf "$smoke"
  echo "ok: no target found anything"
  exit 0
fi
echo "FAIL: a fuzz target found an input that breaks an invariant; replay it with"
echo "      build/fuzz/NAME build/fuzz/NAME-crash-... (see the line above and its log)"
exit 1
