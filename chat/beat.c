#include "chat/beat.h"

#include <stdio.h>

void beat_init(struct beat *b, long long now_ms, long long interval_ms, int misses)
{
    *b = (struct beat){.last_rx_ms = now_ms, .interval_ms = interval_ms, .misses = misses};
}

void beat_rx(struct beat *b, long long now_ms)
{
    b->last_rx_ms = now_ms;
    b->unanswered = 0;
}

/* The moment the next step is due: an interval after the last line, or
 * after the last ping once pings are outstanding. */
static long long beat_due(const struct beat *b)
{
    return (b->unanswered == 0 ? b->last_rx_ms : b->last_ping_ms) + b->interval_ms;
}

enum beat_action beat_tick(struct beat *b, long long now_ms, char *token, size_t cap)
{
    if (now_ms < beat_due(b))
        return BEAT_NONE;
    if (b->unanswered >= b->misses)
        return BEAT_DEAD;
    b->unanswered++;
    b->last_ping_ms = now_ms;
    snprintf(token, cap, "c%u", ++b->seq);
    return BEAT_PING;
}

long long beat_wait_ms(const struct beat *b, long long now_ms)
{
    long long left = beat_due(b) - now_ms;
    return left > 0 ? left : 0;
}

long long beat_silent_sec(const struct beat *b, long long now_ms)
{
    return (now_ms - b->last_rx_ms) / 1000;
}
