/*
 * families.c - one result per address family (families.h).
 */
#include "netprobe/families.h"

#include <string.h>
#include <sys/socket.h>

static const char *const CODES[FAMILY_COUNT] = {"ipv4", "ipv6"};
static const char *const LABELS[FAMILY_COUNT] = {"IPv4", "IPv6"};
static const char *const OUTCOMES[] = {
    [FAMILY_NO_ADDRESS] = "no_address", [FAMILY_NOT_TRIED] = "not_tried",
    [FAMILY_NOT_SENT] = "not_sent",     [FAMILY_FAILED] = "failed",
    [FAMILY_CONNECTED] = "connected",
};

const char *family_code(enum family_index f)
{
    return (unsigned)f < FAMILY_COUNT ? CODES[f] : "?";
}

const char *family_label(enum family_index f)
{
    return (unsigned)f < FAMILY_COUNT ? LABELS[f] : "?";
}

const char *family_outcome_name(enum family_outcome o)
{
    return (unsigned)o < sizeof OUTCOMES / sizeof OUTCOMES[0] ? OUTCOMES[o] : "?";
}

enum family_index families_of(int af)
{
    return af == AF_INET ? FAMILY_IPV4 : af == AF_INET6 ? FAMILY_IPV6 : FAMILY_COUNT;
}

/* Reasons of a filtered attempt that, without an ICMP error behind them,
 * mean this machine found no way to the target (no route, or the
 * neighbour never answered): the SYN did not get anywhere. */
static const char *const STAYED_HERE[] = {"no-route", "net-unreach", "host-unreach"};

bool families_attempt_left(const struct ev_tcp_attempt *a)
{
    if (a->state == TCP_STATE_OPEN || a->state == TCP_STATE_CLOSED)
        return true;
    if (a->state != TCP_STATE_FILTERED)
        return false; /* a local error: nothing was sent */
    if (a->icmp.seen)
        return true; /* a router or the host answered the SYN */
    for (size_t i = 0; i < sizeof STAYED_HERE / sizeof STAYED_HERE[0]; i++)
        if (strcmp(a->reason, STAYED_HERE[i]) == 0)
            return false;
    return true;
}

/* How much an attempt says, to pick the one that stands for its family:
 * a handshake, then any answer or silence on the way, then a local error. */
static int weight(const struct ev_tcp_attempt *a)
{
    return a->state == TCP_STATE_OPEN ? 2 : families_attempt_left(a) ? 1 : 0;
}

/* -4 or -6 left family f out: its addresses were not even resolved, so
 * "no address" would claim something about the name that was not asked. */
static bool left_out(const struct evidence *ev, enum family_index f)
{
    return (ev->family_pref == 4 && f == FAMILY_IPV6) || (ev->family_pref == 6 && f == FAMILY_IPV4);
}

/* The family's outcome from the weight of the attempt that stands for it. */
static const enum family_outcome BY_WEIGHT[] = {FAMILY_NOT_SENT, FAMILY_FAILED, FAMILY_CONNECTED};

void families_summarise(const struct evidence *ev, struct family_result out[FAMILY_COUNT])
{
    size_t naddr = ev->dns.addr_count < EV_ADDRS_MAX ? ev->dns.addr_count : EV_ADDRS_MAX;
    size_t ntcp = ev->tcp.attempt_count < EV_ADDRS_MAX ? ev->tcp.attempt_count : EV_ADDRS_MAX;
    for (int f = 0; f < FAMILY_COUNT; f++)
        out[f] = (struct family_result){.family = (enum family_index)f, .attempt = -1};
    for (size_t i = 0; i < naddr; i++) {
        enum family_index f = families_of(ev->dns.addrs[i].family);
        if (f != FAMILY_COUNT)
            out[f].addresses++;
    }
    for (size_t i = 0; i < ntcp; i++) {
        const struct ev_tcp_attempt *a = &ev->tcp.attempts[i];
        enum family_index f = families_of(a->target.family);
        if (f == FAMILY_COUNT)
            continue;
        out[f].attempts++;
        if (out[f].attempt < 0 || weight(a) > weight(&ev->tcp.attempts[out[f].attempt]))
            out[f].attempt = (int)i;
        if (ev->tcp.chosen == (int)i && a->state == TCP_STATE_OPEN)
            out[f].used = true;
    }
    for (int f = 0; f < FAMILY_COUNT; f++) {
        struct family_result *r = &out[f];
        if (r->addresses < r->attempts)
            r->addresses = r->attempts; /* evidence without a dns list (a literal) */
        if (r->attempt < 0)
            r->outcome =
                r->addresses > 0 || left_out(ev, r->family) ? FAMILY_NOT_TRIED : FAMILY_NO_ADDRESS;
        else
            r->outcome = BY_WEIGHT[weight(&ev->tcp.attempts[r->attempt])];
    }
}
