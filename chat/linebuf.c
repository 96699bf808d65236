#include "chat/linebuf.h"

#include <string.h>
#include <unistd.h>

#include "chat/split.h"

void linebuf_init(struct linebuf *b)
{
    b->len = 0;
    b->discarding = false;
}

ssize_t linebuf_fill(struct linebuf *b, int fd)
{
    if (b->len == sizeof b->buf)
        return -1;
    ssize_t n = read(fd, b->buf + b->len, sizeof b->buf - b->len);
    if (n > 0)
        b->len += (size_t)n;
    return n;
}

/* Copies the first n bytes out as a line and drops them plus skip bytes. */
static void take(struct linebuf *b, size_t n, size_t skip, char *line, size_t cap)
{
    size_t keep = n;
    if (keep > 0 && b->buf[keep - 1] == '\r' && skip > 0)
        keep--;
    if (keep > cap - 1)
        keep = cap - 1;
    memcpy(line, b->buf, keep);
    line[keep] = '\0';
    b->len -= n + skip;
    memmove(b->buf, b->buf + n + skip, b->len);
}

bool linebuf_next(struct linebuf *b, char *line, size_t cap)
{
    char *lf = memchr(b->buf, '\n', b->len);
    if (lf != NULL) {
        take(b, (size_t)(lf - b->buf), 1, line, cap);
        return true;
    }
    if (b->len == sizeof b->buf) {
        /* A character cut in two would become two invalid ones. */
        size_t n = split_utf8_whole(b->buf, b->len);
        take(b, n > 0 ? n : b->len, 0, line, cap);
        return true;
    }
    return false;
}

enum linebuf_got linebuf_next_whole(struct linebuf *b, char *line, size_t cap)
{
    if (b->discarding) {
        char *lf = memchr(b->buf, '\n', b->len);
        size_t drop = lf != NULL ? (size_t)(lf - b->buf) + 1 : b->len;
        b->len -= drop;
        memmove(b->buf, b->buf + drop, b->len);
        if (lf == NULL)
            return LINEBUF_NONE;
        b->discarding = false;
    }
    if (memchr(b->buf, '\n', b->len) == NULL && b->len == sizeof b->buf) {
        b->discarding = true;
        b->len = 0;
        return LINEBUF_DROPPED;
    }
    return linebuf_next(b, line, cap) ? LINEBUF_LINE : LINEBUF_NONE;
}

bool linebuf_rest(struct linebuf *b, char *line, size_t cap)
{
    if (b->len == 0 || b->discarding)
        return false;
    take(b, b->len, 0, line, cap);
    return true;
}
