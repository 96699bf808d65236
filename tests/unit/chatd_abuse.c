/* Unit tests for chatd's defences against abuse: connections per source
 * address (peraddr), the byte side of the flood bucket, and their options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "chatd/flood.h"
#include "chatd/options.h"
#include "chatd/peraddr.h"
#include "common/limits.h"

/* A sockaddr for a numeric IPv4 or IPv6 address. */
static struct sockaddr_storage sa_of(const char *text)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, text, &v4->sin_addr) == 1)
        v4->sin_family = AF_INET;
    else if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1)
        v6->sin6_family = AF_INET6;
    else
        fail_msg("bad address in the test table: %s", text);
    return ss;
}

/* One connection attempt and what must come of it. */
struct admit_step {
    int64_t at_ms;
    const char *addr;
    int release; /* 1: release one connection of addr instead of admitting */
    enum peraddr_verdict want;
};

static void run_steps(struct peraddr *t, const struct admit_step *st, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct sockaddr_storage ss = sa_of(st[i].addr);
        bool log_it;
        print_message("step %zu: %s at %lld ms\n", i, st[i].addr, (long long)st[i].at_ms);
        if (st[i].release)
            peraddr_release(t, (struct sockaddr *)&ss);
        else
            assert_int_equal(peraddr_admit(t, (struct sockaddr *)&ss, st[i].at_ms, &log_it),
                             st[i].want);
    }
}

static void peraddr_counts_ipv4_per_address_and_ipv6_per_64(void **state)
{
    (void)state;
    /* Two per address, no rate limit. */
    static const struct admit_step steps[] = {
        {0, "192.0.2.1", 0, PERADDR_OK},
        {0, "192.0.2.1", 0, PERADDR_OK},
        {0, "192.0.2.1", 0, PERADDR_TOO_MANY},
        {0, "192.0.2.2", 0, PERADDR_OK},              /* another address still gets in */
        {0, "::ffff:192.0.2.1", 0, PERADDR_TOO_MANY}, /* mapped IPv4 is the same host */
        {0, "2001:db8:1:2::1", 0, PERADDR_OK},
        {0, "2001:db8:1:2:ffff::9", 0, PERADDR_OK}, /* same /64 */
        {0, "2001:db8:1:2::77", 0, PERADDR_TOO_MANY},
        {0, "2001:db8:1:3::1", 0, PERADDR_OK}, /* next /64 */
        {0, "192.0.2.1", 1, PERADDR_OK},       /* one closes... */
        {0, "192.0.2.1", 0, PERADDR_OK},       /* ...and its slot is free again */
    };
    const struct peraddr_limit l = {.max_conns = 2, .rate = 0, .burst = 2};
    struct peraddr *t = peraddr_new(&l);
    assert_non_null(t);
    run_steps(t, steps, sizeof steps / sizeof steps[0]);
    peraddr_free(t);
}

static void peraddr_rate_allows_burst_then_rate(void **state)
{
    (void)state;
    /* Burst 3, then 2 per second (a token every 500 ms); no count limit. */
    static const struct admit_step steps[] = {
        {0, "198.51.100.7", 0, PERADDR_OK},         {0, "198.51.100.7", 0, PERADDR_OK},
        {0, "198.51.100.7", 0, PERADDR_OK},         {10, "198.51.100.7", 0, PERADDR_TOO_FAST},
        {10, "198.51.100.8", 0, PERADDR_OK}, /* other addresses have their own bucket */
        {499, "198.51.100.7", 0, PERADDR_TOO_FAST}, {500, "198.51.100.7", 0, PERADDR_OK},
        {600, "198.51.100.7", 0, PERADDR_TOO_FAST},
    };
    const struct peraddr_limit l = {.max_conns = 0, .rate = 2, .burst = 3};
    struct peraddr *t = peraddr_new(&l);
    assert_non_null(t);
    run_steps(t, steps, sizeof steps / sizeof steps[0]);
    peraddr_free(t);
}

static void peraddr_logs_once_a_minute_and_forgets_idle_addresses(void **state)
{
    (void)state;
    const struct peraddr_limit l = {.max_conns = 1, .rate = 10, .burst = 1};
    struct peraddr *t = peraddr_new(&l);
    assert_non_null(t);
    struct sockaddr_storage a = sa_of("203.0.113.5");
    const struct sockaddr *sa = (const struct sockaddr *)&a;
    bool log_it;
    assert_int_equal(peraddr_admit(t, sa, 0, &log_it), PERADDR_OK);
    assert_int_equal(peraddr_admit(t, sa, 1000, &log_it), PERADDR_TOO_MANY);
    assert_true(log_it);
    assert_int_equal(peraddr_admit(t, sa, 2000, &log_it), PERADDR_TOO_MANY);
    assert_false(log_it); /* said already this minute */
    assert_int_equal(peraddr_admit(t, sa, 1000 + PERADDR_LOG_EVERY_MS, &log_it), PERADDR_TOO_MANY);
    assert_true(log_it);
    peraddr_release(t, sa);
    peraddr_sweep(t, 62000);
    assert_int_equal(peraddr_count(t), 1); /* its refusal is still remembered */
    peraddr_sweep(t, 1000 + 2 * PERADDR_LOG_EVERY_MS);
    assert_int_equal(peraddr_count(t), 0);
    peraddr_free(t);
}

static void peraddr_memory_is_bounded_by_idle_max(void **state)
{
    (void)state;
    const struct peraddr_limit l = {.max_conns = 4, .rate = 1, .burst = 4};
    struct peraddr *t = peraddr_new(&l);
    assert_non_null(t);
    /* Every address connects once and leaves: its bucket is not full yet,
     * so the sweep could not forget it; the bound must. */
    for (uint32_t i = 0; i < PERADDR_IDLE_MAX + 1000; i++) {
        struct sockaddr_in v4 = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x0a000000u + i)};
        bool log_it;
        assert_int_equal(peraddr_admit(t, (struct sockaddr *)&v4, 0, &log_it), PERADDR_OK);
        peraddr_release(t, (struct sockaddr *)&v4);
    }
    assert_int_equal(peraddr_count(t), PERADDR_IDLE_MAX);
    peraddr_free(t);
}

static void flood_bytes_limit_lines_of_any_size(void **state)
{
    (void)state;
    /* 100 lines/s would pass everything: bytes decide.  Burst 3000 bytes,
     * 1000 bytes/s; a line may overdraw once, then the client waits. */
    const struct flood_limit lim = {
        .burst = 100, .rate = 100, .byte_burst = 3000, .byte_rate = 1000};
    struct flood f;
    flood_init(&f, &lim, 0);
    int passed = 0;
    while (flood_ready(&f, &lim, 0)) {
        flood_spend(&f, 1, 1024 * 3); /* a line of invalid bytes: 3 bytes out per byte in */
        passed++;
    }
    assert_int_equal(passed, 1);
    /* 3072 - 3000 = 72 bytes of debt: paid back after 72 ms at 1000/s. */
    assert_false(flood_ready(&f, &lim, 71));
    assert_false(flood_ready(&f, &lim, 72));
    assert_true(flood_ready(&f, &lim, 73));
    assert_false(flood_full(&f, &lim));
    assert_true(flood_ready(&f, &lim, 73 + 3000));
    assert_true(flood_full(&f, &lim));
}

struct opt_row {
    const char *args[3];
    enum options_result result;
};

static void abuse_options_are_range_checked(void **state)
{
    (void)state;
    static const struct opt_row rows[] = {
        {{"--max-per-ip", "0"}, OPTIONS_RUN},
        {{"--max-per-ip", "-1"}, OPTIONS_USAGE},
        {{"--conn-rate", "0"}, OPTIONS_RUN},
        {{"--conn-rate", "x"}, OPTIONS_USAGE},
        {{"--flood-byte-burst", "1023"}, OPTIONS_USAGE},
        {{"--flood-byte-rate", "0"}, OPTIONS_USAGE},
        {{"--echo-lifetime", "0"}, OPTIONS_USAGE},
        {{"--echo-silence", "0"}, OPTIONS_USAGE},
        {{"--echo-silence", "1"}, OPTIONS_RUN},
        {{"--echo-rate", "100"}, OPTIONS_USAGE},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *argv[] = {"chatd", (char *)rows[i].args[0], (char *)rows[i].args[1], NULL};
        struct chatd_options o;
        char err[256] = "";
        print_message("case %s %s\n", argv[1], argv[2]);
        assert_int_equal(options_parse(3, argv, &o, stdout, err, sizeof err), rows[i].result);
        if (rows[i].result == OPTIONS_USAGE)
            assert_non_null(strstr(err, rows[i].args[1]));
    }
    struct chatd_options o;
    char *argv[] = {"chatd", NULL};
    char err[64];
    assert_int_equal(options_parse(1, argv, &o, stdout, err, sizeof err), OPTIONS_RUN);
    assert_int_equal(o.max_per_ip, CHATD_MAX_PER_IP);
    assert_int_equal(o.conn_rate, CHATD_CONN_RATE);
    assert_int_equal(o.flood_byte_rate, CHATD_FLOOD_BYTE_RATE);
    assert_int_equal(o.echo_lifetime, CHATD_ECHO_LIFETIME_SEC);
    assert_int_equal(o.echo_silence, CHATD_ECHO_SILENCE_SEC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(peraddr_counts_ipv4_per_address_and_ipv6_per_64),
        cmocka_unit_test(peraddr_rate_allows_burst_then_rate),
        cmocka_unit_test(peraddr_logs_once_a_minute_and_forgets_idle_addresses),
        cmocka_unit_test(peraddr_memory_is_bounded_by_idle_max),
        cmocka_unit_test(flood_bytes_limit_lines_of_any_size),
        cmocka_unit_test(abuse_options_are_range_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
