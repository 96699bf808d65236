/*
 * listen.h - chatd's listening sockets: --bind ADDR, or IPv4 0.0.0.0 and
 * IPv6 :: on the same port (docs/design.md, "Listening sockets").
 */
#ifndef CHATD_LISTEN_H
#define CHATD_LISTEN_H

#include <stdbool.h>

#include "chatd/chatd.h"

/* Opens the listening sockets the options ask for, registers them with
 * s->epfd and logs "listening on ADDR port N" for each, then which
 * families it accepts (IPv4, IPv6, both), with a warning when that is IPv4
 * only on a machine with a global IPv6 address.  Returns 0, or -1 after
 * logging why (in words a student can act on). */
int listen_open(struct server *s);

/* Starts or stops polling the listeners (accept() paused after EMFILE). */
void listen_set_accepting(struct server *s, bool on);

/* True if fd is one of the listening sockets. */
bool listen_is_listener(const struct server *s, int fd);

/* Closes the listening sockets (new connections are refused from then on). */
void listen_close(struct server *s);

#endif
