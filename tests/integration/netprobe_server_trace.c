/*
 * netprobe --trace on loopback: with TTL 1 the target itself answers, so
 * the walk ends at hop 1 (open for a listener, closed for a port nobody
 * listens on).  No root needed.
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
#include "netprobe/wire/trace.h"
#include "tests/support/netprobe_loopback.h"

static void trace_to_a_listener_reaches_it_at_hop_1(void **state)
{
    (void)state;
    struct trace_result r;
    int port, fd = lb_listen("127.0.0.1", &port);
    assert_true(fd >= 0);
    struct trace_opts o = {.target = "127.0.0.1", .port = port, .hop_timeout_ms = 3000};
    assert_int_equal(trace_run(&o, &r), 0);
    close(fd);
    assert_true(r.reached);
    assert_string_equal(r.ended, "reached");
    assert_int_equal(r.hop_count, 1);
    assert_int_equal(r.hops[0].kind, TRACE_REACHED_OPEN);
    assert_int_equal(r.last_answer_ttl, 1);
    assert_string_equal(r.last_answer_from, "127.0.0.1");
}

static void trace_to_a_closed_port_ends_with_the_reset_at_hop_1(void **state)
{
    (void)state;
    struct trace_result r;
    int port = lb_closed_port("127.0.0.1");
    assert_true(port > 0);
    struct trace_opts o = {.target = "127.0.0.1", .port = port, .hop_timeout_ms = 3000};
    assert_int_equal(trace_run(&o, &r), 0);
    assert_true(r.reached);
    assert_int_equal(r.hop_count, 1);
    assert_int_equal(r.hops[0].kind, TRACE_REACHED_CLOSED);
}

static void trace_over_ipv6_loopback_reaches_hop_1(void **state)
{
    (void)state;
    struct trace_result r;
    int port, fd;
    if (!lb_have_ipv6()) {
        print_message("skipped: no usable ::1 on this machine\n");
        skip();
    }
    fd = lb_listen("::1", &port);
    assert_true(fd >= 0);
    struct trace_opts o = {.target = "::1", .port = port, .hop_timeout_ms = 3000};
    assert_int_equal(trace_run(&o, &r), 0);
    close(fd);
    assert_true(r.reached);
    assert_int_equal(r.hops[0].kind, TRACE_REACHED_OPEN);
}

static void trace_json_lists_the_hops(void **state)
{
    (void)state;
    struct trace_result r;
    int port, fd = lb_listen("127.0.0.1", &port);
    assert_true(fd >= 0);
    struct trace_opts o = {.target = "127.0.0.1", .port = port, .hop_timeout_ms = 3000};
    assert_int_equal(trace_run(&o, &r), 0);
    close(fd);
    cJSON *j = report_trace_json(&r);
    assert_non_null(j);
    char *s = cJSON_PrintUnformatted(j);
    assert_non_null(s);
    assert_non_null(strstr(s, "\"reached\":true"));
    assert_non_null(strstr(s, "\"kind\":\"open\""));
    assert_non_null(strstr(s, "\"last_answer_hop\":1"));
    cJSON_free(s);
    cJSON_Delete(j);
}

static void trace_refuses_a_name(void **state)
{
    (void)state;
    struct trace_result r;
    struct trace_opts o = {.target = "localhost", .port = 8888};
    assert_int_equal(trace_run(&o, &r), -1);
    assert_string_equal(r.ended, "bad_target");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(trace_to_a_listener_reaches_it_at_hop_1),
        cmocka_unit_test(trace_to_a_closed_port_ends_with_the_reset_at_hop_1),
        cmocka_unit_test(trace_over_ipv6_loopback_reaches_hop_1),
        cmocka_unit_test(trace_json_lists_the_hops),
        cmocka_unit_test(trace_refuses_a_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
