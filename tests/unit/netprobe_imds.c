/*
 * Unit tests for netprobe/server/imds.c against a fake metadata service on
 * 127.0.0.1 (a thread of this test, port 0): one row per answer the
 * service can give, with what imds_public_ipv4() must return and say, and
 * the requests it must have sent (IMDSv2: PUT with the TTL header, then
 * GET with the token).  tests/scripts/netprobe_local_imds.sh runs the whole of
 * `netprobe --local` against a fake service at 169.254.169.254 in a
 * network namespace of its own; fuzz/netprobe_imds.c fuzzes the answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "netprobe/server/imds.h"

#define BUDGET_MS 300

/* What the fake service answers to the token request and to public-ipv4;
 * NULL: it reads the request and then says nothing until the client
 * hangs up. */
struct row {
    const char *name;
    const char *token_reply;
    const char *ip_reply;
    int rc;
    const char *out; /* when rc == 0 */
    const char *why; /* substring, when rc == -1 */
};

#define OK_TOKEN "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nAQAE-tok=="
#define OK_IP "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n203.0.113.77\n"

static char big_reply[IMDS_RESPONSE_MAX + 200];
static char long_token[IMDS_TOKEN_MAX + 64];

static const struct row ROWS[] = {
    {"token, then the address", OK_TOKEN, OK_IP, 0, "203.0.113.77", NULL},
    {"no public IPv4 (404)", OK_TOKEN, "HTTP/1.1 404 Not Found\r\n\r\n", -1, NULL,
     "the instance has no public IPv4 address"},
    {"token refused (IMDS turned off: 403)", "HTTP/1.1 403 Forbidden\r\n\r\n", NULL, -1, NULL,
     "HTTP status 403 to the token request"},
    {"a token that would add a header", "HTTP/1.1 200 OK\r\n\r\nabc\r\nX-Evil: 1", NULL, -1, NULL,
     "token is empty or malformed"},
    {"an empty token", "HTTP/1.1 200 OK\r\n\r\n", NULL, -1, NULL, "token is empty or malformed"},
    {"an address that is not one", OK_TOKEN, "HTTP/1.1 200 OK\r\n\r\n203.0.113.77; rm -rf", -1,
     NULL, "not an IPv4 address"},
    {"an IPv6 address is not public-ipv4", OK_TOKEN, "HTTP/1.1 200 OK\r\n\r\n2001:db8::1", -1, NULL,
     "not an IPv4 address"},
    {"not HTTP", "SSH-2.0-OpenSSH_9.6\r\n\r\n", NULL, -1, NULL, "not an HTTP response"},
    {"an answer past the bound", big_reply, NULL, -1, NULL, "longer than 4096 bytes"},
    {"a token past IMDS_TOKEN_MAX", long_token, NULL, -1, NULL, "token is empty or malformed"},
    {"silence after the token request", NULL, NULL, -1, NULL, "no answer within 300 ms"},
    {"silence after the address request", OK_TOKEN, NULL, -1, NULL, "no answer within 300 ms"},
};

struct fake {
    int lfd;
    const struct row *row;
    char requests[2][1024];
    int served;
};

/* Reads one request (to its blank line) into buf. */
static void read_request(int fd, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    while (len + 1 < cap && strstr(buf, "\r\n\r\n") == NULL) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 3000) <= 0)
            return;
        ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
        if (n <= 0)
            return;
        len += (size_t)n;
        buf[len] = '\0';
    }
}

/* Serves the token request, then the address request, as the row says. */
static void *serve(void *arg)
{
    struct fake *f = arg;
    const char *replies[2] = {f->row->token_reply, f->row->ip_reply};
    for (int i = 0; i < 2; i++) {
        struct pollfd p = {f->lfd, POLLIN, 0};
        if (i == 1 && (replies[0] == NULL || strcmp(replies[0], OK_TOKEN) != 0))
            break; /* without a token the client never asks again */
        if (poll(&p, 1, 3000) <= 0)
            break; /* the client gave up before a second request */
        int fd = accept(f->lfd, NULL, NULL);
        if (fd < 0)
            break;
        read_request(fd, f->requests[i], sizeof f->requests[i]);
        f->served++;
        if (replies[i] != NULL) {
            ssize_t n = send(fd, replies[i], strlen(replies[i]), MSG_NOSIGNAL);
            (void)n; /* the client may be gone: it then reports what it saw */
        } else {
            struct pollfd q = {fd, POLLIN, 0};
            (void)poll(&q, 1, 3000); /* silent until the client hangs up */
        }
        close(fd);
        if (replies[i] == NULL)
            break;
    }
    return NULL;
}

static int listen_loopback(int *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 4), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void each_answer_of_the_service_gives_its_result(void **state)
{
    (void)state;
    memset(big_reply, 'x', sizeof big_reply - 1);
    memcpy(big_reply, "HTTP/1.1 200 OK\r\n\r\n", 19);
    /* 19 bytes of head, then IMDS_TOKEN_MAX + 1 token bytes. */
    memset(long_token, 'T', 19 + IMDS_TOKEN_MAX + 1);
    memcpy(long_token, "HTTP/1.1 200 OK\r\n\r\n", 19);
    for (size_t i = 0; i < sizeof ROWS / sizeof ROWS[0]; i++) {
        const struct row *r = &ROWS[i];
        struct fake f = {.row = r};
        pthread_t th;
        char out[ADDR_TEXT_MAX], why[200] = "";
        int port;
        print_message("case %s\n", r->name);
        f.lfd = listen_loopback(&port);
        assert_int_equal(pthread_create(&th, NULL, serve, &f), 0);
        double t0 = now_ms();
        int rc = imds_public_ipv4("127.0.0.1", port, BUDGET_MS, out, why, sizeof why);
        double ms = now_ms() - t0;
        pthread_join(th, NULL);
        close(f.lfd);
        print_message("  rc %d in %.0f ms: %s%s\n", rc, ms, rc == 0 ? out : "", why);
        assert_int_equal(rc, r->rc);
        assert_true(ms < 10 * BUDGET_MS); /* the budget holds (generously) */
        if (rc == 0)
            assert_string_equal(out, r->out);
        else if (strstr(why, r->why) == NULL)
            fail_msg("why \"%s\" lacks \"%s\"", why, r->why);
        /* IMDSv2: the token request comes first, with its TTL header. */
        assert_true(f.served >= 1);
        assert_non_null(strstr(f.requests[0], "PUT /latest/api/token HTTP/1.1\r\n"));
        assert_non_null(strstr(f.requests[0], "\r\nX-aws-ec2-metadata-token-ttl-seconds: 60\r\n"));
        if (f.served == 2) {
            assert_non_null(
                strstr(f.requests[1], "GET /latest/meta-data/public-ipv4 HTTP/1.1\r\n"));
            assert_non_null(strstr(f.requests[1], "\r\nX-aws-ec2-metadata-token: AQAE-tok==\r\n"));
        }
    }
}

/* The status line is read strictly: anything but "HTTP/1.N NNN" is not
 * an HTTP response, and only 200 is taken. */
static void status_lines_are_read_strictly(void **state)
{
    (void)state;
    static const struct {
        const char *answer;
        int rc;
        const char *why;
    } rows[] = {
        {"HTTP/1.1 200 OK\r\n\r\n203.0.113.77", 0, NULL},
        {"HTTP/1.0 200\r\n\r\n203.0.113.77", 0, NULL},
        {"HTTP/1.1  200 OK\r\n\r\n203.0.113.77", -1, "not an HTTP response"},
        {"HTTP/1.-1 200 OK\r\n\r\n203.0.113.77", -1, "not an HTTP response"},
        {"HTTP/1.1 2000 OK\r\n\r\n203.0.113.77", -1, "not an HTTP response"},
        {"HTTP/1.1 +20 OK\r\n\r\n203.0.113.77", -1, "not an HTTP response"},
        {"HTTP/1.1 200 OK\r\n203.0.113.77", -1, "not an HTTP response"},
        {"HTTP/1.1 301 Moved\r\n\r\n", -1, "HTTP status 301 to the public-ipv4 request"},
        {"HTTP/1.1 200 OK\r\n\r\n203.0.113.256", -1, "not an IPv4 address"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char out[ADDR_TEXT_MAX], why[200] = "";
        int rc = imds_read_answer(IMDS_PUBLIC_IPV4, rows[i].answer, strlen(rows[i].answer), out,
                                  sizeof out, why, sizeof why);
        print_message("%s -> %d %s\n", rows[i].answer, rc, why);
        assert_int_equal(rc, rows[i].rc);
        if (rc == 0)
            assert_string_equal(out, "203.0.113.77");
        else
            assert_non_null(strstr(why, rows[i].why));
    }
}

/* Nobody listens: refused at once, well inside the budget. */
static void a_refused_connection_says_so(void **state)
{
    (void)state;
    char out[ADDR_TEXT_MAX], why[200] = "";
    int port, fd = listen_loopback(&port);
    close(fd); /* the port is now closed: the connect is refused */
    assert_int_equal(imds_public_ipv4("127.0.0.1", port, BUDGET_MS, out, why, sizeof why), -1);
    assert_string_equal(why, "Connection refused");
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_answer_of_the_service_gives_its_result),
        cmocka_unit_test(a_refused_connection_says_so),
        cmocka_unit_test(status_lines_are_read_strictly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
