#include "chat/greet.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The kinds a chatd line starts with (docs/protocol.md), each followed by
 * a space. */
static const char *const kinds[] = {"NOTICE ", "ASK ", "ERR ",  "OK ",  "MSG ",
                                    "PRIV ",   "ACT ", "PING ", "PONG "};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* Whether buf[0..n) is a kind with its space, or the start of one (when
 * partial is true). */
static bool starts_like_kind(const char *buf, size_t n, bool partial)
{
    for (size_t i = 0; i < NKINDS; i++) {
        size_t k = strlen(kinds[i]);
        if (n >= k && memcmp(buf, kinds[i], k) == 0)
            return true;
        if (partial && n < k && memcmp(buf, kinds[i], n) == 0)
            return true;
    }
    return false;
}

enum greet_verdict greet_check(const char *buf, size_t len)
{
    const char *lf = memchr(buf, '\n', len);
    if (lf != NULL)
        return starts_like_kind(buf, (size_t)(lf - buf), false) ? GREET_CHATD : GREET_OTHER;
    if (len >= GREET_LINE_MAX || !starts_like_kind(buf, len, true))
        return GREET_OTHER;
    return GREET_MORE;
}

void greet_escape(const char *in, size_t len, size_t max, char *out, size_t cap)
{
    size_t o = 0;
    if (cap == 0)
        return;
    for (size_t i = 0; i < len && i < max; i++) {
        unsigned char b = (unsigned char)in[i];
        char piece[8];
        if (b == '\\' || b == '\r' || b == '\n' || b == '\t')
            snprintf(piece, sizeof piece, "\\%c",
                     b == '\\'   ? '\\'
                     : b == '\r' ? 'r'
                     : b == '\n' ? 'n'
                                 : 't');
        else if (b >= 0x20 && b < 0x7F)
            snprintf(piece, sizeof piece, "%c", b);
        else
            snprintf(piece, sizeof piece, "\\x%02X", b);
        size_t n = strlen(piece);
        if (o + n + 4 > cap) /* keep room for "..." */
            break;
        memcpy(out + o, piece, n);
        o += n;
    }
    if (len > max && o + 4 <= cap) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}
