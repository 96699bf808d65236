/*
 * opts.h - chat's command line: parsed, range-checked, nothing else.
 *
 * The options are rows of a common/opt.h table, so --help is printed from
 * the same rows that parse.  The server is "HOST", "HOST PORT",
 * "HOST:PORT" or "[IPv6]:PORT" (common/addr.h addr_split_target).
 */
#ifndef CHAT_OPTS_H
#define CHAT_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit codes, also listed by --help. */
enum {
    CHAT_EXIT_OK = 0,    /* we quit, or input ended and the server said bye */
    CHAT_EXIT_FAIL = 1,  /* could not connect, the server closed, or a name error */
    CHAT_EXIT_USAGE = 2, /* bad command line */
};

/* Longest host name (DNS allows 253) plus room for the NUL. */
#define OPTS_HOST_MAX 256

struct chat_opts {
    char host[OPTS_HOST_MAX]; /* default "127.0.0.1"; brackets and spaces removed */
    char port[8];             /* decimal 1..65535, default CHAT_DEFAULT_PORT */
    const char *name;         /* NULL: ask (the server's ASK name drives it) */
    int timeout_sec;          /* connect timeout, 1..OPTS_TIMEOUT_MAX */
    double greet_timeout_sec; /* wait for the greeting, (0, OPTS_TIMEOUT_MAX] */
    bool no_reconnect;        /* interactive: stop when the connection drops */
    bool raw;                 /* print protocol lines (sanitized, not rendered) */
    bool no_color;
    bool help;
    bool version;
};

/* Largest --timeout and --greet-timeout accepted, in seconds. */
#define OPTS_TIMEOUT_MAX 600

/* Parses argv into o (defaults first).  Returns 0, or -1 with a message
 * for people in err that quotes the bad value.  o->name points into
 * argv. */
int opts_parse(int argc, char *const argv[], struct chat_opts *o, char *err, size_t errcap);

/* Prints the --help text. */
void opts_usage(FILE *out);

#endif
