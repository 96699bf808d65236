/* chatd scenarios with raw-socket clients: names, messages, commands,
 * notices, over-long lines, abrupt disconnects, --max-clients, SIGTERM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/support/fixture.h"

#define WAIT_MS 5000

static struct harness_server server;
static struct harness_conn *alice, *bob, *carol;

static int start(void **state)
{
    (void)state;
    alice = calloc(1, sizeof *alice);
    bob = calloc(1, sizeof *bob);
    carol = calloc(1, sizeof *carol);
    if (alice == NULL || bob == NULL || carol == NULL || harness_server_start(&server, NULL) < 0)
        return -1;
    alice->fd = bob->fd = carol->fd = -1; /* closing fd 0 would close stdin */
    return 0;
}

static int stop(void **state)
{
    (void)state;
    int rc = fixture_server_down(&server);
    free(alice);
    free(bob);
    free(carol);
    return rc == 0 ? 0 : -1; /* a leak or crash under ASan fails the group */
}

/* Asserts that the next line c gets is exactly want. */
static void expect_line(struct harness_conn *c, const char *want)
{
    char line[4096];
    int n = harness_read_line(c, line, sizeof line, WAIT_MS);
    if (n < 0)
        fail_msg("expected \"%s\", got nothing", want);
    if (strcmp(line, want) != 0)
        fail_msg("expected \"%s\", got \"%s\"", want, line);
}

static void send_line(struct harness_conn *c, const char *s)
{
    assert_int_equal(harness_send(c, s), 0);
}

/* Logs in the three clients and checks every join notice. */
static void login_three(void)
{
    assert_int_equal(harness_login(alice, server.port, "alice"), 0);
    expect_line(alice, "NOTICE join alice alice joined (1 online)");
    assert_int_equal(harness_login(bob, server.port, "bob"), 0);
    expect_line(bob, "NOTICE join bob bob joined (2 online)");
    expect_line(alice, "NOTICE join bob bob joined (2 online)");
    assert_int_equal(harness_login(carol, server.port, "carol"), 0);
    expect_line(carol, "NOTICE join carol carol joined (3 online)");
    expect_line(alice, "NOTICE join carol carol joined (3 online)");
    expect_line(bob, "NOTICE join carol carol joined (3 online)");
}

static void logout_three(void)
{
    harness_conn_close(alice);
    harness_conn_close(bob);
    harness_conn_close(carol);
    usleep(100 * 1000); /* let the server reap them before the next test */
}

/* Per-test teardown, so a failed test leaves no names taken. */
static int close_all(void **state)
{
    logout_three();
    return fixture_stop_leftover(state);
}

static void greeting_then_invalid_and_taken_names_ask_again(void **state)
{
    (void)state;
    char line[512];
    assert_int_equal(harness_login(alice, server.port, "Alice"), 0);
    assert_int_equal(harness_conn_open(bob, server.port), 0);
    assert_int_equal(harness_read_line(bob, line, sizeof line, WAIT_MS) > 0, 1);
    assert_int_equal(strncmp(line, "NOTICE welcome chatd 1.0.0 on ", 30), 0);
    assert_non_null(strstr(line, ": 1 online."));
    expect_line(bob, "ASK name Choose a name: 1-16 letters, digits, '-' or '_', starting with a "
                     "letter.");
    send_line(bob, "9lives\n");
    assert_int_equal(harness_expect(bob, "ERR name_invalid ", line, sizeof line, WAIT_MS), 0);
    assert_non_null(strstr(line, "\"9lives\""));
    assert_int_equal(harness_expect(bob, "ASK name ", NULL, 0, WAIT_MS), 0);
    send_line(bob, "ALICE\n"); /* taken, ignoring case */
    assert_int_equal(harness_expect(bob, "ERR name_taken ", line, sizeof line, WAIT_MS), 0);
    assert_int_equal(harness_expect(bob, "ASK name ", NULL, 0, WAIT_MS), 0);
    send_line(bob, "/who\n");
    assert_int_equal(harness_expect(bob, "ERR no_name ", NULL, 0, WAIT_MS), 0);
    send_line(bob, "bob\n");
    expect_line(bob, "OK name bob welcome, bob!");
    expect_line(bob, "NOTICE join bob bob joined (2 online)");
    harness_conn_close(alice);
    harness_conn_close(bob);
    usleep(100 * 1000);
}

static void public_private_action_and_slash_escape(void **state)
{
    (void)state;
    login_three();
    send_line(alice, "hello everyone\r\n");
    expect_line(alice, "MSG alice hello everyone");
    expect_line(bob, "MSG alice hello everyone");
    expect_line(carol, "MSG alice hello everyone");
    send_line(alice, "/msg BOB psst, secret\n");
    expect_line(bob, "PRIV alice bob psst, secret");
    expect_line(alice, "PRIV alice bob psst, secret");
    send_line(carol, "/ME waves\n");
    expect_line(alice, "ACT carol waves");
    expect_line(bob, "ACT carol waves");
    expect_line(carol, "ACT carol waves");
    send_line(bob, "//not a command\n");
    expect_line(carol, "MSG bob /not a command");
    /* carol never saw the private line: her next line is bob's message. */
    send_line(alice, "/msg nobody hi\n");
    assert_int_equal(harness_expect(alice, "ERR no_such_user ", NULL, 0, WAIT_MS), 0);
    logout_three();
}

static void who_help_unknown_and_bad_args(void **state)
{
    (void)state;
    char line[512];
    login_three();
    send_line(bob, "/who\n");
    expect_line(bob, "OK who 3 alice bob carol");
    send_line(bob, "/help\n");
    for (int i = 0; i < 8; i++) { /* one per row of the command table */
        assert_true(harness_read_line(bob, line, sizeof line, WAIT_MS) > 0);
        assert_int_equal(strncmp(line, "OK help /", 9), 0);
    }
    send_line(bob, "/frobnicate now\n");
    assert_int_equal(harness_expect(bob, "ERR unknown_command /frobnicate ", NULL, 0, WAIT_MS), 0);
    send_line(bob, "/msg alice\n");
    expect_line(bob, "ERR bad_args usage: /msg NAME text");
    send_line(bob, "/who is there\n");
    expect_line(bob, "ERR bad_args usage: /who");
    send_line(bob, "/ping c42\n");
    expect_line(bob, "PONG c42");
    logout_three();
}

static void rename_and_leave_notices(void **state)
{
    (void)state;
    login_three();
    send_line(bob, "/nick Carol\n");
    assert_int_equal(harness_expect(bob, "ERR name_taken ", NULL, 0, WAIT_MS), 0);
    send_line(bob, "/nick robert\n");
    expect_line(bob, "OK nick robert you are now robert");
    expect_line(bob, "NOTICE rename bob robert bob is now known as robert");
    expect_line(alice, "NOTICE rename bob robert bob is now known as robert");
    expect_line(carol, "NOTICE rename bob robert bob is now known as robert");
    send_line(carol, "/quit gotta go\n");
    expect_line(carol, "OK quit bye");
    assert_int_equal(harness_expect_close(carol, WAIT_MS), 1);
    expect_line(alice, "NOTICE leave carol carol left (quit: gotta go)");
    expect_line(bob, "NOTICE leave carol carol left (quit: gotta go)");
    send_line(alice, "/who\n");
    expect_line(alice, "OK who 2 alice robert");
    logout_three();
}

static void over_long_line_errors_and_connection_stays(void **state)
{
    (void)state;
    login_three();
    char big[3001];
    memset(big, 'x', 3000);
    big[3000] = '\0';
    send_line(alice, big);
    send_line(alice, big); /* still the same line: all of it is discarded */
    send_line(alice, "\nstill here\n");
    assert_int_equal(harness_expect(alice, "ERR line_too_long ", NULL, 0, WAIT_MS), 0);
    expect_line(alice, "MSG alice still here");
    expect_line(bob, "MSG alice still here"); /* no piece of the long line came first */
    logout_three();
}

static void control_bytes_and_bad_utf8_reach_others_replaced(void **state)
{
    (void)state;
    login_three();
    send_line(alice, "red \x1b[31m\ttab \xff caf\xc3\xa9\n");
    expect_line(bob, "MSG alice red \xef\xbf\xbd[31m tab \xef\xbf\xbd caf\xc3\xa9");
    logout_three();
}

static void abrupt_disconnects_mid_line_send_leave_notices(void **state)
{
    (void)state;
    login_three();
    send_line(carol, "half a li");
    harness_conn_close(carol); /* FIN in the middle of a line */
    expect_line(alice, "NOTICE leave carol carol left (closed)");
    send_line(bob, "also half");
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    assert_int_equal(setsockopt(bob->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
    harness_conn_close(bob); /* RST */
    expect_line(alice, "NOTICE leave bob bob left (closed)");
    send_line(alice, "/who\n");
    expect_line(alice, "OK who 1 alice");
    logout_three();
}

static void max_clients_refuses_with_server_full(void **state)
{
    (void)state;
    static struct harness_server small;
    const char *const extra[] = {"--max-clients", "2", NULL};
    fixture_server_up(&small, extra);
    assert_int_equal(harness_login(alice, small.port, "one"), 0);
    assert_int_equal(harness_login(bob, small.port, "two"), 0);
    assert_int_equal(harness_conn_open(carol, small.port), 0);
    assert_int_equal(harness_expect(carol, "ERR server_full ", NULL, 0, WAIT_MS), 0);
    assert_int_equal(harness_expect_close(carol, WAIT_MS), 1);
    harness_conn_close(bob); /* a place frees up */
    usleep(200 * 1000);
    assert_int_equal(harness_login(bob, small.port, "three"), 0);
    harness_conn_close(alice);
    harness_conn_close(bob);
    assert_int_equal(fixture_server_down(&small), 0);
}

static void sigterm_sends_shutdown_notice_and_exits_zero(void **state)
{
    (void)state;
    static struct harness_server other;
    char log[65536];
    fixture_server_up(&other, NULL);
    assert_int_equal(harness_login(alice, other.port, "alice"), 0);
    assert_int_equal(harness_conn_open(bob, other.port), 0); /* still naming */
    assert_int_equal(harness_expect(bob, "ASK name", NULL, 0, WAIT_MS), 0);
    assert_int_equal(kill(other.pid, SIGTERM), 0);
    assert_int_equal(harness_expect(alice, "NOTICE shutdown ", NULL, 0, WAIT_MS), 0);
    assert_int_equal(harness_expect(bob, "NOTICE shutdown ", NULL, 0, WAIT_MS), 0);
    assert_int_equal(harness_expect_close(alice, WAIT_MS), 1);
    harness_server_log(&other, log, sizeof log);
    harness_conn_close(alice);
    harness_conn_close(bob);
    assert_int_equal(fixture_server_down(&other), 0);
    assert_non_null(strstr(log, "server shutdown"));
}

static void connects_and_disconnects_are_logged_with_peer_name_reason(void **state)
{
    (void)state;
    char log[65536];
    assert_int_equal(harness_login(alice, server.port, "logme"), 0);
    send_line(alice, "/quit done\n");
    assert_int_equal(harness_expect_close(alice, WAIT_MS), 1);
    usleep(100 * 1000);
    harness_server_log(&server, log, sizeof log);
    assert_non_null(strstr(log, "connect 127.0.0.1 port "));
    assert_non_null(strstr(log, "logme: quit (done)"));
    harness_conn_close(alice);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(greeting_then_invalid_and_taken_names_ask_again, close_all),
        cmocka_unit_test_teardown(public_private_action_and_slash_escape, close_all),
        cmocka_unit_test_teardown(who_help_unknown_and_bad_args, close_all),
        cmocka_unit_test_teardown(rename_and_leave_notices, close_all),
        cmocka_unit_test_teardown(over_long_line_errors_and_connection_stays, close_all),
        cmocka_unit_test_teardown(control_bytes_and_bad_utf8_reach_others_replaced, close_all),
        cmocka_unit_test_teardown(abrupt_disconnects_mid_line_send_leave_notices, close_all),
        cmocka_unit_test_teardown(max_clients_refuses_with_server_full, close_all),
        cmocka_unit_test_teardown(sigterm_sends_shutdown_notice_and_exits_zero, close_all),
        cmocka_unit_test_teardown(connects_and_disconnects_are_logged_with_peer_name_reason,
                                  close_all),
    };
    return cmocka_run_group_tests(tests, start, stop);
}
