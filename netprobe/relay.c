/*
 * relay.c - a relay on this machine's link, told by TTLs (relay.h).
 */
#include "netprobe/relay.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "common/i18n.h"

bool relay_ttl_unrouted(int ttl)
{
    return ttl == 32 || ttl == 64 || ttl == 128 || ttl == 255;
}

/* True when the first len bits of a and b (n bytes each) are equal. */
static bool prefix_equal(const unsigned char *a, const unsigned char *b, int len, int n)
{
    if (len < 0 || len > n * 8)
        return false;
    int whole = len / 8, rest = len % 8;
    if (memcmp(a, b, (size_t)whole) != 0)
        return false;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return rest == 0 || (a[whole] & mask) == (b[whole] & mask);
}

/* True when target and an interface's address share its prefix.  A
 * prefix of 0 (unknown) is no link: it would take in every address. */
static bool in_prefix(const char *target, const struct ev_iface *i)
{
    unsigned char t[16], a[16];
    if (i->prefix_len <= 0)
        return false;
    if (inet_pton(AF_INET, target, t) == 1 && inet_pton(AF_INET, i->address, a) == 1)
        return prefix_equal(t, a, i->prefix_len, 4);
    if (inet_pton(AF_INET6, target, t) == 1 && inet_pton(AF_INET6, i->address, a) == 1)
        return prefix_equal(t, a, i->prefix_len, 16);
    return false;
}

bool relay_target_on_link(const struct evidence *ev, const char *target)
{
    size_t n = ev->local.iface_count < EV_IFACES_MAX ? ev->local.iface_count : EV_IFACES_MAX;
    for (size_t i = 0; i < n; i++)
        if (in_prefix(target, &ev->local.ifaces[i]))
            return true;
    return false;
}

/* The address the stages talked to: the connection used, else the first
 * attempt, else the first resolved address; NULL when there is none. */
static const char *target_of(const struct evidence *ev)
{
    int c = ev->tcp.chosen;
    if (c >= 0 && (size_t)c < ev->tcp.attempt_count && (size_t)c < EV_ADDRS_MAX)
        return ev->tcp.attempts[c].target.address;
    if (ev->tcp.attempt_count > 0)
        return ev->tcp.attempts[0].target.address;
    return ev->dns.addr_count > 0 ? ev->dns.addrs[0].address : NULL;
}

/* The target's own TTLs, in the order they are usually seen, each with
 * what carried it (N_(): translated where it is said). */
struct target_ttl {
    int ttl;
    const char *what;
};

/* The first of the target's TTLs that arrived unrouted from off this
 * machine's link, with what carried it; {0, NULL} when none did. */
static struct target_ttl first_unrouted(const struct evidence *ev)
{
    const struct target_ttl none = {0, NULL};
    const char *target = target_of(ev);
    if (target == NULL || target[0] == '\0' || relay_target_on_link(ev, target))
        return none;
    bool cap = ev->capture.run;
    const struct target_ttl ttls[] = {
        {ev->icmp.reply_ttl, N_("its echo replies")},
        {cap ? ev->capture.synack_ttl : 0, N_("its SYN-ACK")},
        {cap ? ev->capture.reset_ttl : 0, N_("its reset")},
    };
    for (size_t i = 0; i < sizeof ttls / sizeof ttls[0]; i++)
        if (relay_ttl_unrouted(ttls[i].ttl))
            return ttls[i];
    return none;
}

int relay_unrouted_ttl(const struct evidence *ev)
{
    return first_unrouted(ev).ttl;
}

const char *relay_unrouted_what(const struct evidence *ev)
{
    const char *what = first_unrouted(ev).what;
    return what != NULL ? _(what) : NULL;
}

/* True when a TTL from the target, or a router's answer to --trace, shows
 * that packets cross routers to reach this machine. */
static bool routers_seen(const struct evidence *ev)
{
    bool echo = ev->icmp.reply_ttl > 0 && !relay_ttl_unrouted(ev->icmp.reply_ttl);
    bool synack = ev->capture.run && ev->capture.synack_ttl > 0 &&
                  !relay_ttl_unrouted(ev->capture.synack_ttl);
    bool hop = ev->trace.run && ev->trace.last_answer_hop > 0;
    return echo || synack || hop;
}

enum relay_seen relay_judge(const struct evidence *ev)
{
    if (!ev->local.virtualbox_nat)
        return RELAY_NOT_SEEN;
    if (ev->trace.relay_answered || relay_unrouted_ttl(ev) > 0)
        return RELAY_MEASURED;
    return routers_seen(ev) ? RELAY_NOT_SEEN : RELAY_SUSPECTED;
}
