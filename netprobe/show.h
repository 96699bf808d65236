/*
 * show.h - `netprobe --show FILE`: a saved report printed as netprobe
 * printed it, with the same output code (output.h), in the language of
 * this run (--lang): the codes' words (summary, causes, fix, guide) come
 * from this netprobe's advice table, and the stage lines and evidence
 * sentences are said again from the report's evidence, where they come
 * out as the report has them; the rest is quoted (show.c).
 */
#ifndef NETPROBE_SHOW_H
#define NETPROBE_SHOW_H

#include "netprobe/output.h"

/* Prints the report at path on o.  Returns 0, or 2 when path is not a
 * report this netprobe reads (the reason is printed on standard error). */
int show_report(const char *path, const struct output *o);

#endif
