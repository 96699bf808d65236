/* client.c - one connection's life: queueing, reading, dropping. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "chatd/chatd.h"
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
    [DROP_QUEUE_FULL] = {N_("send_queue_full: the client is not reading"),
                         N_("dropped: not reading")},
    [DROP_NO_MEMORY] = {N_("out of memory"), N_("dropped")},
    [DROP_BAD_HELLO] = {N_("bad netprobe hello"), N_("dropped")},
    [DROP_BAD_ECHO] = {N_("bad echo request"), N_("dropped")},
    [DROP_ECHO_DONE] = {N_("netprobe done"), N_("closed")},
    [DROP_SHUTDOWN] = {N_("server shutdown"), N_("server shutdown")},
    [DROP_ERROR] = {N_("socket error"), N_("dropped")},
};

const char *client_reason_log(enum drop_reason r)
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

void client_send(struct server *s, struct client *c, const char *data, size_t len)
{
    if (c->flags & CF_CLOSING)
        return;
    int r = outq_append(&c->out, data, len, CHATD_OUTBUF_MAX);
    if (r == -1)
        client_drop(s, c, DROP_QUEUE_FULL, NULL);
    else if (r < 0)
        client_drop(s, c, DROP_NO_MEMORY, NULL);
    else
        mark_dirty(s, c);
    s->deliveries++;
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

/* True while c must not be read: flood limit, or echo output waiting. */
static bool reading_paused(const struct client *c)
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
    if (!reading_paused(c))
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

/* Out of flood tokens: stop reading c; say so once per episode. */
static void throttle(struct server *s, struct client *c)
{
    c->flags |= CF_THROTTLED;
    s->nthrottled++;
    if (c->flags & CF_FLOOD_SAID)
        return;
    c->flags |= CF_FLOOD_SAID;
    char peer[ADDR_TEXT_MAX + 16];
    client_peer_text(c, peer, sizeof peer);
    logf_ts(_("flood %s %s: past %ld lines at once; reading it at %ld lines/s"), peer,
            c->state == CS_CHAT ? c->name : _("(no name)"), s->opt->flood_burst,
            s->opt->flood_rate);
    char text[PROTO_OUT_MAX];
    snprintf(text, sizeof text,
             _("you are sending faster than %ld lines per second; the rest is read as your limit "
               "allows, nothing is lost"),
             s->opt->flood_rate);
    client_sendf(s, c, "NOTICE flood %s", text);
}

/* Lines from a naming or chatting client, as the flood limit allows. */
static void chat_input(struct server *s, struct client *c)
{
    const struct chatd_options *o = s->opt;
    while (!(c->flags & (CF_CLOSING | CF_THROTTLED)) &&
           (c->state == CS_NAMING || c->state == CS_CHAT)) {
        if (line_buf_has_line(&c->in) &&
            !flood_ready(&c->flood, (int)o->flood_burst, (int)o->flood_rate, s->now_ms)) {
            throttle(s, c);
            break;
        }
        char *line;
        size_t len;
        enum line_status st = line_buf_next(&c->in, &line, &len);
        if (st == LINE_NEED_MORE)
            break;
        flood_spend(&c->flood);
        if (st == LINE_TOO_LONG) {
            char text[PROTO_OUT_MAX];
            snprintf(text, sizeof text,
                     _("a line may have at most %d bytes; the rest of this one is discarded"),
                     PROTO_LINE_MAX);
            client_sendf(s, c, "ERR line_too_long %s", text);
            continue;
        }
        if (!(c->flags & CF_FIRST_DONE)) {
            c->flags |= CF_FIRST_DONE;
            if (echo_first_line(s, c, line, len))
                continue;
        }
        chat_line(s, c, line, len);
    }
}

void client_process(struct server *s, struct client *c)
{
    for (;;) {
        uint8_t before = c->state;
        if (c->state == CS_ECHO)
            echo_input(s, c);
        else if (c->state == CS_DIAG)
            echo_diag_input(s, c);
        else
            chat_input(s, c);
        /* The hello switches a connection to the echo exchange mid-buffer. */
        if ((c->flags & CF_CLOSING) || c->state == before || c->state == CS_CHAT)
            break;
    }
    if (c->flags & CF_CLOSING)
        return;
    line_buf_release(&c->in);
    client_update_events(s, c);
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

void client_on_readable(struct server *s, struct client *c)
{
    size_t room;
    if (reading_paused(c))
        return;
    char *p = line_buf_room(&c->in, &room);
    if (p == NULL) {
        client_drop(s, c, DROP_NO_MEMORY, NULL);
        return;
    }
    ssize_t n = room > 0 ? recv(c->fd, p, room, 0) : 0;
    if (room > 0 && n == 0) {
        client_drop(s, c, DROP_CLOSED, line_buf_partial(&c->in) ? "mid-line" : NULL);
        return;
    }
    if (n < 0) {
        if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
            client_drop_errno(s, c, errno);
        else
            line_buf_release(&c->in);
        return;
    }
    line_buf_added(&c->in, (size_t)n);
    c->last_rx_ms = s->now_ms;
    client_process(s, c);
}
