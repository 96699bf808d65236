#include "common/utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static const char REPLACEMENT[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Allowed range of the second byte for each lead byte of a 3- or 4-byte
 * sequence.  The narrow ranges exclude overlong forms (E0, F0), surrogates
 * (ED) and code points above U+10FFFF (F4). */
static void second_byte_range(uint8_t lead, uint8_t *lo, uint8_t *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (lead == 0xE0)
        *lo = 0xA0;
    else if (lead == 0xED)
        *hi = 0x9F;
    else if (lead == 0xF0)
        *lo = 0x90;
    else if (lead == 0xF4)
        *hi = 0x8F;
}

/* Length of the valid sequence at s (1..4), or 0 if s[0] does not start
 * one.  n is the number of bytes available. */
static size_t sequence_length(const uint8_t *s, size_t n)
{
    size_t need;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        need = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        need = 3;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        need = 4;
    else
        return 0; /* a stray continuation byte, C0/C1 (overlong) or F5..FF */
    if (n < need)
        return 0;
    uint8_t lo = 0x80, hi = 0xBF;
    if (need > 2)
        second_byte_range(s[0], &lo, &hi);
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < need; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return need;
}

/* True for the controls the protocol replaces: C0 (TAB is handled before),
 * DEL, and the C1 range U+0080..U+009F (encoded as C2 80..C2 9F). */
static bool is_control(const uint8_t *s, size_t seq)
{
    if (seq == 1)
        return s[0] < 0x20 || s[0] == 0x7F;
    return seq == 2 && s[0] == 0xC2 && s[1] <= 0x9F;
}

size_t utf8_sanitize(const char *in, size_t len, char *out, size_t cap)
{
    const uint8_t *s = (const uint8_t *)in;
    size_t o = 0;
    if (cap == 0)
        return 0;
    for (size_t i = 0; i < len;) {
        size_t seq = sequence_length(s + i, len - i);
        const char *piece = (const char *)s + i;
        size_t plen = seq;
        if (seq == 1 && s[i] == '\t') {
            piece = " ";
        } else if (seq == 0 || is_control(s + i, seq)) {
            piece = REPLACEMENT;
            plen = 3;
        }
        if (o + plen + 1 > cap)
            break;
        memcpy(out + o, piece, plen);
        o += plen;
        i += seq == 0 ? 1 : seq; /* an invalid byte is replaced on its own */
    }
    out[o] = '\0';
    return o;
}
