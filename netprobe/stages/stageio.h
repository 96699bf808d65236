/*
 * stageio.h - what every probe stage needs: a clock, recording its result,
 * and a TCP connection with deadlines on every wait.
 *
 * Private to the stage modules (host_setup.c ... echo.c).  All waits take an
 * absolute deadline on the clock_ms_f() clock (common/clock.h), so one timeout bounds a
 * whole exchange, not each call.
 */
#ifndef NETPROBE_STAGEIO_H
#define NETPROBE_STAGEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "netprobe/evidence.h"

/* Records stage id's status, the errno behind a failure (0 none) and its
 * duration since start_ms, and says its line from the evidence
 * (stage_text.h): fill the stage's evidence first. */
void stageio_done(struct evidence *ev, enum stage_id id, enum stage_status st, double start_ms,
                  int err);

/* The same for a stage that skips itself, for reason why (and err). */
void stageio_skip(struct evidence *ev, enum stage_id id, enum stage_skip why, double start_ms,
                  int err);

/* Fills ss from a resolved address and port.  0, or -1 if a is not an
 * address of its family. */
int stageio_sockaddr(const struct ev_address *a, int port, struct sockaddr_storage *ss,
                     socklen_t *len);

/* Fills buf with unpredictable bytes (getrandom).  0 or -1. */
int stageio_random(void *buf, size_t len);

/* A connected TCP socket with a read buffer. */
struct stageio_conn {
    int fd;
    size_t len; /* bytes buffered in buf */
    char buf[8192];
};

enum stageio_rc {
    STAGEIO_TIMEOUT = -1, /* the deadline passed */
    STAGEIO_EOF = -2,     /* the peer closed */
    STAGEIO_RESET = -3,   /* the peer reset (or another socket error) */
    STAGEIO_TOOLONG = -4, /* no LF within the buffer */
};

/* Opens a non-blocking TCP connection to a port, with TCP_MAXSEG mss set
 * before connect() when mss > 0, and waits until deadline.  Returns 0, or
 * -1 with the reason in *err (ETIMEDOUT for the deadline). */
int stageio_connect(struct stageio_conn *c, const struct ev_address *a, int port, int mss,
                    double deadline, int *err);
void stageio_close(struct stageio_conn *c);

/* Sends all len bytes before deadline.  0 or an enum stageio_rc. */
int stageio_send(struct stageio_conn *c, const void *data, size_t len, double deadline);

/* Waits until fd is readable or deadline; reads what is there into the
 * buffer.  Returns bytes added (> 0) or an enum stageio_rc. */
int stageio_fill(struct stageio_conn *c, double deadline);

/* Reads one line (LF and CR removed) into line.  Returns its length or an
 * enum stageio_rc. */
int stageio_read_line(struct stageio_conn *c, char *line, size_t cap, double deadline);

/* True if line is chatd giving a reason to close: "ERR code text" with a
 * code in chatd's grammar, or "NOTICE shutdown text" (docs/protocol.md). */
bool stageio_chatd_reason(const char *line);

/* Copies len bytes of in to out (cap bytes, NUL included), each byte that
 * is not printable ASCII as '.': a peer's words, safe to print. */
void stageio_printable(char *out, size_t cap, const char *in, size_t len);

/* Removes the first n buffered bytes. */
void stageio_consume(struct stageio_conn *c, size_t n);

#endif
