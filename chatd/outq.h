/*
 * outq.h - output queues whose bytes are shared between clients.
 *
 * A line sent to many clients is copied once into a shared chunk of the
 * pool (outq_store); each client's queue holds only references to ranges
 * of chunks (outq_push), so a burst of B bytes to N clients costs about
 * B + N small entries, not B x N.  Consecutive lines of the same chunk
 * extend one reference, and a flush hands the kernel up to OUTQ_IOV_MAX
 * ranges in one sendmsg() (writev with MSG_NOSIGNAL).  A chunk is freed
 * when the last reference to it is sent or dropped; a queue's storage is
 * freed when it empties, so idle clients hold none.
 */
#ifndef CHATD_OUTQ_H
#define CHATD_OUTQ_H

#include <stddef.h>
#include <stdint.h>

/* Shared bytes: reference counted, opaque outside outq.c. */
struct outq_chunk;

/* A range of a chunk. */
struct outq_ref {
    struct outq_chunk *chunk;
    uint32_t off, len;
};

/* The shared store: the chunk being filled and the memory of all queues. */
struct outq_pool {
    struct outq_chunk *cur;
    size_t bytes; /* chunks plus every queue's reference array */
};

/* One client's queue: a ring of references, in the order to send. */
struct outq {
    struct outq_ref *refs;
    uint32_t head, count, cap;
    size_t len; /* unsent bytes */
};

/* Copies n bytes into the pool once and describes them in *out, ready to
 * be pushed to any number of queues before the next outq_store().
 * Returns 0, or -1 if out of memory. */
int outq_store(struct outq_pool *p, const void *data, size_t n, struct outq_ref *out);

/* Queues the stored range r (from the latest outq_store) behind what q
 * holds.  Returns 0, or -1 if out of memory (q is unchanged). */
int outq_push(struct outq_pool *p, struct outq *q, const struct outq_ref *r);

/* Stores n bytes and queues them on q: one client's private line. */
int outq_append(struct outq_pool *p, struct outq *q, const void *data, size_t n);

/* Sends queued bytes to fd, several ranges per system call, until the
 * socket is full.  Returns 0 when the queue is empty (storage freed), 1 if
 * bytes remain (wait for EPOLLOUT), or a negative errno for a connection
 * error. */
int outq_flush(struct outq_pool *p, struct outq *q, int fd);

static inline size_t outq_len(const struct outq *q)
{
    return q->len;
}

/* Forgets q's queued bytes and frees its storage. */
void outq_free(struct outq_pool *p, struct outq *q);

/* Frees the pool's chunk in progress if no queue references it, so an
 * idle server holds no output memory at all. */
void outq_pool_trim(struct outq_pool *p);

/* Frees the pool's chunk in progress; every queue must be freed first. */
void outq_pool_free(struct outq_pool *p);

#endif
