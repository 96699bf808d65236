/* Unit tests for chat/linebuf.c: lines however the bytes arrive. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include "chat/linebuf.h"

/* Writes chunk into a pipe and lets b read it. */
static void feed(struct linebuf *b, const char *chunk, size_t n)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], chunk, n), (ssize_t)n);
    close(p[1]);
    size_t got = 0;
    while (got < n) { /* a pipe may hand it over in parts */
        ssize_t r = linebuf_fill(b, p[0]);
        assert_true(r > 0);
        got += (size_t)r;
    }
    close(p[0]);
}

static void a_line_split_across_reads_comes_out_whole(void **state)
{
    (void)state;
    static struct linebuf b;
    static char line[LINEBUF_MAX + 1];
    linebuf_init(&b);
    feed(&b, "MSG al", 6);
    assert_false(linebuf_next(&b, line, sizeof line));
    feed(&b, "ice hi\r\nPING 1\nPO", 17);
    assert_true(linebuf_next(&b, line, sizeof line));
    assert_string_equal(line, "MSG alice hi"); /* CR before LF removed */
    assert_true(linebuf_next(&b, line, sizeof line));
    assert_string_equal(line, "PING 1");
    assert_false(linebuf_next(&b, line, sizeof line));
    assert_true(linebuf_rest(&b, line, sizeof line)); /* at EOF */
    assert_string_equal(line, "PO");
    assert_false(linebuf_rest(&b, line, sizeof line));
}

static void a_line_longer_than_the_buffer_comes_out_in_pieces(void **state)
{
    (void)state;
    static struct linebuf b;
    static char big[LINEBUF_MAX + 10], line[LINEBUF_MAX + 1];
    linebuf_init(&b);
    memset(big, 'x', sizeof big);
    feed(&b, big, LINEBUF_MAX);
    assert_int_equal(linebuf_fill(&b, -1), -1); /* full: no read at all */
    assert_true(linebuf_next(&b, line, sizeof line));
    assert_int_equal(strlen(line), LINEBUF_MAX);
    feed(&b, "tail\n", 5);
    assert_true(linebuf_next(&b, line, sizeof line));
    assert_string_equal(line, "tail");
}

static void empty_lines_and_a_lone_cr_are_kept_as_they_are(void **state)
{
    (void)state;
    static struct linebuf b;
    static char line[LINEBUF_MAX + 1];
    linebuf_init(&b);
    feed(&b, "\n\r\na\rb\n", 7);
    assert_true(linebuf_next(&b, line, sizeof line));
    assert_string_equal(line, "");
    assert_true(linebuf_next(&b, line, sizeof line));
    assert_string_equal(line, "");
    assert_true(linebuf_next(&b, line, sizeof line));
    assert_string_equal(line, "a\rb");
}

/* A hostile server pads a line so that byte LINEBUF_MAX starts a forged
 * "MSG admin ..." line: it must never come out as a line of its own. */
static void an_over_long_server_line_is_dropped_to_its_lf_never_reparsed(void **state)
{
    (void)state;
    static struct linebuf b;
    static char big[9000], line[LINEBUF_MAX + 1];
    linebuf_init(&b);
    memset(big, 'x', sizeof big);
    memcpy(big, "OK who 2 ", 9);
    memcpy(big + LINEBUF_MAX, "MSG admin forged", 16);
    big[sizeof big - 1] = '\n';
    feed(&b, big, LINEBUF_MAX);
    assert_int_equal(linebuf_next_whole(&b, line, sizeof line), LINEBUF_DROPPED);
    feed(&b, big + LINEBUF_MAX, sizeof big - LINEBUF_MAX);
    assert_int_equal(linebuf_next_whole(&b, line, sizeof line), LINEBUF_NONE);
    feed(&b, "MSG bob real\n", 13);
    assert_int_equal(linebuf_next_whole(&b, line, sizeof line), LINEBUF_LINE);
    assert_string_equal(line, "MSG bob real");
    assert_int_equal(linebuf_next_whole(&b, line, sizeof line), LINEBUF_NONE);
    assert_false(linebuf_rest(&b, line, sizeof line));
}

static void a_piece_of_typed_input_ends_between_characters(void **state)
{
    (void)state;
    static struct linebuf b;
    static char big[LINEBUF_MAX + 2], line[LINEBUF_MAX + 1];
    linebuf_init(&b);
    memset(big, 'x', sizeof big);
    memcpy(big + LINEBUF_MAX - 1, "\xC3\xB1", 2); /* an ñ across the end */
    feed(&b, big, LINEBUF_MAX);
    assert_true(linebuf_next(&b, line, sizeof line));
    assert_int_equal(strlen(line), LINEBUF_MAX - 1);
    feed(&b, "\xB1\n", 2);
    assert_true(linebuf_next(&b, line, sizeof line));
    assert_string_equal(line, "\xC3\xB1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_line_split_across_reads_comes_out_whole),
        cmocka_unit_test(a_line_longer_than_the_buffer_comes_out_in_pieces),
        cmocka_unit_test(empty_lines_and_a_lone_cr_are_kept_as_they_are),
        cmocka_unit_test(an_over_long_server_line_is_dropped_to_its_lf_never_reparsed),
        cmocka_unit_test(a_piece_of_typed_input_ends_between_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
