/*
 * imds.h - this EC2 instance's public IPv4 address, from the instance
 * metadata service (IMDSv2), for `netprobe --local` without --public.
 *
 * IMDSv2 is two HTTP requests to 169.254.169.254 port 80: PUT
 * /latest/api/token (header X-aws-ec2-metadata-token-ttl-seconds) returns a
 * session token; GET /latest/meta-data/public-ipv4 with that token
 * (header X-aws-ec2-metadata-token) returns the address.  Off EC2 the
 * address usually has no route, is refused or never answers: the whole
 * exchange is bounded by one budget, and a failure is a sentence for the
 * evidence, never a message of its own.
 */
#ifndef NETPROBE_SERVER_IMDS_H
#define NETPROBE_SERVER_IMDS_H

#include <stddef.h>

#include "common/addr.h"

#define IMDS_ADDRESS "169.254.169.254"
#define IMDS_PORT 80
#define IMDS_BUDGET_MS 1000    /* both requests together */
#define IMDS_RESPONSE_MAX 4096 /* bytes of one HTTP response read; more: an error */
#define IMDS_TOKEN_MAX 256     /* bytes of a session token (AWS's are 56) */
#define IMDS_TOKEN_TTL_S 60    /* the token is used at once, then dropped */

/* The two requests of IMDSv2. */
enum imds_request {
    IMDS_TOKEN,       /* PUT /latest/api/token: the answer is a session token */
    IMDS_PUBLIC_IPV4, /* GET /latest/meta-data/public-ipv4: an IPv4 address */
};

/* Reads the service's answer (raw, len bytes, as received) to request:
 * the HTTP status line, then the body, checked (a token of 1..
 * IMDS_TOKEN_MAX printable bytes without blanks; one whole IPv4 address)
 * into out (outcap bytes).  Returns 0, or -1 with why saying what was
 * wrong.  Pure: the fuzz target fuzz/netprobe_imds.c calls it. */
int imds_read_answer(enum imds_request request, const char *raw, size_t len, char *out,
                     size_t outcap, char *why, size_t whycap);

/* Asks the metadata service at address:port (IMDS_ADDRESS, IMDS_PORT
 * outside tests) for a token, then for public-ipv4, all within budget_ms.
 * Returns 0 with out holding the address, or -1 with why saying what
 * happened ("no answer within 1000 ms", "Connection refused", "the instance
 * has no public IPv4 address").  Prints nothing. */
int imds_public_ipv4(const char *address, int port, int budget_ms, char out[ADDR_TEXT_MAX],
                     char *why, size_t whycap);

#endif
