/*
 * diag.h - chatd --diag: every byte a client sends is echoed back and the
 * log shows what arrived.  A netprobe hello still gets its answer.
 */
#ifndef CHATD_DIAG_H
#define CHATD_DIAG_H

#include "chatd/chatd.h"

/* The banner on connect. */
void diag_greet(struct server *s, struct client *c);

/* Processes buffered input of a --diag client. */
void diag_input(struct server *s, struct client *c);

#endif
