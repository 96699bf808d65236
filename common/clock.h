/*
 * clock.h - the one clock of the programs: monotonic time.
 *
 * Timeouts, deadlines and measured durations all come from here, so a
 * deadline computed in one module means the same in another.
 */
#ifndef COMMON_CLOCK_H
#define COMMON_CLOCK_H

#include <stdint.h>

/* Whole milliseconds on the monotonic clock (never jumps with the date). */
int64_t clock_ms(void);

/* The same clock with a fraction, for measured round trips. */
double clock_ms_f(void);

/* Milliseconds from now until deadline_ms, for poll(): 0 once it passed,
 * never negative, at most INT32_MAX. */
int clock_left_ms(int64_t deadline_ms);

#endif
