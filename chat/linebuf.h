/*
 * linebuf.h - bytes from a file descriptor, handed out as lines.
 *
 * One recv() is not one message: bytes are collected until a LF.  What
 * happens to a line longer than the buffer depends on where it comes from:
 * typed input is handed out in buffer-sized pieces (cut at a UTF-8
 * boundary) so nothing typed is lost; a server line is discarded up to its
 * LF (linebuf_next_whole), because the rest of it must never be read as a
 * line of its own: a peer could forge a whole protocol line there.
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
    bool discarding; /* dropping an over-long line up to its LF */
    char buf[LINEBUF_MAX];
};

void linebuf_init(struct linebuf *b);

/* Reads once from fd into the free space.  Returns bytes read, 0 at EOF,
 * -1 with errno set on error (EINTR and EAGAIN included: retry later). */
ssize_t linebuf_fill(struct linebuf *b, int fd);

/* Moves the next complete line (LF and a CR before it removed) into line
 * (cap >= LINEBUF_MAX + 1).  Returns true if there was one; a full buffer
 * with no LF counts as a line, cut after its last whole UTF-8 character. */
bool linebuf_next(struct linebuf *b, char *line, size_t cap);

enum linebuf_got {
    LINEBUF_NONE = 0, /* no complete line yet */
    LINEBUF_LINE,     /* a line was moved into line */
    LINEBUF_DROPPED,  /* a line longer than the buffer is being discarded
                         (reported once per such line) */
};

/* Like linebuf_next() for lines that must arrive whole: a line that fills
 * the buffer without a LF is reported once as LINEBUF_DROPPED, and it and
 * everything up to its LF are thrown away. */
enum linebuf_got linebuf_next_whole(struct linebuf *b, char *line, size_t cap);

/* At EOF: moves whatever is left (a last line without LF) into line.
 * Returns true if anything was left (never the rest of a discarded line). */
bool linebuf_rest(struct linebuf *b, char *line, size_t cap);

#endif
