/*
 * outq.h - one client's bounded output queue.
 *
 * Lines for a client are appended here during a loop iteration and sent in
 * one go before the next epoll_wait() (coalesced writes).  The storage is
 * allocated on the first append and freed when the queue empties, so idle
 * clients hold none.
 */
#ifndef CHATD_OUTQ_H
#define CHATD_OUTQ_H

#include <stddef.h>
#include <stdint.h>

struct outq {
    char *data;
    uint32_t start; /* first unsent byte */
    uint32_t len;   /* unsent bytes */
    uint32_t cap;
};

/* Appends n bytes unless the queue would then hold more than max.
 * Returns 0, -1 if it would overflow (nothing appended), -2 if out of memory. */
int outq_append(struct outq *q, const void *p, size_t n, size_t max);

/* Sends queued bytes to fd until the socket is full.  Returns 0 when the
 * queue is empty (storage freed), 1 if bytes remain (wait for EPOLLOUT), or
 * a negative errno for a connection error. */
int outq_flush(struct outq *q, int fd);

static inline size_t outq_len(const struct outq *q)
{
    return q->len;
}

/* Frees the storage and forgets any queued bytes. */
void outq_free(struct outq *q);

#endif
