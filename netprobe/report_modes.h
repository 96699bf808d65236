/*
 * report_modes.h - the report members of --capture, --trace, --local and
 * --watch, built from each mode's result struct (docs/report.md).
 *
 * Together with report.c this is the only place netprobe's results become
 * JSON; the modules that measure return plain structs.  Each function
 * returns a new object the caller frees, or NULL when memory ran out.
 */
#ifndef NETPROBE_REPORT_MODES_H
#define NETPROBE_REPORT_MODES_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "netprobe/redact.h"
#include "netprobe/server/hostfw.h"
#include "netprobe/server/local_check.h"
#include "netprobe/server/watch.h"
#include "netprobe/wire/capture.h"
#include "netprobe/wire/trace.h"

/* "capture": what the wire showed while the probe ran. */
cJSON *report_capture_json(const struct capture_summary *s);

/* "trace": the hops of the TCP traceroute and where it ended. */
cJSON *report_trace_json(const struct trace_result *r);

/* The host firewall evidence of --local: {source, available, rules...}. */
cJSON *report_hostfw_json(const struct hostfw_result *r);

/* "local_check": {mode, port, verdict, evidence: [sentences],
 * checks: [{name, status, summary, evidence}]}. */
cJSON *report_local_json(const struct local_check *lc);

/* "watch": {port, duration_s, interrupted, sources: [...], summary,
 * expected_source: {address, outcome, meaning} or null}. */
cJSON *report_watch_json(const struct watch_table *t, const struct watch_opts *o, bool interrupted);

/* Redacts every string value in the JSON tree.  Returns 0, or -1 if memory
 * ran out (the tree is then partly redacted and must not be written). */
int report_redact_json(const struct redact *r, cJSON *root);

#endif
