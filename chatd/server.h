/*
 * server.h - chatd's event loop.
 */
#ifndef CHATD_SERVER_H
#define CHATD_SERVER_H

#include "chatd/options.h"

/* Listens as o says and serves until SIGINT or SIGTERM, then says
 * goodbye to every client, flushes (bounded), closes and frees everything.
 * Returns 0 after a clean shutdown, 1 if it could not start (the reason is
 * logged). */
int server_run(const struct chatd_options *o);

#endif
