/* client.c - one connection's output side and end: queueing, dropping, freeing. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chatd/client.h"
#include "common/addr.h"
#include "common/i18n.h"
#include "common/log.h"

/* Reasons as the log says them and as the leave notice says them; both
 * are N_() and translated when used. */
static const struct {
    const char *log;
    const char *leave;
} reasons[] = {
    [DROP_QUIT] = {N_("quit"), N_("quit")},
    [DROP_CLOSED] = {N_("closed by peer"), N_("closed")},
    [DROP_RESET] = {N_("connection reset by peer"), N_("closed")},
    [DROP_PEER_GONE] = {N_("peer not answering"), N_("dropped: peer not answering")},
    [DROP_TIMEOUT_NAME] = {N_("timeout: no name chosen in time"), N_("timeout")},
    [DROP_TIMEOUT_LINE] = {N_("timeout: partial line not finished"), N_("timeout")},
    [DROP_TIMEOUT_IDLE] = {N_("timeout: idle"), N_("timeout")},
    [DROP_TIMEOUT_ECHO] = {N_("timeout: echo exchange past its lifetime"), N_("timeout")},
    [DROP_ECHO_SILENT] = {N_("timeout: echo exchange silent"), N_("timeout")},
    [DROP_QUEUE_FULL] = {N_("send_queue_full: the client is not reading"),
                         N_("dropped: not reading")},
    [DROP_NO_MEMORY] = {N_("out of memory"), N_("dropped")},
    [DROP_BAD_HELLO] = {N_("bad netprobe hello"), N_("dropped")},
    [DROP_BAD_ECHO] = {N_("bad echo request"), N_("dropped")},
    [DROP_ECHO_DONE] = {N_("netprobe done"), N_("closed")},
    [DROP_SHUTDOWN] = {N_("server shutdown"), N_("server shutdown")},
    [DROP_ERROR] = {N_("socket error"), N_("dropped")},
};

static const char *reason_log(enum drop_reason r)
{
    return _(reasons[r].log);
}

const char *client_reason_leave(enum drop_reason r)
{
    return _(reasons[r].leave);
}

void client_peer_text(const struct client *c, char *out, size_t cap)
{
    addr_format_endpoint(&c->peer.sa, out, cap);
}

/* Puts c on the list flushed before the next epoll_wait(). */
static void mark_dirty(struct server *s, struct client *c)
{
    if (c->flags & CF_DIRTY)
        return;
    c->flags |= CF_DIRTY;
    c->dirty_next = NULL;
    if (s->dirty_tail != NULL)
        s->dirty_tail->dirty_next = c;
    else
        s->dirty_head = c;
    s->dirty_tail = c;
}

/* Drops c as a slow consumer, with the figures the log shows. */
static void drop_slow(struct server *s, struct client *c, const char *why)
{
    client_drop(s, c, DROP_QUEUE_FULL, why);
}

/* The soft half of the slow-consumer rule: over the soft cap, the clock
 * starts; still over it after the grace time, c is dropped.  Draining
 * below the cap stops the clock (client_flush). */
static void soft_cap_check(struct server *s, struct client *c)
{
    size_t len = outq_len(&c->out);
    if (len <= s->sendq.soft)
        return;
    if (c->soft_since_ms == 0) {
        c->soft_since_ms = s->now_ms > 0 ? s->now_ms : 1;
        return;
    }
    int64_t held = s->now_ms - c->soft_since_ms;
    if (held < s->sendq.grace_ms)
        return;
    char why[160];
    snprintf(why, sizeof why, _("%zu bytes pending, over the soft cap of %zu for %lld ms"), len,
             s->sendq.soft, (long long)held);
    drop_slow(s, c, why);
}

void client_send_shared(struct server *s, struct client *c, const struct outq_ref *r)
{
    if (c->flags & CF_CLOSING)
        return;
    s->deliveries++;
    size_t pending = outq_len(&c->out) + r->len;
    if (pending > s->sendq.hard) {
        char why[160];
        snprintf(why, sizeof why, _("%zu bytes would be pending, over the hard cap of %zu"),
                 pending, s->sendq.hard);
        drop_slow(s, c, why);
        return;
    }
    if (outq_push(&s->pool, &c->out, r) < 0) {
        client_drop(s, c, DROP_NO_MEMORY, NULL);
        return;
    }
    soft_cap_check(s, c);
    mark_dirty(s, c);
}

int client_share(struct server *s, const char *data, size_t len, struct outq_ref *r)
{
    if (outq_store(&s->pool, data, len, r) == 0)
        return 0;
    errorf(_("%s: out of memory: a line of %zu bytes was not sent"), __func__, len);
    return -1;
}

void client_send(struct server *s, struct client *c, const char *data, size_t len)
{
    struct outq_ref r;
    if (c->flags & CF_CLOSING)
        return;
    if (outq_store(&s->pool, data, len, &r) < 0)
        client_drop(s, c, DROP_NO_MEMORY, NULL);
    else
        client_send_shared(s, c, &r);
}

int client_flush(struct server *s, struct client *c)
{
    int r = outq_flush(&s->pool, &c->out, c->fd);
    if (outq_len(&c->out) <= s->sendq.soft)
        c->soft_since_ms = 0; /* caught up: the grace starts over next time */
    return r;
}

/* The client with the most bytes pending, or NULL if none has any. */
static struct client *most_pending(const struct server *s)
{
    struct client *worst = NULL;
    for (size_t fd = 0; fd < s->by_fd_cap; fd++) {
        struct client *c = s->by_fd[fd];
        if (c == NULL || (c->flags & CF_CLOSING) || outq_len(&c->out) == 0)
            continue;
        if (worst == NULL || outq_len(&c->out) > outq_len(&worst->out))
            worst = c;
    }
    return worst;
}

void client_sendq_enforce(struct server *s, bool sweep)
{
    /* The global cap: the client furthest behind goes first, one per
     * iteration, because its chunks are freed only at the reap and other
     * queues may share them. */
    if (s->pool.bytes > s->sendq.total) {
        struct client *c = most_pending(s);
        if (c != NULL) {
            char why[160];
            snprintf(why, sizeof why,
                     _("queues use %zu bytes, over --sendq-total %zu; it had the most "
                       "pending: %zu"),
                     s->pool.bytes, s->sendq.total, outq_len(&c->out));
            drop_slow(s, c, why);
        }
    }
    if (!sweep)
        return;
    /* A client over the soft cap that gets nothing more is checked here. */
    for (size_t fd = 0; fd < s->by_fd_cap; fd++) {
        struct client *c = s->by_fd[fd];
        if (c != NULL && c->soft_since_ms != 0 && !(c->flags & CF_CLOSING))
            soft_cap_check(s, c);
    }
}

void client_sendf(struct server *s, struct client *c, const char *fmt, ...)
{
    char line[PROTO_OUT_MAX];
    va_list ap;
    va_start(ap, fmt);
    size_t len = proto_vformat(line, sizeof line, fmt, ap);
    va_end(ap);
    client_send(s, c, line, len);
}

void client_drop(struct server *s, struct client *c, enum drop_reason reason, const char *detail)
{
    if (c->flags & CF_CLOSING)
        return;
    c->flags |= CF_CLOSING;
    c->reason = (uint8_t)reason;
    if (detail != NULL)
        c->detail = strdup(detail); /* best effort: the notice works without it */
    if (c->flags & CF_THROTTLED) {
        c->flags &= (uint8_t)~CF_THROTTLED;
        s->nthrottled--;
    }
    /* The name is free again at once; the notice goes out in the reap. */
    if (c->state == CS_CHAT) {
        names_remove(&s->names, &c->name_entry);
        s->nnamed--;
    }
    c->reap_next = NULL;
    if (s->reap_tail != NULL)
        s->reap_tail->reap_next = c;
    else
        s->reap_head = c;
    s->reap_tail = c;
}

const struct flood_limit *client_flood_limit(const struct server *s, const struct client *c)
{
    return c->state == CS_ECHO ? &s->echo_flood : &s->flood;
}

bool client_reading_paused(const struct client *c)
{
    if (c->flags & (CF_CLOSING | CF_THROTTLED | CF_NO_READ))
        return true;
    return (c->state == CS_ECHO || c->state == CS_DIAG) &&
           outq_len(&c->out) >= CHATD_ECHO_HIGH_WATER;
}

void client_update_events(struct server *s, struct client *c)
{
    if (c->flags & CF_CLOSING)
        return;
    uint8_t want = 0;
    if (!client_reading_paused(c))
        want |= EPOLLIN;
    if (c->flags & CF_WANT_OUT)
        want |= EPOLLOUT;
    if (want == c->events)
        return;
    struct epoll_event ev = {.events = want, .data.fd = c->fd};
    if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) {
        c->err = errno;
        client_drop(s, c, DROP_ERROR, NULL);
        return;
    }
    c->events = want;
}

/* The drop reason for a failed recv()/send(). */
static enum drop_reason reason_for_errno(int err)
{
    if (err == ECONNRESET)
        return DROP_RESET;
    if (err == EPIPE)
        return DROP_CLOSED;
    if (err == ETIMEDOUT || err == EHOSTUNREACH)
        return DROP_PEER_GONE;
    return DROP_ERROR;
}

void client_drop_errno(struct server *s, struct client *c, int err)
{
    c->err = err;
    client_drop(s, c, reason_for_errno(err), NULL);
}

void client_log_disconnect(const struct server *s, const struct client *c)
{
    char peer[ADDR_TEXT_MAX + 16], why[240];
    client_peer_text(c, peer, sizeof peer);
    const char *r = reason_log((enum drop_reason)c->reason);
    if (c->reason == DROP_ERROR)
        snprintf(why, sizeof why, "%s: %s", r, strerror(c->err));
    else if (c->detail != NULL)
        snprintf(why, sizeof why, "%s (%.180s)", r, c->detail);
    else
        snprintf(why, sizeof why, "%s", r);
    size_t left = s->nclients - 1;
    if (c->state == CS_DIAG)
        logf_ts(_("disconnect %s (diag): %llu bytes received, preview \"%s\": %s (connections: "
                  "%zu)"),
                peer, (unsigned long long)c->rx_bytes, c->preview, why, left);
    else if (c->state == CS_ECHO)
        logf_ts(_("disconnect %s (netprobe, %llu bytes echoed): %s (connections: %zu)"), peer,
                (unsigned long long)c->rx_bytes, why, left);
    else
        logf_ts(_("disconnect %s %s: %s (connections: %zu)"), peer,
                c->state == CS_CHAT ? c->name : _("(no name)"), why, left);
}

/* Takes a named client off the join-order list. */
static void unlink_named(struct server *s, struct client *c)
{
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        s->first = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    else
        s->last = c->prev;
}

void client_free(struct server *s, struct client *c)
{
    if (c->state == CS_CHAT)
        unlink_named(s, c);
    if (c->reason == DROP_QUEUE_FULL) {
        static const char msg[] = "\nERR send_queue_full you did not read; closing\n";
        (void)send(c->fd, msg, sizeof msg - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    } else {
        (void)outq_flush(&s->pool, &c->out, c->fd);
    }
    char scratch[4096];
    for (size_t got = 0; got < CHATD_DRAIN_MAX;) {
        ssize_t n = recv(c->fd, scratch, sizeof scratch, MSG_DONTWAIT);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    s->by_fd[c->fd] = NULL;
    peraddr_release(s->peraddr, &c->peer.sa);
    close(c->fd);
    s->nclients--;
    line_buf_free(&c->in);
    outq_free(&s->pool, &c->out);
    free(c->detail);
    free(c);
}
