/* visible.c - bytes made visible for the log. */
#include "chatd/visible.h"

#include <stdio.h>

/* The short escapes; any other byte outside 0x20-0x7E is \xNN. */
static const char *short_escape(unsigned char ch)
{
    switch (ch) {
    case '\r':
        return "\\r";
    case '\n':
        return "\\n";
    case '\t':
        return "\\t";
    case '\\':
        return "\\\\";
    case '"':
        return "\\\"";
    }
    return NULL;
}

size_t visible_escape(const char *data, size_t n, char *out, size_t cap)
{
    size_t used = 0, i;
    if (cap == 0)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)data[i];
        const char *esc = short_escape(ch);
        char hex[5];
        if (esc == NULL && (ch < 0x20 || ch > 0x7E)) {
            snprintf(hex, sizeof hex, "\\x%02X", ch);
            esc = hex;
        }
        size_t len = esc != NULL ? (esc == hex ? 4 : 2) : 1;
        if (used + len >= cap)
            break;
        if (esc != NULL)
            for (size_t k = 0; k < len; k++)
                out[used + k] = esc[k];
        else
            out[used] = (char)ch;
        used += len;
    }
    out[used] = '\0';
    return i;
}
