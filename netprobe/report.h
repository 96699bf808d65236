/*
 * report.h - the JSON report (schema netprobe.report/1, docs/report.md),
 * built (in report.c and report_modes.c) from the evidence, the verdict
 * and the advice text.
 *
 * The same builder serves every exit path: with error set and verdict NULL
 * it writes what was reached before netprobe itself failed.  The other
 * modes' results (--capture, --trace, --local, --watch) become members
 * through report_modes.h; --local and --watch reports have no stages.
 */
#ifndef NETPROBE_REPORT_H
#define NETPROBE_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "netprobe/evidence.h"
#include "netprobe/redact.h"
#include "netprobe/server/local_check.h"
#include "netprobe/server/watch.h"
#include "netprobe/verdict.h"
#include "netprobe/wire/capture.h"
#include "netprobe/wire/trace.h"

#define REPORT_SCHEMA "netprobe.report/1"
#define REPORT_TIME_MAX 32

struct report_input {
    const struct evidence *ev;     /* required; may be only partly filled */
    const struct verdict *verdict; /* NULL when netprobe itself failed */
    const char *command;           /* argv joined by spaces */
    const char *label;             /* --label TEXT, NULL: none (null in JSON) */
    const char *started_at;        /* from report_timestamp() */
    const char *error;             /* NULL, or what went wrong (exit 2 or 3) */
    const struct redact *redact;   /* NULL: nothing redacted */
    /* The other modes' results; all optional (NULL: absent). */
    const char *mode;                      /* "client" (NULL too), "local" or "watch" */
    const struct capture_summary *capture; /* --capture, --pcap */
    const struct trace_result *trace;      /* --trace */
    const struct local_check *local;       /* --local: its verdict replaces verdict */
    const struct watch_report *watch;      /* --watch */
};

/* The current UTC time as "2026-11-24T01:02:03.412Z". */
void report_timestamp(char out[REPORT_TIME_MAX]);

/* argv joined by single spaces, in a malloc'd string (NULL if memory ran
 * out). */
char *report_command(int argc, char *const argv[]);

/* The whole document as text ending in LF, in a malloc'd string the caller
 * frees; NULL if memory ran out. */
char *report_render(const struct report_input *in);

/* Writes text to path ("-" is standard output).  Returns 0, or -1 with
 * what failed in err. */
int report_write(const char *path, const char *text, char *err, size_t errcap);

#endif
