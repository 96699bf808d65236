/*
 * modes - netprobe's runs: the client probe (with --capture and --trace),
 * --local and --watch.  Each run prints for people, writes the JSON report
 * if --json asked for one, and returns the process exit status; Ctrl-C or
 * SIGTERM during a run still leaves a report.
 */
#ifndef NETPROBE_MODES_H
#define NETPROBE_MODES_H

#include <pthread.h>
#include <signal.h>

#include "netprobe/cli.h"
#include "netprobe/evidence.h"
#include "netprobe/output.h"
#include "netprobe/redact.h"
#include "netprobe/report.h"
#include "netprobe/server/local_check.h"
#include "netprobe/server/watch.h"
#include "netprobe/verdict.h"
#include "netprobe/wire/capture.h"
#include "netprobe/wire/trace.h"

enum exit_status { EXIT_OK = 0, EXIT_FAULT = 1, EXIT_USAGE = 2, EXIT_FAILED = 3 };

/* One run: main() fills cli, out, started_at and command; the rest
 * belongs to the runners. */
struct run {
    struct cli *cli;
    struct evidence ev;
    struct verdict verdict;
    struct redact redact;
    struct output out;
    char started_at[REPORT_TIME_MAX];
    char *command;
    /* For an interrupted run: the stages finished so far, copied when each
     * finishes (ev itself is being written by the stages). */
    pthread_mutex_t lock; /* guards reached, redact and the output */
    struct evidence reached;
    int stages_printed; /* stage lines printed so far, in the list's order */
    sigset_t stop_signals;
    /* The other modes' results, for the output and the report (NULL:
     * the mode did not run). */
    struct capture *cap; /* a running capture, NULL when none */
    struct capture_summary cap_sum;
    const struct capture_summary *capture; /* &cap_sum once the capture ended */
    struct trace_result trace_result;
    const struct trace_result *trace; /* &trace_result after --trace */
    struct local_check local_result;
    const struct local_check *local; /* &local_result after --local */
    struct watch_table watch_table;
    struct watch_opts watch_opts;
    struct watch_report watch_result;
    const struct watch_report *watch; /* &watch_result after --watch */
};

/* Reports r->cli->error (a usage error) on stderr and in the JSON report.
 * Returns EXIT_USAGE, or EXIT_FAILED if the report could not be written. */
int modes_usage_error(struct run *r);

/* Runs the mode r->cli asked for, with the stop signals caught.  Returns
 * the exit status. */
int modes_run(struct run *r);

/* Frees what a run kept (its command). */
void modes_free(struct run *r);

#endif
