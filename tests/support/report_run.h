/*
 * report_run.h - run netprobe with --json into a temp file and parse it.
 *
 * The netprobe integration tests all check the report a real run wrote;
 * this is the one place that makes the temp file, runs, reads and parses.
 */
#ifndef TESTS_REPORT_RUN_H
#define TESTS_REPORT_RUN_H

#include <cjson/cJSON.h>

struct report_run {
    int status;      /* exit status as harness_run() gives it */
    long long ms;    /* wall time of the run */
    char out[65536]; /* stdout and stderr together */
    cJSON *report;   /* the --json file parsed, NULL if missing or not JSON */
};

/* Frees the report of an earlier run, runs $BIN_DIR/netprobe --json TMP
 * ARGS... (ARGS NULL-terminated) for at most timeout_ms, and parses TMP.
 * When there is no report, the file's text and the output are printed.
 * Returns 0, or -1 if the temp file could not be made. */
int report_run(struct report_run *r, const char *const args[], int timeout_ms);

#endif
