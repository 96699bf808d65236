/*
 * Unit tests for netprobe/verdict.c: the verdict table, as a table.
 *
 * Each case starts from a healthy run (chatd answered, every echo passed),
 * changes what its setup function says, and names the verdict code and
 * the exact set of findings that must come out, plus a word the evidence
 * sentences must contain.  One row per verdict code and per finding, then
 * rows that pin the priority between codes.
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
#include "netprobe/verdict.h"
#include "tests/support/netprobe_fixture.h"
#include "tests/support/netprobe_verdict_cases.h"

static unsigned finding_bits(const struct verdict *v)
{
    unsigned bits = 0;
    for (size_t i = 0; i < v->finding_count; i++)
        bits |= 1u << v->findings[i];
    return bits;
}

static bool evidence_contains(const struct verdict_evidence *e, const char *word)
{
    for (size_t i = 0; i < e->count; i++)
        if (strstr(e->lines[i], word) != NULL)
            return true;
    return false;
}

/* Issue 10: an ACK says the bytes reached the machine, nothing about the
 * program; behind a relay not even that.  For every split, the evidence
 * never blames the program for not reading unless the window closed, and
 * a server measured reading leads with the cause that says so. */
static void silent_split_claims_only_what_was_measured(void **state)
{
    (void)state;
    static void (*const setups[])(struct evidence *) = {set_silent, set_silent_reads,
                                                        set_silent_not_reading,
                                                        set_silent_inconclusive, set_silent_relay};
    for (size_t i = 0; i < sizeof setups / sizeof setups[0]; i++) {
        struct evidence ev;
        struct verdict v;
        healthy(&ev);
        setups[i](&ev);
        verdict_decide(&ev, &v);
        assert_int_equal(v.code, VERDICT_CONNECTED_SILENT);
        assert_false(evidence_contains(&v.evidence, "the program is not reading"));
        assert_int_equal(evidence_contains(&v.evidence, "is not reading"),
                         ev.app.split == SILENCE_NOT_READING);
        assert_int_equal(evidence_contains(&v.evidence, "server's kernel"),
                         ev.app.split != SILENCE_RELAY);
        assert_int_equal(v.cause_named,
                         ev.app.split == SILENCE_READS ? VERDICT_CAUSE_SILENT_READS + 1 : 0);
    }
    const struct advice *a = advice_find("connected_silent");
    assert_non_null(a);
    assert_non_null(strstr(a->causes[VERDICT_CAUSE_SILENT_READS], "reads what arrives"));
}

static void each_case_gives_its_verdict_and_findings(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct verdict_case *c = &cases[i];
        struct evidence ev;
        struct verdict v;
        healthy(&ev);
        c->setup(&ev);
        verdict_decide(&ev, &v);
        print_message("case \"%s\": got %s\n", c->name,
                      v.code == VERDICT_NONE ? "none" : verdict_code_name(v.code));
        assert_int_equal(v.code, c->code);
        assert_int_equal(finding_bits(&v), c->findings);
        if (c->code != VERDICT_NONE)
            assert_true(v.evidence.count > 0);
        if (c->evidence_has != NULL)
            assert_true(evidence_contains(&v.evidence, c->evidence_has));
        for (size_t k = 0; k < v.finding_count; k++)
            assert_true(v.finding_evidence[k].count > 0);
    }
}

/* dns_failure gives the causes that fit what the resolver did: a name that
 * does not exist (it answered NXDOMAIN) is not a resolver that did not
 * answer, and neither is a missing resolver. */
static void dns_failure_causes_follow_the_resolver_outcome(void **state)
{
    (void)state;
    static const struct {
        enum dns_outcome outcome;
        const char *has, *lacks1, *lacks2;
    } rows[] = {
        {DNS_NXDOMAIN, "does not exist", "did not answer", "no resolver is configured"},
        {DNS_NO_ANSWER, "did not answer", "does not exist", "no resolver is configured"},
        {DNS_NO_RESOLVER, "no resolver is configured", "does not exist", "did not answer"},
    };
    const struct advice *a = advice_find("dns_failure");
    size_t n = 0;
    assert_non_null(a);
    while (a->causes[n] != NULL)
        n++;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct evidence ev;
        struct verdict v;
        healthy(&ev);
        set_nxdomain(&ev);
        ev.dns.outcome = rows[i].outcome;
        verdict_decide(&ev, &v);
        assert_int_equal(v.code, VERDICT_DNS_FAILURE);
        size_t idx[ADVICE_LIST_MAX];
        assert_int_equal(advice_order(a, &v, ADVICE_CAUSES, idx), 1);
        const char *cause = a->causes[idx[0]];
        print_message("%s: %s\n", dns_outcome_name(rows[i].outcome), cause);
        assert_non_null(strstr(cause, rows[i].has));
        assert_null(strstr(cause, rows[i].lacks1));
        assert_null(strstr(cause, rows[i].lacks2));
    }
    /* Any other failure: every cause, as nothing narrows it. */
    struct evidence ev;
    struct verdict v;
    healthy(&ev);
    set_nxdomain(&ev);
    ev.dns.outcome = DNS_OTHER_FAILURE;
    verdict_decide(&ev, &v);
    size_t idx[ADVICE_LIST_MAX];
    assert_int_equal(advice_order(a, &v, ADVICE_CAUSES, idx), n);
}

/* The MTU sentence says the path MTU when the kernel gave one, and says
 * plainly that it did not otherwise (it once printed "(0 = unknown)"). */
static void mtu_evidence_says_an_unknown_path_mtu_in_words(void **state)
{
    (void)state;
    static const struct {
        int path_mtu;
        const char *has;
    } rows[] = {
        {1500, "used MSS 1460 and path MTU 1500."},
        {0, "used MSS 1460; the kernel reported no path MTU for it."},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct evidence ev;
        struct verdict v;
        healthy(&ev);
        set_mtu(&ev);
        ev.echo.path_mss = 1460;
        ev.echo.path_mtu = rows[i].path_mtu;
        verdict_decide(&ev, &v);
        assert_int_equal(v.code, VERDICT_MTU_BLACKHOLE);
        assert_true(evidence_contains(&v.evidence, rows[i].has));
        assert_false(evidence_contains(&v.evidence, "0 = unknown"));
    }
}

/* A new code without a case would pass silently; this catches it. */
static void every_code_and_finding_has_a_case(void **state)
{
    (void)state;
    bool seen[VERDICT_COUNT] = {false};
    unsigned findings = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cases[i].code != VERDICT_NONE)
            seen[cases[i].code] = true;
        findings |= cases[i].findings;
    }
    for (int code = 0; code < VERDICT_COUNT; code++) {
        print_message("verdict %s\n", verdict_code_name(code));
        assert_true(seen[code]);
    }
    assert_int_equal(findings, (1u << FINDING_COUNT) - 1);
}

/* The words come from advice.c: every code the table can produce has them. */
static void every_code_has_advice(void **state)
{
    (void)state;
    for (int code = 0; code < VERDICT_COUNT; code++) {
        print_message("verdict %s\n", verdict_code_name(code));
        assert_non_null(advice_find(verdict_code_name(code)));
    }
    for (int f = 0; f < FINDING_COUNT; f++) {
        print_message("finding %s\n", finding_code_name(f));
        assert_non_null(advice_find(finding_code_name(f)));
    }
}

static void decide_is_pure(void **state)
{
    (void)state;
    struct evidence ev, copy;
    struct verdict a, b;
    healthy(&ev);
    set_drop_with_vbox_and_icmp(&ev);
    memcpy(&copy, &ev, sizeof ev);
    verdict_decide(&ev, &a);
    verdict_decide(&ev, &b);
    assert_memory_equal(&ev, &copy, sizeof ev);
    assert_memory_equal(&a, &b, sizeof a);
}

/* A relay on the link shows in the virtualbox_nat finding's evidence and
 * adds the relay note to the advice; a kernel NAT with the same addresses
 * (the server's TTLs lowered by routers) gets neither. */
static void relay_is_named_only_where_measured(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        void (*setup)(struct evidence *ev);
        bool behind_relay;
        const char *finding_says; /* in virtualbox_nat's evidence, NULL: nothing on TTLs */
    } rows[] = {
        {"relay: TTL 255 named", set_drop_behind_relay, true,
         "(its echo replies) arrived with TTL 255, which no router lowered"},
        {"no TTL: only suspected", set_drop_vbox_no_ttl, true, NULL},
        {"kernel NAT: routers lowered the TTL", set_routed_ping_loss, false, NULL},
        {"no VirtualBox addresses", set_drop, false, NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct evidence ev;
        struct verdict v;
        healthy(&ev);
        rows[i].setup(&ev);
        verdict_decide(&ev, &v);
        print_message("case \"%s\"\n", rows[i].name);
        assert_int_equal(v.behind_relay, rows[i].behind_relay);
        bool named = false;
        for (size_t k = 0; k < v.finding_count; k++)
            if (v.findings[k] == FINDING_VIRTUALBOX_NAT)
                named = evidence_contains(&v.finding_evidence[k], "which no router lowered");
        assert_int_equal(named, rows[i].finding_says != NULL);
        if (rows[i].finding_says != NULL)
            assert_true(evidence_contains(&v.finding_evidence[0], rows[i].finding_says));
    }
}

/* Unanswered pings behind VirtualBox's addresses may be the host's doing
 * (VirtualBox pings from the host): icmp_blocked says so there only. */
static void icmp_blocked_behind_vbox_names_the_host(void **state)
{
    (void)state;
    for (int vbox = 0; vbox <= 1; vbox++) {
        struct evidence ev;
        struct verdict v;
        healthy(&ev);
        if (vbox)
            set_icmp_blocked_vbox(&ev);
        else
            set_icmp_blocked(&ev);
        verdict_decide(&ev, &v);
        size_t k = v.finding_count - 1; /* icmp_blocked: the last finding here */
        assert_int_equal(v.findings[k], FINDING_ICMP_BLOCKED);
        assert_int_equal(evidence_contains(&v.finding_evidence[k], "sends the pings from the host"),
                         vbox == 1);
    }
}

/* The relay note of filtered_drop says what a REJECT looks like behind the
 * relay and names the check that tells it from a DROP. */
static void relay_note_names_the_check(void **state)
{
    (void)state;
    const struct advice_note *n = advice_relay_note("filtered_drop");
    assert_non_null(n);
    assert_non_null(strstr(n->cause, "REJECT looks exactly like a DROP"));
    assert_non_null(strstr(n->fix, "netprobe --watch {port}"));
    assert_non_null(strstr(n->fix, "bridged VM"));
    assert_null(advice_relay_note("ok"));
    assert_null(advice_relay_note(NULL));
}

struct exit_case {
    enum verdict_code code;
    int status;
};

static void exit_status_follows_the_code(void **state)
{
    (void)state;
    static const struct exit_case exits[] = {
        {VERDICT_OK, 0},   {VERDICT_DNS_FAILURE, 1}, {VERDICT_DATA_CORRUPTION, 1},
        {VERDICT_NONE, 3}, {VERDICT_COUNT, 3},
    };
    for (size_t i = 0; i < sizeof exits / sizeof exits[0]; i++)
        assert_int_equal(verdict_exit_status(exits[i].code), exits[i].status);
    assert_null(verdict_code_name(VERDICT_NONE));
    assert_null(finding_code_name(FINDING_COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_case_gives_its_verdict_and_findings),
        cmocka_unit_test(silent_split_claims_only_what_was_measured),
        cmocka_unit_test(dns_failure_causes_follow_the_resolver_outcome),
        cmocka_unit_test(mtu_evidence_says_an_unknown_path_mtu_in_words),
        cmocka_unit_test(every_code_and_finding_has_a_case),
        cmocka_unit_test(every_code_has_advice),
        cmocka_unit_test(decide_is_pure),
        cmocka_unit_test(exit_status_follows_the_code),
        cmocka_unit_test(relay_is_named_only_where_measured),
        cmocka_unit_test(relay_note_names_the_check),
        cmocka_unit_test(icmp_blocked_behind_vbox_names_the_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
