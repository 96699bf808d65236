/*
 * netprobe_loopback.h - loopback sockets for netprobe's server-side
 * integration tests (header-only, static helpers).  Everything binds to
 * port 0 so tests can run side by side.
 */
#ifndef TESTS_NETPROBE_LOOPBACK_H
#define TESTS_NETPROBE_LOOPBACK_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* A listening TCP socket on addr (IPv4 or IPv6 text) port 0.  Returns the
 * fd and its port in *port, or -1. */
static inline int lb_listen(const char *addr, int *port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int family = strchr(addr, ':') != NULL ? AF_INET6 : AF_INET, one = 1;
    memset(&ss, 0, sizeof ss);
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        in->sin_family = AF_INET;
        if (inet_pton(AF_INET, addr, &in->sin_addr) != 1)
            return -1;
        len = sizeof *in;
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        in6->sin6_family = AF_INET6;
        if (inet_pton(AF_INET6, addr, &in6->sin6_addr) != 1)
            return -1;
        len = sizeof *in6;
    }
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct timeval tv = {5, 0}; /* accept() gives up after 5 s: tests never hang */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 16) < 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                    : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return fd;
}

/* A loopback port nobody listens on (bound, then closed).  -1 on error. */
static inline int lb_closed_port(const char *addr)
{
    int port = -1;
    int fd = lb_listen(addr, &port);
    if (fd < 0)
        return -1;
    close(fd);
    return port;
}

/* A blocking connect to addr:port.  Returns the fd or -1. */
static inline int lb_connect(const char *addr, int port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int family = strchr(addr, ':') != NULL ? AF_INET6 : AF_INET;
    memset(&ss, 0, sizeof ss);
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        inet_pton(AF_INET, addr, &in->sin_addr);
        len = sizeof *in;
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        inet_pton(AF_INET6, addr, &in6->sin6_addr);
        len = sizeof *in6;
    }
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct timeval tv = {5, 0}; /* connect() gives up after 5 s */
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Whether this machine has a usable ::1. */
static inline int lb_have_ipv6(void)
{
    int port;
    int fd = lb_listen("::1", &port);
    if (fd < 0)
        return 0;
    close(fd);
    return 1;
}

#endif
