/*
 * families.h - what each address family (IPv4, IPv6) did in one run.
 *
 * A dual-stack name has two ways in, and they fail apart: a security group
 * rule for 0.0.0.0/0 but not ::/0, chatd bound to 0.0.0.0, a firewall rule
 * for one family, a machine with no IPv6 route.  This module boils the tcp
 * stage's attempts down to one result per family, the one place where
 * "this family worked / failed on the way / never left this machine" is
 * decided.  The verdict rules (ipv6_broken, ipv4_broken, no_route's IPv6
 * case), the human output and the report all read it.  Pure: no I/O.
 */
#ifndef NETPROBE_FAMILIES_H
#define NETPROBE_FAMILIES_H

#include <stdbool.h>
#include <stddef.h>

#include "netprobe/evidence.h"

/* The two families, in the order they are shown. */
enum family_index { FAMILY_IPV4, FAMILY_IPV6, FAMILY_COUNT };

/* Bits for a set of families (struct verdict's families). */
#define FAMILY_BIT(i) (1u << (i))

enum family_outcome {
    FAMILY_NO_ADDRESS, /* the name has no address of this family */
    FAMILY_NOT_TRIED,  /* left out by -4/-6, or addresses but no attempt (no tcp stage) */
    FAMILY_NOT_SENT,   /* every attempt failed on this machine: nothing left (no route) */
    FAMILY_FAILED,     /* SYNs left and no address of the family completed a handshake */
    FAMILY_CONNECTED,  /* a handshake completed */
};

struct family_result {
    enum family_index family;
    size_t addresses; /* resolved addresses of the family (or attempts, for a literal) */
    size_t attempts;  /* tcp attempts to them */
    enum family_outcome outcome;
    int attempt; /* the attempt that stands for the family (ev->tcp.attempts), -1 none */
    bool used;   /* the later stages (hello, echo) ran over this family */
};

/* One result per family, in enum family_index order. */
void families_summarise(const struct evidence *ev, struct family_result out[FAMILY_COUNT]);

/* The family of an AF_INET / AF_INET6 value; FAMILY_COUNT for another. */
enum family_index families_of(int af);

/* True when attempt a left this machine (a SYN went out and met the
 * target or the way to it): not a local error, not a missing route here. */
bool families_attempt_left(const struct ev_tcp_attempt *a);

/* "ipv4", "ipv6" (report), "IPv4", "IPv6" (people). */
const char *family_code(enum family_index f);
const char *family_label(enum family_index f);

/* "no_address", "not_tried", "not_sent", "failed", "connected". */
const char *family_outcome_name(enum family_outcome o);

#endif
