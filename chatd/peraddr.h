/*
 * peraddr.h - per-source-address admission: how many connections one
 * address holds and how fast it may open new ones.
 *
 * An "address" is an IPv4 address (IPv4-mapped IPv6 counts as IPv4) or an
 * IPv6 /64, the block one subscriber usually gets: counting whole IPv6
 * addresses would let one host take every slot.  Entries live in a hash
 * table with a random seed, so nobody can choose addresses that collide.
 * Memory is bounded: an address with no connection left is forgotten once
 * its rate bucket is full and its refusal is no longer remembered for the
 * log, and the least recently idle one is forgotten first when the table
 * holds PERADDR_IDLE_MAX idle entries.
 */
#ifndef CHATD_PERADDR_H
#define CHATD_PERADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Addresses with no connection that the table may remember (for their
 * rate bucket and the once-a-minute log); past it the oldest is forgotten. */
#define PERADDR_IDLE_MAX 65536

/* A refusal of an address is logged at most once in this many ms. */
#define PERADDR_LOG_EVERY_MS 60000

struct peraddr_limit {
    long max_conns; /* connections one address may hold; 0 = no limit */
    long rate;      /* new connections per second; 0 = no limit */
    long burst;     /* new connections at once before the rate applies */
};

enum peraddr_verdict {
    PERADDR_OK,        /* admitted and counted: call peraddr_release() later */
    PERADDR_TOO_MANY,  /* the address holds max_conns already */
    PERADDR_TOO_FAST,  /* the address opened burst connections too quickly */
    PERADDR_NO_MEMORY, /* could not remember the address */
};

struct peraddr;

/* A new, empty table for limit l (copied).  NULL if memory ran out. */
struct peraddr *peraddr_new(const struct peraddr_limit *l);

/* Decides on a new connection from sa at now_ms and counts it when
 * admitted.  On a refusal *log_it says whether this address has not been
 * logged in the last PERADDR_LOG_EVERY_MS (and marks it logged). */
enum peraddr_verdict peraddr_admit(struct peraddr *t, const struct sockaddr *sa, int64_t now_ms,
                                   bool *log_it);

/* Uncounts an admitted connection from sa that ended. */
void peraddr_release(struct peraddr *t, const struct sockaddr *sa);

/* Forgets addresses with no connection whose state no longer matters. */
void peraddr_sweep(struct peraddr *t, int64_t now_ms);

/* Number of addresses remembered (for tests and the log). */
size_t peraddr_count(const struct peraddr *t);

/* Frees the table and every entry.  t may be NULL. */
void peraddr_free(struct peraddr *t);

#endif
