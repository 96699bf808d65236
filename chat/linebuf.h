/*
 * linebuf.h - bytes from a file descriptor, handed out as lines.
 *
 * One recv() is not one message: bytes are collected until a LF.  A line
 * longer than the buffer is handed out in buffer-sized pieces rather than
 * stalling the reader.
 */
#ifndef CHAT_LINEBUF_H
#define CHAT_LINEBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Room for the longest line chatd formats in one piece (PROTO_OUT_MAX:
 * sanitizing may triple a client's text).  common/line.h is not used here
 * because it enforces the client-to-server limit, PROTO_LINE_MAX, which
 * server lines may exceed; only "OK who" can be longer still, and it is
 * then shown in pieces. */
#define LINEBUF_MAX 8192

struct linebuf {
    size_t len;
    char buf[LINEBUF_MAX];
};

void linebuf_init(struct linebuf *b);

/* Reads once from fd into the free space.  Returns bytes read, 0 at EOF,
 * -1 with errno set on error (EINTR and EAGAIN included: retry later). */
ssize_t linebuf_fill(struct linebuf *b, int fd);

/* Moves the next complete line (LF and a CR before it removed) into line
 * (cap >= LINEBUF_MAX + 1).  Returns true if there was one; a full buffer
 * with no LF counts as a line. */
bool linebuf_next(struct linebuf *b, char *line, size_t cap);

/* At EOF: moves whatever is left (a last line without LF) into line.
 * Returns true if anything was left. */
bool linebuf_rest(struct linebuf *b, char *line, size_t cap);

#endif
