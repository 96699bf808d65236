/* Unit tests for chat/render.c: every server line kind as people see it,
 * and hostile text that must stay inert. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "chat/render.h"

struct render_case {
    const char *me; /* our name, NULL before naming */
    const char *line;
    enum render_kind kind;
    const char *shown;
};

static const struct render_case plain_cases[] = {
    {"bob", "MSG alice hello everyone", RENDER_MSG, "<alice> hello everyone"},
    {"bob", "MSG alice ", RENDER_MSG, "<alice> "},
    {"bob", "MSG alice", RENDER_MSG, "<alice> "},
    {"bob", "PRIV alice bob psst", RENDER_PRIV, "*alice* psst"},
    {"alice", "PRIV alice bob psst", RENDER_PRIV, "-> *bob* psst"},
    {"ALICE", "PRIV alice bob psst", RENDER_PRIV, "-> *bob* psst"}, /* names ignore case */
    {NULL, "PRIV alice bob psst", RENDER_PRIV, "*alice* psst"},
    {"bob", "ACT alice waves", RENDER_ACT, "* alice waves"},
    {"bob", "NOTICE welcome chatd 1.0.0 on h: 2 online.", RENDER_NOTICE,
     "-- chatd 1.0.0 on h: 2 online."},
    {"bob", "NOTICE join carol carol joined (3 online)", RENDER_NOTICE,
     "-- carol joined (3 online)"},
    {"bob", "NOTICE leave carol carol left (quit: bye)", RENDER_NOTICE,
     "-- carol left (quit: bye)"},
    {"bob", "NOTICE rename carol dave carol is now dave", RENDER_NOTICE, "-- carol is now dave"},
    {"bob", "NOTICE flood slow down", RENDER_NOTICE, "-- slow down"},
    {"bob", "NOTICE shutdown the server is stopping", RENDER_NOTICE, "-- the server is stopping"},
    {"bob", "NOTICE newevent some text", RENDER_NOTICE, "-- some text"},
    {"bob", "NOTICE newevent", RENDER_NOTICE, "-- newevent"}, /* never silent */
    {"bob", "NOTICE presence 37 5 10000 37 joined and 5 left in the last second (10000 online)",
     RENDER_NOTICE, "-- 37 joined and 5 left in the last second (10000 online)"},
    {"bob", "OK who+ dave erin", RENDER_OK, "--    dave erin"},
    {"bob", "OK name bob welcome, bob!", RENDER_OK, "-- welcome, bob!"},
    {"bob", "OK nick robert you are now robert", RENDER_OK, "-- you are now robert"},
    {"bob", "OK who 3 alice bob carol", RENDER_OK, "-- online (3): alice bob carol"},
    {"bob", "OK help /who  list who is online", RENDER_OK, "-- /who  list who is online"},
    {"bob", "OK quit bye", RENDER_OK, "-- bye"},
    {"bob", "ERR name_taken the name \"bob\" is taken; choose another", RENDER_ERR,
     "!! the name \"bob\" is taken; choose another"},
    {"bob", "ERR timeout", RENDER_ERR, "!! error"},
    {NULL, "ASK name Choose a name: 1-16 letters", RENDER_ASK, "?? Choose a name: 1-16 letters"},
    {"bob", "PING 1732412345", RENDER_HIDDEN, ""},
    {"bob", "PONG c1", RENDER_HIDDEN, ""},
    {"bob", "", RENDER_HIDDEN, ""},
    {"bob", "DIAG chatd 1.0.0: every byte you send is echoed back", RENDER_OTHER,
     "DIAG chatd 1.0.0: every byte you send is echoed back"},
    {"bob", "MSGX alice hi", RENDER_OTHER, "MSGX alice hi"},
    /* Hostile text stays inert: formats are printed, controls replaced. */
    {"bob", "MSG alice %s%s%n%x %p", RENDER_MSG, "<alice> %s%s%n%x %p"},
    {"bob", "MSG alice \033[2J\033]0;pwned\007", RENDER_MSG,
     "<alice> \xEF\xBF\xBD[2J\xEF\xBF\xBD]0;pwned\xEF\xBF\xBD"},
    {"bob", "MSG \033[31mx hi", RENDER_MSG, "<\xEF\xBF\xBD[31mx> hi"},
    {"bob", "NOTICE join a a\rb", RENDER_NOTICE,
     "-- a\xEF\xBF\xBD"
     "b"},
    {"bob", "ZZZ \xC0\xAF\xFF", RENDER_OTHER, "ZZZ \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
    {"bob", "MSG alice ¿me oyes? ñandú", RENDER_MSG, "<alice> ¿me oyes? ñandú"},
};

static void every_line_kind_renders_for_people(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof plain_cases / sizeof plain_cases[0]; i++) {
        const struct render_case *c = &plain_cases[i];
        struct render_ctx ctx = {c->me, false};
        char out[512];
        print_message("case \"%s\"\n", c->line);
        assert_int_equal(render_line(c->line, &ctx, out, sizeof out), c->kind);
        assert_string_equal(out, c->shown);
    }
}

static void colors_wrap_the_text_and_always_reset(void **state)
{
    (void)state;
    struct render_ctx ctx = {"bob", true};
    char out[512];
    render_line("ERR no_such_user nobody called zed", &ctx, out, sizeof out);
    assert_string_equal(out, "\033[1;31m!! nobody called zed\033[0m");
    render_line("MSG alice hi", &ctx, out, sizeof out);
    assert_string_equal(out, "<\033[1malice\033[0m> hi");
    render_line("NOTICE join c c joined", &ctx, out, sizeof out);
    assert_string_equal(out, "\033[32m-- c joined\033[0m");
}

static void colors_are_off_without_color(void **state)
{
    (void)state;
    static const char *const lines[] = {"MSG a b",         "PRIV a bob c", "ACT a b",
                                        "NOTICE join a b", "OK who 1 a",   "ERR x y",
                                        "ASK name n"};
    struct render_ctx ctx = {"bob", false};
    char out[512];
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        render_line(lines[i], &ctx, out, sizeof out);
        assert_null(strchr(out, '\033'));
    }
}

static void long_text_is_truncated_but_the_color_is_reset(void **state)
{
    (void)state;
    char line[600], out[64];
    snprintf(line, sizeof line, "ACT alice %0500d", 0);
    struct render_ctx ctx = {"bob", true};
    render_line(line, &ctx, out, sizeof out);
    size_t n = strlen(out);
    assert_true(n < sizeof out);
    assert_string_equal(out + n - 4, "\033[0m");
    ctx.color = false;
    render_line(line, &ctx, out, sizeof out);
    assert_int_equal(strlen(out), sizeof out - 1);
}

/* Regression (fuzz/chat_render.c): with room for the color but not for
 * the reset after it, the color was written and the reset was not. */
static void a_short_buffer_never_leaves_the_terminal_colored(void **state)
{
    (void)state;
    const char *lines[] = {"ACT alice waves", "ERR timeout", "PRIV alice bob psst",
                           "NOTICE join bob bob joined"};
    struct render_ctx ctx = {"bob", true};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        for (size_t cap = 1; cap <= 24; cap++) {
            char out[24];
            render_line(lines[i], &ctx, out, cap);
            size_t n = strlen(out);
            print_message("line \"%s\" cap %zu: \"%s\"\n", lines[i], cap, out);
            assert_true(n < cap);
            const char *esc = strrchr(out, '\033');
            if (esc != NULL)
                assert_string_equal(esc, "\033[0m");
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_line_kind_renders_for_people),
        cmocka_unit_test(colors_wrap_the_text_and_always_reset),
        cmocka_unit_test(colors_are_off_without_color),
        cmocka_unit_test(long_text_is_truncated_but_the_color_is_reset),
        cmocka_unit_test(a_short_buffer_never_leaves_the_terminal_colored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
