/*
 * hostfw.h - does this machine's own firewall stop new TCP connections to
 * a port, coming in (the server, --local) or going out (the client)?
 *
 * Reads `nft -j list ruleset` (falling back to `iptables-save` text) and
 * follows the base chains on the input hook (output hook) the way a new
 * connection from (to) another machine would: the first rule that decides
 * it wins, then the chain's policy.  Rules for loopback, for established/related/invalid
 * packets, for UDP or for other ports do not apply; rules narrowed by
 * something we do not model (a source address, another interface) are
 * reported as conditional.  Jumps to user chains are not followed.
 *
 * Every JSON field is type-checked before use (iperf3's CVE-2023-38403
 * came from trusting a JSON type): malformed input is an error, not a crash.
 */
#ifndef NETPROBE_HOSTFW_H
#define NETPROBE_HOSTFW_H

#include <stdbool.h>
#include <stddef.h>

#define HOSTFW_HITS_MAX 16 /* rules kept as evidence; later ones are counted only */

/* Address families a rule or a block is for (bits): an nft ip table sees
 * IPv4 only, ip6 IPv6 only, inet both until "meta nfproto" narrows a rule;
 * iptables-save lists IPv4 rules only. */
#define HOSTFW_IPV4 1u
#define HOSTFW_IPV6 2u
#define HOSTFW_BOTH (HOSTFW_IPV4 | HOSTFW_IPV6)

/* Which way the connection goes: to this machine's port (INPUT chains), or
 * from this machine to a port elsewhere (OUTPUT chains). */
enum hostfw_direction {
    HOSTFW_INCOMING,
    HOSTFW_OUTGOING,
};

/* Work bounds of the two parsers (docs/fuzzing.md has the table and the
 * test of each).  Their input is capped by COMMAND_OUTPUT_MAX (command.h). */
#define HOSTFW_CHAINS_MAX 32          /* nft input base chains followed; more: error */
#define HOSTFW_NFT_DEPTH_MAX 8        /* nft set/list nesting followed; deeper never matches */
#define HOSTFW_NFT_STEPS_MAX 1000000L /* nft set lookup steps per rule set; then an error */
#define HOSTFW_IPT_LINE_MAX 4096      /* iptables-save line buffer (with its NUL); longer: error */
#define HOSTFW_IPT_WORDS_MAX 64       /* words in one iptables-save rule; more: error */

enum hostfw_action {
    HOSTFW_ACCEPT,
    HOSTFW_DROP,
    HOSTFW_REJECT,
};

/* One rule (or chain policy) that decides, or may decide, the port. */
struct hostfw_hit {
    char family[8]; /* "inet", "ip", "ip6"; "" for iptables */
    char table[64];
    char chain[64];
    long handle; /* nft rule handle or iptables rule number; -1 for a policy */
    enum hostfw_action action;
    char detail[96]; /* "drop", "reject with icmpx admin-prohibited", "policy drop" */
    bool conditional;
    unsigned families; /* HOSTFW_IPV4/HOSTFW_IPV6: the traffic it decides */
};

struct hostfw_result {
    char source[16];     /* "nft", "iptables-save", "ip(6)tables" (with ip6tables-save's
                            rules), "" when nothing could be read */
    bool available;      /* a rule set was read and understood */
    char reason[256];    /* why not available, when !available */
    bool blocks;         /* an input chain drops/rejects every new connection to the port */
    bool may_block;      /* only rules narrowed by conditions do */
    size_t input_chains; /* base chains on the direction's hook (input or output) */
    struct hostfw_hit hits[HOSTFW_HITS_MAX];
    size_t hit_count;
    size_t hits_dropped;
    /* HOSTFW_IPV4/HOSTFW_IPV6: the families for which an input chain drops
     * or rejects every new connection to the port (blocks: any of them). */
    unsigned blocks_families;
};

/* Parses the output of `nft -j list ruleset` for TCP port.  Returns 0, or
 * -1 with err saying what is wrong and where ("nftables[3].rule.expr is
 * not an array"). */
int hostfw_parse_nft(const char *json, int port, struct hostfw_result *out, char *err,
                     size_t errcap);

/* The same for the text of `iptables-save` (filter table, INPUT chain). */
int hostfw_parse_iptables(const char *text, int port, struct hostfw_result *out, char *err,
                          size_t errcap);

/* The same for `ip6tables-save`: its rules decide IPv6 only. */
int hostfw_parse_ip6tables(const char *text, int port, struct hostfw_result *out, char *err,
                           size_t errcap);

/* Adds v6 (ip6tables-save's result) to out (iptables-save's): the hits,
 * the blocks and the chains of both, the source "iptables-save +
 * ip6tables-save". */
void hostfw_merge(struct hostfw_result *out, const struct hostfw_result *v6);

/* The parsers for either direction (the functions above are
 * HOSTFW_INCOMING). */
int hostfw_parse_nft_dir(const char *json, enum hostfw_direction dir, int port,
                         struct hostfw_result *out, char *err, size_t errcap);
int hostfw_parse_iptables_dir(const char *text, enum hostfw_direction dir, int port,
                              struct hostfw_result *out, char *err, size_t errcap);
int hostfw_parse_ip6tables_dir(const char *text, enum hostfw_direction dir, int port,
                               struct hostfw_result *out, char *err, size_t errcap);

/* Runs nft, else iptables-save and ip6tables-save, each bounded to
 * timeout_ms, and parses the output.  Never fails: when nothing can be
 * read, out->available is false and out->reason says why (not installed,
 * needs root, ...). */
void hostfw_read(int port, int timeout_ms, struct hostfw_result *out);

/* hostfw_read() for either direction. */
void hostfw_read_dir(enum hostfw_direction dir, int port, int timeout_ms,
                     struct hostfw_result *out);

/* "accept", "drop", "reject". */
const char *hostfw_action_name(enum hostfw_action a);

#endif
