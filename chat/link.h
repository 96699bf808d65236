/*
 * link.h - the connection's life: chatd's greeting checked, a drop
 * reported, and (interactive only) the reconnects with backoff.
 *
 * chatd greets at once, so silence after the connect, or a first line
 * that is not the protocol, means the program on the port is not chatd
 * (or is hung); chat says which and how to check it with netprobe.
 */
#ifndef CHAT_LINK_H
#define CHAT_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "chat/session.h"

/* Starts using the connected fd: the per-connection state is reset and
 * the greeting awaited. */
void link_attach(struct session *s, int fd);

/* Judges the greeting from the bytes received so far.  Returns true once
 * lines may be handled; false while it is still awaited, or when the run
 * ended because something else answered. */
bool link_greeted(struct session *s);

/* The connection ended: err 0 when the server closed it, else the errno.
 * Ends the run, or (interactive, without --no-reconnect) goes offline and
 * schedules a reconnect. */
void link_lost(struct session *s, int err);

/* The server stopped answering heartbeats for silent_sec seconds. */
void link_dead(struct session *s, long long silent_sec);

/* Does what is due at now: the greeting timeout, a reconnect. */
void link_tick(struct session *s, int64_t now);

/* When link_tick() next has something to do (INT64_MAX: nothing). */
int64_t link_wake(const struct session *s);

#endif
