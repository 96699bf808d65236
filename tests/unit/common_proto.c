/* Unit tests for common/proto.c: names, tokens, client lines, server lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "common/proto.h"
#include "common_guard.h"

struct name_case {
    const char *name;
    bool valid;
};

static const struct name_case name_cases[] = {
    {"alice", true},
    {"Bob_2", true},
    {"a", true},
    {"x-y", true},
    {"abcdefghijklmnop", true},   /* 16: the limit */
    {"abcdefghijklmnopq", false}, /* 17 */
    {"", false},
    {"2fast", false},
    {"_x", false},
    {"-x", false},
    {"al ice", false},
    {"al.ice", false},
    {"jos\xC3\xA9", false}, /* non-ASCII letters are not allowed */
    {"/nick", false},
};

static void names_are_validated(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof name_cases / sizeof name_cases[0]; i++) {
        print_message("name \"%s\"\n", name_cases[i].name);
        assert_int_equal(proto_name_valid(name_cases[i].name, strlen(name_cases[i].name)),
                         name_cases[i].valid);
    }
}

static void names_compare_ignoring_ascii_case(void **state)
{
    (void)state;
    assert_true(proto_name_equal("Alice", "aLICE"));
    assert_true(proto_name_equal("x_Y-1", "X_y-1"));
    assert_false(proto_name_equal("alice", "alicea"));
    assert_false(proto_name_equal("bob", "rob"));
}

/* docs/protocol.md, "Names": look-alike ASCII stays distinct on purpose. */
static void look_alike_names_stay_distinct(void **state)
{
    (void)state;
    assert_true(proto_name_valid("AIice", 5) && proto_name_valid("Alice", 5));
    assert_false(proto_name_equal("AIice", "Alice")); /* capital I, lower-case l */
    assert_false(proto_name_equal("B0b", "BOb"));     /* zero, capital O */
    assert_false(proto_name_equal("l1nus", "linus"));
}

/* Work bound: a name or token is judged by its length before any byte is
 * read, so a 1 MiB "name" costs nothing.  Only PROTO_TOKEN_MAX + 1 bytes
 * are readable here; reading further would fault. */
static void names_and_tokens_are_judged_by_length_first(void **state)
{
    (void)state;
    struct guard g;
    char *s = guard_alloc(&g, PROTO_TOKEN_MAX + 1, 'a');
    assert_non_null(s);
    assert_false(proto_name_valid(s, PROTO_NAME_MAX + 1));
    assert_false(proto_name_valid(s, (size_t)1 << 20));
    assert_true(proto_name_valid(s + PROTO_TOKEN_MAX + 1 - PROTO_NAME_MAX, PROTO_NAME_MAX));
    assert_false(proto_token_valid(s, PROTO_TOKEN_MAX + 1));
    assert_false(proto_token_valid(s, (size_t)1 << 20));
    assert_true(proto_token_valid(s + 1, PROTO_TOKEN_MAX));
    guard_free(&g);
}

static void tokens_are_validated(void **state)
{
    (void)state;
    assert_true(proto_token_valid("1732412345", 10));
    assert_true(proto_token_valid("c42_-x", 6));
    assert_true(proto_token_valid("abcdefghijabcdefghijabcdefghij12", 32));
    assert_false(proto_token_valid("abcdefghijabcdefghijabcdefghij123", 33));
    assert_false(proto_token_valid("", 0));
    assert_false(proto_token_valid("a b", 3));
}

struct input_case {
    const char *line;
    enum proto_input_kind kind;
    const char *cmd;  /* command name, or NULL */
    const char *text; /* text or arguments */
};

static const struct input_case input_cases[] = {
    {"", PROTO_EMPTY, NULL, ""},
    {"hello", PROTO_TEXT, NULL, "hello"},
    {" /not a command", PROTO_TEXT, NULL, " /not a command"},
    {"//text", PROTO_TEXT, NULL, "/text"},
    {"//", PROTO_TEXT, NULL, "/"},
    {"/who", PROTO_COMMAND, "who", ""},
    {"/WHO", PROTO_COMMAND, "WHO", ""},
    {"/msg bob hi there", PROTO_COMMAND, "msg", "bob hi there"},
    {"/", PROTO_COMMAND, "", ""},
    {"/me  waves", PROTO_COMMAND, "me", " waves"},
};

static void client_lines_are_classified(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof input_cases / sizeof input_cases[0]; i++) {
        const struct input_case *c = &input_cases[i];
        struct proto_input in;
        print_message("line \"%s\"\n", c->line);
        proto_parse_input(c->line, strlen(c->line), &in);
        assert_int_equal(in.kind, c->kind);
        assert_int_equal(in.len, strlen(c->text));
        assert_memory_equal(in.text, c->text, in.len);
        if (c->cmd != NULL) {
            assert_int_equal(in.cmd_len, strlen(c->cmd));
            assert_memory_equal(in.cmd, c->cmd, in.cmd_len);
        }
    }
}

struct split_case {
    const char *args;
    int max;
    bool rest;
    int count; /* -1: too many */
    const char *argv[3];
};

static const struct split_case split_cases[] = {
    {"", 0, false, 0, {NULL}},
    {"x", 0, false, -1, {NULL}},
    {"newname", 1, false, 1, {"newname"}},
    {"two words", 1, false, -1, {NULL}},
    {"  padded  ", 1, false, 1, {"padded"}},
    {"bob hi there  you", 2, true, 2, {"bob", "hi there  you"}},
    {"bob", 2, true, 1, {"bob"}},
    {"gotta go now", 1, true, 1, {"gotta go now"}},
    {"", 1, true, 0, {NULL}},
};

static void arguments_split_with_rest_of_line(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof split_cases / sizeof split_cases[0]; i++) {
        const struct split_case *c = &split_cases[i];
        char buf[64];
        char *argv[PROTO_ARGS_MAX];
        snprintf(buf, sizeof buf, "%s", c->args);
        print_message("args \"%s\" max %d rest %d\n", c->args, c->max, c->rest);
        int n = proto_split_args(buf, c->max, c->rest, argv);
        assert_int_equal(n, c->count);
        for (int k = 0; k < n; k++)
            assert_string_equal(argv[k], c->argv[k]);
    }
}

/* Work bound: splitting stops at the first word past max (or, with rest,
 * at the start of the last argument) and never looks further.  The words
 * here run straight into an unreadable page, with no NUL. */
static void splitting_stops_at_the_argument_limit(void **state)
{
    (void)state;
    static const char words[] = "a b c d e";
    struct guard g;
    char *s = guard_alloc(&g, sizeof words - 1, ' ');
    assert_non_null(s);
    char *argv[PROTO_ARGS_MAX];
    memcpy(s, words, sizeof words - 1); /* 5 words, then the guard page */
    assert_int_equal(proto_split_args(s, PROTO_ARGS_MAX, false, argv), -1);
    memcpy(s, words, sizeof words - 1);
    assert_int_equal(proto_split_args(s, PROTO_ARGS_MAX, true, argv), PROTO_ARGS_MAX);
    assert_string_equal(argv[0], "a");
    assert_ptr_equal(argv[PROTO_ARGS_MAX - 1], s + 6); /* "d e", up to the guard */
    guard_free(&g);
}

static void server_lines_end_in_lf_even_when_truncated(void **state)
{
    (void)state;
    char out[32];
    size_t n = proto_format(out, sizeof out, "MSG %s %s", "alice", "hi");
    assert_int_equal(n, strlen("MSG alice hi\n"));
    assert_string_equal(out, "MSG alice hi\n");
    n = proto_format(out, sizeof out, "MSG %s %s", "alice", "a very long text that will not fit");
    assert_int_equal(n, sizeof out - 1);
    assert_int_equal(out[n - 1], '\n');
    assert_int_equal(out[n], '\0');
    assert_memory_equal(out, "MSG alice a very long text ", 27);
    n = proto_format(out, 2, "%s", "x");
    assert_string_equal(out, "\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_are_validated),
        cmocka_unit_test(names_compare_ignoring_ascii_case),
        cmocka_unit_test(look_alike_names_stay_distinct),
        cmocka_unit_test(names_and_tokens_are_judged_by_length_first),
        cmocka_unit_test(tokens_are_validated),
        cmocka_unit_test(client_lines_are_classified),
        cmocka_unit_test(arguments_split_with_rest_of_line),
        cmocka_unit_test(splitting_stops_at_the_argument_limit),
        cmocka_unit_test(server_lines_end_in_lf_even_when_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
