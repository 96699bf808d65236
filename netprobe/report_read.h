/*
 * report_read.h - a saved JSON report (docs/report.md) read back into the
 * plain structs the modes produce, so that --show prints it with the same
 * output code and --summary judges it with the same codes.
 *
 * Every member is type-checked as it is read (iperf3's lesson: a report
 * is input like any other); a member of the wrong type is skipped, so an
 * edited or truncated report still shows what it holds.  The stages'
 * evidence is read back with the sentences, so that --show can say them
 * again (show.c), and so are --capture's and --trace's (as the verdict
 * reads them) and --local's checks' evidence.
 */
#ifndef NETPROBE_REPORT_READ_H
#define NETPROBE_REPORT_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "netprobe/evidence.h"
#include "netprobe/report.h"
#include "netprobe/server/local_check.h"
#include "netprobe/server/watch.h"
#include "netprobe/verdict.h"
#include "netprobe/wire/trace.h"

/* A report larger than this is refused before it is parsed (a real one is
 * 3-7 KiB); reading stops soon after the bound. */
#define REPORT_READ_MAX_BYTES (4u << 20)
#define REPORT_LABEL_MAX 128
#define REPORT_CODE_MAX 48

enum report_read_status {
    REPORT_READ_OK = 0,
    REPORT_READ_UNREADABLE = -1,  /* could not open or read the file */
    REPORT_READ_NOT_REPORT = -2,  /* not JSON, or JSON but not netprobe's report */
    REPORT_READ_BAD_VERSION = -3, /* netprobe.report/N with N this netprobe does not read */
};

/* One report as read.  Strings are "" when the member was absent. */
struct report_doc {
    char mode[16]; /* "client", "local", "watch" */
    char started_at[REPORT_TIME_MAX];
    char language[8];
    char label[REPORT_LABEL_MAX];
    char error[512];                    /* the report's error member */
    char verdict_code[REPORT_CODE_MAX]; /* as written; "" when null */
    struct evidence ev;                 /* target, stages and their evidence */
    struct verdict verdict;             /* client mode: code, evidence, findings */
    bool has_verdict;                   /* a client verdict this netprobe knows */
    char first_cause[1024];             /* the report's first cause, as written */
    /* --capture that did not run: its reason (the human output's line). */
    bool capture_skipped;
    char capture_skip_reason[256];
    struct trace_result trace;
    bool has_trace;
    struct local_check local; /* mode local: verdict, sentences, lines */
    bool has_local;
    struct watch_table watch;
    struct watch_opts watch_opts;
    char watch_from[ADDR_TEXT_MAX]; /* watch_opts.expect_from points here */
    struct watch_report watch_report;
    bool has_watch;
};

/* Parses text (len bytes) into d.  Returns REPORT_READ_OK or a negative
 * status with the reason in why (a sentence naming what is wrong). */
enum report_read_status report_parse(const char *text, size_t len, struct report_doc *d, char *why,
                                     size_t whycap);

/* Reads the file at path and parses it (report_parse). */
enum report_read_status report_read(const char *path, struct report_doc *d, char *why,
                                    size_t whycap);

#endif
