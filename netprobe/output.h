/*
 * output.h - netprobe's human output: one line per stage as it finishes,
 * then the verdict with its cause, the fix and where the report is.
 *
 * Three levels: quiet (the verdict line), the default (stage lines, the
 * verdict with its evidence, the most likely cause and the first step),
 * and verbose (every cause and step).  Colors only when told (main turns them on for a TTY).  Every
 * line goes through the redaction map when there is one.
 */
#ifndef NETPROBE_OUTPUT_H
#define NETPROBE_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "netprobe/evidence.h"
#include "netprobe/redact.h"
#include "netprobe/server/local_check.h"
#include "netprobe/server/watch.h"
#include "netprobe/summary.h"
#include "netprobe/verdict.h"
#include "netprobe/wire/trace.h"

struct output {
    FILE *out;
    bool color;
    bool quiet;                  /* only the verdict line */
    bool verbose;                /* every cause and step, every finding's evidence */
    const struct redact *redact; /* NULL: print as is */
};

/* "✓ tcp    127.0.0.1 port 8888: open (syn-ack)      0.1 ms" */
void output_stage(const struct output *o, const struct evidence *ev, enum stage_id id);

/* The verdict, its evidence, the most likely cause and the first step
 * (every cause and step when verbose), the findings (context findings as
 * one "nothing to change" line each), and the report path; NULL when no
 * report was written, and then the command that writes one. */
void output_verdict(const struct output *o, const struct evidence *ev, const struct verdict *v,
                    const char *report_path);

/* One plain line (a label, an error read from a report), redacted. */
void output_note(const struct output *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The capture line when --capture was asked for but could not run. */
void output_capture_skipped(const struct output *o, const char *why);

/* --trace: one line per hop, then where the walk ended. */
void output_trace(const struct output *o, const struct trace_result *r);

/* --local: one line per check, then the verdict code's advice. */
void output_local(const struct output *o, const struct local_check *lc);

/* --watch: per source, SYNs seen, SYN-ACKs and resets sent, payload bytes;
 * then the summary. */
void output_watch(const struct output *o, const struct watch_report *w);

/* --summary: one line per report (time, label or file, target, verdict,
 * most likely cause, findings that matter), the files that are not
 * reports with the reason, then the count of each verdict. */
void output_summary(const struct output *o, const struct summary *s);

#endif
