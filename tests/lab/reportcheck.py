#!/usr/bin/env python3
"""reportcheck.py - does a netprobe JSON report say what the lab expects?

    reportcheck.py REPORT EXPECT

EXPECT is the `expect` cell of tests/lab/modes.tsv: terms separated by ";",
each true or false of the report; a term may offer alternatives separated
by "|" (one true alternative is enough).  A term is PATH OP VALUE:

    PATH    keys separated by ".", with [N] for the Nth element of a list
            and [KEY=VALUE] for the first element whose KEY is VALUE:
            watch.sources[address=198.51.100.20].outcome, verdict.causes[0]
    =V      the value, as text, is V (true/false for booleans); "=absent"
            means the path leads nowhere
    >N <N   the value is a number above / below N
    ~TEXT   the value, as text, contains TEXT (case does not matter)
    !=V     the opposite of =V (an absent path is not V)
    !~TEXT  the opposite of ~TEXT (an absent path contains nothing)

Prints nothing and exits 0 when every term holds; otherwise prints one line
per failed term with what the report had there, and exits 1 (2 when the
report cannot be read).
"""
import json
import re
import sys

TERM = re.compile(r"^\s*((?:[A-Za-z0-9_.-]|\[[^\]]*\])+)\s*(!=|!~|=|>|<|~)\s*(.*?)\s*$")
STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]|\[([^=\]]+)=([^\]]*)\]")
ABSENT = object()


def as_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def lookup(doc, path):
    """The value at path, or ABSENT."""
    node = doc
    for key, index, sel_key, sel_value in STEP.findall(path):
        if key:
            node = node.get(key, ABSENT) if isinstance(node, dict) else ABSENT
        elif index:
            i = int(index)
            node = node[i] if isinstance(node, list) and i < len(node) else ABSENT
        else:
            matches = [e for e in node if isinstance(e, dict) and
                       as_text(e.get(sel_key)) == sel_value] if isinstance(node, list) else []
            node = matches[0] if matches else ABSENT
        if node is ABSENT:
            return ABSENT
    return node


def holds(value, op, want):
    if op.startswith("!"):
        return not holds(value, op[1:], want)
    if op == "=":
        return (value is ABSENT) if want == "absent" else (
            value is not ABSENT and as_text(value) == want)
    if value is ABSENT:
        return False
    if op == "~":
        return want.lower() in as_text(value).lower()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return value > float(want) if op == ">" else value < float(want)


def check(doc, expect):
    """Returns the failed terms as sentences."""
    failed = []
    for term in filter(str.strip, expect.split(";")):
        seen = []
        for alt in term.split("|"):
            m = TERM.match(alt)
            if m is None:
                failed.append("cannot read the term \"%s\" (PATH=V, PATH!=V, PATH>N, PATH<N, "
                              "PATH~TEXT, PATH!~TEXT)"
                              % alt.strip())
                break
            path, op, want = m.groups()
            value = lookup(doc, path)
            if holds(value, op, want):
                break
            seen.append("%s is %s" % (path, "absent" if value is ABSENT else
                                     as_text(value)[:160]))
        else:
            failed.append("expected %s, but %s" % (term.strip(), ", ".join(seen)))
    return failed


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: reportcheck.py REPORT EXPECT")
    try:
        with open(sys.argv[1], encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as err:
        print("no readable JSON report at %s: %s" % (sys.argv[1], err))
        sys.exit(2)
    failed = check(doc, sys.argv[2])
    for line in failed:
        print(line)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
