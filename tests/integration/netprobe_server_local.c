/*
 * netprobe --local on loopback: the test opens (or does not open) a
 * listening socket and checks what listeners.c and server/local_check.c find.
 * The host firewall is left out of the verdict tests (this machine's own
 * rules are not ours to rely on) and read once on its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netprobe/report_modes.h"
#include "netprobe/server/local_check.h"
#include "tests/support/netprobe_loopback.h"

static enum server_verdict check_port(int port, struct server_evidence *ev)
{
    struct server_opts o = {.port = port, .timeout_ms = 2000, .skip_firewall = true};
    local_check_collect(&o, ev);
    assert_true(ev->listeners_ok);
    return local_check_decide(ev);
}

static void own_socket_on_127_0_0_1_is_found_as_bind_loopback(void **state)
{
    (void)state;
    struct server_evidence ev;
    int port, fd = lb_listen("127.0.0.1", &port);
    assert_true(fd >= 0);
    enum server_verdict v = check_port(port, &ev);
    close(fd);
    assert_string_equal(local_check_code(v), "bind_loopback");
    assert_int_equal(ev.listeners.count, 1);
    assert_string_equal(ev.listeners.items[0].address, "127.0.0.1");
    assert_int_equal(ev.listeners.items[0].pid, getpid());
    assert_int_equal(ev.test_count, 1);
    assert_true(ev.tests[0].ok);
}

static void own_socket_on_0_0_0_0_is_local_ok(void **state)
{
    (void)state;
    struct server_evidence ev;
    int port, fd = lb_listen("0.0.0.0", &port);
    assert_true(fd >= 0);
    enum server_verdict v = check_port(port, &ev);
    close(fd);
    assert_string_equal(local_check_code(v), "local_ok");
    assert_int_equal(ev.listeners.items[0].bind, LISTEN_BIND_ANY);
    assert_string_equal(ev.tests[0].address, "127.0.0.1"); /* a wildcard is dialled on loopback */
    assert_true(ev.tests[0].ok);
}

static void ipv6_loopback_listener_is_bind_loopback(void **state)
{
    (void)state;
    struct server_evidence ev;
    int port, fd;
    if (!lb_have_ipv6()) {
        print_message("skipped: no usable ::1 on this machine\n");
        skip();
    }
    fd = lb_listen("::1", &port);
    assert_true(fd >= 0);
    enum server_verdict v = check_port(port, &ev);
    close(fd);
    assert_string_equal(local_check_code(v), "bind_loopback");
    assert_string_equal(ev.listeners.items[0].address, "::1");
}

static void closed_port_is_local_not_listening(void **state)
{
    (void)state;
    struct server_evidence ev;
    int port = lb_closed_port("127.0.0.1");
    assert_true(port > 0);
    assert_string_equal(local_check_code(check_port(port, &ev)), "local_not_listening");
    assert_int_equal(ev.listeners.count, 0);
}

static void public_address_not_on_an_interface_with_nothing_listening(void **state)
{
    (void)state;
    struct server_evidence ev;
    int port = lb_closed_port("127.0.0.1");
    struct server_opts o = {
        .port = port, .timeout_ms = 2000, .skip_firewall = true, .public_addr = "203.0.113.7"};
    local_check_collect(&o, &ev);
    assert_false(ev.public_is_local);
    assert_string_equal(local_check_code(local_check_decide(&ev)), "bind_address_unavailable");
}

static void run_returns_verdict_and_json(void **state)
{
    (void)state;
    int port, fd = lb_listen("0.0.0.0", &port);
    static struct local_check lc;
    struct server_opts o = {.port = port, .timeout_ms = 2000, .skip_firewall = true};
    assert_true(fd >= 0);
    local_check_run(&o, &lc);
    close(fd);
    assert_int_equal(lc.verdict, SERVER_LOCAL_OK);
    cJSON *j = report_local_json(&lc);
    assert_non_null(j);
    const cJSON *verdict = cJSON_GetObjectItemCaseSensitive(j, "verdict");
    assert_true(cJSON_IsString(verdict));
    assert_string_equal(verdict->valuestring, "local_ok");
    cJSON_Delete(j);
}

/* Reading this machine's firewall never fails: either rules or a reason. */
static void host_firewall_read_gives_rules_or_a_reason(void **state)
{
    (void)state;
    struct hostfw_result r;
    hostfw_read(8888, 5000, &r);
    print_message("firewall source \"%s\" available %d reason \"%s\"\n", r.source, r.available,
                  r.reason);
    if (r.available)
        assert_true(r.source[0] != '\0');
    else
        assert_true(r.reason[0] != '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(own_socket_on_127_0_0_1_is_found_as_bind_loopback),
        cmocka_unit_test(own_socket_on_0_0_0_0_is_local_ok),
        cmocka_unit_test(ipv6_loopback_listener_is_bind_loopback),
        cmocka_unit_test(closed_port_is_local_not_listening),
        cmocka_unit_test(public_address_not_on_an_interface_with_nothing_listening),
        cmocka_unit_test(run_returns_verdict_and_json),
        cmocka_unit_test(host_firewall_read_gives_rules_or_a_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
