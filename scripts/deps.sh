#!/usr/bin/env bash
# Installs the packages the build, the tests and the demo need, and only
# those that are missing, with apt (Debian, Ubuntu) or dnf (Fedora, Amazon
# Linux 2023).  Safe to run again: it does nothing when everything is
# present.  Needs root (or sudo) only when something is missing.
#
#   scripts/deps.sh            everything: build, tests, demo, benchmark, lab
#   scripts/deps.sh --build    only what `make` and `make install` need
#   scripts/deps.sh --check [--tests]
#                              installs nothing: says which build (and test)
#                              dependencies this machine lacks, exit 1 if any
#                              (the Makefile runs this before building)
#
# DEPS_OS_RELEASE names the os-release file to read (default
# /etc/os-release); tests/scripts/deps.sh points it at fake ones.
set -euo pipefail

# The compiler the Makefile uses (make passes CC), for --check.
CC_CMD=${CC:-cc}
CC_NAME=${CC_CMD%% *}

# Package -> why we need it, by its Debian name.  Keep this list the single
# place that names our system dependencies; rpm_names below maps the names
# that differ on Fedora and Amazon Linux.
packages=(
  build-essential   # cc, make
  pkg-config        # finds the libraries below
  libcjson-dev      # JSON: netprobe hello and reports
  libpcap-dev       # netprobe --capture and --watch
  libcmocka-dev     # unit and integration tests
  libreadline-dev   # chat: the line being typed survives incoming messages
  iproute2          # ip netns for the fault lab
  nftables          # lab firewalls and security groups
  dnsmasq-base      # the lab's own DNS server (no system service)
  slirp4netns       # the lab's VirtualBox-NAT VM: libslirp, the user-space NAT of QEMU and VirtualBox's lineage
  ncat              # benchmark baseline: ncat --chat
  procps            # ps, pkill in scripts
  tmux              # tests of the interactive client
  jq                # bench/run.sh and the bench smoke test read JSON reports
  python3-jsonschema # tests/scripts/netprobe_schema.sh validates netprobe reports
  python3           # the fault lab's helpers (tests/lab/*.py) and report checks
  gettext           # msgfmt, xgettext, msgmerge: the message catalogues (po/)
  man-db            # tests/scripts/manpages.sh renders man/* with man -l (pulls groff-base)
  clang             # make fuzz and the fuzz smoke in make check build libFuzzer targets
  libclang-rt-14-dev # the libFuzzer and sanitizer runtimes for clang 14 (not pulled without recommends)
)

# The part of the list above that `make` and `make install` need (chatd,
# chat, netprobe and the message catalogues).  Everything else is only for
# `make check`, `make demo`, `make bench` and the fault lab: cmocka, the lab's
# iproute2/nftables/dnsmasq/python3, ncat, procps, tmux, jq,
# python3-jsonschema and man-db.
build_packages=(build-essential pkg-config libcjson-dev libpcap-dev libreadline-dev gettext)

# Debian name -> Fedora / Amazon Linux 2023 name(s), where they differ.  A
# name not listed here is the same in both.  The names are Fedora's; Amazon
# Linux 2023 derives from Fedora but its repositories hold fewer packages
# (whether cjson-devel and libcmocka-devel are among them was not checked
# from here: if not, dnf names them and installs nothing).
declare -A rpm_names=(
  [build-essential]="gcc make"
  [pkg-config]=pkgconf-pkg-config
  [libcjson-dev]=cjson-devel
  [libpcap-dev]=libpcap-devel
  [libcmocka-dev]=libcmocka-devel
  [libreadline-dev]=readline-devel
  [iproute2]=iproute
  [dnsmasq-base]=dnsmasq
  [ncat]=nmap-ncat
  [procps]=procps-ng
  [libclang-rt-14-dev]=compiler-rt
)

# What --check tests, one row each: what to call it, the test (the words
# given to have()), and the Debian package that provides it.
build_checks=(
  "C compiler ($CC_NAME)|cc|build-essential"
  "pkg-config|cmd pkg-config|pkg-config"
  "libcjson (pkg-config libcjson)|pc libcjson|libcjson-dev"
  "libpcap (pkg-config libpcap)|pc libpcap|libpcap-dev"
  "readline headers (readline/readline.h)|header readline/readline.h|libreadline-dev"
  "msgfmt|cmd msgfmt|gettext"
)
test_checks=(
  "cmocka (pkg-config cmocka)|pc cmocka|libcmocka-dev"
)

say() { echo "deps.sh: $*" >&2; }

# The package tool for this system, from os-release's ID and ID_LIKE:
# "apt", "dnf", or "" when neither fits.
package_tool() {
  local file=${DEPS_OS_RELEASE:-/etc/os-release} ids
  [ -r "$file" ] || { echo ""; return; }
  # shellcheck source=/dev/null  # os-release is shell by definition
  ids=$(. "$file" && echo " ${ID:-} ${ID_LIKE:-} ")
  case "$ids" in
    *" debian "* | *" ubuntu "*) echo apt ;;
    *" fedora "* | *" amzn "* | *" rhel "* | *" centos "*) echo dnf ;;
    *) echo "" ;;
  esac
}

# The names of Debian package $1 for tool $2 (one or more words).
package_names() {
  if [ "$2" = dnf ]; then echo "${rpm_names[$1]:-$1}"; else echo "$1"; fi
}

# Whether package $1 (a name for tool $2) is installed.  rpm -q with
# --whatprovides also accepts virtual names such as pkg-config.
installed() {
  case "$2" in
    apt) dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed" ;;
    dnf) rpm -q --quiet --whatprovides "$1" >/dev/null 2>&1 ;;
  esac
}

# Runs one build check: cc, cmd NAME, pc MODULE or header PATH.  Returns 0
# when present, 1 when missing, 2 when it cannot tell because the tool the
# check needs (pkg-config, the compiler) is itself missing and reported.
have() {
  case "$1" in
    cc) command -v "$CC_NAME" >/dev/null ;;
    cmd) command -v "$2" >/dev/null ;;
    pc)
      command -v pkg-config >/dev/null || return 2
      pkg-config --exists "$2"
      ;;
    header)
      command -v "$CC_NAME" >/dev/null || return 2
      # shellcheck disable=SC2086  # CC may be a command with words ("ccache gcc")
      printf '#include <%s>\n' "$2" | $CC_CMD -E -x c - >/dev/null 2>&1
      ;;
  esac
}

# --check: prints what is missing (to stderr) and fails when anything is.
check() {
  local tool rows=("${build_checks[@]}") row what how pkg rc lacking=0
  tool=$(package_tool)
  [ "${1:-}" = --tests ] && rows+=("${test_checks[@]}")
  for row in "${rows[@]}"; do
    IFS='|' read -r what how pkg <<<"$row"
    rc=0
    # shellcheck disable=SC2086  # $how is a word list by design
    have $how || rc=$?
    [ $rc -eq 1 ] || continue
    [ $lacking -eq 0 ] && say "the build needs these, and this machine lacks them:"
    lacking=$((lacking + 1))
    printf '  %-40s package %s\n' "$what" "$(package_names "$pkg" "${tool:-apt}")" >&2
  done
  [ $lacking -eq 0 ] && return 0
  say "install them as root: sudo scripts/deps.sh --build (the build only),"
  say "or sudo scripts/deps.sh (also what make check and make demo need)"
  return 1
}

install_missing() { # tool package...
  local tool=$1 sudo="" p
  shift
  [ $# -eq 0 ] && return 0
  say "installing $*"
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { say "need root to install: $*"; return 1; }
    sudo=sudo
  fi
  case "$tool" in
    apt)
      export DEBIAN_FRONTEND=noninteractive
      $sudo apt-get update -qq
      $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
      ;;
    dnf)
      # install_weak_deps=False is dnf's --no-install-recommends.
      $sudo dnf install -y -q --setopt=install_weak_deps=False "$@"
      ;;
  esac
}

main() {
  local want=("${packages[@]}") tool p name missing=()
  case "${1:-}" in
    --check)
      shift
      check "$@" && return 0
      return 1
      ;;
    --build) want=("${build_packages[@]}") ;;
    "") ;;
    *) say "unknown option '$1' (use --build, --check or nothing)"; return 2 ;;
  esac
  tool=$(package_tool)
  if [ -z "$tool" ]; then
    say "this system is neither Debian/Ubuntu (apt) nor Fedora/Amazon Linux (dnf)"
    say "install by hand (Debian names): ${want[*]}"
    return 1
  fi
  for p in "${want[@]}"; do
    for name in $(package_names "$p" "$tool"); do
      installed "$name" "$tool" || missing+=("$name")
    done
  done
  install_missing "$tool" "${missing[@]}"
}

main "$@"
