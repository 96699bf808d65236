/*
 * retry.h - when interactive chat reconnects, and under which name.  Pure.
 */
#ifndef CHAT_RETRY_H
#define CHAT_RETRY_H

#include <stddef.h>

/* Milliseconds to wait before reconnect attempt n (0 = the first): 1, 2,
 * 4 ... s, at most CHAT_RECONNECT_MAX_SEC, each varied by up to 10% either
 * way with r in [0, 1) so that clients dropped together do not all come
 * back in the same instant. */
long long retry_delay_ms(unsigned n, double r);

/* Names tried to take back base after a reconnect. */
#define RETRY_NAMES 10

/* The k-th name to try: base itself (k = 0), then the nearest free one
 * chatd may accept, base with 2, 3 ... appended (base cut so that the
 * name stays within PROTO_NAME_MAX).  out has room for PROTO_NAME_MAX + 1. */
void retry_name(const char *base, unsigned k, char *out, size_t cap);

#endif
