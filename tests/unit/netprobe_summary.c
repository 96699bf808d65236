/*
 * Unit tests for netprobe/summary.c: a folder of reports becomes one row
 * per report, the files that are not reports are kept with their reason,
 * the verdicts are counted most common first, context findings are left
 * out, and 1,000 reports are read well within a generous bound.
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
#include <unistd.h>

#include "netprobe/advice.h"
#include "netprobe/output.h"
#include "netprobe/report.h"
#include "netprobe/summary.h"

static char dir[] = "/tmp/netprobe-summary.XXXXXX";

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

/* A client report with verdict code and findings, labelled label. */
static void write_report(const char *name, enum verdict_code code, const char *label,
                         const enum finding_code *findings, size_t n)
{
    static struct evidence ev;
    static struct verdict v;
    evidence_init(&ev, "203.0.113.10", 8888);
    memset(&v, 0, sizeof v);
    v.code = code;
    v.lead = CAUSE_ANY;
    for (size_t i = 0; i < n; i++)
        v.findings[v.finding_count++] = findings[i];
    struct report_input in = {.ev = &ev,
                              .verdict = &v,
                              .command = "netprobe",
                              .label = label,
                              .started_at = "2026-12-04T10:00:00.000Z"};
    char *text = report_render(&in);
    assert_non_null(text);
    write_file(name, text);
    free(text);
}

static int make_folder(void **state)
{
    (void)state;
    static const enum finding_code nat_and_icmp[] = {FINDING_CLIENT_NAT, FINDING_ICMP_BLOCKED};
    if (mkdtemp(dir) == NULL)
        return -1;
    write_report("a.json", VERDICT_REFUSED, "Ana", nat_and_icmp, 2);
    write_report("b.json", VERDICT_OK, NULL, NULL, 0);
    write_report("c.json", VERDICT_REFUSED, "Carlos", NULL, 0);
    write_report("d.json", VERDICT_FILTERED_DROP, "Dana", NULL, 0);
    write_file("e.json", "{\"schema\": \"netprobe.report/9\", \"tool\": {\"name\": \"netprobe\"}}");
    write_file("f.json", "not json");
    write_file("notes.txt", "a folder's other files are not read");
    return 0;
}

static int remove_folder(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void a_folder_gives_rows_reasons_and_counts(void **state)
{
    (void)state;
    struct summary s;
    const char *paths[] = {dir};
    assert_int_equal(summary_collect(paths, 1, &s), 0);
    assert_int_equal(s.count, 6); /* notes.txt is not a .json file */
    assert_int_equal(s.reports, 4);
    assert_int_equal(s.not_reports, 2);
    const struct summary_row *a = &s.rows[0], *b = &s.rows[1];
    assert_non_null(strstr(a->path, "/a.json"));
    assert_string_equal(a->label, "Ana");
    assert_string_equal(a->verdict, "refused");
    assert_string_equal(a->host, "203.0.113.10");
    assert_int_equal(a->port, 8888);
    /* client_nat is context, icmp_blocked matters */
    assert_int_equal(a->finding_count, 1);
    assert_string_equal(a->findings[0], "icmp_blocked");
    char cause[1024];
    advice_render_target(advice_find("refused")->causes[0], "203.0.113.10", 8888, cause,
                         sizeof cause);
    assert_string_equal(a->first_cause, cause);
    assert_string_equal(b->label, "");
    assert_false(s.rows[4].is_report);
    assert_non_null(strstr(s.rows[4].why, "netprobe.report/9"));
    assert_false(s.rows[5].is_report);
    assert_non_null(strstr(s.rows[5].why, "not a netprobe report"));
    /* most common first, equal counts by name */
    assert_int_equal(s.count_kinds, 3);
    assert_string_equal(s.counts[0].verdict, "refused");
    assert_int_equal(s.counts[0].count, 2);
    assert_string_equal(s.counts[1].verdict, "filtered_drop");
    assert_string_equal(s.counts[2].verdict, "ok");
    summary_free(&s);
}

/* The text: a row per report with the findings that need action after
 * "+", the files that are not reports with their reason, the counts. */
static void the_text_has_rows_reasons_and_counts(void **state)
{
    (void)state;
    struct summary s;
    const char *paths[] = {dir};
    char *text;
    size_t len;
    assert_int_equal(summary_collect(paths, 1, &s), 0);
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    struct output o = {.out = f};
    output_summary(&o, &s);
    assert_int_equal(fclose(f), 0);
    assert_true(strncmp(text, "time (UTC)        label", 23) == 0);
    assert_non_null(strstr(text,
                           "\n2026-12-04 10:00  Ana                   203.0.113.10 8888       "
                           "refused          "));
    assert_non_null(strstr(text, " +icmp_blocked  ("));
    assert_null(strstr(text, "client_nat"));
    assert_non_null(strstr(text, "\nnot summarised (2):\n  "));
    assert_non_null(strstr(text, "verdicts in 4 report(s), most common first:\n"
                                 "     2  refused\n     1  filtered_drop\n     1  ok\n"));
    free(text);
    summary_free(&s);
}

static void a_missing_path_is_listed_not_fatal(void **state)
{
    (void)state;
    struct summary s;
    char one[256];
    snprintf(one, sizeof one, "%s/c.json", dir);
    const char *paths[] = {"/nonexistent/report.json", one};
    assert_int_equal(summary_collect(paths, 2, &s), 0);
    assert_int_equal(s.reports, 1);
    assert_int_equal(s.not_reports, 1);
    assert_non_null(strstr(s.rows[0].why, "No such file"));
    assert_string_equal(s.rows[1].label, "Carlos");
    summary_free(&s);
}

/* The target is 1,000 reports in under a second; the bound is 10x that,
 * to catch a hang or a quadratic walk, not to measure (docs/benchmarks.md). */
static void a_thousand_reports_in_well_under_ten_seconds(void **state)
{
    (void)state;
    char path[256], big[] = "/tmp/netprobe-summary-1000.XXXXXX";
    assert_non_null(mkdtemp(big));
    snprintf(path, sizeof path, "%s/a.json", dir);
    for (int i = 0; i < 1000; i++) {
        char link_path[300];
        snprintf(link_path, sizeof link_path, "%s/r%04d.json", big, i);
        assert_int_equal(symlink(path, link_path), 0);
    }
    struct timespec t0, t1;
    struct summary s;
    const char *paths[] = {big};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(summary_collect(paths, 1, &s), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    print_message("1000 reports summarised in %.3f s\n", secs);
    assert_int_equal(s.reports, 1000);
    assert_int_equal(s.counts[0].count, 1000);
    assert_true(secs < 10.0);
    summary_free(&s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", big);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_folder_gives_rows_reasons_and_counts),
        cmocka_unit_test(the_text_has_rows_reasons_and_counts),
        cmocka_unit_test(a_missing_path_is_listed_not_fatal),
        cmocka_unit_test(a_thousand_reports_in_well_under_ten_seconds),
    };
    return cmocka_run_group_tests(tests, make_folder, remove_folder);
}
