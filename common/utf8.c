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

/* The code point of a valid sequence of seq bytes. */
static uint32_t code_point(const uint8_t *s, size_t seq)
{
    static const uint8_t lead_bits[5] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    uint32_t cp = s[0] & lead_bits[seq];
    for (size_t i = 1; i < seq; i++)
        cp = cp << 6 | (s[i] & 0x3F);
    return cp;
}

/* Code points replaced although they are valid UTF-8, with why.  Controls
 * could drive a terminal; the others reorder or hide text, so a message or
 * a quoted name could read differently from what was sent (a right-to-left
 * override turns "txt.exe" into something else on screen).  ZWJ and ZWNJ
 * (U+200C, U+200D) stay: scripts and emoji sequences need them, and they
 * join or split glyphs without moving or hiding any. */
static const struct {
    uint32_t lo, hi;
} replaced[] = {
    {0x0000, 0x001F},   /* C0 controls (TAB is turned into a space before) */
    {0x007F, 0x009F},   /* DEL and the C1 controls */
    {0x061C, 0x061C},   /* ARABIC LETTER MARK: bidirectional */
    {0x200B, 0x200B},   /* ZERO WIDTH SPACE: invisible */
    {0x200E, 0x200F},   /* LEFT-TO-RIGHT and RIGHT-TO-LEFT MARK */
    {0x2028, 0x2029},   /* LINE and PARAGRAPH SEPARATOR: break lines */
    {0x202A, 0x202E},   /* bidirectional embeddings and overrides */
    {0x2060, 0x2064},   /* WORD JOINER and invisible operators */
    {0x2066, 0x2069},   /* bidirectional isolates */
    {0xFEFF, 0xFEFF},   /* ZERO WIDTH NO-BREAK SPACE (byte order mark) */
    {0xFFF9, 0xFFFB},   /* interlinear annotations: hidden text */
    {0xE0000, 0xE007F}, /* tag characters: invisible copies of ASCII */
};

/* True if the valid sequence at s (seq bytes) must be replaced.  The table
 * is in ascending order, so most text stops looking after two rows. */
static bool is_replaced(const uint8_t *s, size_t seq)
{
    uint32_t cp = code_point(s, seq);
    for (size_t i = 0; i < sizeof replaced / sizeof replaced[0] && cp >= replaced[i].lo; i++)
        if (cp <= replaced[i].hi)
            return true;
    return false;
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
        } else if (seq == 0 || is_replaced(s + i, seq)) {
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
