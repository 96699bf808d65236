/*
 * accept.h - new connections: the capacity, accept(), and each new
 * client's set-up and greeting.
 */
#ifndef CHATD_ACCEPT_H
#define CHATD_ACCEPT_H

#include "chatd/chatd.h"

/* Raises the open-file limit, sets s->max_clients from it and
 * --max-clients, and logs how many clients chatd can hold.  Returns 0, or
 * -1 (logged: what to do) when the limit leaves no descriptor for clients. */
int accept_init(struct server *s);

/* Accepts what is pending on listener lfd (a batch at most, so clients are
 * served too), greeting each new client or refusing it when the server is
 * full or its address is over its per-address limits. */
void accept_ready(struct server *s, int lfd);

#endif
