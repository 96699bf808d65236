/*
 * client.h - a chat run: the socket and the user's input in one poll()
 * loop.
 *
 * Server lines are rendered (or printed raw, sanitized), PING is answered,
 * the name is offered when the server asks, and the heartbeat watches for
 * a silent server.  Interactive (readline) when stdin is a terminal, with
 * reconnects after a drop; else line by line from stdin with /quit sent at
 * its end, and never a reconnect.
 */
#ifndef CHAT_CLIENT_H
#define CHAT_CLIENT_H

#include <stdbool.h>

#include "chat/connect.h"
#include "chat/opts.h"

struct client_config {
    const struct chat_opts *opts;
    bool interactive;              /* stdin is a terminal: use readline */
    bool color;                    /* stdout gets ANSI colors */
    long long heartbeat_ms;        /* silence before /ping */
    struct connect_params connect; /* for reconnecting (cancel is set by client_run) */
};

/* Runs the session on the connected fd until it ends and closes it.
 * Messages for people go to stdout (chat) and stderr (what went wrong).
 * Returns the exit code (CHAT_EXIT_*). */
int client_run(int fd, const struct client_config *cfg);

#endif
