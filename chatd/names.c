#include "chatd/names.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/proto.h"

#define NAMES_MIN_BUCKETS 64

/* FNV-1a over the lower-cased name, so "Alice" and "alice" collide. */
static size_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s != '\0'; s++) {
        h ^= (uint8_t)tolower((unsigned char)*s);
        h *= 16777619u;
    }
    return h;
}

/* Doubles the bucket array (or makes the first one). */
static int names_grow(struct names *t)
{
    size_t n = t->nbuckets ? t->nbuckets * 2 : NAMES_MIN_BUCKETS;
    struct names_entry **b = calloc(n, sizeof *b);
    if (b == NULL)
        return -1;
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct names_entry *e = t->buckets[i], *next;
        for (; e != NULL; e = next) {
            next = e->next;
            size_t k = name_hash(e->name) & (n - 1);
            e->next = b[k];
            b[k] = e;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = n;
    return 0;
}

int names_add(struct names *t, struct names_entry *e)
{
    if (t->count >= t->nbuckets && names_grow(t) < 0)
        return -1;
    size_t k = name_hash(e->name) & (t->nbuckets - 1);
    e->next = t->buckets[k];
    t->buckets[k] = e;
    t->count++;
    return 0;
}

void names_remove(struct names *t, struct names_entry *e)
{
    if (t->nbuckets == 0)
        return;
    struct names_entry **pp = &t->buckets[name_hash(e->name) & (t->nbuckets - 1)];
    for (; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == e) {
            *pp = e->next;
            e->next = NULL;
            t->count--;
            return;
        }
    }
}

struct names_entry *names_find(const struct names *t, const char *name)
{
    if (t->nbuckets == 0)
        return NULL;
    struct names_entry *e = t->buckets[name_hash(name) & (t->nbuckets - 1)];
    for (; e != NULL; e = e->next)
        if (proto_name_equal(e->name, name))
            return e;
    return NULL;
}

void names_free(struct names *t)
{
    free(t->buckets);
    t->buckets = NULL;
    t->nbuckets = t->count = 0;
}
