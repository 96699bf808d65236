/* Unit tests for netprobe/dns.c's pure parts and address literals (which
 * resolve nothing, so no resolver is asked). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "netprobe/stages/dns.h"
#include "netprobe/stages/stages.h"

struct ns_case {
    const char *text;
    bool has;
};

static const struct ns_case ns_cases[] = {
    {"nameserver 10.255.255.53\n", true},
    {"# generated\nsearch example.org\n  nameserver ::1\n", true},
    {"search example.org\noptions edns0\n", false},
    {"# nameserver 1.1.1.1\n", false},
    {"nameservers 1.1.1.1\n", false},
    {"", false},
};

static void resolv_conf_nameserver_lines_are_found(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof ns_cases / sizeof ns_cases[0]; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s", ns_cases[i].text);
        FILE *f = fmemopen(buf, strlen(buf) + 1, "r");
        assert_non_null(f);
        bool got = dns_has_nameserver(f);
        fclose(f);
        if (got != ns_cases[i].has)
            fail_msg("case %zu: got %d want %d", i, got, ns_cases[i].has);
    }
    assert_false(dns_has_nameserver(NULL));
}

struct classify_case {
    int rc;
    bool timed_out, has_ns;
    enum dns_outcome outcome;
};

static const struct classify_case classify_cases[] = {
    {0, false, true, DNS_OK},
    {EAI_NONAME, false, true, DNS_NXDOMAIN},
    {EAI_NONAME, false, false, DNS_NXDOMAIN}, /* /etc/hosts may still answer */
    {EAI_AGAIN, false, true, DNS_NO_ANSWER},
    {EAI_AGAIN, false, false, DNS_NO_RESOLVER},
    {0, true, true, DNS_NO_ANSWER},
    {0, true, false, DNS_NO_RESOLVER},
    {EAI_FAIL, false, true, DNS_OTHER_FAILURE},
    {EAI_FAIL, false, false, DNS_NO_RESOLVER},
};

static void lookup_results_are_classified(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof classify_cases / sizeof classify_cases[0]; i++) {
        const struct classify_case *c = &classify_cases[i];
        enum dns_outcome got = dns_classify(c->rc, c->timed_out, c->has_ns);
        if (got != c->outcome)
            fail_msg("case %zu: got %s want %s", i, dns_outcome_name(got),
                     dns_outcome_name(c->outcome));
    }
}

struct literal_case {
    const char *host;
    int family_pref;
    enum dns_outcome outcome;
    enum stage_status status;
    int family;
};

static const struct literal_case literal_cases[] = {
    {"203.0.113.7", 0, DNS_LITERAL, STATUS_PASS, AF_INET},
    {"2001:db8::7", 0, DNS_LITERAL, STATUS_PASS, AF_INET6},
    {"203.0.113.7", 4, DNS_LITERAL, STATUS_PASS, AF_INET},
    {"203.0.113.7", 6, DNS_OTHER_FAILURE, STATUS_FAIL, 0},
    {"2001:db8::7", 4, DNS_OTHER_FAILURE, STATUS_FAIL, 0},
};

static void address_literals_resolve_to_themselves(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof literal_cases / sizeof literal_cases[0]; i++) {
        const struct literal_case *c = &literal_cases[i];
        struct evidence ev;
        struct probe_opts o = {
            .host = c->host, .port = 8888, .family = c->family_pref, .timeout_ms = 1000};
        evidence_init(&ev, c->host, 8888);
        stage_dns_run(&ev, &o);
        assert_int_equal(ev.dns.outcome, c->outcome);
        assert_int_equal(ev.stages[STAGE_DNS].status, c->status);
        assert_int_equal(ev.dns.addr_count, c->family ? 1 : 0);
        if (c->family) {
            assert_int_equal(ev.dns.addrs[0].family, c->family);
            assert_string_equal(ev.dns.addrs[0].address, c->host);
        }
        assert_true(ev.stages[STAGE_DNS].summary[0] != '\0');
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(resolv_conf_nameserver_lines_are_found),
        cmocka_unit_test(lookup_results_are_classified),
        cmocka_unit_test(address_literals_resolve_to_themselves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
