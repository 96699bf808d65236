#include "fuzz/support/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: invariant failed: %s: ", file, line, cond);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

uint8_t fuzz_take_u8(struct fuzz_cursor *c)
{
    if (c->n == 0)
        return 0;
    c->n--;
    return *c->p++;
}

uint16_t fuzz_take_u16(struct fuzz_cursor *c)
{
    uint16_t hi = fuzz_take_u8(c);
    return (uint16_t)(hi << 8 | fuzz_take_u8(c));
}

size_t fuzz_utf8_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
    /* Length from the count of leading one bits, value from the rest. */
    size_t len;
    uint32_t v;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xE0) == 0xC0)
        len = 2, v = s[0] & 0x1F;
    else if ((s[0] & 0xF0) == 0xE0)
        len = 3, v = s[0] & 0x0F;
    else if ((s[0] & 0xF8) == 0xF0)
        len = 4, v = s[0] & 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    /* The smallest value each length may carry: anything less is overlong. */
    static const uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min_for_len[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

bool fuzz_utf8_valid(const char *s, size_t n)
{
    const uint8_t *u = (const uint8_t *)s;
    uint32_t cp;
    for (size_t i = 0; i < n;) {
        size_t len = fuzz_utf8_decode(u + i, n - i, &cp);
        if (len == 0)
            return false;
        i += len;
    }
    return true;
}

/* Code points that never reach another user's screen (docs/protocol.md):
 * controls, and characters that reorder or hide text. */
static const struct {
    uint32_t lo, hi;
} hidden[] = {
    {0x0000, 0x001F}, {0x007F, 0x009F}, {0x061C, 0x061C},   {0x200B, 0x200B},
    {0x200E, 0x200F}, {0x2028, 0x202E}, {0x2060, 0x2064},   {0x2066, 0x2069},
    {0xFEFF, 0xFEFF}, {0xFFF9, 0xFFFB}, {0xE0000, 0xE007F},
};

bool fuzz_cp_may_be_shown(uint32_t cp)
{
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
        if (cp >= hidden[i].lo && cp <= hidden[i].hi)
            return false;
    return true;
}

void fuzz_check_shown_text(const char *s, size_t n, const char *what)
{
    const uint8_t *u = (const uint8_t *)s;
    uint32_t cp;
    for (size_t i = 0; i < n;) {
        size_t len = fuzz_utf8_decode(u + i, n - i, &cp);
        FUZZ_CHECK(len > 0, "%s: invalid UTF-8 at byte %zu of %zu", what, i, n);
        FUZZ_CHECK(fuzz_cp_may_be_shown(cp), "%s: U+%04X at byte %zu", what, (unsigned)cp, i);
        i += len;
    }
}
