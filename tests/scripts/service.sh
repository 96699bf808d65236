#!/usr/bin/env bash
# chatd as a service: `make install` puts the binaries and the systemd unit
# in place, the unit passes systemd-analyze verify, the shell scripts are
# clean under shellcheck, and the EC2 user data runs to completion from the
# project's own files inside a network namespace with no network at all.
set -u
# shellcheck source=tests/scripts/lib.sh
. "$(dirname "$0")/lib.sh"
if [ "${SAN:-}" = 1 ]; then
  t_skip "the service checks run once, in the normal pass (nothing here depends on sanitizers)"
fi
tmp=$T_TMP

# 1. make install into a staging root.
if make -s install PREFIX=/usr/local DESTDIR="$tmp/root" BINDIR="$BIN_DIR" >"$tmp/install.log" 2>&1; then
  for f in bin/chatd bin/chat lib/systemd/system/chatd.service; do
    if [ -e "$tmp/root/usr/local/$f" ]; then ok "make install puts $f"; else bad "make install did not put $f"; fi
  done
  if grep -q '^ExecStart=/usr/local/bin/chatd ' "$tmp/root/usr/local/lib/systemd/system/chatd.service"; then
    ok "the installed unit runs /usr/local/bin/chatd"
  else
    bad "the installed unit's ExecStart is wrong"
  fi
else
  bad "make install failed: $(tail -5 "$tmp/install.log")"
fi

# 2. systemd-analyze verify, with ExecStart pointing at the binary we built.
if command -v systemd-analyze >/dev/null; then
  sed "s|@BINDIR@|$BIN_DIR|" scripts/chatd.service.in >"$tmp/chatd.service"
  if systemd-analyze verify --man=no "$tmp/chatd.service" >"$tmp/verify.log" 2>&1 && [ ! -s "$tmp/verify.log" ]; then
    ok "systemd-analyze verify accepts chatd.service"
  else
    bad "systemd-analyze verify: $(cat "$tmp/verify.log")"
  fi
else
  echo "skip: systemd-analyze is not installed, the unit was not verified"
fi

# 3. Shell scripts are shellcheck-clean.
if command -v shellcheck >/dev/null; then
  if shellcheck -x --severity=warning scripts/*.sh tests/run.sh tests/scripts/*.sh >"$tmp/sc.log" 2>&1; then ok "scripts are shellcheck-clean"
  else bad "shellcheck: $(head -20 "$tmp/sc.log")"; fi
else
  echo "skip: shellcheck is not installed"
fi

# 4. The EC2 user data, from a copy of our own files, with no network.
if [ "$(id -u)" -eq 0 ] && unshare --net true 2>/dev/null; then
  mkdir -p "$tmp/src" && git ls-files -z | xargs -0 cp --parents -t "$tmp/src"
  if unshare --net env CHAT_SRC="$tmp/src" DESTDIR="$tmp/ec2" SYSTEMCTL=true \
       bash scripts/ec2-user-data.sh >"$tmp/ud.log" 2>&1; then
    if [ -x "$tmp/ec2/usr/local/bin/chatd" ] && grep -q "Edit inbound rules" "$tmp/ud.log"; then
      ok "ec2-user-data.sh builds, installs and prints the security group rule"
    else
      bad "ec2-user-data.sh finished but installed nothing or printed no advice"
    fi
  else
    bad "ec2-user-data.sh failed: $(tail -15 "$tmp/ud.log")"
  fi
else
  echo "skip: ec2-user-data.sh needs root and unshare --net to run offline; not run"
fi

t_done
