/*
 * Unit tests for netprobe/families.c and what the verdict takes from it:
 * one result per address family, the families a failed verdict is about
 * (the advice's {address} and {anywhere}), and no_route's IPv6 cause.
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
#include "netprobe/families.h"
#include "netprobe/verdict.h"
#include "tests/support/netprobe_fixture.h"

static void set_healthy_v4(struct evidence *ev)
{
    (void)ev;
}
static void set_dual_v6_dropped(struct evidence *ev)
{
    add_attempt(ev, "2001:db8:ec2::9", AF_INET6, TCP_STATE_FILTERED, "no-response");
}
static void set_dual_v6_refused(struct evidence *ev)
{
    add_attempt(ev, "2001:db8:ec2::9", AF_INET6, TCP_STATE_CLOSED, "reset");
}
static void set_dual_v6_no_route(struct evidence *ev)
{
    add_attempt(ev, "2001:db8:ec2::9", AF_INET6, TCP_STATE_ERROR, "no-route");
    ev->tcp.attempts[1].syns_sent = 0;
}
/* -4 on a dual-stack name: the AAAA address resolved, never dialled. */
static void set_dual_v6_left_out(struct evidence *ev)
{
    snprintf(ev->dns.addrs[1].address, ADDR_TEXT_MAX, "2001:db8:ec2::9");
    ev->dns.addrs[1].family = AF_INET6;
    ev->dns.addr_count = 2;
}
static void set_v4_dropped_v6_open(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_FILTERED, "no-response");
    add_attempt(ev, "2001:db8:ec2::9", AF_INET6, TCP_STATE_OPEN, "syn-ack");
    ev->tcp.chosen = 1;
}
/* Two IPv4 addresses: the open one stands for the family. */
static void set_two_v4_one_open(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_FILTERED, "no-response");
    add_attempt(ev, "203.0.113.11", AF_INET, TCP_STATE_OPEN, "syn-ack");
    ev->tcp.chosen = 1;
}

/* -6 on a dual-stack name: the A records were never asked for. */
static void set_minus_6(struct evidence *ev)
{
    ev->family_pref = 6;
    ev->dns.addrs[0].family = AF_INET6;
    snprintf(ev->dns.addrs[0].address, ADDR_TEXT_MAX, "2001:db8:ec2::9");
    ev->tcp.attempts[0].target = ev->dns.addrs[0];
}

struct family_case {
    const char *name;
    void (*setup)(struct evidence *ev);
    enum family_outcome v4, v6;
    int v4_attempt, v6_attempt; /* index of the attempt standing for the family */
    bool v4_used, v6_used;
};

static const struct family_case FAMILY_CASES[] = {
    {"ipv4 only, connected", set_healthy_v4, FAMILY_CONNECTED, FAMILY_NO_ADDRESS, 0, -1, true,
     false},
    {"ipv6 dropped", set_dual_v6_dropped, FAMILY_CONNECTED, FAMILY_FAILED, 0, 1, true, false},
    {"ipv6 refused", set_dual_v6_refused, FAMILY_CONNECTED, FAMILY_FAILED, 0, 1, true, false},
    {"ipv6 no route here", set_dual_v6_no_route, FAMILY_CONNECTED, FAMILY_NOT_SENT, 0, 1, true,
     false},
    {"ipv6 left out by -4", set_dual_v6_left_out, FAMILY_CONNECTED, FAMILY_NOT_TRIED, 0, -1, true,
     false},
    {"ipv4 dropped, ipv6 open", set_v4_dropped_v6_open, FAMILY_FAILED, FAMILY_CONNECTED, 0, 1,
     false, true},
    {"ipv4 left out by -6", set_minus_6, FAMILY_NOT_TRIED, FAMILY_CONNECTED, -1, 0, false, true},
    {"one of two ipv4 addresses open", set_two_v4_one_open, FAMILY_CONNECTED, FAMILY_NO_ADDRESS, 1,
     -1, true, false},
};

static void each_run_gives_one_result_per_family(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof FAMILY_CASES / sizeof FAMILY_CASES[0]; i++) {
        const struct family_case *c = &FAMILY_CASES[i];
        struct evidence ev;
        struct family_result r[FAMILY_COUNT];
        healthy(&ev);
        c->setup(&ev);
        families_summarise(&ev, r);
        print_message("case \"%s\": ipv4 %s, ipv6 %s\n", c->name,
                      family_outcome_name(r[FAMILY_IPV4].outcome),
                      family_outcome_name(r[FAMILY_IPV6].outcome));
        assert_int_equal(r[FAMILY_IPV4].outcome, c->v4);
        assert_int_equal(r[FAMILY_IPV6].outcome, c->v6);
        assert_int_equal(r[FAMILY_IPV4].attempt, c->v4_attempt);
        assert_int_equal(r[FAMILY_IPV6].attempt, c->v6_attempt);
        assert_int_equal(r[FAMILY_IPV4].used, c->v4_used);
        assert_int_equal(r[FAMILY_IPV6].used, c->v6_used);
    }
}

static void names_are_stable_codes(void **state)
{
    (void)state;
    assert_string_equal(family_code(FAMILY_IPV4), "ipv4");
    assert_string_equal(family_code(FAMILY_IPV6), "ipv6");
    assert_string_equal(family_outcome_name(FAMILY_NOT_SENT), "not_sent");
    assert_string_equal(family_outcome_name(FAMILY_CONNECTED), "connected");
    assert_string_equal(family_outcome_name((enum family_outcome)99), "?");
    assert_int_equal(families_of(AF_UNIX), FAMILY_COUNT);
}

/* -6 against a security group without the ::/0 rule: the fix must name
 * ::/0, and a drop of both families names both rules. */
static void a_failed_verdict_knows_its_families(void **state)
{
    (void)state;
    struct evidence ev;
    struct verdict v;
    dropped(&ev);
    verdict_decide(&ev, &v);
    assert_int_equal(v.code, VERDICT_FILTERED_DROP);
    assert_int_equal(v.families, FAMILY_BIT(FAMILY_IPV4));

    ev.tcp.attempts[0].target.family = AF_INET6;
    snprintf(ev.tcp.attempts[0].target.address, ADDR_TEXT_MAX, "2001:db8:ec2::9");
    verdict_decide(&ev, &v);
    assert_int_equal(v.families, FAMILY_BIT(FAMILY_IPV6));
    char fix[512];
    advice_render_family(advice_find("filtered_drop")->fix[1], ev.host, ev.port, v.families, fix,
                         sizeof fix);
    assert_non_null(strstr(fix, "::/0"));
    assert_null(strstr(fix, "0.0.0.0/0"));

    add_attempt(&ev, "203.0.113.10", AF_INET, TCP_STATE_FILTERED, "no-response");
    verdict_decide(&ev, &v);
    assert_int_equal(v.families, FAMILY_BIT(FAMILY_IPV4) | FAMILY_BIT(FAMILY_IPV6));

    healthy(&ev);
    verdict_decide(&ev, &v);
    assert_int_equal(v.families, 0); /* ok is about no one family */
}

/* ipv6-only-name: the summary says IPv6 and the IPv6 cause comes first;
 * an IPv4 no_route keeps the table's order. */
static void no_route_to_an_ipv6_only_name_puts_ipv6_first(void **state)
{
    (void)state;
    struct evidence ev;
    struct verdict v;
    char summary[512], first[512];
    const struct advice *a = advice_find("no_route");
    healthy(&ev);
    snprintf(ev.host, sizeof ev.host, "chat.lab");
    ev.dns.outcome = DNS_OK;
    snprintf(ev.dns.addrs[0].address, ADDR_TEXT_MAX, "2001:db8:ec2::9");
    ev.dns.addrs[0].family = AF_INET6;
    fail_tcp(&ev, TCP_STATE_ERROR, "no-route");
    ev.tcp.attempts[0].target = ev.dns.addrs[0];
    ev.tcp.attempts[0].syns_sent = 0;
    verdict_decide(&ev, &v);
    assert_int_equal(v.code, VERDICT_NO_ROUTE);
    assert_int_equal(v.cause_named, VERDICT_CAUSE_NO_IPV6_ROUTE + 1);
    advice_render_family(a->summary, ev.host, ev.port, v.families, summary, sizeof summary);
    size_t order[ADVICE_LIST_MAX];
    assert_true(advice_order(a, &v, ADVICE_CAUSES, order) > 0);
    advice_render_family(a->causes[order[0]], ev.host, ev.port, v.families, first, sizeof first);
    assert_non_null(strstr(summary, "IPv6 address"));
    assert_non_null(strstr(first, "IPv6"));
    assert_non_null(strstr(a->causes[VERDICT_CAUSE_NO_IPV6_ROUTE], "no IPv6 route"));

    healthy(&ev);
    fail_tcp(&ev, TCP_STATE_ERROR, "no-route");
    verdict_decide(&ev, &v);
    assert_int_equal(v.cause_named, 0);
    advice_render_family(a->summary, ev.host, ev.port, v.families, summary, sizeof summary);
    assert_non_null(strstr(summary, "IPv4 address"));
}

/* -6 on a name with only an A record: the lookup says so (no_family), and
 * the -4/-6 cause comes first instead of "the name does not exist". */
static void minus_6_on_an_ipv4_only_name_says_so(void **state)
{
    (void)state;
    struct evidence ev;
    struct verdict v;
    char first[512];
    const struct advice *a = advice_find("dns_failure");
    healthy(&ev);
    fail_tcp(&ev, TCP_STATE_UNKNOWN, "");
    ev.tcp.attempt_count = 0;
    ev.dns.outcome = DNS_NO_FAMILY;
    ev.dns.addr_count = 0;
    snprintf(ev.dns.detail, sizeof ev.dns.detail,
             "no IPv6 address (AAAA record), which -6 asks "
             "for; the name has IPv4 addresses: 203.0.113.10");
    verdict_decide(&ev, &v);
    assert_int_equal(v.code, VERDICT_DNS_FAILURE);
    assert_int_equal(v.cause_named, VERDICT_CAUSE_DNS_NO_FAMILY + 1);
    assert_non_null(strstr(v.evidence.lines[0], "no_family"));
    assert_non_null(strstr(v.evidence.lines[0], "203.0.113.10"));
    size_t order[ADVICE_LIST_MAX];
    assert_true(advice_order(a, &v, ADVICE_CAUSES, order) > 0);
    advice_render_target(a->causes[order[0]], ev.host, ev.port, first, sizeof first);
    assert_non_null(strstr(first, "-4 or -6"));
    assert_string_equal(dns_outcome_name(DNS_NO_FAMILY), "no_family");

    ev.dns.outcome = DNS_NXDOMAIN;
    verdict_decide(&ev, &v);
    assert_int_equal(v.cause_named, 0); /* a missing name keeps "misspelled" first */
}

/* The VirtualBox finding names the 10.0.2.x address even when the source
 * lookup for an IPv6 target found none. */
static void virtualbox_nat_names_its_address_without_a_source(void **state)
{
    (void)state;
    struct evidence ev;
    struct verdict v;
    healthy(&ev);
    ev.local.virtualbox_nat = true;
    ev.local.source_address[0] = '\0';
    snprintf(ev.local.nat_address, ADDR_TEXT_MAX, "10.0.2.15");
    snprintf(ev.local.gateway, ADDR_TEXT_MAX, "10.0.2.2");
    verdict_decide(&ev, &v);
    assert_int_equal(v.findings[0], FINDING_VIRTUALBOX_NAT);
    assert_non_null(strstr(v.finding_evidence[0].lines[0], "address 10.0.2.15 with gateway"));
}

/* ipv6_broken's evidence names each IPv6 attempt that left, the router
 * whose ICMPv6 error answered it, and the IPv4 address that worked. */
static void ipv6_broken_names_what_was_seen(void **state)
{
    (void)state;
    struct evidence ev;
    struct verdict v;
    healthy(&ev);
    add_attempt(&ev, "2001:db8:ec2::9", AF_INET6, TCP_STATE_FILTERED, "admin-prohibited");
    ev.tcp.attempts[1].icmp =
        (struct ev_icmp_error){true, 1, 1, "2001:db8:f0:3::2", "admin-prohibited"};
    verdict_decide(&ev, &v);
    assert_int_equal(v.finding_count, 1);
    assert_int_equal(v.findings[0], FINDING_IPV6_BROKEN);
    const struct verdict_evidence *e = &v.finding_evidence[0];
    assert_int_equal(e->count, 3);
    assert_non_null(strstr(e->lines[0], "IPv6 2001:db8:ec2::9 port 8888: filtered"));
    assert_non_null(strstr(e->lines[1], "came from 2001:db8:f0:3::2"));
    assert_non_null(strstr(e->lines[2], "IPv4 203.0.113.10 port 8888 completed the handshake"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_run_gives_one_result_per_family),
        cmocka_unit_test(names_are_stable_codes),
        cmocka_unit_test(a_failed_verdict_knows_its_families),
        cmocka_unit_test(no_route_to_an_ipv6_only_name_puts_ipv6_first),
        cmocka_unit_test(virtualbox_nat_names_its_address_without_a_source),
        cmocka_unit_test(ipv6_broken_names_what_was_seen),
        cmocka_unit_test(minus_6_on_an_ipv4_only_name_says_so),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
