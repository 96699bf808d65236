#include "chat/retry.h"

#include <stdio.h>
#include <string.h>

#include "common/limits.h"

long long retry_delay_ms(unsigned n, double r)
{
    long long base = 1000;
    for (unsigned i = 0; i < n && base < CHAT_RECONNECT_MAX_SEC * 1000LL; i++)
        base *= 2;
    if (base > CHAT_RECONNECT_MAX_SEC * 1000LL)
        base = CHAT_RECONNECT_MAX_SEC * 1000LL;
    long long d = (long long)((double)base * (0.9 + 0.2 * r));
    return d > CHAT_RECONNECT_MAX_SEC * 1000LL ? CHAT_RECONNECT_MAX_SEC * 1000LL : d;
}

void retry_name(const char *base, unsigned k, char *out, size_t cap)
{
    char suffix[12] = "";
    if (k > 0)
        snprintf(suffix, sizeof suffix, "%u", k + 1);
    size_t keep = strlen(base), slen = strlen(suffix);
    if (keep + slen > PROTO_NAME_MAX)
        keep = PROTO_NAME_MAX - slen;
    snprintf(out, cap, "%.*s%s", (int)keep, base, suffix);
}
