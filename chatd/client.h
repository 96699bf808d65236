/*
 * client.h - one connection's output side and end: queueing lines,
 * registering epoll interest, dropping, and freeing.
 *
 * Nothing here reads input or runs the protocol; every other chatd module
 * may call it, and it calls none of them.
 */
#ifndef CHATD_CLIENT_H
#define CHATD_CLIENT_H

#include <stddef.h>

#include "chatd/chatd.h"

/* Queues len bytes for c; a queue overflow drops c (send_queue_full). */
void client_send(struct server *s, struct client *c, const char *data, size_t len);

/* Formats one line (see proto_format) and queues it for c. */
void client_sendf(struct server *s, struct client *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Marks c closing for reason; it is announced, flushed best-effort and
 * freed after the event loop is done with it.  detail may be NULL. */
void client_drop(struct server *s, struct client *c, enum drop_reason reason, const char *detail);

/* Drops c for a failed recv()/send() with errno err. */
void client_drop_errno(struct server *s, struct client *c, int err);

/* The flood limit c's buckets are checked against: the echo exchange has
 * its own byte rate. */
const struct flood_limit *client_flood_limit(const struct server *s, const struct client *c);

/* True while c must not be read: closing, flood limit, shutting down, or
 * echo output above CHATD_ECHO_HIGH_WATER. */
bool client_reading_paused(const struct client *c);

/* Registers the epoll events c needs now (reading unless paused, writing
 * while output waits). */
void client_update_events(struct server *s, struct client *c);

/* Formats c's peer as "ADDR port N". */
void client_peer_text(const struct client *c, char *out, size_t cap);

/* Logs why a dropped client left (its figures for echo and --diag). */
void client_log_disconnect(const struct server *s, const struct client *c);

/* Last words and close: a best-effort flush, unread input read away so
 * close() sends FIN rather than RST, then the client is unlisted and freed. */
void client_free(struct server *s, struct client *c);

/* The leave-notice text of a reason, translated. */
const char *client_reason_leave(enum drop_reason r);

#endif
