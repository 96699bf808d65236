/* chatd's start-up: where it listens, and clear failures for a foreign
 * --bind address, a port in use and bad options.  203.0.113.1 is a
 * documentation address: binding to it fails locally and sends nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/support/fixture.h"

#define RUN_MS 10000

struct startup_case {
    const char *name;
    const char *args[6];
    int exit_code;           /* -2: any non-zero */
    const char *must_say[3]; /* all of these in the output */
};

static const struct startup_case cases[] = {
    {"address not on this machine",
     {"--bind", "203.0.113.1", "--port", "0"},
     -2,
     {"cannot listen on 203.0.113.1", "not on this machine", "leave out --bind"}},
    {"port out of range", {"--port", "70000"}, 2, {"--port", "\"70000\"", "0 to 65535"}},
    {"bind is not an address", {"--bind", "my-server"}, 2, {"\"my-server\"", "IPv4 or IPv6"}},
    {"flood rate zero", {"--flood-rate", "0"}, 2, {"\"0\"", "--flood-rate"}},
    {"unknown option", {"--colour"}, 2, {"\"--colour\"", "--help"}},
    {"help", {"--help"}, 0, {"--port PORT", "--line-timeout SEC", "--diag"}},
    {"version", {"--version"}, 0, {"chatd 1.0.0"}},
};

static void bad_starts_fail_clearly(void **state)
{
    (void)state;
    static char out[16384];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct startup_case *c = &cases[i];
        const char *argv[8] = {harness_bin("chatd")};
        size_t n = 1;
        for (size_t k = 0; k < 6 && c->args[k] != NULL; k++)
            argv[n++] = c->args[k];
        argv[n] = NULL;
        print_message("case: %s\n", c->name);
        int rc = harness_run(argv, NULL, out, sizeof out, RUN_MS);
        if (c->exit_code == -2)
            assert_true(rc > 0 && rc < 128);
        else
            assert_int_equal(rc, c->exit_code);
        for (size_t k = 0; k < 3 && c->must_say[k] != NULL; k++)
            if (strstr(out, c->must_say[k]) == NULL)
                fail_msg("output lacks \"%s\":\n%s", c->must_say[k], out);
    }
}

static void port_in_use_names_the_port_and_ss(void **state)
{
    (void)state;
    static struct harness_server s;
    static char out[16384];
    char port[16], ss_hint[64];
    fixture_server_up(&s, NULL);
    snprintf(port, sizeof port, "%d", s.port);
    snprintf(ss_hint, sizeof ss_hint, "ss -ltnp 'sport = :%d'", s.port);
    const char *argv[] = {harness_bin("chatd"), "--bind", "127.0.0.1", "--port", port, NULL};
    int rc = harness_run(argv, NULL, out, sizeof out, RUN_MS);
    assert_int_equal(fixture_server_down(&s), 0);
    assert_true(rc > 0 && rc < 128);
    assert_non_null(strstr(out, "already in use"));
    assert_non_null(strstr(out, port));
    assert_non_null(strstr(out, ss_hint));
}

static void loopback_bind_warns_and_reports_capacity(void **state)
{
    (void)state;
    static struct harness_server s;
    static char log[16384];
    fixture_server_up(&s, NULL);
    long long end = harness_now_ms() + 5000;
    do /* the capacity line follows the listening line */
        harness_server_log(&s, log, sizeof log);
    while (strstr(log, "can hold ") == NULL && harness_now_ms() < end);
    assert_int_equal(fixture_server_down(&s), 0);
    assert_non_null(strstr(log, "chatd: listening on 127.0.0.1 port "));
    assert_non_null(strstr(log, "other machines cannot reach"));
    assert_non_null(strstr(log, "--bind 0.0.0.0"));
    assert_non_null(strstr(log, "can hold "));
}

/* Whether this machine can bind ::1 (IPv6 may be disabled). */
static bool have_ipv6_loopback(void)
{
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    bool ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

/* The start-up says which families chatd accepts.  Each row runs chatd
 * for 1.5 s (on port 0; nothing connects) and reads what it said. */
static void startup_names_the_families_it_accepts(void **state)
{
    (void)state;
    static const struct {
        const char *bind; /* NULL: no --bind (0.0.0.0 and ::) */
        bool needs_ipv6;
        const char *says;
    } rows[] = {
        {"127.0.0.1", false, "chatd: accepting IPv4 connections only"},
        {"::1", true, "chatd: accepting IPv6 connections only"},
        {NULL, true, "chatd: accepting IPv4 and IPv6 connections"},
    };
    static char out[16384];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *argv[] = {harness_bin("chatd"), "--port", "0", "--bind", rows[i].bind, NULL};
        if (rows[i].bind == NULL)
            argv[3] = NULL;
        if (rows[i].needs_ipv6 && !have_ipv6_loopback()) {
            print_message("skip %s: IPv6 is disabled on this machine\n", rows[i].says);
            continue;
        }
        harness_run(argv, NULL, out, sizeof out, 1500);
        if (strstr(out, rows[i].says) == NULL)
            fail_msg("output lacks \"%s\":\n%s", rows[i].says, out);
        /* Loopback has no global IPv6 address: never the IPv4-only warning. */
        assert_null(strstr(out, "global IPv6 address"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(bad_starts_fail_clearly, fixture_stop_leftover),
        cmocka_unit_test_teardown(port_in_use_names_the_port_and_ss, fixture_stop_leftover),
        cmocka_unit_test_teardown(loopback_bind_warns_and_reports_capacity, fixture_stop_leftover),
        cmocka_unit_test_teardown(startup_names_the_families_it_accepts, fixture_stop_leftover),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
