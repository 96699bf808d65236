/*
 * pmtu.h - the path MTU search, in the spirit of packetization-layer path
 * MTU discovery (RFC 4821, RFC 8899): when large echoes stall, probe new
 * connections with a clamped MSS and find the largest packet that passes.
 *
 * Pure bookkeeping: the echo stage asks pmtu_next() what to try, runs
 * the probe and reports with pmtu_take(), so tests can feed it outcomes.
 * Sizes are IP packet sizes (the MTU), not MSS.
 */
#ifndef NETPROBE_PMTU_H
#define NETPROBE_PMTU_H

#include <stdbool.h>

/* The smallest MTU each family guarantees (IPv4 RFC 791, IPv6 RFC 8200):
 * the search's base, tried first. */
#define PMTU_FLOOR_V4 576
#define PMTU_FLOOR_V6 1280

/* IP + TCP header bytes between an MSS and the packet it makes: a clamp
 * to MSS m sends packets of m + this (Linux counts TCP options inside the
 * MSS it is given). */
#define PMTU_HEADERS_V4 40
#define PMTU_HEADERS_V6 60

/* The whole search, probes and their waits, stays within this. */
#define PMTU_BUDGET_MS 8000.0

struct pmtu_search {
    int floor;  /* PMTU_FLOOR_V4 or _V6 */
    int pass;   /* largest MTU seen to pass, 0 none yet */
    int fail;   /* smallest MTU seen to stall */
    int probes; /* probes taken */
};

/* Starts a search below fail_mtu, the packet size that stalled. */
void pmtu_init(struct pmtu_search *s, int floor, int fail_mtu);

/* The next MTU to probe: the floor first, then halving the gap between
 * pass and fail; 0 when the search is over (the floor failed, or pass and
 * fail are adjacent). */
int pmtu_next(const struct pmtu_search *s);

/* Records that a probe of mtu passed or stalled. */
void pmtu_take(struct pmtu_search *s, int mtu, bool passed);

/* The MSS to clamp a connection to so its packets are mtu bytes. */
int pmtu_mss(int mtu, bool ipv6);

#endif
