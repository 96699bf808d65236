/* chatd under pressure: timeouts, heartbeat, the flood limit, and a client
 * that stops reading while others keep chatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/support/fixture.h"

#define WAIT_MS 5000

static struct harness_conn *conn[3];

static int alloc_conns(void **state)
{
    (void)state;
    return harness_conns_new(conn, 3);
}

static int free_conns(void **state)
{
    (void)state;
    harness_conns_free(conn, 3);
    return 0;
}

static int close_conns(void **state)
{
    harness_conns_close(conn, 3);
    return fixture_stop_leftover(state);
}

/* Starts chatd with extra options, or fails the test. */
static void start(struct harness_server *s, const char *const extra[])
{
    fixture_server_up(s, extra);
}

static void stop_clean(struct harness_server *s, char *log, size_t cap)
{
    if (log != NULL)
        harness_server_log(s, log, cap);
    harness_conns_close(conn, 3);
    assert_int_equal(fixture_server_down(s), 0);
}

static void partial_line_then_stall_is_dropped_after_line_timeout(void **state)
{
    (void)state;
    static struct harness_server s;
    static char log[65536];
    const char *const extra[] = {"--line-timeout", "1", NULL};
    start(&s, extra);
    assert_int_equal(harness_login(conn[0], s.port, "watcher"), 0);
    assert_int_equal(harness_login(conn[1], s.port, "staller"), 0);
    assert_int_equal(harness_send(conn[1], "I am typing and then I sto"), 0);
    long long t0 = harness_now_ms();
    assert_int_equal(harness_expect(conn[1], "ERR timeout ", NULL, 0, WAIT_MS), 0);
    assert_int_equal(harness_expect_close(conn[1], WAIT_MS), 1);
    long long waited = harness_now_ms() - t0;
    assert_true(waited >= 900); /* not before the timeout */
    assert_int_equal(
        harness_expect(conn[0], "NOTICE leave staller staller left (timeout)", NULL, 0, WAIT_MS),
        0);
    stop_clean(&s, log, sizeof log);
    assert_non_null(strstr(log, "staller: timeout: partial line"));
}

static void no_name_is_dropped_after_name_timeout(void **state)
{
    (void)state;
    static struct harness_server s;
    const char *const extra[] = {"--name-timeout", "1", NULL};
    start(&s, extra);
    assert_int_equal(harness_conn_open(conn[0], s.port), 0);
    assert_int_equal(harness_expect(conn[0], "ASK name", NULL, 0, WAIT_MS), 0);
    assert_int_equal(harness_expect(conn[0], "ERR timeout ", NULL, 0, WAIT_MS), 0);
    assert_int_equal(harness_expect_close(conn[0], WAIT_MS), 1);
    stop_clean(&s, NULL, 0);
}

static void silence_gets_ping_and_then_idle_timeout(void **state)
{
    (void)state;
    static struct harness_server s;
    char line[256];
    const char *const extra[] = {"--heartbeat", "1", "--idle-timeout", "3", NULL};
    start(&s, extra);
    assert_int_equal(harness_login(conn[0], s.port, "quiet"), 0);
    assert_int_equal(harness_expect(conn[0], "PING ", line, sizeof line, WAIT_MS), 0);
    char pong[300];
    snprintf(pong, sizeof pong, "/pong %s\n", line + 5);
    assert_int_equal(harness_send(conn[0], pong), 0); /* counts as activity */
    long long t0 = harness_now_ms();
    assert_int_equal(harness_expect(conn[0], "ERR timeout ", NULL, 0, 3 * WAIT_MS), 0);
    assert_true(harness_now_ms() - t0 >= 2500);
    assert_int_equal(harness_expect_close(conn[0], WAIT_MS), 1);
    stop_clean(&s, NULL, 0);
}

/* Reads lines from c until `want` MSGs from sender are seen; counts NOTICE
 * flood lines; checks the MSGs come in order "MSG sender n". */
static int read_msgs(struct harness_conn *c, const char *sender, int want, int *floods,
                     long long *first_ms, long long *last_ms, int timeout_ms)
{
    char line[512], prefix[64];
    int seen = 0;
    snprintf(prefix, sizeof prefix, "MSG %s ", sender);
    long long end = harness_now_ms() + timeout_ms;
    while (seen < want) {
        long long left = end - harness_now_ms();
        if (left <= 0 || harness_read_line(c, line, sizeof line, (int)left) < 0)
            return seen;
        if (floods != NULL && strncmp(line, "NOTICE flood ", 13) == 0)
            (*floods)++;
        if (strncmp(line, prefix, strlen(prefix)) != 0)
            continue;
        if (atoi(line + strlen(prefix)) != seen)
            fail_msg("out of order: \"%s\" where %d was due", line, seen);
        if (seen == 0 && first_ms != NULL)
            *first_ms = harness_now_ms();
        seen++;
    }
    if (last_ms != NULL)
        *last_ms = harness_now_ms();
    return seen;
}

static void flood_burst_passes_then_notice_and_slow_but_lossless(void **state)
{
    (void)state;
    static struct harness_server s;
    const char *const extra[] = {"--flood-burst", "10", "--flood-rate", "10", NULL};
    start(&s, extra);
    assert_int_equal(harness_login(conn[0], s.port, "listener"), 0);
    assert_int_equal(harness_login(conn[1], s.port, "flooder"), 0);
    /* The login line took a token: 9 pass at once, 21 at 10 per second. */
    char batch[30 * 8];
    size_t n = 0;
    for (int i = 0; i < 30; i++)
        n += (size_t)snprintf(batch + n, sizeof batch - n, "%d\n", i);
    long long t0 = harness_now_ms();
    assert_int_equal(harness_send(conn[1], batch), 0);
    long long first = 0, ninth = 0, last = 0;
    assert_int_equal(read_msgs(conn[0], "flooder", 9, NULL, &first, &ninth, WAIT_MS), 9);
    assert_true(ninth - t0 < 1000); /* the burst is not delayed */
    /* the rest, in order, none lost */
    int floods = 0;
    for (int i = 9; i < 30; i++) {
        char line[128], want[64];
        snprintf(want, sizeof want, "MSG flooder %d", i);
        assert_int_equal(harness_expect(conn[0], "MSG flooder ", line, sizeof line, WAIT_MS), 0);
        assert_string_equal(line, want);
    }
    last = harness_now_ms();
    assert_true(last - t0 >= 1500); /* 21 lines at 10/s: about 2 s */
    assert_int_equal(read_msgs(conn[1], "flooder", 30, &floods, NULL, NULL, WAIT_MS), 30);
    assert_int_equal(floods, 1); /* said once, not per line */
    print_message("flood: burst in %lld ms, all 30 lines in %lld ms\n", ninth - t0, last - t0);
    stop_clean(&s, NULL, 0);
}

static void stalled_reader_never_delays_others_and_is_dropped(void **state)
{
    (void)state;
    static struct harness_server s;
    static char log[65536];
    /* Both flood limits out of the way: the talker must outrun slowpoke. */
    const char *const extra[] = {
        "--flood-burst", "1000000",           "--flood-rate", "1000000", "--flood-byte-burst",
        "100000000",     "--flood-byte-rate", "100000000",    NULL};
    start(&s, extra);
    struct harness_conn *slow = conn[0], *talker = conn[1], *reader = conn[2];
    assert_int_equal(harness_login(slow, s.port, "slowpoke"), 0);
    assert_int_equal(harness_login(talker, s.port, "talker"), 0);
    assert_int_equal(harness_login(reader, s.port, "reader"), 0);
    /* slowpoke never reads again.  Each round: 64 lines of ~1000 bytes
     * then a marker; reader must get the marker fast. */
    char text[1000];
    memset(text, 'z', sizeof text - 2);
    text[sizeof text - 2] = '\n';
    text[sizeof text - 1] = '\0';
    long long worst = 0, lat[400];
    int rounds = 0, dropped = 0;
    for (; rounds < 400 && !dropped; rounds++) {
        for (int i = 0; i < 64; i++)
            assert_int_equal(harness_send(talker, text), 0);
        char marker[64], want[80], line[2048];
        snprintf(marker, sizeof marker, "marker %d\n", rounds);
        snprintf(want, sizeof want, "MSG talker marker %d", rounds);
        long long t0 = harness_now_ms();
        assert_int_equal(harness_send(talker, marker), 0);
        for (;;) {
            assert_true(harness_read_line(reader, line, sizeof line, WAIT_MS) >= 0);
            if (strcmp(line, "NOTICE leave slowpoke slowpoke left (dropped: not reading)") == 0)
                dropped = 1;
            if (strcmp(line, want) == 0)
                break;
        }
        lat[rounds] = harness_now_ms() - t0;
        worst = lat[rounds] > worst ? lat[rounds] : worst;
        assert_int_equal(harness_expect(talker, want, NULL, 0, WAIT_MS), 0);
    }
    assert_true(dropped);
    /* Median latency under 100 ms; the worst only bounded, for noisy hosts. */
    int under = 0;
    for (int i = 0; i < rounds; i++)
        under += lat[i] < 100;
    print_message("stalled reader dropped after %d rounds; %d of %d markers under 100 ms, worst "
                  "%lld ms\n",
                  rounds, under, rounds, worst);
    assert_true(under * 2 > rounds);
    assert_true(worst < 2000);
    stop_clean(&s, log, sizeof log);
    assert_non_null(strstr(log, "slowpoke: send_queue_full"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(partial_line_then_stall_is_dropped_after_line_timeout,
                                  close_conns),
        cmocka_unit_test_teardown(no_name_is_dropped_after_name_timeout, close_conns),
        cmocka_unit_test_teardown(silence_gets_ping_and_then_idle_timeout, close_conns),
        cmocka_unit_test_teardown(flood_burst_passes_then_notice_and_slow_but_lossless,
                                  close_conns),
        cmocka_unit_test_teardown(stalled_reader_never_delays_others_and_is_dropped, close_conns),
    };
    return cmocka_run_group_tests(tests, alloc_conns, free_conns);
}
