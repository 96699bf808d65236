/*
 * local_check.h - `netprobe --local [PORT]`: is the server side ready?
 *
 * Run on the server (the EC2 instance).  Collects evidence (who listens on
 * the port and on which addresses, whether a test connection to each
 * listening address completes, whether the host firewall drops or rejects
 * the port, whether the public address is on an interface: --public ADDR,
 * else on EC2 the instance metadata service's), then decides one verdict
 * with a pure function over that evidence.
 */
#ifndef NETPROBE_SERVER_LOCAL_CHECK_H
#define NETPROBE_SERVER_LOCAL_CHECK_H

#include <stdbool.h>

#include "netprobe/evidence.h"
#include "netprobe/server/hostfw.h"
#include "netprobe/server/listeners.h"

/* Verdict codes (docs/report.schema.json names them); the priority is the
 * order of RULES[] in local_check.c. */
enum server_verdict {
    SERVER_BIND_ADDRESS_UNAVAILABLE, /* --public ADDR is not on this machine and nothing listens */
    SERVER_NOT_LISTENING,            /* no listener on the port (or none accepts) */
    SERVER_BIND_LOOPBACK,            /* only 127.0.0.1 / ::1: other machines cannot connect */
    SERVER_BIND_SPECIFIC,            /* only specific interface addresses, no 0.0.0.0 / :: */
    SERVER_HOST_FIREWALL_BLOCKS,     /* this machine's firewall drops or rejects the port */
    SERVER_LOCAL_OK,
    SERVER_BIND_IPV4_ONLY, /* IPv4 listeners only, while this host has a global IPv6 address */
    SERVER_VERDICT_COUNT
};

/* A test connection to one listening address. */
struct server_conn_test {
    int family;
    char address[ADDR_TEXT_MAX]; /* the address dialled (loopback for a wildcard) */
    bool ok;
    int err; /* errno when !ok (ETIMEDOUT on timeout) */
    double ms;
};

/* Where the public address came from. */
enum public_source {
    PUBLIC_NONE,   /* neither: --public not given, the metadata service gave none */
    PUBLIC_OPTION, /* --public ADDR */
    PUBLIC_IMDS,   /* the EC2 instance metadata service (imds.h) */
};

struct server_evidence {
    int port;
    bool listeners_ok; /* /proc could be read */
    char listeners_error[256];
    struct listener_list listeners;
    struct server_conn_test tests[LISTENERS_MAX];
    size_t test_count;
    bool firewall_checked;
    struct hostfw_result fw;
    char public_addr[ADDR_TEXT_MAX]; /* the public address, "" when none */
    bool public_is_local;            /* it is an address of one of our interfaces */
    char global_ipv6[ADDR_TEXT_MAX]; /* a global IPv6 address of this machine, "" if none */
    enum public_source public_source;
    bool imds_asked;      /* --public was not given and the metadata service was asked */
    char imds_error[160]; /* why it gave no address, when it was asked */
};

struct server_opts {
    int port;
    const char *public_addr; /* NULL when --public was not given */
    const char *imds_addr;   /* metadata service to ask without --public; NULL: do not ask */
    int imds_port;           /* its port (IMDS_PORT) */
    int timeout_ms;          /* per test connection and per firewall tool */
    bool skip_firewall;      /* tests: do not run nft/iptables-save */
    const char *proc;        /* "/proc" unless a test says otherwise */
};

/* The code string ("local_ok", "bind_loopback", ...). */
const char *local_check_code(enum server_verdict v);

/* The verdict for ev: pure, no I/O (the rule table is in local_check.c). */
enum server_verdict local_check_decide(const struct server_evidence *ev);

/* Whether text is an address of one of this machine's interfaces. */
bool local_check_address_is_local(const char *text);

/* Gathers the evidence (reads /proc, connects to local listeners, runs the
 * firewall tools).  Never fails: problems become part of the evidence. */
void local_check_collect(const struct server_opts *o, struct server_evidence *ev);

/* The checks, each one line of the output and one "checks" entry of the
 * report. */
enum local_check_id {
    LOCAL_CHECK_LISTENERS,
    LOCAL_CHECK_CONNECT,
    LOCAL_CHECK_FIREWALL,
    LOCAL_CHECK_PUBLIC,
    LOCAL_CHECK_COUNT
};

#define LOCAL_CHECK_SENTENCE_MAX 320
/* Sentences for the verdict: listeners, failed test connections, a rule,
 * the public address. */
#define LOCAL_CHECK_SENTENCES_MAX (3 + LISTENERS_MAX + 2)

struct local_check_line {
    enum stage_status status; /* pass, warn, fail or skip */
    char summary[LOCAL_CHECK_SENTENCE_MAX];
};

/* Everything --local found and concluded: the output and the report are
 * both written from this. */
struct local_check {
    struct server_evidence ev;
    enum server_verdict verdict;
    char sentences[LOCAL_CHECK_SENTENCES_MAX][LOCAL_CHECK_SENTENCE_MAX];
    size_t sentence_count;
    struct local_check_line lines[LOCAL_CHECK_COUNT];
};

/* The check's code: "listeners", "connect", "host_firewall", "public_address". */
const char *local_check_name(enum local_check_id id);

/* Decides lc->verdict from lc->ev and writes the sentences and the lines
 * (pure: tests fill lc->ev by hand). */
void local_check_summarize(struct local_check *lc);

/* The `--local` mode in one call: collect, then summarize.  Never fails. */
void local_check_run(const struct server_opts *o, struct local_check *lc);

#endif
