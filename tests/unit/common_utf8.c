/* Unit tests for common/utf8.c: what reaches other users' terminals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/utf8.h"

#define R "\xEF\xBF\xBD" /* U+FFFD */

struct utf8_case {
    const char *name;
    const char *in;
    size_t len; /* 0: strlen */
    const char *out;
};

static const struct utf8_case cases[] = {
    {"ASCII unchanged", "hello, world", 0, "hello, world"},
    {"2-byte (é) unchanged", "caf\xC3\xA9", 0, "caf\xC3\xA9"},
    {"3-byte (€) unchanged", "\xE2\x82\xAC 5", 0, "\xE2\x82\xAC 5"},
    {"4-byte (emoji) unchanged", "\xF0\x9F\x98\x80", 0, "\xF0\x9F\x98\x80"},
    {"Spanish ¿ñ? unchanged", "\xC2\xBF\xC3\xB1?", 0, "\xC2\xBF\xC3\xB1?"},
    {"TAB becomes a space", "a\tb", 0, "a b"},
    {"ESC (terminal escape) replaced", "\x1B[31mred", 0, R "[31mred"},
    {"NUL replaced", "a\0b", 3, "a" R "b"},
    {"BEL and DEL replaced", "\x07x\x7F", 0, R "x" R},
    {"C1 control U+0085 replaced", "a\xC2\x85z", 0, "a" R "z"},
    {"C1 CSI U+009B replaced", "\xC2\x9B", 0, R},
    {"U+00A0 kept (first after C1)", "\xC2\xA0", 0, "\xC2\xA0"},
    {"overlong 2-byte '/' per byte", "\xC0\xAF", 0, R R},
    {"overlong 3-byte per byte", "\xE0\x80\xAF", 0, R R R},
    {"overlong 4-byte per byte", "\xF0\x80\x80\xAF", 0, R R R R},
    {"surrogate U+D800 invalid", "\xED\xA0\x80", 0, R R R},
    {"above U+10FFFF invalid", "\xF4\x90\x80\x80", 0, R R R R},
    {"F5 lead invalid", "\xF5\x80", 0, R R},
    {"lone continuation byte", "a\x80z", 0, "a" R "z"},
    {"truncated 3-byte at end", "ok\xE2\x82", 0, "ok" R R},
    {"truncated 2-byte then ASCII", "\xC3x", 0, R "x"},
    {"0xFF byte", "\xFF", 0, R},
    {"U+10FFFF kept", "\xF4\x8F\xBF\xBF", 0, "\xF4\x8F\xBF\xBF"},
};

static void text_is_sanitized_as_documented(void **state)
{
    (void)state;
    char out[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct utf8_case *c = &cases[i];
        size_t len = c->len ? c->len : strlen(c->in);
        print_message("case: %s\n", c->name);
        size_t n = utf8_sanitize(c->in, len, out, sizeof out);
        assert_int_equal(n, strlen(c->out));
        assert_string_equal(out, c->out);
    }
}

static void worst_case_fits_the_documented_capacity(void **state)
{
    (void)state;
    char in[100], out[UTF8_SANITIZED_CAP(100)];
    memset(in, 0xFF, sizeof in);
    assert_int_equal(utf8_sanitize(in, sizeof in, out, sizeof out), 300);
}

static void small_output_stops_at_a_whole_character(void **state)
{
    (void)state;
    char out[6];
    /* "a" + U+FFFD fits in 5 bytes (+NUL); the next U+FFFD does not. */
    assert_int_equal(utf8_sanitize("a\x01\x02", 3, out, sizeof out), 4);
    assert_string_equal(out, "a" R);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_is_sanitized_as_documented),
        cmocka_unit_test(worst_case_fits_the_documented_capacity),
        cmocka_unit_test(small_output_stops_at_a_whole_character),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
