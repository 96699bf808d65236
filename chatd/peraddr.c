/* peraddr.c - connections and connection rate per source address. */
#define _GNU_SOURCE /* getrandom() */
#include "chatd/peraddr.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* One remembered address.  key is the IPv6 form: an IPv4 address as
 * ::ffff:a.b.c.d, an IPv6 address with its last 64 bits zeroed.  The two
 * never collide (a /64 key ends in eight zero bytes, an IPv4 key in ffff
 * and the address). */
struct entry {
    uint8_t key[16];
    struct entry *next;                  /* hash chain */
    struct entry *idle_prev, *idle_next; /* idle list, while conns == 0 */
    long conns;
    int64_t milli;     /* rate tokens x 1000 */
    int64_t last_ms;   /* time of the last refill */
    int64_t logged_ms; /* last refusal logged; valid when logged */
    bool logged;
};

struct peraddr {
    struct peraddr_limit limit;
    uint64_t seed;
    struct entry **buckets;
    size_t nbuckets; /* a power of two */
    size_t count;
    struct entry *idle_head, *idle_tail; /* oldest idle first */
    size_t nidle;
};

#define FIRST_BUCKETS 256

/* A seed nobody outside can guess, so chosen addresses do not pile into
 * one chain.  getrandom() does not fail for 8 bytes once the pool is
 * ready; if it does, the time and our address are a weaker stand-in. */
static uint64_t make_seed(const struct peraddr *t)
{
    uint64_t seed;
    if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) == (ssize_t)sizeof seed)
        return seed;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)(uintptr_t)t;
}

struct peraddr *peraddr_new(const struct peraddr_limit *l)
{
    struct peraddr *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->buckets = calloc(FIRST_BUCKETS, sizeof *t->buckets);
    if (t->buckets == NULL) {
        free(t);
        return NULL;
    }
    t->nbuckets = FIRST_BUCKETS;
    t->limit = *l;
    t->seed = make_seed(t);
    return t;
}

/* The key of sa (see struct entry); false for a family we do not count. */
static bool make_key(const struct sockaddr *sa, uint8_t key[16])
{
    memset(key, 0, 16);
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)sa;
        key[10] = key[11] = 0xff;
        memcpy(key + 12, &v4->sin_addr, 4);
        return true;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)sa;
        if (IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr))
            memcpy(key, &v6->sin6_addr, 16); /* already the IPv4 form */
        else
            memcpy(key, &v6->sin6_addr, 8); /* the /64 */
        return true;
    }
    return false;
}

/* A 64-bit finalizer (xor-shift and multiply rounds): every input bit
 * reaches every output bit, so the low bits used as the index vary even
 * when only the high bits of the key do. */
static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/* The bucket of key: both halves mixed in turn with the secret seed. */
static size_t hash_key(const struct peraddr *t, const uint8_t key[16])
{
    uint64_t a, b;
    memcpy(&a, key, 8);
    memcpy(&b, key + 8, 8);
    uint64_t h = mix64(t->seed ^ a);
    h = mix64(h ^ b);
    return (size_t)(h & (t->nbuckets - 1));
}

static struct entry *find(const struct peraddr *t, const uint8_t key[16])
{
    for (struct entry *e = t->buckets[hash_key(t, key)]; e != NULL; e = e->next)
        if (memcmp(e->key, key, 16) == 0)
            return e;
    return NULL;
}

/* Doubles the bucket array once entries outnumber buckets (best effort:
 * without memory the chains just grow longer). */
static void grow(struct peraddr *t)
{
    size_t n = t->nbuckets * 2;
    struct entry **b = calloc(n, sizeof *b);
    if (b == NULL)
        return;
    struct entry **old = t->buckets;
    size_t oldn = t->nbuckets;
    t->buckets = b;
    t->nbuckets = n;
    for (size_t i = 0; i < oldn; i++) {
        for (struct entry *e = old[i], *next; e != NULL; e = next) {
            next = e->next;
            size_t h = hash_key(t, e->key);
            e->next = b[h];
            b[h] = e;
        }
    }
    free(old);
}

static void idle_unlink(struct peraddr *t, struct entry *e)
{
    if (e->idle_prev != NULL)
        e->idle_prev->idle_next = e->idle_next;
    else
        t->idle_head = e->idle_next;
    if (e->idle_next != NULL)
        e->idle_next->idle_prev = e->idle_prev;
    else
        t->idle_tail = e->idle_prev;
    e->idle_prev = e->idle_next = NULL;
    t->nidle--;
}

/* Unlinks e from its chain and the idle list, and frees it. */
static void forget(struct peraddr *t, struct entry *e)
{
    struct entry **p = &t->buckets[hash_key(t, e->key)];
    while (*p != e)
        p = &(*p)->next;
    *p = e->next;
    if (e->conns == 0)
        idle_unlink(t, e);
    t->count--;
    free(e);
}

/* e has no connection left: it joins the end of the idle list, and the
 * oldest idle entry is forgotten if the list is over its bound. */
static void idle_append(struct peraddr *t, struct entry *e)
{
    e->idle_next = NULL;
    e->idle_prev = t->idle_tail;
    if (t->idle_tail != NULL)
        t->idle_tail->idle_next = e;
    else
        t->idle_head = e;
    t->idle_tail = e;
    t->nidle++;
    if (t->nidle > PERADDR_IDLE_MAX)
        forget(t, t->idle_head);
}

/* A new entry with a full bucket, idle until admitted.  NULL without memory. */
static struct entry *add(struct peraddr *t, const uint8_t key[16], int64_t now_ms)
{
    struct entry *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    memcpy(e->key, key, 16);
    e->milli = (int64_t)t->limit.burst * 1000;
    e->last_ms = now_ms;
    if (t->count >= t->nbuckets)
        grow(t);
    size_t h = hash_key(t, key);
    e->next = t->buckets[h];
    t->buckets[h] = e;
    t->count++;
    idle_append(t, e);
    return e;
}

/* Refills e's rate bucket for the time passed. */
static void refill(const struct peraddr *t, struct entry *e, int64_t now_ms)
{
    int64_t cap = (int64_t)t->limit.burst * 1000;
    if (now_ms > e->last_ms) {
        e->milli += (now_ms - e->last_ms) * t->limit.rate; /* rate thousandths per ms */
        if (e->milli > cap)
            e->milli = cap;
        e->last_ms = now_ms;
    }
}

/* True once per PERADDR_LOG_EVERY_MS for e. */
static bool log_due(struct entry *e, int64_t now_ms)
{
    if (e->logged && now_ms - e->logged_ms < PERADDR_LOG_EVERY_MS)
        return false;
    e->logged = true;
    e->logged_ms = now_ms;
    return true;
}

enum peraddr_verdict peraddr_admit(struct peraddr *t, const struct sockaddr *sa, int64_t now_ms,
                                   bool *log_it)
{
    uint8_t key[16];
    *log_it = false;
    if ((t->limit.max_conns == 0 && t->limit.rate == 0) || !make_key(sa, key))
        return PERADDR_OK; /* nothing to count */
    struct entry *e = find(t, key);
    if (e == NULL && (e = add(t, key, now_ms)) == NULL)
        return PERADDR_NO_MEMORY;
    if (t->limit.max_conns > 0 && e->conns >= t->limit.max_conns) {
        *log_it = log_due(e, now_ms);
        return PERADDR_TOO_MANY;
    }
    if (t->limit.rate > 0) {
        refill(t, e, now_ms);
        if (e->milli < 1000) {
            *log_it = log_due(e, now_ms);
            return PERADDR_TOO_FAST;
        }
        e->milli -= 1000;
    }
    if (e->conns++ == 0)
        idle_unlink(t, e);
    return PERADDR_OK;
}

void peraddr_release(struct peraddr *t, const struct sockaddr *sa)
{
    uint8_t key[16];
    struct entry *e;
    if (!make_key(sa, key) || (e = find(t, key)) == NULL || e->conns == 0)
        return; /* never counted (no limits, or another family) */
    if (--e->conns == 0)
        idle_append(t, e);
}

/* True when forgetting idle e loses nothing: its bucket is full again and
 * its last refusal is older than the log interval. */
static bool forgettable(const struct peraddr *t, struct entry *e, int64_t now_ms)
{
    if (t->limit.rate > 0) {
        refill(t, e, now_ms);
        if (e->milli < (int64_t)t->limit.burst * 1000)
            return false;
    }
    return !e->logged || now_ms - e->logged_ms >= PERADDR_LOG_EVERY_MS;
}

void peraddr_sweep(struct peraddr *t, int64_t now_ms)
{
    for (struct entry *e = t->idle_head, *next; e != NULL; e = next) {
        next = e->idle_next;
        if (forgettable(t, e, now_ms))
            forget(t, e);
    }
}

size_t peraddr_count(const struct peraddr *t)
{
    return t->count;
}

void peraddr_free(struct peraddr *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->nbuckets; i++) {
        for (struct entry *e = t->buckets[i], *next; e != NULL; e = next) {
            next = e->next;
            free(e);
        }
    }
    free(t->buckets);
    free(t);
}
