#include "chat/split.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Bytes a UTF-8 sequence announces by its lead byte (0: not a lead). */
static size_t seq_len(unsigned char b)
{
    if (b >= 0xF0 && b <= 0xF4)
        return 4;
    if (b >= 0xE0 && b <= 0xEF)
        return 3;
    if (b >= 0xC2 && b <= 0xDF)
        return 2;
    return 0;
}

size_t split_utf8_whole(const char *s, size_t n)
{
    /* Look back over at most 3 continuation bytes for a lead byte whose
     * sequence would need more than what is there. */
    for (size_t back = 1; back <= 3 && back <= n; back++) {
        unsigned char b = (unsigned char)s[n - back];
        if ((b & 0xC0) == 0x80)
            continue;
        return seq_len(b) > back ? n - back : n;
    }
    return n;
}

size_t split_utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t n = split_utf8_whole(s, max);
    return n > 0 ? n : max; /* never nothing: invalid bytes go as they are */
}

/* "/msg NAME rest": the prefix up to the text.  Returns its length, 0 if
 * line is not of that form. */
static size_t msg_prefix(const char *line)
{
    if (strncasecmp(line, "/msg ", 5) != 0)
        return 0;
    size_t name = strcspn(line + 5, " ");
    if (name == 0 || name > PROTO_NAME_MAX || line[5 + name] != ' ')
        return 0;
    return 5 + name + 1;
}

enum split_kind split_begin(struct split *s, const char *line, size_t max)
{
    size_t len = strlen(line), p = 0;
    if (len <= max)
        return SPLIT_FITS;
    *s = (struct split){0};
    if (line[0] != '/' || line[1] == '/') {
        /* "//text" is the public message "/text": keep one '/' in the text
         * and let split_next() double it again. */
        s->public = true;
        p = line[0] == '/' ? 1 : 0;
    } else if ((p = msg_prefix(line)) == 0) {
        if (strncasecmp(line, "/me ", 4) != 0)
            return SPLIT_REFUSED;
        p = 4;
    }
    memcpy(s->prefix, line, s->public ? 0 : p);
    s->prefix[s->public ? 0 : p] = '\0';
    s->text = line + p;
    s->len = len - p;
    return SPLIT_PIECES;
}

bool split_next(struct split *s, size_t max, char *out, size_t cap)
{
    size_t plen = strlen(s->prefix);
    if (s->len == 0 || cap <= max || max <= plen + 5)
        return false;
    /* One byte is kept for the '/' a public piece may need. */
    size_t room = max - plen - (s->public ? 1 : 0);
    size_t n = split_utf8_cut(s->text, s->len, room);
    /* chatd skips the spaces before the text of /msg and /me: a piece
     * must not start with one, or it would be lost.  Cut earlier. */
    while (!s->public && n > 1 && n < s->len && s->text[n] == ' ')
        n = split_utf8_cut(s->text, s->len, n - 1);
    const char *esc = s->public && s->text[0] == '/' ? "/" : "";
    snprintf(out, cap, "%s%s%.*s", s->prefix, esc, (int)n, s->text);
    s->text += n;
    s->len -= n;
    return true;
}
