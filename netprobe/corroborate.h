/*
 * corroborate.h - --trace and --capture evidence set beside a verdict.
 *
 * The verdict rules (verdict.c) decide from the stages alone; the mode then
 * calls corroborate(), which never changes the code: it adds what the
 * trace says about where silence starts (and puts the matching cause of
 * filtered_drop first) and whether the capture confirms the verdict (a
 * verdict it does not confirm gets its summary qualified).
 */
#ifndef NETPROBE_CORROBORATE_H
#define NETPROBE_CORROBORATE_H

#include "netprobe/evidence.h"
#include "netprobe/verdict.h"

/* Adds to v (decided by verdict_decide() from ev) the trace's sentences and
 * cause order, and v->capture with its evidence.  Pure; does nothing for
 * the parts whose mode did not run. */
void corroborate(const struct evidence *ev, struct verdict *v);

#endif
