/* Unit tests for common/line.c: framing lines out of arbitrary reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/line.h"

/* A case feeds chunks (as separate reads) and expects this sequence of
 * results, "L:text" for a line and "TOO_LONG" for an over-long one. */
struct line_case {
    const char *name;
    const char *chunks[4];
    size_t chunk_len[4]; /* 0: strlen */
    const char *expect[6];
};

static char long_a[2100], at_limit[PROTO_LINE_MAX + 1], over_limit[PROTO_LINE_MAX + 2];
static char at_limit_crlf[PROTO_LINE_MAX + 1], expect_at_limit[PROTO_LINE_MAX + 8];
static char expect_at_limit_crlf[PROTO_LINE_MAX + 8];

static void make_inputs(void)
{
    memset(long_a, 'a', 2000);
    strcpy(long_a + 2000, "tail\nnext\n");
    /* PROTO_LINE_MAX bytes including the LF: the longest legal line. */
    memset(at_limit, 'b', PROTO_LINE_MAX - 1);
    at_limit[PROTO_LINE_MAX - 1] = '\n';
    snprintf(expect_at_limit, sizeof expect_at_limit, "L:%.*s", PROTO_LINE_MAX - 1, at_limit);
    memset(over_limit, 'c', PROTO_LINE_MAX);
    over_limit[PROTO_LINE_MAX] = '\n';
    memset(at_limit_crlf, 'd', PROTO_LINE_MAX - 2);
    memcpy(at_limit_crlf + PROTO_LINE_MAX - 2, "\r\n", 2);
    snprintf(expect_at_limit_crlf, sizeof expect_at_limit_crlf, "L:%.*s", PROTO_LINE_MAX - 2,
             at_limit_crlf);
}

static const struct line_case cases[] = {
    {"one line", {"hello\n"}, {0}, {"L:hello"}},
    {"split across reads", {"hel", "lo wo", "rld\n"}, {0}, {"L:hello world"}},
    {"several lines in one read", {"a\nb\nc\n"}, {0}, {"L:a", "L:b", "L:c"}},
    {"CRLF removed", {"hi\r\n"}, {0}, {"L:hi"}},
    {"CR split from LF", {"hi\r", "\n"}, {0}, {"L:hi"}},
    {"lone CR kept", {"a\rb\n"}, {0}, {"L:a\rb"}},
    {"empty lines", {"\n\r\n"}, {0}, {"L:", "L:"}},
    {"partial line waits", {"no end"}, {0}, {NULL}},
    {"NUL inside a line",
     {"a\0b\n"},
     {4},
     {"L:a"}}, /* printed up to the NUL; length checked below */
    {"long line discarded to LF", {long_a}, {0}, {"TOO_LONG", "L:next"}},
    {"line exactly at the limit", {at_limit}, {0}, {expect_at_limit}},
    {"CRLF line at the limit", {at_limit_crlf}, {0}, {expect_at_limit_crlf}},
    {"one byte over the limit", {over_limit, "ok\n"}, {0}, {"TOO_LONG", "L:ok"}},
};

/* Feeds one case and collects the results as strings. */
static size_t run_case(const struct line_case *c, char out[][PROTO_LINE_MAX + 8], size_t *lens)
{
    struct line_buf b = {0};
    size_t n = 0;
    for (size_t i = 0; i < 4 && c->chunks[i] != NULL; i++) {
        size_t len = c->chunk_len[i] ? c->chunk_len[i] : strlen(c->chunks[i]);
        const char *p = c->chunks[i];
        while (len > 0) {
            size_t room;
            char *dst = line_buf_room(&b, &room);
            assert_non_null(dst);
            size_t k = len < room ? len : room;
            memcpy(dst, p, k);
            line_buf_added(&b, k);
            p += k;
            len -= k;
            char *line;
            size_t llen;
            enum line_status st;
            while ((st = line_buf_next(&b, &line, &llen)) != LINE_NEED_MORE) {
                assert_true(n < 6);
                lens[n] = llen;
                if (st == LINE_TOO_LONG)
                    snprintf(out[n++], PROTO_LINE_MAX + 8, "TOO_LONG");
                else
                    snprintf(out[n++], PROTO_LINE_MAX + 8, "L:%s", line);
            }
            line_buf_release(&b);
        }
    }
    line_buf_free(&b);
    return n;
}

static void lines_are_framed_as_the_protocol_says(void **state)
{
    (void)state;
    static char got[6][PROTO_LINE_MAX + 8];
    size_t lens[6];
    make_inputs();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct line_case *c = &cases[i];
        print_message("case: %s\n", c->name);
        size_t n = run_case(c, got, lens);
        size_t want = 0;
        while (want < 6 && c->expect[want] != NULL)
            want++;
        assert_int_equal(n, want);
        for (size_t k = 0; k < n; k++)
            assert_string_equal(got[k], c->expect[k]);
    }
}

static void nul_bytes_keep_the_full_length(void **state)
{
    (void)state;
    struct line_buf b = {0};
    size_t room;
    char *dst = line_buf_room(&b, &room);
    memcpy(dst, "a\0b\n", 4);
    line_buf_added(&b, 4);
    char *line;
    size_t len;
    assert_int_equal(line_buf_next(&b, &line, &len), LINE_READY);
    assert_int_equal(len, 3);
    assert_memory_equal(line, "a\0b", 3);
    line_buf_free(&b);
}

static void storage_is_freed_when_empty_and_partial_is_reported(void **state)
{
    (void)state;
    struct line_buf b = {0};
    size_t room;
    char *dst = line_buf_room(&b, &room);
    assert_int_equal(room, LINE_BUF_CAP);
    memcpy(dst, "abc\nde", 6);
    line_buf_added(&b, 6);
    assert_true(line_buf_has_line(&b));
    char *line;
    size_t len;
    assert_int_equal(line_buf_next(&b, &line, &len), LINE_READY);
    assert_false(line_buf_has_line(&b));
    assert_true(line_buf_partial(&b));
    line_buf_release(&b);
    assert_non_null(b.data); /* "de" is still held */
    dst = line_buf_room(&b, &room);
    memcpy(dst, "\n", 1);
    line_buf_added(&b, 1);
    assert_int_equal(line_buf_next(&b, &line, &len), LINE_READY);
    assert_string_equal(line, "de");
    assert_false(line_buf_partial(&b));
    line_buf_release(&b);
    assert_null(b.data);
}

static void raw_bytes_follow_a_line(void **state)
{
    (void)state;
    struct line_buf b = {0};
    size_t room;
    char *dst = line_buf_room(&b, &room);
    memcpy(dst, "ECHO 3\n\n\0xrest", 14);
    line_buf_added(&b, 14);
    char *line;
    size_t len;
    assert_int_equal(line_buf_next(&b, &line, &len), LINE_READY);
    assert_string_equal(line, "ECHO 3");
    const char *raw;
    assert_int_equal(line_buf_take(&b, 3, &raw), 3);
    assert_memory_equal(raw, "\n\0x", 3);
    const char *peek;
    assert_int_equal(line_buf_peek(&b, &peek), 4);
    assert_memory_equal(peek, "rest", 4);
    line_buf_free(&b);
}

/* Bound on memory and on error reports: 1 MiB without an LF is held at
 * most LINE_BUF_CAP bytes at a time and reported once, however it is read;
 * the line after it is read normally. */
static void an_endless_line_costs_one_buffer_and_one_report(void **state)
{
    (void)state;
    struct line_buf b = {0};
    size_t fed = 0, too_long = 0, lines = 0;
    char *line, got[8] = "";
    size_t len;
    while (fed < (1u << 20) + 3) {
        size_t room;
        char *dst = line_buf_room(&b, &room);
        assert_non_null(dst);
        assert_true(b.len + room == LINE_BUF_CAP);
        size_t k = room < 777 ? room : 777; /* reads that do not align with anything */
        bool last = fed + k >= (1u << 20);
        memset(dst, 'x', k);
        if (last) {
            k = (1u << 20) - fed;
            memcpy(dst + k, "\nok\n", 4);
            k += 4;
        }
        line_buf_added(&b, k);
        fed += k;
        enum line_status st;
        while ((st = line_buf_next(&b, &line, &len)) != LINE_NEED_MORE) {
            too_long += st == LINE_TOO_LONG;
            lines += st == LINE_READY;
            if (st == LINE_READY) /* the line lives in the buffer until release */
                snprintf(got, sizeof got, "%s", line);
        }
        line_buf_release(&b);
    }
    assert_int_equal(too_long, 1);
    assert_int_equal(lines, 1);
    assert_string_equal(got, "ok");
    assert_null(b.data);
}

/* Bound when lines are not taken (chatd under its flood limit): the buffer
 * fills to LINE_BUF_CAP, offers no more room, and every line comes out. */
static void lines_not_taken_fill_the_buffer_and_no_more(void **state)
{
    (void)state;
    struct line_buf b = {0};
    size_t room, held = 0;
    char *dst;
    while ((dst = line_buf_room(&b, &room)) != NULL && room > 0) {
        size_t k = room < 2 ? room : 2;
        memcpy(dst, "a\n", k);
        line_buf_added(&b, k);
        held += k;
    }
    assert_non_null(dst);
    assert_int_equal(held, LINE_BUF_CAP);
    char *line;
    size_t len, lines = 0;
    while (line_buf_next(&b, &line, &len) == LINE_READY) {
        assert_string_equal(line, "a");
        lines++;
    }
    assert_int_equal(lines, LINE_BUF_CAP / 2);
    line_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines_are_framed_as_the_protocol_says),
        cmocka_unit_test(nul_bytes_keep_the_full_length),
        cmocka_unit_test(storage_is_freed_when_empty_and_partial_is_reported),
        cmocka_unit_test(raw_bytes_follow_a_line),
        cmocka_unit_test(an_endless_line_costs_one_buffer_and_one_report),
        cmocka_unit_test(lines_not_taken_fill_the_buffer_and_no_more),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
