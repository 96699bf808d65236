/*
 * tcpinfo.h - what the kernel knows about one TCP connection's sending
 * side (getsockopt TCP_INFO), reduced to what netprobe measures with.
 */
#ifndef NETPROBE_TCPINFO_H
#define NETPROBE_TCPINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tcpinfo_sample {
    uint64_t bytes_acked; /* payload bytes the peer acknowledged, ever */
    size_t unacked;       /* segments sent and not yet acknowledged */
    size_t notsent;       /* bytes queued that have not left yet */
    long peer_window;     /* the peer's advertised receive window, -1 if
                             the kernel is too old to say (before 5.4) */
};

/* Fills out from fd's TCP_INFO.  0, or -1 with errno set. */
int tcpinfo_read(int fd, struct tcpinfo_sample *out);

#endif
