/* Unit tests for netprobe/reason.c: ICMP, errno and getaddrinfo codes to
 * the names the report uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>

#include "netprobe/wire/reason.h"

struct icmp_case {
    int family, type, code;
    const char *name;
};

static const struct icmp_case icmp_cases[] = {
    {AF_INET, 3, 0, "net-unreach"},
    {AF_INET, 3, 1, "host-unreach"},
    {AF_INET, 3, 3, "port-unreach"},
    {AF_INET, 3, 4, "frag-needed"},
    {AF_INET, 3, 9, "net-prohibited"},
    {AF_INET, 3, 10, "host-prohibited"},
    {AF_INET, 3, 13, "admin-prohibited"},
    {AF_INET, 3, 15, "unreach"}, /* precedence cutoff: no nmap name */
    {AF_INET, 11, 0, "time-exceeded"},
    {AF_INET, 0, 0, "echo-reply"},
    {AF_INET, 42, 0, "icmp-error"},
    {AF_INET6, 1, 0, "net-unreach"},
    {AF_INET6, 1, 1, "admin-prohibited"},
    {AF_INET6, 1, 3, "host-unreach"},
    {AF_INET6, 1, 4, "port-unreach"},
    {AF_INET6, 1, 6, "net-prohibited"},
    {AF_INET6, 2, 0, "packet-too-big"},
    {AF_INET6, 3, 0, "time-exceeded"},
    {AF_INET6, 129, 0, "echo-reply"},
    {AF_INET6, 3, 13, "time-exceeded"},
    {AF_INET6, 13, 3, "icmp-error"}, /* v4 numbers mean nothing in v6 */
};

static void icmp_type_and_code_name_the_reason(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof icmp_cases / sizeof icmp_cases[0]; i++) {
        const struct icmp_case *c = &icmp_cases[i];
        const char *got = reason_icmp(c->family, c->type, c->code);
        if (strcmp(got, c->name) != 0)
            fail_msg("family %d type %d code %d: got %s, want %s", c->family, c->type, c->code, got,
                     c->name);
    }
}

struct errno_case {
    int err;
    bool at_connect;
    enum tcp_state state;
    const char *reason;
};

static const struct errno_case errno_cases[] = {
    {ECONNREFUSED, false, TCP_STATE_CLOSED, "reset"},
    {ECONNREFUSED, true, TCP_STATE_CLOSED, "reset"},
    {ECONNRESET, false, TCP_STATE_OPEN, "syn-ack"}, /* reset after the handshake */
    {ETIMEDOUT, false, TCP_STATE_FILTERED, "no-response"},
    {ENETUNREACH, true, TCP_STATE_ERROR, "no-route"},
    {EHOSTUNREACH, true, TCP_STATE_ERROR, "no-route"},
    {ENETUNREACH, false, TCP_STATE_FILTERED, "net-unreach"},
    {EHOSTUNREACH, false, TCP_STATE_FILTERED, "host-unreach"},
    {EPERM, true, TCP_STATE_ERROR, "local-firewall"},
    {EPERM, false, TCP_STATE_ERROR, "local-firewall"},
    {EACCES, true, TCP_STATE_ERROR, "local-firewall"},
    {EADDRNOTAVAIL, true, TCP_STATE_ERROR, "no-source-address"},
    {EMFILE, true, TCP_STATE_ERROR, "local-error"},
};

static void errno_names_tcp_state_and_reason(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof errno_cases / sizeof errno_cases[0]; i++) {
        const struct errno_case *c = &errno_cases[i];
        enum tcp_state st = TCP_STATE_UNKNOWN;
        const char *reason = NULL;
        reason_errno(c->err, c->at_connect, &st, &reason);
        if (st != c->state || reason == NULL || strcmp(reason, c->reason) != 0)
            fail_msg("%s (at_connect %d): got %s/%s, want %s/%s", strerror(c->err), c->at_connect,
                     tcp_state_name(st), reason ? reason : "(null)", tcp_state_name(c->state),
                     c->reason);
    }
}

struct gai_case {
    int code;
    enum dns_outcome outcome;
};

static const struct gai_case gai_cases[] = {
    {0, DNS_OK},
    {EAI_NONAME, DNS_NXDOMAIN},
    {EAI_AGAIN, DNS_NO_ANSWER},
    {EAI_FAIL, DNS_OTHER_FAILURE},
    {EAI_MEMORY, DNS_OTHER_FAILURE},
    {EAI_SYSTEM, DNS_OTHER_FAILURE},
};

static void gai_codes_name_the_dns_outcome(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof gai_cases / sizeof gai_cases[0]; i++) {
        enum dns_outcome got = reason_gai(gai_cases[i].code);
        if (got != gai_cases[i].outcome)
            fail_msg("gai %d: got %s, want %s", gai_cases[i].code, dns_outcome_name(got),
                     dns_outcome_name(gai_cases[i].outcome));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(icmp_type_and_code_name_the_reason),
        cmocka_unit_test(errno_names_tcp_state_and_reason),
        cmocka_unit_test(gai_codes_name_the_dns_outcome),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
