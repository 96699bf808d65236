/*
 * echo.h - the server side of netprobe's hello and echo exchange
 * (docs/protocol.md, "netprobe hello").
 */
#ifndef CHATD_ECHO_H
#define CHATD_ECHO_H

#include <stdbool.h>
#include <stddef.h>

#include "chatd/chatd.h"

/* Checks a connection's first line for the hello.  A valid hello is
 * answered and switches c to the echo exchange; a malformed one is refused
 * and c dropped.  Returns true in both cases; false for an ordinary line. */
bool echo_first_line(struct server *s, struct client *c, const char *line, size_t len);

/* Processes buffered input of a client in the echo exchange. */
void echo_input(struct server *s, struct client *c);

/* Room left for c's output below CHATD_ECHO_HIGH_WATER (echo backpressure). */
size_t echo_room(const struct client *c);

#endif
