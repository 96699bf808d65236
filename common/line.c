#include "common/line.h"

#include <stdlib.h>
#include <string.h>

char *line_buf_room(struct line_buf *b, size_t *room)
{
    if (b->data == NULL) {
        b->data = malloc(LINE_BUF_CAP);
        if (b->data == NULL)
            return NULL;
        b->start = b->len = 0;
    }
    /* Move the held part of a line to the front so a whole line always fits. */
    if (b->start > 0) {
        memmove(b->data, b->data + b->start, b->len);
        b->start = 0;
    }
    *room = LINE_BUF_CAP - b->len;
    return b->data + b->len;
}

void line_buf_added(struct line_buf *b, size_t n)
{
    b->len = (uint16_t)(b->len + n);
}

/* Drops n held bytes from the front. */
static void consume(struct line_buf *b, size_t n)
{
    b->start = (uint16_t)(b->start + n);
    b->len = (uint16_t)(b->len - n);
    if (b->len == 0)
        b->start = 0;
}

/* Skips the rest of an over-long line; true once its LF has been passed. */
static bool skip_discarded(struct line_buf *b)
{
    char *p = b->data + b->start;
    char *lf = memchr(p, '\n', b->len);
    if (lf == NULL) {
        consume(b, b->len);
        return false;
    }
    consume(b, (size_t)(lf - p) + 1);
    b->discarding = false;
    return true;
}

enum line_status line_buf_next(struct line_buf *b, char **line, size_t *len)
{
    if (b->len == 0)
        return LINE_NEED_MORE;
    if (b->discarding && !skip_discarded(b))
        return LINE_NEED_MORE;
    char *p = b->data + b->start;
    /* Only the first PROTO_LINE_MAX bytes may hold the LF of a legal line. */
    size_t scan = b->len < PROTO_LINE_MAX ? b->len : PROTO_LINE_MAX;
    char *lf = memchr(p, '\n', scan);
    if (lf == NULL) {
        if (b->len < PROTO_LINE_MAX)
            return LINE_NEED_MORE;
        consume(b, PROTO_LINE_MAX);
        b->discarding = true;
        return LINE_TOO_LONG;
    }
    size_t n = (size_t)(lf - p);
    consume(b, n + 1);
    if (n > 0 && p[n - 1] == '\r')
        n--;
    p[n] = '\0';
    *line = p;
    *len = n;
    return LINE_READY;
}

bool line_buf_has_line(const struct line_buf *b)
{
    return b->len >= PROTO_LINE_MAX || (b->len > 0 && memchr(b->data + b->start, '\n', b->len));
}

size_t line_buf_take(struct line_buf *b, size_t max, const char **data)
{
    size_t n = b->len < max ? b->len : max;
    if (n == 0)
        return 0;
    *data = b->data + b->start;
    consume(b, n);
    return n;
}

size_t line_buf_peek(const struct line_buf *b, const char **data)
{
    *data = b->data != NULL ? b->data + b->start : "";
    return b->len;
}

bool line_buf_partial(const struct line_buf *b)
{
    if (b->discarding)
        return true;
    if (b->len == 0)
        return false;
    const char *p = b->data + b->start;
    /* Complete lines may wait (flood limit); only a tail without LF counts. */
    return p[b->len - 1] != '\n';
}

void line_buf_release(struct line_buf *b)
{
    if (b->len == 0)
        line_buf_free(b); /* keeps b->discarding: that is state, not storage */
}

void line_buf_free(struct line_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->start = b->len = 0;
}
