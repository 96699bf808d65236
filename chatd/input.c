/* input.c - reading a connection and dispatching its input by state. */
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

#include "chatd/client.h"
#include "chatd/commands.h"
#include "chatd/diag.h"
#include "chatd/echo.h"
#include "chatd/input.h"
#include "chatd/visible.h"
#include "common/i18n.h"
#include "common/log.h"

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
    logf_ts(_("flood %s %s: past %ld lines or %ld bytes at once; reading it at %ld lines/s and "
              "%ld bytes/s"),
            peer, c->state == CS_CHAT ? c->name : _("(no name)"), (long)s->flood.burst,
            s->flood.byte_burst, (long)s->flood.rate, s->flood.byte_rate);
    char text[PROTO_OUT_MAX];
    snprintf(text, sizeof text,
             _("you are sending faster than %ld lines or %ld bytes per second; the rest is read "
               "as your limit allows, nothing is lost"),
             (long)s->flood.rate, s->flood.byte_rate);
    client_sendf(s, c, "NOTICE flood %s", text);
}

static void line_too_long(struct server *s, struct client *c)
{
    char text[PROTO_OUT_MAX];
    snprintf(text, sizeof text,
             _("a line may have at most %d bytes; the rest of this one is discarded"),
             PROTO_LINE_MAX);
    client_sendf(s, c, "ERR line_too_long %s", text);
}

/* One line (or the cut piece of an over-long one) of a naming or chatting
 * client.  Returns the bytes the flood limit charges: the sanitized text,
 * which is what receivers get (an invalid byte costs its 3-byte U+FFFD). */
static size_t chat_input_line(struct server *s, struct client *c, enum line_status st, char *line,
                              size_t len)
{
    if (st == LINE_TOO_LONG) {
        line_too_long(s, c);
        return PROTO_LINE_MAX; /* its rest is discarded without a further charge */
    }
    if (!(c->flags & CF_FIRST_DONE)) {
        c->flags |= CF_FIRST_DONE;
        if (echo_first_line(s, c, line, len))
            return len;
    }
    return chat_line(s, c, line, len);
}

/* Lines from a naming or chatting client, as the flood limit allows.  The
 * first line may be the netprobe hello instead (echo.c decides). */
static void chat_input(struct server *s, struct client *c)
{
    while (!(c->flags & (CF_CLOSING | CF_THROTTLED)) &&
           (c->state == CS_NAMING || c->state == CS_CHAT)) {
        if (line_buf_has_line(&c->in) && !flood_ready(&c->flood, &s->flood, s->now_ms)) {
            throttle(s, c);
            break;
        }
        char *line;
        size_t len;
        enum line_status st = line_buf_next(&c->in, &line, &len);
        if (st == LINE_NEED_MORE)
            break;
        c->partial_ms = 0; /* an LF (or a cut) ended the bytes held so far */
        flood_spend(&c->flood, 1, chat_input_line(s, c, st, line, len));
    }
}

/* The input handler of each state. */
static void (*const handlers[])(struct server *s, struct client *c) = {
    [CS_NAMING] = chat_input,
    [CS_CHAT] = chat_input,
    [CS_ECHO] = echo_input,
    [CS_DIAG] = diag_input,
};

/* Notes since when a chatting client's bytes wait for an LF (the timers
 * explain it after CHATD_NO_NEWLINE_HINT_SEC). */
static void note_partial(struct server *s, struct client *c)
{
    if (c->state != CS_NAMING && c->state != CS_CHAT)
        return;
    if (!line_buf_partial(&c->in))
        c->partial_ms = 0;
    else if (c->partial_ms == 0)
        c->partial_ms = s->now_ms;
}

void input_process(struct server *s, struct client *c)
{
    for (;;) {
        uint8_t before = c->state;
        handlers[c->state](s, c);
        /* The hello switches a connection to the echo exchange mid-buffer. */
        if ((c->flags & CF_CLOSING) || c->state == before || c->state == CS_CHAT)
            break;
    }
    if (c->flags & CF_CLOSING)
        return;
    note_partial(s, c);
    line_buf_release(&c->in);
    client_update_events(s, c);
}

/* A chatting client that goes away mid-line: say what it left unfinished. */
static void explain_if_mid_line(struct client *c)
{
    if ((c->state == CS_NAMING || c->state == CS_CHAT) && line_buf_partial(&c->in))
        input_explain_no_newline(c, true);
}

void input_on_readable(struct server *s, struct client *c)
{
    size_t room;
    if (client_reading_paused(c))
        return;
    char *p = line_buf_room(&c->in, &room);
    if (p == NULL) {
        client_drop(s, c, DROP_NO_MEMORY, NULL);
        return;
    }
    ssize_t n = room > 0 ? recv(c->fd, p, room, 0) : 0;
    if (room > 0 && n == 0) {
        bool mid_line = line_buf_partial(&c->in);
        explain_if_mid_line(c);
        client_drop(s, c, DROP_CLOSED, mid_line ? "mid-line" : NULL);
        return;
    }
    if (n < 0) {
        if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
            int err = errno;
            explain_if_mid_line(c); /* a client that closes unread input resets */
            client_drop_errno(s, c, err);
        } else {
            line_buf_release(&c->in);
        }
        return;
    }
    line_buf_added(&c->in, (size_t)n);
    c->last_rx_ms = s->now_ms;
    input_process(s, c);
}

void input_explain_no_newline(struct client *c, bool closing)
{
    const char *d;
    size_t n = line_buf_peek(&c->in, &d);
    if (n == 0)
        return; /* only the rest of an over-long line, already answered */
    char peer[ADDR_TEXT_MAX + 16], shown[VISIBLE_CAP(CHATD_SHOW_MAX)];
    client_peer_text(c, peer, sizeof peer);
    size_t k = visible_escape(d, n < CHATD_SHOW_MAX ? n : CHATD_SHOW_MAX, shown, sizeof shown);
    const char *name = c->state == CS_CHAT ? c->name : _("(no name)");
    const char *more = k < n ? "..." : "";
    if (closing) {
        logf_ts(_("%s %s closed mid-line: %zu bytes without a newline: \"%s\"%s; chatd reads "
                  "lines that end in \\n"),
                peer, name, n, shown, more);
        return;
    }
    c->flags |= CF_NEWLINE_SAID;
    logf_ts(_("%s %s: %zu bytes and no newline for %d s: \"%s\"%s; chatd reads lines that end "
              "in \\n"),
            peer, name, n, CHATD_NO_NEWLINE_HINT_SEC, shown, more);
}
