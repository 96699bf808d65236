#define _GNU_SOURCE /* EAI_NODATA */

#include "netprobe/wire/reason.h"

#include <errno.h>
#include <netdb.h>
#include <stddef.h>
#include <sys/socket.h>

struct icmp_row {
    int family, type, code; /* code -1 matches any code */
    const char *name;
};

/* nmap's reason names where nmap has one (nmap/reason.cc). */
static const struct icmp_row ICMP_ROWS[] = {
    {AF_INET, 0, -1, "echo-reply"},
    {AF_INET, 3, 0, "net-unreach"},
    {AF_INET, 3, 1, "host-unreach"},
    {AF_INET, 3, 2, "proto-unreach"},
    {AF_INET, 3, 3, "port-unreach"},
    {AF_INET, 3, 4, "frag-needed"},
    {AF_INET, 3, 6, "net-unknown"},
    {AF_INET, 3, 7, "host-unknown"},
    {AF_INET, 3, 9, "net-prohibited"},
    {AF_INET, 3, 10, "host-prohibited"},
    {AF_INET, 3, 11, "net-tos-unreach"},
    {AF_INET, 3, 12, "host-tos-unreach"},
    {AF_INET, 3, 13, "admin-prohibited"},
    {AF_INET, 3, -1, "unreach"},
    {AF_INET, 4, -1, "source-quench"},
    {AF_INET, 5, -1, "redirect"},
    {AF_INET, 11, -1, "time-exceeded"},
    {AF_INET, 12, -1, "param-problem"},
    {AF_INET6, 1, 0, "net-unreach"}, /* no route to destination */
    {AF_INET6, 1, 1, "admin-prohibited"},
    {AF_INET6, 1, 3, "host-unreach"}, /* address unreachable */
    {AF_INET6, 1, 4, "port-unreach"},
    {AF_INET6, 1, 5, "admin-prohibited"}, /* source address failed policy */
    {AF_INET6, 1, 6, "net-prohibited"},   /* reject route */
    {AF_INET6, 1, -1, "unreach"},
    {AF_INET6, 2, -1, "packet-too-big"},
    {AF_INET6, 3, -1, "time-exceeded"},
    {AF_INET6, 4, -1, "param-problem"},
    {AF_INET6, 129, -1, "echo-reply"},
};

const char *reason_icmp(int family, int type, int code)
{
    for (size_t i = 0; i < sizeof ICMP_ROWS / sizeof ICMP_ROWS[0]; i++) {
        const struct icmp_row *r = &ICMP_ROWS[i];
        if (r->family == family && r->type == type && (r->code == -1 || r->code == code))
            return r->name;
    }
    return "icmp-error";
}

enum when { ANY, AT_CONNECT, LATER };

struct errno_row {
    int err;
    enum when when;
    enum tcp_state state;
    const char *reason;
};

/* First match wins.  An unreachable error from connect() itself means the
 * kernel had no route and sent nothing; the same errno later, with no ICMP
 * behind it, means the neighbour (ARP/ND) never answered. */
static const struct errno_row ERRNO_ROWS[] = {
    {ECONNREFUSED, ANY, TCP_STATE_CLOSED, "reset"},
    /* A reset answering the SYN is ECONNREFUSED; ECONNRESET means the
     * handshake had completed and the server reset the connection after
     * (before we looked): the port answered. */
    {ECONNRESET, ANY, TCP_STATE_OPEN, "syn-ack"},
    {ETIMEDOUT, ANY, TCP_STATE_FILTERED, "no-response"},
    {ENETUNREACH, AT_CONNECT, TCP_STATE_ERROR, "no-route"},
    {EHOSTUNREACH, AT_CONNECT, TCP_STATE_ERROR, "no-route"},
    {ENETUNREACH, LATER, TCP_STATE_FILTERED, "net-unreach"},
    {EHOSTUNREACH, LATER, TCP_STATE_FILTERED, "host-unreach"},
    {EHOSTDOWN, ANY, TCP_STATE_FILTERED, "host-unreach"},
    {EPERM, ANY, TCP_STATE_ERROR, "local-firewall"},
    {EACCES, ANY, TCP_STATE_ERROR, "local-firewall"},
    {EADDRNOTAVAIL, ANY, TCP_STATE_ERROR, "no-source-address"},
    {EAFNOSUPPORT, ANY, TCP_STATE_ERROR, "family-unsupported"},
};

void reason_errno(int err, bool at_connect, enum tcp_state *state, const char **reason)
{
    for (size_t i = 0; i < sizeof ERRNO_ROWS / sizeof ERRNO_ROWS[0]; i++) {
        const struct errno_row *r = &ERRNO_ROWS[i];
        if (r->err == err && (r->when == ANY || (r->when == AT_CONNECT) == at_connect)) {
            *state = r->state;
            *reason = r->reason;
            return;
        }
    }
    *state = TCP_STATE_ERROR;
    *reason = "local-error";
}

struct gai_row {
    int code;
    enum dns_outcome outcome;
};

static const struct gai_row GAI_ROWS[] = {
    {0, DNS_OK},
    {EAI_NONAME, DNS_NXDOMAIN},
    {EAI_AGAIN, DNS_NO_ANSWER},
#ifdef EAI_NODATA
    {EAI_NODATA, DNS_OTHER_FAILURE}, /* the name exists, without addresses */
#endif
    {EAI_FAIL, DNS_OTHER_FAILURE},
};

enum dns_outcome reason_gai(int gai_code)
{
    for (size_t i = 0; i < sizeof GAI_ROWS / sizeof GAI_ROWS[0]; i++)
        if (GAI_ROWS[i].code == gai_code)
            return GAI_ROWS[i].outcome;
    return DNS_OTHER_FAILURE;
}
