/* Unit tests for netprobe/silence.c: the split of a silent server, fed
 * with what TCP_INFO would show for each kind of server and path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "netprobe/silence.h"

#define B SILENCE_FILL_BYTES

struct split_case {
    const char *name;
    struct silence_measure m;
    enum silence_split want;
};

static const struct split_case split_cases[] = {
    /* The course's original server: recv() in a loop, prints, answers
     * nobody.  Everything is ACKed and the window stays open. */
    {"reads everything, window open",
     {.budget = B, .sent = B, .acked = B, .window_start = 65483, .window_end = 65483},
     SILENCE_READS},
    {"reads, window grew (autotuning follows a reader)",
     {.budget = B, .sent = B, .acked = B, .window_start = 65483, .window_end = 500000},
     SILENCE_READS},
    {"reads, kernel too old to report the window",
     {.budget = B, .sent = B, .acked = B, .window_start = -1, .window_end = -1},
     SILENCE_READS},
    /* accept() and never recv(): the buffer fills and the window shuts. */
    {"never reads: zero window",
     {.budget = B,
      .sent = 200000,
      .acked = 130000,
      .notsent = 70000,
      .window_start = 65483,
      .window_end = 0},
     SILENCE_NOT_READING},
    {"never reads, old kernel: data held back, nothing in flight",
     {.budget = B,
      .sent = 200000,
      .acked = 130000,
      .notsent = 70000,
      .unacked = 0,
      .window_start = -1,
      .window_end = -1},
     SILENCE_NOT_READING},
    {"all acked but the window halved: a big buffer filling, not a reader",
     {.budget = B, .sent = B, .acked = B, .window_start = 2000000, .window_end = 600000},
     SILENCE_INCONCLUSIVE},
    /* A slow path: still sending at the deadline, window open. */
    {"slow path: bytes in flight at the deadline",
     {.budget = B,
      .sent = 300000,
      .acked = 120000,
      .notsent = 0,
      .unacked = 40,
      .window_start = 65483,
      .window_end = 65483},
     SILENCE_INCONCLUSIVE},
    {"lost on the way: nothing acked, segments in flight",
     {.budget = B,
      .sent = 90000,
      .acked = 0,
      .notsent = 30000,
      .unacked = 45,
      .window_start = 65483,
      .window_end = 65483},
     SILENCE_INCONCLUSIVE},
    {"nothing could be sent",
     {.budget = B, .sent = 0, .window_start = 65483, .window_end = 65483},
     SILENCE_INCONCLUSIVE},
    /* Behind VirtualBox's NAT the relay ACKs: whatever the numbers say. */
    {"relay, looks like a reader",
     {.budget = B, .sent = B, .acked = B, .window_end = 65535, .relay = true},
     SILENCE_RELAY},
    {"relay, looks like a closed window",
     {.budget = B, .sent = 200000, .acked = 100000, .notsent = 1, .window_end = 0, .relay = true},
     SILENCE_RELAY},
};

static void split_follows_the_window(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof split_cases / sizeof split_cases[0]; i++) {
        const struct split_case *c = &split_cases[i];
        enum silence_split got = silence_decide(&c->m);
        if (got != c->want)
            fail_msg("%s: got %s, want %s", c->name, silence_split_name(got),
                     silence_split_name(c->want));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(split_follows_the_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
