#!/bin/bash
# cloud-init user data for an EC2 instance running Debian, Ubuntu (apt) or
# Amazon Linux 2023 (dnf; Fedora works the same way).
#
# Paste this file into "Advanced details > User data" when you launch the
# instance (or run it as root on a running one).  It installs the build
# dependencies, builds and installs chatd, chat and netprobe, enables the
# chatd service so it starts at every boot, and prints what the security
# group needs.  Its log is /var/log/cloud-init-output.log.
#
# Settings (edit here, or set them in the environment):
#   CHAT_REPO  git URL of this project (your fork of the course repository)
#   CHAT_REF   branch or tag to build
#   CHAT_SRC   a directory that already holds the source: no git clone then
#   CHAT_PORT  the port chatd listens on
#   PREFIX, DESTDIR   where `make install` puts things
#   SYSTEMCTL  the systemctl to use ("true" when there is no systemd)
#   DEPS_OS_RELEASE  the os-release file that says apt or dnf (tests set it)
set -euo pipefail

CHAT_REPO=${CHAT_REPO:-https://github.com/YOUR-USER/YOUR-CHAT-REPO.git}
CHAT_REF=${CHAT_REF:-main}
CHAT_SRC=${CHAT_SRC:-}
CHAT_PORT=${CHAT_PORT:-8888}
PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
SYSTEMCTL=${SYSTEMCTL:-systemctl}

say() { printf '\n== %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "ec2-user-data.sh: run me as root (cloud-init does)" >&2
  exit 1
fi

# apt or dnf, from os-release's ID and ID_LIKE.  scripts/deps.sh decides the
# same way; this copy exists because git may be needed to fetch deps.sh.
package_tool() {
  local ids
  # shellcheck source=/dev/null  # os-release is shell by definition
  ids=$(. "${DEPS_OS_RELEASE:-/etc/os-release}" && echo " ${ID:-} ${ID_LIKE:-} ")
  case "$ids" in
    *" debian "* | *" ubuntu "*) echo apt ;;
    *" fedora "* | *" amzn "* | *" rhel "* | *" centos "*) echo dnf ;;
    *) echo "" ;;
  esac
}

say "1/5 packages needed to fetch and build"
need=()
for p in git make gcc pkg-config; do
  command -v "$p" >/dev/null || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  case "$(package_tool)" in
    apt)
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends git make gcc pkg-config ca-certificates
      ;;
    dnf)
      dnf install -y -q --setopt=install_weak_deps=False git make gcc pkgconf-pkg-config \
        ca-certificates
      ;;
    *)
      echo "ec2-user-data.sh: neither apt nor dnf system; install ${need[*]} by hand" >&2
      exit 1
      ;;
  esac
fi

say "2/5 source"
if [ -z "$CHAT_SRC" ]; then
  CHAT_SRC=/opt/chat-src
  if [ -d "$CHAT_SRC/.git" ]; then
    git -C "$CHAT_SRC" fetch --quiet origin "$CHAT_REF"
    git -C "$CHAT_SRC" checkout --quiet FETCH_HEAD
  else
    git clone --quiet --depth 1 --branch "$CHAT_REF" "$CHAT_REPO" "$CHAT_SRC"
  fi
fi
cd "$CHAT_SRC"
echo "building from $CHAT_SRC"

say "3/5 libraries (scripts/deps.sh --build) and build"
scripts/deps.sh --build
make -j"$(nproc)"

say "4/5 install to ${DESTDIR}${PREFIX} and enable the service"
make install PREFIX="$PREFIX" DESTDIR="$DESTDIR"
if [ "$CHAT_PORT" != 8888 ]; then
  unit="${DESTDIR}${PREFIX}/lib/systemd/system/chatd.service"
  sed -i "s/--port 8888/--port $CHAT_PORT/" "$unit"
fi
"$SYSTEMCTL" daemon-reload
"$SYSTEMCTL" enable --now chatd.service
"$SYSTEMCTL" --no-pager status chatd.service || true

say "5/5 what is left for you to do in the AWS console"
cat <<MSG
chatd listens on every address, port $CHAT_PORT.  Other machines reach it
only if the instance's security group allows it:

  EC2 > Instances > (this instance) > Security > Security groups
      > Edit inbound rules > Add rule:
        Type: Custom TCP   Port range: $CHAT_PORT   Source: My IP
        (or 0.0.0.0/0 for the whole class)

Then, from your laptop or VirtualBox VM:

  netprobe PUBLIC-IP $CHAT_PORT     # must end with "ok"
  chat PUBLIC-IP $CHAT_PORT

On this instance:  netprobe --local $CHAT_PORT   and   journalctl -u chatd
MSG
