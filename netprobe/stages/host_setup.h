/*
 * host_setup.h - pieces of the local stage that are pure functions of the data
 * it gathered, so tests can feed them any machine they like.
 */
#ifndef NETPROBE_STAGES_HOST_SETUP_H
#define NETPROBE_STAGES_HOST_SETUP_H

#include <stdio.h>

#include "netprobe/evidence.h"

/* Sets l->virtualbox_nat (an interface in 10.0.2.0/24 with gateway 10.0.2.2),
 * l->virtualbox_vm (a MAC in VirtualBox's 08:00:27 block, or dmi_product,
 * may be NULL, naming VirtualBox) and l->source_class from the other
 * fields of l. */
void host_setup_hints(struct ev_local *l, const char *dmi_product);

/* The route to the target for the local stage's line, from l->route:
 * "delivered on this machine, no gateway" (loopback or an own address),
 * "on the local link, no gateway", "via gateway ADDR"; when the kernel was
 * not asked or did not say, "default gateway ADDR" (what that is). */
void host_setup_route_text(const struct ev_local *l, char *out, size_t cap);

/* Reads the default IPv4 route from a /proc/net/route table into
 * l->gateway and l->has_default_route.  Returns 0, or -1 if unreadable. */
int host_setup_read_routes(struct ev_local *l, FILE *route);

/* Reads the IPv6 default route (not on "lo", where the kernel parks
 * unreachable ones) from a /proc/net/ipv6_route table into
 * l->ipv6_default_route and l->ipv6_gateway (its next hop, "" when the
 * route has none). */
void host_setup_read_v6_routes(struct ev_local *l, FILE *route);

#endif
