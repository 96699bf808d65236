/*
 * dial.h - a TCP connect bounded by a deadline, the same for every program.
 *
 * Errors are errno values (0 = connected), so callers can tell a refusal
 * (ECONNREFUSED) from silence (ETIMEDOUT) from a local rule (EPERM).
 */
#ifndef COMMON_DIAL_H
#define COMMON_DIAL_H

#include <stdint.h>
#include <sys/socket.h>

/* Opens a non-blocking, close-on-exec TCP socket for sa's family and starts
 * connecting it.  Returns the fd (the connect may still be in progress) or
 * -1 with *err set.  *err is 0 when the connect completed at once,
 * EINPROGRESS while it runs, or the connect's errno (fd is then closed and
 * -1 returned). */
int dial_start(const struct sockaddr *sa, socklen_t len, int *err);

/* Waits for a connect started by dial_start() to finish, at the latest at
 * deadline_ms (clock_ms()).  Returns 0 (connected), ETIMEDOUT, or the
 * connect's errno. */
int dial_wait(int fd, int64_t deadline_ms);

/* dial_start() + dial_wait(): returns a connected non-blocking socket, or
 * -1 with *err set (the socket is closed). */
int dial_connect(const struct sockaddr *sa, socklen_t len, int timeout_ms, int *err);

#endif
