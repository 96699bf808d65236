#define _GNU_SOURCE /* pipe2 */
/* Integration tests for chat against the real chatd on loopback: clients
 * over pipes talk, name errors, heartbeats, and the connect failures that
 * can be staged on 127.0.0.1 (refused, timed out).  The failures that need
 * an empty network namespace are in tests/scripts/chat_netns.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/chatproc.h"
#include "tests/support/harness.h"

/* Teardown of the tests without a server: no chat left running. */
static int kill_leftovers(void **state)
{
    (void)state;
    chatproc_kill_all();
    return 0;
}

/* The test's chatd, started fresh for each test. */
static struct harness_server server;

static int server_up(void **state)
{
    (void)state;
    const char *const extra[] = {"--heartbeat", "1", "--idle-timeout", "3", NULL};
    return harness_server_start(&server, extra);
}

static int server_down(void **state)
{
    kill_leftovers(state);
    if (server.pid > 0)
        harness_server_stop(&server);
    server.pid = 0;
    return 0;
}

static void two_clients_exchange_public_private_and_action_messages(void **state)
{
    (void)state;
    char port[16];
    snprintf(port, sizeof port, "%d", server.port);
    struct chatproc ana, bruno;
    chatproc_start(&ana, (const char *const[]){"--name", "ana", "127.0.0.1", port, NULL});
    assert_int_equal(chatproc_read(&ana, "ana joined", 5000), 0);
    chatproc_start(&bruno, (const char *const[]){"--name", "bruno", "127.0.0.1", port, NULL});
    assert_int_equal(chatproc_read(&ana, "bruno joined", 5000), 0);

    chatproc_say(&ana, "hola bruno, ¿me oyes?");
    assert_int_equal(chatproc_read(&bruno, "<ana> hola bruno, ¿me oyes?", 5000), 0);
    chatproc_say(&bruno, "/msg ana secreto");
    assert_int_equal(chatproc_read(&ana, "*bruno* secreto", 5000), 0);
    assert_int_equal(chatproc_read(&bruno, "-> *ana* secreto", 5000), 0);
    chatproc_say(&ana, "/me saluda");
    assert_int_equal(chatproc_read(&bruno, "* ana saluda", 5000), 0);
    chatproc_say(&bruno, "/nick beto");
    assert_int_equal(chatproc_read(&ana, "beto", 5000), 0);
    chatproc_say(&bruno, "/msg ana ahora soy beto");
    assert_int_equal(chatproc_read(&ana, "*beto* ahora soy beto", 5000), 0);

    /* A third client with its whole input at once: it still gets its name,
     * says its line, quits at the end of input and exits 0. */
    char out[65536];
    const char *const carla[] = {harness_bin("chat"), "--name", "carla", "127.0.0.1", port, NULL};
    assert_int_equal(harness_run(carla, "hi all\n", out, sizeof out, 10000), 0);
    assert_non_null(strstr(out, "<carla> hi all"));
    assert_int_equal(chatproc_read(&ana, "<carla> hi all", 5000), 0);
    assert_int_equal(chatproc_read(&ana, "carla left", 5000), 0);

    assert_int_equal(chatproc_finish(&ana, 10000), 0);
    assert_int_equal(chatproc_finish(&bruno, 10000), 0);
    assert_null(strstr(ana.buf, "error"));
    /* stdout is a pipe: the same text, without colors. */
    assert_null(strchr(ana.buf, '\033'));
    assert_null(strchr(bruno.buf, '\033'));
}

static void the_first_input_line_is_the_name_without_dash_dash_name(void **state)
{
    (void)state;
    char port[16], out[65536];
    snprintf(port, sizeof port, "%d", server.port);
    const char *const argv[] = {harness_bin("chat"), "127.0.0.1", port, NULL};
    assert_int_equal(harness_run(argv, "quique\nhola\n", out, sizeof out, 10000), 0);
    assert_non_null(strstr(out, "<quique> hola"));
}

static void a_taken_name_over_a_pipe_exits_1_with_a_clear_message(void **state)
{
    (void)state;
    struct harness_conn zoe;
    assert_int_equal(harness_login(&zoe, server.port, "zoe"), 0);
    char port[16], out[65536];
    snprintf(port, sizeof port, "%d", server.port);
    const char *const argv[] = {harness_bin("chat"), "--name", "ZOE", "127.0.0.1", port, NULL};
    assert_int_equal(harness_run(argv, "hola\n", out, sizeof out, 10000), 1);
    assert_non_null(strstr(out, "refused the name \"ZOE\""));
    assert_non_null(strstr(out, "another --name"));
    /* The line after the name was not sent as a second name attempt. */
    assert_int_equal(harness_send(&zoe, "/who\n"), 0);
    char who[256];
    assert_int_equal(harness_expect(&zoe, "OK who", who, sizeof who, 5000), 0);
    assert_string_equal(who, "OK who 1 zoe");
    harness_conn_close(&zoe);
}

static void raw_prints_the_protocol_lines_verbatim(void **state)
{
    (void)state;
    char port[16], out[65536];
    snprintf(port, sizeof port, "%d", server.port);
    const char *const argv[] = {harness_bin("chat"), "--raw", "--name", "rae",
                                "127.0.0.1",         port,    NULL};
    assert_int_equal(harness_run(argv, "hola\n", out, sizeof out, 10000), 0);
    assert_non_null(strstr(out, "ASK name "));
    assert_non_null(strstr(out, "OK name rae "));
    assert_non_null(strstr(out, "MSG rae hola\n"));
    assert_non_null(strstr(out, "OK quit "));
}

/* chatd here PINGs after 1 s of silence and drops a client silent for 3 s;
 * only the /pong answers keep an idle chat connected. */
static void pings_are_answered_so_an_idle_client_stays_connected(void **state)
{
    (void)state;
    char port[16];
    snprintf(port, sizeof port, "%d", server.port);
    struct chatproc pat;
    chatproc_start(&pat, (const char *const[]){"--raw", "--name", "pat", "127.0.0.1", port, NULL});
    assert_int_equal(chatproc_read(&pat, "OK name pat", 5000), 0);
    usleep(5000 * 1000);
    assert_int_equal(chatproc_read(&pat, "PING ", 100), 0);
    assert_null(strstr(pat.buf, "ERR timeout"));
    /* The server's echo of a new line proves the connection is still up. */
    chatproc_say(&pat, "still here");
    assert_int_equal(chatproc_read(&pat, "MSG pat still here", 5000), 0);
    assert_int_equal(chatproc_finish(&pat, 10000), 0);
}

static void a_server_shutdown_is_reported_with_its_reason_and_exit_1(void **state)
{
    (void)state;
    char port[16];
    snprintf(port, sizeof port, "%d", server.port);
    struct chatproc sam;
    chatproc_start(&sam, (const char *const[]){"--name", "sam", "127.0.0.1", port, NULL});
    assert_int_equal(chatproc_read(&sam, "sam joined", 5000), 0);
    harness_server_stop(&server);
    server.pid = 0;
    assert_int_equal(chatproc_read(&sam, "the server closed the connection: ", 5000), 0);
    char *why = strstr(sam.buf, "the server closed the connection: ");
    assert_true(strlen(why) > strlen("the server closed the connection: ") + 3);
    assert_int_equal(chatproc_finish(&sam, 5000), 1);
    print_message("%s", sam.buf);
}

static void a_refused_port_exits_1_with_the_refused_message_and_hint(void **state)
{
    (void)state;
    /* Bound but not listening: the kernel answers SYN with RST, and the
     * port stays ours so nothing else can start listening on it. */
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    char port[16], out[8192], hint[64];
    snprintf(port, sizeof port, "%d", ntohs(sa.sin_port));
    snprintf(hint, sizeof hint, "run: netprobe 127.0.0.1 %s\n", port);
    const char *const argv[] = {harness_bin("chat"), "--name", "x", "127.0.0.1", port, NULL};
    assert_int_equal(harness_run(argv, NULL, out, sizeof out, 10000), 1);
    close(fd);
    print_message("%s", out);
    assert_non_null(strstr(out, "connection refused: nothing listens on port"));
    assert_non_null(strstr(out, hint));
}

/* A listener that never accepts, with its accept queue filled so that
 * further SYNs are dropped, as a firewall that drops would.  Returns the
 * listener; the queued clients are in fill[]. */
static int full_listener(int *port, int fill[], size_t nfill, size_t *used)
{
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(l, 0), 0);
    assert_int_equal(getsockname(l, (struct sockaddr *)&sa, &len), 0);
    *port = ntohs(sa.sin_port);
    *used = 0;
    /* Connect until one connect does not complete within 300 ms. */
    while (*used < nfill) {
        int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        fill[(*used)++] = c;
        if (connect(c, (struct sockaddr *)&sa, sizeof sa) == 0)
            continue;
        assert_int_equal(errno, EINPROGRESS);
        struct pollfd p = {.fd = c, .events = POLLOUT};
        if (poll(&p, 1, 300) == 0)
            return l;
    }
    fail_msg("the accept queue never filled after %zu connections", nfill);
    return -1;
}

static void a_dropped_syn_times_out_within_the_timeout(void **state)
{
    (void)state;
    int fill[64], port;
    size_t used;
    int l = full_listener(&port, fill, 64, &used);
    char ports[16], out[8192];
    snprintf(ports, sizeof ports, "%d", port);
    const char *const argv[] = {harness_bin("chat"), "--timeout", "1", "--name", "x",
                                "127.0.0.1",         ports,       NULL};
    long long t0 = harness_now_ms();
    int rc = harness_run(argv, NULL, out, sizeof out, 15000);
    long long took = harness_now_ms() - t0;
    for (size_t i = 0; i < used; i++)
        close(fill[i]);
    close(l);
    print_message("took %lld ms: %s", took, out);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "timed out after 1 s"));
    assert_non_null(strstr(out, "run: netprobe 127.0.0.1 "));
    assert_true(took >= 900 && took < 8000);
}

/* A server that accepts (the kernel does it for the listen queue) and then
 * says nothing: chat pings three times, then gives up.  The greeting
 * timeout is set past the heartbeat's verdict, which is what this proves. */
static void a_silent_server_is_reported_after_three_unanswered_pings(void **state)
{
    (void)state;
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(l, 4), 0);
    assert_int_equal(getsockname(l, (struct sockaddr *)&sa, &len), 0);
    char port[16], out[8192];
    snprintf(port, sizeof port, "%d", ntohs(sa.sin_port));
    const char *const argv[] = {
        harness_bin("chat"), "--greet-timeout", "10", "--name", "x", "127.0.0.1", port, NULL};
    assert_int_equal(setenv("CHAT_HEARTBEAT_SEC", "1", 1), 0);
    long long t0 = harness_now_ms();
    int rc = harness_run(argv, NULL, out, sizeof out, 15000);
    long long took = harness_now_ms() - t0;
    unsetenv("CHAT_HEARTBEAT_SEC");
    print_message("took %lld ms: %s", took, out);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(out, "the server stopped answering (no reply for 4 s)"));
    assert_true(took >= 3500 && took < 12000);

    int c = accept(l, NULL, NULL);
    assert_true(c >= 0);
    char got[256] = "";
    ssize_t n = recv(c, got, sizeof got - 1, MSG_DONTWAIT);
    assert_true(n > 0);
    got[n] = '\0';
    assert_string_equal(got, "/ping c1\n/ping c2\n/ping c3\n");
    close(c);
    close(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(two_clients_exchange_public_private_and_action_messages,
                                        server_up, server_down),
        cmocka_unit_test_setup_teardown(the_first_input_line_is_the_name_without_dash_dash_name,
                                        server_up, server_down),
        cmocka_unit_test_setup_teardown(a_taken_name_over_a_pipe_exits_1_with_a_clear_message,
                                        server_up, server_down),
        cmocka_unit_test_setup_teardown(raw_prints_the_protocol_lines_verbatim, server_up,
                                        server_down),
        cmocka_unit_test_setup_teardown(pings_are_answered_so_an_idle_client_stays_connected,
                                        server_up, server_down),
        cmocka_unit_test_setup_teardown(a_server_shutdown_is_reported_with_its_reason_and_exit_1,
                                        server_up, server_down),
        cmocka_unit_test_teardown(a_refused_port_exits_1_with_the_refused_message_and_hint,
                                  kill_leftovers),
        cmocka_unit_test_teardown(a_dropped_syn_times_out_within_the_timeout, kill_leftovers),
        cmocka_unit_test_teardown(a_silent_server_is_reported_after_three_unanswered_pings,
                                  kill_leftovers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
