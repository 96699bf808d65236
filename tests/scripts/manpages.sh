#!/usr/bin/env bash
# The manual pages agree with the programs as built, render cleanly, and
# `make install` installs them.  Builds nothing: the programs come from
# $BIN_DIR.  For each (program, page) row below:
#
#   1. Options.  An option entry is the left column of an option line of
#      --help (a line indented 1-8 spaces that starts with "-", cut at the
#      first run of two spaces: "-n, --name NAME") and, in the page, the tag
#      line after each .TP of the OPTIONS section with the roff escapes
#      removed (\- -> -, \fX and quotes dropped).  Both sides must list the
#      same entries, and every --word that --help mentions anywhere must be
#      a tagged option of the page.
#   2. SYNOPSIS.  The usage lines of --help are the line starting "usage:"
#      and the lines after it up to the first blank line; the page's are its
#      SYNOPSIS section rendered by man at 200 columns.  Normalisation, both
#      sides: drop a leading "usage:" or "or:", squeeze runs of blanks to
#      one space, trim; a line that does not start with the program's name
#      continues the line before it.  The two lists must be equal, in order.
#   3. EXIT STATUS.  When --help has a paragraph starting "exit status"
#      (any case), the numbers in it that are followed by words are its
#      codes; they must equal the .TP tags of the page's EXIT STATUS.
#   4. Required sections and the SEE ALSO pages the course relies on.
#   5. `MANWIDTH=80 man --warnings -l PAGE` prints no warning and renders
#      something.
# Then `make install DESTDIR=...` (with make -o all: nothing is rebuilt)
# must put each page, unchanged, under share/man/manN.  TEST_DIR is not
# used.
set -u
# shellcheck source=tests/scripts/lib.sh
. "$(dirname "$0")/lib.sh"
: "${BIN_DIR:?BIN_DIR must name the directory with chatd, chat, netprobe}"

# English --help and plain ASCII man output, whatever the caller's locale.
export LC_ALL=C.UTF-8 LANG=C.UTF-8 LANGUAGE=
unset MANPAGER PAGER MAN_KEEP_FORMATTING

# program  page
pages=(
  "chatd    man/chatd.8"
  "chat     man/chat.1"
  "netprobe man/netprobe.1"
)
sections=("NAME" "SYNOPSIS" "DESCRIPTION" "OPTIONS" "EXIT STATUS" "FILES" "EXAMPLES" "SEE ALSO")
see_also=("nc (1)" "ss (8)" "tcpdump (8)" "nft (8)" "ufw (8)" "systemctl (1)")

if ! command -v man >/dev/null; then
  echo "FAIL: man is not installed (scripts/deps.sh installs man-db)"
  exit 1
fi

tmp=$T_TMP

# The roff source of one .SH section of a page (without the .SH line).
section_src() { # page title
  awk -v want=".SH $2" '
    /^\.SH / { on = ($0 == want || $0 == want "\"" || $0 == ".SH \"" substr(want, 5) "\""); next }
    on' "$1"
}

# Tag lines (the line after each .TP) of a section, escapes removed.
section_tags() { # page title
  section_src "$1" "$2" | awk 'tp { print; tp = 0; next } /^\.TP/ { tp = 1 }' |
    sed -E 's/^\.[A-Z]+ ?//; s/\\f[A-Z]//g; s/\\f\[[A-Z]*\]//g; s/\\-/-/g; s/"//g;
            s/ +,/,/g; s/[[:space:]]+/ /g; s/^ //; s/ $//'
}

# Option entries of --help: the left column of each option line.
help_entries() { # help-file
  grep -E '^ {1,8}-' "$1" | sed -E 's/^ +//; s/  .*//; s/[[:space:]]+$//' | sort -u
}

# Usage lines of --help, normalised (see the header).
help_usage() { # help-file prog
  awk 'tolower($0) ~ /^usage:/ { on = 1 } on && /^[[:space:]]*$/ { exit } on' "$1" |
    normalise_synopsis "$2"
}

# SYNOPSIS of the rendered page, normalised the same way.
man_synopsis() { # page prog
  MANWIDTH=200 man -l "$1" 2>/dev/null |
    awk '/^SYNOPSIS$/ { on = 1; next } on && /^[^[:space:]]/ { exit } on && NF' |
    normalise_synopsis "$2"
}

normalise_synopsis() { # prog  (stdin -> stdout)
  sed -E 's/\xe2\x80\x90|\xe2\x88\x92/-/g; s/^[[:space:]]*([Uu]sage|or):[[:space:]]*//;
          s/[[:space:]]+/ /g; s/^ //; s/ $//' |
    awk -v prog="$1" '
      $0 == prog || index($0, prog " ") == 1 { if (line != "") print line; line = $0; next }
      { line = line " " $0 }
      END { if (line != "") print line }'
}

# Exit codes listed in the "exit status" paragraph of --help, one a line.
help_exit_codes() { # help-file
  awk 'tolower($0) ~ /^[[:space:]]*exit status/ { on = 1 } on && /^[[:space:]]*$/ { exit } on' "$1" |
    sed -E 's/^[^:]*[Ee]xit status:?//' |
    grep -oE '(^|[ ,:])[0-9]{1,3} +[A-Za-z]' | grep -oE '[0-9]+' | sort -un
}

# Joins the lines of $1 with spaces, for one-line messages.
oneline() { paste -sd' ' <<<"$1"; }

# Prints the lines of $1 that are not in $2 (both files, any order).
only_in() { sort -u "$1" >"$1.s"; sort -u "$2" >"$2.s"; comm -23 "$1.s" "$2.s"; }

check_options() { # prog page help
  local prog=$1 page=$2 help=$3 d="$tmp/$1"
  help_entries "$help" >"$d.help-entries"
  section_tags "$page" OPTIONS | grep -E '^-' >"$d.man-entries"
  local missing extra
  missing=$(only_in "$d.help-entries" "$d.man-entries")
  extra=$(only_in "$d.man-entries" "$d.help-entries")
  if [ -z "$missing" ] && [ -z "$extra" ] && [ -s "$d.help-entries" ]; then
    ok "$page OPTIONS has the $(wc -l <"$d.help-entries") entries of $prog --help"
  else
    bad "$page OPTIONS and $prog --help differ;${missing:+ not in the page: [$(oneline "$missing")]}${extra:+ not in --help: [$(oneline "$extra")]}"
  fi
  grep -oE -- '--[a-z0-9][a-z0-9-]*' "$help" | sort -u >"$d.help-long"
  grep -oE -- '--[a-z0-9][a-z0-9-]*' "$d.man-entries" | sort -u >"$d.man-long"
  missing=$(only_in "$d.help-long" "$d.man-long")
  if [ -z "$missing" ]; then
    ok "every long option $prog --help mentions ($(wc -l <"$d.help-long")) is an OPTIONS entry of $page"
  else
    bad "$prog --help mentions options $page does not document: $(oneline "$missing")"
  fi
}

check_synopsis() { # prog page help
  local prog=$1 page=$2 help=$3 d="$tmp/$1"
  help_usage "$help" "$prog" >"$d.usage"
  man_synopsis "$page" "$prog" >"$d.synopsis"
  if [ -s "$d.usage" ] && cmp -s "$d.usage" "$d.synopsis"; then
    ok "$page SYNOPSIS matches $prog --help: $(paste -sd'|' "$d.usage")"
  else
    bad "$page SYNOPSIS [$(paste -sd'|' "$d.synopsis")] differs from $prog --help [$(paste -sd'|' "$d.usage")]"
  fi
}

check_exit_status() { # prog page help
  local prog=$1 page=$2 help=$3 d="$tmp/$1"
  help_exit_codes "$help" >"$d.help-codes"
  section_tags "$page" "EXIT STATUS" | sort -un >"$d.man-codes"
  if [ ! -s "$d.help-codes" ]; then
    echo "note: $prog --help lists no exit status; $page EXIT STATUS ($(paste -sd, "$d.man-codes")) not compared"
  elif cmp -s "$d.help-codes" "$d.man-codes"; then
    ok "$page EXIT STATUS lists the codes of $prog --help: $(paste -sd, "$d.help-codes")"
  else
    bad "$page EXIT STATUS [$(paste -sd, "$d.man-codes")] differs from $prog --help [$(paste -sd, "$d.help-codes")]"
  fi
}

check_sections() { # page
  local page=$1 s p missing=()
  for s in "${sections[@]}"; do
    grep -qxE "\.SH \"?$s\"?" "$page" || missing+=("$s")
  done
  local refs
  refs=$(section_src "$page" "SEE ALSO" | sed -E 's/\\-/-/g')
  for p in "${see_also[@]}"; do
    grep -qF "${p% *} ${p#* }" <<<"$refs" || missing+=("SEE ALSO ${p% *}${p#* }")
  done
  if [ ${#missing[@]} -eq 0 ]; then ok "$page has every required section and SEE ALSO page"
  else bad "$page lacks: ${missing[*]}"; fi
}

check_render() { # page
  local page=$1 warnings lines
  warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
  lines=$(MANWIDTH=80 man -l "$page" 2>/dev/null | wc -l)
  if [ -z "$warnings" ] && [ "$lines" -gt 20 ]; then
    ok "man --warnings -l $page: no warnings, $lines lines at 80 columns"
  else
    bad "man --warnings -l $page (${lines} lines): ${warnings:-rendered almost nothing}"
  fi
}

for row in "${pages[@]}"; do
  read -r prog page <<<"$row"
  help="$tmp/$prog.help"
  if ! "$BIN_DIR/$prog" --help >"$help" 2>&1; then
    bad "$BIN_DIR/$prog --help failed: $(head -3 "$help")"
    continue
  fi
  if [ ! -f "$page" ]; then
    bad "$page is missing"
    continue
  fi
  check_options "$prog" "$page" "$help"
  check_synopsis "$prog" "$page" "$help"
  check_exit_status "$prog" "$page" "$help"
  check_sections "$page"
  check_render "$page"
done

# make install: -o all keeps make from rebuilding, BINDIR points at the
# binaries under test, and MO_FILES= leaves the message catalogues out
# (they are not this test's business and may not be built here).
if make -s -o all install DESTDIR="$tmp/root" PREFIX=/usr/local BINDIR="$BIN_DIR" MO_FILES= \
     >"$tmp/install.log" 2>&1; then
  for row in "${pages[@]}"; do
    read -r prog page <<<"$row"
    dest="$tmp/root/usr/local/share/man/man${page##*.}/$(basename "$page")"
    if cmp -s "$page" "$dest"; then ok "make install puts $page at ${dest#"$tmp/root"}"
    else bad "make install did not put $page at ${dest#"$tmp/root"}"; fi
  done
else
  bad "make install failed: $(tail -5 "$tmp/install.log")"
fi

t_done
