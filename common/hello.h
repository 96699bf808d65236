/*
 * hello.h - the netprobe hello and echo exchange (docs/protocol.md).
 *
 * chatd builds the reply, netprobe parses it; both go through this module
 * so the two ends cannot drift apart.
 */
#ifndef COMMON_HELLO_H
#define COMMON_HELLO_H

#include <stdbool.h>
#include <stddef.h>

#include "common/addr.h"
#include "common/limits.h"

#define HELLO_VERSION 1
#define HELLO_LISTEN_MAX 8

struct hello_endpoint {
    char address[ADDR_TEXT_MAX];
    int port;
};

/* Everything the reply carries. */
struct hello_info {
    int netprobe; /* protocol version the server speaks */
    char nonce[HELLO_NONCE_MAX + 1];
    char server[32]; /* "chatd" */
    char version[32];
    char hostname[256];
    char mode[8];                /* "chat" or "diag" */
    struct hello_endpoint peer;  /* the client as the server saw it */
    struct hello_endpoint local; /* where the connection arrived */
    struct hello_endpoint listen[HELLO_LISTEN_MAX];
    size_t listen_count;
    long echo_max;
};

/* What a first line is. */
enum hello_kind {
    HELLO_NOT = 0,  /* not a hello: an ordinary line */
    HELLO_OK = 1,   /* a valid hello; *version and nonce are set */
    HELLO_BAD = -1, /* starts with "NETPROBE" but is malformed */
};

/* Classifies line (len bytes, no LF) as a hello or not. */
enum hello_kind hello_parse_request(const char *line, size_t len, int *version,
                                    char nonce[HELLO_NONCE_MAX + 1]);

/* Writes "NETPROBE 1 NONCE\n" into out.  Returns its length or -1. */
int hello_format_request(char *out, size_t cap, const char *nonce);

/* Builds the one-line JSON reply, LF included, in a malloc'd string the
 * caller frees.  NULL if memory ran out. */
char *hello_reply_build(const struct hello_info *info);

/* Parses a reply line (a JSON object, LF optional) into out, checking the
 * type of every member.  The line is refused unparsed past HELLO_REPLY_MAX
 * bytes or HELLO_REPLY_DEPTH_MAX levels of nesting; strings are sanitised
 * (utf8_sanitize) and cut at a whole character to fit, and addresses must
 * be numeric.  Returns 0, or -1 with the reason in err. */
int hello_reply_parse(const char *line, struct hello_info *out, char *err, size_t errcap);

/* Parses an echo-exchange request line (no LF): "ECHO N" sets *len and
 * returns 1, "QUIT" returns 0, anything else (or N out of 1..HELLO_ECHO_MAX)
 * returns -1. */
int hello_parse_echo(const char *line, size_t len, size_t *out_len);

#endif
