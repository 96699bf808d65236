/*
 * relay.h - is the far end of this machine's connections a relay on its own
 * link?
 *
 * VirtualBox's NAT mode (like QEMU's user networking and slirp4netns) is
 * not a router: a user-space TCP/IP stack on the host ends the VM's
 * connection itself and opens its own to the server.  Everything the VM
 * then receives "from the server" (SYN-ACK, ACKs, resets, echo replies) is
 * made by that relay, and ICMP errors and TTL-limited probes do not cross
 * it.  A kernel NAT with the same addresses forwards the server's own
 * packets.  The addresses alone cannot tell the two apart; a TTL can: a
 * packet that crossed a router arrives with a lowered TTL, a packet the
 * relay made arrives with an initial one (64, 128, 255) although its
 * source is not on this machine's link.
 *
 * Pure functions of the evidence; verdict.c and corroborate.c use them to
 * keep the relay's packets from being read as the server's.
 */
#ifndef NETPROBE_RELAY_H
#define NETPROBE_RELAY_H

#include <stdbool.h>

#include "netprobe/evidence.h"

enum relay_seen {
    RELAY_NOT_SEEN,  /* no VirtualBox NAT addresses, or the target's TTLs show routers */
    RELAY_SUSPECTED, /* VirtualBox NAT addresses, and no TTL from the target to tell */
    RELAY_MEASURED,  /* VirtualBox NAT addresses, and the target's packets came unrouted */
};

/* True for a TTL (IPv6: hop limit) no router has lowered: 32, 64, 128 or
 * 255, the usual initial values. */
bool relay_ttl_unrouted(int ttl);

/* True when target (an address in text form) lies inside the prefix of one
 * of this machine's interfaces (ev->local): a neighbour on the link. */
bool relay_target_on_link(const struct evidence *ev, const char *target);

/* The TTL the target's side sent that shows a relay: the first of the echo
 * reply, the captured SYN-ACK and the captured reset that arrived
 * unrouted from an address off this machine's link; 0 when none did. */
int relay_unrouted_ttl(const struct evidence *ev);

/* What carried that TTL, translated ("its echo replies", "its SYN-ACK",
 * "its reset"); NULL when relay_unrouted_ttl() is 0. */
const char *relay_unrouted_what(const struct evidence *ev);

/* What the evidence says about a relay on this machine's link (above). */
enum relay_seen relay_judge(const struct evidence *ev);

#endif
