/*
 * Unit tests for netprobe/report.c: the JSON report's shape, its numbers,
 * the error form, and redaction.  tests/scripts/netprobe_schema.sh checks
 * real runs against docs/report.schema.json; these pin the details that a
 * schema cannot see (NaN, ordering, placeholders, write errors).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netprobe/corroborate.h"
#include "netprobe/report.h"

static void ran(struct evidence *ev, enum stage_id id, enum stage_status st, const char *summary)
{
    ev->stages[id].status = st;
    ev->stages[id].duration_ms = 1.5;
    snprintf(ev->stages[id].summary, EV_TEXT_MAX, "%s", summary);
}

/* A loopback run against chatd, every stage passed, icmp skipped. */
static void loopback_run(struct evidence *ev, struct verdict *v)
{
    evidence_init(ev, "127.0.0.1", 8888);
    ev->timeout_ms = 1500;
    snprintf(ev->local.hostname, sizeof ev->local.hostname, "lab-pc");
    snprintf(ev->local.source_address, ADDR_TEXT_MAX, "127.0.0.1");
    ev->local.source_class = ADDR_LOOPBACK;
    ev->local.iface_count = 1;
    snprintf(ev->local.ifaces[0].name, 32, "eth0");
    snprintf(ev->local.ifaces[0].address, ADDR_TEXT_MAX, "10.0.2.15");
    snprintf(ev->local.ifaces[0].mac, 18, "08:00:27:aa:bb:cc");
    ev->dns.outcome = DNS_LITERAL;
    snprintf(ev->dns.addrs[0].address, ADDR_TEXT_MAX, "127.0.0.1");
    ev->dns.addrs[0].family = AF_INET;
    ev->dns.addr_count = 1;
    ev->tcp.attempt_count = 1;
    ev->tcp.attempts[0].target = ev->dns.addrs[0];
    ev->tcp.attempts[0].state = TCP_STATE_OPEN;
    snprintf(ev->tcp.attempts[0].reason, 32, "syn-ack");
    ev->tcp.attempts[0].rtt_ms = NAN; /* must never reach the document */
    ev->tcp.chosen = 0;
    ev->tcp.deadline_ms = 1500;
    ev->app.outcome = APP_CHATD;
    snprintf(ev->app.hello.server, 32, "chatd");
    snprintf(ev->app.hello.mode, 8, "chat");
    snprintf(ev->app.hello.hostname, 256, "lab-pc");
    ev->echo.size_count = 1;
    ev->echo.sizes[0] = (struct ev_echo_size){16, ECHO_OK, 0.2, 16};
    ran(ev, STAGE_LOCAL, STATUS_PASS, "source 10.0.2.15 on eth0");
    ran(ev, STAGE_DNS, STATUS_PASS, "literal");
    ev->stages[STAGE_ICMP].status = STATUS_SKIP;
    snprintf(ev->stages[STAGE_ICMP].skip_reason, EV_TEXT_MAX, "--no-icmp was given");
    ran(ev, STAGE_TCP, STATUS_PASS, "open");
    ran(ev, STAGE_APP, STATUS_PASS, "chatd");
    ran(ev, STAGE_ECHO, STATUS_PASS, "echo");
    ev->stages[STAGE_ECHO].duration_ms = INFINITY; /* must never reach the document */
    verdict_decide(ev, v);
    corroborate(ev, v);
}

/* Renders and parses back; the caller deletes. */
static cJSON *render(const struct report_input *in, char **text_out)
{
    char *text = report_render(in);
    assert_non_null(text);
    assert_int_equal(text[strlen(text) - 1], '\n');
    cJSON *root = cJSON_Parse(text);
    assert_non_null(root);
    if (text_out != NULL)
        *text_out = text;
    else
        free(text);
    return root;
}

static const cJSON *at(const cJSON *o, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, name);
    if (it == NULL)
        print_message("missing member \"%s\"\n", name);
    assert_non_null(it);
    return it;
}

static void ok_report_has_every_member_in_place(void **state)
{
    (void)state;
    struct evidence ev;
    struct verdict v;
    loopback_run(&ev, &v);
    struct report_input in = {.ev = &ev,
                              .verdict = &v,
                              .command = "netprobe 127.0.0.1",
                              .started_at = "2026-11-24T01:02:03.412Z",
                              .error = NULL,
                              .redact = NULL};
    cJSON *root = render(&in, NULL);
    assert_string_equal(at(root, "schema")->valuestring, "netprobe.report/1");
    assert_string_equal(at(at(root, "tool"), "name")->valuestring, "netprobe");
    assert_string_equal(at(root, "command")->valuestring, "netprobe 127.0.0.1");
    assert_true(cJSON_IsFalse(at(root, "redacted")));
    assert_int_equal(at(at(root, "target"), "port")->valueint, 8888);
    const cJSON *stages = at(root, "stages");
    static const char *const names[] = {"local", "dns", "icmp", "tcp", "app", "echo"};
    assert_int_equal(cJSON_GetArraySize(stages), 6);
    for (int i = 0; i < 6; i++)
        assert_string_equal(at(cJSON_GetArrayItem(stages, i), "name")->valuestring, names[i]);
    const cJSON *icmp = cJSON_GetArrayItem(stages, STAGE_ICMP);
    assert_string_equal(at(icmp, "skip_reason")->valuestring, "--no-icmp was given");
    assert_int_equal(cJSON_GetArraySize(at(icmp, "evidence")), 0);
    const cJSON *verdict = at(root, "verdict");
    assert_string_equal(at(verdict, "code")->valuestring, "ok");
    assert_true(cJSON_GetArraySize(at(verdict, "causes")) >= 1);
    assert_true(cJSON_GetArraySize(at(verdict, "fix")) >= 1);
    assert_string_equal(at(verdict, "doc")->valuestring, "docs/troubleshooting.md#ok");
    assert_int_equal(cJSON_GetArraySize(at(root, "findings")), 0);
    assert_null(cJSON_GetObjectItemCaseSensitive(root, "error"));
    cJSON_Delete(root);
}

static void numbers_are_finite_and_unmeasured_times_null(void **state)
{
    (void)state;
    struct evidence ev;
    struct verdict v;
    char *text;
    loopback_run(&ev, &v);
    ev.stages[STAGE_ICMP].status = STATUS_WARN; /* ran, no reply */
    ev.icmp.sent = 3;
    ev.icmp.rtt_avg_ms = NAN;
    struct report_input in = {.ev = &ev,
                              .verdict = &v,
                              .command = "netprobe",
                              .started_at = "2026-11-24T01:02:03Z",
                              .error = NULL,
                              .redact = NULL};
    cJSON *root = render(&in, &text);
    assert_null(strstr(text, "nan"));
    assert_null(strstr(text, "inf"));
    const cJSON *stages = at(root, "stages");
    const cJSON *tcp = at(at(cJSON_GetArrayItem(stages, STAGE_TCP), "evidence"), "attempts");
    const cJSON *rtt = at(cJSON_GetArrayItem(tcp, 0), "rtt_ms");
    assert_true(cJSON_IsNumber(rtt));
    assert_true(rtt->valuedouble == 0);
    assert_true(cJSON_IsNumber(at(cJSON_GetArrayItem(stages, STAGE_ECHO), "duration_ms")));
    const cJSON *icmp = at(cJSON_GetArrayItem(stages, STAGE_ICMP), "evidence");
    assert_true(cJSON_IsNull(at(icmp, "rtt_avg_ms")));
    assert_true(at(icmp, "loss_pct")->valuedouble == 100);
    free(text);
    cJSON_Delete(root);
}

static void error_report_keeps_the_stages_reached(void **state)
{
    (void)state;
    struct evidence ev;
    evidence_init(&ev, "", 8888);
    ran(&ev, STAGE_LOCAL, STATUS_PASS, "local");
    struct report_input in = {.ev = &ev,
                              .verdict = NULL,
                              .command = "netprobe --timeout 0",
                              .started_at = "2026-11-24T01:02:03Z",
                              .error = "invalid --timeout",
                              .redact = NULL};
    cJSON *root = render(&in, NULL);
    assert_true(cJSON_IsNull(at(root, "verdict")));
    assert_string_equal(at(root, "error")->valuestring, "invalid --timeout");
    assert_int_equal(cJSON_GetArraySize(at(root, "stages")), 1);
    assert_int_equal(cJSON_GetArraySize(at(root, "findings")), 0);
    assert_true(at(root, "timeout_ms")->valuedouble > 0);
    cJSON_Delete(root);
}

static void findings_carry_advice_and_evidence(void **state)
{
    (void)state;
    struct evidence ev;
    struct verdict v;
    loopback_run(&ev, &v);
    ev.icmp.sent = 3;
    ev.stages[STAGE_ICMP].status = STATUS_WARN;
    verdict_decide(&ev, &v);
    corroborate(&ev, &v);
    struct report_input in = {.ev = &ev,
                              .verdict = &v,
                              .command = "netprobe",
                              .started_at = "2026-11-24T01:02:03Z",
                              .error = NULL,
                              .redact = NULL};
    cJSON *root = render(&in, NULL);
    const cJSON *f = cJSON_GetArrayItem(at(root, "findings"), 0);
    assert_non_null(f);
    assert_string_equal(at(f, "code")->valuestring, "icmp_blocked");
    assert_true(cJSON_GetArraySize(at(f, "evidence")) >= 1);
    assert_true(cJSON_GetArraySize(at(f, "causes")) >= 1);
    cJSON_Delete(root);
}

static void redacted_report_hides_host_name_private_address_and_mac(void **state)
{
    (void)state;
    struct evidence ev;
    struct verdict v;
    struct redact r;
    char *text;
    loopback_run(&ev, &v);
    redact_init(&r, &ev);
    struct report_input in = {.ev = &ev,
                              .verdict = &v,
                              .command = "netprobe --redact 127.0.0.1",
                              .started_at = "2026-11-24T01:02:03Z",
                              .error = NULL,
                              .redact = &r};
    cJSON *root = render(&in, &text);
    assert_true(cJSON_IsTrue(at(root, "redacted")));
    assert_null(strstr(text, "lab-pc"));
    assert_null(strstr(text, "10.0.2.15"));
    assert_null(strstr(text, "08:00:27"));
    assert_non_null(strstr(text, "\"<hostname>\""));
    assert_non_null(strstr(text, "<private-1>"));
    assert_non_null(strstr(text, "\"<mac-1>\""));
    assert_non_null(strstr(text, "127.0.0.1")); /* the target stays */
    free(text);
    cJSON_Delete(root);
}

static void timestamp_is_utc_iso8601(void **state)
{
    (void)state;
    char t[REPORT_TIME_MAX];
    regex_t re;
    report_timestamp(t);
    assert_int_equal(regcomp(&re,
                             "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$",
                             REG_EXTENDED | REG_NOSUB),
                     0);
    print_message("timestamp %s\n", t);
    assert_int_equal(regexec(&re, t, 0, NULL, 0), 0);
    regfree(&re);
}

static void command_joins_argv(void **state)
{
    (void)state;
    char *const argv[] = {"netprobe", "--json", "-", "203.0.113.10"};
    char *s = report_command(4, argv);
    assert_string_equal(s, "netprobe --json - 203.0.113.10");
    free(s);
}

static void write_failure_names_the_path(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(report_write("/nonexistent-dir/r.json", "{}\n", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent-dir/r.json"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ok_report_has_every_member_in_place),
        cmocka_unit_test(numbers_are_finite_and_unmeasured_times_null),
        cmocka_unit_test(error_report_keeps_the_stages_reached),
        cmocka_unit_test(findings_carry_advice_and_evidence),
        cmocka_unit_test(redacted_report_hides_host_name_private_address_and_mac),
        cmocka_unit_test(timestamp_is_utc_iso8601),
        cmocka_unit_test(command_joins_argv),
        cmocka_unit_test(write_failure_names_the_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
