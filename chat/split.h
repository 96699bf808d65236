/*
 * split.h - an input line too long for chatd, cut into lines that fit.
 *
 * chatd takes lines of at most PROTO_LINE_MAX bytes with their LF and
 * refuses longer ones (ERR line_too_long), so chat never sends one.  A
 * message is cut at UTF-8 character boundaries and each piece keeps what
 * makes it the same kind of message: "/msg NAME " and "/me " are repeated,
 * and a public piece that would start with '/' is sent as "//..." so it
 * is not taken for a command.  Other commands cannot be cut.  Pure.
 */
#ifndef CHAT_SPLIT_H
#define CHAT_SPLIT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/limits.h"
#include "common/proto.h"

/* The longest line chat sends, without its LF. */
#define SPLIT_LINE_MAX (PROTO_LINE_MAX - 1)

/* The largest n <= max (and <= len) such that s[0..n) does not end inside
 * a UTF-8 sequence.  Invalid bytes count as characters of their own. */
size_t split_utf8_cut(const char *s, size_t len, size_t max);

/* s[0..n) without an incomplete UTF-8 sequence at its end: its length. */
size_t split_utf8_whole(const char *s, size_t n);

enum split_kind {
    SPLIT_FITS,    /* short enough: send as it is */
    SPLIT_PIECES,  /* a message: split_next() gives the pieces */
    SPLIT_REFUSED, /* a command that cannot be cut */
};

struct split {
    const char *text; /* what is left to send */
    size_t len;
    char prefix[PROTO_NAME_MAX + 8]; /* "/msg NAME ", "/me " or "" */
    bool public;                     /* pieces starting with '/' get another '/' */
};

/* Looks at line (no LF) with max bytes allowed per line (SPLIT_LINE_MAX
 * outside tests).  For SPLIT_PIECES, s is set up for split_next(). */
enum split_kind split_begin(struct split *s, const char *line, size_t max);

/* Writes the next piece (at most max bytes, NUL-terminated, cap > max)
 * into out.  Returns false when nothing is left. */
bool split_next(struct split *s, size_t max, char *out, size_t cap);

#endif
