/*
 * errqueue.h - ICMP errors from a socket's error queue (IP_RECVERR).
 *
 * With IP_RECVERR/IPV6_RECVERR set, the kernel keeps the ICMP error that
 * killed a connect() (or answered a datagram) on the socket's error queue,
 * with its type, code and the router or host that sent it.  That is what
 * tells "the port is closed" (a TCP reset, nothing queued) from "a firewall
 * said no" (ICMP admin-prohibited from a router).
 */
#ifndef NETPROBE_ERRQUEUE_H
#define NETPROBE_ERRQUEUE_H

#include "netprobe/evidence.h"

/* Turns on IP_RECVERR (and IPV6_RECVERR for family AF_INET6).  0 or -1. */
int errqueue_enable(int fd, int family);

/* Drains fd's error queue without blocking and fills out from the first
 * ICMP error in it.  Returns 1 if one was found, 0 if none, -1 on error. */
int errqueue_read(int fd, struct ev_icmp_error *out);

#endif
