/* Unit tests for common/addr.c: addresses as text, targets as typed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/addr.h"

/* What a person typed, and what must come out: rc 1 (host and port), 0
 * (host only) or -1 (error text containing want_err). */
struct target_case {
    const char *typed;
    int rc;
    const char *host;
    int port;
    const char *want_err;
};

static const struct target_case target_cases[] = {
    {"13.58.224.87", 0, "13.58.224.87", 0, NULL},
    {"13.58.224.87:8888", 1, "13.58.224.87", 8888, NULL},
    {"  13.58.224.87:8888 \n", 1, "13.58.224.87", 8888, NULL},
    {"\tchat.example.com ", 0, "chat.example.com", 0, NULL},
    {"chat.example.com:9000", 1, "chat.example.com", 9000, NULL},
    {"[2001:db8::1]:8888", 1, "2001:db8::1", 8888, NULL},
    {"[2001:db8::1]", 0, "2001:db8::1", 0, NULL},
    {"2001:db8::1", 0, "2001:db8::1", 0, NULL},
    {"::1", 0, "::1", 0, NULL},
    {"http://13.58.224.87:8888", -1, NULL, 0, "is a URL"},
    {"telnet://host", -1, NULL, 0, "is a URL"},
    {"host:", -1, NULL, 0, "HOST:PORT"},
    {"host:0", -1, NULL, 0, "HOST:PORT"},
    {"host:65536", -1, NULL, 0, "HOST:PORT"},
    {"host:88a", -1, NULL, 0, "HOST:PORT"},
    {":8888", -1, NULL, 0, "HOST:PORT"},
    {"", -1, NULL, 0, "HOST:PORT"},
    {"   ", -1, NULL, 0, "HOST:PORT"},
    {"[2001:db8::1", -1, NULL, 0, "HOST:PORT"},
    {"[2001:db8::1]8888", -1, NULL, 0, "HOST:PORT"},
    {"[2001:db8::1]:", -1, NULL, 0, "HOST:PORT"},
    {"[]:8888", -1, NULL, 0, "HOST:PORT"},
};

static void test_split_target_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof target_cases / sizeof target_cases[0]; i++) {
        const struct target_case *c = &target_cases[i];
        char host[256] = "", err[256] = "";
        int port = 0;
        int rc = addr_split_target(c->typed, host, sizeof host, &port, err, sizeof err);
        print_message("case \"%s\": rc %d host \"%s\" port %d err \"%s\"\n", c->typed, rc, host,
                      port, err);
        assert_int_equal(rc, c->rc);
        if (rc >= 0) {
            assert_string_equal(host, c->host);
            assert_int_equal(port, c->port);
        } else {
            assert_non_null(strstr(err, c->want_err));
        }
    }
}

static void test_split_target_host_too_long(void **state)
{
    (void)state;
    char host[8], err[256];
    int port = 0;
    assert_int_equal(addr_split_target("abcdefgh:1", host, sizeof host, &port, err, sizeof err),
                     -1);
    assert_int_equal(addr_split_target("abcdefg:1", host, sizeof host, &port, err, sizeof err), 1);
    assert_string_equal(host, "abcdefg");
}

static void test_parse_numeric_only(void **state)
{
    (void)state;
    struct sockaddr_storage ss;
    socklen_t len = 0;
    char text[ADDR_TEXT_MAX];
    int port = 0;

    assert_int_equal(addr_parse("127.0.0.1", 8888, &ss, &len), 0);
    assert_int_equal(len, sizeof(struct sockaddr_in));
    assert_int_equal(addr_format((struct sockaddr *)&ss, text, &port), 0);
    assert_string_equal(text, "127.0.0.1");
    assert_int_equal(port, 8888);

    assert_int_equal(addr_parse("::1", 1, &ss, &len), 0);
    assert_int_equal(len, sizeof(struct sockaddr_in6));
    assert_int_equal(addr_format((struct sockaddr *)&ss, text, &port), 0);
    assert_string_equal(text, "::1");
    assert_int_equal(port, 1);

    /* A name is never resolved, and a bad port is refused. */
    assert_int_equal(addr_parse("localhost", 80, &ss, &len), -1);
    assert_int_equal(addr_parse("1.2.3", 80, &ss, &len), -1);
    assert_int_equal(addr_parse("127.0.0.1", 65536, &ss, &len), -1);
    assert_int_equal(addr_parse("127.0.0.1", -1, &ss, &len), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_target_table),
        cmocka_unit_test(test_split_target_host_too_long),
        cmocka_unit_test(test_parse_numeric_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
