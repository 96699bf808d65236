/* Unit tests for netprobe/pmtu.c: the path MTU search, fed with the
 * outcomes a path of a known MTU would give (a probe passes when its
 * packets fit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>

#include "netprobe/pmtu.h"

struct search_case {
    const char *name;
    int floor;      /* the family's minimum */
    int stalled;    /* packet size of the first stall */
    int path_mtu;   /* what the simulated path lets through */
    int pass, fail; /* where the search must end */
    int probes_max; /* at most this many probes */
};

static const struct search_case search_cases[] = {
    {"ipv4 path 1200 (a tunnel) below a 1452-byte stall", PMTU_FLOOR_V4, 1452, 1200, 1200, 1201,
     11},
    {"ipv4 path 900", PMTU_FLOOR_V4, 1500, 900, 900, 901, 11},
    {"ipv4 path 1280, the lab's mtu-blackhole", PMTU_FLOOR_V4, 1452, 1280, 1280, 1281, 11},
    {"ipv4 path 1499, one byte short", PMTU_FLOOR_V4, 1500, 1499, 1499, 1500, 11},
    {"ipv4 path exactly the minimum", PMTU_FLOOR_V4, 1500, 576, 576, 577, 11},
    {"ipv4 path below the minimum: the floor stalls, one probe", PMTU_FLOOR_V4, 1500, 400, 0, 576,
     1},
    {"ipv4 stall at the floor itself: only the floor is tried", PMTU_FLOOR_V4, 500, 1500, 576, 577,
     1},
    {"ipv6 path 1400", PMTU_FLOOR_V6, 1500, 1400, 1400, 1401, 9},
    {"ipv6 path exactly 1280", PMTU_FLOOR_V6, 1500, 1280, 1280, 1281, 9},
};

static void search_ends_at_the_path_mtu(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof search_cases / sizeof search_cases[0]; i++) {
        const struct search_case *c = &search_cases[i];
        struct pmtu_search s;
        pmtu_init(&s, c->floor, c->stalled);
        int first = pmtu_next(&s);
        if (first != c->floor)
            fail_msg("%s: first probe %d, want the floor %d", c->name, first, c->floor);
        for (int mtu = first; mtu > 0; mtu = pmtu_next(&s)) {
            if (mtu <= s.pass || mtu >= s.fail)
                fail_msg("%s: probed %d outside (%d, %d)", c->name, mtu, s.pass, s.fail);
            pmtu_take(&s, mtu, mtu <= c->path_mtu);
            if (s.probes > c->probes_max)
                fail_msg("%s: more than %d probes", c->name, c->probes_max);
        }
        if (s.pass != c->pass || s.fail != c->fail)
            fail_msg("%s: ended pass %d fail %d, want %d %d", c->name, s.pass, s.fail, c->pass,
                     c->fail);
    }
}

struct mss_case {
    int mtu;
    bool ipv6;
    int mss;
};

static const struct mss_case mss_cases[] = {
    {1500, false, 1460}, {576, false, 536},  {1200, false, 1160},
    {1500, true, 1440},  {1280, true, 1220},
};

static void mss_leaves_room_for_the_headers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof mss_cases / sizeof mss_cases[0]; i++) {
        int got = pmtu_mss(mss_cases[i].mtu, mss_cases[i].ipv6);
        if (got != mss_cases[i].mss)
            fail_msg("mtu %d ipv6 %d: mss %d, want %d", mss_cases[i].mtu, mss_cases[i].ipv6, got,
                     mss_cases[i].mss);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(search_ends_at_the_path_mtu),
        cmocka_unit_test(mss_leaves_room_for_the_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
