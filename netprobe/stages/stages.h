/*
 * stages.h - the probe stages, each filling its part of struct evidence.
 *
 * Every stage function records its own status, summary, skip reason and
 * duration in ev->stages[ID]; it never decides the verdict and never prints.
 * The runner (stages/runner.h) decides the order, what runs in parallel, and what is
 * skipped because an earlier stage makes it pointless.
 */
#ifndef NETPROBE_STAGES_H
#define NETPROBE_STAGES_H

#include "netprobe/evidence.h"

/* Default bound for each network stage (--timeout), the one place it is
 * set.  A silently dropped port must get its verdict within 2 s, and Linux
 * sends its second SYN after 1 s, so 1.5 s sees two SYNs and leaves room
 * for the stages before tcp. */
#define STAGE_TIMEOUT_MS_DEFAULT 1500.0

/* Largest --timeout accepted, in seconds. */
#define STAGE_TIMEOUT_SEC_MAX 60

struct probe_opts {
    const char *host;
    int port;
    int family;                 /* 0 any, 4 or 6 (-4 / -6) */
    double timeout_ms;          /* bound for each network stage (--timeout) */
    bool no_icmp;               /* --no-icmp */
    size_t sizes[EV_SIZES_MAX]; /* echo payload sizes (--sizes) */
    size_t size_count;
};

void stage_host_setup_run(struct evidence *ev, const struct probe_opts *o);
void stage_dns_run(struct evidence *ev, const struct probe_opts *o);
void stage_icmp_run(struct evidence *ev, const struct probe_opts *o);
void stage_tcp_run(struct evidence *ev, const struct probe_opts *o);
/* app and echo use ev->tcp.attempts[ev->tcp.chosen]. */
void stage_app_run(struct evidence *ev, const struct probe_opts *o);
void stage_echo_run(struct evidence *ev, const struct probe_opts *o);

#endif
