/* Unit tests for netprobe/evidence.c: stable names and the initial state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "netprobe/evidence.h"

static void every_enum_value_has_a_distinct_name(void **state)
{
    (void)state;
    const char *stages[STAGE_COUNT];
    for (int i = 0; i < STAGE_COUNT; i++) {
        stages[i] = stage_name((enum stage_id)i);
        assert_string_not_equal(stages[i], "?");
        for (int j = 0; j < i; j++)
            assert_string_not_equal(stages[i], stages[j]);
    }
    assert_string_equal(stage_status_name(STATUS_SKIP), "skip");
    assert_string_equal(tcp_state_name(TCP_STATE_FILTERED), "filtered");
    assert_string_equal(addr_class_name(ADDR_CGNAT), "cgnat");
    assert_string_equal(dns_outcome_name(DNS_NXDOMAIN), "nxdomain");
    assert_string_equal(app_outcome_name(APP_SILENT), "silent");
    assert_string_equal(echo_outcome_name(ECHO_MISMATCH), "mismatch");
}

static void out_of_range_values_are_named_not_crashed_on(void **state)
{
    (void)state;
    assert_string_equal(stage_name((enum stage_id)99), "?");
    assert_string_equal(tcp_state_name((enum tcp_state) - 1), "?");
    assert_string_equal(echo_outcome_name((enum echo_outcome)42), "?");
}

static void init_leaves_every_stage_not_run(void **state)
{
    (void)state;
    struct evidence ev;
    memset(&ev, 0x5a, sizeof ev);
    evidence_init(&ev, "13.58.224.87", 8888);
    assert_string_equal(ev.host, "13.58.224.87");
    assert_int_equal(ev.port, 8888);
    assert_int_equal(ev.tcp.chosen, -1);
    for (int i = 0; i < STAGE_COUNT; i++)
        assert_int_equal(ev.stages[i].status, STATUS_NOT_RUN);
    assert_int_equal(ev.app.outcome, APP_NOT_RUN);
    assert_int_equal(ev.dns.addr_count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_enum_value_has_a_distinct_name),
        cmocka_unit_test(out_of_range_values_are_named_not_crashed_on),
        cmocka_unit_test(init_leaves_every_stage_not_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
