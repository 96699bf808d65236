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
    fixture_server_up(&server, NULL);
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
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(who_of_a_big_room_comes_in_lines_under_512_bytes, cleanup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
