/*
 * corroborate.c - what --trace and --capture add to a verdict
 * (corroborate.h): the trace says where silence starts and reorders the
 * causes of filtered_drop; the capture says whether the packets show what
 * the verdict says.
 */
#include "netprobe/corroborate.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#include "common/i18n.h"
#include "netprobe/addrclass.h"
#include "netprobe/relay.h"

/* ---- --trace: where silence starts orders the causes ------------------ */

enum silence_place {
    SILENCE_UNKNOWN, /* no trace, the target answered, or nothing answered */
    SILENCE_AT_EDGE, /* right before the server: security group, network ACL */
    SILENCE_OWN_NET, /* inside this machine's own network (a private hop) */
    SILENCE_ON_WAY,  /* at a router on the internet, not the server's network */
};

/* True when a and b share the network a cloud edge router sits on: the
 * same IPv4 /24 or IPv6 /64.  Text that is not an address never matches. */
static bool same_network(const char *a, const char *b)
{
    unsigned char x[16], y[16];
    if (inet_pton(AF_INET, a, x) == 1 && inet_pton(AF_INET, b, y) == 1)
        return memcmp(x, y, 3) == 0;
    if (inet_pton(AF_INET6, a, x) == 1 && inet_pton(AF_INET6, b, y) == 1)
        return memcmp(x, y, 8) == 0;
    return false;
}

/* The target's hop number: from its echo reply's TTL (the icmp stage), else
 * from a TTL --capture saw it send (ev_trace's guess), else 0. */
static int target_hops(const struct evidence *ev)
{
    /* Behind a relay every TTL "from the target" is the relay's own. */
    if (relay_judge(ev) == RELAY_MEASURED)
        return 0;
    int hops = verdict_hops_from_ttl(ev->icmp.reply_ttl);
    return hops > 0 ? hops : ev->trace.target_hops_guess;
}

static bool hop_is_private(const char *a)
{
    enum addr_class c = addrclass_of(a);
    return c == ADDR_PRIVATE || c == ADDR_CGNAT || c == ADDR_LINK_LOCAL;
}

/* The predicates of silence_rules[]; t->last_answer_hop > 0 is given. */
static bool ttl_at_edge(const struct evidence *ev)
{
    int hops = target_hops(ev);
    return hops > 0 && ev->trace.last_answer_hop >= hops - 1;
}
static bool ttl_own_net(const struct evidence *ev)
{
    return target_hops(ev) > 0 && hop_is_private(ev->trace.last_answer_from) &&
           addrclass_of(ev->trace.target) != ADDR_PRIVATE;
}
static bool ttl_known(const struct evidence *ev)
{
    return target_hops(ev) > 0;
}
static bool addr_same_net(const struct evidence *ev)
{
    return same_network(ev->trace.last_answer_from, ev->trace.target);
}
static bool addr_both_private(const struct evidence *ev)
{
    return hop_is_private(ev->trace.last_answer_from) &&
           addrclass_of(ev->trace.target) == ADDR_PRIVATE;
}
static bool addr_private_hop(const struct evidence *ev)
{
    return hop_is_private(ev->trace.last_answer_from);
}
static bool always(const struct evidence *ev)
{
    (void)ev;
    return true;
}

/* Where silence starts: the first row that holds.  The target's distance
 * (a TTL it sent) decides when known: the last answering hop right before
 * the target is the cloud edge.  Without it, the address guess: a hop on
 * the target's /24 (/64) is the edge, which fits the lab and small clouds
 * but not every EC2 path. */
static const struct silence_rule {
    bool (*holds)(const struct evidence *ev);
    enum silence_place place;
    bool by_ttl; /* the rule used the target's distance */
} silence_rules[] = {
    {ttl_at_edge, SILENCE_AT_EDGE, true},
    {ttl_own_net, SILENCE_OWN_NET, true},
    {ttl_known, SILENCE_ON_WAY, true},
    {addr_same_net, SILENCE_AT_EDGE, false},
    {addr_both_private, SILENCE_UNKNOWN, false},
    {addr_private_hop, SILENCE_OWN_NET, false},
    {always, SILENCE_ON_WAY, false},
};

static const struct silence_rule *silence_rule(const struct evidence *ev)
{
    const struct ev_trace *t = &ev->trace;
    if (!t->run || t->reached || t->last_answer_hop <= 0)
        return NULL;
    for (size_t i = 0; i < sizeof silence_rules / sizeof silence_rules[0]; i++)
        if (silence_rules[i].holds(ev))
            return &silence_rules[i];
    return NULL;
}

/* N_(): translated where they are said. */
static const char *const silence_words[] = {
    [SILENCE_AT_EDGE] = N_("just before the server's network: the packets die at the cloud edge "
                           "or on the server, so the security group comes first"),
    [SILENCE_OWN_NET] = N_("inside your own network (a private address): a firewall there, such "
                           "as the campus or home router, comes first"),
    [SILENCE_ON_WAY] = N_("on the way, not on the server's network: a firewall on the way "
                          "(campus, home router, ISP) comes first"),
};

/* Says which rule placed the silence: the target's distance, or the
 * address guess when no TTL from the target was known. */
static void say_silence_basis(const struct evidence *ev, bool by_ttl, struct verdict_evidence *out)
{
    int from_echo = verdict_hops_from_ttl(ev->icmp.reply_ttl);
    if (!by_ttl)
        verdict_say(
            out, "%s",
            _("--trace: no TTL from the server gave its distance, so where silence starts was "
              "guessed from the addresses (a hop on the server's /24 is its cloud edge)."));
    else if (from_echo > 0 && ev->trace.last_answer_hop >= from_echo - 1)
        verdict_say(
            out,
            _("--trace: the server is hop %d (its echo reply arrived with TTL %d), so hop %d is "
              "the one right before it."),
            from_echo, ev->icmp.reply_ttl, ev->trace.last_answer_hop);
    else if (from_echo > 0)
        verdict_say(
            out,
            _("--trace: the server is hop %d (its echo reply arrived with TTL %d), so hop %d is "
              "earlier on the way."),
            from_echo, ev->icmp.reply_ttl, ev->trace.last_answer_hop);
    else
        verdict_say(out, _("--trace: the server is hop %d (from a TTL the capture saw it send)."),
                    ev->trace.target_hops_guess);
}

/* What --trace shows behind VirtualBox's NAT, for any verdict: the relay
 * answered for the target at hop 1, or nothing answered, not even hop 1,
 * where a router would.  True when it said so (the hops say nothing more). */
static bool trace_behind_relay(const struct evidence *ev, struct verdict *v)
{
    const struct ev_trace *t = &ev->trace;
    if (t->relay_answered) {
        verdict_say(&v->evidence,
                    _("--trace: the probe with TTL 1 got a handshake answer for %s, which is not "
                      "on this machine's link: VirtualBox's NAT answered for it, and no hop "
                      "behind it can be seen from here; run --trace on the host or a bridged VM."),
                    t->target);
        return true;
    }
    if (t->last_answer_hop > 0 || relay_judge(ev) == RELAY_NOT_SEEN)
        return false;
    verdict_say(&v->evidence, "%s",
                _("--trace: no hop answered, not even hop 1: VirtualBox's NAT does not carry this "
                  "VM's TTL onto its own connection, so no router can answer from here; run "
                  "--trace on the host or a bridged VM."));
    return true;
}

/* For filtered_drop only: says where the trace went silent and puts the
 * causes on the way (and their fix steps) first when silence starts
 * before the server. */
static void trace_orders_causes(const struct evidence *ev, struct verdict *v)
{
    const struct ev_trace *t = &ev->trace;
    if (!t->run || trace_behind_relay(ev, v) || v->code != VERDICT_FILTERED_DROP)
        return;
    const struct silence_rule *r = silence_rule(ev);
    enum silence_place p = r != NULL ? r->place : SILENCE_UNKNOWN;
    if (p == SILENCE_UNKNOWN) {
        if (t->reached)
            verdict_say(&v->evidence, _("--trace reached %s at hop %d."), t->target,
                        t->last_answer_hop);
        else
            verdict_say(
                &v->evidence, "%s",
                t->last_answer_hop > 0
                    ? _("--trace: the last hop that answered is on the server's own private "
                        "network; it cannot tell where the packets die.")
                    : _("--trace: no hop answered; it cannot tell where the packets die."));
        return;
    }
    verdict_say(&v->evidence, _("--trace: hop %d (%s) answered last, then silence: %s."),
                t->last_answer_hop, t->last_answer_from[0] ? t->last_answer_from : "?",
                _(silence_words[p]));
    say_silence_basis(ev, r->by_ttl, &v->evidence);
    /* A lead the evidence itself set (a private target) stays first. */
    if (p != SILENCE_AT_EDGE && v->lead == CAUSE_ANY)
        v->lead = CAUSE_PATH;
}

/* ---- --capture: do the packets show what the verdict says? ------------- */

/* The MSS this machine's interface MTU implies (IPv4 headers), 0 unknown. */
static int our_mss(const struct evidence *ev)
{
    return ev->local.source_mtu > 40 ? ev->local.source_mtu - 40 : 0;
}

static bool cap_dropped(const struct evidence *ev)
{
    const struct ev_capture *c = &ev->capture;
    return c->syn_retransmits > 0 && c->synacks == 0 && c->resets == 0 && c->icmp_errors == 0;
}
/* A reset confirms "refused" only when its TTL was compared with one the
 * server sent and fits: a middlebox can forge the reset for the SYN. */
static bool cap_reset(const struct evidence *ev)
{
    const struct ev_capture *c = &ev->capture;
    return c->resets > 0 && c->reset_compared && !c->forged_reset;
}
static bool cap_icmp(const struct evidence *ev)
{
    return ev->capture.icmp_errors > 0;
}
static bool cap_no_route(const struct evidence *ev)
{
    return ev->capture.syns_sent == 0 || ev->capture.icmp_errors > 0;
}
static bool cap_handshake(const struct evidence *ev)
{
    return ev->capture.synacks > 0;
}
static bool cap_mtu(const struct evidence *ev)
{
    const struct ev_capture *c = &ev->capture;
    int mine = our_mss(ev);
    return c->retransmits > 0 || (c->synack_mss > 0 && mine > 0 && c->synack_mss < mine);
}

/* Our own firewall stops the SYNs before the capture point. */
static bool cap_no_syn_left(const struct evidence *ev)
{
    return ev->capture.syns_sent == 0;
}

/* What a capture must show to confirm each verdict. */
static bool (*const capture_confirms[VERDICT_COUNT])(const struct evidence *ev) = {
    [VERDICT_OK] = cap_handshake,
    [VERDICT_NO_ROUTE] = cap_no_route,
    [VERDICT_FILTERED_DROP] = cap_dropped,
    [VERDICT_REJECTED] = cap_icmp,
    [VERDICT_REFUSED] = cap_reset,
    [VERDICT_CONNECTED_SILENT] = cap_handshake,
    [VERDICT_SERVER_CLOSED] = cap_handshake,
    [VERDICT_WRONG_SERVICE] = cap_handshake,
    [VERDICT_MTU_BLACKHOLE] = cap_mtu,
    [VERDICT_DATA_CORRUPTION] = cap_handshake,
    [VERDICT_LOCAL_FIREWALL] = cap_no_syn_left,
    [VERDICT_CHATD_ERROR] = cap_handshake,
};

/* Behind VirtualBox's NAT the captured SYN-ACK and resets are the relay's:
 * says so, with the TTL that shows it.  True when it did. */
static bool capture_says_relay(const struct evidence *ev, struct verdict *v)
{
    const struct ev_capture *c = &ev->capture;
    if (relay_judge(ev) != RELAY_MEASURED)
        return false;
    if (c->synacks > 0 && relay_ttl_unrouted(c->synack_ttl))
        verdict_say(&v->capture_evidence,
                    _("The SYN-ACK arrived with TTL %d, which no router lowered: VirtualBox's NAT "
                      "made it, so its TTL, MSS and window are VirtualBox's, not the server's."),
                    c->synack_ttl);
    if (c->resets > 0)
        verdict_say(&v->capture_evidence,
                    _("The reset arrived with TTL %d from VirtualBox's NAT, which resets the VM's "
                      "connection when its own fails: who refused (the server or a box on the "
                      "way) cannot be told from here."),
                    c->reset_ttl);
    return true;
}

static void capture_check(const struct evidence *ev, struct verdict *v)
{
    const struct ev_capture *c = &ev->capture;
    if (!c->run || v->code <= VERDICT_NONE || v->code >= VERDICT_COUNT ||
        capture_confirms[v->code] == NULL)
        return;
    v->capture = capture_confirms[v->code](ev) ? CAPTURE_CONFIRMED : CAPTURE_NOT_CONFIRMED;
    /* A headline the packets do not back must not stand unqualified; a
     * more precise qualifier from the verdict (a forged reset) stays. */
    if (v->capture == CAPTURE_NOT_CONFIRMED && v->qualifier == NULL)
        v->qualifier = verdict_qualifier_text(QUALIFIER_CAPTURE_NOT_CONFIRMED);
    verdict_say(&v->capture_evidence,
                _("The capture saw %d SYN(s) (%d sent again), %d SYN-ACK(s), %d reset(s), %d ICMP "
                  "error(s) and %d data retransmission(s)."),
                c->syns_sent, c->syn_retransmits, c->synacks, c->resets, c->icmp_errors,
                c->retransmits);
    if (c->first_icmp.seen)
        verdict_say(&v->capture_evidence,
                    _("The first ICMP error was %s (type %d code %d) from %s."), c->first_icmp.name,
                    c->first_icmp.type, c->first_icmp.code, c->first_icmp.from);
    if (c->synack_mss > 0)
        verdict_say(&v->capture_evidence,
                    _("The SYN-ACK offered MSS %d; this machine's MTU implies %d."), c->synack_mss,
                    our_mss(ev));
    if (capture_says_relay(ev, v))
        return;
    if (c->resets > 0 && !c->reset_compared)
        verdict_say(
            &v->capture_evidence, "%s",
            _("The reset's origin is unconfirmed: no TTL from the server (a SYN-ACK, its ICMP "
              "error or its echo reply) to compare the reset's TTL with."));
}

void corroborate(const struct evidence *ev, struct verdict *v)
{
    trace_orders_causes(ev, v);
    capture_check(ev, v);
}
