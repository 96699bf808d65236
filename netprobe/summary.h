/*
 * summary.h - `netprobe --summary FILE|DIR...`: many saved reports, one
 * row each, and how many have each verdict, most common first (a TA
 * reading forty reports sees the fault most students share first).
 *
 * Collecting is plain data (this module); output.c prints the rows for
 * people and report_summary.c writes them as JSON.
 */
#ifndef NETPROBE_SUMMARY_H
#define NETPROBE_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>

#include "netprobe/report.h"
#include "netprobe/report_read.h"

#define SUMMARY_TEXT_MAX 1024
#define SUMMARY_FINDINGS_MAX 8

/* One file: a report's row, or why it is not one. */
struct summary_row {
    char *path; /* malloc'd, sanitized for a terminal (common/utf8.h) */
    bool is_report;
    char why[SUMMARY_TEXT_MAX]; /* when !is_report */
    char label[REPORT_LABEL_MAX];
    char started_at[REPORT_TIME_MAX];
    char mode[16];
    char host[256];
    int port;
    /* The verdict code, or "error" (netprobe failed) or "watch" (no verdict). */
    char verdict[REPORT_CODE_MAX];
    /* The most likely cause in the reader's language; the error or the
     * watch summary for those. */
    char first_cause[SUMMARY_TEXT_MAX];
    /* Findings that matter: every finding but the context ones. */
    char findings[SUMMARY_FINDINGS_MAX][REPORT_CODE_MAX];
    size_t finding_count;
};

struct summary_count {
    char verdict[REPORT_CODE_MAX];
    size_t count;
};

struct summary {
    struct summary_row *rows;
    size_t count, cap;
    size_t reports, not_reports;
    struct summary_count *counts; /* most common first, ties by name */
    size_t count_kinds;
};

/* Reads every path (a folder: its *.json files, in name order, not its
 * sub-folders) into s, then counts the verdicts.  Returns 0, or -1 when
 * memory ran out (s holds what was read; free it either way). */
int summary_collect(const char *const *paths, size_t n, struct summary *s);

void summary_free(struct summary *s);

#endif
