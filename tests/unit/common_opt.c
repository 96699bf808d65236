/* Unit tests for common/opt.c: one table parses argv and prints --help. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/opt.h"

struct demo_opts {
    bool verbose, four;
    long port;
    double timeout;
    const char *json;
    int sizes;
};

/* A custom value: "a,b,c" counts its items; an empty item is an error. */
static int parse_sizes(const struct opt_spec *s, const char *v, void *opts, char *err, size_t cap)
{
    struct demo_opts *o = opts;
    o->sizes = 1;
    for (const char *p = v; *p != '\0'; p++)
        o->sizes += *p == ',';
    if (*v == '\0' || strstr(v, ",,") != NULL) {
        snprintf(err, cap, "--%s: \"%s\" has an empty size", s->name, v);
        return -1;
    }
    return 0;
}

#define F(f) offsetof(struct demo_opts, f)
static const struct opt_spec table[] = {
    {"verbose", 'v', OPT_FLAG, F(verbose), 0, 0, NULL, "say more", NULL},
    {"four", '4', OPT_FLAG, F(four), 0, 0, NULL, "IPv4 only", NULL},
    {"port", 0, OPT_LONG, F(port), 1, 65535, "PORT", "the port", NULL},
    {"timeout", 0, OPT_DOUBLE, F(timeout), 0, 60, "SEC", "bound\nsecond line", NULL},
    {"json", 0, OPT_STRING, F(json), 0, 0, "FILE", "write the report", NULL},
    {"sizes", 0, OPT_CUSTOM, 0, 0, 0, "LIST", "sizes", parse_sizes},
    {"a-very-long-option-name", 0, OPT_FLAG, F(verbose), 0, 0, "VALUE_NAME", "own line", NULL},
    {"help", 'h', OPT_HELP, 0, 0, 0, NULL, "this text", NULL},
    {"version", 0, OPT_VERSION, 0, 0, 0, NULL, "the version", NULL},
};
static const struct opt_program prog = {"demo",
                                        "1.2.3",
                                        "usage: demo [options] HOST",
                                        "exit status: 0\n",
                                        table,
                                        sizeof table / sizeof table[0]};

/* One command line and what parsing it must give. */
struct opt_case {
    const char *argv[6];
    enum opt_result want;
    const char *want_err; /* substring, for OPT_USAGE */
    size_t npos;
    long port;
    double timeout;
};

static const struct opt_case cases[] = {
    {{"demo", "host"}, OPT_RUN, NULL, 1, 8888, 1.5},
    {{"demo", "--port", "99", "host", "7"}, OPT_RUN, NULL, 2, 99, 1.5},
    {{"demo", "--port=99", "--timeout=0.25"}, OPT_RUN, NULL, 0, 99, 0.25},
    {{"demo", "-v", "-4", "--", "--port"}, OPT_RUN, NULL, 1, 8888, 1.5},
    {{"demo", "--port", "0"}, OPT_USAGE, "\"0\" is not a whole number from 1 to 65535", 0, 0, 0},
    {{"demo", "--port", "1.5"}, OPT_USAGE, "not a whole number", 0, 0, 0},
    {{"demo", "--port"}, OPT_USAGE, "--port needs a value (PORT)", 0, 0, 0},
    {{"demo", "--timeout", "0"}, OPT_USAGE, "above 0", 0, 0, 0},
    {{"demo", "--timeout", "nan"}, OPT_USAGE, "above 0", 0, 0, 0},
    {{"demo", "--verbose=yes"}, OPT_USAGE, "--verbose takes no value, got \"yes\"", 0, 0, 0},
    {{"demo", "--nope"}, OPT_USAGE, "unknown option \"--nope\" (see demo --help)", 0, 0, 0},
    {{"demo", "-x"}, OPT_USAGE, "unknown option \"-x\"", 0, 0, 0},
    {{"demo", "a", "b", "c"}, OPT_USAGE, "unexpected argument \"c\"", 0, 0, 0},
    {{"demo", "--sizes", "1,,2"}, OPT_USAGE, "--sizes: \"1,,2\" has an empty size", 0, 0, 0},
    {{"demo", "-"}, OPT_RUN, NULL, 1, 8888, 1.5},
};

static int argc_of(const char *const argv[6])
{
    int n = 0;
    while (n < 6 && argv[n] != NULL)
        n++;
    return n;
}

static void test_parse_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct opt_case *c = &cases[i];
        struct demo_opts o = {.port = 8888, .timeout = 1.5};
        const char *pos[2];
        size_t npos = 99;
        char err[256] = "";
        enum opt_result r = opt_parse(&prog, argc_of(c->argv), (char *const *)c->argv, &o, pos, 2,
                                      &npos, stdout, err, sizeof err);
        print_message("case %zu (%s ...): result %d err \"%s\"\n", i, c->argv[1], r, err);
        assert_int_equal(r, c->want);
        if (r == OPT_USAGE) {
            assert_non_null(strstr(err, c->want_err));
            continue;
        }
        assert_int_equal(npos, c->npos);
        assert_int_equal(o.port, c->port);
        assert_true(o.timeout == c->timeout);
    }
}

static void test_values_land_in_fields(void **state)
{
    (void)state;
    const char *argv[] = {"demo", "-v", "--json", "-", "--sizes", "1,2,3", "--", "-x", NULL};
    struct demo_opts o = {0};
    const char *pos[1];
    size_t npos;
    char err[128];
    assert_int_equal(
        opt_parse(&prog, 8, (char *const *)argv, &o, pos, 1, &npos, stdout, err, sizeof err),
        OPT_RUN);
    assert_true(o.verbose);
    assert_false(o.four);
    assert_string_equal(o.json, "-");
    assert_int_equal(o.sizes, 3);
    assert_int_equal(npos, 1);
    assert_string_equal(pos[0], "-x");
}

/* Parses argv (ending in NULL) and returns what it printed (malloc'd);
 * the result must be OPT_EXIT (--help, --version). */
static char *printed_by(const char *const argv[])
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    int argc = 0;
    while (argv[argc] != NULL)
        argc++;
    struct demo_opts o = {0};
    const char *pos[1];
    size_t npos;
    char err[64];
    assert_int_equal(
        opt_parse(&prog, argc, (char *const *)argv, &o, pos, 1, &npos, out, err, sizeof err),
        OPT_EXIT);
    fclose(out);
    return buf;
}

/* --help comes from the table: every option and its help text appear,
 * continuation lines stay in the help column, the epilog ends it. */
static void test_help_from_table(void **state)
{
    (void)state;
    const char *argv[] = {"demo", "--help", NULL};
    char *buf = printed_by(argv);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        assert_non_null(strstr(buf, table[i].name));
        assert_non_null(strstr(buf, table[i].help[0] == 'b' ? "bound" : table[i].help));
    }
    assert_non_null(strstr(buf, "-v, --verbose"));
    assert_non_null(strstr(buf, "--port PORT"));
    assert_non_null(strstr(buf, "bound\n                        second line\n"));
    assert_non_null(
        strstr(buf, "--a-very-long-option-name VALUE_NAME\n                        own"));
    assert_non_null(strstr(buf, "usage: demo [options] HOST\n"));
    assert_non_null(strstr(buf, "\nexit status: 0\n"));
    free(buf);
}

static void test_version(void **state)
{
    (void)state;
    const char *argv[] = {"demo", "--version", NULL};
    char *buf = printed_by(argv);
    assert_string_equal(buf, "demo 1.2.3\n");
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_values_land_in_fields),
        cmocka_unit_test(test_help_from_table),
        cmocka_unit_test(test_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
