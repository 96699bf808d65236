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
#include "netprobe/families.h"
#include "netprobe/pmtu.h"
#include "netprobe/relay.h"

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
    [VERDICT_LOCAL_FIREWALL] = "local_firewall",
    [VERDICT_CHATD_ERROR] = "chatd_error",
};

static const char *const finding_names[FINDING_COUNT] = {
    [FINDING_VIRTUALBOX_NAT] = "virtualbox_nat", [FINDING_CLIENT_NAT] = "client_nat",
    [FINDING_CLOUD_NAT] = "cloud_nat",           [FINDING_ICMP_BLOCKED] = "icmp_blocked",
    [FINDING_IPV6_BROKEN] = "ipv6_broken",       [FINDING_HIGH_LATENCY] = "high_latency",
    [FINDING_PACKET_LOSS] = "packet_loss",       [FINDING_FORGED_RESET] = "forged_reset",
    [FINDING_IPV4_BROKEN] = "ipv4_broken",
    [FINDING_PRIVATE_TARGET] = "private_target",
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
    {"local-firewall", VERDICT_LOCAL_FIREWALL},
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
/* Behind VirtualBox's NAT the relay ends the VM's connection and passes on
 * no ICMP error from the path: a firewall's REJECT reaches the VM as the
 * same silence as a DROP.  Says what showed the relay, or that nothing
 * could. */
static void explain_relay_hides_reject(const struct evidence *ev, struct verdict_evidence *out)
{
    enum relay_seen r = relay_judge(ev);
    if (r == RELAY_MEASURED && relay_unrouted_ttl(ev) > 0)
        verdict_say(out,
                    _("Packets from the target (%s) arrived with TTL %d, which no router "
                      "lowered: VirtualBox's NAT answers for it and passes on no ICMP error, so "
                      "from this VM a REJECT looks the same as a DROP."),
                    relay_unrouted_what(ev), relay_unrouted_ttl(ev));
    else if (r == RELAY_MEASURED)
        verdict_say(out, "%s",
                    _("--trace got the target's answer at hop 1: VirtualBox's NAT answers for it "
                      "and passes on no ICMP error, so from this VM a REJECT looks the same as a "
                      "DROP."));
    else if (r == RELAY_SUSPECTED)
        verdict_say(out, "%s",
                    _("This machine has VirtualBox's NAT addresses and no TTL from the target "
                      "was seen: if it is VirtualBox's NAT mode, no ICMP error reaches it and a "
                      "REJECT looks the same as a DROP."));
}

static void explain_dropped(const struct evidence *ev, struct verdict_evidence *out)
{
    explain_attempts(ev, VERDICT_FILTERED_DROP, out);
    explain_relay_hides_reject(ev, out);
}

/* Every address of the name is IPv6 and none of them left this machine:
 * the IPv6-only server seen from an IPv4-only network. */
static bool only_ipv6_unroutable(const struct evidence *ev)
{
    struct family_result fam[FAMILY_COUNT];
    families_summarise(ev, fam);
    return fam[FAMILY_IPV4].outcome == FAMILY_NO_ADDRESS &&
           fam[FAMILY_IPV6].outcome == FAMILY_NOT_SENT;
}

static void explain_no_route(const struct evidence *ev, struct verdict_evidence *out)
{
    explain_attempts(ev, VERDICT_NO_ROUTE, out);
    if (!only_ipv6_unroutable(ev))
        return;
    if (ev->dns.outcome == DNS_OK)
        verdict_say(out, _("The name \"%s\" has only IPv6 addresses (AAAA records, no A record)."),
                    ev->host);
    verdict_say(out,
                ev->local.ipv6_default_route
                    ? _("No IPv6 SYN left this machine: the kernel found no route to the address.")
                    : _("This machine has no IPv6 default route, so no IPv6 SYN left it."));
    if (ev->local.gateway[0] != '\0')
        verdict_say(out,
                    _("It has an IPv4 default route (gateway %s), which this name cannot use."),
                    ev->local.gateway);
}

static bool app_is(const struct evidence *ev, enum app_outcome o)
{
    return chosen(ev) != NULL && ev->app.outcome == o;
}

/* The SYNs never left: connect() failed with EPERM/EACCES, this machine's
 * output chain drops or rejects the port (when root could read it), or a
 * capture saw no SYN leave while the handshake timed out.  Before the
 * other TCP rows: a reject rule on the way out answers with a reset that
 * did not come from the server. */
static bool syns_never_left(const struct evidence *ev)
{
    return ev->capture.run && ev->capture.syns_sent == 0 &&
           tcp_failed_with(ev, VERDICT_FILTERED_DROP);
}

static bool local_firewall(const struct evidence *ev)
{
    return tcp_failed_with(ev, VERDICT_LOCAL_FIREWALL) ||
           (!any_open(ev) && attempt_count(ev) > 0 && ev->tcp.local_fw.blocks) ||
           syns_never_left(ev);
}

static void explain_local_firewall(const struct evidence *ev, struct verdict_evidence *out)
{
    for (size_t i = 0; i < attempt_count(ev); i++) {
        const struct ev_tcp_attempt *a = &ev->tcp.attempts[i];
        if (attempt_verdict(a) == VERDICT_LOCAL_FIREWALL)
            verdict_say(out,
                        _("connect() to %s port %d failed on this machine with \"%s\" before "
                          "any packet left (reason local-firewall)."),
                        a->target.address, ev->port,
                        a->local_errno != 0 ? strerror(a->local_errno) : "EPERM");
    }
    if (ev->tcp.local_fw.blocks)
        verdict_say(out,
                    _("This machine's own firewall stops new connections to TCP port %d on "
                      "the way out: %s."),
                    ev->port, ev->tcp.local_fw.rule);
    if (syns_never_left(ev))
        verdict_say(out,
                    _("The capture saw no SYN leave this machine while the handshake to port "
                      "%d timed out."),
                    ev->port);
    if (!ev->tcp.local_fw.read && ev->tcp.local_fw.why_unread[0] != '\0')
        verdict_say(out, _("This machine's outgoing rules could not be read: %s."),
                    ev->tcp.local_fw.why_unread);
}

/* chatd's own words: an ERR or NOTICE shutdown line before the end.  The
 * app stage keeps only lines in chatd's grammar ("ERR code text"). */
static bool chatd_error(const struct evidence *ev)
{
    return chosen(ev) != NULL && ev->app.outcome != APP_CHATD && ev->app.chatd_said[0] != '\0';
}

static void explain_chatd_error(const struct evidence *ev, struct verdict_evidence *out)
{
    verdict_say(out, _("The server on %s port %d said \"%s\" before the end of the connection."),
                chosen(ev)->target.address, ev->port, ev->app.chatd_said);
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

/* What the fill showed (netprobe/silence.h); one sentence per split, each
 * naming what was measured. */
static void say_split(const struct ev_app *app, struct verdict_evidence *out)
{
    switch (app->split) {
    case SILENCE_NOT_READING:
        verdict_say(out,
                    _("We sent %zu more bytes; after %zu were acknowledged the server's receive "
                      "window closed: the program on the port accepted the connection and is not "
                      "reading."),
                    app->fill_sent, app->fill_acked);
        break;
    case SILENCE_READS:
        verdict_say(out,
                    _("We sent %zu more bytes and all were acknowledged with the server's receive "
                      "window still open: the program on the port reads what arrives and answers "
                      "nothing."),
                    app->fill_sent);
        verdict_say(out, "%s",
                    _("The network works; the program on the port is not chatd, or does not "
                      "speak its protocol."));
        break;
    case SILENCE_INCONCLUSIVE:
        verdict_say(out,
                    _("We sent %zu more bytes; %zu were acknowledged and the window neither closed "
                      "nor took them all within the deadline: whether the program reads is not "
                      "known (sudo netprobe --watch on the server tells)."),
                    app->fill_sent, app->fill_acked);
        break;
    case SILENCE_RELAY:
        verdict_say(out, "%s",
                    _("Behind VirtualBox's NAT the ACKs and the window this machine sees are the "
                      "NAT relay's, so whether the server program reads cannot be measured from "
                      "here: run sudo netprobe --watch on the server, or probe from the host."));
        break;
    default:
        break;
    }
}

static void explain_silent(const struct evidence *ev, struct verdict_evidence *out)
{
    const struct ev_app *app = &ev->app;
    verdict_say(out,
                _("Port %d on %s accepted the connection, but nothing came back within %.0f ms."),
                ev->port, chosen(ev)->target.address, ev->timeout_ms);
    if (app->bytes_acked_known && app->split != SILENCE_RELAY) {
        if (app->bytes_acked)
            verdict_say(out, "%s",
                        _("The server's kernel acknowledged our hello: it reached the server "
                          "machine (an ACK says nothing about the program)."));
        else
            verdict_say(out, "%s",
                        _("Our bytes were never acknowledged: they were lost on the way, or a "
                          "middlebox answered the handshake."));
    }
    say_split(app, out);
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

/* The largest echo size that passed, or NULL. */
static const struct ev_echo_size *echo_largest_ok(const struct evidence *ev)
{
    const struct ev_echo_size *best = NULL;
    size_t n = ev->echo.size_count < EV_SIZES_MAX ? ev->echo.size_count : EV_SIZES_MAX;
    for (size_t i = 0; i < n; i++)
        if (ev->echo.sizes[i].outcome == ECHO_OK &&
            (best == NULL || ev->echo.sizes[i].size > best->size))
            best = &ev->echo.sizes[i];
    return best;
}

/* Small echoes pass and a large one stalls.  Either a clamped MSS passed
 * (the path MTU was found), or even the smallest clamp stalled after a
 * smaller echo passed: size-dependent loss all the same, never "nothing
 * answered". */
static bool mtu_blackhole(const struct evidence *ev)
{
    const struct ev_echo *e = &ev->echo;
    if (!app_is(ev, APP_CHATD) || echo_find(ev, ECHO_STALLED) == NULL || !e->mss_retry_run)
        return false;
    return e->mss_retry_outcome == ECHO_OK ||
           (e->mss_retry_outcome == ECHO_STALLED && echo_largest_ok(ev) != NULL);
}

/* The search's result, in words that claim only what it measured. */
static void say_search(const struct evidence *ev, struct verdict_evidence *out)
{
    const struct ev_echo *e = &ev->echo;
    bool relay = ev->local.virtualbox_nat;
    if (e->mtu_pass == 0 && e->mtu_fail > e->mtu_floor)
        verdict_say(out, "%s",
                    _("The path MTU search ran out of time before it probed the minimum packet "
                      "size: small payloads pass and large ones do not, and nothing more was "
                      "measured."));
    else if (e->mtu_pass == 0)
        verdict_say(out,
                    _("Even new connections clamped to the minimum packet size (%d bytes, MSS %d) "
                      "stalled: small payloads pass and large ones do not, and no packet size "
                      "that passes was found."),
                    e->mtu_floor, e->mss_retry_mss);
    else if (relay || e->mtu_fail - e->mtu_pass > 1)
        verdict_say(out,
                    _("New connections with a clamped MSS: packets of %d bytes passed, packets of "
                      "%d bytes stalled (%d probes)."),
                    e->mtu_pass, e->mtu_fail, e->mtu_probes);
    else
        verdict_say(out,
                    _("New connections with a clamped MSS: packets of %d bytes passed and %d "
                      "stalled (%d probes): the path MTU measured is %d bytes."),
                    e->mtu_pass, e->mtu_fail, e->mtu_probes, e->mtu_pass);
    if (e->mtu_out_of_time)
        verdict_say(out, _("The search stopped at its %.0f s bound before it narrowed further."),
                    PMTU_BUDGET_MS / 1000.0);
    if (relay)
        verdict_say(out, "%s",
                    _("Behind VirtualBox's NAT a clamped MSS applies only to this VM's connection "
                      "to VirtualBox, not to VirtualBox's own connection to the server: these "
                      "sizes are the VM's leg, and the server's path MTU cannot be measured from "
                      "here (probe from the host)."));
}

static void explain_mtu(const struct evidence *ev, struct verdict_evidence *out)
{
    const struct ev_echo_size *s = echo_find(ev, ECHO_STALLED);
    const struct ev_echo_size *ok = echo_largest_ok(ev);
    if (ok != NULL)
        verdict_say(out, _("An echo of %zu bytes passed."), ok->size);
    verdict_say(out, _("An echo of %zu bytes stalled after %zu bytes came back."), s->size,
                s->bytes_back);
    if (ev->echo.mtu_search_run)
        say_search(ev, out);
    else if (ev->echo.mss_retry_outcome == ECHO_OK)
        verdict_say(out, _("The same echo passed on a new connection with MSS %d."),
                    ev->echo.mss_retry_mss);
    else
        verdict_say(out, _("It stalled again on a new connection with MSS %d."),
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

/* chatd answered the hello, then refused a later connection (the echo's,
 * or one of the path MTU search's) and said why: its per-address limits
 * count every connection netprobe opens. */
static bool echo_refused(const struct evidence *ev)
{
    return app_is(ev, APP_CHATD) && ev->echo.chatd_said[0] != '\0';
}

static void explain_echo_refused(const struct evidence *ev, struct verdict_evidence *out)
{
    const struct ev_echo *e = &ev->echo;
    const struct ev_echo_size *stalled = echo_find(ev, ECHO_STALLED);
    say_hello_ok(ev, out);
    if (e->size_count == 0)
        verdict_say(out, _("The next connection, for the echo check, got \"%s\" instead of a "
                           "hello reply."),
                    e->chatd_said);
    else if (stalled != NULL && e->mtu_search_run)
        verdict_say(out,
                    _("An echo of %zu bytes stalled; then a connection of the path MTU search "
                      "got \"%s\", so the search did not finish."),
                    stalled->size, e->chatd_said);
    else
        verdict_say(out, _("The echo connection got \"%s\" before its echo."), e->chatd_said);
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
        verdict_say(out, _("It stalled again on a new connection with MSS %d."),
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
    /* An echo connection that could not be opened is no proof that all
     * works: without a rule that explains it, netprobe has no verdict. */
    if (!app_is(ev, APP_CHATD) || ev->stages[STAGE_ECHO].status == STATUS_FAIL)
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
    {VERDICT_LOCAL_FIREWALL, local_firewall, explain_local_firewall},
    {VERDICT_REFUSED, refused, explain_refused},
    {VERDICT_REJECTED, rejected, explain_rejected},
    {VERDICT_FILTERED_DROP, dropped, explain_dropped},
    {VERDICT_NO_ROUTE, no_route, explain_no_route},
    {VERDICT_CHATD_ERROR, chatd_error, explain_chatd_error},
    {VERDICT_WRONG_SERVICE, wrong_service, explain_wrong_service},
    {VERDICT_SERVER_CLOSED, server_closed, explain_server_closed},
    {VERDICT_CONNECTED_SILENT, silent, explain_silent},
    {VERDICT_DATA_CORRUPTION, corrupted, explain_corrupted},
    {VERDICT_MTU_BLACKHOLE, mtu_blackhole, explain_mtu},
    {VERDICT_CHATD_ERROR, echo_refused, explain_echo_refused},
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
                ev->local.nat_address[0] ? ev->local.nat_address : ev->local.source_address,
                ev->local.gateway);
    int ttl = relay_unrouted_ttl(ev);
    if (ttl > 0)
        verdict_say(out,
                    _("Packets from the target (%s) arrived with TTL %d, which no router "
                      "lowered: VirtualBox's NAT relays the connection itself, so the TTLs, ACKs, "
                      "ping replies and trace hops seen here are its own, not the server's or the "
                      "path's."),
                    relay_unrouted_what(ev), ttl);
    else if (ev->trace.relay_answered)
        verdict_say(out, "%s",
                    _("--trace got the target's answer at hop 1: VirtualBox's NAT relays the "
                      "connection itself, so the TTLs, ACKs, ping replies and trace hops seen "
                      "here are its own, not the server's or the path's."));
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
    for (size_t i = 0; i < attempt_count(ev); i++)
        if (families_attempt_left(&ev->tcp.attempts[i]))
            return true;
    return false;
}

/* Pings unanswered only count when they could have been answered: requests
 * went out, no ICMP error came back instead, and TCP shows the way out
 * works (a missing route fails both without blocking anything). */
static bool icmp_blocked(const struct evidence *ev)
{
    return ev->icmp.sent > ev->icmp.not_sent && ev->icmp.received == 0 && !ev->icmp.error.seen &&
           tcp_left_this_machine(ev);
}

static void explain_icmp_blocked(const struct evidence *ev, struct verdict_evidence *out)
{
    verdict_say(out, _("%d ICMP echo request(s) got no reply."), ev->icmp.sent);
    if (chosen(ev) != NULL)
        verdict_say(out, _("TCP port %d answered all the same."), ev->port);
    /* VirtualBox relays pings with sockets of its own on the host: where
     * the host does not let it, the silence is the host's, not EC2's. */
    if (relay_judge(ev) != RELAY_NOT_SEEN)
        verdict_say(out, "%s",
                    _("Behind VirtualBox's NAT, VirtualBox sends the pings from the host: a host "
                      "that does not let it ping gives the same silence."));
}

/* One family connected while SYNs of the other left this machine and
 * none of its addresses answered.  An attempt that never left (no IPv6
 * route here) tests nothing about the server: the family lines say so. */
static bool family_broken(const struct evidence *ev, enum family_index works,
                          enum family_index broken)
{
    struct family_result fam[FAMILY_COUNT];
    families_summarise(ev, fam);
    return fam[works].outcome == FAMILY_CONNECTED && fam[broken].outcome == FAMILY_FAILED;
}

static bool ipv6_broken(const struct evidence *ev)
{
    return family_broken(ev, FAMILY_IPV4, FAMILY_IPV6);
}

static bool ipv4_broken(const struct evidence *ev)
{
    return family_broken(ev, FAMILY_IPV6, FAMILY_IPV4);
}

/* One sentence per attempt of the broken family that left this machine,
 * then the address of the family that answered. */
static void explain_family_broken(const struct evidence *ev, enum family_index works,
                                  enum family_index broken, struct verdict_evidence *out)
{
    struct family_result fam[FAMILY_COUNT];
    families_summarise(ev, fam);
    for (size_t i = 0; i < attempt_count(ev); i++) {
        const struct ev_tcp_attempt *a = &ev->tcp.attempts[i];
        if (families_of(a->target.family) != broken || !families_attempt_left(a))
            continue;
        /* TRANSLATORS: FAMILY ADDRESS port N: state (reason) after N SYN(s). */
        verdict_say(out, _("%s %s port %d: %s (%s) after %d SYN(s)."), family_label(broken),
                    a->target.address, ev->port, tcp_state_name(a->state), a->reason, a->syns_sent);
        if (a->icmp.seen)
            verdict_say(out, _("ICMP type %d code %d (%s) came from %s."), a->icmp.type,
                        a->icmp.code, a->icmp.name, a->icmp.from);
    }
    if (fam[works].attempt >= 0)
        verdict_say(out, _("%s %s port %d completed the handshake."), family_label(works),
                    ev->tcp.attempts[fam[works].attempt].target.address, ev->port);
}

static void explain_ipv6_broken(const struct evidence *ev, struct verdict_evidence *out)
{
    explain_family_broken(ev, FAMILY_IPV4, FAMILY_IPV6, out);
}

static void explain_ipv4_broken(const struct evidence *ev, struct verdict_evidence *out)
{
    explain_family_broken(ev, FAMILY_IPV6, FAMILY_IPV4, out);
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

/* Some pings unanswered counts only when the replies are the target's:
 * behind VirtualBox's NAT they are the relay's (relay.h), which pings the
 * server with sockets of its own and whose losses are not the VM's. */
static bool ping_loss(const struct evidence *ev)
{
    return ev->icmp.received > 0 && ev->icmp.received < ev->icmp.sent &&
           relay_judge(ev) != RELAY_MEASURED;
}

/* Some but not all pings answered, or the handshake needed a second SYN. */
static bool packet_loss(const struct evidence *ev)
{
    const struct ev_tcp_attempt *a = chosen(ev);
    return ping_loss(ev) || (a != NULL && a->syns_sent > 1);
}

static void explain_packet_loss(const struct evidence *ev, struct verdict_evidence *out)
{
    const struct ev_tcp_attempt *a = chosen(ev);
    if (ping_loss(ev))
        verdict_say(out, _("%d of %d ICMP echo requests got a reply."), ev->icmp.received,
                    ev->icmp.sent);
    if (a != NULL && a->syns_sent > 1)
        verdict_say(out, _("The TCP handshake needed %d SYNs."), a->syns_sent);
}

/* Behind a relay every reset the VM sees is the relay's own: its TTL
 * cannot show a box on the way (capture_finish() compares nothing then;
 * this keeps the rule true for any capture evidence). */
static bool forged_reset(const struct evidence *ev)
{
    return ev->capture.run && ev->capture.forged_reset && relay_judge(ev) != RELAY_MEASURED;
}

static void explain_forged_reset(const struct evidence *ev, struct verdict_evidence *out)
{
    verdict_say(
        out, "%s",
        ev->capture.forged_detail[0]
            ? ev->capture.forged_detail
            : _("The capture saw a reset whose TTL does not fit the server's other packets."));
}

/* True when text lies in the network addr/len (both IPv4 or both IPv6). */
static bool in_network(const char *text, const char *addr, int len)
{
    unsigned char x[16], y[16];
    size_t bytes = 4;
    if (inet_pton(AF_INET, text, x) != 1 || inet_pton(AF_INET, addr, y) != 1) {
        if (inet_pton(AF_INET6, text, x) != 1 || inet_pton(AF_INET6, addr, y) != 1)
            return false;
        bytes = 16;
    }
    if (len < 0 || (size_t)len > bytes * 8)
        return false;
    size_t whole = (size_t)len / 8;
    unsigned char mask = (unsigned char)(0xff << (8 - len % 8));
    return memcmp(x, y, whole) == 0 && (len % 8 == 0 || ((x[whole] ^ y[whole]) & mask) == 0);
}

static bool class_is_private(enum addr_class c)
{
    return c == ADDR_PRIVATE || c == ADDR_CGNAT || c == ADDR_LINK_LOCAL;
}

/* The address the handshakes went to (the first attempt), or NULL. */
static const char *target_address(const struct evidence *ev)
{
    return attempt_count(ev) > 0 ? ev->tcp.attempts[0].target.address : NULL;
}

/* A private target (RFC 1918, 100.64/10, link-local) that no handshake
 * reached, on no network of this machine, dialled from a private source
 * address (behind NAT).  A source on the target's own /16 is left out:
 * a VPC or a campus routes its private subnets to each other. */
static bool private_target(const struct evidence *ev)
{
    const char *t = target_address(ev);
    if (t == NULL || any_open(ev) || !class_is_private(addrclass_of(t)) ||
        !class_is_private(ev->local.source_class) || in_network(t, ev->local.source_address, 16))
        return false;
    return !relay_target_on_link(ev, t);
}

static void explain_private_target(const struct evidence *ev, struct verdict_evidence *out)
{
    const char *t = target_address(ev);
    verdict_say(out,
                _("%s is a private address (%s); from outside AWS dial the instance's Public IPv4 "
                  "address or public DNS name."),
                t, addr_class_name(addrclass_of(t)));
    verdict_say(out,
                _("It is on no network of this machine, whose own address is %s (%s): no "
                  "handshake reached it from here."),
                ev->local.source_address, addr_class_name(ev->local.source_class));
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
    {FINDING_IPV4_BROKEN, ipv4_broken, explain_ipv4_broken},
    {FINDING_PRIVATE_TARGET, private_target, explain_private_target},
};

/* ---- What the evidence says about the causes ----------------------------- */

/* chatd spoke on this connection: its hello reply, a greeting or an ERR. */
static bool chatd_spoke(const struct evidence *ev)
{
    return app_is(ev, APP_CHATD) || ev->app.chatd_greeted || chatd_error(ev);
}
/* chatd's words: on the hello's connection, else on a later one. */
static const char *chatd_words(const struct evidence *ev)
{
    return ev->app.chatd_said[0] != '\0' ? ev->app.chatd_said : ev->echo.chatd_said;
}
static bool said(const struct evidence *ev, const char *prefix)
{
    return strncmp(chatd_words(ev), prefix, strlen(prefix)) == 0;
}
static bool not_said_full(const struct evidence *ev)
{
    return !said(ev, "ERR server_full");
}
static bool not_said_shutdown(const struct evidence *ev)
{
    return !said(ev, "NOTICE shutdown");
}
static bool said_full_or_shutdown(const struct evidence *ev)
{
    return !not_said_full(ev) || !not_said_shutdown(ev);
}
static bool not_private_target(const struct evidence *ev)
{
    return !private_target(ev);
}

/* The reset the verdict rests on (the handshake's, or the app stage's)
 * did not come from the server: the capture's TTLs say so.  Not when a
 * relay may stand between (relay.h, even only suspected): then every TTL
 * the VM sees may be the relay's, and the comparison proves nothing. */
static bool verdict_reset_forged(const struct evidence *ev)
{
    return forged_reset(ev) && relay_judge(ev) == RELAY_NOT_SEEN &&
           (refused(ev) || app_is(ev, APP_RESET));
}

/* Kinds of cause the evidence rules out, each with the observation that
 * does.  The property test (tests/unit/netprobe_verdict_causes.c) checks
 * the words shown against the evidence over every verdict. */
static const struct {
    enum cause_kind kind;
    bool (*holds)(const struct evidence *ev);
} ruled_out_rules[] = {
    {CAUSE_NOT_CHATD, chatd_spoke},
    {CAUSE_PRIVATE_TARGET, not_private_target},
    {CAUSE_CHATD_FULL, not_said_full},
    {CAUSE_CHATD_SHUTDOWN, not_said_shutdown},
    {CAUSE_CHATD_OTHER, said_full_or_shutdown},
    /* A reset whose TTL does not fit the server's came from the way. */
    {CAUSE_SERVER_PROGRAM, verdict_reset_forged},
    {CAUSE_SERVER_HOST, verdict_reset_forged},
};

/* The kind of cause to show first: the first row that holds.  --trace
 * adds its own (corroborate.c) when none of these does. */
static const struct {
    enum cause_kind kind;
    bool (*holds)(const struct evidence *ev);
} lead_rules[] = {
    {CAUSE_PRIVATE_TARGET, private_target},
    {CAUSE_PATH, verdict_reset_forged},
};

static const char *const qualifiers[QUALIFIER_COUNT] = {
    [QUALIFIER_FORGED_RESET] = N_("The capture shows that this reset did not come from the server: "
                                  "something on the way forged it."),
    [QUALIFIER_GREETED_OTHER] =
        N_("It greeted as chatd does (NOTICE welcome), so it may be a chatd "
           "of another release: compare netprobe --version and chatd "
           "--version."),
    [QUALIFIER_CAPTURE_NOT_CONFIRMED] =
        N_("The packets captured do not confirm this (see what the capture saw)."),
};

const char *verdict_qualifier_text(enum verdict_qualifier_id id)
{
    return id >= 0 && id < QUALIFIER_COUNT ? qualifiers[id] : NULL;
}

const char *verdict_qualifier_find(const char *text)
{
    for (size_t i = 0; text != NULL && i < QUALIFIER_COUNT; i++)
        if (strcmp(text, qualifiers[i]) == 0)
            return qualifiers[i];
    return NULL;
}

static const char *const cause_kind_names[CAUSE_KIND_COUNT] = {
    [CAUSE_ANY] = "any",
    [CAUSE_CLOUD_EDGE] = "cloud_edge",
    [CAUSE_PATH] = "path",
    [CAUSE_SERVER_HOST] = "server_host",
    [CAUSE_SERVER_PROGRAM] = "server_program",
    [CAUSE_NOT_CHATD] = "not_chatd",
    [CAUSE_THIS_MACHINE] = "this_machine",
    [CAUSE_PRIVATE_TARGET] = "private_target",
    [CAUSE_CHATD_FULL] = "chatd_full",
    [CAUSE_CHATD_SHUTDOWN] = "chatd_shutdown",
    [CAUSE_CHATD_OTHER] = "chatd_other",
};

const char *cause_kind_name(enum cause_kind k)
{
    return k >= 0 && k < CAUSE_KIND_COUNT ? cause_kind_names[k] : NULL;
}

enum cause_kind cause_kind_by_name(const char *name)
{
    for (int k = 0; name != NULL && k < CAUSE_KIND_COUNT; k++)
        if (strcmp(name, cause_kind_names[k]) == 0)
            return (enum cause_kind)k;
    return CAUSE_KIND_COUNT;
}

/* The qualifier for verdicts whose usual reading the evidence contradicts. */
static const char *qualifier_for(const struct evidence *ev, enum verdict_code code)
{
    if (verdict_reset_forged(ev) && (code == VERDICT_REFUSED || code == VERDICT_SERVER_CLOSED))
        return qualifiers[QUALIFIER_FORGED_RESET];
    /* wrong_service's summary says "not chatd"; chatd's greeting says it is. */
    if (code == VERDICT_WRONG_SERVICE && ev->app.chatd_greeted)
        return qualifiers[QUALIFIER_GREETED_OTHER];
    return NULL;
}

static void judge_causes(const struct evidence *ev, struct verdict *out)
{
    for (size_t i = 0; i < sizeof ruled_out_rules / sizeof ruled_out_rules[0]; i++)
        if (ruled_out_rules[i].holds(ev))
            out->ruled_out |= 1u << ruled_out_rules[i].kind;
    for (size_t i = 0; i < sizeof lead_rules / sizeof lead_rules[0]; i++)
        if (lead_rules[i].holds(ev)) {
            out->lead = lead_rules[i].kind;
            break;
        }
    out->qualifier = qualifier_for(ev, out->code);
}

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

bool verdict_rules_out(const struct verdict *v, enum cause_kind k)
{
    return v != NULL && k > CAUSE_ANY && k < CAUSE_KIND_COUNT && (v->ruled_out & (1u << k)) != 0;
}

/* The families of the attempts behind a failed-handshake code (the others
 * are about the connection that worked, not about a family). */
static unsigned verdict_families(const struct evidence *ev, enum verdict_code code)
{
    unsigned bits = 0;
    if (code != VERDICT_REFUSED && code != VERDICT_REJECTED && code != VERDICT_FILTERED_DROP &&
        code != VERDICT_NO_ROUTE)
        return 0;
    for (size_t i = 0; i < attempt_count(ev); i++) {
        const struct ev_tcp_attempt *a = &ev->tcp.attempts[i];
        enum family_index f = families_of(a->target.family);
        if (f != FAMILY_COUNT && attempt_verdict(a) == code)
            bits |= FAMILY_BIT(f);
    }
    return bits;
}

/* A silent server that was measured reading leads with the cause that
 * fits it (struct verdict's cause_named); 0 for every other verdict. */
static unsigned silent_cause_named(const struct evidence *ev, enum verdict_code code)
{
    if (code == VERDICT_CONNECTED_SILENT && app_is(ev, APP_SILENT) &&
        ev->app.split == SILENCE_READS)
        return VERDICT_CAUSE_SILENT_READS + 1;
    return 0;
}

void verdict_decide(const struct evidence *ev, struct verdict *out)
{
    memset(out, 0, sizeof *out);
    out->code = VERDICT_NONE;
    out->lead = CAUSE_ANY;
    for (size_t i = 0; i < sizeof verdict_rules / sizeof verdict_rules[0]; i++) {
        if (verdict_rules[i].holds(ev)) {
            out->code = verdict_rules[i].code;
            verdict_rules[i].explain(ev, &out->evidence);
            out->families = verdict_families(ev, out->code);
            out->cause_named = silent_cause_named(ev, out->code);
            out->cause_mask = verdict_causes(out->code, ev);
            break;
        }
    }
    if (out->code == VERDICT_NO_ROUTE && only_ipv6_unroutable(ev))
        out->cause_named = VERDICT_CAUSE_NO_IPV6_ROUTE + 1;
    if (out->code == VERDICT_DNS_FAILURE && ev->dns.outcome == DNS_NO_FAMILY)
        out->cause_named = VERDICT_CAUSE_DNS_NO_FAMILY + 1;
    for (size_t i = 0; i < sizeof finding_rules / sizeof finding_rules[0]; i++) {
        if (!finding_rules[i].holds(ev))
            continue;
        out->findings[out->finding_count] = finding_rules[i].code;
        finding_rules[i].explain(ev, &out->finding_evidence[out->finding_count]);
        out->finding_count++;
    }
    out->behind_relay = relay_judge(ev) != RELAY_NOT_SEEN;
    judge_causes(ev, out);
}
