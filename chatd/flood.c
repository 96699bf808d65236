#include "chatd/flood.h"

void flood_init(struct flood *f, const struct flood_limit *l, int64_t now_ms)
{
    f->milli = (int64_t)l->burst * 1000;
    f->last_ms = now_ms;
}

bool flood_ready(struct flood *f, const struct flood_limit *l, int64_t now_ms)
{
    int64_t cap = (int64_t)l->burst * 1000;
    if (now_ms > f->last_ms) {
        /* rate tokens per second is rate thousandths per millisecond. */
        f->milli += (now_ms - f->last_ms) * l->rate;
        if (f->milli > cap)
            f->milli = cap;
        f->last_ms = now_ms;
    }
    return f->milli >= 1000;
}

void flood_spend(struct flood *f)
{
    f->milli -= 1000;
}

bool flood_full(const struct flood *f, const struct flood_limit *l)
{
    return f->milli >= (int64_t)l->burst * 1000;
}
