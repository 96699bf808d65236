/* server.c - the event loop: listeners, accept, timers, flushing, reaping. */
#define _GNU_SOURCE /* accept4() */
#include "chatd/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "chatd/chatd.h"
#include "common/i18n.h"
#include "common/log.h"

#define EVENTS_MAX 256
#define ACCEPT_BATCH 64        /* accepts per wake-up, so clients are served too */
#define ACCEPT_PAUSE_MS 1000   /* pause after EMFILE, like OpenBSD httpd */
#define SWEEP_MS 250           /* timer resolution */
#define THROTTLE_TICK_MS 20    /* sweep interval while a client waits for tokens */
#define SHUTDOWN_FLUSH_MS 2000 /* how long goodbyes may take */
#define FD_RESERVE 16          /* descriptors kept for listeners, epoll, stdio */
#define DRAIN_MAX (64 * 1024)  /* unread input read away before close() */
#define TRIM_MS 10000          /* how often freed heap goes back to the OS */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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

/* Opens a listening socket on the address text at *port (0 picks one and
 * *port is updated).  Returns the fd or a negative errno. */
static int listen_one(const char *text, long *port, bool v6only)
{
    struct sockaddr_storage ss;
    socklen_t len;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *in = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)*port);
        len = sizeof *in;
    } else if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)*port);
        len = sizeof *in6;
    } else {
        return -EINVAL;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int one = 1;
    /* Best effort: without it a restart waits out TIME_WAIT, nothing worse. */
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (v6only && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0)
        goto fail;
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, SOMAXCONN) < 0)
        goto fail;
    len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        goto fail;
    *port = ntohs(ss.ss_family == AF_INET ? in->sin_port : in6->sin6_port);
    return fd;
fail:;
    int err = errno;
    close(fd);
    return -err;
}

/* Registers a listening socket and says where it listens. */
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
    return 0;
}

static bool is_loopback(const char *text)
{
    struct in6_addr a6;
    return strncmp(text, "127.", 4) == 0 ||
           (inet_pton(AF_INET6, text, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6));
}

/* --bind ADDR: one socket on that address. */
static int listen_bound(struct server *s)
{
    long port = s->opt->port;
    int fd = listen_one(s->opt->bind, &port, false);
    if (fd < 0) {
        listen_error(s->opt->bind, s->opt->port, -fd);
        return -1;
    }
    if (add_listener(s, fd) < 0)
        return -1;
    if (is_loopback(s->opt->bind))
        warnf("%s", _("listening on loopback only: other machines cannot reach this server; "
                      "use --bind 0.0.0.0 or leave out --bind to accept them"));
    return 0;
}

/* Default: IPv4 0.0.0.0 and IPv6 :: (V6ONLY) on the same port. */
static int listen_everywhere(struct server *s)
{
    long port = s->opt->port;
    int fd = listen_one("0.0.0.0", &port, false);
    if (fd < 0) {
        listen_error("0.0.0.0", s->opt->port, -fd);
        return -1;
    }
    if (add_listener(s, fd) < 0)
        return -1;
    fd = listen_one("::", &port, true);
    if (fd == -EAFNOSUPPORT || fd == -EADDRNOTAVAIL) {
        warnf(_("IPv6 is not available on this machine (%s); listening on IPv4 only"),
              strerror(-fd));
        return 0;
    }
    if (fd < 0) {
        listen_error("::", port, -fd);
        return -1;
    }
    return add_listener(s, fd);
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
        close(fd);
        return;
    }
    c->fd = fd;
    memcpy(&c->peer, ss, len < sizeof c->peer ? len : sizeof c->peer);
    c->connected_ms = c->last_rx_ms = c->last_ping_ms = s->now_ms;
    flood_init(&c->flood, (int)s->opt->flood_burst, s->now_ms);
    tune_socket(s, fd);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        warnf(_("%s: epoll_ctl: %s; refusing a connection"), __func__, strerror(errno));
        close(fd);
        free(c);
        return;
    }
    c->events = EPOLLIN;
    s->by_fd[fd] = c;
    s->nclients++;
    char peer[ADDR_TEXT_MAX + 16];
    client_peer_text(c, peer, sizeof peer);
    logf_ts(_("connect %s (%zu connections)"), peer, s->nclients);
    if (s->opt->diag) {
        c->state = CS_DIAG;
        echo_diag_greet(s, c);
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
    logf_ts(_("refused %s: server full (%zu connections)"), peer, s->nclients);
    close(fd);
}

static void set_accepting(struct server *s, bool on)
{
    for (size_t i = 0; i < s->nlisten; i++) {
        struct epoll_event ev = {.events = on ? EPOLLIN : 0, .data.fd = s->listen_fd[i]};
        if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->listen_fd[i], &ev) < 0)
            warnf("%s: epoll_ctl: %s", __func__, strerror(errno));
    }
}

static void accept_ready(struct server *s, int lfd)
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
                warnf(_("accept: %s with %zu connections; not accepting for %d ms"),
                      strerror(errno), s->nclients, ACCEPT_PAUSE_MS);
                set_accepting(s, false);
                s->accept_resume_ms = s->now_ms + ACCEPT_PAUSE_MS;
            } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
                warnf("%s: accept: %s", __func__, strerror(errno));
            }
            return;
        }
        if (s->nclients >= s->max_clients)
            refuse_full(s, fd, &ss);
        else
            client_new(s, fd, &ss, len);
    }
}

/* Sends each dirty client's queue; leftovers wait for EPOLLOUT. */
static void flush_dirty(struct server *s)
{
    struct client *c;
    while ((c = s->dirty_head) != NULL) {
        s->dirty_head = c->dirty_next;
        if (s->dirty_head == NULL)
            s->dirty_tail = NULL;
        c->flags &= (uint8_t)~CF_DIRTY;
        if ((c->flags & (CF_CLOSING | CF_WANT_OUT)) != 0)
            continue; /* closing: flushed at the reap; WANT_OUT: EPOLLOUT will */
        int r = outq_flush(&c->out, c->fd);
        if (r < 0) {
            client_drop_errno(s, c, -r);
            continue;
        }
        if (r == 1)
            c->flags |= CF_WANT_OUT;
        if (r == 0 && (c->state == CS_ECHO || c->state == CS_DIAG))
            client_process(s, c); /* backpressure released: continue the echo */
        else
            client_update_events(s, c);
    }
}

static void log_disconnect(const struct server *s, const struct client *c)
{
    char peer[ADDR_TEXT_MAX + 16], why[160];
    client_peer_text(c, peer, sizeof peer);
    const char *r = client_reason_log((enum drop_reason)c->reason);
    if (c->reason == DROP_ERROR)
        snprintf(why, sizeof why, "%s: %s", r, strerror(c->err));
    else if (c->detail != NULL)
        snprintf(why, sizeof why, "%s (%.100s)", r, c->detail);
    else
        snprintf(why, sizeof why, "%s", r);
    size_t left = s->nclients - 1;
    if (c->state == CS_DIAG)
        logf_ts(_("disconnect %s (diag): %llu bytes received, preview \"%s\": %s (%zu "
                  "connections)"),
                peer, (unsigned long long)c->rx_bytes, c->preview, why, left);
    else if (c->state == CS_ECHO)
        logf_ts(_("disconnect %s (netprobe, %llu bytes echoed): %s (%zu connections)"), peer,
                (unsigned long long)c->rx_bytes, why, left);
    else
        logf_ts(_("disconnect %s %s: %s (%zu connections)"), peer,
                c->state == CS_CHAT ? c->name : _("(no name)"), why, left);
}

/* Last words and close: best-effort flush, read away unread input so
 * close() sends FIN rather than RST (which could destroy the last line). */
static void client_free(struct server *s, struct client *c)
{
    if (c->state == CS_CHAT) {
        if (c->prev != NULL)
            c->prev->next = c->next;
        else
            s->first = c->next;
        if (c->next != NULL)
            c->next->prev = c->prev;
        else
            s->last = c->prev;
    }
    if (c->reason == DROP_QUEUE_FULL) {
        static const char msg[] = "\nERR send_queue_full you did not read; closing\n";
        (void)send(c->fd, msg, sizeof msg - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    } else {
        (void)outq_flush(&c->out, c->fd);
    }
    char scratch[4096];
    for (size_t got = 0; got < DRAIN_MAX;) {
        ssize_t n = recv(c->fd, scratch, sizeof scratch, MSG_DONTWAIT);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    s->by_fd[c->fd] = NULL;
    close(c->fd);
    s->nclients--;
    line_buf_free(&c->in);
    outq_free(&c->out);
    free(c->detail);
    free(c);
}

/* Announces, flushes and frees every dropped client.  Announcing may drop
 * more clients (their queues overflow); they are handled in the next round. */
static void reap(struct server *s)
{
    while (s->reap_head != NULL) {
        struct client *list = s->reap_head, *c, *next;
        s->reap_head = s->reap_tail = NULL;
        for (c = list; c != NULL; c = c->reap_next) {
            log_disconnect(s, c);
            if (c->state == CS_CHAT)
                chat_leave(s, c);
        }
        flush_dirty(s); /* empties the dirty list, so freeing below is safe */
        for (c = list; c != NULL; c = next) {
            next = c->reap_next;
            client_free(s, c);
        }
    }
}

/* Drops c after telling it why: "ERR timeout " and the text from fmt (a
 * whole sentence, for people). */
static void time_out(struct server *s, struct client *c, enum drop_reason r, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void time_out(struct server *s, struct client *c, enum drop_reason r, const char *fmt, ...)
{
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    client_sendf(s, c, "ERR timeout %s", text);
    client_drop(s, c, r, NULL);
}

/* The timers of one client: flood tokens, timeouts, heartbeat. */
static void check_client(struct server *s, struct client *c)
{
    const struct chatd_options *o = s->opt;
    int64_t now = s->now_ms, silent = now - c->last_rx_ms;
    bool chatting = c->state == CS_NAMING || c->state == CS_CHAT;
    if ((c->flags & CF_THROTTLED) &&
        flood_ready(&c->flood, (int)o->flood_burst, (int)o->flood_rate, now)) {
        c->flags &= (uint8_t)~CF_THROTTLED;
        s->nthrottled--;
        client_process(s, c);
    }
    if ((c->flags & (CF_FLOOD_SAID | CF_THROTTLED)) == CF_FLOOD_SAID &&
        flood_ready(&c->flood, (int)o->flood_burst, (int)o->flood_rate, now) &&
        flood_full(&c->flood, (int)o->flood_burst))
        c->flags &= (uint8_t)~CF_FLOOD_SAID; /* calm again: the next flood is told */
    if (c->flags & CF_CLOSING)
        return;
    if (c->state == CS_NAMING && now - c->connected_ms >= o->name_timeout * 1000)
        time_out(s, c, DROP_TIMEOUT_NAME, _("no name chosen for %ld s; closing"), o->name_timeout);
    else if (chatting && !(c->flags & CF_THROTTLED) && line_buf_partial(&c->in) &&
             silent >= o->line_timeout * 1000)
        time_out(s, c, DROP_TIMEOUT_LINE, _("a line left unfinished for %ld s; closing"),
                 o->line_timeout);
    else if (o->idle_timeout > 0 && silent >= o->idle_timeout * 1000)
        time_out(s, c, DROP_TIMEOUT_IDLE, _("nothing received for %ld s; closing"),
                 o->idle_timeout);
    else if (chatting &&
             now - (c->last_rx_ms > c->last_ping_ms ? c->last_rx_ms : c->last_ping_ms) >=
                 o->heartbeat * 1000) {
        client_sendf(s, c, "PING %lld", (long long)time(NULL));
        c->last_ping_ms = now;
    }
}

static void sweep(struct server *s)
{
    /* Bursts (a join storm, slow readers) grow output queues that are freed
     * once sent; glibc keeps such memory unless asked.  Giving it back keeps
     * an idle server at the size of its client structs. */
    if (s->now_ms >= s->trim_ms) {
        malloc_trim(0);
        s->trim_ms = s->now_ms + TRIM_MS;
    }
    if (s->accept_resume_ms != 0 && s->now_ms >= s->accept_resume_ms) {
        s->accept_resume_ms = 0;
        set_accepting(s, true);
    }
    for (size_t fd = 0; fd < s->by_fd_cap; fd++) {
        struct client *c = s->by_fd[fd];
        if (c != NULL && !(c->flags & CF_CLOSING))
            check_client(s, c);
    }
}

static bool is_listener(const struct server *s, int fd)
{
    for (size_t i = 0; i < s->nlisten; i++)
        if (s->listen_fd[i] == fd)
            return true;
    return false;
}

static void on_writable(struct server *s, struct client *c)
{
    int r = outq_flush(&c->out, c->fd);
    if (r < 0) {
        client_drop_errno(s, c, -r);
        return;
    }
    if (r == 0) {
        c->flags &= (uint8_t)~CF_WANT_OUT;
        client_process(s, c); /* resumes reading if backpressure held it */
    }
}

/* A hang-up or error while c is not being read. */
static void on_hangup(struct server *s, struct client *c)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err != 0)
        client_drop_errno(s, c, err);
    else
        client_drop(s, c, DROP_CLOSED, NULL);
}

static void on_event(struct server *s, const struct epoll_event *e)
{
    int fd = e->data.fd;
    if (fd == s->sigfd) {
        struct signalfd_siginfo si;
        if (read(s->sigfd, &si, sizeof si) == (ssize_t)sizeof si)
            logf_ts(_("signal %u: shutting down"), si.ssi_signo);
        s->stopping = true;
        return;
    }
    if (is_listener(s, fd)) {
        accept_ready(s, fd);
        return;
    }
    struct client *c = (size_t)fd < s->by_fd_cap ? s->by_fd[fd] : NULL;
    if (c == NULL || (c->flags & CF_CLOSING))
        return;
    if (e->events & EPOLLOUT)
        on_writable(s, c);
    if (c->flags & CF_CLOSING)
        return;
    if ((e->events & EPOLLIN) && (c->events & EPOLLIN)) {
        if (s->deliveries < CHATD_ITER_DELIVERIES)
            client_on_readable(s, c); /* else: level-triggered, it comes back next time */
    } else if (e->events & (EPOLLHUP | EPOLLERR))
        on_hangup(s, c);
}

/* Drops pending clients and flushes everything queued in this iteration. */
static void settle(struct server *s)
{
    do {
        reap(s);
        flush_dirty(s);
    } while (s->reap_head != NULL);
}

/* Serves until a signal stops it.  Returns 0, or -1 if the event loop
 * itself failed (the caller still shuts down cleanly). */
static int run_loop(struct server *s)
{
    struct epoll_event events[EVENTS_MAX];
    int64_t next_sweep = now_ms() + SWEEP_MS;
    while (!s->stopping) {
        int64_t wait = next_sweep - now_ms();
        int n = epoll_wait(s->epfd, events, EVENTS_MAX, wait < 0 ? 0 : (int)wait);
        if (n < 0 && errno != EINTR) {
            errorf("%s: epoll_wait: %s", __func__, strerror(errno));
            return -1;
        }
        s->now_ms = now_ms();
        s->deliveries = 0;
        for (int i = 0; i < n; i++)
            on_event(s, &events[i]);
        if (s->now_ms >= next_sweep) {
            sweep(s);
            next_sweep = s->now_ms + (s->nthrottled > 0 ? THROTTLE_TICK_MS : SWEEP_MS);
        } else if (s->nthrottled > 0 && next_sweep > s->now_ms + THROTTLE_TICK_MS) {
            next_sweep = s->now_ms + THROTTLE_TICK_MS;
        }
        settle(s);
    }
    return 0;
}

/* True while some client still has output queued. */
static bool output_pending(const struct server *s)
{
    for (size_t fd = 0; fd < s->by_fd_cap; fd++)
        if (s->by_fd[fd] != NULL && outq_len(&s->by_fd[fd]->out) > 0)
            return true;
    return false;
}

/* NOTICE shutdown to everyone, flush for at most SHUTDOWN_FLUSH_MS, close. */
static void shutdown_clients(struct server *s)
{
    logf_ts(_("shutting down with %zu connections"), s->nclients);
    for (size_t i = 0; i < s->nlisten; i++)
        close(s->listen_fd[i]);
    s->nlisten = 0;
    for (size_t fd = 0; fd < s->by_fd_cap; fd++) {
        struct client *c = s->by_fd[fd];
        if (c != NULL && c->state != CS_ECHO)
            client_sendf(s, c, "NOTICE shutdown %s", _("the server is shutting down; bye"));
        if (c != NULL) {
            c->flags |= CF_NO_READ; /* only goodbyes now */
            client_update_events(s, c);
        }
    }
    settle(s);
    struct epoll_event events[EVENTS_MAX];
    int64_t end = now_ms() + SHUTDOWN_FLUSH_MS;
    while (output_pending(s) && now_ms() < end) {
        int n = epoll_wait(s->epfd, events, EVENTS_MAX, 100);
        s->now_ms = now_ms();
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            struct client *c = (size_t)fd < s->by_fd_cap ? s->by_fd[fd] : NULL;
            struct signalfd_siginfo si;
            if (fd == s->sigfd && read(s->sigfd, &si, sizeof si) > 0)
                continue; /* already stopping; a second signal only must not spin us */
            if (c != NULL && !(c->flags & CF_CLOSING) &&
                (events[i].events & (EPOLLOUT | EPOLLHUP | EPOLLERR)))
                on_writable(s, c);
        }
        settle(s);
    }
    for (size_t fd = 0; fd < s->by_fd_cap; fd++)
        if (s->by_fd[fd] != NULL)
            client_drop(s, s->by_fd[fd], DROP_SHUTDOWN, NULL);
    reap(s);
}

/* SIGINT and SIGTERM arrive as events; SIGPIPE is ignored (MSG_NOSIGNAL
 * covers sends, this covers everything else). */
static int setup_signals(struct server *s)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    signal(SIGPIPE, SIG_IGN);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        return -1;
    s->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = s->sigfd};
    if (s->sigfd < 0 || epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->sigfd, &ev) < 0)
        return -1;
    return 0;
}

static void server_close(struct server *s)
{
    for (size_t i = 0; i < s->nlisten; i++)
        close(s->listen_fd[i]);
    if (s->sigfd >= 0)
        close(s->sigfd);
    if (s->epfd >= 0)
        close(s->epfd);
    free(s->by_fd);
    names_free(&s->names);
}

int server_run(const struct chatd_options *o)
{
    struct server s = {.opt = o, .epfd = -1, .sigfd = -1};
    s.now_ms = now_ms();
    long nofile = raise_nofile();
    if (gethostname(s.hostname, sizeof s.hostname - 1) < 0)
        snprintf(s.hostname, sizeof s.hostname, "unknown");
    s.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (s.epfd < 0 || setup_signals(&s) < 0) {
        errorf(_("%s: cannot set up the event loop: %s"), __func__, strerror(errno));
        server_close(&s);
        return 1;
    }
    if ((o->bind[0] != '\0' ? listen_bound(&s) : listen_everywhere(&s)) < 0) {
        server_close(&s);
        return 1;
    }
    long cap = nofile - FD_RESERVE;
    s.max_clients = (size_t)(o->max_clients < cap ? o->max_clients : cap);
    infof(o->diag ? _("can hold %zu clients (open-file limit %ld, --max-clients %ld); --diag: "
                      "echoing every byte")
                  : _("can hold %zu clients (open-file limit %ld, --max-clients %ld)"),
          s.max_clients, nofile, o->max_clients);
    int failed = run_loop(&s) < 0;
    shutdown_clients(&s);
    server_close(&s);
    logf_ts("%s", failed ? _("stopped after an error in the event loop") : _("stopped"));
    return failed;
}
