#!/usr/bin/env bash
# Installs the Debian packages the build, the tests and the demo need, and
# only those that are missing.  Safe to run again: it does nothing when
# everything is present.  Needs root (or sudo) only when something is missing.
set -euo pipefail

# Package -> why we need it.  Keep this list the single place that names
# our system dependencies.
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
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps.sh: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps.sh: need root to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
