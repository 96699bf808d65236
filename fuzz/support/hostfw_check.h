/*
 * hostfw_check.h - the invariants of a firewall reading (netprobe's
 * hostfw_result), shared by the nft and iptables-save targets.
 */
#ifndef FUZZ_SUPPORT_HOSTFW_CHECK_H
#define FUZZ_SUPPORT_HOSTFW_CHECK_H

#include "netprobe/server/hostfw.h" /* and its bounds, HOSTFW_IPT_LINE_MAX ... */

/* Checks one result: a failure (rc -1) has a reason; a success is
 * available, from source, with bounded, well-formed hits, and "blocks" /
 * "may_block" each backed by a hit (or by hits past the kept ones). */
void hostfw_check_result(int rc, const struct hostfw_result *r, const char *err,
                         const char *source);

/* Checks that two readings of the same input agree in every field. */
void hostfw_check_same(int rc1, const struct hostfw_result *a, const char *err1, int rc2,
                       const struct hostfw_result *b, const char *err2);

#endif
