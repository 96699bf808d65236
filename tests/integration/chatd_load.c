/* 1,000 clients on one chatd, each broadcasting: nothing is lost and every
 * sender's lines arrive in the order sent, at every receiver. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/support/fixture.h"

#define CLIENTS 1000
#define MSGS_PER_CLIENT 3
#define LOAD_WAIT_MS 60000

/* A light client: the harness's 64 KiB buffer times 1,000 is too much. */
struct lclient {
    int fd;
    size_t len;
    char buf[8192];
    int next_seq[CLIENTS]; /* next expected message number per sender */
    int got;               /* MSG lines received */
    int named;             /* "OK name" received */
};

static struct lclient *cl;

static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl); /* best effort; connect fails clearly if short */
    }
}

/* Connects client i; its name "uI" is sent later, with everyone's. */
static void connect_one(struct lclient *c, int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(c->fd >= 0);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0)
        fail_msg("connect: %s", strerror(errno));
}

/* Handles one line at receiver c: "MSG uS m S K". */
static void on_line(struct lclient *c, const char *line)
{
    int s, s2, k;
    if (strncmp(line, "OK name ", 8) == 0)
        c->named = 1;
    if (strncmp(line, "MSG u", 5) != 0)
        return;
    if (sscanf(line, "MSG u%d m %d %d", &s, &s2, &k) != 3 || s != s2 || s < 0 || s >= CLIENTS)
        fail_msg("garbled line \"%s\"", line);
    if (k != c->next_seq[s])
        fail_msg("from u%d: got message %d, expected %d (lost or reordered)", s, k, c->next_seq[s]);
    c->next_seq[s]++;
    c->got++;
}

/* Reads what is there for c and parses whole lines. */
static void drain(struct lclient *c)
{
    for (;;) {
        ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0)
            fail_msg("a client was disconnected (%s)", n == 0 ? "EOF" : strerror(errno));
        c->len += (size_t)n;
        char *start = c->buf, *lf;
        while ((lf = memchr(start, '\n', c->len - (size_t)(start - c->buf))) != NULL) {
            *lf = '\0';
            on_line(c, start);
            start = lf + 1;
        }
        c->len -= (size_t)(start - c->buf);
        memmove(c->buf, start, c->len);
    }
}

static long named_count(void)
{
    long n = 0;
    for (int i = 0; i < CLIENTS; i++)
        n += cl[i].named;
    return n;
}

static long msg_count(void)
{
    long n = 0;
    for (int i = 0; i < CLIENTS; i++)
        n += cl[i].got;
    return n;
}

/* Reads from every client until count() reaches want or time is up. */
static long wait_all(int ep, long (*count)(void), long want)
{
    struct epoll_event evs[256];
    long long end = harness_now_ms() + LOAD_WAIT_MS;
    long now = count();
    while (now < want && harness_now_ms() < end) {
        int n = epoll_wait(ep, evs, 256, 1000);
        for (int e = 0; e < n; e++)
            drain(&cl[evs[e].data.u32]);
        if (n > 0)
            now = count();
    }
    return now;
}

static void thousand_clients_broadcast_without_loss_in_order(void **state)
{
    (void)state;
    static struct harness_server s;
    /* 1000 clients from one loopback address: lift the per-address limits. */
    const char *const extra[] = {
        "--max-clients", "5000", "--max-per-ip", "0", "--conn-rate", "0", NULL};
    raise_nofile();
    cl = calloc(CLIENTS, sizeof *cl);
    assert_non_null(cl);
    fixture_server_up(&s, extra);
    long long t0 = harness_now_ms();
    int ep = epoll_create1(0);
    assert_true(ep >= 0);
    for (int i = 0; i < CLIENTS; i++) {
        connect_one(&cl[i], s.port);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, cl[i].fd, &ev), 0);
    }
    /* A name may be sent before the ASK arrives: the first line is the name. */
    for (int i = 0; i < CLIENTS; i++) {
        char name[32];
        int n = snprintf(name, sizeof name, "u%d\n", i);
        assert_int_equal(send(cl[i].fd, name, (size_t)n, MSG_NOSIGNAL), n);
    }
    wait_all(ep, named_count, CLIENTS);
    long long t1 = harness_now_ms();
    /* Every client sends its lines in one write; all of them at once. */
    for (int i = 0; i < CLIENTS; i++) {
        char out[256];
        size_t n = 0;
        for (int k = 0; k < MSGS_PER_CLIENT; k++)
            n += (size_t)snprintf(out + n, sizeof out - n, "m %d %d\n", i, k);
        assert_int_equal(send(cl[i].fd, out, n, MSG_NOSIGNAL), (ssize_t)n);
    }
    const long total = (long)CLIENTS * CLIENTS * MSGS_PER_CLIENT;
    long got = wait_all(ep, msg_count, total);
    long long t2 = harness_now_ms();
    print_message("%d clients logged in in %lld ms; %ld of %ld deliveries in %lld ms (%.0f/s)\n",
                  CLIENTS, t1 - t0, got, total, t2 - t1,
                  (double)got * 1000.0 / (double)(t2 - t1 > 0 ? t2 - t1 : 1));
    assert_int_equal(got, total);
    for (int i = 0; i < CLIENTS; i++)
        for (int k = 0; k < CLIENTS; k++)
            assert_int_equal(cl[i].next_seq[k], MSGS_PER_CLIENT);
    close(ep);
    for (int i = 0; i < CLIENTS; i++)
        close(cl[i].fd);
    free(cl);
    assert_int_equal(fixture_server_down(&s), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(thousand_clients_broadcast_without_loss_in_order,
                                  fixture_stop_leftover),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
