/*
 * input.h - what a connection sends: reading, the flood limit, and handing
 * each line (or echo payload) to the module of the connection's state.
 *
 * Input calls down into commands, echo, diag and client; none of them
 * calls back here.  The event loop and the timers call in to read and to
 * resume a connection that was held back.
 */
#ifndef CHATD_INPUT_H
#define CHATD_INPUT_H

#include "chatd/chatd.h"

/* Reads what c sent (one recv()), then processes it. */
void input_on_readable(struct server *s, struct client *c);

/* Runs c's buffered input through its state's handler until it needs more
 * bytes or must wait (flood limit, backpressure), then updates epoll.  The
 * loop calls it again when the wait is over. */
void input_process(struct server *s, struct client *c);

#endif
