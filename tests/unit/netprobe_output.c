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

#include <unistd.h>

#include "netprobe/corroborate.h"
#include "netprobe/guide.h"
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

/* The verdict block of v at a verbosity, with or without a report. */
static char *verdict_text(const struct evidence *ev, const struct verdict *v, bool verbose,
                          const char *report)
{
    struct capture c;
    struct output o = open_output(&c, false, false, NULL);
    o.verbose = verbose;
    output_verdict(&o, ev, v, report);
    close_output(&c);
    return c.text;
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
    assert_non_null(strstr(text, "\n  most likely cause: "));
    assert_non_null(strstr(text, "\n  what to do first: "));
    assert_non_null(strstr(text, "  guide: docs/troubleshooting.md#refused\n"));
    assert_non_null(strstr(text, "report: report.json\n"));
    assert_null(strstr(text, "{port}"));
    assert_null(strchr(text, '\033')); /* no colors unless asked */
    free(c.text);
}

/* The default shows one cause and one step and says how to see the rest;
 * -v lists them all, numbered; neither changes the head or the guide. */
static void verbose_lists_every_cause_and_step(void **state)
{
    (void)state;
    struct evidence ev;
    struct verdict v;
    refused_run(&ev, &v);
    char *brief = verdict_text(&ev, &v, false, NULL);
    char *full = verdict_text(&ev, &v, true, NULL);
    assert_null(strstr(brief, "    1. "));
    assert_non_null(strstr(brief, "  more causes and steps: add -v\n"));
    assert_non_null(strstr(full, "  likely causes, most likely first:\n    1. "));
    assert_non_null(strstr(full, "\n    2. "));
    assert_non_null(strstr(full, "  what to do:\n    1. "));
    assert_null(strstr(full, "add -v"));
    /* The first cause is the same sentence in both. */
    const char *first = strstr(full, "    1. ") + 7;
    assert_true(strncmp(strstr(brief, "most likely cause: ") + 19, first,
                        (size_t)(strchr(first, '\n') - first)) == 0);
    for (char *t = brief; t != NULL; t = t == brief ? full : NULL)
        assert_non_null(strstr(t, "  guide: docs/troubleshooting.md#refused\n"));
    free(brief);
    free(full);
    /* ok has one status line and two steps: the hint names only steps. */
    v.code = VERDICT_OK;
    brief = verdict_text(&ev, &v, false, NULL);
    assert_non_null(strstr(brief, "\n  status: "));
    assert_non_null(strstr(brief, "\n  more steps: add -v\n"));
    free(brief);
}

/* "report: PATH" when a report was written; otherwise the command that
 * writes one, with the probe's own host and port. */
static void report_line_or_the_command_that_saves_one(void **state)
{
    (void)state;
    struct evidence ev;
    struct verdict v;
    refused_run(&ev, &v);
    char *with = verdict_text(&ev, &v, false, "r.json");
    char *without = verdict_text(&ev, &v, false, NULL);
    assert_non_null(strstr(with, "\nreport: r.json\n"));
    assert_null(strstr(with, "no report saved"));
    assert_non_null(strstr(without, "\nno report saved; for a bug report save one with: netprobe "
                                    "--json report.json 203.0.113.10 8888\n"));
    assert_null(strstr(without, "report: "));
    free(with);
    free(without);
}

/* client_nat, cloud_nat and virtualbox_nat need no action: one line each
 * ending in "nothing to change"; a finding that matters keeps its block. */
static void context_findings_are_one_line(void **state)
{
    (void)state;
    struct evidence ev;
    struct verdict v;
    refused_run(&ev, &v);
    v.finding_count = 0;
    const enum finding_code codes[] = {FINDING_CLIENT_NAT, FINDING_ICMP_BLOCKED, FINDING_CLOUD_NAT,
                                       FINDING_VIRTUALBOX_NAT};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        v.findings[v.finding_count] = codes[i];
        v.finding_evidence[v.finding_count].count = 0;
        verdict_say(&v.finding_evidence[v.finding_count++], "observation %zu", i);
    }
    char *brief = verdict_text(&ev, &v, false, NULL);
    char *full = verdict_text(&ev, &v, true, NULL);
    const char *context[] = {"client_nat", "cloud_nat", "virtualbox_nat"};
    for (size_t i = 0; i < 3; i++) {
        char head[64], finding[64];
        snprintf(head, sizeof head, "\nnote: %s - ", context[i]);
        snprintf(finding, sizeof finding, "finding: %s", context[i]);
        const char *line = strstr(brief, head);
        assert_non_null(line);
        const char *end = strchr(line + 1, '\n');
        assert_true(end - line > 20 && strncmp(end - 19, "; nothing to change", 19) == 0);
        assert_null(strstr(brief, finding));
        assert_non_null(strstr(full, head));
    }
    assert_non_null(strstr(brief, "\nfinding: icmp_blocked - "));
    assert_non_null(strstr(brief, "  seen: observation 1\n"));
    assert_null(strstr(brief, "  seen: observation 0\n")); /* a context line's evidence: -v */
    assert_non_null(strstr(full, "  seen: observation 0\n"));
    free(brief);
    free(full);
}

/* The guide reference: the installed copy when it is readable, else the
 * source tree's path; the anchor and the language are kept. */
static void guide_points_at_the_installed_copy(void **state)
{
    (void)state;
    char dir[] = "/tmp/netprobe-guide.XXXXXX", file[64], out[256];
    assert_non_null(mkdtemp(dir));
    snprintf(file, sizeof file, "%s/troubleshooting.es.md", dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    assert_int_equal(fclose(f), 0);
    const struct {
        const char *docdir, *doc, *want; /* want NULL: "DIR/" + the doc's file */
    } cases[] = {
        {dir, "docs/troubleshooting.es.md#refused", NULL},
        {dir, "docs/troubleshooting.md#refused", "docs/troubleshooting.md#refused"},
        {"", "docs/troubleshooting.es.md#ok", "docs/troubleshooting.es.md#ok"},
        {"/nonexistent", "docs/troubleshooting.md#ok", "docs/troubleshooting.md#ok"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char want[256];
        snprintf(want, sizeof want, "%s/troubleshooting.es.md#refused", dir);
        assert_string_equal(guide_ref(cases[i].docdir, cases[i].doc, out, sizeof out),
                            cases[i].want != NULL ? cases[i].want : want);
    }
    assert_int_equal(unlink(file), 0);
    assert_int_equal(rmdir(dir), 0);
}

/* A silent drop seen from behind VirtualBox's NAT (its echo replies arrive
 * with TTL 255): the relay note comes after the table's causes and fix
 * steps, numbered on; without the relay it is not printed. */
static void relay_note_follows_the_causes_and_the_fix(void **state)
{
    (void)state;
    for (int relay = 0; relay <= 1; relay++) {
        struct evidence ev;
        struct verdict v;
        struct capture c;
        refused_run(&ev, &v);
        ev.tcp.attempts[0].state = TCP_STATE_FILTERED;
        snprintf(ev.tcp.attempts[0].reason, 32, "no-response");
        ev.local.virtualbox_nat = true;
        ev.local.ifaces[0].prefix_len = 24;
        ev.icmp.reply_ttl = relay ? 255 : 60;
        verdict_decide(&ev, &v);
        corroborate(&ev, &v);
        struct output o = open_output(&c, false, false, NULL);
        o.verbose = true; /* the numbered lists */
        output_verdict(&o, &ev, &v, NULL);
        const char *text = close_output(&c);
        const char *note = strstr(text, "    6. a firewall that rejects (REJECT");
        /* After filtered_drop's own steps, however many the evidence
         * leaves (advice_order). */
        const char *fix = strstr(text, ". To tell a DROP from a REJECT");
        print_message("relay %d\n", relay);
        assert_true(strncmp(text, "verdict: filtered_drop - ", 25) == 0);
        if (relay) {
            assert_non_null(note);
            assert_non_null(fix);
            assert_true(note < strstr(text, "what to do:"));
            assert_non_null(strstr(fix, "sudo netprobe --watch 8888 on the server"));
            assert_non_null(strstr(fix, "run netprobe 203.0.113.10 8888 on the host"));
        } else {
            assert_null(strstr(text, "REJECT"));
        }
        free(c.text);
    }
}

/* A dual-stack run: one line per family above the verdict, saying which
 * worked and how the other failed; an IPv4-only run that connected has no
 * such lines. */
static void families_are_told_apart_above_the_verdict(void **state)
{
    (void)state;
    struct evidence ev;
    struct verdict v;
    struct capture c;
    refused_run(&ev, &v);
    ev.tcp.attempts[0].state = TCP_STATE_OPEN;
    snprintf(ev.tcp.attempts[0].reason, 32, "syn-ack");
    ev.tcp.attempts[1] = ev.tcp.attempts[0];
    snprintf(ev.tcp.attempts[1].target.address, ADDR_TEXT_MAX, "2001:db8:ec2::9");
    ev.tcp.attempts[1].target.family = AF_INET6;
    ev.tcp.attempts[1].state = TCP_STATE_FILTERED;
    ev.tcp.attempts[1].syns_sent = 2;
    snprintf(ev.tcp.attempts[1].reason, 32, "no-response");
    ev.tcp.attempt_count = 2;
    ev.tcp.chosen = 0;
    verdict_decide(&ev, &v);
    struct output o = open_output(&c, false, false, NULL);
    output_verdict(&o, &ev, &v, NULL);
    const char *text = close_output(&c);
    static const char WANT[] =
        "IPv4: connected: 203.0.113.10 open/syn-ack, used for the next stages\n"
        "IPv6: failed: 2001:db8:ec2::9 filtered/no-response after 2 SYN(s)\n"
        "verdict: ";
    assert_true(strncmp(text, WANT, sizeof WANT - 1) == 0);
    free(c.text);

    ev.tcp.attempt_count = 1;
    verdict_decide(&ev, &v);
    o = open_output(&c, false, false, NULL);
    output_verdict(&o, &ev, &v, NULL);
    text = close_output(&c);
    assert_null(strstr(text, "IPv4:"));
    assert_null(strstr(text, "IPv6:"));
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
        cmocka_unit_test(verbose_lists_every_cause_and_step),
        cmocka_unit_test(report_line_or_the_command_that_saves_one),
        cmocka_unit_test(context_findings_are_one_line),
        cmocka_unit_test(guide_points_at_the_installed_copy),
        cmocka_unit_test(quiet_prints_only_the_verdict_line),
        cmocka_unit_test(relay_note_follows_the_causes_and_the_fix),
        cmocka_unit_test(families_are_told_apart_above_the_verdict),
        cmocka_unit_test(redaction_applies_to_every_line),
        cmocka_unit_test(trace_end_is_a_sentence_for_each_way_it_ends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
