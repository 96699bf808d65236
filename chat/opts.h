/*
 * opts.h - chat's command line: parsed, range-checked, nothing else.
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

struct chat_opts {
    const char *host; /* default "127.0.0.1" */
    char port[8];     /* decimal 1..65535, default CHAT_DEFAULT_PORT */
    const char *name; /* NULL: ask (the server's ASK name drives it) */
    int timeout_sec;  /* connect timeout, 1..OPTS_TIMEOUT_MAX */
    bool raw;         /* print protocol lines verbatim */
    bool no_color;
    bool help;
    bool version;
};

/* Largest --timeout accepted, in seconds. */
#define OPTS_TIMEOUT_MAX 600

/* Parses argv into o (defaults first).  Returns 0, or -1 with a message
 * for people in err that quotes the bad value.  Strings in o point into
 * argv. */
int opts_parse(int argc, char *const argv[], struct chat_opts *o, char *err, size_t errcap);

/* Prints the --help text. */
void opts_usage(FILE *out);

#endif
