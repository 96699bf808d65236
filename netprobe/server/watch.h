/*
 * watch.h - `netprobe --watch [PORT] --duration SEC`, run on the server
 * while a student tries to connect from outside.
 *
 * Captures TCP traffic for the port for a bounded time (Ctrl-C ends it
 * early) and tells, per source address, whether its SYNs arrived and what
 * this machine answered.  That splits the blame: SYNs that never arrive
 * were dropped before the machine (security group, network ACL, the
 * client's network); SYNs that arrive unanswered are dropped on the
 * machine (host firewall) or find nothing listening.
 */
#ifndef NETPROBE_WATCH_H
#define NETPROBE_WATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "common/addr.h"
#include "netprobe/wire/pcap_parse.h"

#define WATCH_SOURCES_MAX 64 /* sources listed; more are counted in `dropped` */

struct watch_source {
    char address[ADDR_TEXT_MAX];
    int syns;                          /* SYNs received from it */
    int synacks_sent;                  /* SYN-ACKs this machine sent back */
    int resets_sent;                   /* resets this machine sent back */
    unsigned long long bytes_received; /* TCP payload received from it */
};

struct watch_table {
    int port;
    struct watch_source sources[WATCH_SOURCES_MAX];
    size_t count;
    size_t dropped;
    unsigned packets;
};

struct watch_opts {
    int port;
    double duration_s;       /* bounded: the capture ends after this long */
    const char *iface;       /* NULL: "any" */
    const char *expect_from; /* the client's public address, or NULL */
    /* Called once the capture is open and its filter set, so a "watching"
     * line means packets from then on are counted (NULL: nothing). */
    void (*on_ready)(const struct watch_opts *o);
};

void watch_table_init(struct watch_table *t, int port);

/* Counts one parsed packet (pure; the capture loop and tests call it). */
void watch_account(struct watch_table *t, const struct pp_packet *pk);

/* "answered", "refused" (resets sent: nothing listening),
 * "reached_not_answered" (host firewall or no listener), "reached"
 * (only packets of an older connection). */
const char *watch_outcome(const struct watch_source *s);

/* Captures for o->duration_s or until SIGINT (the previous SIGINT action
 * is restored).  Returns 0 (*interrupted says whether Ctrl-C ended it), 1
 * when skipped for lack of permission, -1 on another error; why is set
 * for 1 and -1. */
int watch_run(const struct watch_opts *o, struct watch_table *t, bool *interrupted, char *why,
              size_t whycap);

/* What the outcome of s means for the student (translated); s NULL is a
 * source that sent nothing ("never_reached"). */
const char *watch_meaning(const struct watch_source *s);

/* The source with address addr, or NULL. */
const struct watch_source *watch_find(const struct watch_table *t, const char *addr);

/* One sentence: how many sources sent packets, or that none arrived. */
void watch_summary(const struct watch_table *t, char *out, size_t cap);

/* A finished watch, as the output and the report read it. */
struct watch_report {
    const struct watch_table *table;
    const struct watch_opts *opts;
    bool interrupted;
};

#endif
