/*
 * advice.h - what each verdict and finding means for a person: summary,
 * likely causes in order, the fix in steps, and where the guide explains it.
 *
 * One table (advice.c) holds the text for every code; the verdict rules
 * (verdict.c) only choose codes.  "{port}" in any text is replaced with the
 * port being probed by advice_render(), and "{host}" with the host by
 * advice_render_target(); advice_render_family() also fills "{address}"
 * ("IPv6 address") and "{anywhere}" (0.0.0.0/0 or ::/0) from the address
 * families a verdict is about.
 */
#ifndef NETPROBE_ADVICE_H
#define NETPROBE_ADVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "netprobe/verdict.h"

#define ADVICE_LIST_MAX 8

enum advice_kind {
    ADVICE_VERDICT,       /* one of the client verdict codes */
    ADVICE_FINDING,       /* an informational finding */
    ADVICE_LOCAL_VERDICT, /* netprobe --local verdicts (server side) */
};

struct advice {
    const char *code; /* "filtered_drop" */
    enum advice_kind kind;
    const char *summary;                     /* one line */
    const char *causes[ADVICE_LIST_MAX + 1]; /* most likely first, NULL-terminated */
    const char *fix[ADVICE_LIST_MAX + 1];    /* steps, NULL-terminated */
    const char *doc;                         /* "docs/troubleshooting.md#filtered_drop" */
    /* Client verdicts: where each cause puts the fault, and which kind of
     * cause each fix step serves (CAUSE_ANY: a check that tells causes
     * apart, or a step for all of them).  Unset entries are CAUSE_ANY. */
    enum cause_kind cause_kinds[ADVICE_LIST_MAX];
    enum cause_kind fix_kinds[ADVICE_LIST_MAX];
};

/* Which list of an entry advice_order() orders. */
enum advice_list { ADVICE_CAUSES, ADVICE_FIX };

/* One more cause and fix step for a code when a relay on this machine's
 * link (VirtualBox's NAT, relay.h) hides what would tell its causes apart;
 * shown after the code's own (struct verdict's behind_relay). */
struct advice_note {
    const char *code;  /* "filtered_drop" */
    const char *cause; /* N_(), "{port}" and "{host}" as in struct advice */
    const char *fix;
};

/* The relay note for code, or NULL when the code has none. */
const struct advice_note *advice_relay_note(const char *code);

/* The entry for code, or NULL if there is none. */
const struct advice *advice_find(const char *code);

/* Every entry, in table order; *count receives how many. */
const struct advice *advice_all(size_t *count);

/* The order to show a's causes or fix steps in for verdict v, as indexes
 * into a->causes or a->fix written to idx; returns how many.  Causes v
 * rules out are left out and the kind v->lead names comes first, the rest
 * keep the table's order.  Fix steps follow the causes shown: each comes
 * with the first cause of its kind; the lead's steps come first of all,
 * then general steps (CAUSE_ANY) at the head of the table, and the other
 * general steps last; a step whose kind is ruled out is left out.  v NULL
 * (or nothing left) gives the table's order. */
size_t advice_order(const struct advice *a, const struct verdict *v, enum advice_list which,
                    size_t idx[ADVICE_LIST_MAX]);

/* Copies text, translated into the language messages are printed in, into
 * out with "{port}" replaced by port.  Truncates to cap. */
void advice_render(const char *text, int port, char *out, size_t cap);

/* Like advice_render(), and "{host}" is replaced by host (the name or
 * address the student typed); a NULL or empty host leaves "HOST". */
void advice_render_target(const char *text, const char *host, int port, char *out, size_t cap);

/* Bits of advice_render_family()'s families: the same as families.h's
 * FAMILY_BIT(FAMILY_IPV4) and FAMILY_BIT(FAMILY_IPV6). */
#define ADVICE_FAMILY_IPV4 1u
#define ADVICE_FAMILY_IPV6 2u

/* Like advice_render_target(), and "{address}" becomes "IPv4 address",
 * "IPv6 address" or "address", "{anywhere}" the security group's
 * everyone-source of the family (0.0.0.0/0, ::/0, or both), from families
 * (ADVICE_FAMILY_* bits; 0 when the text is about no one family). */
void advice_render_family(const char *text, const char *host, int port, unsigned families,
                          char *out, size_t cap);

/* a's guide link in the language messages are printed in: a->doc, or
 * "docs/troubleshooting.es.md#CODE" in Spanish.  Written into out (cap
 * bytes, 64 is plenty); returns out. */
const char *advice_doc(const struct advice *a, char *out, size_t cap);

/* Whether code is context: a normal fact that needs no action from the
 * student (a VirtualBox NAT client, NAT on either side).  The output gives
 * it one "nothing to change" line and --summary leaves it out of the
 * findings that matter; the report keeps it as a finding. */
bool advice_is_context(const char *code);

#endif
