#!/usr/bin/env bash
# A plain `make` on a machine without the build dependencies stops before
# compiling anything, names what is missing (with the package for this
# system) and says to run scripts/deps.sh as root, instead of failing on
# "cjson/cJSON.h: No such file or directory".  The machine's real state is
# not touched: a fake pkg-config (first on PATH) hides chosen modules, a fake
# compiler hides the readline header, and every make runs with -n.  BIN_DIR
# and TEST_DIR are not used.
set -u
cd "$(dirname "$0")/../.." || exit 3
tmp=$(mktemp -d /tmp/build-deps-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

real_pc=$(command -v pkg-config) || { echo "FAIL: pkg-config is not installed (scripts/deps.sh)"; exit 1; }
real_cc=$(command -v cc) || { echo "FAIL: cc is not installed (scripts/deps.sh)"; exit 1; }
mkdir -p "$tmp/bin"
# pkg-config that says "not installed" for the modules in $HIDE_PC.
cat >"$tmp/bin/pkg-config" <<EOF
#!/usr/bin/env bash
for a in "\$@"; do
  case " \${HIDE_PC:-} " in *" \$a "*) exit 1 ;; esac
done
exec "$real_pc" "\$@"
EOF
# A compiler whose include path has no readline.
cat >"$tmp/bin/cc-noreadline" <<EOF
#!/usr/bin/env bash
src=\$(cat)
case "\$src" in *readline*) echo "fatal error: readline/readline.h: No such file" >&2; exit 1 ;; esac
printf '%s\n' "\$src" | exec "$real_cc" "\$@"
EOF
chmod +x "$tmp/bin/pkg-config" "$tmp/bin/cc-noreadline"
printf 'NAME="Fedora Linux"\nID=fedora\n' >"$tmp/fedora-release"

# mk HIDE_PC [make arguments...]: make -n with the fake pkg-config, into
# empty build folders (so a plain make would plan every compile); the
# output in $tmp/out, the status in $rc.
mk() {
  local hide=$1
  shift
  PATH="$tmp/bin:$PATH" HIDE_PC="$hide" \
    make -n SAN= BUILD="$tmp/build" BINDIR="$tmp/bin-out" "$@" >"$tmp/out" 2>&1
  rc=$?
}
compiles() { grep -cE '(^| )(cc|gcc|clang|[^ ]*cc-noreadline) .*-c ' "$tmp/out"; }
# expect_stop WHAT PATTERN...: make failed before compiling, and said each.
expect_stop() {
  local what=$1 p missing=()
  shift
  for p in "$@" "build dependencies missing" "sudo scripts/deps.sh"; do
    grep -qF -- "$p" "$tmp/out" || missing+=("$p")
  done
  if [ "$rc" -ne 0 ] && [ ${#missing[@]} -eq 0 ] && [ "$(compiles)" -eq 0 ]; then
    ok "$what: $(grep -E '^  ' "$tmp/out" | sed 's/  */ /g' | paste -sd';')"
  else
    bad "$what: exit $rc, $(compiles) compile lines, missing [${missing[*]}] in: $(head -8 "$tmp/out")"
  fi
}

mk "libcjson"
expect_stop "make without libcjson" "libcjson" "libcjson-dev"
if grep -qE 'libpcap|readline|cmocka' "$tmp/out"; then
  bad "make without libcjson also blamed something present: $(cat "$tmp/out")"
else
  ok "only the missing library is named"
fi

DEPS_OS_RELEASE=$tmp/fedora-release mk "libpcap" all
expect_stop "make all without libpcap on Fedora" "libpcap" "libpcap-devel"

mk "" CC="$tmp/bin/cc-noreadline"
expect_stop "make with a compiler that has no readline header" "readline/readline.h" "libreadline-dev"

mk "" CC="$tmp/no-such-cc"
expect_stop "make without a C compiler" "C compiler ($tmp/no-such-cc)" "build-essential"

# cmocka matters only for the tests.
mk "cmocka" tests
expect_stop "make tests without cmocka" "cmocka" "libcmocka-dev"
mk "cmocka"
if [ "$rc" -eq 0 ] && ! grep -q 'build dependencies missing' "$tmp/out" && [ "$(compiles)" -gt 0 ]; then
  ok "make without cmocka still builds the programs ($(compiles) compile lines with -n)"
else
  bad "make without cmocka: exit $rc: $(head -5 "$tmp/out")"
fi

# Goals that build nothing, or install the dependencies first, go on.
mk "libcjson" clean
if [ "$rc" -eq 0 ] && grep -q '^rm -rf build bin' "$tmp/out"; then ok "make clean runs without libcjson"
else bad "make clean without libcjson: exit $rc: $(head -5 "$tmp/out")"; fi

# With everything present, nothing is said.
mk ""
if [ "$rc" -eq 0 ] && ! grep -q 'deps.sh' "$tmp/out" && [ "$(compiles)" -gt 0 ]; then
  ok "with every dependency present make -n plans $(compiles) compiles and says nothing about deps"
else
  bad "with every dependency present: exit $rc: $(head -5 "$tmp/out")"
fi

echo "build_deps: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
