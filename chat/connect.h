/*
 * connect.h - dial the server the way a modern client does, and say why it
 * failed.
 *
 * Every address the name resolves to is tried with Happy Eyeballs (RFC
 * 8305): the addresses are interleaved by family (the first family
 * getaddrinfo() gives, usually IPv6, first), the next attempt starts
 * CHAT_CONNECT_STAGGER_MS after the previous one unless that one already
 * failed, the first to connect wins and the others are closed.  Every
 * failure is classified into a message a student can act on (refused,
 * timed out, no route, name not resolved, permission denied) that lists
 * each address and how it failed, and ends with the hint to run netprobe.
 * The classification is a pure table so it can be tested without a
 * network.
 */
#ifndef CHAT_CONNECT_H
#define CHAT_CONNECT_H

#include <signal.h>
#include <stddef.h>

#include "common/addr.h"

/* Why a dial failed: a getaddrinfo() code (gai != 0) or an errno value. */
struct connect_error {
    int gai; /* EAI_* from getaddrinfo, 0 if resolving worked */
    int err; /* errno of the connect (ETIMEDOUT for our own timeout) */
};

/* Addresses tried at most; a name with more has the rest ignored. */
#define CONNECT_ADDRS_MAX 16

/* An attempt that was not finished (another address won first). */
#define CONNECT_UNFINISHED (-1)

/* What happened to each address, in the order they were tried. */
struct connect_log {
    size_t n;
    struct {
        char addr[ADDR_TEXT_MAX];
        int err; /* 0 connected, an errno, or CONNECT_UNFINISHED */
    } a[CONNECT_ADDRS_MAX];
};

struct connect_params {
    int timeout_sec;                     /* each attempt's own limit */
    unsigned user_timeout_ms;            /* TCP_USER_TIMEOUT of the connected socket */
    int stagger_ms;                      /* Happy Eyeballs delay (CHAT_CONNECT_STAGGER_MS) */
    const volatile sig_atomic_t *cancel; /* set by a signal: give up (may be NULL) */
};

/* Resolves host/port (port is numeric) and races its addresses as above.
 * Returns a connected blocking socket with keepalive and TCP_USER_TIMEOUT
 * set (best effort), or -1 with *e set (EINTR when cancelled).  log (may
 * be NULL) receives every attempt. */
int connect_dial(const char *host, const char *port, const struct connect_params *p,
                 struct connect_error *e, struct connect_log *log);

struct addrinfo;

/* The second half of connect_dial(): races the addresses of list.  On
 * failure *e holds the most telling errno of all the attempts (a refusal
 * beats "IPv6 has no route"). */
int connect_try_all(const struct addrinfo *list, const struct connect_params *p,
                    struct connect_error *e, struct connect_log *log);

/* Puts list's addresses into out in Happy Eyeballs order: families
 * alternate, starting with the family of the first address, each family
 * keeping getaddrinfo()'s order.  Returns how many (at most max). */
size_t connect_order(const struct addrinfo *list, const struct addrinfo *out[], size_t max);

/* Writes one line for people into out: what failed, the likely cause, the
 * addresses tried (from log, which may be NULL) and "run: netprobe HOST
 * PORT" at the end.  Never fails; truncates to cap. */
void connect_explain(const struct connect_error *e, const struct connect_log *log, const char *host,
                     const char *port, int timeout_sec, char *out, size_t cap);

#endif
