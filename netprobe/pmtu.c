/*
 * pmtu.c - the path MTU search's bookkeeping (pmtu.h).
 */
#include "netprobe/pmtu.h"

void pmtu_init(struct pmtu_search *s, int floor, int fail_mtu)
{
    s->floor = floor;
    s->pass = 0;
    /* A stall at or below the floor leaves only the floor to try. */
    s->fail = fail_mtu > floor ? fail_mtu : floor + 1;
    s->probes = 0;
}

int pmtu_next(const struct pmtu_search *s)
{
    if (s->pass == 0)
        return s->fail > s->floor ? s->floor : 0; /* confirm the base first */
    if (s->fail - s->pass <= 1)
        return 0;
    return s->pass + (s->fail - s->pass) / 2;
}

void pmtu_take(struct pmtu_search *s, int mtu, bool passed)
{
    s->probes++;
    if (passed && mtu > s->pass)
        s->pass = mtu;
    else if (!passed && mtu < s->fail)
        s->fail = mtu;
}

int pmtu_mss(int mtu, bool ipv6)
{
    return mtu - (ipv6 ? PMTU_HEADERS_V6 : PMTU_HEADERS_V4);
}
