/* Unit tests for common/hello.c: the netprobe hello contract. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hello.h"

struct request_case {
    const char *line;
    enum hello_kind kind;
    int version;
    const char *nonce;
};

static const struct request_case request_cases[] = {
    {"NETPROBE 1 abc", HELLO_OK, 1, "abc"},
    {"NETPROBE 2 x-y_Z9", HELLO_OK, 2, "x-y_Z9"},
    {"NETPROBE 1 ", HELLO_BAD, 0, NULL},
    {"NETPROBE 1", HELLO_BAD, 0, NULL},
    {"NETPROBE", HELLO_BAD, 0, NULL},
    {"NETPROBE x abc", HELLO_BAD, 0, NULL},
    {"NETPROBE 1 a b", HELLO_BAD, 0, NULL},
    {"NETPROBE 1 a/b", HELLO_BAD, 0, NULL},
    {"NETPROBE 1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", HELLO_BAD, 0,
     NULL}, /* 65-character nonce */
    {"NETPROBEX", HELLO_NOT, 0, NULL},
    {"alice", HELLO_NOT, 0, NULL},
    {"netprobe 1 abc", HELLO_NOT, 0, NULL},
};

static void request_lines_are_classified(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof request_cases / sizeof request_cases[0]; i++) {
        const struct request_case *c = &request_cases[i];
        int version = 0;
        char nonce[HELLO_NONCE_MAX + 1] = "";
        enum hello_kind k = hello_parse_request(c->line, strlen(c->line), &version, nonce);
        print_message("case \"%s\"\n", c->line);
        assert_int_equal(k, c->kind);
        if (k == HELLO_OK) {
            assert_int_equal(version, c->version);
            assert_string_equal(nonce, c->nonce);
        }
    }
}

static void request_round_trips(void **state)
{
    (void)state;
    char line[128];
    int n = hello_format_request(line, sizeof line, "n0nce");
    assert_int_equal(n, (int)strlen("NETPROBE 1 n0nce\n"));
    int version;
    char nonce[HELLO_NONCE_MAX + 1];
    assert_int_equal(hello_parse_request(line, (size_t)n - 1, &version, nonce), HELLO_OK);
    assert_string_equal(nonce, "n0nce");
    assert_int_equal(hello_format_request(line, 8, "n0nce"), -1);
}

static void reply_round_trips_through_json(void **state)
{
    (void)state;
    struct hello_info in = {.netprobe = 1, .echo_max = HELLO_ECHO_MAX, .listen_count = 2};
    strcpy(in.nonce, "abc");
    strcpy(in.server, "chatd");
    strcpy(in.version, "1.0.0");
    strcpy(in.hostname, "host \"quoted\"");
    strcpy(in.mode, "diag");
    in.peer = (struct hello_endpoint){"203.0.113.7", 50412};
    in.local = (struct hello_endpoint){"172.31.5.9", 8888};
    in.listen[0] = (struct hello_endpoint){"0.0.0.0", 8888};
    in.listen[1] = (struct hello_endpoint){"::", 8888};

    char *line = hello_reply_build(&in);
    assert_non_null(line);
    assert_int_equal(line[0], '{');
    assert_non_null(strchr(line, '\n'));
    assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1); /* one line */

    struct hello_info out;
    char err[128];
    assert_int_equal(hello_reply_parse(line, &out, err, sizeof err), 0);
    free(line);
    assert_string_equal(out.nonce, "abc");
    assert_string_equal(out.hostname, "host \"quoted\"");
    assert_string_equal(out.mode, "diag");
    assert_string_equal(out.peer.address, "203.0.113.7");
    assert_int_equal(out.peer.port, 50412);
    assert_int_equal(out.local.port, 8888);
    assert_int_equal(out.listen_count, 2);
    assert_string_equal(out.listen[1].address, "::");
    assert_int_equal(out.echo_max, HELLO_ECHO_MAX);
}

struct bad_reply {
    const char *json;
    const char *member; /* named in the error, NULL for "not JSON" */
};

static const struct bad_reply bad_replies[] = {
    {"SSH-2.0-OpenSSH_9.2", NULL},
    {"[1,2]", NULL},
    {"{\"netprobe\":\"1\"}", "netprobe"},
    {"{\"netprobe\":1,\"nonce\":5}", "nonce"},
    {"{\"netprobe\":1,\"nonce\":\"a\",\"server\":\"chatd\",\"version\":\"1\",\"hostname\":\"h\","
     "\"mode\":\"chat\",\"peer\":{\"address\":\"1.2.3.4\",\"port\":70000}}",
     "peer"},
    {"{\"netprobe\":1,\"nonce\":\"a\",\"server\":\"chatd\",\"version\":\"1\",\"hostname\":\"h\","
     "\"mode\":\"chat\",\"peer\":{\"address\":\"1.2.3.4\",\"port\":7},"
     "\"local\":{\"address\":\"1.2.3.4\",\"port\":7},\"listen\":{}}",
     "listen"},
};

static void malformed_replies_name_the_bad_member(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_replies / sizeof bad_replies[0]; i++) {
        struct hello_info out;
        char err[128] = "";
        print_message("case %s\n", bad_replies[i].json);
        assert_int_equal(hello_reply_parse(bad_replies[i].json, &out, err, sizeof err), -1);
        if (bad_replies[i].member != NULL)
            assert_non_null(strstr(err, bad_replies[i].member));
        else
            assert_non_null(strstr(err, "not a JSON object"));
    }
}

/* A reply as chatd sends it, with one more member (unknown members are
 * allowed: later versions may add some) and the LF; the caller frees it. */
static char *reply_with(const char *member)
{
    static const char head[] =
        "{\"netprobe\":1,\"nonce\":\"abc\",\"server\":\"chatd\",\"version\":\"1.0.0\","
        "\"hostname\":\"h\",\"mode\":\"chat\",\"peer\":{\"address\":\"203.0.113.7\",\"port\":1},"
        "\"local\":{\"address\":\"2001:db8::1\",\"port\":8888},\"listen\":[],\"echo_max\":5,";
    size_t n = sizeof head + strlen(member) + 2;
    char *line = malloc(n);
    assert_non_null(line);
    snprintf(line, n, "%s%s}\n", head, member);
    return line;
}

/* A member "pad" whose whole text is len bytes long. */
static char *pad_member(size_t len)
{
    char *m = malloc(len + 1);
    assert_non_null(m);
    assert_true(len >= 8);
    memset(m, 'p', len);
    memcpy(m, "\"pad\":\"", 7);
    m[len - 1] = '"';
    m[len] = '\0';
    return m;
}

/* Size bound: HELLO_REPLY_MAX bytes (LF not counted) parse, one more is
 * refused before cJSON sees it. */
static void replies_are_bounded_in_size(void **state)
{
    (void)state;
    struct hello_info out;
    char err[128] = "";
    char *line = reply_with(""), *pad;
    size_t base = strlen(line) - 1; /* without the LF */
    free(line);
    for (size_t extra = 0; extra <= 1; extra++) {
        pad = pad_member(HELLO_REPLY_MAX - base + extra);
        line = reply_with(pad);
        assert_int_equal(strlen(line), HELLO_REPLY_MAX + extra + 1);
        assert_int_equal(hello_reply_parse(line, &out, err, sizeof err), extra ? -1 : 0);
        if (extra)
            assert_non_null(strstr(err, "longer than 4096 bytes"));
        free(line);
        free(pad);
    }
}

/* Nesting bound: HELLO_REPLY_DEPTH_MAX levels parse, one more is refused
 * before cJSON sees it; brackets inside strings do not count. */
static void replies_are_bounded_in_nesting(void **state)
{
    (void)state;
    struct hello_info out;
    char err[128] = "";
    static const char open[] = "[[[[[[[[[[[[[[[[", close[] = "]]]]]]]]]]]]]]]]";
    for (int extra = 0; extra <= 1; extra++) {
        char member[128];
        int n = HELLO_REPLY_DEPTH_MAX - 1 + extra; /* the reply object is level 1 */
        snprintf(member, sizeof member, "\"s\":\"[[[[[[[[[[{{{{\\\"[[\",\"deep\":%.*s%.*s", n, open,
                 n, close);
        char *line = reply_with(member);
        print_message("%d levels: %s", n + 1, line);
        assert_int_equal(hello_reply_parse(line, &out, err, sizeof err), extra ? -1 : 0);
        if (extra)
            assert_non_null(strstr(err, "nests deeper than 8 levels"));
        free(line);
    }
}

/* The reply's strings reach the terminal: they are sanitised like chat
 * text, and addresses must be numeric (they are compared and quoted). */
static void reply_strings_are_sanitised_and_addresses_numeric(void **state)
{
    (void)state;
    struct hello_info out;
    char err[128] = "";
    const char *hostile =
        "{\"netprobe\":1,\"nonce\":\"abc\",\"server\":\"chatd\",\"version\":\"1\\u001b[2J\","
        "\"hostname\":\"evil\\u202ecod.exe\",\"mode\":\"chat\","
        "\"peer\":{\"address\":\"203.0.113.7\",\"port\":1},"
        "\"local\":{\"address\":\"198.51.100.2\",\"port\":8888},\"listen\":[],\"echo_max\":5}";
    assert_int_equal(hello_reply_parse(hostile, &out, err, sizeof err), 0);
    assert_string_equal(out.version, "1\xEF\xBF\xBD[2J");
    assert_string_equal(out.hostname, "evil\xEF\xBF\xBD"
                                      "cod.exe");
    char *named = strdup(hostile);
    assert_non_null(named);
    memcpy(strstr(named, "203.0.113.7"), "example.co!", 11);
    assert_int_equal(hello_reply_parse(named, &out, err, sizeof err), -1);
    assert_non_null(strstr(err, "\"peer\""));
    free(named);
}

static void echo_requests_are_bounded(void **state)
{
    (void)state;
    size_t n = 0;
    assert_int_equal(hello_parse_echo("ECHO 1", 6, &n), 1);
    assert_int_equal(n, 1);
    assert_int_equal(hello_parse_echo("ECHO 65536", 10, &n), 1);
    assert_int_equal(n, 65536);
    assert_int_equal(hello_parse_echo("ECHO 1048576", 12, &n), 1);
    assert_int_equal(hello_parse_echo("ECHO 1048577", 12, &n), -1);
    assert_int_equal(hello_parse_echo("ECHO 0", 6, &n), -1);
    assert_int_equal(hello_parse_echo("ECHO -1", 7, &n), -1);
    assert_int_equal(hello_parse_echo("ECHO ", 5, &n), -1);
    assert_int_equal(hello_parse_echo("ECHO 12a", 8, &n), -1);
    assert_int_equal(hello_parse_echo("QUIT", 4, &n), 0);
    assert_int_equal(hello_parse_echo("quit", 4, &n), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request_lines_are_classified),
        cmocka_unit_test(request_round_trips),
        cmocka_unit_test(reply_round_trips_through_json),
        cmocka_unit_test(malformed_replies_name_the_bad_member),
        cmocka_unit_test(echo_requests_are_bounded),
        cmocka_unit_test(replies_are_bounded_in_size),
        cmocka_unit_test(replies_are_bounded_in_nesting),
        cmocka_unit_test(reply_strings_are_sanitised_and_addresses_numeric),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
