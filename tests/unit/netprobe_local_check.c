/*
 * Unit tests for the `netprobe --local` verdict: a table of hand-built
 * evidence and the one code each must give, plus the JSON it serialises to.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netprobe/report_modes.h"
#include "netprobe/server/local_check.h"

struct verdict_case {
    const char *name;
    const char *listeners[4]; /* addresses listening on the port, NULL-terminated */
    bool connect_fails;       /* every test connection failed */
    bool fw_blocks, fw_may_block;
    const char *public_addr;
    bool public_is_local;
    const char *want;
};

static const struct verdict_case CASES[] = {
    {"wildcard listener, nothing blocks",
     {"0.0.0.0"},
     false,
     false,
     false,
     NULL,
     false,
     "local_ok"},
    {"ipv6 wildcard counts as every address", {"::"}, false, false, false, NULL, false, "local_ok"},
    {"wildcard next to loopback is fine",
     {"127.0.0.1", "0.0.0.0"},
     false,
     false,
     false,
     NULL,
     false,
     "local_ok"},
    {"nothing listens", {NULL}, false, false, false, NULL, false, "local_not_listening"},
    {"listener that accepts nothing",
     {"0.0.0.0"},
     true,
     false,
     false,
     NULL,
     false,
     "local_not_listening"},
    {"only 127.0.0.1", {"127.0.0.1"}, false, false, false, NULL, false, "bind_loopback"},
    {"only loopback in both families",
     {"127.0.0.1", "::1"},
     false,
     false,
     false,
     NULL,
     false,
     "bind_loopback"},
    {"one interface address", {"172.31.5.10"}, false, false, false, NULL, false, "bind_specific"},
    {"interface address and loopback",
     {"172.31.5.10", "127.0.0.1"},
     false,
     false,
     false,
     NULL,
     false,
     "bind_specific"},
    {"firewall drops the port",
     {"0.0.0.0"},
     false,
     true,
     false,
     NULL,
     false,
     "host_firewall_blocks"},
    {"firewall drops for some sources only",
     {"0.0.0.0"},
     false,
     false,
     true,
     NULL,
     false,
     "local_ok"},
    {"loopback bind is reported before the firewall",
     {"127.0.0.1"},
     false,
     true,
     false,
     NULL,
     false,
     "bind_loopback"},
    {"public address not local and nothing listens",
     {NULL},
     false,
     false,
     false,
     "203.0.113.7",
     false,
     "bind_address_unavailable"},
    {"public address not local but 0.0.0.0 listens (1:1 NAT is fine)",
     {"0.0.0.0"},
     false,
     false,
     false,
     "203.0.113.7",
     false,
     "local_ok"},
    {"public address local and nothing listens",
     {NULL},
     false,
     false,
     false,
     "198.51.100.9",
     true,
     "local_not_listening"},
};

static void build(const struct verdict_case *c, struct server_evidence *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->port = 8888;
    ev->listeners_ok = true;
    for (size_t i = 0; i < 4 && c->listeners[i] != NULL; i++) {
        struct listener *l = &ev->listeners.items[ev->listeners.count++];
        l->family = strchr(c->listeners[i], ':') ? AF_INET6 : AF_INET;
        snprintf(l->address, sizeof l->address, "%s", c->listeners[i]);
        l->port = 8888;
        l->bind = listeners_classify(l->family, l->address);
        struct server_conn_test *t = &ev->tests[ev->test_count++];
        t->family = l->family;
        snprintf(t->address, sizeof t->address, "%s", c->listeners[i]);
        t->ok = !c->connect_fails;
        t->err = c->connect_fails ? 111 : 0;
    }
    ev->firewall_checked = true;
    ev->fw.available = true;
    snprintf(ev->fw.source, sizeof ev->fw.source, "nft");
    ev->fw.blocks = c->fw_blocks;
    ev->fw.may_block = c->fw_may_block;
    if (c->public_addr != NULL) {
        snprintf(ev->public_addr, sizeof ev->public_addr, "%s", c->public_addr);
        ev->public_is_local = c->public_is_local;
        ev->public_source = PUBLIC_OPTION; /* the table's addresses are --public ADDR */
    }
}

static void each_evidence_gives_its_verdict(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        struct server_evidence ev;
        build(&CASES[i], &ev);
        print_message("case %s\n", CASES[i].name);
        assert_string_equal(local_check_code(local_check_decide(&ev)), CASES[i].want);
    }
}

/* bind_ipv4_only (issue 15): IPv4 listeners only on a machine with a global
 * IPv6 address; an IPv6 listener, or no global address, clears it. */
struct ipv6_case {
    const char *name;
    const char *listeners[4];
    const char *global_ipv6;
    unsigned fw_blocks_families;
    const char *want;
};

static const struct ipv6_case IPV6_CASES[] = {
    {"0.0.0.0 only with a global ipv6 address",
     {"0.0.0.0"},
     "2001:db8:ec2::9",
     0,
     "bind_ipv4_only"},
    {"0.0.0.0 only, no global ipv6 address", {"0.0.0.0"}, "", 0, "local_ok"},
    {"0.0.0.0 and ::", {"0.0.0.0", "::"}, "2001:db8:ec2::9", 0, "local_ok"},
    {"0.0.0.0 and the global address itself",
     {"0.0.0.0", "2001:db8:ec2::9"},
     "2001:db8:ec2::9",
     0,
     "local_ok"},
    {"0.0.0.0 and ::1 only", {"0.0.0.0", "::1"}, "2001:db8:ec2::9", 0, "bind_ipv4_only"},
    {"an ipv6-only firewall rule comes first",
     {"0.0.0.0", "::"},
     "2001:db8:ec2::9",
     HOSTFW_IPV6,
     "host_firewall_blocks"},
};

static void ipv6_listeners_and_firewall_give_their_verdict(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof IPV6_CASES / sizeof IPV6_CASES[0]; i++) {
        const struct ipv6_case *c = &IPV6_CASES[i];
        struct verdict_case base = {c->name, {NULL}, false, false, false, NULL, false, c->want};
        memcpy(base.listeners, c->listeners, sizeof base.listeners);
        static struct local_check lc;
        build(&base, &lc.ev);
        snprintf(lc.ev.global_ipv6, sizeof lc.ev.global_ipv6, "%s", c->global_ipv6);
        lc.ev.fw.blocks = c->fw_blocks_families != 0;
        lc.ev.fw.blocks_families = c->fw_blocks_families;
        print_message("case %s\n", c->name);
        local_check_summarize(&lc);
        assert_string_equal(local_check_code(lc.verdict), c->want);
        if (lc.verdict == SERVER_BIND_IPV4_ONLY) {
            bool said = false;
            for (size_t k = 0; k < lc.sentence_count; k++)
                said = said || strstr(lc.sentences[k], c->global_ipv6) != NULL;
            assert_true(said);
        }
        if (c->fw_blocks_families == HOSTFW_IPV6)
            assert_non_null(strstr(lc.lines[LOCAL_CHECK_FIREWALL].summary, "over IPv6"));
    }
}

static void unreadable_firewall_does_not_block(void **state)
{
    (void)state;
    struct server_evidence ev;
    build(&CASES[0], &ev);
    ev.fw.available = false;
    ev.fw.blocks = true; /* stale: must not count when the rules were not read */
    assert_int_equal(local_check_decide(&ev), SERVER_LOCAL_OK);
}

static void json_names_the_verdict_and_the_listener(void **state)
{
    (void)state;
    static struct local_check lc;
    build(&CASES[5], &lc.ev); /* only 127.0.0.1 */
    lc.ev.listeners.items[0].pid = 4242;
    snprintf(lc.ev.listeners.items[0].comm, sizeof lc.ev.listeners.items[0].comm, "chatd");
    local_check_summarize(&lc);
    cJSON *j = report_local_json(&lc);
    assert_non_null(j);
    char *s = cJSON_PrintUnformatted(j);
    assert_non_null(s);
    assert_non_null(strstr(s, "\"verdict\":\"bind_loopback\""));
    assert_non_null(strstr(s, "chatd (pid 4242) listens on 127.0.0.1 port 8888 (loopback)"));
    assert_non_null(strstr(s, "\"name\":\"listeners\",\"status\":\"warn\""));
    assert_non_null(strstr(s, "\"name\":\"public_address\",\"status\":\"skip\""));
    cJSON_free(s);
    cJSON_Delete(j);
}

static void json_explains_a_public_address_behind_nat(void **state)
{
    (void)state;
    static struct local_check lc;
    build(&CASES[12], &lc.ev);
    local_check_summarize(&lc);
    cJSON *j = report_local_json(&lc);
    assert_non_null(j);
    char *s = cJSON_PrintUnformatted(j);
    assert_non_null(s);
    assert_non_null(strstr(s, "\"verdict\":\"bind_address_unavailable\""));
    assert_non_null(strstr(s, "203.0.113.7 is not an address of this machine"));
    assert_non_null(strstr(s, "nothing listens on TCP port 8888"));
    cJSON_free(s);
    cJSON_Delete(j);
}

/* An address from the EC2 metadata service is evidence, not a sign that
 * chatd tried to bind it: the verdict does not become
 * bind_address_unavailable, the line passes and says where it came from;
 * when the service gave nothing, the line says why and the JSON keeps it. */
static void metadata_service_address_is_evidence_not_a_bind_attempt(void **state)
{
    (void)state;
    static const struct {
        const char *listener;  /* NULL: nothing listens */
        const char *imds_addr; /* NULL: the service gave none */
        const char *want_verdict, *want_status, *want_text, *want_json;
    } rows[] = {
        {NULL, "203.0.113.7", "local_not_listening", "pass",
         "public address 203.0.113.7 (from the EC2 instance metadata service) is not on an "
         "interface",
         "\"address\":\"203.0.113.7\",\"on_interface\":false,\"source\":\"imds\""},
        {"0.0.0.0", "203.0.113.7", "local_ok", "pass", "EC2's 1:1 NAT, as expected",
         "\"source\":\"imds\""},
        {"0.0.0.0", NULL, "local_ok", "skip",
         "--public not given, and the EC2 instance metadata service gave no public address "
         "(no answer within 1000 ms)",
         "\"evidence\":{\"imds_error\":\"no answer within 1000 ms\"}"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        static struct local_check lc;
        const struct verdict_case c = {"imds", {rows[i].listener}, false, false, false, NULL, false,
                                       "?"};
        build(&c, &lc.ev);
        lc.ev.imds_asked = true;
        if (rows[i].imds_addr != NULL) {
            snprintf(lc.ev.public_addr, sizeof lc.ev.public_addr, "%s", rows[i].imds_addr);
            lc.ev.public_source = PUBLIC_IMDS;
        } else {
            snprintf(lc.ev.imds_error, sizeof lc.ev.imds_error, "no answer within 1000 ms");
        }
        local_check_summarize(&lc);
        assert_string_equal(local_check_code(lc.verdict), rows[i].want_verdict);
        assert_non_null(strstr(lc.lines[LOCAL_CHECK_PUBLIC].summary, rows[i].want_text));
        cJSON *j = report_local_json(&lc);
        assert_non_null(j);
        char *s = cJSON_PrintUnformatted(j), want_status[80];
        assert_non_null(s);
        snprintf(want_status, sizeof want_status, "\"name\":\"public_address\",\"status\":\"%s\"",
                 rows[i].want_status);
        print_message("row %zu: %s\n", i, s);
        assert_non_null(strstr(s, want_status));
        assert_non_null(strstr(s, rows[i].want_json));
        assert_null(strstr(s, "not an address of this machine")); /* the --public sentence */
        cJSON_free(s);
        cJSON_Delete(j);
    }
}

static void loopback_is_a_local_address_and_documentation_is_not(void **state)
{
    (void)state;
    assert_true(local_check_address_is_local("127.0.0.1"));
    assert_false(local_check_address_is_local("203.0.113.7"));
    assert_false(local_check_address_is_local("not an address"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_evidence_gives_its_verdict),
        cmocka_unit_test(unreadable_firewall_does_not_block),
        cmocka_unit_test(ipv6_listeners_and_firewall_give_their_verdict),
        cmocka_unit_test(json_names_the_verdict_and_the_listener),
        cmocka_unit_test(json_explains_a_public_address_behind_nat),
        cmocka_unit_test(metadata_service_address_is_evidence_not_a_bind_attempt),
        cmocka_unit_test(loopback_is_a_local_address_and_documentation_is_not),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
