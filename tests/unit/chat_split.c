/* Unit tests for chat/split.c: an input line too long for chatd becomes
 * lines that fit, cut between UTF-8 characters, each still the same kind
 * of message, and together the whole text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "chat/split.h"

static void cuts_never_fall_inside_a_character(void **state)
{
    (void)state;
    const char *s = "ab\xC3\xB1"
                    "c\xE2\x82\xAC"
                    "d\xF0\x9F\x98\x80"; /* a b ñ c € d 😀 */
    size_t len = strlen(s);
    /* max -> where the cut lands */
    static const size_t want[][2] = {{2, 2}, {3, 2}, {4, 4},  {5, 5},  {6, 5},  {7, 5},
                                     {8, 8}, {9, 9}, {10, 9}, {11, 9}, {12, 9}, {13, 13}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        print_message("max %zu\n", want[i][0]);
        assert_int_equal(split_utf8_cut(s, len, want[i][0]), want[i][1]);
    }
    /* Invalid bytes are characters of their own: the cut goes through. */
    assert_int_equal(split_utf8_cut("\x80\x80\x80\x80\x80", 5, 3), 3);
    assert_int_equal(split_utf8_whole("x\xE2\x82", 3), 1);
    assert_int_equal(split_utf8_whole("x\xE2\x82\xAC", 4), 4);
}

/* Splits line with max bytes per line; joins the pieces' text (after
 * prefix, with a public piece's extra '/' removed) into joined. */
static size_t split_all(const char *line, size_t max, const char *prefix, char *joined, size_t cap)
{
    struct split sp;
    char piece[256];
    size_t n = 0, plen = strlen(prefix);
    joined[0] = '\0';
    assert_int_equal(split_begin(&sp, line, max), SPLIT_PIECES);
    while (split_next(&sp, max, piece, sizeof piece)) {
        print_message("piece: %s\n", piece);
        assert_true(strlen(piece) <= max);
        assert_memory_equal(piece, prefix, plen);
        const char *text = piece + plen;
        if (plen == 0 && text[0] == '/') {
            assert_int_equal(text[1], '/'); /* never taken for a command */
            text++;
        }
        strncat(joined, text, cap - strlen(joined) - 1);
        n++;
    }
    return n;
}

static void messages_are_split_into_lines_that_fit_and_keep_their_kind(void **state)
{
    (void)state;
    char joined[512];
    /* 60 bytes of public text with a '/' where a cut may land. */
    const char *pub = "0123456789/quit now 0123456789 /who 0123456789 ñandú 01234567";
    assert_true(split_all(pub, 20, "", joined, sizeof joined) >= 3);
    assert_string_equal(joined, pub);

    char line[256];
    snprintf(line, sizeof line, "/msg bob %s", pub);
    assert_true(split_all(line, 30, "/msg bob ", joined, sizeof joined) >= 3);
    assert_string_equal(joined, pub);

    /* Spaces where /msg cuts land are not lost (chatd skips leading ones). */
    const char *spaced = "aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll";
    snprintf(line, sizeof line, "/msg bob %s", spaced);
    for (size_t max = 20; max < 30; max++) {
        struct split sp;
        char piece[64];
        assert_int_equal(split_begin(&sp, line, max), SPLIT_PIECES);
        while (split_next(&sp, max, piece, sizeof piece))
            assert_true(piece[strlen("/msg bob ")] != ' ');
    }
    snprintf(line, sizeof line, "/ME %s", pub);
    assert_true(split_all(line, 30, "/ME ", joined, sizeof joined) >= 3);
    assert_string_equal(joined, pub);

    /* "//x" is the public message "/x". */
    snprintf(line, sizeof line, "/%s", "/etc/passwd is a file, /usr/bin is a folder, and so on");
    split_all(line, 20, "", joined, sizeof joined);
    assert_string_equal(joined, line + 1);
}

static void short_lines_fit_and_other_commands_are_refused(void **state)
{
    (void)state;
    struct split sp;
    assert_int_equal(split_begin(&sp, "hello", 5), SPLIT_FITS);
    assert_int_equal(split_begin(&sp, "/nick abcdefghijklmnopqrstuvwxyz", 10), SPLIT_REFUSED);
    assert_int_equal(split_begin(&sp, "/quit a very long reason indeed", 10), SPLIT_REFUSED);
    /* "/msg" without a valid NAME field is not a message to split. */
    assert_int_equal(split_begin(&sp, "/msg abcdefghijklmnopqrstu text text", 20), SPLIT_REFUSED);
}

static void the_real_limit_is_chatds_line_limit_without_the_lf(void **state)
{
    (void)state;
    static char line[5001], piece[SPLIT_LINE_MAX + 1];
    memset(line, 'a', 5000);
    struct split sp;
    size_t n = 0, total = 0;
    assert_int_equal(SPLIT_LINE_MAX, 1023);
    assert_int_equal(split_begin(&sp, line, SPLIT_LINE_MAX), SPLIT_PIECES);
    while (split_next(&sp, SPLIT_LINE_MAX, piece, sizeof piece)) {
        assert_true(strlen(piece) + 1 <= PROTO_LINE_MAX);
        total += strlen(piece);
        n++;
    }
    assert_int_equal(total, 5000);
    assert_int_equal(n, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cuts_never_fall_inside_a_character),
        cmocka_unit_test(messages_are_split_into_lines_that_fit_and_keep_their_kind),
        cmocka_unit_test(short_lines_fit_and_other_commands_are_refused),
        cmocka_unit_test(the_real_limit_is_chatds_line_limit_without_the_lf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
