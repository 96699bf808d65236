/*
 * addrclass.h - what kind of address a student is looking at.
 *
 * The classes tell the advice apart: a private source address means NAT on
 * the way out, 100.64/10 means carrier-grade NAT, 192.0.2/24 and friends are
 * only ever seen in documentation and our lab.
 */
#ifndef NETPROBE_ADDRCLASS_H
#define NETPROBE_ADDRCLASS_H

#include <stdbool.h>

#include "netprobe/evidence.h"

/* Classifies an IPv4 or IPv6 address in text form (IPv4-mapped IPv6 as its
 * IPv4 address).  ADDR_UNKNOWN for text that is not an address and for the
 * unspecified and multicast ranges. */
enum addr_class addrclass_of(const char *text);

/* True if text is an IPv4 address inside prefix/len (prefix in text form). */
bool addrclass_in_v4(const char *text, const char *prefix, int len);

#endif
