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

#include "common_guard.h"
#include "netprobe/report_modes.h"
#include "netprobe/server/command.h"
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

/* The nft rules of file, read for port 8888, as the report writes them
 * (free with cJSON_free). */
static char *nft_file_as_report(const char *file)
{
    struct hostfw_result r;
    char err[256] = "";
    char *text = slurp(file);
    assert_int_equal(hostfw_parse_nft(text, 8888, &r, err, sizeof err), 0);
    free(text);
    cJSON *j = report_hostfw_json(&r);
    assert_non_null(j);
    char *s = cJSON_PrintUnformatted(j);
    assert_non_null(s);
    cJSON_Delete(j);
    return s;
}

static void result_serialises_with_the_deciding_rule(void **state)
{
    (void)state;
    char *s = nft_file_as_report("nft_reject_admin.json");
    assert_non_null(strstr(s, "\"blocks\":true"));
    assert_non_null(strstr(s, "\"detail\":\"reject with icmpx admin-prohibited\""));
    assert_non_null(strstr(s, "\"handle\":2"));
    cJSON_free(s);
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
    char *s = nft_file_as_report("nft_inet_drop_ipv6.json");
    assert_non_null(strstr(s, "\"blocks_families\":[\"ipv6\"]"));
    assert_non_null(strstr(s, "\"families\":[\"ipv6\"]"));
    cJSON_free(s);
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

/* ---- Work bounds (docs/fuzzing.md): each at its limit and one past. ---- */

/* "[[...[8888]...]]" nested n deep. */
static char *nested_port(int n)
{
    char *s = malloc((size_t)n * 2 + 8);
    assert_non_null(s);
    memset(s, '[', (size_t)n);
    strcpy(s + n, "8888");
    memset(s + n + 4, ']', (size_t)n);
    s[n * 2 + 4] = '\0';
    return s;
}

/* A port nested HOSTFW_NFT_DEPTH_MAX lists deep is found; one list deeper
 * is not followed, so the rule does not name the port. */
static void nft_set_nesting_is_followed_to_its_depth_bound(void **state)
{
    (void)state;
    for (int extra = 0; extra <= 1; extra++) {
        char *right = nested_port(HOSTFW_NFT_DEPTH_MAX + extra);
        char *json = one_rule("2", right, ""), err[256] = "";
        struct hostfw_result r;
        assert_int_equal(hostfw_parse_nft(json, 8888, &r, err, sizeof err), 0);
        assert_int_equal(r.blocks, extra == 0);
        free(json);
        free(right);
    }
}

/* n more inet filter input chains with policy drop, as extra items. */
static char *extra_chains(int n)
{
    size_t cap = (size_t)n * 160 + 1, len = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    s[0] = '\0';
    for (int i = 0; i < n; i++)
        len +=
            (size_t)snprintf(s + len, cap - len,
                             ", {\"chain\": {\"family\": \"inet\", \"table\": \"t%d\", \"name\": "
                             "\"in\", \"type\": \"filter\", \"hook\": \"input\", \"policy\": "
                             "\"drop\"}}",
                             i);
    return s;
}

/* HOSTFW_CHAINS_MAX input chains are all followed; one more is an error
 * naming it (ignoring it could hide the chain that drops). */
static void nft_input_chains_past_the_bound_are_an_error(void **state)
{
    (void)state;
    for (int extra = 0; extra <= 1; extra++) {
        char *chains = extra_chains(HOSTFW_CHAINS_MAX - 1 + extra);
        char *json = one_rule("2", "9999", chains), err[256] = "";
        struct hostfw_result r;
        int rc = hostfw_parse_nft(json, 8888, &r, err, sizeof err);
        print_message("%d chains: rc %d %s\n", HOSTFW_CHAINS_MAX + extra, rc, err);
        if (extra == 0) {
            assert_int_equal(rc, 0);
            assert_int_equal(r.input_chains, HOSTFW_CHAINS_MAX);
            assert_true(r.blocks); /* the policy drop of the last chain */
        } else {
            assert_int_equal(rc, -1);
            assert_non_null(strstr(err, "past the 32"));
        }
        free(json);
        free(chains);
    }
}

/* cJSON's own nesting limit (1000) bounds the parse before our walk. */
static void nft_json_nested_past_cjson_limit_is_refused(void **state)
{
    (void)state;
    char *right = nested_port(1001);
    char *json = one_rule("2", right, ""), err[256] = "";
    struct hostfw_result r;
    assert_int_equal(hostfw_parse_nft(json, 8888, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "not valid JSON"));
    free(json);
    free(right);
}

/* "*filter", the INPUT chain, then line. */
static char *ipt_with(const char *line)
{
    size_t cap = strlen(line) + 64;
    char *s = malloc(cap);
    assert_non_null(s);
    snprintf(s, cap, "*filter\n:INPUT ACCEPT [0:0]\n%s\nCOMMIT\n", line);
    return s;
}

/* A rule of HOSTFW_IPT_WORDS_MAX words is read (its verdict is the last
 * word); one more word is an error naming the line. */
static void ipt_rule_words_past_the_bound_are_an_error(void **state)
{
    (void)state;
    for (int extra = 0; extra <= 1; extra++) {
        /* "-A INPUT -p tcp --dport 8888" is 6 words, "-j DROP" 2; the
         * rest are "-m comment" pairs. */
        char line[1024] = "-A INPUT -p tcp --dport 8888";
        int words = 6;
        while (words + 2 + 2 <= HOSTFW_IPT_WORDS_MAX) {
            strcat(line, " -m comment");
            words += 2;
        }
        if (extra)
            strcat(line, " -m");
        strcat(line, " -j DROP");
        char *text = ipt_with(line), err[256] = "";
        struct hostfw_result r;
        int rc = hostfw_parse_iptables(text, 8888, &r, err, sizeof err);
        print_message("%d words: rc %d %s\n", words + 2 + extra, rc, err);
        if (extra == 0) {
            assert_int_equal(rc, 0);
            assert_true(r.blocks);
        } else {
            assert_int_equal(rc, -1);
            assert_non_null(strstr(err, "line 3 has more than 64 words"));
        }
        free(text);
    }
}

/* A line of HOSTFW_IPT_LINE_MAX - 1 bytes is read; one byte more is an
 * error naming the line. */
static void ipt_line_past_the_bound_is_an_error(void **state)
{
    (void)state;
    for (int extra = 0; extra <= 1; extra++) {
        size_t n = HOSTFW_IPT_LINE_MAX - 1 + (size_t)extra;
        char *line = malloc(n + 1);
        assert_non_null(line);
        memset(line, 'x', n);
        memcpy(line, "# ", 2);
        line[n] = '\0';
        char *text = ipt_with(line), err[256] = "";
        struct hostfw_result r;
        assert_int_equal(hostfw_parse_iptables(text, 8888, &r, err, sizeof err), extra ? -1 : 0);
        if (extra)
            assert_non_null(strstr(err, "line 3 is longer than 4095 bytes"));
        free(text);
        free(line);
    }
}

/* An endless line is refused after one line buffer: the text has no NUL
 * and ends at an unmapped page 16 KiB on, so reading to its end (as
 * strcspn would) kills the test. */
static void ipt_endless_line_is_refused_without_reading_it_all(void **state)
{
    (void)state;
    struct guard g;
    char *text = guard_alloc(&g, 16384, 'x'), err[256] = "";
    struct hostfw_result r;
    assert_non_null(text);
    assert_int_equal(hostfw_parse_iptables(text, 8888, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "line 1 is longer"));
    guard_free(&g);
}

/* A tool that prints more than COMMAND_OUTPUT_MAX is stopped, and its cut
 * output is never handed to a parser. */
static void tool_output_past_the_bound_is_refused(void **state)
{
    (void)state;
    char *const argv[] = {"yes", "--", "-A INPUT -j ACCEPT", NULL};
    char *text = NULL, err[256];
    int rc = command_run(argv, 20000, &text, err, sizeof err);
    assert_int_equal(rc, COMMAND_TOO_LONG);
    free(text);
    char *const small[] = {"head", "-c", "1000", "/dev/zero", NULL};
    assert_int_equal(command_run(small, 20000, &text, err, sizeof err), 0);
    free(text);
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
        cmocka_unit_test(nft_set_nesting_is_followed_to_its_depth_bound),
        cmocka_unit_test(nft_input_chains_past_the_bound_are_an_error),
        cmocka_unit_test(nft_json_nested_past_cjson_limit_is_refused),
        cmocka_unit_test(ipt_rule_words_past_the_bound_are_an_error),
        cmocka_unit_test(ipt_line_past_the_bound_is_an_error),
        cmocka_unit_test(ipt_endless_line_is_refused_without_reading_it_all),
        cmocka_unit_test(tool_output_past_the_bound_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
