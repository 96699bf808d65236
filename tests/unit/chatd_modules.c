/* Unit tests for chatd's pure modules: output queue, flood bucket, name
 * table, options and the command table's /help. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chatd/chatd.h"
#include "chatd/commands.h"
#include "chatd/visible.h"

static void outq_is_bounded_and_frees_when_flushed(void **state)
{
    (void)state;
    struct outq q = {0};
    char big[1000];
    memset(big, 'x', sizeof big);
    assert_null(q.data); /* nothing allocated while idle */
    for (int i = 0; i < 4; i++)
        assert_int_equal(outq_append(&q, big, sizeof big, 4000), 0);
    assert_int_equal(outq_append(&q, "y", 1, 4000), -1); /* would pass max */
    assert_int_equal(outq_len(&q), 4000);

    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_int_equal(outq_flush(&q, sv[0]), 0);
    assert_null(q.data);
    char got[4000];
    size_t total = 0;
    while (total < sizeof got) {
        ssize_t n = read(sv[1], got + total, sizeof got - total);
        assert_true(n > 0);
        total += (size_t)n;
    }
    assert_memory_equal(got, big, sizeof big);
    close(sv[1]);
    assert_int_equal(outq_append(&q, "z", 1, 4000), 0);
    assert_true(outq_flush(&q, sv[0]) < 0); /* peer gone: an error, no SIGPIPE */
    outq_free(&q);
    close(sv[0]);
}

static void outq_keeps_byte_order_across_partial_sends_and_growth(void **state)
{
    (void)state;
    /* A small socket buffer forces partial sends, so appends meet a queue
     * with sent bytes at its front (compaction) and a full one (growth). */
    int sv[2], small = 4096;
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
    struct outq q = {0};
    static unsigned char got[200000];
    size_t queued = 0, recvd = 0;
    long long spins = 0;
    while (recvd < sizeof got && spins++ < 10000000) {
        unsigned char line[333];
        size_t n = sizeof got - queued < sizeof line ? sizeof got - queued : sizeof line;
        for (size_t i = 0; i < n; i++)
            line[i] = (unsigned char)(queued + i);
        if (n > 0 && outq_append(&q, line, n, 65536) == 0)
            queued += n; /* else the queue is full: try again after reading */
        assert_true(outq_flush(&q, sv[0]) >= 0);
        size_t want = sizeof got - recvd < 200 ? sizeof got - recvd : 200; /* slow reader */
        ssize_t r = recv(sv[1], got + recvd, want, MSG_DONTWAIT);
        if (r > 0)
            recvd += (size_t)r;
    }
    for (size_t i = 0; i < recvd; i++)
        if (got[i] != (unsigned char)i)
            fail_msg("byte %zu is %u, expected %u", i, got[i], (unsigned char)i);
    assert_int_equal(recvd, sizeof got);
    outq_free(&q);
    close(sv[0]);
    close(sv[1]);
}

struct flood_step {
    int64_t at_ms;
    int lines_wanted;
    int lines_passed;
};

static void flood_bucket_allows_burst_then_rate(void **state)
{
    (void)state;
    /* burst 5, 10 lines/s: a token every 100 ms. */
    static const struct flood_step steps[] = {
        {0, 8, 5},     /* the burst */
        {50, 1, 0},    /* half a token */
        {100, 3, 1},   /* one token back */
        {600, 10, 5},  /* five more */
        {10000, 9, 5}, /* never more than the burst */
    };
    /* Bytes are not what this test limits (tests/unit/chatd_abuse.c does). */
    const struct flood_limit lim = {.burst = 5, .rate = 10, .byte_burst = 1, .byte_rate = 1};
    struct flood f;
    flood_init(&f, &lim, 0);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        int passed = 0;
        for (int k = 0; k < steps[i].lines_wanted; k++) {
            if (!flood_ready(&f, &lim, steps[i].at_ms))
                break;
            flood_spend(&f, 1, 0);
            passed++;
        }
        print_message("step at %lld ms\n", (long long)steps[i].at_ms);
        assert_int_equal(passed, steps[i].lines_passed);
    }
    assert_true(flood_ready(&f, &lim, 20000));
    assert_true(flood_full(&f, &lim));
}

struct named {
    struct names_entry e;
    char name[17];
};

static void names_are_unique_ignoring_case_and_table_grows(void **state)
{
    (void)state;
    static struct named n[300];
    struct names t = {0};
    for (int i = 0; i < 300; i++) {
        snprintf(n[i].name, sizeof n[i].name, "User%d", i);
        n[i].e.name = n[i].name;
        assert_int_equal(names_add(&t, &n[i].e), 0);
    }
    assert_true(t.nbuckets >= 300);
    assert_ptr_equal(names_find(&t, "user17"), &n[17].e);
    assert_ptr_equal(names_find(&t, "USER299"), &n[299].e);
    assert_null(names_find(&t, "user300"));
    names_remove(&t, &n[17].e);
    assert_null(names_find(&t, "User17"));
    assert_int_equal(t.count, 299);
    names_free(&t);
}

struct opt_case {
    const char *args[4];
    enum options_result result;
    const char *err_part; /* expected in the error, quoting the bad value */
};

static const struct opt_case opt_cases[] = {
    {{"--port", "0"}, OPTIONS_RUN, NULL},
    {{"--port=65535"}, OPTIONS_RUN, NULL},
    {{"--port", "65536"}, OPTIONS_USAGE, "\"65536\""},
    {{"--port", "12x"}, OPTIONS_USAGE, "\"12x\""},
    {{"--port"}, OPTIONS_USAGE, "needs a value"},
    {{"--bind", "::1"}, OPTIONS_RUN, NULL},
    {{"--bind", "localhost"}, OPTIONS_USAGE, "\"localhost\""},
    {{"--max-clients", "0"}, OPTIONS_USAGE, "\"0\""},
    {{"--idle-timeout", "0"}, OPTIONS_RUN, NULL},
    {{"--line-timeout", "-1"}, OPTIONS_USAGE, "\"-1\""},
    {{"--flood-rate", "99999999999"}, OPTIONS_USAGE, "\"99999999999\""},
    {{"--diag=yes"}, OPTIONS_USAGE, "\"yes\""},
    {{"--frobnicate"}, OPTIONS_USAGE, "\"--frobnicate\""},
    {{"extra"}, OPTIONS_USAGE, "\"extra\""},
    {{"--version"}, OPTIONS_EXIT, NULL},
    {{"--help"}, OPTIONS_EXIT, NULL},
};

static void options_are_range_checked_and_quote_bad_values(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof opt_cases / sizeof opt_cases[0]; i++) {
        const struct opt_case *c = &opt_cases[i];
        char *argv[6] = {"chatd"};
        int argc = 1;
        for (int k = 0; k < 4 && c->args[k] != NULL; k++)
            argv[argc++] = (char *)c->args[k];
        struct chatd_options o;
        char err[256] = "";
        FILE *devnull = fopen("/dev/null", "w");
        assert_non_null(devnull);
        print_message("case %s %s\n", argv[1], argc > 2 ? argv[2] : "");
        assert_int_equal(options_parse(argc, argv, &o, devnull, err, sizeof err), c->result);
        fclose(devnull);
        if (c->err_part != NULL)
            assert_non_null(strstr(err, c->err_part));
    }
}

static void options_default_to_limits_h(void **state)
{
    (void)state;
    struct chatd_options o;
    char *argv[] = {"chatd", "--flood-burst", "7", NULL};
    char err[64];
    assert_int_equal(options_parse(3, argv, &o, stdout, err, sizeof err), OPTIONS_RUN);
    assert_int_equal(o.port, CHAT_DEFAULT_PORT);
    assert_int_equal(o.flood_burst, 7);
    assert_int_equal(o.flood_rate, CHATD_FLOOD_RATE);
    assert_int_equal(o.idle_timeout, CHATD_IDLE_TIMEOUT_SEC);
    assert_string_equal(o.bind, "");
}

static void help_comes_from_the_command_table(void **state)
{
    (void)state;
    char line[256];
    bool saw_msg = false;
    assert_true(chat_command_count() >= 8);
    for (size_t i = 0; i < chat_command_count(); i++) {
        chat_command_help(i, line, sizeof line);
        assert_int_equal(strncmp(line, "OK help /", 9), 0);
        saw_msg |= strstr(line, "/msg NAME text") != NULL;
    }
    assert_true(saw_msg);
}

struct visible_case {
    const char *in;
    size_t len;
    size_t cap;
    const char *out;
    size_t shown; /* input bytes written */
};

static const struct visible_case visible_cases[] = {
    {"ana:hola", 8, 64, "ana:hola", 8},
    {"a\r\n\tb", 5, 64, "a\\r\\n\\tb", 5},
    {"\x01\x7f\xc3\xa9", 4, 64, "\\x01\\x7F\\xC3\\xA9", 4},
    {"q\"\\", 3, 64, "q\\\"\\\\", 3},
    {"\0z", 2, 64, "\\x00z", 2},
    {"ab\ncd", 5, 4, "ab", 2}, /* "\\n" would not fit with the NUL */
    {"ab\ncd", 5, 5, "ab\\n", 3},
    {"abc", 3, 1, "", 0},
};

static void visible_escape_shows_invisible_bytes_and_never_splits_an_escape(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof visible_cases / sizeof visible_cases[0]; i++) {
        const struct visible_case *v = &visible_cases[i];
        char out[VISIBLE_CAP(16)];
        print_message("case %zu\n", i);
        assert_int_equal(visible_escape(v->in, v->len, out, v->cap), v->shown);
        assert_string_equal(out, v->out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(outq_is_bounded_and_frees_when_flushed),
        cmocka_unit_test(outq_keeps_byte_order_across_partial_sends_and_growth),
        cmocka_unit_test(flood_bucket_allows_burst_then_rate),
        cmocka_unit_test(names_are_unique_ignoring_case_and_table_grows),
        cmocka_unit_test(options_are_range_checked_and_quote_bad_values),
        cmocka_unit_test(options_default_to_limits_h),
        cmocka_unit_test(help_comes_from_the_command_table),
        cmocka_unit_test(visible_escape_shows_invisible_bytes_and_never_splits_an_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
