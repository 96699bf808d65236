/*
 * dns.h - the parts of the dns stage that do no I/O, for tests.
 */
#ifndef NETPROBE_DNS_H
#define NETPROBE_DNS_H

#include <stdbool.h>
#include <stdio.h>

#include "netprobe/evidence.h"

/* True if a resolv.conf-format stream names at least one nameserver. */
bool dns_has_nameserver(FILE *resolv_conf);

/* The outcome for a getaddrinfo() result code (0 = success), or a lookup
 * that did not finish in time, given whether a nameserver is configured. */
enum dns_outcome dns_classify(int gai_rc, bool timed_out, bool has_nameserver);

#endif
