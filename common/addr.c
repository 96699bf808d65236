#include "common/addr.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

int addr_format(const struct sockaddr *sa, char text[ADDR_TEXT_MAX], int *port)
{
    int p = 0;
    const void *raw = NULL;
    int family = sa->sa_family;
    struct in_addr v4;

    if (family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        raw = &in->sin_addr;
        p = ntohs(in->sin_port);
    } else if (family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        p = ntohs(in6->sin6_port);
        raw = &in6->sin6_addr;
        /* A dual-stack listener sees IPv4 peers as ::ffff:a.b.c.d. */
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
            memcpy(&v4, &in6->sin6_addr.s6_addr[12], sizeof v4);
            raw = &v4;
            family = AF_INET;
        }
    }
    if (port != NULL)
        *port = p;
    if (raw == NULL || inet_ntop(family, raw, text, ADDR_TEXT_MAX) == NULL) {
        snprintf(text, ADDR_TEXT_MAX, "?");
        return -1;
    }
    return 0;
}

void addr_format_endpoint(const struct sockaddr *sa, char *out, size_t cap)
{
    char text[ADDR_TEXT_MAX];
    int port = 0;
    addr_format(sa, text, &port);
    snprintf(out, cap, "%s port %d", text, port);
}
