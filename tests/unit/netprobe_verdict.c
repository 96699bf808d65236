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

#define F(x) (1u << (FINDING_##x))

static void set_ok(struct evidence *ev)
{
    (void)ev;
}
static void set_nxdomain(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_UNKNOWN, "");
    ev->tcp.attempt_count = 0;
    ev->dns.outcome = DNS_NXDOMAIN;
    ev->dns.addr_count = 0;
}
static void set_dns_no_answer(struct evidence *ev)
{
    set_nxdomain(ev);
    ev->dns.outcome = DNS_NO_ANSWER;
}
static void set_no_route(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_ERROR, "no-route");
}
static void set_net_unreach(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_FILTERED, "net-unreach");
}
static void set_drop(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_FILTERED, "no-response");
}
static void set_admin_prohibited(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_FILTERED, "admin-prohibited");
    ev->tcp.attempts[0].icmp =
        (struct ev_icmp_error){true, 3, 13, "198.51.100.1", "admin-prohibited"};
}
static void set_port_unreach(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_FILTERED, "port-unreach");
}
static void set_local_firewall(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_ERROR, "local-firewall");
}
static void set_refused(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_CLOSED, "reset");
}
static void set_silent(struct evidence *ev)
{
    ev->app.outcome = APP_SILENT;
    ev->app.bytes_acked_known = true;
    ev->app.bytes_acked = true;
    ev->echo.size_count = 0;
}
static void set_closed(struct evidence *ev)
{
    ev->app.outcome = APP_CLOSED;
    ev->echo.size_count = 0;
}
static void set_reset(struct evidence *ev)
{
    ev->app.outcome = APP_RESET;
    ev->echo.size_count = 0;
}
static void set_wrong_service(struct evidence *ev)
{
    ev->app.outcome = APP_OTHER;
    snprintf(ev->app.banner, sizeof ev->app.banner, "SSH-2.0-OpenSSH_9.2p1");
    ev->echo.size_count = 0;
}
static void set_mtu(struct evidence *ev)
{
    ev->echo.sizes[2].outcome = ECHO_STALLED;
    ev->echo.sizes[2].bytes_back = 0;
    ev->echo.size_count = 3;
    ev->echo.mss_retry_run = true;
    ev->echo.mss_retry_mss = 1200;
    ev->echo.mss_retry_outcome = ECHO_OK;
    ev->echo.path_mss = 1460;
}
static void set_corruption(struct evidence *ev)
{
    ev->echo.sizes[1].outcome = ECHO_MISMATCH;
}
static void set_vbox_nat(struct evidence *ev)
{
    ev->local.virtualbox_nat = true;
    snprintf(ev->local.source_address, ADDR_TEXT_MAX, "10.0.2.15");
    snprintf(ev->local.gateway, ADDR_TEXT_MAX, "10.0.2.2");
}
static void set_client_nat(struct evidence *ev)
{
    ev->app.client_nat = true;
    snprintf(ev->app.hello.peer.address, ADDR_TEXT_MAX, "198.51.100.77");
}
static void set_cloud_nat(struct evidence *ev)
{
    ev->app.server_nat = true;
    snprintf(ev->app.hello.local.address, ADDR_TEXT_MAX, "172.31.5.9");
}
static void set_icmp_blocked(struct evidence *ev)
{
    ev->icmp.sent = 3;
    ev->icmp.received = 0;
}
static void set_ipv6_broken(struct evidence *ev)
{
    add_attempt(ev, "2001:db8::10", AF_INET6, TCP_STATE_FILTERED, "no-response");
}
static void set_high_latency(struct evidence *ev)
{
    ev->tcp.attempts[0].rtt_ms = 450;
}
static void set_icmp_loss(struct evidence *ev)
{
    ev->icmp.sent = 4;
    ev->icmp.received = 3;
    ev->icmp.rtt_avg_ms = 30;
}
static void set_syn_retransmit(struct evidence *ev)
{
    ev->tcp.attempts[0].syns_sent = 2;
}

/* Priority cases. */
static void set_refused_v4_no_route_v6(struct evidence *ev)
{
    set_refused(ev);
    add_attempt(ev, "2001:db8::10", AF_INET6, TCP_STATE_ERROR, "no-route");
}
static void set_drop_v4_reject_v6(struct evidence *ev)
{
    set_drop(ev);
    add_attempt(ev, "2001:db8::10", AF_INET6, TCP_STATE_FILTERED, "admin-prohibited");
}
static void set_no_route_v6_drop_v4(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_ERROR, "no-route");
    ev->tcp.attempts[0].target.family = AF_INET6;
    add_attempt(ev, "203.0.113.10", AF_INET, TCP_STATE_FILTERED, "no-response");
}
static void set_v6_refused_v4_open(struct evidence *ev)
{
    add_attempt(ev, "2001:db8::10", AF_INET6, TCP_STATE_CLOSED, "reset");
}
static void set_corruption_and_mtu(struct evidence *ev)
{
    set_mtu(ev);
    ev->echo.sizes[0].outcome = ECHO_MISMATCH;
}
static void set_drop_with_vbox_and_icmp(struct evidence *ev)
{
    set_drop(ev);
    set_vbox_nat(ev);
    set_icmp_blocked(ev);
}
static void set_stall_not_mtu(struct evidence *ev)
{
    set_mtu(ev);
    ev->echo.mss_retry_outcome = ECHO_STALLED;
}
static void set_echo_closed(struct evidence *ev)
{
    ev->echo.sizes[2].outcome = ECHO_CLOSED;
    ev->echo.sizes[2].bytes_back = 0;
    ev->echo.sizes[3].outcome = ECHO_NOT_RUN;
}
/* The lab's no-route scenario: pings "sent" into a missing route. */
static void set_no_route_pings_unanswered(struct evidence *ev)
{
    set_no_route(ev);
    set_icmp_blocked(ev);
}
static void set_forged_reset(struct evidence *ev)
{
    set_refused(ev);
    ev->capture.run = true;
    ev->capture.resets = 1;
    ev->capture.forged_reset = true;
    snprintf(ev->capture.forged_detail, sizeof ev->capture.forged_detail,
             "reset TTL 62 does not fit the host's other answers (TTL 250)");
}
static void set_nothing_ran(struct evidence *ev)
{
    evidence_init(ev, "203.0.113.10", 8888);
}
static void set_only_v4(struct evidence *ev)
{
    add_attempt(ev, "203.0.113.11", AF_INET, TCP_STATE_FILTERED, "no-response");
}

struct verdict_case {
    const char *name;
    void (*setup)(struct evidence *ev);
    enum verdict_code code;
    unsigned findings;        /* F(...) bits */
    const char *evidence_has; /* in the verdict's evidence; NULL: no check */
};

static const struct verdict_case cases[] = {
    /* One row per verdict code (and per way of reaching it). */
    {"healthy run", set_ok, VERDICT_OK, 0, "answered the netprobe hello"},
    {"nxdomain", set_nxdomain, VERDICT_DNS_FAILURE, 0, "nxdomain"},
    {"resolver silent", set_dns_no_answer, VERDICT_DNS_FAILURE, 0, "no_answer"},
    {"no route before sending", set_no_route, VERDICT_NO_ROUTE, 0, "no-route"},
    {"icmp net unreachable", set_net_unreach, VERDICT_NO_ROUTE, 0, "net-unreach"},
    {"syns dropped", set_drop, VERDICT_FILTERED_DROP, 0, "after 2 SYN(s)"},
    {"icmp admin prohibited", set_admin_prohibited, VERDICT_REJECTED, 0, "type 3 code 13"},
    {"icmp port unreachable", set_port_unreach, VERDICT_REJECTED, 0, "port-unreach"},
    {"local firewall EPERM", set_local_firewall, VERDICT_REJECTED, 0, "local-firewall"},
    {"reset", set_refused, VERDICT_REFUSED, 0, "closed (reset)"},
    {"silent server", set_silent, VERDICT_CONNECTED_SILENT, 0, "nothing came back"},
    {"server closed", set_closed, VERDICT_SERVER_CLOSED, 0, "closed it"},
    {"server reset", set_reset, VERDICT_SERVER_CLOSED, 0, "reset it"},
    {"another service", set_wrong_service, VERDICT_WRONG_SERVICE, 0, "SSH-2.0"},
    {"mtu black hole", set_mtu, VERDICT_MTU_BLACKHOLE, 0, "MSS 1200"},
    {"bytes changed", set_corruption, VERDICT_DATA_CORRUPTION, 0, "1024 bytes"},
    /* One row per finding. */
    {"virtualbox nat", set_vbox_nat, VERDICT_OK, F(VIRTUALBOX_NAT), NULL},
    {"client nat", set_client_nat, VERDICT_OK, F(CLIENT_NAT), NULL},
    {"cloud nat", set_cloud_nat, VERDICT_OK, F(CLOUD_NAT), NULL},
    {"icmp blocked", set_icmp_blocked, VERDICT_OK, F(ICMP_BLOCKED), NULL},
    {"ipv6 broken", set_ipv6_broken, VERDICT_OK, F(IPV6_BROKEN), NULL},
    {"high latency", set_high_latency, VERDICT_OK, F(HIGH_LATENCY), NULL},
    {"icmp loss", set_icmp_loss, VERDICT_OK, F(PACKET_LOSS), NULL},
    {"syn retransmitted", set_syn_retransmit, VERDICT_OK, F(PACKET_LOSS), NULL},
    {"forged reset seen by the capture", set_forged_reset, VERDICT_REFUSED, F(FORGED_RESET),
     "reset"},
    /* Found by the lab: unanswered pings into a missing route block nothing. */
    {"no route: unanswered pings are not icmp_blocked", set_no_route_pings_unanswered,
     VERDICT_NO_ROUTE, 0, "no-route"},
    /* Found by review: an echo that ends badly still gets a verdict. */
    {"stall that a small mss does not fix", set_stall_not_mtu, VERDICT_CONNECTED_SILENT, 0,
     "not an MTU problem"},
    {"connection closed during the echo", set_echo_closed, VERDICT_SERVER_CLOSED, 0,
     "during the echo of 1400 bytes"},
    /* Priority between codes. */
    {"reset on v4 beats no route on v6", set_refused_v4_no_route_v6, VERDICT_REFUSED, 0, "reset"},
    {"reject beats drop", set_drop_v4_reject_v6, VERDICT_REJECTED, 0, "admin-prohibited"},
    {"drop beats no route", set_no_route_v6_drop_v4, VERDICT_FILTERED_DROP, 0, "no-response"},
    {"one open address wins over a reset", set_v6_refused_v4_open, VERDICT_OK, F(IPV6_BROKEN),
     NULL},
    {"corruption beats mtu", set_corruption_and_mtu, VERDICT_DATA_CORRUPTION, 0, "16 bytes"},
    {"fault keeps its findings", set_drop_with_vbox_and_icmp, VERDICT_FILTERED_DROP,
     F(VIRTUALBOX_NAT) | F(ICMP_BLOCKED), "no-response"},
    {"only ipv4 tried: no ipv6 finding", set_only_v4, VERDICT_OK, 0, NULL},
    /* No rule: netprobe must say it cannot tell, never "ok". */
    {"nothing ran", set_nothing_ran, VERDICT_NONE, 0, NULL},
};

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
        assert_int_equal(verdict_cause_count(&v, n), 1);
        const char *cause = a->causes[verdict_cause_index(&v, 0, n)];
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
    assert_int_equal(verdict_cause_count(&v, n), n);
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
        cmocka_unit_test(dns_failure_causes_follow_the_resolver_outcome),
        cmocka_unit_test(mtu_evidence_says_an_unknown_path_mtu_in_words),
        cmocka_unit_test(every_code_and_finding_has_a_case),
        cmocka_unit_test(every_code_has_advice),
        cmocka_unit_test(decide_is_pure),
        cmocka_unit_test(exit_status_follows_the_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
