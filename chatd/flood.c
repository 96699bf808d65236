#include <stddef.h>

#include "chatd/flood.h"

void flood_init(struct flood *f, const struct flood_limit *l, int64_t now_ms)
{
    f->milli = (int64_t)l->burst * 1000;
    f->byte_milli = (int64_t)l->byte_burst * 1000;
    f->last_ms = now_ms;
}

/* Adds ms x rate thousandths (rate per second is rate thousandths per
 * millisecond), up to the burst. */
static void refill(int64_t *milli, int64_t ms, long rate, long burst)
{
    int64_t cap = (int64_t)burst * 1000;
    if (*milli < cap)
        *milli = *milli + ms * rate > cap ? cap : *milli + ms * rate;
}

bool flood_ready(struct flood *f, const struct flood_limit *l, int64_t now_ms)
{
    if (now_ms > f->last_ms) {
        refill(&f->milli, now_ms - f->last_ms, l->rate, l->burst);
        refill(&f->byte_milli, now_ms - f->last_ms, l->byte_rate, l->byte_burst);
        f->last_ms = now_ms;
    }
    return f->milli >= 1000 && f->byte_milli > 0;
}

void flood_spend(struct flood *f, int lines, size_t bytes)
{
    f->milli -= (int64_t)lines * 1000;
    f->byte_milli -= (int64_t)bytes * 1000;
}

bool flood_full(const struct flood *f, const struct flood_limit *l)
{
    return f->milli >= (int64_t)l->burst * 1000 && f->byte_milli >= (int64_t)l->byte_burst * 1000;
}
