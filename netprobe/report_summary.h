/*
 * report_summary.h - `netprobe --summary --json FILE`: the summary's rows
 * and counts as one JSON document (schema netprobe.summary/1,
 * docs/report.md#summary).  Like report.c, the only JSON writer for it.
 */
#ifndef NETPROBE_REPORT_SUMMARY_H
#define NETPROBE_REPORT_SUMMARY_H

#include "netprobe/summary.h"

#define REPORT_SUMMARY_SCHEMA "netprobe.summary/1"

/* The document as text ending in LF, malloc'd; NULL if memory ran out. */
char *report_summary_render(const struct summary *s);

#endif
