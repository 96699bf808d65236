/* chatd and lines: a long /who list comes in lines under 512 bytes, and a
 * home-made client that never sends a newline is told about it in the
 * log (after 5 s, and when it closes mid-line); --diag shows each chunk
 * with its invisible bytes made visible. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/limits.h"
#include "tests/support/fixture.h"

#define WAIT_MS 5000
#define ROOM 100

static struct harness_server server;

/* Closes every connection of a test, even one that failed half-way. */
static struct harness_conn *conns[ROOM];

static int cleanup(void **state)
{
    for (size_t i = 0; i < ROOM; i++) {
        if (conns[i] != NULL)
            harness_conn_close(conns[i]);
        free(conns[i]);
        conns[i] = NULL;
    }
    return fixture_stop_leftover(state);
}

static struct harness_conn *new_conn(size_t i)
{
    conns[i] = calloc(1, sizeof *conns[i]);
    assert_non_null(conns[i]);
    conns[i]->fd = -1;
    return conns[i];
}

/* Counts the names of one /who line after its prefix, checking each is
 * the next in join order.  Returns how many it held. */
static size_t check_names(const char *names, size_t *next)
{
    size_t count = 0;
    char want[32];
    for (const char *p = names; *p == ' ';) {
        const char *end = strchr(p + 1, ' ');
        size_t len = end != NULL ? (size_t)(end - p - 1) : strlen(p + 1);
        snprintf(want, sizeof want, "user%03zuabcdefghi", *next);
        if (len != strlen(want) || strncmp(p + 1, want, len) != 0)
            fail_msg("name %zu: expected %s in \"%s\"", *next, want, names);
        (*next)++;
        count++;
        p += 1 + len;
    }
    return count;
}

static void who_of_a_big_room_comes_in_lines_under_512_bytes(void **state)
{
    (void)state;
    /* ROOM clients from one loopback address: lift the per-address limits. */
    const char *const extra[] = {"--max-per-ip", "0", "--conn-rate", "0", NULL};
    fixture_server_up(&server, extra);
    for (size_t i = 0; i < ROOM; i++) {
        char name[32];
        snprintf(name, sizeof name, "user%03zuabcdefghi", i); /* 16 characters */
        assert_int_equal(harness_login(new_conn(i), server.port, name), 0);
    }
    struct harness_conn *asker = conns[ROOM - 1];
    assert_int_equal(harness_send(asker, "/who\n"), 0);
    char line[4096];
    assert_int_equal(harness_expect(asker, "OK who ", line, sizeof line, WAIT_MS), 0);
    size_t next = 0, lines = 1;
    assert_true(strlen(line) + 1 < CHATD_WHO_LINE_MAX);
    assert_int_equal(strncmp(line, "OK who 100 ", 11), 0);
    size_t first = check_names(line + 10, &next);
    assert_true(first > 1);
    while (next < ROOM) {
        int n = harness_read_line(asker, line, sizeof line, WAIT_MS);
        if (n < 0)
            fail_msg("only %zu of %d names arrived", next, ROOM);
        print_message("line %zu: %d bytes\n", lines, n + 1);
        assert_true((size_t)n + 1 < CHATD_WHO_LINE_MAX);
        assert_int_equal(strncmp(line, "OK who+ ", 8), 0);
        assert_true(check_names(line + 7, &next) > 0);
        lines++;
    }
    assert_int_equal(next, ROOM);
    assert_true(lines >= 4); /* 100 x 17 bytes cannot fit in three */
    /* The asker is still served: the reply did not drop it. */
    assert_int_equal(harness_send(asker, "/ping t1\n"), 0);
    assert_int_equal(harness_expect(asker, "PONG t1", NULL, 0, WAIT_MS), 0);
    assert_int_equal(fixture_server_down(&server), 0);
}

/* Waits up to ms for the server's log to contain want; the log is left in
 * log.  Returns 0, or -1 (with the log printed). */
static int wait_log(const char *want, char *log, size_t cap, int ms)
{
    long long end = harness_now_ms() + ms;
    do {
        harness_server_log(&server, log, cap);
        if (strstr(log, want) != NULL)
            return 0;
        usleep(50 * 1000);
    } while (harness_now_ms() < end);
    print_message("log lacks \"%s\":\n%s\n", want, log);
    return -1;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

/* The course's own client: "name:text" with no LF.  chatd waits for the
 * LF; after 5 s the log says what arrived and why nothing happens, once. */
static void home_made_client_without_newline_is_explained_once_after_5s(void **state)
{
    (void)state;
    static char log[65536];
    fixture_server_up(&server, NULL);
    struct harness_conn *c = new_conn(0);
    assert_int_equal(harness_conn_open(c, server.port), 0);
    assert_int_equal(harness_expect(c, "ASK name", NULL, 0, WAIT_MS), 0);
    long long sent = harness_now_ms();
    assert_int_equal(harness_send(c, "ana:hola"), 0);
    const char *want = "(no name): 8 bytes and no newline for 5 s: \"ana:hola\"; "
                       "chatd reads lines that end in \\n";
    assert_int_equal(wait_log(want, log, sizeof log, 10000), 0);
    long long waited = harness_now_ms() - sent;
    print_message("explained after %lld ms\n", waited);
    assert_true(waited >= 4500); /* not before the 5 s */
    usleep(1500 * 1000);         /* six more timer sweeps: still said once */
    harness_server_log(&server, log, sizeof log);
    assert_int_equal(count(log, "no newline for"), 1);
    assert_null(strstr(log, "disconnect")); /* a hint, not a drop */
    assert_int_equal(fixture_server_down(&server), 0);
}

/* The same client closing at once (unread greeting: the close is a reset):
 * the log shows what it left, invisible bytes made visible, and the hint. */
static void home_made_client_closing_mid_line_is_explained(void **state)
{
    (void)state;
    static char log[65536];
    fixture_server_up(&server, NULL);
    struct harness_conn *c = new_conn(0);
    assert_int_equal(harness_conn_open(c, server.port), 0);
    static const char bytes[] = "ana:hola\r\t\x01\"\\";
    assert_int_equal(harness_send_bytes(c, bytes, sizeof bytes - 1), 0);
    usleep(200 * 1000); /* chatd reads the bytes before the close */
    harness_conn_close(c);
    const char *want = "(no name) closed mid-line: 13 bytes without a newline: "
                       "\"ana:hola\\r\\t\\x01\\\"\\\\\"; chatd reads lines that end in \\n";
    assert_int_equal(wait_log(want, log, sizeof log, WAIT_MS), 0);
    assert_int_equal(wait_log("disconnect 127.0.0.1", log, sizeof log, WAIT_MS), 0);
    assert_null(strstr(log, "no newline for")); /* it did not wait 5 s */
    assert_int_equal(fixture_server_down(&server), 0);
}

/* --diag logs every chunk with \r, \n and other invisible bytes shown. */
static void diag_logs_each_chunk_made_visible(void **state)
{
    (void)state;
    static char log[65536];
    const char *const extra[] = {"--diag", NULL};
    fixture_server_up(&server, extra);
    struct harness_conn *c = new_conn(0);
    assert_int_equal(harness_conn_open(c, server.port), 0);
    assert_int_equal(harness_expect(c, "DIAG chatd", NULL, 0, WAIT_MS), 0);
    static const char first[] = "hola\r\n\x7f";
    assert_int_equal(harness_send_bytes(c, first, sizeof first - 1), 0);
    char echo[sizeof first - 1];
    assert_int_equal(harness_read_bytes(c, echo, sizeof echo, WAIT_MS), 0);
    assert_int_equal(harness_send(c, "adios\n"), 0);
    assert_int_equal(wait_log(": 7 bytes: \"hola\\r\\n\\x7F\"", log, sizeof log, WAIT_MS), 0);
    assert_int_equal(wait_log(": 6 bytes: \"adios\\n\"", log, sizeof log, WAIT_MS), 0);
    assert_int_equal(fixture_server_down(&server), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(who_of_a_big_room_comes_in_lines_under_512_bytes, cleanup),
        cmocka_unit_test_teardown(home_made_client_without_newline_is_explained_once_after_5s,
                                  cleanup),
        cmocka_unit_test_teardown(home_made_client_closing_mid_line_is_explained, cleanup),
        cmocka_unit_test_teardown(diag_logs_each_chunk_made_visible, cleanup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
