#include "chatd/outq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Smallest allocation: a few chat lines. */
#define OUTQ_MIN_CAP 512

/* Makes room for n more bytes at the end.  Sent bytes at the front are
 * reclaimed only when they are at least as many as the unsent ones, so each
 * byte is moved at most once on average (a slow reader's 256 KiB queue must
 * not be moved for every line appended). */
static int outq_reserve(struct outq *q, size_t n)
{
    size_t need = (size_t)q->len + n;
    if ((size_t)q->start + need <= q->cap)
        return 0;
    if (q->start >= q->len && need <= q->cap) {
        memmove(q->data, q->data + q->start, q->len);
        q->start = 0;
        return 0;
    }
    need += q->start;
    size_t cap = q->cap ? q->cap : OUTQ_MIN_CAP;
    while (cap < need)
        cap *= 2;
    char *d = realloc(q->data, cap);
    if (d == NULL)
        return -1;
    q->data = d;
    q->cap = (uint32_t)cap;
    return 0;
}

int outq_append(struct outq *q, const void *p, size_t n, size_t max)
{
    if ((size_t)q->len + n > max)
        return -1;
    if (outq_reserve(q, n) < 0)
        return -2;
    memcpy(q->data + q->start + q->len, p, n);
    q->len += (uint32_t)n;
    return 0;
}

int outq_flush(struct outq *q, int fd)
{
    while (q->len > 0) {
        ssize_t n = send(fd, q->data + q->start, q->len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 1;
        if (n < 0)
            return -errno;
        q->start += (uint32_t)n;
        q->len -= (uint32_t)n;
    }
    outq_free(q);
    return 0;
}

void outq_free(struct outq *q)
{
    free(q->data);
    q->data = NULL;
    q->start = q->len = q->cap = 0;
}
