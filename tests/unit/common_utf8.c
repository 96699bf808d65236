/* Unit tests for common/utf8.c: what reaches other users' terminals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/utf8.h"
#include "common_guard.h"

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
    /* Characters that reorder or hide text (docs/protocol.md). */
    {"RLO U+202E replaced",
     "txt\xE2\x80\xAE"
     "exe.doc",
     0, "txt" R "exe.doc"},
    {"LRE..PDF U+202A-202C replaced", "\xE2\x80\xAA\xE2\x80\xAB\xE2\x80\xAC", 0, R R R},
    {"LRO U+202D replaced", "\xE2\x80\xAD", 0, R},
    {"isolates U+2066-2069 replaced", "\xE2\x81\xA6x\xE2\x81\xA7\xE2\x81\xA8\xE2\x81\xA9", 0,
     R "x" R R R},
    {"LRM, RLM and ALM replaced", "\xE2\x80\x8E\xE2\x80\x8F\xD8\x9C", 0, R R R},
    {"zero width space replaced", "ad\xE2\x80\x8Bmin", 0, "ad" R "min"},
    {"word joiner and invisible plus replaced", "\xE2\x81\xA0\xE2\x81\xA4", 0, R R},
    {"BOM U+FEFF replaced", "\xEF\xBB\xBFhi", 0, R "hi"},
    {"line and paragraph separators replaced",
     "a\xE2\x80\xA8"
     "b\xE2\x80\xA9",
     0, "a" R "b" R},
    {"interlinear annotation replaced", "\xEF\xBF\xB9x\xEF\xBF\xBB", 0, R "x" R},
    {"tag characters (4 bytes) replaced by one U+FFFD", "\xF3\xA0\x80\x81\xF3\xA0\x81\xBF", 0, R R},
    {"ZWJ emoji sequence kept", "\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB", 0,
     "\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB"},
    {"ZWNJ kept (Persian)", "\xD9\x85\xE2\x80\x8C\xD9\x89", 0, "\xD9\x85\xE2\x80\x8C\xD9\x89"},
    {"Hebrew and Arabic letters kept",
     "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xD8\xB3\xD9\x84\xD8\xA7\xD9\x85", 0,
     "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xD8\xB3\xD9\x84\xD8\xA7\xD9\x85"},
    {"neighbours of the ranges kept",
     "\xE2\x80\x8A\xE2\x80\xAF\xE2\x81\xA5\xE2\x81\xAA\xEF\xBB\xBE", 0,
     "\xE2\x80\x8A\xE2\x80\xAF\xE2\x81\xA5\xE2\x81\xAA\xEF\xBB\xBE"},
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

/* Work bound: the input is read only as far as the output has room.  The
 * input claims 16 MiB but only 64 bytes are readable before an unmapped
 * page; with an 8-byte output the sanitiser must stop long before. */
static void work_stops_when_the_output_is_full(void **state)
{
    (void)state;
    struct guard g;
    char *in = guard_alloc(&g, 64, 'a');
    assert_non_null(in);
    char out[8];
    assert_int_equal(utf8_sanitize(in, (size_t)16 << 20, out, sizeof out), 7);
    assert_string_equal(out, "aaaaaaa");
    /* The same with invalid bytes, each of which becomes 3 output bytes. */
    memset(in, 0xFF, 64);
    assert_int_equal(utf8_sanitize(in, (size_t)16 << 20, out, sizeof out), 6);
    assert_string_equal(out, R R);
    guard_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_is_sanitized_as_documented),
        cmocka_unit_test(worst_case_fits_the_documented_capacity),
        cmocka_unit_test(small_output_stops_at_a_whole_character),
        cmocka_unit_test(work_stops_when_the_output_is_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
