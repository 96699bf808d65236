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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_line_split_across_reads_comes_out_whole),
        cmocka_unit_test(a_line_longer_than_the_buffer_comes_out_in_pieces),
        cmocka_unit_test(empty_lines_and_a_lone_cr_are_kept_as_they_are),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
