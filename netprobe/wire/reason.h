/*
 * reason.h - code-to-name tables for what the network told us.
 *
 * ICMP type/code and errno values become nmap's vocabulary ("reset",
 * "admin-prohibited", "no-route", ...), getaddrinfo() codes become a DNS
 * outcome.  Pure lookups: the tables are tested one row at a time.
 */
#ifndef NETPROBE_REASON_H
#define NETPROBE_REASON_H

#include <stdbool.h>

#include "netprobe/evidence.h"

/* nmap's name for an ICMP (family AF_INET) or ICMPv6 (AF_INET6) message,
 * e.g. type 3 code 13 -> "admin-prohibited"; "icmp-error" if unlisted. */
const char *reason_icmp(int family, int type, int code);

/* Classifies a failed TCP connect from its errno when no ICMP error
 * explains it.  at_connect is true when connect() itself failed, before
 * any SYN left (a local route or firewall decision). */
void reason_errno(int err, bool at_connect, enum tcp_state *state, const char **reason);

/* The DNS outcome for a getaddrinfo() error code (EAI_*). */
enum dns_outcome reason_gai(int gai_code);

#endif
