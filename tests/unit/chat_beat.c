/* Unit tests for chat/beat.c: the heartbeat on a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "chat/beat.h"

#define S 1000LL /* one second in ms */

static void a_silent_server_gets_three_pings_then_is_dead(void **state)
{
    (void)state;
    struct beat b;
    char tok[40];
    beat_init(&b, 0, 60 * S, 3);
    assert_int_equal(beat_tick(&b, 59 * S, tok, sizeof tok), BEAT_NONE);
    assert_int_equal(beat_wait_ms(&b, 59 * S), 1 * S);
    assert_int_equal(beat_tick(&b, 60 * S, tok, sizeof tok), BEAT_PING);
    assert_string_equal(tok, "c1");
    assert_int_equal(beat_tick(&b, 119 * S, tok, sizeof tok), BEAT_NONE);
    assert_int_equal(beat_tick(&b, 120 * S, tok, sizeof tok), BEAT_PING);
    assert_string_equal(tok, "c2");
    assert_int_equal(beat_tick(&b, 180 * S, tok, sizeof tok), BEAT_PING);
    assert_int_equal(beat_tick(&b, 239 * S, tok, sizeof tok), BEAT_NONE);
    assert_int_equal(beat_tick(&b, 240 * S, tok, sizeof tok), BEAT_DEAD);
    assert_int_equal(beat_silent_sec(&b, 240 * S), 240);
}

static void any_line_from_the_server_resets_the_count(void **state)
{
    (void)state;
    struct beat b;
    char tok[40];
    beat_init(&b, 0, 60 * S, 3);
    assert_int_equal(beat_tick(&b, 60 * S, tok, sizeof tok), BEAT_PING);
    assert_int_equal(beat_tick(&b, 120 * S, tok, sizeof tok), BEAT_PING);
    beat_rx(&b, 125 * S); /* the PONG, or any other line */
    assert_int_equal(beat_tick(&b, 180 * S, tok, sizeof tok), BEAT_NONE);
    assert_int_equal(beat_wait_ms(&b, 180 * S), 5 * S);
    assert_int_equal(beat_tick(&b, 185 * S, tok, sizeof tok), BEAT_PING);
    assert_string_equal(tok, "c3"); /* tokens keep counting */
}

static void a_talkative_server_is_never_pinged(void **state)
{
    (void)state;
    struct beat b;
    char tok[40];
    beat_init(&b, 0, 60 * S, 3);
    for (long long t = 0; t < 3600 * S; t += 30 * S) {
        beat_rx(&b, t);
        assert_int_equal(beat_tick(&b, t + 29 * S, tok, sizeof tok), BEAT_NONE);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_silent_server_gets_three_pings_then_is_dead),
        cmocka_unit_test(any_line_from_the_server_resets_the_count),
        cmocka_unit_test(a_talkative_server_is_never_pinged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
