#define _GNU_SOURCE /* pipe2 */
/* Integration tests for chat against servers that are not (or not quite)
 * chatd, all on loopback: a silent one (no spinning, the greeting
 * timeout), a banner, a line longer than chat's buffer with a forged line
 * behind it, escape sequences in the name on a pseudo-terminal, a server
 * that closes before answering /quit; and against the real chatd:
 * over-long input split and delivered whole, and the HOST:PORT forms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/chatproc.h"
#include "tests/support/harness.h"

static int fake_listener = -1;
static struct harness_server server;

static int cleanup(void **state)
{
    (void)state;
    chatproc_kill_all();
    if (fake_listener >= 0)
        close(fake_listener);
    fake_listener = -1;
    if (server.pid > 0)
        harness_server_stop(&server);
    server.pid = 0;
    return 0;
}

/* A listener on 127.0.0.1 (or ::1) port 0 that the test answers by hand. */
static int fake_listen(int family, char port[16])
{
    struct sockaddr_storage ss = {0};
    socklen_t len;
    if (family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof *a;
    }
    int l = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l < 0 || bind(l, (struct sockaddr *)&ss, len) < 0 || listen(l, 4) < 0) {
        if (l >= 0)
            close(l);
        return -1;
    }
    assert_int_equal(getsockname(l, (struct sockaddr *)&ss, &len), 0);
    snprintf(port, 16, "%d",
             ntohs(family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                      : ((struct sockaddr_in *)&ss)->sin_port));
    fake_listener = l;
    return l;
}

/* Accepts chat's connection within 5 s. */
static int fake_accept(int l)
{
    struct pollfd pf = {.fd = l, .events = POLLIN};
    assert_int_equal(poll(&pf, 1, 5000), 1);
    int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
    assert_true(c >= 0);
    return c;
}

static void fake_send(int c, const char *s, size_t n)
{
    assert_int_equal(send(c, s, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* Reads from c until want arrives (within 5 s). */
static void fake_expect(int c, const char *want)
{
    char buf[4096];
    size_t len = 0;
    long long end = harness_now_ms() + 5000;
    while (harness_now_ms() < end && len < sizeof buf - 1) {
        struct pollfd pf = {.fd = c, .events = POLLIN};
        if (poll(&pf, 1, 200) <= 0)
            continue;
        ssize_t r = recv(c, buf + len, sizeof buf - 1 - len, 0);
        if (r <= 0)
            break;
        len += (size_t)r;
        buf[len] = '\0';
        if (strstr(buf, want) != NULL)
            return;
    }
    buf[len] = '\0';
    fail_msg("the fake server did not get \"%s\"; it got \"%s\"", want, buf);
}

/* CPU seconds (user + system) the process has used, from /proc/PID/stat. */
static double cpu_seconds(pid_t pid)
{
    char path[64], stat[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(stat, 1, sizeof stat - 1, f);
    fclose(f);
    stat[n] = '\0';
    /* Fields after the command name (which may hold spaces) start after
     * the last ')': state is field 3, utime 14, stime 15. */
    const char *s = strrchr(stat, ')');
    assert_non_null(s);
    unsigned long ut = 0, st = 0;
    assert_int_equal(sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st),
                     2);
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void a_silent_server_costs_no_cpu_and_sigterm_exits_at_once(void **state)
{
    (void)state;
    char port[16];
    int l = fake_listen(AF_INET, port);
    assert_true(l >= 0);
    struct chatproc p;
    chatproc_start(&p, (const char *const[]){"--greet-timeout", "30", "--name", "ana", "127.0.0.1",
                                             port, NULL});
    int c = fake_accept(l);
    /* "echo hi | chat": the input ends at once. */
    assert_int_equal(write(p.in, "hi\n", 3), 3);
    close(p.in);
    p.in = -1;
    double before = cpu_seconds(p.pid);
    usleep(5000 * 1000);
    double used = cpu_seconds(p.pid) - before;
    print_message("chat used %.3f s of CPU in 5 s\n", used);
    assert_true(used < 0.2);
    long long t0 = harness_now_ms();
    kill(p.pid, SIGTERM);
    p.in = p.out; /* nothing more to close on the input side */
    int rc = chatproc_wait(&p, 5000);
    print_message("exit %d after SIGTERM in %lld ms\n", rc, harness_now_ms() - t0);
    assert_true(rc >= 0);
    assert_true(harness_now_ms() - t0 < 1000);
    close(c);
}

static void a_silent_server_gets_the_greeting_message_and_exit_1(void **state)
{
    (void)state;
    char port[16], want[256];
    int l = fake_listen(AF_INET, port);
    assert_true(l >= 0);
    struct chatproc p;
    chatproc_start(&p, (const char *const[]){"--name", "ana", "127.0.0.1", port, NULL});
    int c = fake_accept(l);
    long long t0 = harness_now_ms();
    assert_int_equal(chatproc_wait(&p, 10000), 1);
    long long took = harness_now_ms() - t0;
    print_message("after %lld ms: %s", took, p.buf);
    assert_true(took >= 2500 && took < 6000);
    snprintf(want, sizeof want,
             "connected to 127.0.0.1 port %s, but nothing answered in 3 s: chatd greets at once, "
             "so the program on that port is not chatd, or it is hung",
             port);
    assert_non_null(strstr(p.buf, want));
    snprintf(want, sizeof want, "run: netprobe 127.0.0.1 %s\n", port);
    assert_non_null(strstr(p.buf, want));
    close(c);
}

static void a_banner_is_shown_escaped_and_chat_exits_1(void **state)
{
    (void)state;
    char port[16];
    int l = fake_listen(AF_INET, port);
    assert_true(l >= 0);
    struct chatproc p;
    chatproc_start(&p, (const char *const[]){"--name", "ana", "127.0.0.1", port, NULL});
    int c = fake_accept(l);
    fake_send(c, "SSH-2.0-OpenSSH_9.6\r\n", 21);
    long long t0 = harness_now_ms();
    assert_int_equal(chatproc_wait(&p, 5000), 1);
    print_message("after %lld ms: %s", harness_now_ms() - t0, p.buf);
    assert_true(harness_now_ms() - t0 < 2000);
    assert_non_null(strstr(p.buf, "the program there is not chatd: it sent "
                                  "\"SSH-2.0-OpenSSH_9.6\\r\\n\""));
    assert_non_null(strstr(p.buf, "run: netprobe 127.0.0.1 "));
    close(c);
}

/* Greets like chatd, takes the name, and says "OK name" with name_word. */
static int fake_chatd_login(int l, const char *name_word)
{
    int c = fake_accept(l);
    const char *hello = "NOTICE welcome fake\nASK name Choose a name\n";
    fake_send(c, hello, strlen(hello));
    fake_expect(c, "ana\n");
    char ok[256];
    int n = snprintf(ok, sizeof ok, "OK name %s welcome\n", name_word);
    fake_send(c, ok, (size_t)n);
    return c;
}

static void a_line_longer_than_the_buffer_is_dropped_never_reparsed(void **state)
{
    (void)state;
    char port[16];
    int l = fake_listen(AF_INET, port);
    assert_true(l >= 0);
    struct chatproc p;
    chatproc_start(&p, (const char *const[]){"--name", "ana", "127.0.0.1", port, NULL});
    int c = fake_chatd_login(l, "ana");
    /* 9,000 bytes: an /who answer padded so that byte 8,192 starts a forged
     * "MSG admin ..." line, as the users' names could arrange. */
    static char big[9000];
    memset(big, 'x', sizeof big);
    memcpy(big, "OK who 2 ", 9);
    memcpy(big + 8192, "MSG admin send me your password", 31);
    big[sizeof big - 1] = '\n';
    fake_send(c, big, sizeof big);
    fake_send(c, "MSG bob the real line\n", 22);
    assert_int_equal(chatproc_read(&p, "<bob> the real line", 5000), 0);
    assert_non_null(strstr(p.buf, "longer than 8192 bytes; it was discarded"));
    assert_null(strstr(p.buf, "admin"));
    close(p.in);
    p.in = -1;
    fake_expect(c, "/quit");
    fake_send(c, "OK quit bye\n", 12);
    close(c);
    p.in = p.out;
    assert_int_equal(chatproc_wait(&p, 5000), 0);
}

static void escapes_in_the_name_never_reach_the_terminal(void **state)
{
    (void)state;
    char port[16];
    int l = fake_listen(AF_INET, port);
    assert_true(l >= 0);
    struct chatproc p;
    chatproc_start_pty(&p, (const char *const[]){"--name", "ana", "127.0.0.1", port, NULL});
    /* An OSC title change with BEL, a colour, a screen clear. */
    int c = fake_chatd_login(l, "ana\033]0;pwned\007\033[31m\033[2J");
    fake_send(c, "MSG bob hello\n", 14);
    assert_int_equal(chatproc_read(&p, "<bob> hello", 5000), 0);
    chatproc_read(&p, NULL, 500); /* the prompt is redrawn after the line */
    print_message("terminal got %zu bytes\n", p.len);
    assert_null(memchr(p.buf, '\033', p.len));
    assert_null(memchr(p.buf, '\007', p.len));
    assert_non_null(strstr(p.buf, "pwned")); /* shown, as inert text */
    close(c);
    kill(p.pid, SIGTERM);
    assert_true(chatproc_wait(&p, 5000) >= 0);
}

static void a_server_that_closes_before_answering_quit_means_exit_1(void **state)
{
    (void)state;
    char port[16];
    int l = fake_listen(AF_INET, port);
    assert_true(l >= 0);
    struct chatproc p;
    chatproc_start(&p, (const char *const[]){"--name", "ana", "127.0.0.1", port, NULL});
    int c = fake_chatd_login(l, "ana");
    close(p.in);
    p.in = -1;
    fake_expect(c, "/quit");
    close(c); /* gone, no "OK quit" */
    p.in = p.out;
    assert_int_equal(chatproc_wait(&p, 5000), 1);
    assert_non_null(strstr(p.buf, "closed the connection before it answered /quit"));
}

/* Reads MSG lines from a chatd observer until their texts make up want. */
static void expect_text(struct harness_conn *obs, const char *from, const char *want)
{
    static char got[8192], line[2048];
    char prefix[64];
    size_t len = 0;
    int lines = 0;
    snprintf(prefix, sizeof prefix, "MSG %s ", from);
    got[0] = '\0';
    while (len < strlen(want)) {
        assert_int_equal(harness_expect(obs, prefix, line, sizeof line, 5000), 0);
        size_t n = strlen(line) - strlen(prefix);
        assert_true(n + 1 <= 1024); /* each piece was a line chatd takes */
        assert_true(len + n < sizeof got);
        memcpy(got + len, line + strlen(prefix), n + 1);
        len += n;
        lines++;
    }
    print_message("%d lines\n", lines);
    assert_true(lines > 1);
    assert_string_equal(got, want);
}

static void an_over_long_piped_line_is_split_and_all_delivered(void **state)
{
    (void)state;
    const char *const extra[] = {NULL};
    assert_int_equal(harness_server_start(&server, extra), 0);
    struct harness_conn obs;
    assert_int_equal(harness_login(&obs, server.port, "obs"), 0);
    /* 5,000 bytes of text with 2-byte characters, so cuts can fall inside. */
    static char text[5001], input[12000];
    for (size_t i = 0; i < 5000; i += 5) {
        memcpy(text + i,
               (i / 5) % 2 ? "/xyz"
                           : "a\xC3\xB1"
                             "b",
               4);
        text[i + 4] = ' ';
    }
    text[5000] = '\0';
    snprintf(input, sizeof input, "%s\n/msg obs %s\n", text, text);
    char port[16], out[65536];
    snprintf(port, sizeof port, "%d", server.port);
    const char *const argv[] = {harness_bin("chat"), "--name", "ana", "127.0.0.1", port, NULL};
    assert_int_equal(harness_run(argv, input, out, sizeof out, 15000), 0);
    print_message("%.300s\n", out);
    assert_non_null(strstr(out, "an input line of 5000 bytes was longer than the server takes "
                                "(1023 bytes); it was sent as"));
    assert_null(strstr(out, "line_too_long"));
    expect_text(&obs, "ana", text);
    /* The private one arrives whole too, in PRIV lines. */
    static char line[2048];
    size_t got = 0;
    while (got < 5000) {
        assert_int_equal(harness_expect(&obs, "PRIV ana obs ", line, sizeof line, 5000), 0);
        size_t n = strlen(line) - strlen("PRIV ana obs ");
        assert_memory_equal(line + strlen("PRIV ana obs "), text + got, n);
        got += n;
    }
    assert_int_equal(got, 5000);
    harness_conn_close(&obs);
}

static void host_port_forms_reach_the_server_and_a_url_is_a_usage_error(void **state)
{
    (void)state;
    const char *const extra[] = {NULL};
    assert_int_equal(harness_server_start(&server, extra), 0);
    char target[64], spaced[64], out[8192];
    snprintf(target, sizeof target, "127.0.0.1:%d", server.port);
    snprintf(spaced, sizeof spaced, "  127.0.0.1:%d ", server.port);
    const char *const a[] = {harness_bin("chat"), "--name", "ana", target, NULL};
    assert_int_equal(harness_run(a, "hola\n", out, sizeof out, 10000), 0);
    assert_non_null(strstr(out, "<ana> hola"));
    const char *const b[] = {harness_bin("chat"), "--name", "bea", spaced, NULL};
    assert_int_equal(harness_run(b, "hola\n", out, sizeof out, 10000), 0);
    assert_non_null(strstr(out, "<bea> hola"));

    snprintf(target, sizeof target, "http://127.0.0.1:%d/", server.port);
    const char *const u[] = {harness_bin("chat"), target, NULL};
    assert_int_equal(harness_run(u, NULL, out, sizeof out, 10000), 2);
    print_message("%s", out);
    assert_non_null(strstr(out, "is a URL; give the server's address and port instead, for "
                                "example 13.58.224.87 8888 or 13.58.224.87:8888"));
}

/* [IPv6]:PORT, and the netprobe hint names the host without brackets. */
static void an_ipv6_target_in_brackets_gives_a_netprobe_hint_that_works(void **state)
{
    (void)state;
    char port[16], target[64], want[128];
    int l = fake_listen(AF_INET6, port);
    if (l < 0)
        skip(); /* no IPv6 loopback here */
    snprintf(target, sizeof target, "[::1]:%s", port);
    struct chatproc p;
    chatproc_start(&p, (const char *const[]){"--greet-timeout", "0.5", target, NULL});
    int c = fake_accept(l);
    assert_int_equal(chatproc_wait(&p, 5000), 1);
    print_message("%s", p.buf);
    snprintf(want, sizeof want, "connected to ::1 port %s, but nothing answered in 0.5 s", port);
    assert_non_null(strstr(p.buf, want));
    snprintf(want, sizeof want, "run: netprobe ::1 %s\n", port);
    assert_non_null(strstr(p.buf, want));
    close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(a_silent_server_costs_no_cpu_and_sigterm_exits_at_once, cleanup),
        cmocka_unit_test_teardown(a_silent_server_gets_the_greeting_message_and_exit_1, cleanup),
        cmocka_unit_test_teardown(a_banner_is_shown_escaped_and_chat_exits_1, cleanup),
        cmocka_unit_test_teardown(a_line_longer_than_the_buffer_is_dropped_never_reparsed, cleanup),
        cmocka_unit_test_teardown(escapes_in_the_name_never_reach_the_terminal, cleanup),
        cmocka_unit_test_teardown(a_server_that_closes_before_answering_quit_means_exit_1, cleanup),
        cmocka_unit_test_teardown(an_over_long_piped_line_is_split_and_all_delivered, cleanup),
        cmocka_unit_test_teardown(host_port_forms_reach_the_server_and_a_url_is_a_usage_error,
                                  cleanup),
        cmocka_unit_test_teardown(an_ipv6_target_in_brackets_gives_a_netprobe_hint_that_works,
                                  cleanup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
