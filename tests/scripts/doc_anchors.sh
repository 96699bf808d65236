#!/usr/bin/env bash
# Every link into the guides resolves:
#   1. each docs/troubleshooting[.es].md#ANCHOR in a string literal of the C
#      sources (netprobe/, chat/, chatd/, common/), including the codes
#      passed to a macro that builds such a link (advice.c's DOC("code")),
#      is a heading of BOTH guides, English and Spanish: the program prints
#      the Spanish path with the same anchor to a Spanish reader;
#   2. each troubleshooting[.es].md#ANCHOR in README.md and docs/*.md is an
#      anchor of both guides too;
#   3. every other markdown link with an anchor in README.md and docs/*.md
#      (#ANCHOR on the same page, FILE.md#ANCHOR) names an anchor of its page.
# Anchors are GitHub's: a heading's text lower-cased, punctuation other than
# "-" and "_" dropped, spaces turned into "-", "-1", "-2"... on repeats; or
# an explicit <a id="..."> / <a name="...">.  Fenced code is not a heading.
# BIN_DIR and TEST_DIR are not used.
set -u
cd "$(dirname "$0")/../.." || exit 3
command -v python3 >/dev/null || { echo "FAIL: python3 is not installed (scripts/deps.sh)"; exit 1; }

python3 - <<'EOF'
import glob, os, re, sys

GUIDES = ["docs/troubleshooting.md", "docs/troubleshooting.es.md"]
GUIDE_REF = re.compile(r"troubleshooting(\.es)?\.md#([A-Za-z0-9_-]+)")
# A C string or character literal, or a comment, in source order.
STRING_OR_COMMENT = re.compile(r'''"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|/\*.*?\*/|//[^\n]*''', re.S)
passed = failed = 0

def ok(msg):
    global passed
    passed += 1
    print("ok: " + msg)

def bad(msg):
    global failed
    failed += 1
    print("FAIL: " + msg)

def slug(text):
    """GitHub's anchor for a heading's text."""
    text = re.sub(r"<[^>]+>", "", text)          # inline HTML
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links: their text
    text = text.strip().lower()
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")

def anchors(path):
    found, seen, fence = set(), {}, None
    for line in open(path, encoding="utf-8"):
        m = re.match(r"\s*(```+|~~~+)", line)
        if m:
            mark = m.group(1)[0] * 3
            fence = None if fence == mark else (fence or mark)
            continue
        if fence:
            continue
        for a in re.findall(r"<a\s+(?:id|name)=\"([^\"]+)\"", line):
            found.add(a)
        h = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if h:
            s = slug(h.group(1))
            n = seen.get(s, 0)
            seen[s] = n + 1
            found.add(s if n == 0 else "%s-%d" % (s, n))
    return found

guide_anchors = {g: anchors(g) for g in GUIDES}
both = guide_anchors[GUIDES[0]] & guide_anchors[GUIDES[1]]

# 1. The C sources.
c_refs = {}  # anchor -> first place it was seen
for path in sorted(glob.glob("*/**/*.[ch]", recursive=True)):
    if path.split("/")[0] not in ("netprobe", "chat", "chatd", "common"):
        continue
    text = open(path, encoding="utf-8").read()
    # String literals only: a comment may show a placeholder ("#CODE").
    for tok in STRING_OR_COMMENT.finditer(text):
        if not tok.group(0).startswith('"'):
            continue
        for m in GUIDE_REF.finditer(tok.group(0)):
            c_refs.setdefault(m.group(2), "%s:%d" % (path, text.count("\n", 0, tok.start()) + 1))
    # A macro that appends its argument to a guide link: NAME("code"), with
    # the link's start written as one literal or after other tokens
    # (DOCDIR "/troubleshooting.md#" code).
    for d in re.finditer(r'#\s*define\s+(\w+)\s*\(\s*\w+\s*\)[^\n]*troubleshooting(?:\.es)?\.md#"', text):
        for use in re.finditer(r'\b%s\(\s*"([^"]+)"\s*\)' % d.group(1), text):
            c_refs.setdefault(use.group(1), "%s:%d" % (path, text.count("\n", 0, use.start()) + 1))

if len(c_refs) < 10:
    bad("found only %d guide anchors in the C sources (%s): the scan is broken"
        % (len(c_refs), ", ".join(sorted(c_refs))))
missing = {a: where for a, where in c_refs.items() if a not in both}
if c_refs and not missing:
    ok("all %d guide anchors the programs print are headings of both guides" % len(c_refs))
for a, where in sorted(missing.items()):
    lacking = [g for g in GUIDES if a not in guide_anchors[g]]
    bad("%s prints the guide anchor #%s, missing from %s" % (where, a, " and ".join(lacking)))

# 2 and 3. The markdown pages.
pages = ["README.md"] + sorted(glob.glob("docs/*.md"))
page_anchors = {}
def anchors_of(path):
    if path not in page_anchors:
        page_anchors[path] = anchors(path) if os.path.exists(path) else None
    return page_anchors[path]

links = mentions = 0
for page in pages:
    for no, line in enumerate(open(page, encoding="utf-8"), 1):
        where = "%s:%d" % (page, no)
        # Any mention of a guide anchor, a link or not (report.md's example
        # shows the "doc" member); an upper-case anchor is a placeholder.
        for m in GUIDE_REF.finditer(line):
            if m.group(2).isupper():
                continue
            mentions += 1
            if m.group(2) not in both:
                lacking = [g for g in GUIDES if m.group(2) not in guide_anchors[g]]
                bad("%s names %s, an anchor missing from %s"
                    % (where, m.group(0), " and ".join(lacking)))
        for target, anchor in re.findall(r"\]\(([^)#\s]*)#([^)\s]+)\)", line):
            links += 1
            if GUIDE_REF.search(target + "#" + anchor):
                continue  # checked above, against both guides
            dest = os.path.normpath(os.path.join(os.path.dirname(page), target)) if target else page
            found = anchors_of(dest)
            if found is None:
                bad("%s links to %s, which does not exist" % (where, dest))
            elif anchor not in found:
                bad("%s links to #%s, not an anchor of %s" % (where, anchor, dest))
if links < 20:
    bad("found only %d anchored links in the markdown pages: the scan is broken" % links)
else:
    ok("checked %d anchored links in README.md and docs/*.md, %d of them naming a guide anchor"
       % (links, mentions))

print("doc_anchors: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
EOF
