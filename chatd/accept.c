/* accept.c - new connections: capacity, accept(), set-up and greeting. */
#define _GNU_SOURCE /* accept4() */
#include "chatd/accept.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chatd/client.h"
#include "chatd/commands.h"
#include "chatd/diag.h"
#include "chatd/listen.h"
#include "common/i18n.h"
#include "common/log.h"

#define ACCEPT_BATCH 64      /* accepts per wake-up, so clients are served too */
#define ACCEPT_PAUSE_MS 1000 /* pause after EMFILE, like OpenBSD httpd; timers.c resumes */
#define FD_RESERVE 16        /* descriptors kept for listeners, epoll, stdio */

/* Raises the soft open-file limit to the hard one: one descriptor per
 * client.  Returns the limit in force. */
static long raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
        warnf(_("%s: getrlimit: %s; assuming 1024 open files"), __func__, strerror(errno));
        return 1024;
    }
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t old = rl.rlim_cur;
        /* "unlimited" is not accepted for RLIMIT_NOFILE; 2^20 is the kernel default cap. */
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? 1048576 : rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
            warnf(_("%s: cannot raise the open-file limit from %llu to %llu: %s"), __func__,
                  (unsigned long long)old, (unsigned long long)rl.rlim_cur, strerror(errno));
            rl.rlim_cur = old;
        }
    }
    return rl.rlim_cur > 100000000 ? 100000000 : (long)rl.rlim_cur;
}

int accept_init(struct server *s)
{
    const struct chatd_options *o = s->opt;
    long nofile = raise_nofile();
    long cap = nofile - FD_RESERVE;
    if (cap < 1) {
        /* Not even one client: starting would only refuse everyone. */
        errorf(_("the open-file limit is %ld and chatd keeps %d descriptors for itself, so it "
                 "could not hold a single client; raise the limit (for example `ulimit -n "
                 "4096`, or LimitNOFILE= in chatd.service) and start again"),
               nofile, FD_RESERVE);
        return -1;
    }
    s->max_clients = (size_t)(o->max_clients < cap ? o->max_clients : cap);
    infof(o->diag ? _("can hold %zu clients (open-file limit %ld, --max-clients %ld); --diag: "
                      "echoing every byte")
                  : _("can hold %zu clients (open-file limit %ld, --max-clients %ld)"),
          s->max_clients, nofile, o->max_clients);
    return 0;
}

/* Makes sure by_fd has a slot for fd. */
static int table_reserve(struct server *s, int fd)
{
    if ((size_t)fd < s->by_fd_cap)
        return 0;
    size_t cap = s->by_fd_cap ? s->by_fd_cap : 1024;
    while (cap <= (size_t)fd)
        cap *= 2;
    struct client **t = realloc(s->by_fd, cap * sizeof *t);
    if (t == NULL)
        return -1;
    memset(t + s->by_fd_cap, 0, (cap - s->by_fd_cap) * sizeof *t);
    s->by_fd = t;
    s->by_fd_cap = cap;
    return 0;
}

/* Keepalive and TCP_USER_TIMEOUT find peers that vanished (laptop closed,
 * NAT state lost); TCP_NODELAY because writes are coalesced already.  All
 * best effort: a socket without them still works. */
static void tune_socket(const struct server *s, int fd)
{
    int one = 1, idle = (int)s->opt->heartbeat, intvl = 10, cnt = 3;
    unsigned int user_ms =
        (unsigned int)(2 * s->opt->heartbeat < 30 ? 30 : 2 * s->opt->heartbeat) * 1000u;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    (void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    (void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    (void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
    (void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
    (void)setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_ms, sizeof user_ms);
}

static void client_new(struct server *s, int fd, const struct sockaddr_storage *ss, socklen_t len)
{
    struct client *c = NULL;
    if (table_reserve(s, fd) < 0 || (c = calloc(1, sizeof *c)) == NULL) {
        warnf(_("%s: out of memory; refusing a connection"), __func__);
        peraddr_release(s->peraddr, (const struct sockaddr *)ss);
        close(fd);
        return;
    }
    c->fd = fd;
    memcpy(&c->peer, ss, len < sizeof c->peer ? len : sizeof c->peer);
    c->connected_ms = c->last_rx_ms = c->last_ping_ms = s->now_ms;
    flood_init(&c->flood, &s->flood, s->now_ms);
    tune_socket(s, fd);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        warnf(_("%s: epoll_ctl: %s; refusing a connection"), __func__, strerror(errno));
        peraddr_release(s->peraddr, (const struct sockaddr *)ss);
        close(fd);
        free(c);
        return;
    }
    c->events = EPOLLIN;
    s->by_fd[fd] = c;
    s->nclients++;
    char peer[ADDR_TEXT_MAX + 16];
    client_peer_text(c, peer, sizeof peer);
    logf_ts(_("connect %s (connections: %zu)"), peer, s->nclients);
    if (s->opt->diag) {
        c->state = CS_DIAG;
        diag_greet(s, c);
    } else {
        chat_greet(s, c);
    }
}

/* --max-clients reached: say so (best effort) and close. */
static void refuse_full(struct server *s, int fd, const struct sockaddr_storage *ss)
{
    char msg[256], peer[ADDR_TEXT_MAX + 16];
    int n =
        snprintf(msg, sizeof msg, "ERR server_full %s\n", _("the server is full; try again later"));
    addr_format_endpoint((const struct sockaddr *)ss, peer, sizeof peer);
    if (n > 0 && (size_t)n < sizeof msg)
        (void)send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT); /* best effort */
    logf_ts(_("refused %s: server full (connections: %zu)"), peer, s->nclients);
    close(fd);
}

/* Says ERR too_many_connections (best effort) and closes; the log hears of
 * each address once a minute, so a flood of refusals cannot fill it. */
static void refuse_address(struct server *s, int fd, const struct sockaddr_storage *ss,
                           enum peraddr_verdict v, bool log_it)
{
    char text[200], msg[256], peer[ADDR_TEXT_MAX + 16];
    long limit = v == PERADDR_TOO_MANY ? s->opt->max_per_ip : s->opt->conn_rate;
    unsigned long plural = (unsigned long)limit;
    if (v == PERADDR_TOO_MANY)
        snprintf(text, sizeof text,
                 ngettext("your address already holds %ld connection, the most allowed; close it "
                          "and try again",
                          "your address already holds %ld connections, the most allowed; close "
                          "one and try again",
                          plural),
                 limit);
    else
        snprintf(text, sizeof text,
                 ngettext("your address opens more than %ld connection per second; try again in "
                          "a second",
                          "your address opens more than %ld connections per second; try again "
                          "in a second",
                          plural),
                 limit);
    int n = snprintf(msg, sizeof msg, "ERR too_many_connections %s\n", text);
    if (n > 0 && (size_t)n < sizeof msg)
        (void)send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT); /* best effort */
    close(fd);
    if (!log_it)
        return;
    addr_format_endpoint((const struct sockaddr *)ss, peer, sizeof peer);
    if (v == PERADDR_TOO_MANY)
        logf_ts(ngettext("refused %s: its address holds %ld connection (--max-per-ip); refusals "
                         "of this address are logged once a minute",
                         "refused %s: its address holds %ld connections (--max-per-ip); refusals "
                         "of this address are logged once a minute",
                         plural),
                peer, limit);
    else
        logf_ts(ngettext("refused %s: its address opens more than %ld connection per second "
                         "(--conn-rate); refusals of this address are logged once a minute",
                         "refused %s: its address opens more than %ld connections per second "
                         "(--conn-rate); refusals of this address are logged once a minute",
                         plural),
                peer, limit);
}

/* Admits fd from ss or refuses it: the global cap, then the address's. */
static void admit(struct server *s, int fd, const struct sockaddr_storage *ss, socklen_t len)
{
    bool log_it;
    if (s->nclients >= s->max_clients) {
        refuse_full(s, fd, ss);
        return;
    }
    enum peraddr_verdict v =
        peraddr_admit(s->peraddr, (const struct sockaddr *)ss, s->now_ms, &log_it);
    if (v == PERADDR_OK) {
        client_new(s, fd, ss, len);
    } else if (v == PERADDR_NO_MEMORY) {
        warnf(_("%s: out of memory; refusing a connection"), __func__);
        close(fd);
    } else {
        refuse_address(s, fd, ss, v, log_it);
    }
}

void accept_ready(struct server *s, int lfd)
{
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        int fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
                continue; /* that one connection is gone; the next may be fine */
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                /* Pending connections would wake us at once: pause instead of spinning. */
                warnf(_("accept: %s (connections: %zu); not accepting for %d ms"), strerror(errno),
                      s->nclients, ACCEPT_PAUSE_MS);
                listen_set_accepting(s, false);
                s->accept_resume_ms = s->now_ms + ACCEPT_PAUSE_MS;
            } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
                warnf("%s: accept: %s", __func__, strerror(errno));
            }
            return;
        }
        admit(s, fd, &ss, len);
    }
}
