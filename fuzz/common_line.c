/*
 * Fuzz target: common/line.c, line framing over reads split anywhere.
 *
 * The first input byte seeds the chunk sizes (and whether lines are taken
 * after each read); the rest is the byte stream.  The lines line_buf hands
 * out must be exactly those a plain one-pass model of docs/protocol.md
 * ("Lines") finds in the whole stream: however the stream was split,
 * whatever it holds (NUL, CR, no LF at all).
 */
#include <stdlib.h>
#include <string.h>

#include "common/line.h"
#include "fuzz/support/check.h"

/* The model: walks the whole stream once. */
struct model {
    const uint8_t *p;
    size_t n, pos;
    bool discarding;
};

/* Next expected result from the model, like line_buf_next(). */
static enum line_status model_next(struct model *m, const uint8_t **line, size_t *len)
{
    for (;;) {
        const uint8_t *p = m->p + m->pos;
        size_t left = m->n - m->pos;
        const uint8_t *lf = left > 0 ? memchr(p, '\n', left) : NULL;
        if (m->discarding) {
            if (lf == NULL)
                return LINE_NEED_MORE;
            m->pos += (size_t)(lf - p) + 1;
            m->discarding = false;
            continue;
        }
        /* A legal line has its LF within PROTO_LINE_MAX bytes. */
        if (lf != NULL && (size_t)(lf - p) < PROTO_LINE_MAX) {
            size_t k = (size_t)(lf - p);
            m->pos += k + 1;
            *line = p;
            *len = k > 0 && p[k - 1] == '\r' ? k - 1 : k;
            return LINE_READY;
        }
        if (left < PROTO_LINE_MAX)
            return LINE_NEED_MORE;
        m->pos += PROTO_LINE_MAX;
        m->discarding = true;
        return LINE_TOO_LONG;
    }
}

/* Takes every result line_buf has and checks each against the model. */
static void drain(struct line_buf *b, struct model *m)
{
    char *line;
    size_t len, mlen = 0;
    const uint8_t *mline = NULL;
    for (;;) {
        bool has = line_buf_has_line(b);
        enum line_status st = line_buf_next(b, &line, &len);
        FUZZ_CHECK(has || st == LINE_NEED_MORE, "has_line false but next gave %d", (int)st);
        if (st == LINE_NEED_MORE)
            break;
        enum line_status want = model_next(m, &mline, &mlen);
        FUZZ_CHECK(st == want, "status %d, model %d at stream byte %zu", (int)st, (int)want,
                   m->pos);
        if (st == LINE_READY) {
            FUZZ_CHECK(len == mlen && memcmp(line, mline, len) == 0 && line[len] == '\0',
                       "line of %zu bytes, model %zu", len, mlen);
        }
    }
    line_buf_release(b);
    FUZZ_CHECK(b->len > 0 || b->data == NULL, "storage kept while empty");
}

/* xorshift: chunk sizes from one seed byte, so the stream stays readable. */
static uint32_t next_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_cursor c = {data, size};
    uint32_t seed = 0x9E3779B9u ^ fuzz_take_u8(&c);
    struct model m = {c.p, c.n, 0, false};
    struct line_buf b = {0};
    size_t fed = 0;
    while (fed < c.n) {
        size_t room;
        char *dst = line_buf_room(&b, &room);
        FUZZ_CHECK(dst != NULL, "out of memory");
        FUZZ_CHECK(room <= LINE_BUF_CAP && (size_t)b.len + room == LINE_BUF_CAP, "room %zu", room);
        uint32_t r = next_rand(&seed);
        /* Mostly small reads, some large ones: recv() does both. */
        size_t want = (r & 3) == 0 ? (r >> 4) % (2 * LINE_BUF_CAP) + 1 : (r >> 4) % 64 + 1;
        size_t k = want < room ? want : room;
        if (k > c.n - fed)
            k = c.n - fed;
        memcpy(dst, c.p + fed, k);
        line_buf_added(&b, k);
        fed += k;
        /* Sometimes let lines pile up, as chatd does under its flood limit. */
        if (room == k || (r & 0x30) != 0)
            drain(&b, &m);
    }
    drain(&b, &m);
    /* What is left is the model's unfinished tail. */
    const uint8_t *mline;
    size_t mlen;
    FUZZ_CHECK(model_next(&m, &mline, &mlen) == LINE_NEED_MORE, "model has more lines");
    const char *held;
    size_t n = line_buf_peek(&b, &held);
    size_t tail = m.discarding ? 0 : m.n - m.pos;
    FUZZ_CHECK(n == tail && memcmp(held, m.p + m.pos, n) == 0, "held %zu, model %zu", n, tail);
    FUZZ_CHECK(line_buf_partial(&b) == (m.discarding || tail > 0), "partial disagrees");
    line_buf_free(&b);
    return 0;
}
