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
    VERDICT_LOCAL_FIREWALL, /* this machine's own firewall stops the SYNs */
    VERDICT_CHATD_ERROR,    /* chatd said why it closed (ERR server_full, ...) */
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
    FINDING_FORGED_RESET,   /* --capture: a reset the server did not send */
    FINDING_IPV4_BROKEN,    /* IPv4 SYNs left and failed while IPv6 connected */
    FINDING_PRIVATE_TARGET, /* a private target on no network of this machine, dialled via NAT */
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

/* Where a cause puts the fault.  advice.c tags every cause with one kind
 * and every fix step with the kind of cause it fixes; the verdict says
 * which kinds its evidence rules out and which comes first, so the causes
 * shown never contradict a stage and the fix steps follow the causes. */
enum cause_kind {
    CAUSE_ANY = 0,        /* a fix step that tells causes apart, or serves them all */
    CAUSE_CLOUD_EDGE,     /* security group, network ACL */
    CAUSE_PATH,           /* a firewall or middlebox on the way */
    CAUSE_SERVER_HOST,    /* the server machine: its firewall, the instance's state */
    CAUSE_SERVER_PROGRAM, /* the program on the port, whatever it is */
    CAUSE_NOT_CHATD,      /* the program on the port is not chatd */
    CAUSE_THIS_MACHINE,   /* this machine: its network, routes, firewall */
    CAUSE_PRIVATE_TARGET, /* the address dialled is private: not reachable from here */
    CAUSE_CHATD_FULL,     /* chatd said ERR server_full */
    CAUSE_CHATD_SHUTDOWN, /* chatd said NOTICE shutdown */
    CAUSE_CHATD_OTHER,    /* chatd said another ERR */
    CAUSE_KIND_COUNT
};

/* Index, in advice.c's no_route causes, of "the address is IPv6 and this
 * machine has no IPv6 route": first when only IPv6 attempts found no route
 * (tests/unit/netprobe_families.c checks the text there). */
#define VERDICT_CAUSE_NO_IPV6_ROUTE 1

/* Index, in advice.c's dns_failure causes, of "-4 or -6 asked for one
 * family": first when the dns outcome is no_family. */
#define VERDICT_CAUSE_DNS_NO_FAMILY 3

/* Index, in advice.c's connected_silent causes, of "reads and does not
 * answer": first when the fill measured the program reading. */
#define VERDICT_CAUSE_SILENT_READS 3

/* What --capture says about the verdict. */
enum verdict_capture {
    CAPTURE_NOT_CHECKED = 0, /* no capture ran */
    CAPTURE_CONFIRMED,       /* the packets show what the verdict claims */
    CAPTURE_NOT_CONFIRMED,   /* the capture ran but does not show it */
};

struct verdict {
    enum verdict_code code;
    struct verdict_evidence evidence;
    /* The kind of cause to show first (CAUSE_ANY: the table's order), set
     * from the evidence (a private target, a forged reset) or --trace. */
    enum cause_kind lead;
    /* One cause the evidence names outright, shown before the lead's kind:
     * 1 + its index (VERDICT_CAUSE_* above); 0 when none, so that a
     * zero-initialised verdict names nothing. */
    unsigned cause_named;
    /* Causes the evidence rules out, bit (1u << kind): never shown, nor the
     * fix steps that serve only them. */
    unsigned ruled_out;
    /* The causes that fit the evidence, by index: bit i keeps cause i; 0
     * keeps them all.  Set by the verdict's rule (dns_failure: a name that
     * does not exist and a resolver that did not answer have different
     * causes). */
    unsigned cause_mask;
    /* A sentence (N_(), translated where printed) that qualifies the
     * summary when the evidence says the code's usual reading is not the
     * whole story (a reset the capture shows was forged, or any capture
     * that does not confirm the verdict: corroborate.c); NULL if none. */
    const char *qualifier;
    enum verdict_capture capture;
    struct verdict_evidence capture_evidence;  /* what the capture showed */
    enum finding_code findings[FINDING_COUNT]; /* in enum order */
    struct verdict_evidence finding_evidence[FINDING_COUNT];
    size_t finding_count;
    /* A relay on this machine's link (VirtualBox's NAT) may hide part of
     * what the code rests on (relay.h: measured or suspected): the advice
     * adds its relay note for the code (advice_relay_note()). */
    bool behind_relay;
    /* FAMILY_BIT()s (families.h) of the attempts behind a failed handshake
     * verdict (refused, rejected, filtered_drop, no_route); 0 otherwise.
     * The advice names the family's rule ({anywhere}: 0.0.0.0/0 or ::/0). */
    unsigned families;
};

/* Decides the verdict and findings for ev into out.  Pure; never fails:
 * out->code is VERDICT_NONE when no rule matched. */
void verdict_decide(const struct evidence *ev, struct verdict *out);

/* Stable names ("filtered_drop", "icmp_blocked") for JSON and advice_find().
 * NULL for a value out of range. */
const char *verdict_code_name(enum verdict_code code);
const char *finding_code_name(enum finding_code code);

/* Sentences that qualify a verdict's summary (struct verdict's qualifier). */
enum verdict_qualifier_id {
    QUALIFIER_FORGED_RESET,          /* the reset did not come from the server */
    QUALIFIER_GREETED_OTHER,         /* wrong_service after chatd's own greeting */
    QUALIFIER_CAPTURE_NOT_CONFIRMED, /* the capture does not back the verdict */
    QUALIFIER_COUNT
};

/* The qualifier's text (N_(), untranslated). */
const char *verdict_qualifier_text(enum verdict_qualifier_id id);

/* The table's own pointer for text (a report read back), or NULL when
 * text is none of the qualifiers: a reader never shows unknown text. */
const char *verdict_qualifier_find(const char *text);

/* Stable names of the cause kinds for the report ("path", "not_chatd");
 * NULL out of range.  cause_kind_by_name() gives CAUSE_KIND_COUNT for an
 * unknown name. */
const char *cause_kind_name(enum cause_kind k);
enum cause_kind cause_kind_by_name(const char *name);

/* True when v's evidence rules out causes of kind k (CAUSE_ANY never). */
bool verdict_rules_out(const struct verdict *v, enum cause_kind k);

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
