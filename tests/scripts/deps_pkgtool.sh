#!/usr/bin/env bash
# scripts/deps.sh and the first step of scripts/ec2-user-data.sh pick apt or
# dnf from os-release, map the package names, install only what is missing
# and run the exact install command expected.  Nothing real is installed:
# fake apt-get, dpkg-query, dnf, rpm, sudo and id come first on PATH, they
# only log their arguments, and DEPS_OS_RELEASE points at fake os-release
# files.  BIN_DIR and TEST_DIR are not used.
set -u
cd "$(dirname "$0")/../.." || exit 3
tmp=$(mktemp -d /tmp/deps-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# The fakes.  dpkg-query and rpm answer "installed" for every package except
# those named in $STUB_MISSING ("*" = all missing); every call is logged.
# They use only bash builtins: the ec2-user-data.sh check runs with PATH
# holding nothing but them.
stub=$tmp/stub
mkdir -p "$stub"
shebang="#!$(command -v bash)"
cat >"$stub/_log" <<EOF
$shebang
echo "\${0##*/} \$*" >>"\$STUB_LOG"
EOF
cat >"$stub/_query" <<EOF
$shebang
echo "\${0##*/} \$*" >>"\$STUB_LOG"
pkg=\${!#}
case " \$STUB_MISSING " in *" \$pkg "* | *" * "*) exit 1 ;; esac
[ "\${0##*/}" = dpkg-query ] && printf 'install ok installed'
exit 0
EOF
cat >"$stub/id" <<EOF
$shebang
[ "\${1:-}" = -u ] && { echo 0; exit 0; }
exit 1
EOF
chmod +x "$stub/_log" "$stub/_query" "$stub/id"
for t in apt-get dnf sudo; do ln -s _log "$stub/$t"; done
for t in dpkg-query rpm; do ln -s _query "$stub/$t"; done

osr() { # name ID ID_LIKE
  printf 'NAME="%s"\nID="%s"\nID_LIKE="%s"\n' "$1" "$2" "$3" >"$tmp/os-$2"
  echo "$tmp/os-$2"
}
debian=$(osr "Debian GNU/Linux" debian "")
ubuntu=$(osr "Ubuntu" ubuntu debian)
amzn=$(osr "Amazon Linux" amzn "fedora")
fedora=$(osr "Fedora Linux" fedora "")
arch=$(osr "Arch Linux" arch "")

# Runs scripts/deps.sh with the fakes: deps OS-RELEASE MISSING [ARGS...].
# Leaves the calls in $tmp/calls, the output in $tmp/out, the status in $rc.
deps() {
  local os=$1 missing=$2
  shift 2
  : >"$tmp/calls"
  PATH="$stub:$PATH" STUB_LOG="$tmp/calls" STUB_MISSING="$missing" DEPS_OS_RELEASE="$os" \
    bash scripts/deps.sh "$@" >"$tmp/out" 2>&1
  rc=$?
}
# The install commands run (not the queries), one per line.
installs() { grep -E '^(apt-get|dnf|sudo) ' "$tmp/calls"; }
expect_installs() { # what expected...
  local what=$1
  shift
  if [ "$(installs)" = "$(printf '%s\n' "$@")" ] && [ "$rc" -eq 0 ]; then
    ok "$what: $(installs | paste -sd';')"
  else
    bad "$what: expected [$(printf '%s;' "$@")] got [$(installs | paste -sd';')] exit $rc: $(head -3 "$tmp/out")"
  fi
}

# Debian: only the missing packages, in the list's order, after an update.
deps "$debian" "libcmocka-dev libcjson-dev"
expect_installs "Debian, two missing" "apt-get update -qq" \
  "apt-get install -y -qq --no-install-recommends libcjson-dev libcmocka-dev"

# Ubuntu (ID_LIKE=debian), nothing missing: queries dpkg, installs nothing.
deps "$ubuntu" ""
expect_installs "Ubuntu, nothing missing"
if grep -q '^dpkg-query .* libcjson-dev$' "$tmp/calls" && ! grep -q '^rpm ' "$tmp/calls"; then
  ok "Ubuntu: asks dpkg-query, never rpm"
else
  bad "Ubuntu: wrong queries: $(paste -sd';' "$tmp/calls" | cut -c1-300)"
fi

# Amazon Linux 2023: Fedora's names, asked with rpm -q, installed with dnf.
deps "$amzn" "gcc cjson-devel nmap-ncat"
expect_installs "Amazon Linux 2023, three missing" \
  "dnf install -y -q --setopt=install_weak_deps=False gcc cjson-devel nmap-ncat"
if grep -qx 'rpm -q --quiet --whatprovides readline-devel' "$tmp/calls" &&
   grep -qx 'rpm -q --quiet --whatprovides pkgconf-pkg-config' "$tmp/calls" &&
   ! grep -qE '^(dpkg-query|rpm .*-dev)$|^rpm .* (libreadline-dev|build-essential)$' "$tmp/calls"; then
  ok "Amazon Linux 2023: rpm -q asks for the mapped names"
else
  bad "Amazon Linux 2023: wrong queries: $(paste -sd';' "$tmp/calls" | cut -c1-300)"
fi

# Fedora, --build, nothing installed: exactly the build's packages.
deps "$fedora" "*" --build
expect_installs "Fedora --build, nothing installed" \
  "dnf install -y -q --setopt=install_weak_deps=False gcc make pkgconf-pkg-config cjson-devel libpcap-devel readline-devel gettext"

# Fedora, everything missing: no Debian-only name reaches dnf.
deps "$fedora" "*"
debian_only=$(installs | tr ' ' '\n' |
  grep -xE '.*-dev|build-essential|iproute2|dnsmasq-base|ncat|procps|pkg-config' | paste -sd' ')
if [ "$rc" -eq 0 ] && [ "$(installs | wc -l)" -eq 1 ] && installs | grep -q '^dnf install ' &&
   [ -z "$debian_only" ]; then
  ok "Fedora, nothing installed: one dnf command, Fedora names only"
else
  bad "Fedora, nothing installed: exit $rc, Debian names [$debian_only] in: $(installs)"
fi

# Neither apt nor dnf, or no os-release: says so, installs nothing.
for os in "$arch" "$tmp/no-such-os-release"; do
  deps "$os" "*"
  if [ "$rc" -eq 1 ] && [ -z "$(installs)" ] && grep -q 'install by hand' "$tmp/out"; then
    ok "$(basename "$os"): exit 1, nothing installed, the list to install by hand"
  else
    bad "$(basename "$os"): exit $rc, calls [$(installs)], said: $(head -2 "$tmp/out")"
  fi
done

deps "$debian" "" --bogus
if [ "$rc" -eq 2 ] && grep -q "unknown option '--bogus'" "$tmp/out"; then ok "an unknown option is a usage error"
else bad "--bogus: exit $rc: $(cat "$tmp/out")"; fi

# ec2-user-data.sh step 1 on a machine without git, make, gcc or pkg-config:
# PATH holds only the fakes, so the script stops at the git clone of step 2
# (git is not there) after its install command.
ec2() { # os-release
  : >"$tmp/calls"
  PATH="$stub" STUB_LOG="$tmp/calls" STUB_MISSING="" DEPS_OS_RELEASE="$1" CHAT_SRC='' \
    "$(command -v bash)" scripts/ec2-user-data.sh >"$tmp/out" 2>&1
  rc=$?
}
ec2 "$amzn"
if [ "$(installs)" = "dnf install -y -q --setopt=install_weak_deps=False git make gcc pkgconf-pkg-config ca-certificates" ] &&
   [ "$rc" -ne 0 ] && grep -q '2/5 source' "$tmp/out"; then
  ok "ec2-user-data.sh on Amazon Linux 2023: $(installs)"
else
  bad "ec2-user-data.sh on Amazon Linux 2023: exit $rc, calls [$(installs | paste -sd';')]: $(tail -3 "$tmp/out")"
fi
ec2 "$ubuntu"
if [ "$(installs | paste -sd';')" = "apt-get update -qq;apt-get install -y -qq --no-install-recommends git make gcc pkg-config ca-certificates" ]; then
  ok "ec2-user-data.sh on Ubuntu: $(installs | paste -sd';')"
else
  bad "ec2-user-data.sh on Ubuntu: calls [$(installs | paste -sd';')]: $(tail -3 "$tmp/out")"
fi

echo "deps_pkgtool: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
