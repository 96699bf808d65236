/* chatd under abuse, against the real server: one address taking every
 * slot or reconnecting too fast, a named client trickling bytes without
 * ever finishing a line, a prober trickling echo bytes, invalid bytes
 * amplified into U+FFFD, and an open-file limit too low to start. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/fixture.h"

#define WAIT_MS 5000
#define NCONN 6

static struct harness_conn *conn[NCONN];

static int alloc_conns(void **state)
{
    (void)state;
    return harness_conns_new(conn, NCONN);
}

static int free_conns(void **state)
{
    (void)state;
    harness_conns_free(conn, NCONN);
    return 0;
}

static int close_conns(void **state)
{
    harness_conns_close(conn, NCONN);
    return fixture_stop_leftover(state);
}

static void stop_clean(struct harness_server *s, char *log, size_t cap)
{
    if (log != NULL)
        harness_server_log(s, log, cap);
    harness_conns_close(conn, NCONN);
    assert_int_equal(fixture_server_down(s), 0);
}

/* Occurrences of needle in hay. */
static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static void one_address_over_its_limit_is_refused_while_another_gets_in(void **state)
{
    (void)state;
    static struct harness_server s;
    static char log[65536];
    const char *const extra[] = {"--max-per-ip", "3", "--conn-rate", "0", NULL};
    fixture_server_up(&s, extra);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(harness_conn_open_from(conn[i], s.port, "127.0.0.1"), 0);
        assert_int_equal(harness_expect(conn[i], "ASK name", NULL, 0, WAIT_MS), 0);
    }
    /* The fourth and fifth from 127.0.0.1 are refused, and said so. */
    for (int i = 3; i < 5; i++) {
        assert_int_equal(harness_conn_open_from(conn[i], s.port, "127.0.0.1"), 0);
        assert_int_equal(harness_expect(conn[i], "ERR too_many_connections ", NULL, 0, WAIT_MS), 0);
        assert_int_equal(harness_expect_close(conn[i], WAIT_MS), 1);
    }
    /* Another host still gets in... */
    assert_int_equal(harness_conn_open_from(conn[3], s.port, "127.0.0.2"), 0);
    assert_int_equal(harness_expect(conn[3], "ASK name", NULL, 0, WAIT_MS), 0);
    /* ...and when one of the first closes, its address has a slot again. */
    harness_conn_close(conn[0]);
    int admitted = -1;
    for (long long end = harness_now_ms() + WAIT_MS; admitted != 0 && harness_now_ms() < end;) {
        assert_int_equal(harness_conn_open_from(conn[4], s.port, "127.0.0.1"), 0);
        char line[256];
        assert_true(harness_read_line(conn[4], line, sizeof line, WAIT_MS) >= 0);
        admitted = strncmp(line, "NOTICE welcome", 14) == 0 ? 0 : -1;
        if (admitted != 0) {
            harness_conn_close(conn[4]); /* the close was not processed yet */
            usleep(50000);
        }
    }
    assert_int_equal(admitted, 0);
    stop_clean(&s, log, sizeof log);
    /* Two refusals, one log line: once per address per minute. */
    assert_int_equal(count_of(log, "(--max-per-ip)"), 1);
}

static void an_address_reconnecting_too_fast_is_refused_then_let_in(void **state)
{
    (void)state;
    static struct harness_server s;
    static char log[65536];
    /* A burst of 2 new connections, then 2 per second. */
    const char *const extra[] = {"--max-per-ip", "2", "--conn-rate", "2", NULL};
    fixture_server_up(&s, extra);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(harness_conn_open(conn[i], s.port), 0);
        assert_int_equal(harness_expect(conn[i], "ASK name", NULL, 0, WAIT_MS), 0);
        harness_conn_close(conn[i]);
    }
    /* No connection is held now, but the burst is spent. */
    long long t0 = harness_now_ms();
    assert_int_equal(harness_conn_open(conn[2], s.port), 0);
    assert_int_equal(harness_expect(conn[2], "ERR too_many_connections ", NULL, 0, WAIT_MS), 0);
    assert_int_equal(harness_expect_close(conn[2], WAIT_MS), 1);
    /* A token comes back every 500 ms. */
    usleep((useconds_t)(600 - (harness_now_ms() - t0 > 500 ? 500 : harness_now_ms() - t0)) * 1000);
    assert_int_equal(harness_conn_open(conn[3], s.port), 0);
    assert_int_equal(harness_expect(conn[3], "ASK name", NULL, 0, WAIT_MS), 0);
    stop_clean(&s, log, sizeof log);
    assert_int_equal(count_of(log, "(--conn-rate)"), 1);
}

/* Sends one byte every 300 ms (never an LF) until c is closed or
 * limit_ms passed.  Returns the ms from the first byte to the close, or
 * -1 if c was never closed. */
static long long trickle_until_closed(struct harness_conn *c, int limit_ms)
{
    long long t0 = harness_now_ms();
    while (harness_now_ms() - t0 < limit_ms) {
        if (harness_send(c, "x") < 0 || harness_expect_close(c, 300) == 1)
            return harness_now_ms() - t0;
    }
    return -1;
}

static void named_trickler_is_dropped_at_the_line_timeout(void **state)
{
    (void)state;
    static struct harness_server s;
    static char log[65536];
    /* Before the fix each byte restarted the 2 s timer: never dropped. */
    const char *const extra[] = {"--line-timeout", "2", "--idle-timeout", "0", NULL};
    fixture_server_up(&s, extra);
    assert_int_equal(harness_login(conn[0], s.port, "watcher"), 0);
    assert_int_equal(harness_login(conn[1], s.port, "trickler"), 0);
    long long took = trickle_until_closed(conn[1], 10 * 2000);
    print_message("named trickler dropped after %lld ms (line timeout 2000 ms)\n", took);
    assert_true(took >= 1900);
    assert_true(took < 2000 + 2000); /* the timeout plus timer slack, generously */
    assert_int_equal(
        harness_expect(conn[0], "NOTICE leave trickler trickler left (timeout)", NULL, 0, WAIT_MS),
        0);
    stop_clean(&s, log, sizeof log);
    assert_non_null(strstr(log, "trickler: timeout: partial line"));
}

static void echo_trickler_is_dropped_at_the_echo_lifetime(void **state)
{
    (void)state;
    static struct harness_server s;
    static char log[65536];
    const char *const extra[] = {"--echo-lifetime", "2", NULL};
    fixture_server_up(&s, extra);
    assert_int_equal(harness_conn_open(conn[0], s.port), 0);
    long long t0 = harness_now_ms();
    assert_int_equal(harness_send(conn[0], "NETPROBE 1 trickle\nECHO 1000\n"), 0);
    assert_int_equal(harness_expect(conn[0], "{", NULL, 0, WAIT_MS), 0);
    assert_int_equal(harness_expect(conn[0], "ECHO 1000", NULL, 0, WAIT_MS), 0);
    long long took = trickle_until_closed(conn[0], 10 * 2000);
    took = took < 0 ? -1 : harness_now_ms() - t0;
    print_message("echo trickler dropped %lld ms after its hello (lifetime 2000 ms)\n", took);
    assert_true(took >= 1900);
    assert_true(took < 2000 + 2000);
    stop_clean(&s, log, sizeof log);
    assert_non_null(strstr(log, "timeout: echo exchange past its lifetime"));
}

/* The same address gets in (its hello answered) within ms: returns how
 * long that took, or -1. */
static long long hello_gets_in(struct harness_conn *c, int port, int ms)
{
    long long t0 = harness_now_ms();
    while (harness_now_ms() - t0 < ms) {
        if (harness_conn_open(c, port) == 0 && harness_send(c, "NETPROBE 1 again\n") == 0 &&
            harness_expect(c, "{", NULL, 0, WAIT_MS) == 0) {
            harness_conn_close(c);
            return harness_now_ms() - t0;
        }
        harness_conn_close(c);
        usleep(50 * 1000);
    }
    return -1;
}

/* A prober whose payload stops arriving (behind an MTU black hole the
 * large segments, and the FIN queued behind them, never come) is closed
 * after --echo-silence, not at the echo lifetime, and its address's place
 * is free again. */
static void a_silent_prober_is_closed_after_the_echo_silence(void **state)
{
    (void)state;
    static struct harness_server s;
    static char log[65536];
    char line[256], back[10];
    const char *const extra[] = {"--echo-silence", "1", "--max-per-ip", "1", "--conn-rate", "0",
                                 NULL};
    fixture_server_up(&s, extra);
    assert_int_equal(harness_conn_open(conn[0], s.port), 0);
    assert_int_equal(harness_send(conn[0], "NETPROBE 1 stalled\nECHO 1000\n0123456789"), 0);
    assert_int_equal(harness_expect(conn[0], "{", NULL, 0, WAIT_MS), 0);
    long long t0 = harness_now_ms();
    assert_int_equal(harness_expect(conn[0], "ECHO 1000", NULL, 0, WAIT_MS), 0);
    assert_int_equal(harness_read_bytes(conn[0], back, sizeof back, WAIT_MS), 0);
    assert_memory_equal(back, "0123456789", sizeof back);
    assert_int_equal(harness_expect(conn[0], "ERR timeout ", line, sizeof line, 5 * WAIT_MS), 0);
    long long took = harness_now_ms() - t0;
    assert_int_equal(harness_expect_close(conn[0], WAIT_MS), 1);
    print_message("silent prober closed after %lld ms (--echo-silence 1): %s\n", took, line);
    assert_true(took >= 900);
    assert_true(took < 1000 + 2000); /* the bound plus the 250 ms sweep, generously */
    assert_non_null(strstr(line, "got nothing for 1 s"));
    assert_true(hello_gets_in(conn[1], s.port, WAIT_MS) >= 0);
    stop_clean(&s, log, sizeof log);
    assert_non_null(strstr(log, "timeout: echo exchange silent"));
}

/* A child process sends rounds echo requests of size bytes each (byte i
 * of a payload is i % 251) while the caller reads: the server stops
 * reading while its output waits, so one process doing both would stall. */
static pid_t send_echo_requests(struct harness_conn *c, int rounds, size_t size)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid > 0)
        return pid;
    unsigned char *payload = malloc(size);
    if (payload == NULL)
        _exit(2);
    for (size_t i = 0; i < size; i++)
        payload[i] = (unsigned char)(i % 251);
    char head[64];
    snprintf(head, sizeof head, "ECHO %zu\n", size);
    for (int r = 0; r < rounds; r++)
        if (harness_send(c, head) < 0 || harness_send_bytes(c, payload, size) < 0)
            _exit(1);
    _exit(0);
}

static void echo_rate_slows_a_big_prober_without_losing_a_byte(void **state)
{
    (void)state;
    static struct harness_server s;
    static unsigned char back[1024 * 1024];
    /* 3 MiB: the 2 MiB burst, then 1 MiB at 256 KiB/s, about 4 s. */
    const char *const extra[] = {"--echo-rate", "262144", NULL};
    fixture_server_up(&s, extra);
    assert_int_equal(harness_conn_open(conn[0], s.port), 0);
    assert_int_equal(harness_send(conn[0], "NETPROBE 1 big\n"), 0);
    assert_int_equal(harness_expect(conn[0], "{", NULL, 0, WAIT_MS), 0);
    long long t0 = harness_now_ms();
    pid_t child = send_echo_requests(conn[0], 3, sizeof back);
    for (int r = 0; r < 3; r++) {
        assert_int_equal(harness_expect(conn[0], "ECHO 1048576", NULL, 0, 4 * WAIT_MS), 0);
        assert_int_equal(harness_read_bytes(conn[0], back, sizeof back, 4 * WAIT_MS), 0);
        for (size_t i = 0; i < sizeof back; i++)
            if (back[i] != (unsigned char)(i % 251))
                fail_msg("round %d: byte %zu is %u, sent %zu", r, i, back[i], i % 251);
    }
    long long took = harness_now_ms() - t0;
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    print_message("3 MiB echoed in %lld ms at --echo-rate 262144 after a 2 MiB burst\n", took);
    assert_true(took >= 3000); /* 1 MiB past the burst at 256 KiB/s is 4 s */
    assert_true(took < 9000);  /* the 2 MiB burst was given (from 64 KiB: 11.7 s) */
    stop_clean(&s, NULL, 0);
}

/* Bytes of "MSG sender " lines c receives within ms (LFs counted). */
static long read_msg_bytes(struct harness_conn *c, const char *sender, int ms)
{
    char line[4096], prefix[64];
    long bytes = 0;
    snprintf(prefix, sizeof prefix, "MSG %s ", sender);
    long long end = harness_now_ms() + ms;
    for (long long left = ms; left > 0; left = end - harness_now_ms()) {
        int n = harness_read_line(c, line, sizeof line, (int)left);
        if (n < 0)
            break;
        if (strncmp(line, prefix, strlen(prefix)) == 0)
            bytes += n + 1;
    }
    return bytes;
}

static void invalid_bytes_cannot_multiply_output_past_the_byte_limit(void **state)
{
    (void)state;
    static struct harness_server s;
    /* The line limit is out of the way: only bytes limit here. */
    const char *const extra[] = {
        "--flood-burst", "1000000",           "--flood-rate", "1000000", "--flood-byte-burst",
        "4096",          "--flood-byte-rate", "4096",         NULL};
    fixture_server_up(&s, extra);
    assert_int_equal(harness_login(conn[0], s.port, "listener"), 0);
    assert_int_equal(harness_login(conn[1], s.port, "noise"), 0);
    /* 100 lines of 500 bytes 0xff: each byte becomes the 3 bytes of U+FFFD. */
    static char line[501];
    memset(line, 0xff, 500);
    line[500] = '\n';
    long in = 0;
    long long t0 = harness_now_ms();
    for (int i = 0; i < 100; i++, in += (long)sizeof line)
        assert_int_equal(harness_send_bytes(conn[1], line, sizeof line), 0);
    long out = read_msg_bytes(conn[0], "noise", 2000);
    long long elapsed = harness_now_ms() - t0;
    /* The burst, the rate for the time since the first byte was sent, one
     * line of overdraft plus one for timer slack, and the "MSG noise "
     * header of each line. */
    const long per_line = 1500 + 11;
    long bound = 4096 + 4096L * elapsed / 1000 + 2 * per_line + (out / 1500 + 2) * 11;
    print_message("invalid bytes: %ld bytes out to one listener in %lld ms (limit 4096 B/s after "
                  "a 4096-byte burst; bound %ld); without the limit all %ld bytes in would come "
                  "back as %ld (%.2fx)\n",
                  out, elapsed, bound, in, 100 * per_line, (double)(100 * per_line) / (double)in);
    assert_true(out > 0);
    assert_true(out <= bound);
    stop_clean(&s, NULL, 0);
}

/* Runs chatd with an open-file limit of nofile (soft and hard) and returns
 * its exit status; its stderr goes to out. */
static int run_with_nofile(rlim_t nofile, char *out, size_t cap)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit rl = {nofile, nofile};
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || dup2(p[1], 2) < 0)
            _exit(99);
        execl(harness_bin("chatd"), "chatd", "--bind", "127.0.0.1", "--port", "0", (char *)NULL);
        _exit(98);
    }
    close(p[1]);
    size_t len = 0;
    ssize_t n;
    /* A chatd that started instead of refusing is killed after WAIT_MS. */
    assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
    int status = -1;
    for (long long end = harness_now_ms() + WAIT_MS; harness_now_ms() < end; usleep(20000)) {
        while (len + 1 < cap && (n = read(p[0], out + len, cap - 1 - len)) > 0)
            len += (size_t)n;
        if (waitpid(pid, &status, WNOHANG) == pid)
            break;
        status = -1;
    }
    while (len + 1 < cap && (n = read(p[0], out + len, cap - 1 - len)) > 0)
        len += (size_t)n;
    out[len] = '\0';
    close(p[0]);
    if (status == -1) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void too_few_descriptors_refuse_to_start_with_a_clear_message(void **state)
{
    (void)state;
    char out[4096];
    /* 12 < FD_RESERVE (16): it used to become a limit of ~2^64 clients. */
    int rc = run_with_nofile(12, out, sizeof out);
    print_message("chatd with 12 open files: exit %d: %s", rc, out);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "open-file limit is 12"));
    assert_non_null(strstr(out, "ulimit -n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(one_address_over_its_limit_is_refused_while_another_gets_in,
                                  close_conns),
        cmocka_unit_test_teardown(an_address_reconnecting_too_fast_is_refused_then_let_in,
                                  close_conns),
        cmocka_unit_test_teardown(named_trickler_is_dropped_at_the_line_timeout, close_conns),
        cmocka_unit_test_teardown(echo_trickler_is_dropped_at_the_echo_lifetime, close_conns),
        cmocka_unit_test_teardown(a_silent_prober_is_closed_after_the_echo_silence, close_conns),
        cmocka_unit_test_teardown(echo_rate_slows_a_big_prober_without_losing_a_byte, close_conns),
        cmocka_unit_test_teardown(invalid_bytes_cannot_multiply_output_past_the_byte_limit,
                                  close_conns),
        cmocka_unit_test(too_few_descriptors_refuse_to_start_with_a_clear_message),
    };
    return cmocka_run_group_tests(tests, alloc_conns, free_conns);
}
