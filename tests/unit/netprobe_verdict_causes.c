/*
 * Property tests for the advice a verdict shows: over every verdict code
 * and the evidence that bears on the causes (a trace, a capture, a private
 * target, chatd's own words), the causes shown never contradict a stage
 * and the fix steps follow the causes.
 *
 * The oracle is the words, not the cause kinds the code uses: each rule
 * below names evidence and a phrase that must (or must not) be shown with
 * it, so a cause tagged with the wrong kind fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netprobe/advice.h"
#include "netprobe/corroborate.h"
#include "netprobe/verdict.h"
#include "tests/support/netprobe_fixture.h"

/* ---- One base per way to reach each verdict ------------------------------ */

static void base_ok(struct evidence *ev)
{
    (void)ev;
}
static void base_dns(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_UNKNOWN, "");
    ev->tcp.attempt_count = 0;
    ev->dns.outcome = DNS_NXDOMAIN;
}
static void base_no_route(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_ERROR, "no-route");
}
static void base_drop(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_FILTERED, "no-response");
}
static void base_rejected(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_FILTERED, "admin-prohibited");
}
static void base_refused(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_CLOSED, "reset");
}
static void base_eperm(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_ERROR, "local-firewall");
}
static void base_output_rule(struct evidence *ev)
{
    base_drop(ev);
    ev->tcp.local_fw.read = ev->tcp.local_fw.blocks = true;
    snprintf(ev->tcp.local_fw.rule, sizeof ev->tcp.local_fw.rule, "ip filter OUTPUT rule 1: drop");
}
static void base_silent(struct evidence *ev)
{
    ev->app.outcome = APP_SILENT;
    ev->echo.size_count = 0;
}
static void base_closed(struct evidence *ev)
{
    ev->app.outcome = APP_CLOSED;
    ev->echo.size_count = 0;
}
static void base_reset(struct evidence *ev)
{
    ev->app.outcome = APP_RESET;
    ev->echo.size_count = 0;
}
static void base_other(struct evidence *ev)
{
    ev->app.outcome = APP_OTHER;
    snprintf(ev->app.banner, sizeof ev->app.banner, "SSH-2.0-OpenSSH_9.2p1");
    ev->echo.size_count = 0;
}
static void base_full(struct evidence *ev)
{
    base_closed(ev);
    snprintf(ev->app.chatd_said, sizeof ev->app.chatd_said, "ERR server_full full");
}
static void base_shutdown(struct evidence *ev)
{
    base_closed(ev);
    snprintf(ev->app.chatd_said, sizeof ev->app.chatd_said, "NOTICE shutdown bye");
}
static void base_bad_hello(struct evidence *ev)
{
    base_closed(ev);
    snprintf(ev->app.chatd_said, sizeof ev->app.chatd_said, "ERR bad_hello what");
}
static void base_mtu(struct evidence *ev)
{
    ev->echo.sizes[2].outcome = ECHO_STALLED;
    ev->echo.size_count = 3;
    ev->echo.mss_retry_run = true;
    ev->echo.mss_retry_mss = 1200;
    ev->echo.mss_retry_outcome = ECHO_OK;
}
static void base_stall(struct evidence *ev)
{
    base_mtu(ev);
    ev->echo.mss_retry_outcome = ECHO_STALLED;
}
static void base_corrupt(struct evidence *ev)
{
    ev->echo.sizes[1].outcome = ECHO_MISMATCH;
}
static void base_echo_closed(struct evidence *ev)
{
    ev->echo.sizes[2].outcome = ECHO_CLOSED;
    ev->echo.size_count = 3;
}

static const struct {
    const char *name;
    void (*set)(struct evidence *ev);
} bases[] = {
    {"ok", base_ok},
    {"nxdomain", base_dns},
    {"no route", base_no_route},
    {"silent drop", base_drop},
    {"icmp reject", base_rejected},
    {"reset", base_refused},
    {"EPERM", base_eperm},
    {"output rule", base_output_rule},
    {"silent server", base_silent},
    {"closed", base_closed},
    {"reset after accept", base_reset},
    {"another service", base_other},
    {"chatd full", base_full},
    {"chatd shutting down", base_shutdown},
    {"chatd bad_hello", base_bad_hello},
    {"mtu", base_mtu},
    {"stall", base_stall},
    {"corruption", base_corrupt},
    {"closed during echo", base_echo_closed},
};

/* ---- The evidence that bears on the causes -------------------------------- */

static void with_nothing(struct evidence *ev)
{
    (void)ev;
}
/* --trace: silence after an internet router, before the server's network. */
static void with_trace_on_way(struct evidence *ev)
{
    ev->trace.run = true;
    snprintf(ev->trace.target, sizeof ev->trace.target, "203.0.113.10");
    ev->trace.last_answer_hop = 3;
    snprintf(ev->trace.last_answer_from, sizeof ev->trace.last_answer_from, "198.51.100.17");
}
static void with_trace_at_edge(struct evidence *ev)
{
    with_trace_on_way(ev);
    ev->trace.last_answer_hop = 4;
    snprintf(ev->trace.last_answer_from, sizeof ev->trace.last_answer_from, "203.0.113.2");
}
/* --capture: the reset's TTL does not fit the server's. */
static void with_forged_reset(struct evidence *ev)
{
    ev->capture.run = true;
    ev->capture.syns_sent = 1;
    ev->capture.resets = 1;
    ev->capture.reset_compared = true;
    ev->capture.forged_reset = true;
}
/* The same capture seen from a VM behind VirtualBox's NAT: every TTL
 * there is the relay's. */
static void with_forged_reset_behind_vbox(struct evidence *ev)
{
    with_forged_reset(ev);
    ev->local.virtualbox_nat = true;
}
static void with_private_target(struct evidence *ev)
{
    snprintf(ev->tcp.attempts[0].target.address, ADDR_TEXT_MAX, "172.31.5.20");
    snprintf(ev->app.hello.local.address, ADDR_TEXT_MAX, "172.31.5.20");
    snprintf(ev->local.source_address, ADDR_TEXT_MAX, "192.168.1.20");
    ev->local.source_class = ADDR_PRIVATE;
}
/* chatd's NOTICE welcome came before whatever went wrong. */
static void with_welcome(struct evidence *ev)
{
    ev->app.chatd_greeted = true;
}
static void with_vbox(struct evidence *ev)
{
    ev->local.virtualbox_nat = true;
    snprintf(ev->local.source_address, ADDR_TEXT_MAX, "10.0.2.15");
    ev->local.source_class = ADDR_PRIVATE;
}

static const struct {
    const char *name;
    void (*set)(struct evidence *ev);
} mods[] = {
    {"alone", with_nothing},
    {"trace silent on the way", with_trace_on_way},
    {"trace silent at the edge", with_trace_at_edge},
    {"forged reset", with_forged_reset},
    {"forged reset behind virtualbox nat", with_forged_reset_behind_vbox},
    {"private target", with_private_target},
    {"NOTICE welcome", with_welcome},
    {"virtualbox nat", with_vbox},
    {"private target and trace", with_private_target},
};

/* ---- What was shown ------------------------------------------------------- */

struct shown {
    struct evidence ev;
    struct verdict v;
    const struct advice *a;
    size_t causes[ADVICE_LIST_MAX], ncauses;
    size_t fix[ADVICE_LIST_MAX], nfix;
};

static void show(size_t b, size_t m, struct shown *s)
{
    healthy(&s->ev);
    bases[b].set(&s->ev);
    mods[m].set(&s->ev);
    if (m == sizeof mods / sizeof mods[0] - 1)
        with_trace_on_way(&s->ev);
    verdict_decide(&s->ev, &s->v);
    corroborate(&s->ev, &s->v);
    s->a = advice_find(verdict_code_name(s->v.code));
    s->ncauses = s->a != NULL ? advice_order(s->a, &s->v, ADVICE_CAUSES, s->causes) : 0;
    s->nfix = s->a != NULL ? advice_order(s->a, &s->v, ADVICE_FIX, s->fix) : 0;
}

static const char *cause_text(const struct shown *s, size_t i)
{
    return s->a->causes[s->causes[i]];
}
static const char *fix_text(const struct shown *s, size_t i)
{
    return s->a->fix[s->fix[i]];
}

static bool any_cause_has(const struct shown *s, const char *word)
{
    for (size_t i = 0; i < s->ncauses; i++)
        if (strstr(cause_text(s, i), word) != NULL)
            return true;
    return false;
}
static bool any_fix_has(const struct shown *s, const char *word)
{
    for (size_t i = 0; i < s->nfix; i++)
        if (strstr(fix_text(s, i), word) != NULL)
            return true;
    return false;
}

/* ---- The rules: evidence, and what the words shown must then be ---------- */

static bool chatd_spoke(const struct shown *s)
{
    return s->ev.app.outcome == APP_CHATD || s->ev.app.chatd_greeted ||
           s->ev.app.chatd_said[0] != '\0';
}
static bool not_chatd_absent(const struct shown *s)
{
    return !any_cause_has(s, "not chatd");
}

/* The summary of wrong_service says "not chatd": chatd's greeting must
 * qualify it. */
static bool greeted_other(const struct shown *s)
{
    return s->v.code == VERDICT_WRONG_SERVICE && s->ev.app.chatd_greeted;
}
static bool summary_qualified(const struct shown *s)
{
    return s->v.qualifier != NULL && strstr(s->v.qualifier, "chatd") != NULL;
}

static bool trace_before_edge(const struct shown *s)
{
    return s->v.code == VERDICT_FILTERED_DROP && s->ev.trace.run &&
           strcmp(s->ev.trace.last_answer_from, "198.51.100.17") == 0;
}
static bool first_fix_not_console(const struct shown *s)
{
    return strstr(fix_text(s, 0), "Security groups") == NULL &&
           strstr(cause_text(s, 0), "security group") == NULL;
}

static bool forged(const struct shown *s)
{
    return s->ev.capture.forged_reset && !s->ev.local.virtualbox_nat &&
           (s->v.code == VERDICT_REFUSED ||
            (s->v.code == VERDICT_SERVER_CLOSED && s->ev.app.outcome == APP_RESET));
}
static bool path_fixes_for_forged(const struct shown *s)
{
    return s->v.qualifier != NULL && !any_cause_has(s, "nothing listens") &&
           !any_cause_has(s, "host firewall") && !any_fix_has(s, "start chatd") &&
           (strstr(cause_text(s, 0), "on the way") != NULL ||
            strstr(cause_text(s, 0), "private") != NULL) &&
           (strstr(fix_text(s, 0), "another network") != NULL ||
            strstr(fix_text(s, 0), "who sends the reset") != NULL ||
            strstr(fix_text(s, 0), "Public IPv4") != NULL);
}

/* Behind VirtualBox's NAT the TTL comparison proves nothing: the server's
 * causes stay. */
static bool forged_behind_vbox(const struct shown *s)
{
    return s->ev.capture.forged_reset && s->ev.local.virtualbox_nat && s->v.code == VERDICT_REFUSED;
}
static bool server_causes_kept(const struct shown *s)
{
    return any_cause_has(s, "nothing listens") && strstr(cause_text(s, 0), "nothing listens");
}

static bool private_failed(const struct shown *s)
{
    return s->ev.tcp.attempt_count > 0 &&
           strcmp(s->ev.tcp.attempts[0].target.address, "172.31.5.20") == 0 &&
           s->ev.tcp.chosen < 0 && s->v.code != VERDICT_LOCAL_FIREWALL;
}
static bool private_leads(const struct shown *s)
{
    return strstr(cause_text(s, 0), "private") != NULL &&
           strstr(fix_text(s, 0), "Public IPv4 address") != NULL;
}

static bool public_target(const struct shown *s)
{
    return strcmp(s->ev.tcp.attempts[0].target.address, "172.31.5.20") != 0;
}
static bool no_private_cause(const struct shown *s)
{
    return !any_cause_has(s, "private");
}

static bool said_full(const struct shown *s)
{
    return strncmp(s->ev.app.chatd_said, "ERR server_full", 15) == 0;
}
static bool only_full(const struct shown *s)
{
    return any_cause_has(s, "full") && !any_cause_has(s, "shutting down") &&
           strstr(fix_text(s, 0), "max-clients") != NULL;
}
static bool said_shutdown(const struct shown *s)
{
    return strncmp(s->ev.app.chatd_said, "NOTICE shutdown", 15) == 0;
}
static bool only_shutdown(const struct shown *s)
{
    return any_cause_has(s, "shutting down") && !any_cause_has(s, "is full");
}

static bool ours_stops_it(const struct shown *s)
{
    return s->v.code == VERDICT_LOCAL_FIREWALL;
}
static bool nothing_about_the_server(const struct shown *s)
{
    return !any_cause_has(s, "security group") && !any_fix_has(s, "Security groups") &&
           !any_fix_has(s, "On the server");
}

static bool handshake_done(const struct shown *s)
{
    return s->ev.tcp.chosen >= 0;
}
static bool no_security_group_inbound_rule(const struct shown *s)
{
    return !any_cause_has(s, "no inbound rule for TCP");
}

static const struct {
    const char *name;
    bool (*when)(const struct shown *s);
    bool (*then)(const struct shown *s);
} rules[] = {
    {"after chatd spoke, no cause says the program is not chatd", chatd_spoke, not_chatd_absent},
    {"after chatd's greeting, wrong_service's summary is qualified", greeted_other,
     summary_qualified},
    {"silence before the cloud edge: neither cause 1 nor fix 1 is the security group",
     trace_before_edge, first_fix_not_console},
    {"a forged reset: qualified summary, causes and fixes about the path", forged,
     path_fixes_for_forged},
    {"behind VirtualBox's NAT a 'forged' reset rules nothing out", forged_behind_vbox,
     server_causes_kept},
    {"a private target that failed leads causes and fixes", private_failed, private_leads},
    {"a public target gets no private-address cause", public_target, no_private_cause},
    {"ERR server_full: the full server, its fix first", said_full, only_full},
    {"NOTICE shutdown: the shutdown only", said_shutdown, only_shutdown},
    {"this machine's firewall: nothing about the server's side", ours_stops_it,
     nothing_about_the_server},
    {"a completed handshake: no missing inbound rule", handshake_done,
     no_security_group_inbound_rule},
};

/* The kind a fix step serves has its rank among the causes shown. */
static int rank_of(const struct shown *s, enum cause_kind kind)
{
    for (size_t r = 0; r < s->ncauses; r++)
        if (s->a->cause_kinds[s->causes[r]] == kind)
            return (int)r;
    return -1;
}

/* Fix steps tied to a cause come in the order of their causes, and the
 * first of them serves the first cause shown that has a step at all. */
static void assert_fix_follows_causes(const struct shown *s)
{
    int last = -1;
    bool first = true;
    for (size_t i = 0; i < s->nfix; i++) {
        enum cause_kind k = s->a->fix_kinds[s->fix[i]];
        if (k == CAUSE_ANY)
            continue;
        int r = rank_of(s, k);
        assert_true(r >= 0); /* never a step for a cause not shown */
        assert_true(r >= last);
        if (first) {
            for (int earlier = 0; earlier < r; earlier++) {
                enum cause_kind ek = s->a->cause_kinds[s->causes[earlier]];
                for (size_t j = 0; ek != CAUSE_ANY && s->a->fix[j] != NULL; j++)
                    assert_false(s->a->fix_kinds[j] == ek);
            }
            first = false;
        }
        last = r;
    }
}

static void advice_agrees_with_the_evidence_for_every_verdict(void **state)
{
    (void)state;
    bool seen[VERDICT_COUNT] = {false};
    size_t fired[sizeof rules / sizeof rules[0]] = {0};
    for (size_t b = 0; b < sizeof bases / sizeof bases[0]; b++)
        for (size_t m = 0; m < sizeof mods / sizeof mods[0]; m++) {
            struct shown s;
            show(b, m, &s);
            print_message("%s + %s: %s\n", bases[b].name, mods[m].name,
                          s.a != NULL ? s.a->code : "none");
            assert_non_null(s.a);
            seen[s.v.code] = true;
            assert_true(s.ncauses > 0);
            assert_true(s.nfix > 0);
            assert_fix_follows_causes(&s);
            for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
                if (!rules[r].when(&s))
                    continue;
                print_message("  rule: %s\n", rules[r].name);
                assert_true(rules[r].then(&s));
                fired[r]++;
            }
        }
    for (int code = 0; code < VERDICT_COUNT; code++) {
        print_message("verdict %s covered\n", verdict_code_name(code));
        assert_true(seen[code]);
    }
    /* A rule that never meets its evidence checks nothing. */
    for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
        print_message("rule \"%s\" held %zu time(s)\n", rules[r].name, fired[r]);
        assert_true(fired[r] > 0);
    }
}

/* Every fix step of a verdict serves a cause of the same entry (or all). */
static void every_fix_step_serves_a_cause_of_its_entry(void **state)
{
    (void)state;
    size_t count;
    const struct advice *all = advice_all(&count);
    for (size_t i = 0; i < count; i++) {
        const struct advice *a = &all[i];
        for (size_t f = 0; a->fix[f] != NULL; f++) {
            bool found = a->fix_kinds[f] == CAUSE_ANY;
            for (size_t c = 0; !found && a->causes[c] != NULL; c++)
                found = a->cause_kinds[c] == a->fix_kinds[f];
            print_message("%s fix %zu\n", a->code, f);
            assert_true(found);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(advice_agrees_with_the_evidence_for_every_verdict),
        cmocka_unit_test(every_fix_step_serves_a_cause_of_its_entry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
