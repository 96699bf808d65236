/* Unit tests for chat/opts.c: defaults, accepted forms, and every bad
 * value rejected with the value quoted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "chat/opts.h"

#define MAX_ARGS 8

struct bad_case {
    const char *args[MAX_ARGS]; /* after argv[0], NULL-terminated */
    const char *message;        /* a phrase the error must contain */
};

static const struct bad_case bad_cases[] = {
    {{"--timeout", "0"}, "invalid --timeout \"0\""},
    {{"--timeout", "601"}, "invalid --timeout \"601\""},
    {{"--timeout", "5s"}, "invalid --timeout \"5s\""},
    {{"--timeout", "-1"}, "invalid --timeout \"-1\""},
    {{"--timeout=", NULL}, "invalid --timeout \"\""},
    /* The wording of common/opt.c, shared by the three programs. */
    {{"--timeout"}, "--timeout needs a value (SEC)"},
    {{"--name"}, "--name needs a value (NAME)"},
    {{"--name", "9lives"}, "invalid --name \"9lives\""},
    {{"--name", "a b"}, "invalid --name \"a b\""},
    {{"--name", "abcdefghijklmnopq"}, "invalid --name \"abcdefghijklmnopq\""},
    {{"--name", "%n%s"}, "invalid --name \"%n%s\""},
    {{"--bogus"}, "unknown option \"--bogus\""},
    {{"-x"}, "unknown option \"-x\""},
    {{"--raw=yes"}, "--raw takes no value, got \"yes\""},
    {{"host", "0"}, "invalid PORT \"0\""},
    {{"host", "65536"}, "invalid PORT \"65536\""},
    {{"host", "http"}, "invalid PORT \"http\""},
    {{"host", "80x"}, "invalid PORT \"80x\""},
    {{""}, "invalid HOST \"\""},
    {{"a", "1", "extra"}, "unexpected argument \"extra\""},
    {{"http://13.58.224.87:8888"}, "is a URL; give the server's address and port instead"},
    {{"13.58.224.87:8888", "9000"}, "the port is given twice"},
    {{"13.58.224.87:0"}, "use HOST, HOST:PORT or [IPv6]:PORT"},
    {{"[::1"}, "use HOST, HOST:PORT or [IPv6]:PORT"},
    {{"   "}, "invalid HOST \"   \""},
    {{"--greet-timeout", "0"}, "--greet-timeout: \"0\""},
};

/* Builds argv from args and parses it. */
static int parse(const char *const args[MAX_ARGS], struct chat_opts *o, char *err, size_t cap)
{
    char *argv[MAX_ARGS + 2] = {"chat"};
    int argc = 1;
    for (int i = 0; i < MAX_ARGS && args[i] != NULL; i++)
        argv[argc++] = (char *)args[i];
    argv[argc] = NULL;
    return opts_parse(argc, argv, o, err, cap);
}

static void bad_values_are_rejected_and_quoted(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        struct chat_opts o;
        char err[256];
        print_message("case %zu: expect %s\n", i, bad_cases[i].message);
        assert_int_equal(parse(bad_cases[i].args, &o, err, sizeof err), -1);
        print_message("   got: %s\n", err);
        assert_non_null(strstr(err, bad_cases[i].message));
    }
}

static void defaults_are_loopback_port_8888_and_5_seconds(void **state)
{
    (void)state;
    struct chat_opts o;
    char err[256];
    const char *const none[MAX_ARGS] = {NULL};
    assert_int_equal(parse(none, &o, err, sizeof err), 0);
    assert_string_equal(o.host, "127.0.0.1");
    assert_string_equal(o.port, "8888");
    assert_int_equal(o.timeout_sec, 5);
    assert_null(o.name);
    assert_false(o.raw || o.no_color || o.help || o.version);
}

static void every_option_form_is_accepted(void **state)
{
    (void)state;
    struct chat_opts o;
    char err[256];
    const char *const a[MAX_ARGS] = {"--name=Ana_1", "--timeout",   "600", "--raw",
                                     "--no-color",   "srv.example", "9000"};
    assert_int_equal(parse(a, &o, err, sizeof err), 0);
    assert_string_equal(o.name, "Ana_1");
    assert_int_equal(o.timeout_sec, 600);
    assert_true(o.raw && o.no_color);
    assert_string_equal(o.host, "srv.example");
    assert_string_equal(o.port, "9000");

    const char *const b[MAX_ARGS] = {"-n", "bob", "-t", "1", "-h", "-V", "--", "::1"};
    assert_int_equal(parse(b, &o, err, sizeof err), 0);
    assert_string_equal(o.name, "bob");
    assert_int_equal(o.timeout_sec, 1);
    assert_true(o.help && o.version);
    assert_string_equal(o.host, "::1");
    assert_string_equal(o.port, "8888");
}

/* What students paste: host:port, an IPv6 literal in brackets, spaces. */
static void host_port_forms_are_split(void **state)
{
    (void)state;
    static const struct {
        const char *args[3];
        const char *host, *port;
    } forms[] = {
        {{"13.58.224.87:8888"}, "13.58.224.87", "8888"},
        {{" 13.58.224.87:9000 "}, "13.58.224.87", "9000"},
        {{"[2001:db8::1]:8888"}, "2001:db8::1", "8888"},
        {{"[::1]"}, "::1", "8888"},
        {{"2001:db8::1", "7000"}, "2001:db8::1", "7000"},
        {{"srv.example"}, "srv.example", "8888"},
        {{" srv.example ", "81"}, "srv.example", "81"},
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        const char *args[MAX_ARGS] = {forms[i].args[0], forms[i].args[1]};
        struct chat_opts o;
        char err[256];
        print_message("form \"%s\"\n", args[0]);
        assert_int_equal(parse(args, &o, err, sizeof err), 0);
        assert_string_equal(o.host, forms[i].host);
        assert_string_equal(o.port, forms[i].port);
    }
}

static void greet_timeout_and_no_reconnect_are_parsed(void **state)
{
    (void)state;
    struct chat_opts o;
    char err[256];
    const char *const none[MAX_ARGS] = {NULL};
    assert_int_equal(parse(none, &o, err, sizeof err), 0);
    assert_true(o.greet_timeout_sec == 3.0);
    assert_false(o.no_reconnect);
    const char *const a[MAX_ARGS] = {"--greet-timeout", "0.5", "--no-reconnect"};
    assert_int_equal(parse(a, &o, err, sizeof err), 0);
    assert_true(o.greet_timeout_sec == 0.5);
    assert_true(o.no_reconnect);
}

static void help_lists_every_option_and_the_exit_codes(void **state)
{
    (void)state;
    char text[4096] = "";
    FILE *f = fmemopen(text, sizeof text - 1, "w");
    assert_non_null(f);
    opts_usage(f);
    fclose(f);
    static const char *const must[] = {
        "--name",          "--timeout",        "--raw",
        "--no-color",      "--help",           "--version",
        "--greet-timeout", "--no-reconnect",   "HOST[:PORT]",
        "exit status:",    "  2  bad command", "run: netprobe HOST PORT"};
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++)
        assert_non_null(strstr(text, must[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_values_are_rejected_and_quoted),
        cmocka_unit_test(defaults_are_loopback_port_8888_and_5_seconds),
        cmocka_unit_test(every_option_form_is_accepted),
        cmocka_unit_test(host_port_forms_are_split),
        cmocka_unit_test(greet_timeout_and_no_reconnect_are_parsed),
        cmocka_unit_test(help_lists_every_option_and_the_exit_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
