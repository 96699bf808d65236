/*
 * trace.h - `netprobe --trace`: a TCP traceroute to the real port.
 *
 * For TTL 1, 2, ... an ordinary non-blocking TCP connect with IP_TTL (or
 * IPV6_UNICAST_HOPS) set; the router where the TTL runs out answers ICMP
 * time-exceeded, which the kernel queues on the socket's error queue
 * (IP_RECVERR), so no root is needed.  The walk ends when the target
 * answers (SYN-ACK or reset), a router says unreachable, or several hops
 * in a row stay silent: the last hop that answered before the silence is
 * where the packets die (usually the firewall or security group).
 */
#ifndef NETPROBE_TRACE_H
#define NETPROBE_TRACE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/addr.h"

#define TRACE_HOPS_MAX 30    /* the most hops probed */
#define TRACE_SILENT_LIMIT 3 /* silent hops in a row that end the walk */

enum trace_kind {
    TRACE_SILENT,         /* nothing came back within the hop timeout */
    TRACE_TIME_EXCEEDED,  /* a router on the way */
    TRACE_UNREACHABLE,    /* a router or the host said unreachable/prohibited */
    TRACE_REACHED_OPEN,   /* the target answered SYN-ACK */
    TRACE_REACHED_CLOSED, /* the target answered with a reset */
    TRACE_LOCAL_ERROR,    /* connect failed before sending (no route, EPERM) */
    TRACE_RELAYED,        /* SYN-ACK or reset to a TTL-1 probe for a target off this
                             link: a relay on the link (VirtualBox's NAT) made it */
};

struct trace_hop {
    int ttl;
    enum trace_kind kind;
    char from[ADDR_TEXT_MAX]; /* who answered, "" when silent */
    double rtt_ms;
    int icmp_type, icmp_code; /* for ICMP answers */
    char icmp_name[48];
    int err; /* errno for TRACE_LOCAL_ERROR */
};

struct trace_result {
    char target[ADDR_TEXT_MAX];
    int port;
    struct trace_hop hops[TRACE_HOPS_MAX];
    size_t hop_count;
    bool reached;        /* the target itself answered */
    int last_answer_ttl; /* last hop that answered, 0 if none did */
    char last_answer_from[ADDR_TEXT_MAX];
    const char *ended; /* "reached", "unreachable", "silence", "max_hops", "local_error",
                          "relay" */
};

struct trace_opts {
    const char *target; /* an IPv4 or IPv6 address in text form */
    int port;
    int max_hops;       /* 0: TRACE_HOPS_MAX */
    int hop_timeout_ms; /* 0: STAGE_TIMEOUT_MS_DEFAULT (covers one SYN retransmission) */
    /* The target is not on this machine's link (relay_target_on_link): no
     * packet with TTL 1 can reach it, so a handshake answer to such a probe
     * comes from a relay on the link, never from the target. */
    bool off_link;
};

/* Walks the path to target:port.  Returns 0, or -1 if target is not an
 * address (r->ended says so). */
int trace_run(const struct trace_opts *o, struct trace_result *r);

/* Turns hop h's answer into TRACE_RELAYED when it cannot be the target's:
 * an open or closed answer to TTL 1 while off_link.  The sender is then
 * unknown (from ""): the relay speaks with the target's address.  Pure;
 * trace_run() calls it for each hop. */
void trace_mark_relay(struct trace_hop *h, bool off_link);

/* "silent", "time-exceeded", "unreachable", "open", "closed", "local-error",
 * "relay". */
const char *trace_kind_name(enum trace_kind k);

#endif
