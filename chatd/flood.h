/*
 * flood.h - the per-client flood limit: a token bucket.
 *
 * Each line costs one token; the bucket holds `burst` tokens and refills at
 * `rate` tokens per second.  Tokens are kept in thousandths so the refill
 * is exact with integer milliseconds.  The limit is one struct flood_limit
 * for the whole server (set once from the options); every bucket is checked
 * against it.
 */
#ifndef CHATD_FLOOD_H
#define CHATD_FLOOD_H

#include <stdbool.h>
#include <stdint.h>

struct flood_limit {
    int burst; /* lines a client may send at once */
    int rate;  /* lines per second after the burst */
};

struct flood {
    int64_t milli;   /* tokens x 1000 */
    int64_t last_ms; /* time of the last refill */
};

/* A full bucket at time now_ms. */
void flood_init(struct flood *f, const struct flood_limit *l, int64_t now_ms);

/* Refills for the time passed; true if at least one token is there. */
bool flood_ready(struct flood *f, const struct flood_limit *l, int64_t now_ms);

/* Spends one token (call after flood_ready() returned true). */
void flood_spend(struct flood *f);

/* True if the bucket is full again (the flood episode is over). */
bool flood_full(const struct flood *f, const struct flood_limit *l);

#endif
