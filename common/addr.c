#define _GNU_SOURCE /* memmem() */
#include "common/addr.h"

#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"

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

int addr_parse(const char *text, int port, struct sockaddr_storage *ss, socklen_t *len)
{
    struct sockaddr_in *in = (struct sockaddr_in *)ss;
    if (port < 0 || port > 65535)
        return -1;
    memset(ss, 0, sizeof *ss);
    /* inet_pton() takes only the dotted quad: "1.2.3" is a typo, not 1.2.0.3. */
    if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        *len = sizeof *in;
        return 0;
    }
    /* getaddrinfo() for IPv6, because it also understands a zone
     * ("fe80::1%eth0"); AI_NUMERICHOST keeps it from resolving names. */
    struct addrinfo hints = {.ai_family = AF_INET6,
                             .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    char service[8];
    snprintf(service, sizeof service, "%d", port);
    if (getaddrinfo(text, service, &hints, &res) != 0)
        return -1;
    int rc = -1;
    if (res->ai_addrlen <= sizeof *ss) {
        memcpy(ss, res->ai_addr, res->ai_addrlen);
        *len = res->ai_addrlen;
        rc = 0;
    }
    freeaddrinfo(res);
    return rc;
}

/* A port typed by a person: 1-65535, digits only.  Returns it or -1. */
static int parse_port(const char *s, size_t n)
{
    long v = 0;
    if (n == 0 || n > 5)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v >= 1 && v <= 65535 ? (int)v : -1;
}

/* Copies n bytes of s into host as a string.  Returns 0, or -1 if it does
 * not fit or is empty. */
static int copy_host(const char *s, size_t n, char *host, size_t cap)
{
    if (n == 0 || n >= cap)
        return -1;
    memcpy(host, s, n);
    host[n] = '\0';
    return 0;
}

int addr_split_target(const char *arg, char *host, size_t cap, int *port, char *err,
                      size_t errcap)
{
    while (isspace((unsigned char)*arg))
        arg++;
    size_t n = strlen(arg);
    while (n > 0 && isspace((unsigned char)arg[n - 1]))
        n--;
    const char *colon = memchr(arg, ':', n), *rb = NULL, *h = arg, *p = NULL;
    size_t hn = n;
    if (n >= 3 && memmem(arg, n, "://", 3) != NULL) {
        snprintf(err, errcap,
                 _("\"%.*s\" is a URL; give the server's address and port instead, for "
                   "example 13.58.224.87 8888 or 13.58.224.87:8888"),
                 (int)(n > 200 ? 200 : n), arg);
        return -1;
    }
    if (n > 0 && arg[0] == '[') {
        rb = memchr(arg, ']', n);
        if (rb == NULL || (rb + 1 < arg + n && rb[1] != ':') || rb + 2 == arg + n)
            goto bad;
        h = arg + 1;
        hn = (size_t)(rb - h);
        p = rb + 1 < arg + n ? rb + 2 : NULL;
    } else if (colon != NULL && memchr(colon + 1, ':', n - (size_t)(colon + 1 - arg)) == NULL) {
        h = arg; /* one colon: HOST:PORT (more than one: a bare IPv6 address) */
        hn = (size_t)(colon - arg);
        p = colon + 1;
    }
    if (copy_host(h, hn, host, cap) < 0)
        goto bad;
    if (p == NULL)
        return 0;
    int v = parse_port(p, (size_t)(arg + n - p));
    if (v < 0)
        goto bad;
    *port = v;
    return 1;
bad:
    snprintf(err, errcap,
             _("\"%.*s\" is not a server address; use HOST, HOST:PORT or [IPv6]:PORT, for "
               "example 13.58.224.87:8888 (ports are 1 to 65535)"),
             (int)(n > 200 ? 200 : n), arg);
    return -1;
}
