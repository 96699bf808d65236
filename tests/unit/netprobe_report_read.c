/*
 * Unit tests for netprobe/report_read.c: what is not a report (and why),
 * members of the wrong type, and the round trip report_render ->
 * report_parse for each mode, which --show and --summary rely on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netprobe/report.h"
#include "netprobe/report_read.h"

static struct report_doc doc; /* large: static */

struct refuse_case {
    const char *text;
    enum report_read_status want;
    const char *why_has;
};

static const struct refuse_case refuse_cases[] = {
    {"", REPORT_READ_NOT_REPORT, "not a JSON object"},
    {"hello", REPORT_READ_NOT_REPORT, "not a JSON object"},
    {"[1, 2]", REPORT_READ_NOT_REPORT, "not a JSON object"},
    {"{\"schema\": \"other/1\", \"tool\": {\"name\": \"netprobe\"}}", REPORT_READ_NOT_REPORT,
     "not a netprobe report"},
    {"{\"schema\": \"netprobe.report/1\", \"tool\": {\"name\": \"iperf3\"}}",
     REPORT_READ_NOT_REPORT, "not a netprobe report"},
    {"{\"schema\": \"netprobe.report/1\", \"tool\": \"netprobe\"}", REPORT_READ_NOT_REPORT,
     "not a netprobe report"},
    {"{\"schema\": \"netprobe.report/2\", \"tool\": {\"name\": \"netprobe\"}}",
     REPORT_READ_BAD_VERSION, "\"netprobe.report/2\""},
    {"{\"schema\": \"netprobe.report/1\", \"tool\": {\"name\": \"netprobe\"}",
     REPORT_READ_NOT_REPORT, "syntax error"},
};

static void what_is_not_a_report_is_refused_with_the_reason(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof refuse_cases / sizeof refuse_cases[0]; i++) {
        char why[512] = "";
        const struct refuse_case *c = &refuse_cases[i];
        assert_int_equal(report_parse(c->text, strlen(c->text), &doc, why, sizeof why), c->want);
        if (strstr(why, c->why_has) == NULL)
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, why, c->why_has);
    }
}

/* A member of the wrong type is skipped, never read as something else. */
static void members_of_the_wrong_type_are_skipped(void **state)
{
    (void)state;
    static const char text[] =
        "{\"schema\": \"netprobe.report/1\", \"tool\": {\"name\": \"netprobe\"}, \"label\": 7,"
        " \"mode\": \"client\", \"target\": {\"host\": 5, \"port\": \"8888\"},"
        " \"stages\": [{\"name\": \"tcp\", \"status\": \"exploded\"}, 3, {\"name\": 1}],"
        " \"verdict\": {\"code\": \"no_such_code\", \"evidence\": \"x\"}, \"findings\": {}}";
    char why[512];
    assert_int_equal(report_parse(text, strlen(text), &doc, why, sizeof why), REPORT_READ_OK);
    assert_string_equal(doc.label, "");
    assert_string_equal(doc.ev.host, "");
    assert_int_equal(doc.ev.stages[STAGE_TCP].status, STATUS_NOT_RUN);
    assert_false(doc.has_verdict);
    assert_string_equal(doc.verdict_code, "no_such_code");
    assert_int_equal(doc.verdict.finding_count, 0);
}

/* Counts no integer holds (1e86, as the fuzzer found, or below zero) read
 * as 0, never converted out of range; 2^53 is the largest kept. */
static void counts_out_of_range_read_as_zero(void **state)
{
    (void)state;
    static const struct {
        const char *value;
        unsigned long long want;
    } rows[] = {
        {"8.1e86", 0}, {"-5", 0}, {"1e300", 0}, {"9007199254740992", 9007199254740992ULL}, {"42", 42},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char text[512], why[512];
        snprintf(text, sizeof text,
                 "{\"schema\": \"netprobe.report/1\", \"tool\": {\"name\": \"netprobe\"},"
                 " \"mode\": \"watch\", \"watch\": {\"port\": 8888, \"packets\": %s,"
                 " \"sources\": [{\"address\": \"198.51.100.7\", \"bytes_received\": %s}]}}",
                 rows[i].value, rows[i].value);
        assert_int_equal(report_parse(text, strlen(text), &doc, why, sizeof why), REPORT_READ_OK);
        assert_true(doc.has_watch);
        assert_true(doc.watch.sources[0].bytes_received == rows[i].want);
        assert_true(doc.watch.packets == (rows[i].want <= UINT_MAX ? rows[i].want : UINT_MAX));
    }
}

/* A report is untrusted text: no escape sequence or control character
 * read from it reaches the terminal of whoever runs --show or --summary. */
static void text_from_the_file_is_sanitized(void **state)
{
    (void)state;
    static const char text[] =
        "{\"schema\": \"netprobe.report/1\", \"tool\": {\"name\": \"netprobe\"},"
        " \"label\": \"\\u001b[2J\\u001b]0;owned\\u0007Ana\", \"mode\": \"client\","
        " \"error\": \"a\\rb\","
        " \"stages\": [{\"name\": \"tcp\", \"status\": \"fail\", \"summary\": \"x\\u009by\"}],"
        " \"verdict\": {\"code\": \"refused\", \"evidence\": [\"\\u202egnp.exe\"]},"
        " \"findings\": []}";
    char why[512];
    assert_int_equal(report_parse(text, strlen(text), &doc, why, sizeof why), REPORT_READ_OK);
    const char *fields[] = {doc.label, doc.error, doc.ev.stages[STAGE_TCP].summary,
                            doc.verdict.evidence.lines[0]};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        for (const unsigned char *p = (const unsigned char *)fields[i]; *p != '\0'; p++)
            if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0) ||
                (p[0] == 0xe2 && p[1] == 0x80 && p[2] == 0xae))
                fail_msg("field %zu keeps a control character: \"%s\"", i, fields[i]);
    assert_non_null(strstr(doc.label, "Ana"));
}

/* The one work bound of its own (cJSON bounds the nesting): a file over
 * REPORT_READ_MAX_BYTES is refused without being parsed. */
static void a_file_over_the_size_bound_is_refused(void **state)
{
    (void)state;
    char path[] = "/tmp/netprobe-report-read.XXXXXX", why[512] = "";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    /* A valid report start, then white space past the bound. */
    assert_true(
        fputs("{\"schema\": \"netprobe.report/1\", \"tool\": {\"name\": \"netprobe\"}", f) >= 0);
    for (size_t n = 0; n <= REPORT_READ_MAX_BYTES; n += 4096)
        assert_int_equal(fprintf(f, "%4096s", ""), 4096);
    assert_true(fputs("}", f) >= 0);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(report_read(path, &doc, why, sizeof why), REPORT_READ_NOT_REPORT);
    assert_non_null(strstr(why, "larger than 4 MiB"));
    assert_int_equal(unlink(path), 0);
}

static void ran(struct evidence *ev, enum stage_id id, enum stage_status st, const char *summary)
{
    ev->stages[id].status = st;
    ev->stages[id].duration_ms = 1.5 + id;
    snprintf(ev->stages[id].summary, EV_TEXT_MAX, "%s", summary);
}

static char *render(const struct report_input *in)
{
    char *text = report_render(in);
    assert_non_null(text);
    return text;
}

static void client_report_round_trips(void **state)
{
    (void)state;
    static struct evidence ev;
    static struct verdict v;
    evidence_init(&ev, "chat.example", 8888);
    for (int id = 0; id < STAGE_COUNT; id++)
        ran(&ev, (enum stage_id)id, id == STAGE_TCP ? STATUS_FAIL : STATUS_SKIP, stage_name(id));
    memset(&v, 0, sizeof v);
    v.code = VERDICT_FILTERED_DROP;
    /* How the run ordered and qualified its advice comes back whole. */
    v.lead = CAUSE_PATH;
    v.ruled_out = 1u << CAUSE_PRIVATE_TARGET | 1u << CAUSE_NOT_CHATD;
    v.cause_named = 3;
    v.cause_mask = 1u << 2 | 1u << 0;
    v.qualifier = verdict_qualifier_text(QUALIFIER_CAPTURE_NOT_CONFIRMED);
    verdict_say(&v.evidence, "3 SYNs to 203.0.113.10 port 8888, no answer");
    v.findings[0] = FINDING_ICMP_BLOCKED;
    verdict_say(&v.finding_evidence[0], "0 of 4 pings answered");
    v.findings[1] = FINDING_CLIENT_NAT;
    v.finding_count = 2;
    struct report_input in = {.ev = &ev,
                              .verdict = &v,
                              .command = "netprobe x",
                              .label = "Maria, lab 3",
                              .started_at = "2026-12-04T10:00:00Z"};
    char *text = render(&in), why[512];
    assert_int_equal(report_parse(text, strlen(text), &doc, why, sizeof why), REPORT_READ_OK);
    free(text);
    assert_string_equal(doc.label, "Maria, lab 3");
    assert_string_equal(doc.mode, "client");
    assert_string_equal(doc.started_at, "2026-12-04T10:00:00Z");
    assert_string_equal(doc.ev.host, "chat.example");
    assert_int_equal(doc.ev.port, 8888);
    for (int id = 0; id < STAGE_COUNT; id++) {
        assert_int_equal(doc.ev.stages[id].status, ev.stages[id].status);
        assert_string_equal(doc.ev.stages[id].summary, ev.stages[id].summary);
        assert_true(doc.ev.stages[id].duration_ms == ev.stages[id].duration_ms);
    }
    assert_true(doc.has_verdict);
    assert_int_equal(doc.verdict.code, VERDICT_FILTERED_DROP);
    assert_int_equal(doc.verdict.lead, CAUSE_PATH);
    assert_int_equal(doc.verdict.ruled_out, v.ruled_out);
    assert_int_equal(doc.verdict.cause_named, v.cause_named);
    assert_int_equal(doc.verdict.cause_mask, v.cause_mask);
    assert_ptr_equal(doc.verdict.qualifier, v.qualifier);
    assert_int_equal(doc.verdict.evidence.count, 1);
    assert_string_equal(doc.verdict.evidence.lines[0], v.evidence.lines[0]);
    assert_int_equal(doc.verdict.finding_count, 2);
    assert_int_equal(doc.verdict.findings[0], FINDING_ICMP_BLOCKED);
    assert_string_equal(doc.verdict.finding_evidence[0].lines[0], "0 of 4 pings answered");
    assert_int_equal(doc.verdict.findings[1], FINDING_CLIENT_NAT);
    assert_int_equal(doc.verdict.capture, CAPTURE_NOT_CHECKED);
}

static void local_report_round_trips(void **state)
{
    (void)state;
    static struct evidence ev;
    static struct local_check lc;
    evidence_init(&ev, "", 8888);
    memset(&lc, 0, sizeof lc);
    lc.ev.port = 8888;
    lc.verdict = SERVER_BIND_LOOPBACK;
    for (int id = 0; id < LOCAL_CHECK_COUNT; id++) {
        lc.lines[id].status = id == LOCAL_CHECK_LISTENERS ? STATUS_FAIL : STATUS_PASS;
        snprintf(lc.lines[id].summary, sizeof lc.lines[id].summary, "line %d", id);
    }
    snprintf(lc.sentences[0], LOCAL_CHECK_SENTENCE_MAX, "chatd listens on 127.0.0.1 only");
    lc.sentence_count = 1;
    struct report_input in = {.ev = &ev,
                              .command = "netprobe --local",
                              .mode = "local",
                              .started_at = "2026-12-04T10:00:00Z",
                              .local = &lc};
    char *text = render(&in), why[512];
    assert_int_equal(report_parse(text, strlen(text), &doc, why, sizeof why), REPORT_READ_OK);
    free(text);
    assert_true(doc.has_local);
    assert_false(doc.has_verdict);
    assert_string_equal(doc.verdict_code, "bind_loopback");
    assert_int_equal(doc.local.verdict, SERVER_BIND_LOOPBACK);
    assert_int_equal(doc.local.ev.port, 8888);
    assert_int_equal(doc.local.sentence_count, 1);
    assert_string_equal(doc.local.sentences[0], lc.sentences[0]);
    for (int id = 0; id < LOCAL_CHECK_COUNT; id++) {
        assert_int_equal(doc.local.lines[id].status, lc.lines[id].status);
        assert_string_equal(doc.local.lines[id].summary, lc.lines[id].summary);
    }
}

static void watch_report_round_trips(void **state)
{
    (void)state;
    static struct evidence ev;
    static struct watch_table t;
    evidence_init(&ev, "", 8888);
    watch_table_init(&t, 8888);
    t.count = 2;
    snprintf(t.sources[0].address, ADDR_TEXT_MAX, "198.51.100.7");
    t.sources[0].syns = 3;
    snprintf(t.sources[1].address, ADDR_TEXT_MAX, "203.0.113.9");
    t.sources[1].syns = 1;
    t.sources[1].synacks_sent = 1;
    t.sources[1].bytes_received = 123456789012ULL;
    struct watch_opts o = {.port = 8888, .duration_s = 30, .expect_from = "198.51.100.7"};
    struct watch_report w = {&t, &o, true};
    struct report_input in = {.ev = &ev,
                              .command = "netprobe --watch",
                              .mode = "watch",
                              .started_at = "2026-12-04T10:00:00Z",
                              .watch = &w};
    char *text = render(&in), why[512];
    assert_int_equal(report_parse(text, strlen(text), &doc, why, sizeof why), REPORT_READ_OK);
    free(text);
    assert_true(doc.has_watch);
    assert_int_equal(doc.watch.count, 2);
    assert_string_equal(doc.watch.sources[1].address, "203.0.113.9");
    assert_int_equal(doc.watch.sources[0].syns, 3);
    assert_int_equal(doc.watch.sources[1].synacks_sent, 1);
    assert_true(doc.watch.sources[1].bytes_received == 123456789012ULL);
    assert_string_equal(doc.watch_opts.expect_from, "198.51.100.7");
    assert_true(doc.watch_report.interrupted);
    assert_true(doc.watch_opts.duration_s == 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(what_is_not_a_report_is_refused_with_the_reason),
        cmocka_unit_test(members_of_the_wrong_type_are_skipped),
        cmocka_unit_test(counts_out_of_range_read_as_zero),
        cmocka_unit_test(text_from_the_file_is_sanitized),
        cmocka_unit_test(a_file_over_the_size_bound_is_refused),
        cmocka_unit_test(client_report_round_trips),
        cmocka_unit_test(local_report_round_trips),
        cmocka_unit_test(watch_report_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
