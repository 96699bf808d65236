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

#include <cjson/cJSON.h>

#include "netprobe/wire/capture.h"
#include "netprobe/cli.h"
#include "netprobe/evidence.h"
#include "netprobe/output.h"
#include "netprobe/redact.h"
#include "netprobe/report.h"
#include "netprobe/verdict.h"

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
    sigset_t stop_signals;
    /* Issue 5's modes: their module's JSON for the report (NULL: none). */
    struct capture *cap; /* a running capture, NULL when none */
    struct capture_summary cap_sum;
    cJSON *capture_json, *trace_json, *local_json, *watch_json;
    const char *local_code; /* --local's verdict code */
};

/* Reports r->cli->error (a usage error) on stderr and in the JSON report.
 * Returns EXIT_USAGE, or EXIT_FAILED if the report could not be written. */
int modes_usage_error(struct run *r);

/* Runs the mode r->cli asked for, with the stop signals caught.  Returns
 * the exit status. */
int modes_run(struct run *r);

/* Frees what a run kept (its JSON parts and command). */
void modes_free(struct run *r);

#endif
