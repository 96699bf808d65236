/*
 * verdict.h - the one verdict and the findings, decided from evidence alone.
 *
 * verdict_decide() is a pure function: it reads a struct evidence and
 * nothing else (no clock, no network, no globals that change), so every
 * rule can be tested with evidence built by hand.  The rules are one table
 * in verdict.c, in priority order; advice.c holds the words for each code.
 */
#ifndef NETPROBE_VERDICT_H
#define NETPROBE_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "netprobe/evidence.h"

/* Client verdicts, in the order of docs/report.schema.json. */
enum verdict_code {
    VERDICT_NONE = -1, /* no rule matched: netprobe cannot tell (exit 3) */
    VERDICT_OK = 0,
    VERDICT_DNS_FAILURE,
    VERDICT_NO_ROUTE,
    VERDICT_FILTERED_DROP,
    VERDICT_REJECTED,
    VERDICT_REFUSED,
    VERDICT_CONNECTED_SILENT,
    VERDICT_SERVER_CLOSED,
    VERDICT_WRONG_SERVICE,
    VERDICT_MTU_BLACKHOLE,
    VERDICT_DATA_CORRUPTION,
    VERDICT_COUNT
};

/* Informational findings: any number may hold alongside the verdict. */
enum finding_code {
    FINDING_VIRTUALBOX_NAT,
    FINDING_CLIENT_NAT,
    FINDING_CLOUD_NAT,
    FINDING_ICMP_BLOCKED,
    FINDING_IPV6_BROKEN,
    FINDING_HIGH_LATENCY,
    FINDING_PACKET_LOSS,
    FINDING_FORGED_RESET, /* --capture: a reset the server did not send */
    FINDING_COUNT
};

/* A round trip slower than this (TCP handshake or ICMP average) is worth a
 * finding: the chat still works, but typing feels sluggish. */
#define VERDICT_HIGH_LATENCY_MS 300.0

#define VERDICT_EVIDENCE_MAX 6   /* sentences kept per code */
#define VERDICT_SENTENCE_MAX 256 /* bytes per sentence, NUL included */

/* The observations behind one code, one sentence each. */
struct verdict_evidence {
    char lines[VERDICT_EVIDENCE_MAX][VERDICT_SENTENCE_MAX];
    size_t count;
};

/* Index, in advice.c's filtered_drop causes, of "a firewall on the way":
 * the cause --trace moves first when silence starts before the server's
 * network (tests/unit/netprobe_verdict_modes.c checks the text there). */
#define VERDICT_CAUSE_PATH_FIREWALL 2

/* What --capture says about the verdict. */
enum verdict_capture {
    CAPTURE_NOT_CHECKED = 0, /* no capture ran */
    CAPTURE_CONFIRMED,       /* the packets show what the verdict claims */
    CAPTURE_NOT_CONFIRMED,   /* the capture ran but does not show it */
};

struct verdict {
    enum verdict_code code;
    struct verdict_evidence evidence;
    /* The advice causes, reordered: cause_first (an index into the
     * code's causes) comes first, the rest keep their order; -1 keeps the
     * table's order.  Set from --trace evidence. */
    int cause_first;
    /* The advice causes that fit the evidence: bit i keeps cause i; 0
     * keeps them all.  Set by the verdict's rule (dns_failure: a name that
     * does not exist and a resolver that did not answer have different
     * causes). */
    unsigned cause_mask;
    enum verdict_capture capture;
    struct verdict_evidence capture_evidence;  /* what the capture showed */
    enum finding_code findings[FINDING_COUNT]; /* in enum order */
    struct verdict_evidence finding_evidence[FINDING_COUNT];
    size_t finding_count;
};

/* Decides the verdict and findings for ev into out.  Pure; never fails:
 * out->code is VERDICT_NONE when no rule matched. */
void verdict_decide(const struct evidence *ev, struct verdict *out);

/* Stable names ("filtered_drop", "icmp_blocked") for JSON and advice_find().
 * NULL for a value out of range. */
const char *verdict_code_name(enum verdict_code code);
const char *finding_code_name(enum finding_code code);

/* How many of the advice's count causes v shows (v->cause_mask). */
size_t verdict_cause_count(const struct verdict *v, size_t count);

/* The i-th cause of v to show (i < verdict_cause_count()): an index into
 * the advice's causes (count of them given), honouring v->cause_first and
 * leaving out the causes v->cause_mask drops. */
size_t verdict_cause_index(const struct verdict *v, size_t i, size_t count);

/* The hop number of the sender of a packet that arrived with TTL (IPv6:
 * hop limit) ttl: its initial TTL is guessed as the smallest of 64, 128
 * and 255 not below ttl, and the result is initial - ttl + 1, the TTL a
 * probe needs to reach it (--trace's numbering: 60 -> hop 5).  0 when ttl
 * is unknown (<= 0) or out of range. */
int verdict_hops_from_ttl(int ttl);

/* Appends one sentence to out (dropped when out is full). */
void verdict_say(struct verdict_evidence *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The process exit status for a verdict: 0 ok, 1 a fault, 3 none. */
int verdict_exit_status(enum verdict_code code);

#endif
