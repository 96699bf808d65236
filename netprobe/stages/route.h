/*
 * route.h - the route the kernel would use to reach one address, as
 * `ip route get ADDR` shows it: delivered locally (loopback or one of this
 * machine's addresses), directly on a link, or through a gateway.
 *
 * Asked over rtnetlink (RTM_GETROUTE): nothing is sent on the network.
 * The reply parser is separate and pure, so tests can feed it any reply.
 */
#ifndef NETPROBE_STAGES_ROUTE_H
#define NETPROBE_STAGES_ROUTE_H

#include <net/if.h>
#include <stddef.h>

#include "common/addr.h"

enum route_kind {
    ROUTE_UNKNOWN = 0, /* not asked, or the kernel did not say */
    ROUTE_LOCAL,       /* to this machine itself (RTN_LOCAL) */
    ROUTE_DIRECT,      /* on a link of this machine, no gateway */
    ROUTE_GATEWAY,     /* through next_hop */
};

struct route_info {
    enum route_kind kind;
    char next_hop[ADDR_TEXT_MAX]; /* the gateway, "" unless ROUTE_GATEWAY */
    char iface[IF_NAMESIZE];      /* the outgoing interface, "" if not known */
};

#define ROUTE_REPLY_MAX 8192 /* bytes of the kernel's reply read */

/* Asks the kernel for its route to addr (text, IPv4 or IPv6).  Returns 0
 * with *out filled, or an errno value (ENETUNREACH: no route). */
int route_get(const char *addr, struct route_info *out);

/* Reads one rtnetlink reply (len bytes) to an RTM_GETROUTE request for
 * family into *out.  Returns 0, the reply's errno, or EBADMSG when it is
 * not a well-formed route.  Every length is checked before it is used. */
int route_parse_reply(const void *reply, size_t len, int family, struct route_info *out);

/* "local", "direct", "gateway", "unknown". */
const char *route_kind_name(enum route_kind k);

#endif
