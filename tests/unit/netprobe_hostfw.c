/*
 * Unit tests for netprobe/server/hostfw*.c over recorded rule sets in tests/data/:
 * `nft -j list ruleset` output captured from real rule sets loaded in a
 * scratch network namespace, and iptables-save text.  One row per case.
 * Run from the repository root (tests/run.sh does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "netprobe/report_modes.h"
#include "netprobe/server/hostfw.h"

enum kind { NFT, IPT };

struct fw_case {
    const char *file;
    enum kind kind;
    int port;
    bool blocks, may_block;
    size_t hits;
    /* The first hit, when hits > 0. */
    enum hostfw_action action;
    const char *detail;
    long handle;
    const char *chain;
    bool conditional;
    enum hostfw_direction dir; /* HOSTFW_INCOMING unless given */
};

#define IN .dir = HOSTFW_INCOMING
#define OUT .dir = HOSTFW_OUTGOING

static const struct fw_case CASES[] = {
    {"nft_drop_8888.json", NFT, 8888, true, false, 1, HOSTFW_DROP, "drop", 5, "input", false, IN},
    {"nft_drop_8888.json", NFT, 22, false, false, 1, HOSTFW_ACCEPT, "accept", 4, "input", false,
     IN},
    {"nft_drop_8888.json", NFT, 9999, false, false, 0, 0, NULL, 0, NULL, false, IN},
    {"nft_reject_admin.json", NFT, 8888, true, false, 1, HOSTFW_REJECT,
     "reject with icmpx admin-prohibited", 2, "input", false, IN},
    {"nft_tcp_reset.json", NFT, 8888, true, false, 1, HOSTFW_REJECT, "reject with tcp reset", 2,
     "INPUT", false, IN},
    {"nft_port_set.json", NFT, 8888, true, false, 1, HOSTFW_DROP, "drop", 3, "input", false, IN},
    {"nft_port_set.json", NFT, 8889, false, false, 0, 0, NULL, 0, NULL, false, IN},
    {"nft_port_range.json", NFT, 8888, true, false, 1, HOSTFW_DROP, "drop", 2, "input", false, IN},
    {"nft_port_range.json", NFT, 9001, false, false, 0, 0, NULL, 0, NULL, false, IN},
    {"nft_named_set.json", NFT, 8888, true, false, 1, HOSTFW_DROP, "drop", 4, "input", false, IN},
    {"nft_named_set.json", NFT, 24, false, false, 0, 0, NULL, 0, NULL, false, IN},
    /* policy drop, but "tcp dport 8888 ct state new accept" comes first */
    {"nft_policy_drop_accepted.json", NFT, 8888, false, false, 1, HOSTFW_ACCEPT, "accept", 6,
     "input", false, IN},
    {"nft_policy_drop_accepted.json", NFT, 8889, true, false, 1, HOSTFW_DROP, "policy drop", -1,
     "input", false, IN},
    {"nft_policy_drop.json", NFT, 8888, true, false, 1, HOSTFW_DROP, "policy drop", -1, "input",
     false, IN},
    /* drops 8888 only from 198.51.100.0/24: may block, does not block everyone */
    {"nft_source_limited.json", NFT, 8888, false, true, 1, HOSTFW_DROP, "drop", 2, "input", true,
     IN},
    /* tcp dport 9999 and udp dport 8888: neither touches TCP 8888 */
    {"nft_other_port.json", NFT, 8888, false, false, 0, 0, NULL, 0, NULL, false, IN},
    /* RHEL's classic "-j REJECT --reject-with icmp-host-prohibited" at the end */
    {"iptables_reject_all.txt", IPT, 8888, true, false, 1, HOSTFW_REJECT,
     "reject with icmp-host-prohibited", 5, "INPUT", false, IN},
    {"iptables_reject_all.txt", IPT, 22, false, false, 1, HOSTFW_ACCEPT, "accept", 4, "INPUT",
     false, IN},
    {"iptables_accept_8888.txt", IPT, 8888, false, false, 1, HOSTFW_ACCEPT, "accept", 3, "INPUT",
     false, IN},
    {"iptables_accept_8888.txt", IPT, 443, true, false, 1, HOSTFW_DROP, "policy drop", -1, "INPUT",
     false, IN},
    /* The client's side: output chains, "oif lo" and replies left out.
     * The same rule set's input chain drops 9999 only. */
    {"nft_output_drop_8888.json", NFT, 8888, true, false, 1, HOSTFW_DROP, "drop", 7, "output",
     false, OUT},
    {"nft_output_drop_8888.json", NFT, 9999, false, false, 0, 0, NULL, 0, NULL, false, OUT},
    {"nft_output_drop_8888.json", NFT, 8888, false, false, 0, 0, NULL, 0, NULL, false, IN},
    {"nft_output_drop_8888.json", NFT, 9999, true, false, 1, HOSTFW_DROP, "drop", 4, "input", false,
     IN},
    {"iptables_output_drop.txt", IPT, 8888, true, false, 1, HOSTFW_DROP, "drop", 3, "OUTPUT", false,
     OUT},
    /* "-o eth1": we cannot tell which interface the connection leaves by */
    {"iptables_output_drop.txt", IPT, 7000, false, true, 1, HOSTFW_REJECT,
     "reject with icmp-admin-prohibited", 4, "OUTPUT", true, OUT},
    {"iptables_output_drop.txt", IPT, 8888, false, false, 0, 0, NULL, 0, NULL, false, IN},
    {"iptables_output_drop.txt", IPT, 9999, true, false, 1, HOSTFW_DROP, "drop", 1, "INPUT", false,
     IN},
};

static char *slurp(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "tests/data/%s", name);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        fail_msg("cannot open %s (run the test from the repository root)", path);
    char *buf = calloc(1, 1 << 20);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void recorded_rule_sets_give_their_verdict_for_the_port(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const struct fw_case *c = &CASES[i];
        struct hostfw_result r;
        char err[256] = "";
        char *text = slurp(c->file);
        print_message("case %s port %d %s\n", c->file, c->port,
                      c->dir == HOSTFW_OUTGOING ? "outgoing" : "incoming");
        int rc = c->kind == NFT
                     ? hostfw_parse_nft_dir(text, c->dir, c->port, &r, err, sizeof err)
                     : hostfw_parse_iptables_dir(text, c->dir, c->port, &r, err, sizeof err);
        free(text);
        assert_int_equal(rc, 0);
        assert_true(r.available);
        assert_int_equal(r.input_chains, 1);
        assert_int_equal(r.blocks, c->blocks);
        assert_int_equal(r.may_block, c->may_block);
        assert_int_equal(r.hit_count, c->hits);
        if (c->hits == 0)
            continue;
        assert_int_equal(r.hits[0].action, c->action);
        assert_string_equal(r.hits[0].detail, c->detail);
        assert_int_equal(r.hits[0].handle, c->handle);
        assert_string_equal(r.hits[0].chain, c->chain);
        assert_int_equal(r.hits[0].conditional, c->conditional);
    }
}

static void malformed_nft_output_is_a_clear_error(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        const char *error;
    } rows[] = {
        {"nft_malformed.json", "not valid JSON"},
        {"nft_wrong_types.json", "nftables[3].rule.expr is not an array"},
        {"nft_chain_name_number.json", "nftables[0].chain lacks a string family, table or name"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct hostfw_result r;
        char err[256] = "";
        char *text = slurp(rows[i].file);
        print_message("case %s\n", rows[i].file);
        assert_int_equal(hostfw_parse_nft(text, 8888, &r, err, sizeof err), -1);
        free(text);
        assert_false(r.available);
        assert_non_null(strstr(err, rows[i].error));
    }
}

static void json_without_the_nftables_array_is_an_error(void **state)
{
    (void)state;
    static const char *const inputs[] = {"{}", "[]", "{\"nftables\": {}}", "42", ""};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        struct hostfw_result r;
        char err[256] = "";
        assert_int_equal(hostfw_parse_nft(inputs[i], 8888, &r, err, sizeof err), -1);
        assert_true(err[0] != '\0');
    }
}

static void empty_rule_set_blocks_nothing(void **state)
{
    (void)state;
    struct hostfw_result r;
    char err[256] = "";
    assert_int_equal(
        hostfw_parse_nft("{\"nftables\": [{\"metainfo\": {\"json_schema_version\": 1}}]}", 8888, &r,
                         err, sizeof err),
        0);
    assert_true(r.available);
    assert_false(r.blocks);
    assert_int_equal(r.input_chains, 0);
}

static void result_serialises_with_the_deciding_rule(void **state)
{
    (void)state;
    struct hostfw_result r;
    char err[256] = "";
    char *text = slurp("nft_reject_admin.json");
    assert_int_equal(hostfw_parse_nft(text, 8888, &r, err, sizeof err), 0);
    free(text);
    cJSON *j = report_hostfw_json(&r);
    assert_non_null(j);
    char *s = cJSON_PrintUnformatted(j);
    assert_non_null(s);
    assert_non_null(strstr(s, "\"blocks\":true"));
    assert_non_null(strstr(s, "\"detail\":\"reject with icmpx admin-prohibited\""));
    assert_non_null(strstr(s, "\"handle\":2"));
    cJSON_free(s);
    cJSON_Delete(j);
}

/* Rules for one address family (issue 15): "meta nfproto ipv6" in an inet
 * table, or an ip6 table, decides that family for every source (not a
 * conditional rule), and leaves the other family to the rules after it. */
struct family_case {
    const char *file;
    bool blocks;
    unsigned blocks_families;
    unsigned first_hit_families;
    bool first_hit_conditional;
    size_t hits;
};

static const struct family_case FAMILY_CASES[] = {
    {"nft_inet_drop_ipv6.json", true, HOSTFW_IPV6, HOSTFW_IPV6, false, 1},
    {"nft_ip6_table_drop.json", true, HOSTFW_IPV6, HOSTFW_IPV6, false, 1},
    /* "ip6tables -A INPUT -p tcp --dport 8888 -j DROP" with iptables-nft 1.8.9 */
    {"nft_ip6tables_drop.json", true, HOSTFW_IPV6, HOSTFW_IPV6, false, 1},
    /* IPv4 accepted first, then "tcp dport 8888 drop" decides IPv6 only */
    {"nft_inet_accept_ipv4_drop_rest.json", true, HOSTFW_IPV6, HOSTFW_IPV4, false, 2},
    {"nft_drop_8888.json", true, HOSTFW_BOTH, HOSTFW_BOTH, false, 1},
    /* iptables-save lists IPv4 rules only */
    {"iptables_reject_all.txt", true, HOSTFW_IPV4, HOSTFW_IPV4, false, 1},
};

static void rules_for_one_family_block_that_family(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof FAMILY_CASES / sizeof FAMILY_CASES[0]; i++) {
        const struct family_case *c = &FAMILY_CASES[i];
        struct hostfw_result r;
        char err[256] = "";
        char *text = slurp(c->file);
        bool nft = strncmp(c->file, "nft", 3) == 0;
        print_message("case %s\n", c->file);
        int rc = nft ? hostfw_parse_nft(text, 8888, &r, err, sizeof err)
                     : hostfw_parse_iptables(text, 8888, &r, err, sizeof err);
        free(text);
        assert_int_equal(rc, 0);
        assert_int_equal(r.blocks, c->blocks);
        assert_false(r.may_block);
        assert_int_equal(r.blocks_families, c->blocks_families);
        assert_int_equal(r.hit_count, c->hits);
        assert_int_equal(r.hits[0].families, c->first_hit_families);
        assert_int_equal(r.hits[0].conditional, c->first_hit_conditional);
    }
    struct hostfw_result r;
    char err[256] = "";
    char *text = slurp("nft_inet_drop_ipv6.json");
    assert_int_equal(hostfw_parse_nft(text, 8888, &r, err, sizeof err), 0);
    free(text);
    cJSON *j = report_hostfw_json(&r);
    assert_non_null(j);
    char *s = cJSON_PrintUnformatted(j);
    assert_non_null(s);
    assert_non_null(strstr(s, "\"blocks_families\":[\"ipv6\"]"));
    assert_non_null(strstr(s, "\"families\":[\"ipv6\"]"));
    cJSON_free(s);
    cJSON_Delete(j);
}

/* Without nft, IPv6 rules are only in ip6tables-save: its rules decide
 * IPv6 alone, and merged with iptables-save's they block IPv6 only. */
static void ip6tables_rules_block_ipv6_only(void **state)
{
    (void)state;
    struct hostfw_result v4, v6;
    char err[256] = "";
    char *text = slurp("ip6tables_drop_8888.txt");
    assert_int_equal(hostfw_parse_ip6tables(text, 8888, &v6, err, sizeof err), 0);
    free(text);
    assert_true(v6.blocks);
    assert_int_equal(v6.blocks_families, HOSTFW_IPV6);
    assert_string_equal(v6.hits[0].family, "ip6");
    assert_string_equal(v6.source, "ip6tables-save");

    text = slurp("iptables_accept_8888.txt");
    assert_int_equal(hostfw_parse_iptables(text, 8888, &v4, err, sizeof err), 0);
    free(text);
    assert_false(v4.blocks);
    hostfw_merge(&v4, &v6);
    assert_true(v4.blocks);
    assert_int_equal(v4.blocks_families, HOSTFW_IPV6);
    assert_int_equal(v4.input_chains, 2);
    assert_int_equal(v4.hit_count, 2); /* the IPv4 accept, then the IPv6 drop */
    assert_int_equal(v4.hits[1].families, HOSTFW_IPV6);
    assert_string_equal(v4.source, "ip(6)tables");
}

/* One inet filter input chain with one rule (handle HANDLE) that drops
 * "tcp dport RIGHT". */
static char *one_rule(const char *handle, const char *right, const char *extra)
{
    static const char fmt[] =
        "{\"nftables\": [{\"chain\": {\"family\": \"inet\", \"table\": \"f\", \"name\": \"in\", "
        "\"type\": \"filter\", \"hook\": \"input\", \"policy\": \"accept\"}}%s, "
        "{\"rule\": {\"family\": \"inet\", \"table\": \"f\", \"chain\": \"in\", \"handle\": %s, "
        "\"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"tcp\", "
        "\"field\": \"dport\"}}, \"right\": %s}}, {\"drop\": null}]}}]}";
    size_t cap = sizeof fmt + strlen(handle) + strlen(right) + strlen(extra);
    char *s = malloc(cap);
    assert_non_null(s);
    snprintf(s, cap, fmt, extra, handle, right);
    return s;
}

/* A handle no long can hold (1e30) is not converted (that would be
 * undefined behaviour); the rule still counts, its handle is unknown (0). */
static void out_of_range_handle_is_not_converted(void **state)
{
    (void)state;
    static const struct {
        const char *handle;
        long want;
    } rows[] = {{"7", 7}, {"1e30", 0}, {"-1e30", 0}, {"-3", 0}, {"\"7\"", 0}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *json = one_rule(rows[i].handle, "8888", ""), err[256] = "";
        struct hostfw_result r;
        assert_int_equal(hostfw_parse_nft(json, 8888, &r, err, sizeof err), 0);
        assert_true(r.blocks);
        assert_int_equal(r.hit_count, 1);
        assert_int_equal(r.hits[0].handle, rows[i].want);
        free(json);
    }
}

/* A set whose elements are many references to itself: the lookup stops at
 * its step budget with an error instead of running for minutes. */
static void self_referencing_set_is_bounded_in_total_work(void **state)
{
    (void)state;
    enum { REFS = 300 };
    char *elems = malloc(REFS * 6 + 2), *set = malloc(REFS * 6 + 256);
    assert_non_null(elems);
    assert_non_null(set);
    strcpy(elems, "[");
    for (int i = 0; i < REFS; i++)
        strcat(elems, i ? ", \"@s\"" : "\"@s\"");
    strcat(elems, "]");
    snprintf(set, REFS * 6 + 256,
             ", {\"set\": {\"family\": \"inet\", \"table\": \"f\", \"name\": \"s\", \"elem\": %s}}",
             elems);
    char *json = one_rule("2", "\"@s\"", set), err[256] = "";
    struct hostfw_result r;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = hostfw_parse_nft(json, 8888, &r, err, sizeof err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    print_message("rc %d in %.1f ms: %s\n", rc, ms, err);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "too large to follow"));
    assert_true(ms < 10000); /* 300^4 steps unbounded; the budget takes well under 1 s */
    free(json);
    free(set);
    free(elems);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(recorded_rule_sets_give_their_verdict_for_the_port),
        cmocka_unit_test(malformed_nft_output_is_a_clear_error),
        cmocka_unit_test(json_without_the_nftables_array_is_an_error),
        cmocka_unit_test(empty_rule_set_blocks_nothing),
        cmocka_unit_test(result_serialises_with_the_deciding_rule),
        cmocka_unit_test(rules_for_one_family_block_that_family),
        cmocka_unit_test(ip6tables_rules_block_ipv6_only),
        cmocka_unit_test(out_of_range_handle_is_not_converted),
        cmocka_unit_test(self_referencing_set_is_bounded_in_total_work),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
