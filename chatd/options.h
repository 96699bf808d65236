/*
 * options.h - chatd's command line.
 */
#ifndef CHATD_OPTIONS_H
#define CHATD_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/addr.h"

struct chatd_options {
    long port;
    char bind[ADDR_TEXT_MAX]; /* "" = every address, IPv4 and IPv6 */
    long max_clients;
    bool diag;
    bool verbose;
    long heartbeat;    /* seconds of client silence before PING */
    long idle_timeout; /* seconds; 0 = never */
    long name_timeout; /* seconds to choose a name */
    long line_timeout; /* seconds a partial line may sit */
    long flood_burst;
    long flood_rate;
    long max_per_ip;       /* connections per source address; 0 = no limit */
    long conn_rate;        /* new connections per address per second; 0 = no limit */
    long flood_byte_burst; /* bytes of output a client may cause at once */
    long flood_byte_rate;  /* ... and per second after that */
    long echo_lifetime;    /* seconds an echo exchange may last */
    long echo_rate;        /* echoed bytes per second */
    long echo_silence;     /* seconds an echo exchange may receive nothing */
    long sendq_hard;  /* KiB a client may have pending */
    long sendq_soft;  /* KiB pending for at most sendq_grace seconds */
    long sendq_grace; /* seconds */
    long sendq_total; /* MiB of all queues together */
};

enum options_result {
    OPTIONS_RUN = 0,   /* start the server */
    OPTIONS_EXIT = 1,  /* --help or --version was printed: exit 0 */
    OPTIONS_USAGE = 2, /* bad command line, reason in err: exit 2 */
};

/* Fills o with the defaults from common/limits.h. */
void options_defaults(struct chatd_options *o);

/* Parses argv into o (defaults first), range-checking every value.  --help
 * and --version print to out.  On OPTIONS_USAGE err says what was wrong,
 * quoting the bad value. */
enum options_result options_parse(int argc, char *const argv[], struct chatd_options *o, FILE *out,
                                  char *err, size_t errcap);

#endif
