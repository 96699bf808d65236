/* listen.c - the listening sockets: open, register, pause, close. */
#include "chatd/listen.h"

#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/addr.h"
#include "common/i18n.h"
#include "common/log.h"

/* Explains a failed bind()/listen() so a student knows what to do. */
static void listen_error(const char *addr, long port, int err)
{
    if (err == EADDRNOTAVAIL)
        errorf(_("cannot listen on %s port %ld: that address is not on this machine. On EC2 the "
                 "public IP is never on the instance (AWS translates it to the private one); "
                 "leave out --bind to listen on all addresses, or use --bind 0.0.0.0"),
               addr, port);
    else if (err == EADDRINUSE)
        errorf(_("cannot listen on %s port %ld: the port is already in use by another program; "
                 "see which with: ss -ltnp 'sport = :%ld'  then stop it or choose another --port"),
               addr, port, port);
    else if (err == EACCES)
        errorf(_("cannot listen on %s port %ld: ports below 1024 need root; use a port such as "
                 "8888"),
               addr, port);
    else
        errorf(_("cannot listen on %s port %ld: %s"), addr, port, strerror(err));
}

/* Opens a listening socket on address ss (its port 0 picks one).  Returns
 * the fd or a negative errno. */
static int listen_one(const struct sockaddr_storage *ss, socklen_t len, bool v6only)
{
    int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int one = 1;
    /* Best effort: without it a restart waits out TIME_WAIT, nothing worse. */
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if ((v6only && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0) ||
        bind(fd, (const struct sockaddr *)ss, len) < 0 || listen(fd, SOMAXCONN) < 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    return fd;
}

/* Registers a listening socket and says where it listens.  Returns its
 * port, or -1 (fd closed). */
static int add_listener(struct server *s, int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0 ||
        epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        errorf("%s: %s", __func__, strerror(errno));
        close(fd);
        return -1;
    }
    struct hello_endpoint *ep = &s->listen_ep[s->nlisten];
    s->listen_fd[s->nlisten++] = fd;
    addr_format((struct sockaddr *)&ss, ep->address, &ep->port);
    /* Not translated: scripts and tests read the port from this line. */
    infof("listening on %s port %d", ep->address, ep->port);
    return ep->port;
}

/* Opens, registers and announces one listener on text at port.  Returns
 * its port, or -1 after saying why; *err gets the errno of a failed
 * socket()/bind()/listen() (0 otherwise) so the caller may excuse it. */
static int listen_at(struct server *s, const char *text, int port, bool v6only, bool quiet_af,
                     int *err)
{
    struct sockaddr_storage ss;
    socklen_t len;
    *err = 0;
    if (addr_parse(text, port, &ss, &len) < 0) {
        /* options.c accepted it with the same parser: only a bug gets here. */
        listen_error(text, port, EINVAL);
        return -1;
    }
    int fd = listen_one(&ss, len, v6only);
    if (fd < 0) {
        *err = -fd;
        if (!(quiet_af && (*err == EAFNOSUPPORT || *err == EADDRNOTAVAIL)))
            listen_error(text, port, *err);
        return -1;
    }
    return add_listener(s, fd);
}

static bool is_loopback(const char *text)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (addr_parse(text, 0, &ss, &len) < 0)
        return false;
    if (ss.ss_family == AF_INET)
        return (ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >> 24) == 127;
    return IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&ss)->sin6_addr);
}

/* --bind ADDR: one socket on that address. */
static int listen_bound(struct server *s)
{
    int err;
    if (listen_at(s, s->opt->bind, (int)s->opt->port, false, false, &err) < 0)
        return -1;
    if (is_loopback(s->opt->bind))
        warnf("%s", _("listening on loopback only: other machines cannot reach this server; "
                      "use --bind 0.0.0.0 or leave out --bind to accept them"));
    return 0;
}

/* Default: IPv4 0.0.0.0 and IPv6 :: (V6ONLY) on the same port. */
static int listen_everywhere(struct server *s)
{
    int err;
    int port = listen_at(s, "0.0.0.0", (int)s->opt->port, false, false, &err);
    if (port < 0)
        return -1;
    if (listen_at(s, "::", port, true, true, &err) >= 0)
        return 0;
    if (err == EAFNOSUPPORT || err == EADDRNOTAVAIL) {
        warnf(_("IPv6 is not available on this machine (%s); listening on IPv4 only"),
              strerror(err));
        return 0;
    }
    return -1;
}

/* Which address families the listeners accept: an IPv6 socket on :: that
 * is not V6ONLY takes IPv4 too (as IPv4-mapped addresses). */
static void listen_families(const struct server *s, bool *v4, bool *v6)
{
    *v4 = *v6 = false;
    for (size_t i = 0; i < s->nlisten; i++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        int v6only = 1;
        socklen_t olen = sizeof v6only;
        if (getsockname(s->listen_fd[i], (struct sockaddr *)&ss, &len) < 0)
            continue; /* add_listener() read it a moment ago; nothing to say about it */
        if (ss.ss_family == AF_INET) {
            *v4 = true;
            continue;
        }
        *v6 = true;
        if (IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr) &&
            getsockopt(s->listen_fd[i], IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &olen) == 0 && !v6only)
            *v4 = true;
    }
}

/* An IPv6 address other machines could reach: not loopback, link-local,
 * unique-local (fc00::/7), multicast or IPv4-mapped.  Documentation
 * addresses (2001:db8::/32) count, as the lab and the tests use them. */
static bool is_global_v6(const struct in6_addr *a)
{
    return !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_LOOPBACK(a) && !IN6_IS_ADDR_LINKLOCAL(a) &&
           !IN6_IS_ADDR_MULTICAST(a) && !IN6_IS_ADDR_V4MAPPED(a) && (a->s6_addr[0] & 0xfe) != 0xfc;
}

/* The first global IPv6 address of this machine into out; false if none
 * (or the interfaces cannot be read: then there is nothing to warn about). */
static bool first_global_v6(char out[ADDR_TEXT_MAX])
{
    struct ifaddrs *list, *ifa;
    bool found = false;
    if (getifaddrs(&list) < 0)
        return false;
    for (ifa = list; ifa != NULL && !found; ifa = ifa->ifa_next) {
        if (ifa->ifa_addr == NULL || ifa->ifa_addr->sa_family != AF_INET6 ||
            !is_global_v6(&((struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr))
            continue;
        int port;
        addr_format(ifa->ifa_addr, out, &port);
        found = true;
    }
    freeifaddrs(list);
    return found;
}

/* Says which families chatd accepts, and warns when it takes IPv4 only on
 * a machine with a global IPv6 address: a client whose name lookup gives
 * that address (an AAAA record) would find nothing listening. */
static void listen_report_families(const struct server *s)
{
    bool v4, v6;
    char addr[ADDR_TEXT_MAX];
    listen_families(s, &v4, &v6);
    infof("%s", v4 && v6 ? _("accepting IPv4 and IPv6 connections")
                : v6     ? _("accepting IPv6 connections only")
                         : _("accepting IPv4 connections only"));
    if (v6 || (s->opt->bind[0] != '\0' && is_loopback(s->opt->bind)) || !first_global_v6(addr))
        return;
    warnf(_("this machine has the global IPv6 address %s, but chatd accepts IPv4 only: clients "
            "that reach the server by IPv6 (a name with an AAAA record) find nothing listening; "
            "use --bind :: or leave out --bind to accept both"),
          addr);
}

int listen_open(struct server *s)
{
    int rc = s->opt->bind[0] != '\0' ? listen_bound(s) : listen_everywhere(s);
    if (rc == 0)
        listen_report_families(s);
    return rc;
}

void listen_set_accepting(struct server *s, bool on)
{
    for (size_t i = 0; i < s->nlisten; i++) {
        struct epoll_event ev = {.events = on ? EPOLLIN : 0, .data.fd = s->listen_fd[i]};
        if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->listen_fd[i], &ev) < 0)
            warnf("%s: epoll_ctl: %s", __func__, strerror(errno));
    }
}

bool listen_is_listener(const struct server *s, int fd)
{
    for (size_t i = 0; i < s->nlisten; i++)
        if (s->listen_fd[i] == fd)
            return true;
    return false;
}

void listen_close(struct server *s)
{
    for (size_t i = 0; i < s->nlisten; i++)
        close(s->listen_fd[i]);
    s->nlisten = 0;
}
