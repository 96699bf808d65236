#include "netprobe/evidence.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "netprobe/stages/stages.h"

/* One name per enum value, indexed by the value; "?" past the end. */
#define NAME_OF(table, v)                                                                          \
    ((size_t)(v) < sizeof(table) / sizeof(table)[0] && (table)[v] != NULL ? (table)[v] : "?")

static const char *const STAGE_NAMES[] = {
    [STAGE_LOCAL] = "local", [STAGE_DNS] = "dns", [STAGE_ICMP] = "icmp",
    [STAGE_TCP] = "tcp",     [STAGE_APP] = "app", [STAGE_ECHO] = "echo",
};

static const char *const STATUS_NAMES[] = {
    [STATUS_NOT_RUN] = "not_run", [STATUS_PASS] = "pass", [STATUS_WARN] = "warn",
    [STATUS_FAIL] = "fail",       [STATUS_SKIP] = "skip",
};

static const char *const TCP_STATE_NAMES[] = {
    [TCP_STATE_UNKNOWN] = "unknown",   [TCP_STATE_OPEN] = "open",   [TCP_STATE_CLOSED] = "closed",
    [TCP_STATE_FILTERED] = "filtered", [TCP_STATE_ERROR] = "error",
};

static const char *const ADDR_CLASS_NAMES[] = {
    [ADDR_UNKNOWN] = "unknown",       [ADDR_LOOPBACK] = "loopback",
    [ADDR_PRIVATE] = "private",       [ADDR_CGNAT] = "cgnat",
    [ADDR_LINK_LOCAL] = "link_local", [ADDR_DOCUMENTATION] = "documentation",
    [ADDR_PUBLIC] = "public",
};

static const char *const DNS_OUTCOME_NAMES[] = {
    [DNS_LITERAL] = "literal",         [DNS_OK] = "ok",
    [DNS_NXDOMAIN] = "nxdomain",       [DNS_NO_ANSWER] = "no_answer",
    [DNS_NO_RESOLVER] = "no_resolver", [DNS_OTHER_FAILURE] = "other_failure",
    [DNS_NO_FAMILY] = "no_family",
};

static const char *const APP_OUTCOME_NAMES[] = {
    [APP_NOT_RUN] = "not_run", [APP_CHATD] = "chatd",   [APP_OTHER] = "other",
    [APP_SILENT] = "silent",   [APP_CLOSED] = "closed", [APP_RESET] = "reset",
};

static const char *const ECHO_OUTCOME_NAMES[] = {
    [ECHO_NOT_RUN] = "not_run",   [ECHO_OK] = "ok",         [ECHO_STALLED] = "stalled",
    [ECHO_MISMATCH] = "mismatch", [ECHO_CLOSED] = "closed",
};

static const char *const SILENCE_SPLIT_NAMES[] = {
    [SILENCE_NOT_RUN] = "not_run", [SILENCE_NOT_READING] = "not_reading",
    [SILENCE_READS] = "reads",     [SILENCE_INCONCLUSIVE] = "inconclusive",
    [SILENCE_RELAY] = "relay",
};

static const char *const STAGE_SKIP_NAMES[] = {
    [SKIP_NONE] = "none",
    [SKIP_NO_ICMP_OPTION] = "no_icmp_option",
    [SKIP_DNS_FAILED] = "dns_failed",
    [SKIP_NO_PING_ADDRESS] = "no_ping_address",
    [SKIP_NO_TCP_ADDRESS] = "no_tcp_address",
    [SKIP_NOT_CONNECTED] = "not_connected",
    [SKIP_NOT_CHATD] = "not_chatd",
    [SKIP_NO_SIZES] = "no_sizes",
    [SKIP_ICMP_OPTION] = "icmp_option",
    [SKIP_ICMP_NO_TARGET] = "icmp_no_target",
    [SKIP_ICMP_CANNOT] = "icmp_cannot",
    [SKIP_TCP_NO_TARGET] = "tcp_no_target",
    [SKIP_APP_NO_CONN] = "app_no_connection",
    [SKIP_ECHO_NO_CHATD] = "echo_no_chatd",
};

const char *stage_name(enum stage_id id)
{
    return NAME_OF(STAGE_NAMES, id);
}

const char *stage_status_name(enum stage_status s)
{
    return NAME_OF(STATUS_NAMES, s);
}

const char *tcp_state_name(enum tcp_state s)
{
    return NAME_OF(TCP_STATE_NAMES, s);
}

const char *addr_class_name(enum addr_class c)
{
    return NAME_OF(ADDR_CLASS_NAMES, c);
}

const char *dns_outcome_name(enum dns_outcome o)
{
    return NAME_OF(DNS_OUTCOME_NAMES, o);
}

const char *app_outcome_name(enum app_outcome o)
{
    return NAME_OF(APP_OUTCOME_NAMES, o);
}

const char *echo_outcome_name(enum echo_outcome o)
{
    return NAME_OF(ECHO_OUTCOME_NAMES, o);
}

const char *silence_split_name(enum silence_split s)
{
    return NAME_OF(SILENCE_SPLIT_NAMES, s);
}

static const char *const DNS_DETAIL_NAMES[] = {
    [DNS_DETAIL_NONE] = "none",
    [DNS_DETAIL_RESOLVER] = "resolver",
    [DNS_DETAIL_TIMEOUT] = "timeout",
    [DNS_DETAIL_NO_FAMILY] = "no_family",
    [DNS_DETAIL_FAMILY_LITERAL] = "family_literal",
    [DNS_DETAIL_NO_RESOURCES] = "no_resources",
};

const char *dns_detail_name(enum dns_detail d)
{
    return NAME_OF(DNS_DETAIL_NAMES, d);
}

const char *stage_skip_name(enum stage_skip s)
{
    return NAME_OF(STAGE_SKIP_NAMES, s);
}

void evidence_init(struct evidence *ev, const char *host, int port)
{
    memset(ev, 0, sizeof *ev);
    snprintf(ev->host, sizeof ev->host, "%s", host != NULL ? host : "");
    ev->port = port;
    ev->timeout_ms = STAGE_TIMEOUT_MS_DEFAULT; /* until the options say otherwise */
    ev->tcp.chosen = -1;
    ev->app.peer_window = -1;
}

/* Where each stage keeps its evidence inside struct evidence. */
static const struct {
    size_t offset, size;
} STAGE_SECTIONS[STAGE_COUNT] = {
    [STAGE_LOCAL] = {offsetof(struct evidence, local), sizeof(struct ev_local)},
    [STAGE_DNS] = {offsetof(struct evidence, dns), sizeof(struct ev_dns)},
    [STAGE_ICMP] = {offsetof(struct evidence, icmp), sizeof(struct ev_icmp)},
    [STAGE_TCP] = {offsetof(struct evidence, tcp), sizeof(struct ev_tcp)},
    [STAGE_APP] = {offsetof(struct evidence, app), sizeof(struct ev_app)},
    [STAGE_ECHO] = {offsetof(struct evidence, echo), sizeof(struct ev_echo)},
};

void evidence_copy_stage(struct evidence *dst, const struct evidence *src, enum stage_id id)
{
    if ((unsigned)id >= STAGE_COUNT)
        return;
    dst->stages[id] = src->stages[id];
    memcpy((char *)dst + STAGE_SECTIONS[id].offset, (const char *)src + STAGE_SECTIONS[id].offset,
           STAGE_SECTIONS[id].size);
}
