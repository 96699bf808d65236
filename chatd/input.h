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

#include <stdbool.h>

#include "chatd/chatd.h"

/* Reads what c sent (one recv()), then processes it. */
void input_on_readable(struct server *s, struct client *c);

/* Runs c's buffered input through its state's handler until it needs more
 * bytes or must wait (flood limit, backpressure), then updates epoll.  The
 * loop calls it again when the wait is over. */
void input_process(struct server *s, struct client *c);

/* Logs the bytes c sent without an LF (made visible, the first
 * CHATD_SHOW_MAX, and their count) with the hint that chatd reads lines
 * ending in \n: for home-made clients.  closing says c closed mid-line;
 * otherwise the bytes have waited CHATD_NO_NEWLINE_HINT_SEC and c is
 * marked so that this is said once. */
void input_explain_no_newline(struct client *c, bool closing);

#endif
