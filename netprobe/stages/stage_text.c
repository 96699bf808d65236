/*
 * stage_text.c - each stage's line, said from its evidence (stage_text.h).
 *
 * The sentences were written in the stage modules as they finished; they
 * moved here unchanged, each a whole sentence so it translates as a unit.
 * Everything a sentence needs is in struct evidence (and in the report).
 */
#include "netprobe/stages/stage_text.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "common/i18n.h"
#include "netprobe/stages/host_setup.h"

/* ---- Skips -------------------------------------------------------------- */

static const struct {
    const char *text; /* N_() */
    bool by_runner;
} SKIPS[SKIP_COUNT] = {
    [SKIP_NONE] = {"", false},
    [SKIP_NO_ICMP_OPTION] = {N_("--no-icmp was given"), true},
    [SKIP_DNS_FAILED] = {N_("the name did not resolve"), true},
    [SKIP_NO_PING_ADDRESS] = {N_("there is no address to ping"), true},
    [SKIP_NO_TCP_ADDRESS] = {N_("there is no address to connect to"), true},
    [SKIP_NOT_CONNECTED] = {N_("no TCP connection was established"), true},
    [SKIP_NOT_CHATD] = {N_("the server did not answer the netprobe hello"), true},
    [SKIP_NO_SIZES] = {N_("no echo sizes were asked for"), true},
    [SKIP_ICMP_OPTION] = {N_("--no-icmp was given"), false},
    [SKIP_ICMP_NO_TARGET] = {N_("no address to ping"), false},
    [SKIP_ICMP_CANNOT] = {N_("cannot ping: needs root or your group in "
                             "net.ipv4.ping_group_range (%s)"),
                          false},
    [SKIP_TCP_NO_TARGET] = {N_("no address to connect to"), false},
    [SKIP_APP_NO_CONN] = {N_("no open TCP connection to talk to"), false},
    [SKIP_ECHO_NO_CHATD] = {N_("no chatd answered the hello"), false},
};

const char *stage_skip_text(enum stage_skip s)
{
    return (unsigned)s < SKIP_COUNT && s != SKIP_NONE ? _(SKIPS[s].text) : "";
}

bool stage_skip_by_runner(enum stage_skip s)
{
    return (unsigned)s < SKIP_COUNT && SKIPS[s].by_runner;
}

static void skip_text(const struct stage_result *r, struct stage_result *out)
{
    if (r->skip == SKIP_ICMP_CANNOT)
        snprintf(out->skip_reason, sizeof out->skip_reason, stage_skip_text(r->skip),
                 strerror(r->err));
    else
        snprintf(out->skip_reason, sizeof out->skip_reason, "%s", stage_skip_text(r->skip));
    if (stage_skip_by_runner(r->skip))
        snprintf(out->summary, sizeof out->summary, _("skipped: %s"), out->skip_reason);
    else
        memcpy(out->summary, out->skip_reason, sizeof out->summary);
}

/* ---- local ------------------------------------------------------------------ */

static const char *iface_of(const struct ev_local *l, const char *address)
{
    for (size_t i = 0; i < l->iface_count && i < EV_IFACES_MAX; i++)
        if (strcmp(l->ifaces[i].address, address) == 0)
            return l->ifaces[i].name[0] != '\0' ? l->ifaces[i].name : "?"; /* as the report */
    return "?";
}

static void local_text(const struct evidence *ev, const struct stage_result *r, char *out,
                       size_t cap)
{
    const struct ev_local *l = &ev->local;
    if (r->status == STATUS_FAIL) {
        snprintf(out, cap, _("cannot list interfaces: %s"), strerror(r->err));
        return;
    }
    /* TRANSLATORS: a note appended to the local stage's summary. */
    const char *vbox = l->virtualbox_nat  ? _("; VirtualBox NAT")
                       : l->virtualbox_vm ? _("; VirtualBox VM")
                                          : "";
    if (r->err != 0) {
        snprintf(out, cap, _("no route from here to %s: %s%s"), l->target.address, strerror(r->err),
                 vbox);
        return;
    }
    if (l->source_address[0] != '\0') {
        char route[ADDR_TEXT_MAX + 64];
        host_setup_route_text(l, route, sizeof route);
        /* TRANSLATORS: source ADDRESS (address class code) on INTERFACE,
           MTU, the route to the target, and an optional note. */
        snprintf(out, cap, _("source %s (%s) on %s, MTU %d, %s%s"), l->source_address,
                 addr_class_name(l->source_class), iface_of(l, l->source_address), l->source_mtu,
                 route, vbox);
        return;
    }
    /* The gateway of the target's family: an IPv6 source next to the IPv4
     * gateway would mix two paths. */
    bool v6 = l->target.family == AF_INET6;
    const char *gw = v6 ? l->ipv6_gateway : l->gateway;
    /* TRANSLATORS: shown as the gateway when there is no default gateway;
       "on-link": a default route without a next hop. */
    const char *gateway = gw[0] ? gw : v6 && l->ipv6_default_route ? _("on-link") : _("none");
    snprintf(
        out, cap,
        l->has_default_route
            ? ngettext("%zu address, gateway %s%s", "%zu addresses, gateway %s%s", l->iface_count)
            : ngettext("%zu address, gateway %s, no default route%s",
                       "%zu addresses, gateway %s, no default route%s", l->iface_count),
        l->iface_count, gateway, vbox);
}

/* ---- dns -------------------------------------------------------------------- */

void stage_text_addresses(const struct ev_dns *d, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < d->addr_count && i < EV_ADDRS_MAX && used < cap; i++) {
        int n = snprintf(out + used, cap - used, "%s%s", i ? ", " : "", d->addrs[i].address);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

void stage_text_dns_detail(const struct evidence *ev, char *out, size_t cap)
{
    const struct ev_dns *d = &ev->dns;
    bool six = d->detail_num == 6;
    switch (d->detail_kind) {
    case DNS_DETAIL_RESOLVER:
        snprintf(out, cap, "%s", d->detail_arg);
        break;
    case DNS_DETAIL_TIMEOUT:
        snprintf(out, cap, _("no answer within %.0f ms"), (double)d->detail_num);
        break;
    case DNS_DETAIL_NO_FAMILY:
        snprintf(out, cap,
                 six ? _("no IPv6 address (AAAA record), which -6 asks for; the name has IPv4 "
                         "addresses: %s")
                     : _("no IPv4 address (A record), which -4 asks for; the name has IPv6 "
                         "addresses: %s"),
                 d->detail_arg);
        break;
    case DNS_DETAIL_FAMILY_LITERAL:
        snprintf(out, cap, "%s",
                 six ? _("-6 was given but HOST is an IPv4 address")
                     : _("-4 was given but HOST is an IPv6 address"));
        break;
    case DNS_DETAIL_NO_RESOURCES:
        snprintf(out, cap, "%s", _("cannot start the lookup: out of resources"));
        break;
    default:
        if (out != d->detail)
            snprintf(out, cap, "%s", d->detail);
    }
}

static void dns_text(const struct evidence *ev, const struct stage_result *r, char *out, size_t cap)
{
    const struct ev_dns *d = &ev->dns;
    char list[160];
    (void)r;
    stage_text_addresses(d, list, sizeof list);
    if (d->outcome == DNS_LITERAL)
        snprintf(out, cap, _("%s is an address: nothing to resolve"), ev->host);
    else if (d->outcome == DNS_OK && d->addr_count > 0)
        snprintf(out, cap,
                 ngettext("%s -> %zu address: %s", "%s -> %zu addresses: %s", d->addr_count),
                 ev->host, d->addr_count, list);
    else
        snprintf(out, cap, "%s: %s (%s)", ev->host, dns_outcome_name(d->outcome),
                 d->detail[0] ? d->detail : _("no addresses"));
}

/* ---- icmp ------------------------------------------------------------------- */

static void icmp_text(const struct evidence *ev, const struct stage_result *r, char *out,
                      size_t cap)
{
    const struct ev_icmp *ic = &ev->icmp;
    char err[128] = "";
    (void)r;
    if (ic->error.seen)
        /* TRANSLATORS: a note: the ICMP error code name, then the sender. */
        snprintf(err, sizeof err, _("; ICMP %s from %s"), ic->error.name, ic->error.from);
    if (ic->sent > 0 && ic->not_sent == ic->sent)
        /* TRANSLATORS: the reason is strerror(), e.g. "Network is unreachable". */
        snprintf(out, cap, _("no echo request left this machine: %s (%s socket)"),
                 strerror(ic->send_errno), ic->method);
    else if (ic->received == 0)
        /* TRANSLATORS: %s socket is "raw" or "dgram"; then an optional note. */
        snprintf(out, cap,
                 _("no echo replies to %d requests (%s socket)%s: ICMP may be blocked; not "
                   "fatal"),
                 ic->sent, ic->method, err);
    else
        snprintf(out, cap, _("%d/%d replies, rtt min/avg/max %.2f/%.2f/%.2f ms (%s socket)%s"),
                 ic->received, ic->sent, ic->rtt_min_ms, ic->rtt_avg_ms, ic->rtt_max_ms, ic->method,
                 err);
}

/* ---- tcp -------------------------------------------------------------------- */

/* "127.0.0.1 closed/reset; ::1 open/syn-ack" into out. */
static void describe(const struct ev_tcp *t, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < t->attempt_count && i < EV_ADDRS_MAX && used < cap; i++) {
        const struct ev_tcp_attempt *a = &t->attempts[i];
        int n = snprintf(out + used, cap - used, "%s%s %s/%s", i ? "; " : "", a->target.address,
                         tcp_state_name(a->state), a->reason);
        if (n > 0 && a->state == TCP_STATE_FILTERED && a->syns_sent > 0 && (size_t)n < cap - used)
            n += snprintf(out + used + n, cap - used - (size_t)n,
                          /* TRANSLATORS: appended to "ADDRESS filtered/no-response". */
                          ngettext(" after %d SYN", " after %d SYNs", a->syns_sent), a->syns_sent);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

static void tcp_text(const struct evidence *ev, const struct stage_result *r, char *out, size_t cap)
{
    char what[EV_TEXT_MAX - 48];
    (void)r;
    describe(&ev->tcp, what, sizeof what);
    /* TRANSLATORS: %s lists "ADDRESS state/reason" codes; keep them. */
    snprintf(out, cap, _("port %d: %s (deadline %.0f ms)"), ev->port, what, ev->tcp.deadline_ms);
}

/* ---- app -------------------------------------------------------------------- */

/* When the server closed or reset before answering: one whole sentence
 * for each case, so each translates as a unit. */
static void app_end_text(const struct ev_app *app, char *out, size_t cap)
{
    bool reset = app->outcome == APP_RESET;
    /* chatd's reason says more than its greeting. */
    const char *said = app->chatd_said[0] != '\0' ? app->chatd_said : app->banner;
    if (said[0] != '\0')
        snprintf(out, cap,
                 reset ? _("the server reset the connection before answering: %.120s")
                       : _("the server closed the connection before answering: %.120s"),
                 said);
    else
        snprintf(out, cap, "%s",
                 reset ? _("the server reset the connection before answering")
                       : _("the server closed the connection before answering"));
}

/* The note on how the filler went, one whole clause per split. */
static void split_note(const struct ev_app *app, char *out, size_t cap)
{
    switch (app->split) {
    case SILENCE_NOT_READING:
        snprintf(out, cap,
                 _("; the server's window closed after %zu bytes: the program is not "
                   "reading"),
                 app->fill_acked);
        break;
    case SILENCE_READS:
        snprintf(out, cap,
                 _("; %zu bytes ACKed with the window open: the program reads and does "
                   "not answer"),
                 app->fill_acked);
        break;
    case SILENCE_INCONCLUSIVE:
        snprintf(out, cap, _("; %zu of %zu bytes ACKed, window %ld: no split within the deadline"),
                 app->fill_acked, app->fill_sent, app->peer_window);
        break;
    case SILENCE_RELAY:
        snprintf(out, cap, "%s", _("; the ACKs are VirtualBox NAT's, not the server's"));
        break;
    default:
        out[0] = '\0';
    }
}

static void app_silent_text(const struct evidence *ev, char *out, size_t cap)
{
    const struct ev_app *app = &ev->app;
    char note[160];
    split_note(app, note, sizeof note);
    snprintf(out, cap,
             !app->bytes_acked_known || app->split == SILENCE_RELAY
                 ? _("connected, no answer within %.0f ms%s")
             : app->bytes_acked ? _("connected, no answer within %.0f ms (our hello ACKed)%s")
                                : _("connected, no answer within %.0f ms (our hello not ACKed)%s"),
             ev->timeout_ms, note);
}

static void app_text(const struct evidence *ev, const struct stage_result *r, char *out, size_t cap)
{
    const struct ev_app *app = &ev->app;
    const struct hello_info *h = &app->hello;
    int c = ev->tcp.chosen;
    if (r->err != 0) { /* the second connection did not open */
        snprintf(out, cap, _("cannot connect again to %s port %d: %s"),
                 c >= 0 && (size_t)c < ev->tcp.attempt_count ? ev->tcp.attempts[c].target.address
                                                             : "?",
                 ev->port, strerror(r->err));
        return;
    }
    switch (app->outcome) {
    case APP_CHATD:
        /* TRANSLATORS: SERVER VERSION on HOSTNAME (MODE mode) sees us as
           ADDRESS port N, then optional NAT notes.  The mode is a code. */
        snprintf(out, cap, _("%.31s %.31s on %.64s (%.7s mode) sees us as %s port %d%s%s"),
                 h->server, h->version, h->hostname, h->mode, h->peer.address, h->peer.port,
                 app->client_nat ? _("; client NAT") : "",
                 app->server_nat ? _("; server behind NAT") : "");
        break;
    case APP_OTHER:
        snprintf(out, cap, _("another service answered: \"%.120s\""), app->banner);
        break;
    case APP_SILENT:
        app_silent_text(ev, out, cap);
        break;
    default:
        app_end_text(app, out, cap);
    }
}

/* ---- echo ------------------------------------------------------------------- */

static void echo_passed_text(const struct ev_echo *e, char *out, size_t cap)
{
    double worst = 0;
    size_t n = e->size_count < EV_SIZES_MAX ? e->size_count : EV_SIZES_MAX;
    for (size_t i = 0; i < n; i++)
        worst = e->sizes[i].rtt_ms > worst ? e->sizes[i].rtt_ms : worst;
    snprintf(out, cap,
             ngettext("%zu size echoed byte for byte, largest %zu bytes, slowest %.1f "
                      "ms%s",
                      "%zu sizes echoed byte for byte, largest %zu bytes, slowest %.1f "
                      "ms%s",
                      n),
             n, n ? e->sizes[n - 1].size : 0, worst,
             n < e->sizes_asked ? _("; larger sizes skipped (server echo_max)") : "");
}

static void echo_failed_text(const struct ev_echo *e, const struct ev_echo_size *s, char *out,
                             size_t cap)
{
    char retry[160] = "";
    if (e->mtu_search_run && e->mtu_pass > 0)
        snprintf(retry, sizeof retry,
                 ngettext("; path MTU searched in %d probe: %d bytes pass, %d stall",
                          "; path MTU searched in %d probes: %d bytes pass, %d stall",
                          (unsigned long)e->mtu_probes),
                 e->mtu_probes, e->mtu_pass, e->mtu_fail);
    else if (e->mtu_search_run)
        /* TRANSLATORS: a note; %s is an outcome code (stalled, closed...). */
        snprintf(retry, sizeof retry, _("; path MTU search: %s with MSS %d (%d probes)"),
                 echo_outcome_name(e->mss_retry_outcome), e->mss_retry_mss, e->mtu_probes);
    char said[EV_TEXT_MAX + 32] = "";
    if (e->chatd_said[0] != '\0')
        /* TRANSLATORS: a note; %s is chatd's line, e.g. ERR too_many_connections ... */
        snprintf(said, sizeof said, _("; chatd said \"%s\""), e->chatd_said);
    /* TRANSLATORS: SIZE bytes: OUTCOME (a code) after N bytes back, and
       optional notes. */
    snprintf(out, cap, _("%zu bytes: %s after %zu bytes back%s%s"), s->size,
             echo_outcome_name(s->outcome), s->bytes_back, retry, said);
}

static void echo_text(const struct evidence *ev, const struct stage_result *r, char *out,
                      size_t cap)
{
    const struct ev_echo *e = &ev->echo;
    size_t n = e->size_count < EV_SIZES_MAX ? e->size_count : EV_SIZES_MAX;
    /* The sizes run in order and stop at the first that fails. */
    const struct ev_echo_size *last = n > 0 ? &e->sizes[n - 1] : NULL;
    if (r->status == STATUS_FAIL && last == NULL && e->chatd_said[0] != '\0')
        snprintf(out, cap, _("cannot open the echo connection: chatd said \"%s\""),
                 e->chatd_said);
    else if (r->status == STATUS_FAIL && last == NULL)
        snprintf(out, cap, _("cannot open the echo connection: %s"),
                 r->err != 0 ? strerror(r->err) : _("no hello reply"));
    else if (last != NULL && last->outcome != ECHO_OK)
        echo_failed_text(e, last, out, cap);
    else
        echo_passed_text(e, out, cap);
}

/* ---- All stages ------------------------------------------------------------- */

typedef void (*text_fn)(const struct evidence *ev, const struct stage_result *r, char *out,
                        size_t cap);

static const text_fn TEXTS[STAGE_COUNT] = {
    [STAGE_LOCAL] = local_text, [STAGE_DNS] = dns_text, [STAGE_ICMP] = icmp_text,
    [STAGE_TCP] = tcp_text,     [STAGE_APP] = app_text, [STAGE_ECHO] = echo_text,
};

void stage_text_fill(const struct evidence *ev, enum stage_id id, struct stage_result *out)
{
    if ((unsigned)id >= STAGE_COUNT)
        return;
    const struct stage_result r = ev->stages[id]; /* out may be the same */
    out->skip_reason[0] = '\0';
    if (r.status == STATUS_SKIP)
        skip_text(&r, out);
    else if (r.status == STATUS_NOT_RUN)
        out->summary[0] = '\0';
    else
        TEXTS[id](ev, &r, out->summary, sizeof out->summary);
}
