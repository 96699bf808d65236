/*
 * flood.h - the per-client flood limit: two token buckets, lines and bytes.
 *
 * Each line costs one line token and as many byte tokens as the bytes it
 * makes chatd send (counted by the caller, after sanitizing).  A bucket
 * holds `burst` tokens and refills at `rate` tokens per second.  The byte
 * bucket may go into debt by one line, since a line's cost is known only
 * once it is read; the client then waits until the debt is paid.  Tokens
 * are kept in thousandths so the refill is exact with integer
 * milliseconds.  A limit is one struct flood_limit for the whole server
 * (set once from the options); every bucket is checked against it.
 */
#ifndef CHATD_FLOOD_H
#define CHATD_FLOOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct flood_limit {
    int burst;       /* lines a client may send at once */
    int rate;        /* lines per second after the burst */
    long byte_burst; /* bytes a client may cause at once */
    long byte_rate;  /* bytes per second after the burst */
};

struct flood {
    int64_t milli;      /* line tokens x 1000 */
    int64_t byte_milli; /* byte tokens x 1000; negative while in debt */
    int64_t last_ms;    /* time of the last refill */
};

/* Full buckets at time now_ms. */
void flood_init(struct flood *f, const struct flood_limit *l, int64_t now_ms);

/* Refills for the time passed; true if a line token is there and the
 * byte bucket is not in debt. */
bool flood_ready(struct flood *f, const struct flood_limit *l, int64_t now_ms);

/* Spends lines line tokens and bytes byte tokens (call after
 * flood_ready() returned true). */
void flood_spend(struct flood *f, int lines, size_t bytes);

/* True if both buckets are full again (the flood episode is over). */
bool flood_full(const struct flood *f, const struct flood_limit *l);

#endif
