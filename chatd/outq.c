/* outq.c - output queues referencing shared, reference-counted chunks. */
#include "chatd/outq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* Size of a shared chunk: 64 lines of the longest kind.  A larger store
 * (a long /who batch never is) gets a chunk of its own size. */
#define OUTQ_CHUNK_SIZE (64 * 1024)

/* Ranges handed to one sendmsg(): far below IOV_MAX (1024), and enough
 * that a burst is sent in a few calls. */
#define OUTQ_IOV_MAX 64

/* Smallest reference array: a few lines of different chunks. */
#define OUTQ_MIN_REFS 4

/* Largest single store: keeps every offset and length in 32 bits. */
#define OUTQ_STORE_MAX (1u << 30)

struct outq_chunk {
    uint32_t refs; /* queue entries, plus one while it is the pool's chunk in progress */
    uint32_t used, cap;
    char data[];
};

static void chunk_unref(struct outq_pool *p, struct outq_chunk *c)
{
    if (--c->refs > 0)
        return;
    p->bytes -= sizeof *c + c->cap;
    free(c);
}

/* Makes p->cur a chunk with room for n more bytes. */
static int pool_reserve(struct outq_pool *p, size_t n)
{
    struct outq_chunk *c = p->cur;
    /* Nobody references any of it: start over instead of allocating, so
     * steady traffic to clients that keep up lives in one chunk. */
    if (c != NULL && c->refs == 1)
        c->used = 0;
    if (c != NULL && c->cap - c->used >= n)
        return 0;
    size_t cap = n > OUTQ_CHUNK_SIZE ? n : OUTQ_CHUNK_SIZE;
    struct outq_chunk *nc = malloc(sizeof *nc + cap);
    if (nc == NULL)
        return -1;
    nc->refs = 1;
    nc->used = 0;
    nc->cap = (uint32_t)cap;
    p->bytes += sizeof *nc + cap;
    if (c != NULL)
        chunk_unref(p, c); /* queues still holding it keep it alive */
    p->cur = nc;
    return 0;
}

int outq_store(struct outq_pool *p, const void *data, size_t n, struct outq_ref *out)
{
    if (n > OUTQ_STORE_MAX || pool_reserve(p, n) < 0)
        return -1;
    struct outq_chunk *c = p->cur;
    memcpy(c->data + c->used, data, n);
    out->chunk = c;
    out->off = c->used;
    out->len = (uint32_t)n;
    c->used += (uint32_t)n;
    return 0;
}

/* The i-th reference from the head (the capacity is a power of two). */
static struct outq_ref *ref_at(const struct outq *q, uint32_t i)
{
    return &q->refs[(q->head + i) & (q->cap - 1)];
}

/* Doubles q's reference array, keeping the order. */
static int refs_grow(struct outq_pool *p, struct outq *q)
{
    uint32_t cap = q->cap ? q->cap * 2 : OUTQ_MIN_REFS;
    struct outq_ref *r = malloc((size_t)cap * sizeof *r);
    if (r == NULL)
        return -1;
    for (uint32_t i = 0; i < q->count; i++)
        r[i] = *ref_at(q, i);
    free(q->refs);
    p->bytes += ((size_t)cap - q->cap) * sizeof *r;
    q->refs = r;
    q->cap = cap;
    q->head = 0;
    return 0;
}

int outq_push(struct outq_pool *p, struct outq *q, const struct outq_ref *r)
{
    if (r->len == 0)
        return 0; /* an empty range would never be consumed by a flush */
    if (q->count > 0) {
        struct outq_ref *tail = ref_at(q, q->count - 1);
        if (tail->chunk == r->chunk && tail->off + tail->len == r->off) {
            tail->len += r->len; /* the next line of the same chunk: one range */
            q->len += r->len;
            return 0;
        }
    }
    if (q->count == q->cap && refs_grow(p, q) < 0)
        return -1;
    *ref_at(q, q->count) = *r;
    q->count++;
    r->chunk->refs++;
    q->len += r->len;
    return 0;
}

int outq_append(struct outq_pool *p, struct outq *q, const void *data, size_t n)
{
    struct outq_ref r;
    if (outq_store(p, data, n, &r) < 0)
        return -1;
    return outq_push(p, q, &r);
}

/* Forgets the first n queued bytes (sent). */
static void consume(struct outq_pool *p, struct outq *q, size_t n)
{
    q->len -= n;
    while (n > 0) {
        struct outq_ref *r = ref_at(q, 0);
        if (n < r->len) {
            r->off += (uint32_t)n;
            r->len -= (uint32_t)n;
            return;
        }
        n -= r->len;
        chunk_unref(p, r->chunk);
        q->head = (q->head + 1) & (q->cap - 1);
        q->count--;
    }
}

int outq_flush(struct outq_pool *p, struct outq *q, int fd)
{
    while (q->count > 0) {
        struct iovec iov[OUTQ_IOV_MAX];
        uint32_t n = 0;
        for (; n < OUTQ_IOV_MAX && n < q->count; n++) {
            const struct outq_ref *r = ref_at(q, n);
            iov[n].iov_base = r->chunk->data + r->off;
            iov[n].iov_len = r->len;
        }
        struct msghdr mh = {.msg_iov = iov, .msg_iovlen = n};
        ssize_t sent = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 1;
        if (sent < 0)
            return -errno;
        consume(p, q, (size_t)sent);
    }
    outq_free(p, q);
    return 0;
}

void outq_free(struct outq_pool *p, struct outq *q)
{
    while (q->count > 0) {
        chunk_unref(p, ref_at(q, 0)->chunk);
        q->head = (q->head + 1) & (q->cap - 1);
        q->count--;
    }
    p->bytes -= (size_t)q->cap * sizeof *q->refs;
    free(q->refs);
    q->refs = NULL;
    q->head = q->cap = 0;
    q->len = 0;
}

void outq_pool_trim(struct outq_pool *p)
{
    if (p->cur != NULL && p->cur->refs == 1)
        outq_pool_free(p);
}

void outq_pool_free(struct outq_pool *p)
{
    if (p->cur != NULL)
        chunk_unref(p, p->cur);
    p->cur = NULL;
}
