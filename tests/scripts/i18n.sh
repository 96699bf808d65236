#!/usr/bin/env bash
# Messages in Spanish and English.
#
# 1. The catalogue: a template freshly extracted from the sources (the same
#    xgettext call as `make po`) merged into po/es.po must leave no message
#    untranslated or fuzzy, so no English creeps into a Spanish run
#    unnoticed; msgfmt --check must accept po/es.po (formats match).
# 2. The guide: docs/troubleshooting.es.md has every code section of
#    docs/troubleshooting.md (the anchors the reports link to), in order,
#    and each guide links to the other.
# 3. The programs on loopback: with LANG=es_ES.UTF-8 (no es_* locale needs
#    to be installed) chat, chatd and netprobe speak Spanish, and with
#    LANG=C.UTF-8 or netprobe --lang en they speak English.  Codes (verdict
#    codes, protocol kinds, JSON member names) stay English in both, and
#    the Spanish report says "es" and links the Spanish guide.
#
# Everything runs on 127.0.0.1; the chatd we start is killed at the end.
set -u
# shellcheck source=tests/scripts/lib.sh
. "$(dirname "$0")/lib.sh"
: "${BIN_DIR:?BIN_DIR must name the directory with chatd, chat and netprobe}"

tmp=$T_TMP
server=""
stop_server() { t_stop "$server"; }
t_at_exit stop_server

# ---- 1. The catalogue -------------------------------------------------

check_catalogue() {
  local srcs pot="$tmp/chat.pot" merged="$tmp/es.po" n
  # The same sources and keywords as the Makefile's po target.
  srcs=$(find common chatd chat netprobe -name '*.c' 2>/dev/null | sort)
  # shellcheck disable=SC2086
  if ! xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --add-comments=TRANSLATORS \
      --package-name=chat --msgid-bugs-address= -o "$pot" $srcs 2>"$tmp/xgettext.err"; then
    bad "xgettext could not extract the messages: $(cat "$tmp/xgettext.err")"
    return
  fi
  if msgfmt --check -o /dev/null po/es.po 2>"$tmp/msgfmt.err"; then
    ok "msgfmt --check accepts po/es.po"
  else
    bad "msgfmt --check rejects po/es.po: $(cat "$tmp/msgfmt.err")"
  fi
  if ! msgmerge --quiet -o "$merged" po/es.po "$pot" 2>"$tmp/msgmerge.err"; then
    bad "msgmerge failed: $(cat "$tmp/msgmerge.err")"
    return
  fi
  n=$(grep -c '^msgid ' "$pot")
  msgattrib --untranslated --no-obsolete "$merged" >"$tmp/untranslated.po"
  msgattrib --only-fuzzy --no-obsolete "$merged" >"$tmp/fuzzy.po"
  if [ -s "$tmp/untranslated.po" ] || [ -s "$tmp/fuzzy.po" ]; then
    bad "messages without a Spanish translation (run make po, then translate them in po/es.po):"
    # Each one's place in the sources and its msgid (all its lines).
    awk '/^#: /{print; next} /^msgid /{on=1} /^msgstr/{on=0} on' \
      "$tmp/untranslated.po" "$tmp/fuzzy.po" | grep -v '^msgid ""$' | sed 's/^/    /'
  else
    ok "all $((n - 1)) messages in the sources have a Spanish translation, none fuzzy"
  fi
}

if ! command -v xgettext >/dev/null || ! command -v msgmerge >/dev/null; then
  echo "i18n: skipped the catalogue check: gettext (xgettext, msgmerge) is not installed (scripts/deps.sh installs it)"
else
  check_catalogue
fi

# ---- 2. The guide's twin ----------------------------------------------

# The Spanish guide has the English guide's code sections (the anchors the
# reports link to), in the same order; each links to the other at the top;
# every "(#anchor)" link in the Spanish guide has its section.
en_codes=$(grep -E '^## [a-z0-9_]+$' docs/troubleshooting.md)
es_codes=$(grep -E '^## [a-z0-9_]+$' docs/troubleshooting.es.md 2>/dev/null)
if [ -n "$en_codes" ] && [ "$en_codes" = "$es_codes" ]; then
  ok "docs/troubleshooting.es.md has the same $(echo "$en_codes" | wc -l) code sections, in order"
else
  bad "code sections differ: $(diff <(echo "$en_codes") <(echo "$es_codes") | tr '\n' ' ')"
fi
if head -5 docs/troubleshooting.md | grep -qF '(troubleshooting.es.md)' &&
   head -5 docs/troubleshooting.es.md | grep -qF '(troubleshooting.md)'; then
  ok "each guide links to the other at the top"
else
  bad "the guides do not link to each other in their first lines"
fi
dangling=""
for a in $(grep -o '](#[a-z0-9_]*)' docs/troubleshooting.es.md | sed 's/](#\(.*\))/\1/' | sort -u); do
  grep -qE "^## $a\$" docs/troubleshooting.es.md || dangling="$dangling $a"
done
if [ -z "$dangling" ]; then ok "every link inside the Spanish guide has its section"
else bad "links without a section in docs/troubleshooting.es.md:$dangling"; fi

# ---- 3. The programs ---------------------------------------------------

# es CMD...: runs CMD with the environment asking for Spanish, the way a
# student's shell does (LANG only; LC_ALL and LANGUAGE would override it).
es() { env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=es_ES.UTF-8 "$@"; }
en() { env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=C.UTF-8 "$@"; }

# expect NAME FILE PATTERN: FILE must contain the fixed string PATTERN.
expect() {
  if grep -qF -- "$3" "$2"; then ok "$1"; else bad "$1: no \"$3\" in: $(head -c 600 "$2")"; fi
}
# refuse NAME FILE PATTERN: FILE must not contain PATTERN.
refuse() {
  if grep -qF -- "$3" "$2"; then bad "$1: unexpected \"$3\" in: $(head -c 600 "$2")"; else ok "$1"; fi
}

# A TCP port on loopback with nothing listening (bound, then closed).
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# chat: usage and a refused connection.
es "$BIN_DIR/chat" --help >"$tmp/chat_help_es" 2>&1
expect "chat --help in Spanish" "$tmp/chat_help_es" "uso: chat [OPCIONES]"
es "$BIN_DIR/chat" --timeout 3 127.0.0.1 "$closed" </dev/null >"$tmp/chat_refused_es" 2>&1
expect "chat explains a refused connection in Spanish" "$tmp/chat_refused_es" \
  "no se puede conectar a 127.0.0.1 puerto $closed: conexión rechazada"
expect "the command to run stays a command" "$tmp/chat_refused_es" "netprobe 127.0.0.1 $closed"
en "$BIN_DIR/chat" --timeout 3 127.0.0.1 "$closed" </dev/null >"$tmp/chat_refused_en" 2>&1
expect "chat explains a refused connection in English" "$tmp/chat_refused_en" \
  "cannot connect to 127.0.0.1 port $closed: connection refused"
es "$BIN_DIR/chat" --timeout x >"$tmp/chat_usage_es" 2>&1
expect "chat's option errors are in Spanish" "$tmp/chat_usage_es" "--timeout \"x\" no es válido"

# chatd in Spanish, on loopback.  Its log lines are for people, so they are
# Spanish too; the port is the number at the end of the first line.
# (env, not the es function: $! must be chatd itself, or cleanup would kill
# a subshell and leave chatd running.)
env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=es_ES.UTF-8 \
  "$BIN_DIR/chatd" --bind 127.0.0.1 --port 0 </dev/null >/dev/null 2>"$tmp/chatd.log" &
server=$!
port=""
for _ in $(seq 50); do
  port=$(sed -n '1s/.*127\.0\.0\.1[^0-9]*\([0-9][0-9]*\)$/\1/p' "$tmp/chatd.log")
  [ -n "$port" ] && break
  sleep 0.1
done
if [ -z "$port" ]; then
  bad "chatd did not start: $(cat "$tmp/chatd.log")"
  echo "i18n: $pass passed, $fail failed"
  exit 1
fi
expect "chatd's warnings are in Spanish" "$tmp/chatd.log" "aviso: escuchando solo en loopback"
es "$BIN_DIR/chatd" --help >"$tmp/chatd_help_es" 2>&1
expect "chatd --help in Spanish" "$tmp/chatd_help_es" "uso: chatd [opciones]"
en "$BIN_DIR/chatd" --help >"$tmp/chatd_help_en" 2>&1
expect "chatd --help in English" "$tmp/chatd_help_en" "usage: chatd [options]"
es "$BIN_DIR/chatd" --port 99999 >"$tmp/chatd_usage_es" 2>&1
expect "chatd's option errors are in Spanish" "$tmp/chatd_usage_es" \
  "chatd: error: --port: \"99999\" no es un número de 0 a 65535"

# netprobe against that chatd, in Spanish (the environment), in English
# (--lang en), and in Spanish again by --lang es over an English
# environment.  The verdict code stays "ok" in every language.
es "$BIN_DIR/netprobe" --no-icmp --json "$tmp/np_es.json" 127.0.0.1 "$port" >"$tmp/np_es" 2>&1
expect "netprobe's verdict summary in Spanish" "$tmp/np_es" "chatd respondió en el puerto $port"
expect "netprobe's stage lines in Spanish" "$tmp/np_es" "es una dirección: no hay nada que resolver"
expect "netprobe's guide link points at the Spanish guide" "$tmp/np_es" \
  "docs/troubleshooting.es.md#ok"
refuse "no English summary in a Spanish run" "$tmp/np_es" "the network, the firewalls"
es "$BIN_DIR/netprobe" --lang en --no-icmp 127.0.0.1 "$port" >"$tmp/np_en" 2>&1
expect "netprobe --lang en overrides a Spanish environment" "$tmp/np_en" \
  "chatd answered on port $port"
expect "the English guide link" "$tmp/np_en" "docs/troubleshooting.md#ok"
en "$BIN_DIR/netprobe" --lang es --no-icmp 127.0.0.1 "$port" >"$tmp/np_lang_es" 2>&1
expect "netprobe --lang es overrides an English environment" "$tmp/np_lang_es" \
  "chatd respondió en el puerto $port"
if python3 - "$tmp/np_es.json" >"$tmp/np_json" 2>&1 <<'EOF'; then
import json, sys
r = json.load(open(sys.argv[1]))
assert r.get("language") == "es", "language is %r" % r.get("language")
v = r["verdict"]
assert v["code"] == "ok", "verdict code %r" % v["code"]
assert v["doc"] == "docs/troubleshooting.es.md#ok", "doc %r" % v["doc"]
assert "respondió" in v["summary"], "summary %r" % v["summary"]
try:
    import jsonschema
except ImportError:
    sys.exit(0)
jsonschema.validate(r, json.load(open("docs/report.schema.json")))
EOF
  ok "the JSON report records language es, keeps the code ok, links the Spanish guide (and fits the schema)"
else
  bad "the Spanish JSON report: $(cat "$tmp/np_json")"
fi
"$BIN_DIR/netprobe" --lang fr 127.0.0.1 "$port" >"$tmp/np_bad" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -qF -- "--lang" "$tmp/np_bad"; then
  ok "netprobe --lang fr is a usage error (exit 2) naming --lang"
else
  bad "netprobe --lang fr: exit $rc: $(cat "$tmp/np_bad")"
fi

# A chat session through a pipe, in Spanish, against the Spanish chatd.
# The protocol's kind and code words stay English (--raw shows the lines
# unchanged); the text after them is the server's Spanish.
printf 'hola a todos\n/nick\n' | es "$BIN_DIR/chat" --name ana 127.0.0.1 "$port" >"$tmp/chat_es" 2>&1
expect "chat shows chatd's Spanish welcome" "$tmp/chat_es" "Envía /help para ver los comandos."
expect "chat shows chatd's Spanish join notice" "$tmp/chat_es" "-- ana entró ("
expect "chat shows chatd's Spanish errors" "$tmp/chat_es" "!! uso: /nick NEW"
expect "the user's own text passes unchanged" "$tmp/chat_es" "<ana> hola a todos"
printf 'hola\n' | es "$BIN_DIR/chat" --raw --name beto 127.0.0.1 "$port" >"$tmp/chat_raw" 2>&1
expect "kind and code stay English, the text is Spanish" "$tmp/chat_raw" \
  "ASK name Elige un nombre: de 1 a 16 letras"
expect "NOTICE join keeps its name field" "$tmp/chat_raw" "NOTICE join beto beto entró ("
expect "OK name keeps its name field" "$tmp/chat_raw" "OK name beto ¡bienvenido, beto!"

t_done
