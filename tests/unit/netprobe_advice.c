/*
 * Unit tests for netprobe/advice.c: every code has complete advice, and
 * every doc link lands on a heading of docs/troubleshooting.md.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "netprobe/advice.h"
#include "netprobe/verdict.h"

#define GUIDE "docs/troubleshooting.md"
#define SCHEMA "docs/report.schema.json"
#define REPORT_DOC "docs/report.md"
#define TEXT_LEN_MAX 400 /* longest sentence; keeps the human output readable */

struct expected_code {
    const char *code;
    enum advice_kind kind;
};

/* The fixed list from the issue (and docs/report.schema.json). */
static const struct expected_code EXPECTED[] = {
    {"ok", ADVICE_VERDICT},
    {"dns_failure", ADVICE_VERDICT},
    {"no_route", ADVICE_VERDICT},
    {"filtered_drop", ADVICE_VERDICT},
    {"rejected", ADVICE_VERDICT},
    {"refused", ADVICE_VERDICT},
    {"connected_silent", ADVICE_VERDICT},
    {"server_closed", ADVICE_VERDICT},
    {"wrong_service", ADVICE_VERDICT},
    {"mtu_blackhole", ADVICE_VERDICT},
    {"data_corruption", ADVICE_VERDICT},
    {"local_firewall", ADVICE_VERDICT},
    {"chatd_error", ADVICE_VERDICT},
    {"virtualbox_nat", ADVICE_FINDING},
    {"client_nat", ADVICE_FINDING},
    {"cloud_nat", ADVICE_FINDING},
    {"icmp_blocked", ADVICE_FINDING},
    {"ipv6_broken", ADVICE_FINDING},
    {"high_latency", ADVICE_FINDING},
    {"packet_loss", ADVICE_FINDING},
    {"forged_reset", ADVICE_FINDING},
    {"ipv4_broken", ADVICE_FINDING},
    {"private_target", ADVICE_FINDING},
    {"local_ok", ADVICE_LOCAL_VERDICT},
    {"local_not_listening", ADVICE_LOCAL_VERDICT},
    {"bind_loopback", ADVICE_LOCAL_VERDICT},
    {"bind_specific", ADVICE_LOCAL_VERDICT},
    {"host_firewall_blocks", ADVICE_LOCAL_VERDICT},
    {"bind_address_unavailable", ADVICE_LOCAL_VERDICT},
    {"bind_ipv4_only", ADVICE_LOCAL_VERDICT},
};
#define EXPECTED_COUNT (sizeof EXPECTED / sizeof EXPECTED[0])

static size_t list_len(const char *const *list)
{
    size_t n = 0;
    while (list[n] != NULL)
        n++;
    return n;
}

static void every_code_appears_exactly_once_with_its_kind(void **state)
{
    (void)state;
    size_t count;
    const struct advice *all = advice_all(&count);
    for (size_t i = 0; i < EXPECTED_COUNT; i++) {
        size_t seen = 0;
        for (size_t j = 0; j < count; j++)
            if (strcmp(all[j].code, EXPECTED[i].code) == 0)
                seen++;
        print_message("code %s\n", EXPECTED[i].code);
        assert_int_equal(seen, 1);
        const struct advice *a = advice_find(EXPECTED[i].code);
        assert_non_null(a);
        assert_string_equal(a->code, EXPECTED[i].code);
        assert_int_equal(a->kind, EXPECTED[i].kind);
    }
    /* Each expected code once and no more entries: no stray codes. */
    assert_int_equal(count, EXPECTED_COUNT);
}

static void every_entry_has_summary_causes_fix_and_its_own_doc_link(void **state)
{
    (void)state;
    size_t count;
    const struct advice *all = advice_all(&count);
    for (size_t i = 0; i < count; i++) {
        const struct advice *a = &all[i];
        char doc[128];
        print_message("code %s\n", a->code);
        assert_non_null(a->summary);
        assert_true(strlen(a->summary) > 0);
        assert_true(list_len(a->causes) >= 1);
        assert_true(list_len(a->fix) >= 1);
        snprintf(doc, sizeof doc, GUIDE "#%s", a->code);
        assert_non_null(a->doc);
        assert_string_equal(a->doc, doc);
    }
}

/* Calls check(text) for the summary, every cause and every fix step. */
static void for_each_text(void (*check)(const char *code, const char *text))
{
    size_t count;
    const struct advice *all = advice_all(&count);
    for (size_t i = 0; i < count; i++) {
        check(all[i].code, all[i].summary);
        for (size_t k = 0; all[i].causes[k] != NULL; k++)
            check(all[i].code, all[i].causes[k]);
        for (size_t k = 0; all[i].fix[k] != NULL; k++)
            check(all[i].code, all[i].fix[k]);
    }
}

static void check_text_shape(const char *code, const char *text)
{
    size_t len = strlen(text);
    if (len == 0 || len > TEXT_LEN_MAX || isspace((unsigned char)text[0]) ||
        isspace((unsigned char)text[len - 1]) || strchr(text, '\n') != NULL ||
        strchr(text, '%') != NULL)
        fail_msg("%s: badly shaped text (empty, too long, padded, multi-line or '%%'): \"%s\"",
                 code, text);
    /* The only placeholders are {port}, {host}, and the family words
     * {address} and {anywhere}; a typo like {prot} would reach users. */
    static const char *const KEYS[] = {"{port}", "{host}", "{address}", "{anywhere}"};
    for (const char *p = strchr(text, '{'); p != NULL; p = strchr(p + 1, '{')) {
        size_t k = 0;
        while (k < sizeof KEYS / sizeof KEYS[0] && strncmp(p, KEYS[k], strlen(KEYS[k])) != 0)
            k++;
        if (k == sizeof KEYS / sizeof KEYS[0])
            fail_msg("%s: unknown placeholder in \"%s\"", code, text);
    }
}

static void texts_are_single_lines_with_only_the_port_placeholder(void **state)
{
    (void)state;
    for_each_text(check_text_shape);
}

static void check_renders_without_braces(const char *code, const char *text)
{
    char out[TEXT_LEN_MAX + 64];
    advice_render(text, 8888, out, sizeof out);
    bool had_port = strstr(text, "{port}") != NULL;
    if (strchr(out, '{') != NULL || (had_port && strstr(out, "8888") == NULL))
        fail_msg("%s: rendered badly: \"%s\"", code, out);
}

static void every_text_renders_with_the_port_filled_in(void **state)
{
    (void)state;
    for_each_text(check_renders_without_braces);
    char out[256];
    advice_render(advice_find("filtered_drop")->causes[0], 8888, out, sizeof out);
    assert_string_equal(out, "the security group has no inbound rule for TCP 8888 from your "
                             "address");
}

struct order_case {
    const char *code;
    size_t index;      /* which cause */
    const char *words; /* must appear in it */
};

/* The order of causes is part of the advice: most likely first. */
static const struct order_case ORDER_CASES[] = {
    {"filtered_drop", 0, "security group has no inbound rule for TCP {port}"},
    {"filtered_drop", 1, "network ACL"},
    {"filtered_drop", 2, "firewall on the way"},
    {"refused", 0, "nothing listens on port {port}"},
    {"refused", 1, "127.0.0.1"},
    {"rejected", 0, "REJECT"},
    {"connected_silent", 0, "never reads"},
    {"icmp_blocked", 0, "security group"},
    {"bind_address_unavailable", 0, "public IPv4 address"},
    {"cloud_nat", 0, "172.31"},
    {"ipv6_broken", 0, "::/0"},
    {"ipv6_broken", 1, "firewall on the server drops or rejects IPv6"},
    {"ipv6_broken", 2, "IPv4 only"},
    {"ipv4_broken", 0, "0.0.0.0/0"},
};

static void causes_come_in_the_documented_order(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof ORDER_CASES / sizeof ORDER_CASES[0]; i++) {
        const struct order_case *c = &ORDER_CASES[i];
        const struct advice *a = advice_find(c->code);
        print_message("%s cause %zu\n", c->code, c->index);
        assert_non_null(a);
        assert_true(c->index < list_len(a->causes));
        assert_non_null(strstr(a->causes[c->index], c->words));
    }
}

static void filtered_drop_fix_names_the_console_path_and_the_rule(void **state)
{
    (void)state;
    const struct advice *a = advice_find("filtered_drop");
    assert_non_null(a);
    assert_non_null(strstr(a->fix[0], "EC2 > Instances > your instance > Security > Security "
                                      "groups"));
    assert_non_null(strstr(a->fix[0], "Edit inbound rules"));
    assert_non_null(strstr(a->fix[1], "Custom TCP, port {port}, source My IP"));
    /* The everyone-source is the failed family's: 0.0.0.0/0 for IPv4 (and
     * when no family is known), ::/0 for IPv6, both for both. */
    static const struct {
        unsigned families;
        const char *has, *lacks;
    } FAMILY_CASES[] = {
        {0, "(or 0.0.0.0/0 for everyone)", "::/0"},
        {ADVICE_FAMILY_IPV4, "(or 0.0.0.0/0 for everyone)", "::/0"},
        {ADVICE_FAMILY_IPV6, "(or ::/0 for everyone)", "0.0.0.0/0"},
        {ADVICE_FAMILY_IPV4 | ADVICE_FAMILY_IPV6, "(or 0.0.0.0/0 and ::/0 for everyone)", "{"},
    };
    for (size_t i = 0; i < sizeof FAMILY_CASES / sizeof FAMILY_CASES[0]; i++) {
        char out[512];
        advice_render_family(a->fix[1], "chat.lab", 8888, FAMILY_CASES[i].families, out,
                             sizeof out);
        print_message("families %u: %s\n", FAMILY_CASES[i].families, out);
        assert_non_null(strstr(out, FAMILY_CASES[i].has));
        assert_null(strstr(out, FAMILY_CASES[i].lacks));
    }
}

static void unknown_codes_have_no_entry(void **state)
{
    (void)state;
    static const char *const UNKNOWN[] = {"",       "OK", "ok ", "filtered", "filtered_drop_x",
                                          "timeout"};
    for (size_t i = 0; i < sizeof UNKNOWN / sizeof UNKNOWN[0]; i++)
        assert_null(advice_find(UNKNOWN[i]));
    assert_null(advice_find(NULL));
}

struct render_case {
    const char *text;
    int port;
    size_t cap;
    const char *want;
};

static const struct render_case RENDER_CASES[] = {
    {"TCP {port} from you", 8888, 64, "TCP 8888 from you"},
    {"{port}{port}", 80, 64, "8080"},
    {"host port {port}, guest port {port}", 22, 64, "host port 22, guest port 22"},
    {"no placeholder", 8888, 64, "no placeholder"},
    {"half {por", 8888, 64, "half {por"},
    {"{PORT}", 8888, 64, "{PORT}"},
    {"x {port} y", 8888, 5, "x 88"}, /* truncated inside the number */
    {"abcdef", 1, 4, "abc"},
    {"abc", 1, 1, ""},
    {"", 1, 8, ""},
    {"{port}", 65535, 64, "65535"},
};

static void render_replaces_port_and_truncates_safely(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof RENDER_CASES / sizeof RENDER_CASES[0]; i++) {
        const struct render_case *c = &RENDER_CASES[i];
        char out[80];
        memset(out, 'Z', sizeof out);
        print_message("render \"%s\" cap %zu\n", c->text, c->cap);
        advice_render(c->text, c->port, out, c->cap);
        assert_string_equal(out, c->want);
        assert_int_equal(out[c->cap], 'Z'); /* nothing written past cap */
    }
    char untouched = 'Z';
    advice_render("text", 1, &untouched, 0);
    assert_int_equal(untouched, 'Z');
}

/* Opens rel (a path from the repository root) from the working directory
 * or one of its parents: the tests run from the repo root, and a developer
 * may run one from a subdirectory. */
static FILE *open_repo_file(const char *rel)
{
    char dir[PATH_MAX];
    if (getcwd(dir, sizeof dir) == NULL)
        return NULL;
    for (int depth = 0; depth < 16; depth++) {
        char path[PATH_MAX + 64];
        snprintf(path, sizeof path, "%s/%s", dir, rel);
        FILE *f = fopen(path, "r");
        if (f != NULL)
            return f;
        char *slash = strrchr(dir, '/');
        if (slash == NULL || slash == dir)
            break;
        *slash = '\0';
    }
    return NULL;
}

/* GitHub's anchor for a heading line ("## filtered_drop" -> "filtered_drop"):
 * lower case, spaces to '-', punctuation other than '-' and '_' dropped. */
static void heading_slug(const char *line, char *out, size_t cap)
{
    size_t n = 0;
    while (*line == '#')
        line++;
    while (*line == ' ')
        line++;
    for (; *line != '\0' && *line != '\n' && n + 1 < cap; line++) {
        unsigned char ch = (unsigned char)*line;
        if (isalnum(ch) || ch == '-' || ch == '_')
            out[n++] = (char)tolower(ch);
        else if (ch == ' ')
            out[n++] = '-';
    }
    while (n > 0 && out[n - 1] == '-')
        n--; /* trailing spaces */
    out[n] = '\0';
}

/* How many headings (outside code fences) of the guide have anchor slug. */
static int count_headings(FILE *f, const char *slug)
{
    char *line = NULL;
    size_t cap = 0;
    int count = 0;
    int in_fence = 0;
    rewind(f);
    while (getline(&line, &cap, f) != -1) {
        if (strncmp(line, "```", 3) == 0)
            in_fence = !in_fence;
        if (in_fence || line[0] != '#')
            continue;
        char got[128];
        heading_slug(line, got, sizeof got);
        if (strcmp(got, slug) == 0)
            count++;
    }
    free(line);
    return count;
}

static void every_doc_anchor_is_one_heading_of_the_guide(void **state)
{
    (void)state;
    FILE *f = open_repo_file(GUIDE);
    if (f == NULL)
        fail_msg("cannot open %s from the working directory or its parents; run the test "
                 "from the repository",
                 GUIDE);
    size_t count;
    const struct advice *all = advice_all(&count);
    for (size_t i = 0; i < count; i++) {
        const char *anchor = strchr(all[i].doc, '#');
        assert_non_null(anchor);
        int n = count_headings(f, anchor + 1);
        if (n != 1)
            fail_msg("%s: %d headings with anchor \"%s\" in %s (want exactly 1)", all[i].code, n,
                     anchor + 1, GUIDE);
    }
    fclose(f);
}

/* Reads all of f into a malloc'd string (NULL on failure); closes f. */
static char *slurp(FILE *f)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap * 2 + 8192;
            char *bigger = realloc(buf, cap);
            if (bigger == NULL)
                break;
            buf = bigger;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0) {
            fclose(f);
            buf[len] = '\0';
            return buf;
        }
    }
    fclose(f);
    free(buf);
    return NULL;
}

static cJSON *parse_repo_json(const char *rel);

static bool enum_has(const cJSON *e, const char *code)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, e)
    {
        if (cJSON_IsString(item) && strcmp(item->valuestring, code) == 0)
            return true;
    }
    return false;
}

/* The schema's code enums and the advice table list the same codes: a
 * report can only carry a code that has advice, and every code can be
 * reported. */
static void schema_code_enums_match_the_table(void **state)
{
    (void)state;
    cJSON *schema = parse_repo_json(SCHEMA);
    assert_non_null(schema);
    const cJSON *defs = cJSON_GetObjectItemCaseSensitive(schema, "$defs");
    const cJSON *verdicts = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(defs, "verdict_code"), "enum");
    const cJSON *findings = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(defs, "finding_code"), "enum");
    assert_true(cJSON_IsArray(verdicts) && cJSON_IsArray(findings));

    size_t count;
    const struct advice *all = advice_all(&count);
    size_t n_finding = 0;
    for (size_t i = 0; i < count; i++) {
        bool finding = all[i].kind == ADVICE_FINDING;
        n_finding += finding;
        if (!enum_has(finding ? findings : verdicts, all[i].code))
            fail_msg("%s is missing from %s's %s enum", all[i].code, SCHEMA,
                     finding ? "finding_code" : "verdict_code");
    }
    assert_int_equal((size_t)cJSON_GetArraySize(findings), n_finding);
    assert_int_equal((size_t)cJSON_GetArraySize(verdicts), count - n_finding);
    cJSON_Delete(schema);
}

/* Parses the repository file rel as JSON (NULL on failure, with a message). */
static cJSON *parse_repo_json(const char *rel)
{
    FILE *f = open_repo_file(rel);
    if (f == NULL)
        fail_msg("cannot open %s from the working directory or its parents", rel);
    char *text = slurp(f);
    assert_non_null(text);
    cJSON *json = cJSON_Parse(text);
    free(text);
    return json;
}

/* A list member of a coded object equals the rendered advice list, in
 * the order netprobe shows it for v (NULL: the table's). */
static void assert_list_matches(const cJSON *arr, const struct advice *a, enum advice_list which,
                                const struct verdict *v, const char *what)
{
    const char *const *list = which == ADVICE_CAUSES ? a->causes : a->fix;
    size_t idx[ADVICE_LIST_MAX];
    size_t n = advice_order(a, v, which, idx);
    char want[1024];
    for (size_t i = 0; i < n; i++) {
        const cJSON *got = cJSON_GetArrayItem(arr, (int)i);
        advice_render(list[idx[i]], 8888, want, sizeof want);
        if (!cJSON_IsString(got) || strcmp(got->valuestring, want) != 0)
            fail_msg("%s[%zu] differs from advice.c: want \"%s\"", what, i, want);
    }
    assert_int_equal(cJSON_GetArraySize(arr), (int)n);
}

/* A verdict or finding object of the example says what advice.c says for
 * the verdict v (NULL for a finding). */
static void assert_matches_advice(const cJSON *coded, const struct verdict *v)
{
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(coded, "code");
    assert_true(cJSON_IsString(code));
    const struct advice *a = advice_find(code->valuestring);
    assert_non_null(a);
    char want[1024];
    advice_render(a->summary, 8888, want, sizeof want);
    const cJSON *summary = cJSON_GetObjectItemCaseSensitive(coded, "summary");
    assert_true(cJSON_IsString(summary));
    assert_string_equal(summary->valuestring, want);
    assert_list_matches(cJSON_GetObjectItemCaseSensitive(coded, "causes"), a, ADVICE_CAUSES, v,
                        "causes");
    assert_list_matches(cJSON_GetObjectItemCaseSensitive(coded, "fix"), a, ADVICE_FIX, v, "fix");
    const cJSON *doc = cJSON_GetObjectItemCaseSensitive(coded, "doc");
    assert_true(cJSON_IsString(doc));
    assert_string_equal(doc->valuestring, a->doc);
}

/* docs/report.md's example is the first ```json block.  It must parse,
 * carry every member the schema requires at the top level, and print the
 * same advice as advice.c for its verdict and findings (port 8888). */
static void report_md_example_is_complete_and_uses_the_real_advice(void **state)
{
    (void)state;
    FILE *f = open_repo_file(REPORT_DOC);
    if (f == NULL)
        fail_msg("cannot open %s", REPORT_DOC);
    char *text = slurp(f);
    assert_non_null(text);
    char *start = strstr(text, "```json\n");
    assert_non_null(start);
    start += strlen("```json\n");
    char *end = strstr(start, "```");
    assert_non_null(end);
    *end = '\0';
    cJSON *example = cJSON_Parse(start);
    free(text);
    if (example == NULL)
        fail_msg("the example in %s is not valid JSON", REPORT_DOC);

    cJSON *schema = parse_repo_json(SCHEMA);
    assert_non_null(schema);
    const cJSON *name;
    cJSON_ArrayForEach(name, cJSON_GetObjectItemCaseSensitive(schema, "required"))
    {
        if (!cJSON_HasObjectItem(example, name->valuestring))
            fail_msg("the example lacks the required member \"%s\"", name->valuestring);
    }
    /* The example is a silent drop to a public address with no --trace:
     * its evidence rules out only the private-target cause. */
    const struct verdict shown = {.lead = CAUSE_ANY, .ruled_out = 1u << CAUSE_PRIVATE_TARGET};
    assert_matches_advice(cJSON_GetObjectItemCaseSensitive(example, "verdict"), &shown);
    const cJSON *finding;
    cJSON_ArrayForEach(finding, cJSON_GetObjectItemCaseSensitive(example, "findings"))
    {
        assert_matches_advice(finding, NULL);
    }
    cJSON_Delete(schema);
    cJSON_Delete(example);
}

/* Every code verdict.c can decide has advice of the right kind. */
static void every_decidable_code_has_advice(void **state)
{
    (void)state;
    for (int v = 0; v < VERDICT_COUNT; v++) {
        const char *name = verdict_code_name((enum verdict_code)v);
        assert_non_null(name);
        const struct advice *a = advice_find(name);
        if (a == NULL || a->kind != ADVICE_VERDICT)
            fail_msg("verdict %s has no client-verdict advice", name);
    }
    for (int f = 0; f < FINDING_COUNT; f++) {
        const char *name = finding_code_name((enum finding_code)f);
        assert_non_null(name);
        const struct advice *a = advice_find(name);
        if (a == NULL || a->kind != ADVICE_FINDING)
            fail_msg("finding %s has no finding advice", name);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_code_appears_exactly_once_with_its_kind),
        cmocka_unit_test(every_entry_has_summary_causes_fix_and_its_own_doc_link),
        cmocka_unit_test(texts_are_single_lines_with_only_the_port_placeholder),
        cmocka_unit_test(every_text_renders_with_the_port_filled_in),
        cmocka_unit_test(causes_come_in_the_documented_order),
        cmocka_unit_test(filtered_drop_fix_names_the_console_path_and_the_rule),
        cmocka_unit_test(unknown_codes_have_no_entry),
        cmocka_unit_test(render_replaces_port_and_truncates_safely),
        cmocka_unit_test(every_doc_anchor_is_one_heading_of_the_guide),
        cmocka_unit_test(schema_code_enums_match_the_table),
        cmocka_unit_test(every_decidable_code_has_advice),
        cmocka_unit_test(report_md_example_is_complete_and_uses_the_real_advice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
