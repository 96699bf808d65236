/*
 * proto.h - the chat protocol's grammar (docs/protocol.md), in one place.
 *
 * Names and tokens, how a client line splits into text or a command with
 * arguments, and the formatting of server lines.  chatd's command table
 * (chatd/commands.c) is built on these; chat and the tests use them too.
 */
#ifndef COMMON_PROTO_H
#define COMMON_PROTO_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/limits.h"
#include "common/utf8.h"

/* Longest server line chatd formats in one piece: a kind, two names and a
 * client's text after sanitizing (which may triple its size).  Only the
 * "OK who" list is longer; it is written in parts. */
#define PROTO_OUT_MAX (UTF8_SANITIZED_CAP(PROTO_LINE_MAX) + 64)

/* Most arguments any command takes. */
#define PROTO_ARGS_MAX 4

/* True if s[0..len) is a valid name: 1..PROTO_NAME_MAX ASCII letters,
 * digits, '-' or '_', starting with a letter. */
bool proto_name_valid(const char *s, size_t len);

/* True if two names are equal ignoring ASCII case (names are unique so). */
bool proto_name_equal(const char *a, const char *b);

/* True if s[0..len) is a heartbeat token: 1..PROTO_TOKEN_MAX of
 * [A-Za-z0-9_-]. */
bool proto_token_valid(const char *s, size_t len);

/* What a client line is. */
enum proto_input_kind {
    PROTO_EMPTY,   /* nothing: ignored */
    PROTO_TEXT,    /* text (a leading "//" already turned into "/") */
    PROTO_COMMAND, /* "/name args" */
};

struct proto_input {
    enum proto_input_kind kind;
    const char *text; /* PROTO_TEXT: the text; PROTO_COMMAND: the arguments */
    size_t len;
    const char *cmd; /* PROTO_COMMAND: the command name, without '/' */
    size_t cmd_len;
};

/* Classifies line[0..len) (LF and CR already removed). */
void proto_parse_input(const char *line, size_t len, struct proto_input *out);

/* Splits the NUL-terminated args in place at spaces into at most max
 * arguments; with rest, the last one is the remainder of the line, spaces
 * included.  Returns the count, or -1 if there are more than max. */
int proto_split_args(char *args, int max, bool rest, char *argv[]);

/* printf into out and end the line with LF, truncating the text (never the
 * LF) to fit cap.  Returns the length, LF included. */
size_t proto_format(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* proto_format() with a va_list. */
size_t proto_vformat(char *out, size_t cap, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#endif
