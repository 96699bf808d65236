/*
 * Integration tests for netprobe's app and echo stages on loopback: a real
 * chatd (from $BIN_DIR, when it has been built) and small in-test servers
 * that behave like the other things students find on port 8888: nothing
 * answering, a server that closes or resets, another service's banner,
 * an echo that corrupts a byte, the course's original server (reads and
 * prints everything, answers nobody), and a path MTU black hole modelled
 * by a chatd that never echoes a payload whose packets would be too big.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/hello.h"
#include "netprobe/pmtu.h"
#include "netprobe/silence.h"
#include "netprobe/stages/stages.h"
#include "tests/support/harness.h"

enum fake_mode {
    FAKE_CHATD,   /* greeting, hello reply, faithful echo */
    FAKE_CORRUPT, /* the same, with one byte of every echo flipped */
    FAKE_SILENT,  /* accepts and never reads nor writes */
    FAKE_CLOSE,   /* sends FIN at once, reads what comes, closes */
    FAKE_RESET,   /* closes at once with a reset */
    FAKE_BANNER,  /* says "SSH-2.0-test" like sshd */
    FAKE_READER,  /* the course's original server: recv(), print, answer nobody */
    FAKE_MTU,     /* FAKE_CHATD behind a path of FAKE_PATH_MTU with ICMP dropped */
};

/* The path MTU FAKE_MTU models: an echo whose packets, as this
 * connection's MSS cuts them, would exceed it gets no answer. */
#define FAKE_PATH_MTU 1200

/* IP + TCP headers and the timestamp option on loopback. */
#define FAKE_HEADERS 52

/* A one-thread server on 127.0.0.1 serving connections one at a time. */
struct fake {
    enum fake_mode mode;
    int lfd;
    int port;
    volatile int stop;
    int held[32]; /* silent or stalled connections kept open until the end */
    size_t held_count;
    size_t bytes_read; /* FAKE_READER: what the program took in */
    pthread_t thread;
};

/* Reads one line (LF dropped) from a blocking fd, byte by byte: the
 * payload after it must stay in the socket.  Length, or -1. */
static int read_line(int fd, char *line, size_t cap)
{
    size_t n = 0;
    char ch;
    while (n + 1 < cap && recv(fd, &ch, 1, 0) == 1) {
        if (ch == '\n') {
            line[n] = '\0';
            return (int)n;
        }
        line[n++] = ch;
    }
    return -1;
}

static int send_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Answers the hello as chatd would, from this connection's addresses. */
static int fake_hello(struct fake *f, int fd)
{
    char line[256];
    int version;
    struct hello_info info = {.netprobe = HELLO_VERSION, .echo_max = HELLO_ECHO_MAX};
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (read_line(fd, line, sizeof line) < 0 ||
        hello_parse_request(line, strlen(line), &version, info.nonce) != HELLO_OK)
        return -1;
    snprintf(info.server, sizeof info.server, "chatd");
    snprintf(info.version, sizeof info.version, "fake");
    snprintf(info.hostname, sizeof info.hostname, "fakehost");
    snprintf(info.mode, sizeof info.mode, "chat");
    getpeername(fd, (struct sockaddr *)&ss, &len);
    addr_format((struct sockaddr *)&ss, info.peer.address, &info.peer.port);
    len = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &len);
    addr_format((struct sockaddr *)&ss, info.local.address, &info.local.port);
    info.listen[0] = info.local;
    info.listen_count = 1;
    char *reply = hello_reply_build(&info);
    int rc = reply != NULL ? send_all(fd, reply, strlen(reply)) : -1;
    free(reply);
    (void)f;
    return rc;
}

/* Keeps fd open, unanswered, until fake_stop(); false when full. */
static bool fake_hold(struct fake *f, int fd)
{
    if (f->held_count == sizeof f->held / sizeof f->held[0])
        return false;
    f->held[f->held_count++] = fd;
    return true;
}

/* FAKE_MTU: would the largest packet of an echo of want bytes on fd be
 * bigger than the modelled path lets through?  The MSS is the one both
 * ends agreed on, so a client's clamp shrinks it. */
static bool fake_too_big(int fd, size_t want)
{
    int mss = 0;
    socklen_t len = sizeof mss;
    if (getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, &len) < 0 || mss <= 0)
        return true;
    size_t largest = want < (size_t)mss ? want : (size_t)mss;
    return largest + FAKE_HEADERS > FAKE_PATH_MTU;
}

/* Serves "ECHO N" requests, streaming each payload back as it arrives.
 * Returns true when it kept fd open for a stalled echo. */
static bool fake_echo(struct fake *f, int fd)
{
    char line[64], buf[4096];
    size_t want;
    while (read_line(fd, line, sizeof line) > 0 &&
           hello_parse_echo(line, strlen(line), &want) == 1) {
        if (f->mode == FAKE_MTU && fake_too_big(fd, want))
            return fake_hold(f, fd); /* the payload's packets vanish on the way */
        snprintf(line, sizeof line, "ECHO %zu\n", want);
        if (send_all(fd, line, strlen(line)) < 0)
            return false;
        for (size_t done = 0; done < want;) {
            size_t chunk = want - done < sizeof buf ? want - done : sizeof buf;
            ssize_t n = recv(fd, buf, chunk, 0);
            if (n <= 0)
                return false;
            size_t mid = want / 2;
            if (f->mode == FAKE_CORRUPT && mid >= done && mid < done + (size_t)n)
                buf[mid - done] ^= 0x20;
            if (send_all(fd, buf, (size_t)n) < 0)
                return false;
            done += (size_t)n;
        }
    }
    return false;
}

/* The course's original server, one client: recv() into a buffer, print
 * what came, forward it to the other clients (there are none) and never
 * answer this one.  Printing goes to a log nobody watches, as it did for
 * the student whose output went to a file. */
static void fake_read_and_print(struct fake *f, int fd)
{
    char buf[1024];
    ssize_t n;
    FILE *log = fopen("/dev/null", "w");
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
        f->bytes_read += (size_t)n;
        if (log != NULL)
            fprintf(log, "%.*s", (int)n, buf);
    }
    if (log != NULL)
        fclose(log);
}

static void fake_serve(struct fake *f, int fd)
{
    static const char GREETING[] = "NOTICE welcome fake chatd\nASK name Choose a name\n";
    struct linger hard = {1, 0};
    char sink[512];
    switch (f->mode) {
    case FAKE_CHATD:
    case FAKE_CORRUPT:
    case FAKE_MTU:
        if (send_all(fd, GREETING, sizeof GREETING - 1) == 0 && fake_hello(f, fd) == 0 &&
            fake_echo(f, fd))
            return;
        break;
    case FAKE_SILENT:
        if (fake_hold(f, fd))
            return;
        break;
    case FAKE_READER:
        fake_read_and_print(f, fd);
        break;
    case FAKE_CLOSE:
        shutdown(fd, SHUT_WR);
        while (recv(fd, sink, sizeof sink, 0) > 0)
            ;
        break;
    case FAKE_RESET:
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
        break;
    case FAKE_BANNER:
        if (send_all(fd, "SSH-2.0-test\r\n", 14) == 0)
            while (recv(fd, sink, sizeof sink, 0) > 0)
                ;
        break;
    }
    close(fd);
}

static void *fake_main(void *arg)
{
    struct fake *f = arg;
    while (!f->stop) {
        struct pollfd p = {f->lfd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0)
            continue;
        int fd = accept(f->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        struct timeval tv = {5, 0}; /* a stuck test fails instead of hanging */
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        int one = 1; /* like chatd: no Nagle wait between header and payload */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fake_serve(f, fd);
    }
    return NULL;
}

static void fake_start(struct fake *f, enum fake_mode mode)
{
    memset(f, 0, sizeof *f);
    f->mode = mode;
    struct sockaddr_in in = {.sin_family = AF_INET};
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof in;
    f->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(f->lfd >= 0);
    assert_int_equal(bind(f->lfd, (struct sockaddr *)&in, sizeof in), 0);
    assert_int_equal(listen(f->lfd, 8), 0);
    assert_int_equal(getsockname(f->lfd, (struct sockaddr *)&in, &len), 0);
    f->port = ntohs(in.sin_port);
    assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
}

static void fake_stop(struct fake *f)
{
    f->stop = 1;
    pthread_join(f->thread, NULL);
    for (size_t i = 0; i < f->held_count; i++)
        close(f->held[i]);
    close(f->lfd);
}

/* Runs dns, tcp, app (and echo if asked) against 127.0.0.1:port. */
static void probe(struct evidence *ev, int port, double timeout_ms, bool echo)
{
    struct probe_opts o = {.host = "127.0.0.1", .port = port, .timeout_ms = timeout_ms};
    evidence_init(ev, o.host, port);
    stage_dns_run(ev, &o);
    stage_tcp_run(ev, &o);
    assert_int_equal(ev->tcp.chosen, 0);
    stage_app_run(ev, &o);
    if (echo)
        stage_echo_run(ev, &o);
}

/* A chatd to talk to: the real one if it was built, else the fake. */
struct server {
    struct harness_server real;
    struct fake fake;
    bool is_real;
    int port;
};

static void server_start(struct server *s)
{
    memset(s, 0, sizeof *s);
    if (access(harness_bin("chatd"), X_OK) == 0) {
        assert_int_equal(harness_server_start(&s->real, NULL), 0);
        s->is_real = true;
        s->port = s->real.port;
        return;
    }
    print_message("note: %s not built; using the in-test fake chatd\n", harness_bin("chatd"));
    fake_start(&s->fake, FAKE_CHATD);
    s->port = s->fake.port;
}

static void server_stop(struct server *s)
{
    if (s->is_real)
        assert_int_equal(harness_server_stop(&s->real), 0);
    else
        fake_stop(&s->fake);
}

static void chatd_reply_is_recorded_with_both_views(void **state)
{
    (void)state;
    struct server s;
    struct evidence ev;
    server_start(&s);
    probe(&ev, s.port, 1500, false);
    server_stop(&s);
    const struct ev_app *app = &ev.app;
    assert_int_equal(app->outcome, APP_CHATD);
    assert_int_equal(ev.stages[STAGE_APP].status, STATUS_PASS);
    assert_string_equal(app->hello.server, "chatd");
    assert_string_equal(app->hello.peer.address, "127.0.0.1");
    assert_string_equal(app->hello.local.address, "127.0.0.1");
    assert_int_equal(app->hello.local.port, s.port);
    assert_true(app->hello.peer.port > 0);
    assert_false(app->client_nat); /* loopback: nobody translates */
    assert_false(app->server_nat);
}

static void all_default_sizes_echo_byte_for_byte(void **state)
{
    (void)state;
    struct server s;
    struct evidence ev;
    server_start(&s);
    long long t0 = harness_now_ms();
    probe(&ev, s.port, 1500, true);
    long long took = harness_now_ms() - t0;
    server_stop(&s);
    static const size_t want[] = {16, 1024, 1400, 4096, 16384, 65536};
    print_message("dns+tcp+app+echo against %s chatd: %lld ms (%s)\n", s.is_real ? "real" : "fake",
                  took, ev.stages[STAGE_ECHO].summary);
    assert_int_equal(ev.stages[STAGE_ECHO].status, STATUS_PASS);
    assert_int_equal(ev.echo.size_count, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(ev.echo.sizes[i].size, want[i]);
        assert_int_equal(ev.echo.sizes[i].outcome, ECHO_OK);
        assert_int_equal(ev.echo.sizes[i].bytes_back, want[i]);
    }
    assert_false(ev.echo.mss_retry_run);
    assert_true(ev.echo.path_mss > 0);
    assert_true(took < 1000); /* about 10 ms on loopback; generous for a busy machine */
}

/* --sizes: the list given is used as is, including a payload larger than
 * both sides' socket buffers (sending and reading must overlap). */
static void custom_sizes_are_echoed_in_order(void **state)
{
    (void)state;
    struct server s;
    struct evidence ev;
    server_start(&s);
    probe(&ev, s.port, 1500, false);
    struct probe_opts o = {.host = "127.0.0.1",
                           .port = s.port,
                           .timeout_ms = 3000,
                           .sizes = {1, 300000, 2},
                           .size_count = 3};
    stage_echo_run(&ev, &o);
    server_stop(&s);
    assert_int_equal(ev.echo.size_count, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(ev.echo.sizes[i].size, o.sizes[i]);
        assert_int_equal(ev.echo.sizes[i].outcome, ECHO_OK);
    }
    assert_int_equal(ev.stages[STAGE_ECHO].status, STATUS_PASS);
}

static void corrupted_byte_is_a_mismatch(void **state)
{
    (void)state;
    struct fake f;
    struct evidence ev;
    fake_start(&f, FAKE_CORRUPT);
    probe(&ev, f.port, 1500, true);
    fake_stop(&f);
    assert_int_equal(ev.app.outcome, APP_CHATD);
    assert_int_equal(ev.echo.size_count, 1); /* the first bad size ends the stage */
    assert_int_equal(ev.echo.sizes[0].outcome, ECHO_MISMATCH);
    assert_int_equal(ev.echo.sizes[0].bytes_back, 8); /* where the flipped byte was */
    assert_int_equal(ev.stages[STAGE_ECHO].status, STATUS_FAIL);
    assert_false(ev.echo.mss_retry_run);
}

static void silent_server_is_silent_and_not_reading(void **state)
{
    (void)state;
    struct fake f;
    struct evidence ev;
    fake_start(&f, FAKE_SILENT);
    long long t0 = harness_now_ms();
    probe(&ev, f.port, 500, false);
    long long took = harness_now_ms() - t0;
    fake_stop(&f);
    assert_int_equal(ev.app.outcome, APP_SILENT);
    assert_true(ev.app.bytes_acked_known);
    assert_true(ev.app.bytes_acked); /* the kernel took the hello; nobody read it */
    assert_int_equal(ev.app.split, SILENCE_NOT_READING);
    assert_true(ev.app.fill_acked < ev.app.fill_sent); /* the window shut on the rest */
    assert_int_equal(ev.stages[STAGE_APP].status, STATUS_FAIL);
    assert_true(took >= 450 && took < 3000); /* the split fits in the stage's deadline */
}

/* Issue 10: the course's server reads every byte; netprobe must say so,
 * never "the program is not reading". */
static void course_server_reads_and_is_not_called_not_reading(void **state)
{
    (void)state;
    struct fake f;
    struct evidence ev;
    fake_start(&f, FAKE_READER);
    long long t0 = harness_now_ms();
    probe(&ev, f.port, 500, false);
    long long took = harness_now_ms() - t0;
    fake_stop(&f);
    assert_int_equal(ev.app.outcome, APP_SILENT);
    assert_int_equal(ev.app.split, SILENCE_READS);
    assert_int_equal(ev.app.fill_sent, SILENCE_FILL_BYTES);
    assert_int_equal(ev.app.fill_acked, SILENCE_FILL_BYTES);
    assert_true(f.bytes_read >= SILENCE_FILL_BYTES); /* the fake did read it all */
    assert_non_null(strstr(ev.stages[STAGE_APP].summary, "reads"));
    assert_true(took >= 450 && took < 3000);
}

/* Issue 10: path MTU 1200 with ICMP dropped: the 1400-byte echo stalls,
 * and the search finds 1200 (give or take the options' 12 bytes) within
 * its 8 s. */
static void mtu_search_finds_the_modelled_path_mtu(void **state)
{
    (void)state;
    struct fake f;
    struct evidence ev;
    fake_start(&f, FAKE_MTU);
    probe(&ev, f.port, 1000, true);
    fake_stop(&f);
    assert_int_equal(ev.app.outcome, APP_CHATD);
    assert_int_equal(ev.echo.sizes[1].outcome, ECHO_OK); /* 1024 bytes fit */
    assert_int_equal(ev.echo.sizes[2].outcome, ECHO_STALLED);
    assert_true(ev.echo.mtu_search_run);
    print_message("mtu search: pass %d fail %d, %d probes, %.0f ms\n", ev.echo.mtu_pass,
                  ev.echo.mtu_fail, ev.echo.mtu_probes, ev.echo.mtu_ms);
    assert_true(ev.echo.mtu_pass >= FAKE_PATH_MTU - 12 && ev.echo.mtu_pass <= FAKE_PATH_MTU);
    assert_int_equal(ev.echo.mtu_fail, ev.echo.mtu_pass + 1);
    assert_int_equal(ev.echo.mss_retry_outcome, ECHO_OK);
    assert_false(ev.echo.mtu_out_of_time);
    assert_true(ev.echo.mtu_ms < PMTU_BUDGET_MS + 1000);
}

static void server_closing_at_once_is_closed(void **state)
{
    (void)state;
    struct fake f;
    struct evidence ev;
    fake_start(&f, FAKE_CLOSE);
    probe(&ev, f.port, 1500, false);
    fake_stop(&f);
    assert_int_equal(ev.app.outcome, APP_CLOSED);
    assert_int_equal(ev.stages[STAGE_APP].status, STATUS_FAIL);
}

static void server_resetting_at_once_is_reset(void **state)
{
    (void)state;
    struct fake f;
    struct evidence ev;
    fake_start(&f, FAKE_RESET);
    probe(&ev, f.port, 1500, false);
    fake_stop(&f);
    assert_int_equal(ev.app.outcome, APP_RESET);
}

static void other_service_banner_is_recorded(void **state)
{
    (void)state;
    struct fake f;
    struct evidence ev;
    fake_start(&f, FAKE_BANNER);
    long long t0 = harness_now_ms();
    probe(&ev, f.port, 1500, false);
    long long took = harness_now_ms() - t0;
    fake_stop(&f);
    assert_int_equal(ev.app.outcome, APP_OTHER);
    assert_string_equal(ev.app.banner, "SSH-2.0-test");
    assert_true(took < 1000); /* known at the first line, not at the timeout */
    struct probe_opts o = {.host = "127.0.0.1", .port = f.port, .timeout_ms = 1500};
    stage_echo_run(&ev, &o);
    assert_int_equal(ev.stages[STAGE_ECHO].status, STATUS_SKIP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chatd_reply_is_recorded_with_both_views),
        cmocka_unit_test(all_default_sizes_echo_byte_for_byte),
        cmocka_unit_test(custom_sizes_are_echoed_in_order),
        cmocka_unit_test(corrupted_byte_is_a_mismatch),
        cmocka_unit_test(silent_server_is_silent_and_not_reading),
        cmocka_unit_test(course_server_reads_and_is_not_called_not_reading),
        cmocka_unit_test(mtu_search_finds_the_modelled_path_mtu),
        cmocka_unit_test(server_closing_at_once_is_closed),
        cmocka_unit_test(server_resetting_at_once_is_reset),
        cmocka_unit_test(other_service_banner_is_recorded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
