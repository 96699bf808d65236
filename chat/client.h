/*
 * client.h - one chat session over a connected socket.
 *
 * Serves the socket and the user's input in one poll() loop: server lines
 * are rendered (or printed raw), PING is answered, the name is offered
 * when the server asks, and the heartbeat watches for a silent server.
 * Interactive (readline) when stdin is a terminal, else line by line from
 * stdin with /quit sent at its end.
 */
#ifndef CHAT_CLIENT_H
#define CHAT_CLIENT_H

#include <stdbool.h>

#include "chat/opts.h"

struct client_config {
    const struct chat_opts *opts;
    bool interactive;       /* stdin is a terminal: use readline */
    bool color;             /* stdout gets ANSI colors */
    long long heartbeat_ms; /* silence before /ping */
};

/* Runs the session on fd until it ends and closes fd.  Messages for
 * people go to stdout (chat) and stderr (what went wrong).  Returns the
 * exit code (CHAT_EXIT_*). */
int client_run(int fd, const struct client_config *cfg);

#endif
