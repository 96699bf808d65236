/*
 * timers.h - what happens with time: flood tokens coming back, the name,
 * partial-line and idle timeouts, the heartbeat PING, resuming accept()
 * and giving freed heap back to the system.
 */
#ifndef CHATD_TIMERS_H
#define CHATD_TIMERS_H

#include "chatd/chatd.h"

/* Timer resolution: the loop sweeps this often... */
#define TIMERS_SWEEP_MS 250
/* ...and this often while a client waits for flood tokens. */
#define TIMERS_THROTTLE_TICK_MS 20

/* Runs every timer that is due at s->now_ms, for the server and each
 * client.  Timed-out clients are dropped (freed by the loop's reap). */
void timers_sweep(struct server *s);

#endif
