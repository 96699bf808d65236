/*
 * verdict.c - the verdict rules, as one table in priority order.
 *
 * The first row whose predicate holds names the verdict; its explain
 * function writes the observations behind it.  Findings are a second table
 * where every row that holds adds a finding.  Nothing here does I/O.
 */
#include "netprobe/verdict.h"

#include <stdarg.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "common/i18n.h"
#include "netprobe/addrclass.h"

static const char *const verdict_names[VERDICT_COUNT] = {
    [VERDICT_OK] = "ok",
    [VERDICT_DNS_FAILURE] = "dns_failure",
    [VERDICT_NO_ROUTE] = "no_route",
    [VERDICT_FILTERED_DROP] = "filtered_drop",
    [VERDICT_REJECTED] = "rejected",
    [VERDICT_REFUSED] = "refused",
    [VERDICT_CONNECTED_SILENT] = "connected_silent",
    [VERDICT_SERVER_CLOSED] = "server_closed",
    [VERDICT_WRONG_SERVICE] = "wrong_service",
    [VERDICT_MTU_BLACKHOLE] = "mtu_blackhole",
    [VERDICT_DATA_CORRUPTION] = "data_corruption",
};

static const char *const finding_names[FINDING_COUNT] = {
    [FINDING_VIRTUALBOX_NAT] = "virtualbox_nat", [FINDING_CLIENT_NAT] = "client_nat",
    [FINDING_CLOUD_NAT] = "cloud_nat",           [FINDING_ICMP_BLOCKED] = "icmp_blocked",
    [FINDING_IPV6_BROKEN] = "ipv6_broken",       [FINDING_HIGH_LATENCY] = "high_latency",
    [FINDING_PACKET_LOSS] = "packet_loss",       [FINDING_FORGED_RESET] = "forged_reset",
};

const char *verdict_code_name(enum verdict_code code)
{
    return code >= 0 && code < VERDICT_COUNT ? verdict_names[code] : NULL;
}

const char *finding_code_name(enum finding_code code)
{
    return code >= 0 && code < FINDING_COUNT ? finding_names[code] : NULL;
}

int verdict_exit_status(enum verdict_code code)
{
    if (code == VERDICT_OK)
        return 0;
    return code > VERDICT_OK && code < VERDICT_COUNT ? 1 : 3;
}

/* Appends one sentence; silently drops sentences past the maximum because
 * the first ones are the ones that matter. */
void verdict_say(struct verdict_evidence *out, const char *fmt, ...)
{
    if (out->count == VERDICT_EVIDENCE_MAX)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->lines[out->count++], VERDICT_SENTENCE_MAX, fmt, ap);
    va_end(ap);
}

/* ---- What one TCP attempt means ---------------------------------------- */

/* nmap reasons for a port that is not open, and the verdict each implies.
 * A reason not listed here (or an empty one) on a filtered port counts as
 * a silent drop; on a local error it decides nothing. */
static const struct {
    const char *reason;
    enum verdict_code code;
} reason_verdicts[] = {
    {"reset", VERDICT_REFUSED},
    {"admin-prohibited", VERDICT_REJECTED},
    {"host-prohibited", VERDICT_REJECTED},
    {"net-prohibited", VERDICT_REJECTED},
    {"port-unreach", VERDICT_REJECTED},
    {"proto-unreach", VERDICT_REJECTED},
    {"local-firewall", VERDICT_REJECTED},
    {"no-response", VERDICT_FILTERED_DROP},
    {"host-unreach", VERDICT_NO_ROUTE},
    {"net-unreach", VERDICT_NO_ROUTE},
    {"no-route", VERDICT_NO_ROUTE},
};

static enum verdict_code attempt_verdict(const struct ev_tcp_attempt *a)
{
    if (a->state == TCP_STATE_OPEN)
        return VERDICT_OK;
    if (a->state == TCP_STATE_CLOSED)
        return VERDICT_REFUSED;
    for (size_t i = 0; i < sizeof reason_verdicts / sizeof reason_verdicts[0]; i++)
        if (strcmp(a->reason, reason_verdicts[i].reason) == 0)
            return reason_verdicts[i].code;
    return a->state == TCP_STATE_FILTERED ? VERDICT_FILTERED_DROP : VERDICT_NONE;
}

static size_t attempt_count(const struct evidence *ev)
{
    return ev->tcp.attempt_count < EV_ADDRS_MAX ? ev->tcp.attempt_count : EV_ADDRS_MAX;
}

static bool any_open(const struct evidence *ev)
{
    for (size_t i = 0; i < attempt_count(ev); i++)
        if (ev->tcp.attempts[i].state == TCP_STATE_OPEN)
            return true;
    return false;
}

/* True when no address answered and at least one attempt implies code. */
static bool tcp_failed_with(const struct evidence *ev, enum verdict_code code)
{
    if (any_open(ev))
        return false;
    for (size_t i = 0; i < attempt_count(ev); i++)
        if (attempt_verdict(&ev->tcp.attempts[i]) == code)
            return true;
    return false;
}

/* The attempt later stages used, or NULL. */
static const struct ev_tcp_attempt *chosen(const struct evidence *ev)
{
    int c = ev->tcp.chosen;
    if (c < 0 || (size_t)c >= attempt_count(ev) || ev->tcp.attempts[c].state != TCP_STATE_OPEN)
        return NULL;
    return &ev->tcp.attempts[c];
}

static void explain_attempts(const struct evidence *ev, enum verdict_code code,
                             struct verdict_evidence *out)
{
    for (size_t i = 0; i < attempt_count(ev); i++) {
        const struct ev_tcp_attempt *a = &ev->tcp.attempts[i];
        if (attempt_verdict(a) != code)
            continue;
        verdict_say(out, _("TCP to %s port %d: %s (%s) after %d SYN(s), deadline %.0f ms."),
                    a->target.address, ev->port, tcp_state_name(a->state),
                    a->reason[0] ? a->reason : _("no reason recorded"), a->syns_sent,
                    ev->tcp.deadline_ms);
        if (a->icmp.seen)
            verdict_say(out, _("ICMP type %d code %d (%s) came from %s."), a->icmp.type,
                        a->icmp.code, a->icmp.name, a->icmp.from);
    }
}

/* ---- The verdict rows ---------------------------------------------------- */

static bool dns_failed(const struct evidence *ev)
{
    return ev->dns.outcome != DNS_LITERAL && ev->dns.outcome != DNS_OK;
}

/* Which of advice.c's dns_failure causes fit the outcome: a name that does
 * not exist (the resolver answered), a resolver that did not answer, no
 * resolver at all.  Any other failure keeps them all. */
static unsigned dns_causes(const struct evidence *ev)
{
    static const struct {
        enum dns_outcome outcome;
        unsigned causes;
    } rows[] = {
        {DNS_NXDOMAIN, 1u << 0},
        {DNS_NO_ANSWER, 1u << 1},
        {DNS_NO_RESOLVER, 1u << 2},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (rows[i].outcome == ev->dns.outcome)
            return rows[i].causes;
    return 0;
}

/* Verdicts whose advice causes depend on the evidence; the others show
 * every cause. */
static const struct {
    enum verdict_code code;
    unsigned (*causes)(const struct evidence *ev);
} verdict_cause_rules[] = {
    {VERDICT_DNS_FAILURE, dns_causes},
};

static unsigned verdict_causes(enum verdict_code code, const struct evidence *ev)
{
    for (size_t i = 0; i < sizeof verdict_cause_rules / sizeof verdict_cause_rules[0]; i++)
        if (verdict_cause_rules[i].code == code)
            return verdict_cause_rules[i].causes(ev);
    return 0;
}

static void explain_dns(const struct evidence *ev, struct verdict_evidence *out)
{
    verdict_say(out, _("The name \"%s\" did not resolve: %s (%s)."), ev->host,
                dns_outcome_name(ev->dns.outcome),
                ev->dns.detail[0] ? ev->dns.detail : _("no detail"));
}

static bool refused(const struct evidence *ev)
{
    return tcp_failed_with(ev, VERDICT_REFUSED);
}
static bool rejected(const struct evidence *ev)
{
    return tcp_failed_with(ev, VERDICT_REJECTED);
}
static bool dropped(const struct evidence *ev)
{
    return tcp_failed_with(ev, VERDICT_FILTERED_DROP);
}
static bool no_route(const struct evidence *ev)
{
    return tcp_failed_with(ev, VERDICT_NO_ROUTE);
}

static void explain_refused(const struct evidence *ev, struct verdict_evidence *out)
{
    explain_attempts(ev, VERDICT_REFUSED, out);
}
static void explain_rejected(const struct evidence *ev, struct verdict_evidence *out)
{
    explain_attempts(ev, VERDICT_REJECTED, out);
}
static void explain_dropped(const struct evidence *ev, struct verdict_evidence *out)
{
    explain_attempts(ev, VERDICT_FILTERED_DROP, out);
}
static void explain_no_route(const struct evidence *ev, struct verdict_evidence *out)
{
    explain_attempts(ev, VERDICT_NO_ROUTE, out);
}

static bool app_is(const struct evidence *ev, enum app_outcome o)
{
    return chosen(ev) != NULL && ev->app.outcome == o;
}

static bool wrong_service(const struct evidence *ev)
{
    return app_is(ev, APP_OTHER);
}

static void explain_wrong_service(const struct evidence *ev, struct verdict_evidence *out)
{
    verdict_say(out,
                _("Port %d on %s accepted the connection, but another service answered: \"%s\"."),
                ev->port, chosen(ev)->target.address, ev->app.banner);
}

static bool server_closed(const struct evidence *ev)
{
    return app_is(ev, APP_CLOSED) || app_is(ev, APP_RESET);
}

static void explain_server_closed(const struct evidence *ev, struct verdict_evidence *out)
{
    verdict_say(
        out,
        ev->app.outcome == APP_RESET
            ? _("Port %d on %s accepted the connection, then the server reset it before answering.")
            : _("Port %d on %s accepted the connection, then the server closed it before "
                "answering."),
        ev->port, chosen(ev)->target.address);
}

static bool silent(const struct evidence *ev)
{
    return app_is(ev, APP_SILENT);
}

static void explain_silent(const struct evidence *ev, struct verdict_evidence *out)
{
    verdict_say(out,
                _("Port %d on %s accepted the connection, but nothing came back within %.0f ms."),
                ev->port, chosen(ev)->target.address, ev->timeout_ms);
    if (!ev->app.bytes_acked_known)
        return;
    if (ev->app.bytes_acked)
        verdict_say(
            out, _("The server's kernel acknowledged our bytes: the program is not reading them."));
    else
        verdict_say(
            out, _("Our bytes were never acknowledged: they were lost on the way, or a middlebox "
                   "answered the handshake."));
}

/* The first echo size with outcome o, or NULL. */
static const struct ev_echo_size *echo_find(const struct evidence *ev, enum echo_outcome o)
{
    size_t n = ev->echo.size_count < EV_SIZES_MAX ? ev->echo.size_count : EV_SIZES_MAX;
    for (size_t i = 0; i < n; i++)
        if (ev->echo.sizes[i].outcome == o)
            return &ev->echo.sizes[i];
    return NULL;
}

static bool corrupted(const struct evidence *ev)
{
    return app_is(ev, APP_CHATD) &&
           (echo_find(ev, ECHO_MISMATCH) != NULL ||
            (ev->echo.mss_retry_run && ev->echo.mss_retry_outcome == ECHO_MISMATCH));
}

static void explain_corrupted(const struct evidence *ev, struct verdict_evidence *out)
{
    const struct ev_echo_size *s = echo_find(ev, ECHO_MISMATCH);
    if (s != NULL)
        verdict_say(out, _("An echo of %zu bytes came back with different bytes."), s->size);
    else
        verdict_say(out, _("The echo repeated with MSS %d came back with different bytes."),
                    ev->echo.mss_retry_mss);
}

static bool mtu_blackhole(const struct evidence *ev)
{
    return app_is(ev, APP_CHATD) && echo_find(ev, ECHO_STALLED) != NULL && ev->echo.mss_retry_run &&
           ev->echo.mss_retry_outcome == ECHO_OK;
}

static void explain_mtu(const struct evidence *ev, struct verdict_evidence *out)
{
    const struct ev_echo_size *s = echo_find(ev, ECHO_STALLED);
    const struct ev_echo_size *ok = echo_find(ev, ECHO_OK);
    if (ok != NULL)
        verdict_say(out, _("An echo of %zu bytes passed."), ok->size);
    verdict_say(out, _("An echo of %zu bytes stalled after %zu bytes came back."), s->size,
                s->bytes_back);
    verdict_say(out, _("The same echo passed on a new connection with MSS %d."),
                ev->echo.mss_retry_mss);
    if (ev->echo.path_mtu > 0)
        verdict_say(out, _("The first connection used MSS %d and path MTU %d."), ev->echo.path_mss,
                    ev->echo.path_mtu);
    else
        verdict_say(out,
                    _("The first connection used MSS %d; the kernel reported no path MTU "
                      "for it."),
                    ev->echo.path_mss);
}

static void say_hello_ok(const struct evidence *ev, struct verdict_evidence *out)
{
    const struct ev_tcp_attempt *a = chosen(ev);
    verdict_say(out, _("chatd answered the netprobe hello on %s port %d."),
                a != NULL ? a->target.address : "?", ev->port);
}

/* An echo that stalled and was not rescued by the small-MSS retry: chatd
 * answered the hello, so the server reads, but data stops on the way. */
static bool echo_stalled(const struct evidence *ev)
{
    return app_is(ev, APP_CHATD) && echo_find(ev, ECHO_STALLED) != NULL &&
           !(ev->echo.mss_retry_run && ev->echo.mss_retry_outcome == ECHO_OK);
}

static void explain_echo_stalled(const struct evidence *ev, struct verdict_evidence *out)
{
    const struct ev_echo_size *s = echo_find(ev, ECHO_STALLED);
    const struct ev_echo_size *ok = echo_find(ev, ECHO_OK);
    say_hello_ok(ev, out);
    if (ok != NULL)
        verdict_say(out, _("An echo of %zu bytes passed."), ok->size);
    verdict_say(out, _("An echo of %zu bytes stalled after %zu bytes came back."), s->size,
                s->bytes_back);
    if (ev->echo.mss_retry_run)
        verdict_say(out, _("It stalled again on a new connection with MSS %d: not an MTU problem."),
                    ev->echo.mss_retry_mss);
}

/* The connection closed or reset in the middle of the echo. */
static bool echo_closed(const struct evidence *ev)
{
    return app_is(ev, APP_CHATD) &&
           (echo_find(ev, ECHO_CLOSED) != NULL ||
            (ev->echo.mss_retry_run && ev->echo.mss_retry_outcome == ECHO_CLOSED));
}

static void explain_echo_closed(const struct evidence *ev, struct verdict_evidence *out)
{
    const struct ev_echo_size *s = echo_find(ev, ECHO_CLOSED);
    say_hello_ok(ev, out);
    if (s != NULL)
        verdict_say(
            out,
            _("The server closed the connection during the echo of %zu bytes, after %zu bytes "
              "came back."),
            s->size, s->bytes_back);
    else
        verdict_say(out,
                    _("The server closed the connection during the echo repeated with MSS %d."),
                    ev->echo.mss_retry_mss);
}

/* ok needs chatd's answer and every echo size that ran to pass. */
static bool all_ok(const struct evidence *ev)
{
    if (!app_is(ev, APP_CHATD))
        return false;
    size_t n = ev->echo.size_count < EV_SIZES_MAX ? ev->echo.size_count : EV_SIZES_MAX;
    for (size_t i = 0; i < n; i++)
        if (ev->echo.sizes[i].outcome != ECHO_OK)
            return false;
    return true;
}

static void explain_ok(const struct evidence *ev, struct verdict_evidence *out)
{
    const struct hello_info *h = &ev->app.hello;
    verdict_say(out, _("%s %s (%s mode) on %s port %d answered the netprobe hello."), h->server,
                h->version, h->mode, chosen(ev)->target.address, ev->port);
    size_t n = ev->echo.size_count < EV_SIZES_MAX ? ev->echo.size_count : EV_SIZES_MAX;
    if (n > 0)
        verdict_say(out, _("%zu echo payload(s) up to %zu bytes came back unchanged."), n,
                    ev->echo.sizes[n - 1].size);
}

struct verdict_rule {
    enum verdict_code code;
    bool (*holds)(const struct evidence *ev);
    void (*explain)(const struct evidence *ev, struct verdict_evidence *out);
};

/* Priority order: the first row that holds is the verdict.  Among failed
 * handshakes, the most definite answer wins: a reset proves the packets
 * reached the host, an ICMP reject proves a firewall answered, silence
 * proves only that something dropped them, and a missing route (often the
 * IPv6 attempt) says least about the port. */
static const struct verdict_rule verdict_rules[] = {
    {VERDICT_DNS_FAILURE, dns_failed, explain_dns},
    {VERDICT_REFUSED, refused, explain_refused},
    {VERDICT_REJECTED, rejected, explain_rejected},
    {VERDICT_FILTERED_DROP, dropped, explain_dropped},
    {VERDICT_NO_ROUTE, no_route, explain_no_route},
    {VERDICT_WRONG_SERVICE, wrong_service, explain_wrong_service},
    {VERDICT_SERVER_CLOSED, server_closed, explain_server_closed},
    {VERDICT_CONNECTED_SILENT, silent, explain_silent},
    {VERDICT_DATA_CORRUPTION, corrupted, explain_corrupted},
    {VERDICT_MTU_BLACKHOLE, mtu_blackhole, explain_mtu},
    {VERDICT_SERVER_CLOSED, echo_closed, explain_echo_closed},
    {VERDICT_CONNECTED_SILENT, echo_stalled, explain_echo_stalled},
    {VERDICT_OK, all_ok, explain_ok},
};

/* ---- The finding rows ---------------------------------------------------- */

static bool vbox_nat(const struct evidence *ev)
{
    return ev->local.virtualbox_nat;
}

static void explain_vbox_nat(const struct evidence *ev, struct verdict_evidence *out)
{
    verdict_say(out, _("This machine has address %s with gateway %s: VirtualBox's NAT mode."),
                ev->local.source_address, ev->local.gateway);
}

static bool client_nat(const struct evidence *ev)
{
    return app_is(ev, APP_CHATD) && ev->app.client_nat;
}

static void explain_client_nat(const struct evidence *ev, struct verdict_evidence *out)
{
    verdict_say(out, _("The server saw this machine as %s; its own source address is %s."),
                ev->app.hello.peer.address, chosen(ev)->source_address);
}

static bool cloud_nat(const struct evidence *ev)
{
    return app_is(ev, APP_CHATD) && ev->app.server_nat;
}

static void explain_cloud_nat(const struct evidence *ev, struct verdict_evidence *out)
{
    verdict_say(out, _("We dialled %s; the connection arrived at the server on %s."),
                chosen(ev)->target.address, ev->app.hello.local.address);
}

/* True when some TCP attempt left this machine and met the target or the
 * way to it: not a local error, not "no route". */
static bool tcp_left_this_machine(const struct evidence *ev)
{
    for (size_t i = 0; i < attempt_count(ev); i++) {
        const struct ev_tcp_attempt *a = &ev->tcp.attempts[i];
        if (a->state == TCP_STATE_OPEN || a->state == TCP_STATE_CLOSED ||
            (a->state == TCP_STATE_FILTERED && attempt_verdict(a) != VERDICT_NO_ROUTE))
            return true;
    }
    return false;
}

/* Pings unanswered only count when they could have been answered: requests
 * went out, no ICMP error came back instead, and TCP shows the way out
 * works (a missing route fails both without blocking anything). */
static bool icmp_blocked(const struct evidence *ev)
{
    return ev->icmp.sent > 0 && ev->icmp.received == 0 && !ev->icmp.error.seen &&
           tcp_left_this_machine(ev);
}

static void explain_icmp_blocked(const struct evidence *ev, struct verdict_evidence *out)
{
    verdict_say(out, _("%d ICMP echo request(s) got no reply."), ev->icmp.sent);
    if (chosen(ev) != NULL)
        verdict_say(out, _("TCP port %d answered all the same."), ev->port);
}

/* At least one IPv4 address answered and no IPv6 address did. */
static bool ipv6_broken(const struct evidence *ev)
{
    bool v4_open = false, v6_tried = false, v6_open = false;
    for (size_t i = 0; i < attempt_count(ev); i++) {
        const struct ev_tcp_attempt *a = &ev->tcp.attempts[i];
        bool open = a->state == TCP_STATE_OPEN;
        if (a->target.family == AF_INET)
            v4_open = v4_open || open;
        if (a->target.family == AF_INET6) {
            v6_tried = true;
            v6_open = v6_open || open;
        }
    }
    return v4_open && v6_tried && !v6_open;
}

static void explain_ipv6_broken(const struct evidence *ev, struct verdict_evidence *out)
{
    for (size_t i = 0; i < attempt_count(ev); i++) {
        const struct ev_tcp_attempt *a = &ev->tcp.attempts[i];
        if (a->target.family == AF_INET6)
            verdict_say(out, _("IPv6 %s: %s (%s), while IPv4 answered."), a->target.address,
                        tcp_state_name(a->state), a->reason);
    }
}

static bool high_latency(const struct evidence *ev)
{
    const struct ev_tcp_attempt *a = chosen(ev);
    return (a != NULL && a->rtt_ms > VERDICT_HIGH_LATENCY_MS) ||
           (ev->icmp.received > 0 && ev->icmp.rtt_avg_ms > VERDICT_HIGH_LATENCY_MS);
}

static void explain_high_latency(const struct evidence *ev, struct verdict_evidence *out)
{
    const struct ev_tcp_attempt *a = chosen(ev);
    if (a != NULL)
        verdict_say(out, _("The TCP handshake took %.0f ms."), a->rtt_ms);
    if (ev->icmp.received > 0)
        verdict_say(out, _("ICMP round trips averaged %.0f ms."), ev->icmp.rtt_avg_ms);
    verdict_say(out, _("More than %.0f ms is high for a chat."), VERDICT_HIGH_LATENCY_MS);
}

/* Some but not all pings answered, or the handshake needed a second SYN. */
static bool packet_loss(const struct evidence *ev)
{
    const struct ev_tcp_attempt *a = chosen(ev);
    return (ev->icmp.received > 0 && ev->icmp.received < ev->icmp.sent) ||
           (a != NULL && a->syns_sent > 1);
}

static void explain_packet_loss(const struct evidence *ev, struct verdict_evidence *out)
{
    const struct ev_tcp_attempt *a = chosen(ev);
    if (ev->icmp.received > 0 && ev->icmp.received < ev->icmp.sent)
        verdict_say(out, _("%d of %d ICMP echo requests got a reply."), ev->icmp.received,
                    ev->icmp.sent);
    if (a != NULL && a->syns_sent > 1)
        verdict_say(out, _("The TCP handshake needed %d SYNs."), a->syns_sent);
}

static bool forged_reset(const struct evidence *ev)
{
    return ev->capture.run && ev->capture.forged_reset;
}

static void explain_forged_reset(const struct evidence *ev, struct verdict_evidence *out)
{
    verdict_say(
        out, "%s",
        ev->capture.forged_detail[0]
            ? ev->capture.forged_detail
            : _("The capture saw a reset whose TTL does not fit the server's other packets."));
}

struct finding_rule {
    enum finding_code code;
    bool (*holds)(const struct evidence *ev);
    void (*explain)(const struct evidence *ev, struct verdict_evidence *out);
};

static const struct finding_rule finding_rules[] = {
    {FINDING_VIRTUALBOX_NAT, vbox_nat, explain_vbox_nat},
    {FINDING_CLIENT_NAT, client_nat, explain_client_nat},
    {FINDING_CLOUD_NAT, cloud_nat, explain_cloud_nat},
    {FINDING_ICMP_BLOCKED, icmp_blocked, explain_icmp_blocked},
    {FINDING_IPV6_BROKEN, ipv6_broken, explain_ipv6_broken},
    {FINDING_HIGH_LATENCY, high_latency, explain_high_latency},
    {FINDING_PACKET_LOSS, packet_loss, explain_packet_loss},
    {FINDING_FORGED_RESET, forged_reset, explain_forged_reset},
};

int verdict_hops_from_ttl(int ttl)
{
    static const int initial[] = {64, 128, 255};
    if (ttl <= 0 || ttl > 255)
        return 0;
    for (size_t i = 0; i < sizeof initial / sizeof initial[0]; i++)
        if (ttl <= initial[i])
            return initial[i] - ttl + 1;
    return 0;
}

/* The i-th cause in display order, before the mask. */
static size_t cause_ordered(const struct verdict *v, size_t i, size_t count)
{
    if (v == NULL || v->cause_first < 0 || (size_t)v->cause_first >= count)
        return i;
    if (i == 0)
        return (size_t)v->cause_first;
    return i <= (size_t)v->cause_first ? i - 1 : i;
}

static bool cause_kept(const struct verdict *v, size_t idx)
{
    return v == NULL || v->cause_mask == 0 || idx >= 32 || (v->cause_mask >> idx & 1u);
}

size_t verdict_cause_count(const struct verdict *v, size_t count)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        n += cause_kept(v, i);
    return n > 0 ? n : count; /* a mask past the list keeps the whole list */
}

size_t verdict_cause_index(const struct verdict *v, size_t i, size_t count)
{
    if (verdict_cause_count(v, count) == count)
        return cause_ordered(v, i, count);
    for (size_t k = 0; k < count; k++) {
        size_t idx = cause_ordered(v, k, count);
        if (cause_kept(v, idx) && i-- == 0)
            return idx;
    }
    return cause_ordered(v, i, count);
}

void verdict_decide(const struct evidence *ev, struct verdict *out)
{
    memset(out, 0, sizeof *out);
    out->code = VERDICT_NONE;
    out->cause_first = -1;
    for (size_t i = 0; i < sizeof verdict_rules / sizeof verdict_rules[0]; i++) {
        if (verdict_rules[i].holds(ev)) {
            out->code = verdict_rules[i].code;
            verdict_rules[i].explain(ev, &out->evidence);
            out->cause_mask = verdict_causes(out->code, ev);
            break;
        }
    }
    for (size_t i = 0; i < sizeof finding_rules / sizeof finding_rules[0]; i++) {
        if (!finding_rules[i].holds(ev))
            continue;
        out->findings[out->finding_count] = finding_rules[i].code;
        finding_rules[i].explain(ev, &out->finding_evidence[out->finding_count]);
        out->finding_count++;
    }
}
