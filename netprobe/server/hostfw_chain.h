/*
 * hostfw_chain.h - the chain walk both firewall parsers share (private to
 * hostfw*.c).
 *
 * A rule is boiled down to: does it apply to a new TCP connection to the
 * port from another machine, is it narrowed by something we do not model,
 * does it name the port, and what does it do.  The first rule of a chain
 * that decides wins, then the chain's policy.
 */
#ifndef NETPROBE_SERVER_HOSTFW_CHAIN_H
#define NETPROBE_SERVER_HOSTFW_CHAIN_H

#include <stdbool.h>

#include "netprobe/server/hostfw.h"

struct fw_rule {
    bool applies;
    bool conditional;
    bool names_port;
    bool has_verdict;
    enum hostfw_action action;
    char detail[96];
    long handle;
    unsigned families; /* HOSTFW_BOTH, narrowed by matches such as "meta nfproto ipv6" */
};

/* What tells the two directions apart, for both parsers. */
struct fw_direction {
    const char *nft_hook;  /* "input", "output" */
    const char *ipt_chain; /* "INPUT", "OUTPUT" */
    const char *nft_if[2]; /* meta keys naming the interface: "iif", "iifname" */
    const char *ipt_if[2]; /* options naming it: "-i", "--in-interface" */
};

/* The row for dir. */
const struct fw_direction *fw_direction_of(enum hostfw_direction dir);

struct fw_chain {
    char family[8], table[64], name[64];
    bool policy_drop;
    unsigned families; /* the traffic the chain sees (HOSTFW_IPV4/HOSTFW_IPV6) */
    unsigned decided;  /* the families a rule has decided so far */
};

/* Empties r and names where its rules came from ("nft", "iptables-save"). */
void fw_result_init(struct hostfw_result *r, const char *source);

/* Applies one rule to the chain's walk: a rule that names the port is
 * evidence even when conditional; a blanket drop decides too.  Each
 * family is decided apart: a rule for IPv6 leaves IPv4 to the next ones. */
void fw_chain_apply(struct hostfw_result *r, struct fw_chain *c, const struct fw_rule *rule);

/* After the last rule: the policy drop blocks the families still undecided. */
void fw_chain_finish(struct hostfw_result *r, struct fw_chain *c);

#endif
