/*
 * report_read_modes.h - the members of --local and --watch reports, read
 * back (the readers of what report_modes.c writes).
 */
#ifndef NETPROBE_REPORT_READ_MODES_H
#define NETPROBE_REPORT_READ_MODES_H

#include <cjson/cJSON.h>

#include "netprobe/report_read.h"

/* --local's verdict and checks, with the checks' evidence, so that --show
 * can summarize them again (local_check_summarize()); sets has_local. */
void report_read_local(const cJSON *root, struct report_doc *d);

/* --watch's figures; sets has_watch. */
void report_read_watch(const cJSON *root, struct report_doc *d);

#endif
