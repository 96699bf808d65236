/* Unit tests for chat/connect.c: every connect failure gets its own
 * message for people, and each ends with the netprobe hint. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "chat/connect.h"

struct explain_case {
    int gai, err;
    const char *must[2]; /* phrases the message must carry (NULL: none) */
};

static const struct explain_case explain_cases[] = {
    {0, ECONNREFUSED, {"connection refused", "nothing listens on port 8888 at 203.0.113.5"}},
    {0, ETIMEDOUT, {"timed out after 7 s", "security group or firewall"}},
    {0, EHOSTUNREACH, {"no route to host", "203.0.113.5 cannot be reached"}},
    {0, ENETUNREACH, {"network unreachable", "no route to 203.0.113.5"}},
    {0, EACCES, {"permission denied", "firewall"}},
    {0, EPERM, {"not permitted", "firewall on this machine"}},
    {0, ENETDOWN, {"network is down", NULL}},
    {0, ECONNRESET, {"connection reset", NULL}},
    {EAI_NONAME, 0, {"name not resolved", "203.0.113.5 does not exist"}},
    {EAI_AGAIN, 0, {"name not resolved", "resolver did not answer"}},
    {EAI_FAIL, 0, {"name not resolved", "DNS server failed"}},
    /* Causes without advice still say what the system said. */
    {0, EMFILE, {"Too many open files", NULL}},
    {EAI_SYSTEM, ENOMEM, {"Cannot allocate memory", NULL}},
};

static void each_failure_has_its_own_message_and_the_netprobe_hint(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof explain_cases / sizeof explain_cases[0]; i++) {
        const struct explain_case *c = &explain_cases[i];
        struct connect_error e = {c->gai, c->err};
        char msg[1024];
        connect_explain(&e, NULL, "203.0.113.5", "8888", 7, msg, sizeof msg);
        print_message("case gai=%d errno=%d: %s\n", c->gai, c->err, msg);
        assert_non_null(strstr(msg, "cannot connect to 203.0.113.5 port 8888: "));
        for (size_t k = 0; k < 2; k++)
            if (c->must[k] != NULL)
                assert_non_null(strstr(msg, c->must[k]));
        const char *hint = "run: netprobe 203.0.113.5 8888";
        size_t len = strlen(msg), hlen = strlen(hint);
        assert_true(len > hlen);
        assert_string_equal(msg + len - hlen, hint);
    }
}

static void not_found_and_no_answer_are_told_apart(void **state)
{
    (void)state;
    char a[1024], b[1024];
    connect_explain(&(struct connect_error){EAI_NONAME, 0}, NULL, "srv.example", "8888", 5, a,
                    sizeof a);
    connect_explain(&(struct connect_error){EAI_AGAIN, 0}, NULL, "srv.example", "8888", 5, b,
                    sizeof b);
    assert_non_null(strstr(a, "does not exist"));
    assert_null(strstr(a, "did not answer"));
    assert_non_null(strstr(b, "did not answer"));
    assert_null(strstr(b, "does not exist"));
}

static void host_text_is_not_a_format(void **state)
{
    (void)state;
    char msg[1024];
    connect_explain(&(struct connect_error){0, ECONNREFUSED}, NULL, "%s%n{port}", "9", 5, msg,
                    sizeof msg);
    /* The host is copied as is: "%s%n" stays, "{port}" in it is not expanded. */
    assert_non_null(strstr(msg, "cannot connect to %s%n{port} port 9"));
}

static void a_small_buffer_truncates_safely(void **state)
{
    (void)state;
    char msg[16];
    memset(msg, 'x', sizeof msg);
    connect_explain(&(struct connect_error){0, ETIMEDOUT}, NULL, "203.0.113.5", "8888", 5, msg,
                    sizeof msg);
    assert_int_equal(strlen(msg), sizeof msg - 1);
    assert_memory_equal(msg, "cannot connect ", 15);
}

/* A socket on 127.0.0.1 with a free port; listening if listen_too.  The
 * port is bound either way, so nothing else takes it during the test. */
static int loopback_socket(bool listen_too, struct sockaddr_in *sa)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    socklen_t len = sizeof *sa;
    *sa = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)sa, sizeof *sa), 0);
    if (listen_too)
        assert_int_equal(listen(fd, 4), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)sa, &len), 0);
    return fd;
}

static void every_address_is_tried_until_one_connects(void **state)
{
    (void)state;
    struct sockaddr_in dead, live;
    int d = loopback_socket(false, &dead), l = loopback_socket(true, &live);
    struct addrinfo second = {.ai_family = AF_INET,
                              .ai_socktype = SOCK_STREAM,
                              .ai_addrlen = sizeof live,
                              .ai_addr = (struct sockaddr *)&live};
    struct addrinfo first = second;
    first.ai_addr = (struct sockaddr *)&dead;
    first.ai_next = &second;
    struct connect_error e;
    struct connect_params p = {.timeout_sec = 2, .user_timeout_ms = 12345, .stagger_ms = 250};
    int fd = connect_try_all(&first, &p, &e, NULL);
    assert_true(fd >= 0);

    struct sockaddr_in peer;
    socklen_t len = sizeof peer;
    assert_int_equal(getpeername(fd, (struct sockaddr *)&peer, &len), 0);
    assert_int_equal(peer.sin_port, live.sin_port);
    /* The socket carries keepalive and the user timeout. */
    int on = 0;
    unsigned ut = 0;
    len = sizeof on;
    assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, &len), 0);
    assert_int_equal(on, 1);
    len = sizeof ut;
    assert_int_equal(getsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ut, &len), 0);
    assert_int_equal(ut, 12345);
    close(fd);
    close(d);
    close(l);
}

static void when_all_addresses_fail_the_refusal_is_reported(void **state)
{
    (void)state;
    struct sockaddr_in dead;
    int d = loopback_socket(false, &dead);
    struct addrinfo ai = {.ai_family = AF_INET,
                          .ai_socktype = SOCK_STREAM,
                          .ai_addrlen = sizeof dead,
                          .ai_addr = (struct sockaddr *)&dead};
    struct connect_error e;
    struct connect_params p = {.timeout_sec = 2, .user_timeout_ms = 1000, .stagger_ms = 250};
    assert_int_equal(connect_try_all(&ai, &p, &e, NULL), -1);
    assert_int_equal(e.gai, 0);
    assert_int_equal(e.err, ECONNREFUSED);
    close(d);
}

/* RFC 8305's order: families alternate, starting with the first one
 * getaddrinfo gave, each keeping its own order. */
static void addresses_are_interleaved_by_family(void **state)
{
    (void)state;
    static const int fam[] = {AF_INET6, AF_INET6, AF_INET6, AF_INET, AF_INET};
    struct addrinfo ai[5];
    for (size_t i = 0; i < 5; i++)
        ai[i] = (struct addrinfo){.ai_family = fam[i], .ai_next = i < 4 ? &ai[i + 1] : NULL};
    const struct addrinfo *out[CONNECT_ADDRS_MAX];
    assert_int_equal(connect_order(ai, out, CONNECT_ADDRS_MAX), 5);
    const struct addrinfo *want[] = {&ai[0], &ai[3], &ai[1], &ai[4], &ai[2]};
    for (size_t i = 0; i < 5; i++)
        assert_ptr_equal(out[i], want[i]);
    /* IPv4 first when getaddrinfo says so. */
    assert_int_equal(connect_order(&ai[3], out, CONNECT_ADDRS_MAX), 2);
    assert_ptr_equal(out[0], &ai[3]);
    assert_int_equal(connect_order(ai, out, 2), 2);
}

static void the_failure_lists_each_address_and_how_it_failed(void **state)
{
    (void)state;
    struct connect_log log = {.n = 2};
    snprintf(log.a[0].addr, sizeof log.a[0].addr, "2001:db8::1");
    log.a[0].err = ETIMEDOUT;
    snprintf(log.a[1].addr, sizeof log.a[1].addr, "198.51.100.1");
    log.a[1].err = ECONNREFUSED;
    char msg[2048];
    connect_explain(&(struct connect_error){0, ECONNREFUSED}, &log, "chat.test", "8888", 3, msg,
                    sizeof msg);
    print_message("%s\n", msg);
    assert_non_null(strstr(msg, "Addresses tried: 2001:db8::1 (timed out after 3 s), "
                                "198.51.100.1 (connection refused)."));
    const char *hint = "run: netprobe chat.test 8888";
    assert_string_equal(msg + strlen(msg) - strlen(hint), hint);
    /* One address that is the host itself: nothing to add. */
    log.n = 1;
    snprintf(log.a[0].addr, sizeof log.a[0].addr, "chat.test");
    connect_explain(&(struct connect_error){0, ETIMEDOUT}, &log, "chat.test", "8888", 3, msg,
                    sizeof msg);
    assert_null(strstr(msg, "Addresses tried"));
}

/* Two attempts raced: a dead address whose SYN is never answered would
 * take the whole timeout; the live one, started 250 ms later, wins. */
static void a_silent_address_does_not_hold_up_the_next(void **state)
{
    (void)state;
    struct sockaddr_in live;
    int l = loopback_socket(true, &live);
    /* The silent address: a loopback listener whose accept queue is full,
     * so the kernel drops further SYNs (as tests/integration/chat_session
     * does for its timeout case). */
    int q = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in full = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof full;
    assert_int_equal(bind(q, (struct sockaddr *)&full, sizeof full), 0);
    assert_int_equal(listen(q, 0), 0);
    assert_int_equal(getsockname(q, (struct sockaddr *)&full, &len), 0);
    int fill[64];
    size_t used = 0;
    for (; used < 64; used++) {
        fill[used] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (connect(fill[used], (struct sockaddr *)&full, sizeof full) == 0)
            continue;
        struct pollfd p = {.fd = fill[used], .events = POLLOUT};
        if (poll(&p, 1, 300) == 0) {
            used++;
            break;
        }
    }
    struct addrinfo second = {.ai_family = AF_INET,
                              .ai_socktype = SOCK_STREAM,
                              .ai_addrlen = sizeof live,
                              .ai_addr = (struct sockaddr *)&live};
    struct addrinfo first = second;
    first.ai_addr = (struct sockaddr *)&full;
    first.ai_next = &second;
    struct connect_params p = {.timeout_sec = 5, .user_timeout_ms = 1000, .stagger_ms = 250};
    struct connect_error e;
    struct connect_log log;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int fd = connect_try_all(&first, &p, &e, &log);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    print_message("connected after %ld ms\n", ms);
    assert_true(fd >= 0);
    assert_true(ms >= 200 && ms < 2500);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.a[1].err, 0);
    assert_int_equal(log.a[0].err, CONNECT_UNFINISHED);
    close(fd);
    for (size_t i = 0; i < used; i++)
        close(fill[i]);
    close(q);
    close(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_failure_has_its_own_message_and_the_netprobe_hint),
        cmocka_unit_test(not_found_and_no_answer_are_told_apart),
        cmocka_unit_test(host_text_is_not_a_format),
        cmocka_unit_test(a_small_buffer_truncates_safely),
        cmocka_unit_test(every_address_is_tried_until_one_connects),
        cmocka_unit_test(when_all_addresses_fail_the_refusal_is_reported),
        cmocka_unit_test(addresses_are_interleaved_by_family),
        cmocka_unit_test(the_failure_lists_each_address_and_how_it_failed),
        cmocka_unit_test(a_silent_address_does_not_hold_up_the_next),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
