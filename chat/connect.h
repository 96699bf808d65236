/*
 * connect.h - dial the server with a timeout, and say why it failed.
 *
 * Every failure is classified into a message a student can act on (refused,
 * timed out, no route, name not resolved, permission denied), each ending
 * with the hint to run netprobe.  The classification is a pure table so it
 * can be tested without a network.
 */
#ifndef CHAT_CONNECT_H
#define CHAT_CONNECT_H

#include <stddef.h>

/* Why a dial failed: a getaddrinfo() code (gai != 0) or an errno value. */
struct connect_error {
    int gai; /* EAI_* from getaddrinfo, 0 if resolving worked */
    int err; /* errno of the connect (ETIMEDOUT for our own timeout) */
};

/* Resolves host/port (port is numeric) and tries every address in turn,
 * each with a non-blocking connect() bounded by timeout_sec.  Returns a
 * connected blocking socket with keepalive and TCP_USER_TIMEOUT set to
 * user_timeout_ms (best effort), or -1 with *e set. */
int connect_dial(const char *host, const char *port, int timeout_sec, unsigned user_timeout_ms,
                 struct connect_error *e);

struct addrinfo;

/* The second half of connect_dial(): tries each address of list in order
 * and returns the first that connects, or -1 with the most telling errno
 * of all the attempts in *e (a refusal beats "IPv6 has no route"). */
int connect_try_all(const struct addrinfo *list, int timeout_sec, unsigned user_timeout_ms,
                    struct connect_error *e);

/* Writes one line for people into out: what failed, the likely cause, and
 * "run: netprobe HOST PORT" at the end.  Never fails; truncates to cap. */
void connect_explain(const struct connect_error *e, const char *host, const char *port,
                     int timeout_sec, char *out, size_t cap);

#endif
