/* server.c - the event loop: wait, dispatch events, run timers, reap, flush. */
#include "chatd/server.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "chatd/accept.h"
#include "chatd/chatd.h"
#include "chatd/client.h"
#include "chatd/commands.h"
#include "chatd/input.h"
#include "chatd/listen.h"
#include "chatd/timers.h"
#include "common/clock.h"
#include "common/i18n.h"
#include "common/log.h"

#define EVENTS_MAX 256
#define SHUTDOWN_FLUSH_MS 2000 /* how long goodbyes may take */

/* Queues that grew past this and drained again have their memory given
 * back at the next timer sweep instead of within the 10 s trim period, so
 * a burst's RSS does not linger. */
#define TRIM_AFTER_BURST_BYTES (4u << 20)

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
        int r = client_flush(s, c);
        if (r < 0) {
            client_drop_errno(s, c, -r);
            continue;
        }
        if (r == 1)
            c->flags |= CF_WANT_OUT;
        if (r == 0 && (c->state == CS_ECHO || c->state == CS_DIAG))
            input_process(s, c); /* backpressure released: continue the echo */
        else
            client_update_events(s, c);
    }
}

/* Announces, flushes and frees every dropped client.  Announcing may drop
 * more clients (their queues overflow); they are handled in the next round. */
static void reap(struct server *s)
{
    while (s->reap_head != NULL) {
        struct client *list = s->reap_head, *c, *next;
        s->reap_head = s->reap_tail = NULL;
        for (c = list; c != NULL; c = c->reap_next) {
            client_log_disconnect(s, c);
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

static void on_writable(struct server *s, struct client *c)
{
    int r = client_flush(s, c);
    if (r < 0) {
        client_drop_errno(s, c, -r);
        return;
    }
    if (r == 0) {
        c->flags &= (uint8_t)~CF_WANT_OUT;
        input_process(s, c); /* resumes reading if backpressure held it */
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
    if (listen_is_listener(s, fd)) {
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
            input_on_readable(s, c); /* else: level-triggered, it comes back next time */
    } else if (e->events & (EPOLLHUP | EPOLLERR))
        on_hangup(s, c);
}

/* Asks for malloc_trim() at the next sweep once a burst has drained. */
static void trim_after_burst(struct server *s)
{
    if (s->pool.bytes > s->pool_peak)
        s->pool_peak = s->pool.bytes;
    if (s->pool_peak >= TRIM_AFTER_BURST_BYTES && s->pool.bytes < TRIM_AFTER_BURST_BYTES / 8) {
        s->trim_ms = s->now_ms;
        s->pool_peak = s->pool.bytes;
    }
}

/* Applies the slow-consumer rule, drops pending clients and flushes
 * everything queued in this iteration. */
static void settle(struct server *s, bool sweep)
{
    client_sendq_enforce(s, sweep);
    do {
        reap(s);
        flush_dirty(s);
    } while (s->reap_head != NULL);
    trim_after_burst(s);
}

/* Serves until a signal stops it.  Returns 0, or -1 if the event loop
 * itself failed (the caller still shuts down cleanly). */
static int run_loop(struct server *s)
{
    struct epoll_event events[EVENTS_MAX];
    int64_t next_sweep = clock_ms() + TIMERS_SWEEP_MS;
    while (!s->stopping) {
        int n = epoll_wait(s->epfd, events, EVENTS_MAX, clock_left_ms(next_sweep));
        if (n < 0 && errno != EINTR) {
            errorf("%s: epoll_wait: %s", __func__, strerror(errno));
            return -1;
        }
        s->now_ms = clock_ms();
        s->deliveries = 0;
        for (int i = 0; i < n; i++)
            on_event(s, &events[i]);
        bool sweep = s->now_ms >= next_sweep;
        if (sweep) {
            timers_sweep(s);
            chat_presence_flush(s);
            outq_pool_trim(&s->pool);
            next_sweep =
                s->now_ms + (s->nthrottled > 0 ? TIMERS_THROTTLE_TICK_MS : TIMERS_SWEEP_MS);
        } else if (s->nthrottled > 0 && next_sweep > s->now_ms + TIMERS_THROTTLE_TICK_MS) {
            next_sweep = s->now_ms + TIMERS_THROTTLE_TICK_MS;
        }
        settle(s, sweep);
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
    logf_ts(_("shutting down (connections: %zu)"), s->nclients);
    listen_close(s);
    for (size_t fd = 0; fd < s->by_fd_cap; fd++) {
        struct client *c = s->by_fd[fd];
        if (c != NULL && c->state != CS_ECHO)
            client_sendf(s, c, "NOTICE shutdown %s", _("the server is shutting down; bye"));
        if (c != NULL) {
            c->flags |= CF_NO_READ; /* only goodbyes now */
            client_update_events(s, c);
        }
    }
    settle(s, false);
    struct epoll_event events[EVENTS_MAX];
    int64_t end = clock_ms() + SHUTDOWN_FLUSH_MS;
    while (output_pending(s) && clock_ms() < end) {
        int n = epoll_wait(s->epfd, events, EVENTS_MAX, 100);
        s->now_ms = clock_ms();
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
        settle(s, false);
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
    listen_close(s);
    if (s->sigfd >= 0)
        close(s->sigfd);
    if (s->epfd >= 0)
        close(s->epfd);
    free(s->by_fd);
    names_free(&s->names);
    peraddr_free(s->peraddr);
    outq_pool_free(&s->pool);
}

int server_run(const struct chatd_options *o)
{
    struct server s = {.opt = o, .epfd = -1, .sigfd = -1};
    s.flood.burst = (int)o->flood_burst;
    s.flood.rate = (int)o->flood_rate;
    s.flood.byte_burst = o->flood_byte_burst;
    s.flood.byte_rate = o->flood_byte_rate;
    /* The echo exchange is bounded in bytes only: its lines are requests. */
    s.echo_flood = (struct flood_limit){.burst = 1000000,
                                        .rate = 1000000,
                                        .byte_burst = CHATD_ECHO_BYTE_BURST,
                                        .byte_rate = o->echo_rate};
    const struct peraddr_limit pl = {.max_conns = o->max_per_ip,
                                     .rate = o->conn_rate,
                                     .burst = o->max_per_ip > 0 ? o->max_per_ip : CHATD_MAX_PER_IP};
    s.sendq.hard = (size_t)o->sendq_hard * 1024;
    s.sendq.soft = (size_t)o->sendq_soft * 1024;
    s.sendq.grace_ms = (int64_t)o->sendq_grace * 1000;
    s.sendq.total = (size_t)o->sendq_total * 1024 * 1024;
    s.now_ms = clock_ms();
    if (gethostname(s.hostname, sizeof s.hostname - 1) < 0)
        snprintf(s.hostname, sizeof s.hostname, "unknown");
    s.epfd = epoll_create1(EPOLL_CLOEXEC);
    s.peraddr = peraddr_new(&pl);
    if (s.peraddr == NULL) {
        errorf(_("%s: out of memory"), __func__);
        server_close(&s);
        return 1;
    }
    if (s.epfd < 0 || setup_signals(&s) < 0) {
        errorf(_("%s: cannot set up the event loop: %s"), __func__, strerror(errno));
        server_close(&s);
        return 1;
    }
    if (listen_open(&s) < 0) {
        server_close(&s);
        return 1;
    }
    if (accept_init(&s) < 0) {
        server_close(&s);
        return 1;
    }
    int failed = run_loop(&s) < 0;
    shutdown_clients(&s);
    server_close(&s);
    logf_ts("%s", failed ? _("stopped after an error in the event loop") : _("stopped"));
    return failed;
}
