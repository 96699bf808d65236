/* The netprobe hello and echo exchange in chat and --diag mode, and --diag
 * echoing plain bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/hello.h"
#include "tests/support/fixture.h"

#define WAIT_MS 5000

static struct harness_conn *c;

static int alloc_conn(void **state)
{
    (void)state;
    c = calloc(1, sizeof *c);
    if (c == NULL)
        return -1;
    c->fd = -1;
    return 0;
}

static int cleanup(void **state)
{
    harness_conn_close(c);
    return fixture_stop_leftover(state);
}

static int free_conn(void **state)
{
    (void)state;
    harness_conn_close(c);
    free(c);
    return 0;
}

/* Sends the hello and checks the JSON reply against what the test knows. */
static void hello_and_check(const struct harness_server *s, const char *mode)
{
    char line[4096], err[128];
    struct hello_info info;
    assert_int_equal(harness_conn_open(c, s->port), 0);
    assert_int_equal(harness_send(c, "NETPROBE 1 test-Nonce_42\n"), 0);
    assert_int_equal(harness_expect(c, "{", line, sizeof line, WAIT_MS), 0);
    if (hello_reply_parse(line, &info, err, sizeof err) < 0)
        fail_msg("bad reply \"%s\": %s", line, err);
    struct sockaddr_in me;
    socklen_t len = sizeof me;
    assert_int_equal(getsockname(c->fd, (struct sockaddr *)&me, &len), 0);
    assert_int_equal(info.netprobe, 1);
    assert_string_equal(info.nonce, "test-Nonce_42");
    assert_string_equal(info.server, "chatd");
    assert_string_equal(info.mode, mode);
    assert_string_equal(info.peer.address, "127.0.0.1");
    assert_int_equal(info.peer.port, ntohs(me.sin_port));
    assert_int_equal(info.local.port, s->port);
    assert_int_equal(info.listen_count, 1);
    assert_int_equal(info.listen[0].port, s->port);
    assert_int_equal(info.echo_max, HELLO_ECHO_MAX);
}

/* ECHO of each size, byte for byte, with every byte value in the payload. */
static void echo_sizes(void)
{
    static const size_t sizes[] = {1, 2, 100, 1023, 1024, 4096, 10000, 65536};
    static unsigned char payload[65536], back[65536];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (unsigned char)(i * 7 + i / 256);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char req[64], line[64];
        snprintf(req, sizeof req, "ECHO %zu\n", sizes[i]);
        print_message("echo %zu bytes\n", sizes[i]);
        assert_int_equal(harness_send(c, req), 0);
        assert_int_equal(harness_send_bytes(c, payload, sizes[i]), 0);
        assert_true(harness_read_line(c, line, sizeof line, WAIT_MS) >= 0);
        req[strlen(req) - 1] = '\0';
        assert_string_equal(line, req);
        assert_int_equal(harness_read_bytes(c, back, sizes[i], WAIT_MS), 0);
        assert_memory_equal(back, payload, sizes[i]);
    }
    assert_int_equal(harness_send(c, "QUIT\n"), 0);
    assert_int_equal(harness_expect_close(c, WAIT_MS), 1);
    harness_conn_close(c);
}

static void hello_and_echo_in_chat_mode(void **state)
{
    (void)state;
    static struct harness_server s;
    static char log[65536];
    fixture_server_up(&s, NULL);
    hello_and_check(&s, "chat");
    echo_sizes();
    /* A hello connection never becomes a chat user. */
    assert_int_equal(harness_login(c, s.port, "visitor"), 0);
    assert_int_equal(harness_send(c, "/who\n"), 0);
    assert_int_equal(harness_expect(c, "OK who 1 visitor", NULL, 0, WAIT_MS), 0);
    harness_conn_close(c);
    harness_server_log(&s, log, sizeof log);
    assert_int_equal(fixture_server_down(&s), 0);
    assert_non_null(strstr(log, "netprobe"));
}

static void hello_and_echo_in_diag_mode(void **state)
{
    (void)state;
    static struct harness_server s;
    const char *const extra[] = {"--diag", NULL};
    fixture_server_up(&s, extra);
    hello_and_check(&s, "diag");
    echo_sizes();
    assert_int_equal(fixture_server_down(&s), 0);
}

static void diag_echoes_plain_bytes_and_logs_a_preview(void **state)
{
    (void)state;
    static struct harness_server s;
    static char log[65536];
    const char *const extra[] = {"--diag", NULL};
    fixture_server_up(&s, extra);
    assert_int_equal(harness_conn_open(c, s.port), 0);
    assert_int_equal(harness_expect(c, "DIAG chatd ", NULL, 0, WAIT_MS), 0);
    static const char data[] = "hola\r\n\0\xff NETPROBE-ish\n";
    char back[sizeof data];
    assert_int_equal(harness_send_bytes(c, data, sizeof data - 1), 0);
    assert_int_equal(harness_read_bytes(c, back, sizeof data - 1, WAIT_MS), 0);
    assert_memory_equal(back, data, sizeof data - 1);
    harness_conn_close(c);
    /* A line that starts like the hello but is not one is echoed too. */
    assert_int_equal(harness_conn_open(c, s.port), 0);
    assert_int_equal(harness_send(c, "NETPROBEX is a word\n"), 0);
    assert_int_equal(harness_expect(c, "NETPROBEX is a word", NULL, 0, WAIT_MS), 0);
    harness_conn_close(c);
    long long end = harness_now_ms() + WAIT_MS;
    do
        harness_server_log(&s, log, sizeof log);
    while (strstr(log, "preview \"hola..") == NULL && harness_now_ms() < end);
    assert_int_equal(fixture_server_down(&s), 0);
    assert_non_null(strstr(log, "(diag): 22 bytes received, preview \"hola.... NETPROBE-ish."));
}

static void malformed_hello_gets_bad_hello_and_close(void **state)
{
    (void)state;
    static struct harness_server s;
    fixture_server_up(&s, NULL);
    assert_int_equal(harness_conn_open(c, s.port), 0);
    assert_int_equal(harness_send(c, "NETPROBE one two\n"), 0);
    assert_int_equal(harness_expect(c, "ERR bad_hello ", NULL, 0, WAIT_MS), 0);
    assert_int_equal(harness_expect_close(c, WAIT_MS), 1);
    harness_conn_close(c);
    /* A bad echo request ends the exchange too. */
    assert_int_equal(harness_conn_open(c, s.port), 0);
    assert_int_equal(harness_send(c, "NETPROBE 1 n\nECHO 0\n"), 0);
    assert_int_equal(harness_expect(c, "ERR bad_args ", NULL, 0, WAIT_MS), 0);
    assert_int_equal(harness_expect_close(c, WAIT_MS), 1);
    harness_conn_close(c);
    assert_int_equal(fixture_server_down(&s), 0);
}

static void largest_echo_streams_back_byte_for_byte(void **state)
{
    (void)state;
    static struct harness_server s;
    fixture_server_up(&s, NULL);
    assert_int_equal(harness_conn_open(c, s.port), 0);
    assert_int_equal(harness_send(c, "NETPROBE 1 big\n"), 0);
    assert_int_equal(harness_expect(c, "{", NULL, 0, WAIT_MS), 0);
    static unsigned char payload[HELLO_ECHO_MAX], back[HELLO_ECHO_MAX];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (unsigned char)(i % 251);
    char req[64], line[64];
    snprintf(req, sizeof req, "ECHO %d\n", HELLO_ECHO_MAX);
    assert_int_equal(harness_send(c, req), 0);
    size_t sent = 0, got = 0;
    /* Interleave: send in 64 KiB pieces, read what is there, so neither
     * side's buffers deadlock the test itself. */
    assert_true(harness_read_line(c, line, sizeof line, WAIT_MS) >= 0);
    while (got < sizeof back) {
        if (sent < sizeof payload) {
            assert_int_equal(harness_send_bytes(c, payload + sent, 65536), 0);
            sent += 65536;
        }
        size_t chunk = sent - got < 65536 ? sent - got : 65536;
        assert_int_equal(harness_read_bytes(c, back + got, chunk, WAIT_MS), 0);
        got += chunk;
    }
    assert_memory_equal(back, payload, sizeof payload);
    harness_conn_close(c);
    assert_int_equal(fixture_server_down(&s), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(hello_and_echo_in_chat_mode, cleanup),
        cmocka_unit_test_teardown(hello_and_echo_in_diag_mode, cleanup),
        cmocka_unit_test_teardown(diag_echoes_plain_bytes_and_logs_a_preview, cleanup),
        cmocka_unit_test_teardown(malformed_hello_gets_bad_hello_and_close, cleanup),
        cmocka_unit_test_teardown(largest_echo_streams_back_byte_for_byte, cleanup),
    };
    return cmocka_run_group_tests(tests, alloc_conn, free_conn);
}
