/*
 * line.h - LF-terminated line framing over a byte stream.
 *
 * A line_buf collects bytes from recv() and hands out whole lines, however
 * the bytes were split across reads.  It enforces PROTO_LINE_MAX: a longer
 * line is reported once as LINE_TOO_LONG and its rest, up to the next LF, is
 * discarded.  The storage is allocated on the first read and freed again by
 * line_buf_release() when nothing is held, so an idle client costs nothing.
 */
#ifndef COMMON_LINE_H
#define COMMON_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/limits.h"

/* Bytes one line_buf holds: several lines per recv(), and always room for
 * a whole line of PROTO_LINE_MAX bytes. */
#define LINE_BUF_CAP (4 * PROTO_LINE_MAX)

struct line_buf {
    char *data;      /* LINE_BUF_CAP bytes, or NULL while empty */
    uint16_t start;  /* first unconsumed byte */
    uint16_t len;    /* unconsumed bytes from start */
    bool discarding; /* inside the rest of an over-long line */
};

enum line_status {
    LINE_NEED_MORE = 0, /* no complete line yet */
    LINE_READY = 1,     /* *line, *len hold one line */
    LINE_TOO_LONG = 2,  /* a line passed PROTO_LINE_MAX; its rest will be skipped */
};

/* Returns where the next recv() may write and its size in *room (0 when the
 * buffer is full of unconsumed lines).  NULL if memory ran out. */
char *line_buf_room(struct line_buf *b, size_t *room);

/* Records that n bytes were written at the place line_buf_room() gave. */
void line_buf_added(struct line_buf *b, size_t n);

/* Takes the next line.  On LINE_READY, *line points at it inside the buffer
 * with the LF and a CR before it removed and a NUL after it (the line itself
 * may contain NUL bytes: use *len).  It stays valid until the next call on b. */
enum line_status line_buf_next(struct line_buf *b, char **line, size_t *len);

/* True if line_buf_next() would return a line or LINE_TOO_LONG (an LF is
 * held, or PROTO_LINE_MAX bytes without one). */
bool line_buf_has_line(const struct line_buf *b);

/* Takes up to max raw bytes (no framing): for payloads that follow a line.
 * Returns the count and sets *data; 0 when nothing is held. */
size_t line_buf_take(struct line_buf *b, size_t max, const char **data);

/* Shows the held bytes without consuming them.  Returns the count. */
size_t line_buf_peek(const struct line_buf *b, const char **data);

/* True while part of a line is held (bytes without an LF, or the rest of an
 * over-long line still being skipped). */
bool line_buf_partial(const struct line_buf *b);

/* Frees the storage if nothing is held.  Call after using a line. */
void line_buf_release(struct line_buf *b);

/* Frees the storage whatever it holds. */
void line_buf_free(struct line_buf *b);

#endif
