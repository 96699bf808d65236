/*
 * Unit tests for netprobe/output.c: the exact stage line, colors only when
 * asked, --quiet, redaction, and the verdict block's parts.  The advice
 * text itself belongs to advice.c, so the verdict block is checked for its
 * structure, not its words.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netprobe/corroborate.h"
#include "netprobe/output.h"

struct capture {
    FILE *f;
    char *text;
    size_t len;
};

static struct output open_output(struct capture *c, bool color, bool quiet, const struct redact *r)
{
    c->f = open_memstream(&c->text, &c->len);
    assert_non_null(c->f);
    return (struct output){.out = c->f, .color = color, .quiet = quiet, .redact = r};
}

/* Closes the stream; c->text holds everything printed (caller frees). */
static const char *close_output(struct capture *c)
{
    assert_int_equal(fclose(c->f), 0);
    return c->text;
}

/* A run refused on a closed port, seen from a VirtualBox VM. */
static void refused_run(struct evidence *ev, struct verdict *v)
{
    evidence_init(ev, "203.0.113.10", 8888);
    snprintf(ev->local.hostname, sizeof ev->local.hostname, "lab-pc");
    ev->local.iface_count = 1;
    snprintf(ev->local.ifaces[0].address, ADDR_TEXT_MAX, "10.0.2.15");
    struct stage_result *tcp = &ev->stages[STAGE_TCP];
    tcp->status = STATUS_FAIL;
    tcp->duration_ms = 1.25;
    snprintf(tcp->summary, EV_TEXT_MAX, "203.0.113.10 closed/reset from 10.0.2.15");
    ev->stages[STAGE_APP].status = STATUS_SKIP;
    snprintf(ev->stages[STAGE_APP].summary, EV_TEXT_MAX, "skipped: no TCP connection");
    ev->tcp.attempt_count = 1;
    snprintf(ev->tcp.attempts[0].target.address, ADDR_TEXT_MAX, "203.0.113.10");
    ev->tcp.attempts[0].target.family = AF_INET;
    ev->tcp.attempts[0].state = TCP_STATE_CLOSED;
    snprintf(ev->tcp.attempts[0].reason, 32, "reset");
    verdict_decide(ev, v);
    corroborate(ev, v);
}

struct line_case {
    enum stage_id id;
    bool color;
    const char *line;
};

static const struct line_case line_cases[] = {
    {STAGE_TCP, false, "✗ tcp   203.0.113.10 closed/reset from 10.0.2.15 (1.2 ms)\n"},
    {STAGE_APP, false, "- app   skipped: no TCP connection (0.0 ms)\n"},
    {STAGE_TCP, true, "\033[31m✗\033[0m tcp   203.0.113.10 closed/reset from 10.0.2.15 (1.2 ms)\n"},
};

static void stage_lines_are_exact(void **state)
{
    (void)state;
    struct evidence ev;
    struct verdict v;
    refused_run(&ev, &v);
    for (size_t i = 0; i < sizeof line_cases / sizeof line_cases[0]; i++) {
        struct capture c;
        struct output o = open_output(&c, line_cases[i].color, false, NULL);
        output_stage(&o, &ev, line_cases[i].id);
        assert_string_equal(close_output(&c), line_cases[i].line);
        free(c.text);
    }
}

static void verdict_block_has_cause_fix_guide_and_report(void **state)
{
    (void)state;
    struct evidence ev;
    struct verdict v;
    struct capture c;
    refused_run(&ev, &v);
    struct output o = open_output(&c, false, false, NULL);
    output_verdict(&o, &ev, &v, "report.json");
    const char *text = close_output(&c);
    assert_true(strncmp(text, "verdict: refused - ", 19) == 0);
    assert_non_null(strstr(text, "  seen: TCP to 203.0.113.10 port 8888: closed (reset)"));
    assert_non_null(strstr(text, "    1. "));
    assert_non_null(strstr(text, "  guide: docs/troubleshooting.md#refused\n"));
    assert_non_null(strstr(text, "report: report.json\n"));
    assert_null(strstr(text, "{port}"));
    assert_null(strchr(text, '\033')); /* no colors unless asked */
    free(c.text);
}

static void quiet_prints_only_the_verdict_line(void **state)
{
    (void)state;
    struct evidence ev;
    struct verdict v;
    struct capture c;
    refused_run(&ev, &v);
    struct output o = open_output(&c, false, true, NULL);
    output_stage(&o, &ev, STAGE_TCP);
    output_verdict(&o, &ev, &v, "report.json");
    const char *text = close_output(&c);
    assert_true(strncmp(text, "verdict: refused - ", 19) == 0);
    assert_ptr_equal(strchr(text, '\n'), text + strlen(text) - 1);
    free(c.text);
}

static void redaction_applies_to_every_line(void **state)
{
    (void)state;
    struct evidence ev;
    struct verdict v;
    struct redact r;
    struct capture c;
    refused_run(&ev, &v);
    redact_init(&r, &ev);
    struct output o = open_output(&c, false, false, &r);
    output_stage(&o, &ev, STAGE_TCP);
    const char *text = close_output(&c);
    assert_non_null(strstr(text, "from <private-1> ("));
    assert_non_null(strstr(text, "203.0.113.10")); /* the target stays */
    free(c.text);
}

/* The line that ends --trace says in words what ended the walk (it once
 * printed the code itself: "ended by reached"). */
static void trace_end_is_a_sentence_for_each_way_it_ends(void **state)
{
    (void)state;
    static const struct {
        const char *ended;
        int last_ttl; /* 0: no hop answered */
        const char *want;
    } rows[] = {
        {"reached", 3, "trace: the target answered at hop 3 (198.51.100.7)\n"},
        {"unreachable", 2, "trace: hop 2 (198.51.100.7) answered that the target is unreachable\n"},
        {"unreachable", 0, "trace: the target is unreachable\n"},
        {"silence", 2, "trace: the hops after hop 2 (198.51.100.7) did not answer\n"},
        {"silence", 0, "trace: no hop answered\n"},
        {"max_hops", 5,
         "trace: the target did not answer within the hop limit; the last answer came from hop 5 "
         "(198.51.100.7)\n"},
        {"local_error", 0, "trace: a local error stopped it before any hop answered\n"},
        {"bad_target", 0, "trace: not run\n"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        static struct trace_result r;
        struct capture c;
        memset(&r, 0, sizeof r);
        r.ended = rows[i].ended;
        r.last_answer_ttl = rows[i].last_ttl;
        snprintf(r.last_answer_from, sizeof r.last_answer_from, "198.51.100.7");
        struct output o = open_output(&c, false, false, NULL);
        output_trace(&o, &r);
        const char *text = close_output(&c);
        assert_string_equal(text, rows[i].want);
        assert_null(strstr(text, "ended by"));
        free(c.text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stage_lines_are_exact),
        cmocka_unit_test(verdict_block_has_cause_fix_guide_and_report),
        cmocka_unit_test(quiet_prints_only_the_verdict_line),
        cmocka_unit_test(redaction_applies_to_every_line),
        cmocka_unit_test(trace_end_is_a_sentence_for_each_way_it_ends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
