#include "common/clock.h"

#include <time.h>

/* CLOCK_MONOTONIC cannot fail on Linux for a valid timespec, so the result
 * of clock_gettime() is not checked. */
static struct timespec now(void)
{
    struct timespec ts;
    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts;
}

int64_t clock_ms(void)
{
    struct timespec ts = now();
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double clock_ms_f(void)
{
    struct timespec ts = now();
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

int clock_left_ms(int64_t deadline_ms)
{
    int64_t left = deadline_ms - clock_ms();
    if (left <= 0)
        return 0;
    return left > INT32_MAX ? INT32_MAX : (int)left;
}
