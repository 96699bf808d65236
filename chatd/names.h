/*
 * names.h - the names in use, found ignoring ASCII case.
 *
 * A chained hash table whose entries live inside the clients (intrusive),
 * so adding a name never allocates per client; the bucket array doubles as
 * the number of names grows.
 */
#ifndef CHATD_NAMES_H
#define CHATD_NAMES_H

#include <stddef.h>

struct names_entry {
    struct names_entry *next;
    const char *name; /* points into the owner; must stay put while listed */
};

struct names {
    struct names_entry **buckets;
    size_t nbuckets; /* a power of two, or 0 before the first add */
    size_t count;
};

/* Adds e (e->name set).  Returns 0, or -1 if memory ran out. */
int names_add(struct names *t, struct names_entry *e);

/* Removes e if it is listed. */
void names_remove(struct names *t, struct names_entry *e);

/* The entry whose name equals name ignoring case, or NULL. */
struct names_entry *names_find(const struct names *t, const char *name);

/* Frees the bucket array (entries belong to their owners). */
void names_free(struct names *t);

#endif
