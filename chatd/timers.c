/* timers.c - timeouts, heartbeat, flood tokens, accept() resuming, heap trim. */
#include "chatd/timers.h"

#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "chatd/client.h"
#include "chatd/input.h"
#include "chatd/listen.h"
#include "common/i18n.h"

#define TRIM_MS 10000 /* how often freed heap goes back to the OS */

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

/* Flood tokens coming back: a throttled client is read again, and a calm
 * one is told about its next flood. */
static void check_flood(struct server *s, struct client *c)
{
    const struct flood_limit *l = client_flood_limit(s, c);
    if ((c->flags & CF_THROTTLED) && flood_ready(&c->flood, l, s->now_ms)) {
        c->flags &= (uint8_t)~CF_THROTTLED;
        s->nthrottled--;
        input_process(s, c);
    }
    if ((c->flags & (CF_FLOOD_SAID | CF_THROTTLED)) == CF_FLOOD_SAID &&
        flood_ready(&c->flood, l, s->now_ms) && flood_full(&c->flood, l))
        c->flags &= (uint8_t)~CF_FLOOD_SAID; /* calm again: the next flood is told */
}

/* The timers of one client: flood tokens, timeouts, heartbeat. */
static void check_client(struct server *s, struct client *c)
{
    const struct chatd_options *o = s->opt;
    int64_t now = s->now_ms, silent = now - c->last_rx_ms;
    bool chatting = c->state == CS_NAMING || c->state == CS_CHAT;
    check_flood(s, c);
    if (c->flags & CF_CLOSING)
        return;
    if (chatting && !(c->flags & (CF_THROTTLED | CF_NEWLINE_SAID)) && c->partial_ms != 0 &&
        now - c->partial_ms >= CHATD_NO_NEWLINE_HINT_SEC * 1000 && line_buf_partial(&c->in))
        input_explain_no_newline(c, false); /* a hint in the log; the client stays */
    if (c->state == CS_NAMING && now - c->connected_ms >= o->name_timeout * 1000)
        time_out(s, c, DROP_TIMEOUT_NAME, _("no name chosen for %ld s; closing"), o->name_timeout);
    else if (chatting && !(c->flags & CF_THROTTLED) && c->partial_ms != 0 &&
             line_buf_partial(&c->in) && now - c->partial_ms >= o->line_timeout * 1000)
        /* From the line's first byte: a byte now and then must not keep a
         * connection (and its slot) alive without ever finishing a line. */
        time_out(s, c, DROP_TIMEOUT_LINE, _("a line left unfinished for %ld s; closing"),
                 o->line_timeout);
    else if (c->state == CS_ECHO && now - c->echo_ms >= o->echo_lifetime * 1000)
        time_out(s, c, DROP_TIMEOUT_ECHO, _("the echo exchange may last %ld s; closing"),
                 o->echo_lifetime);
    else if (c->state == CS_ECHO && !client_reading_paused(c) &&
             silent >= o->echo_silence * 1000)
        time_out(s, c, DROP_ECHO_SILENT, _("the echo exchange got nothing for %ld s; closing"),
                 o->echo_silence);
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

void timers_sweep(struct server *s)
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
        listen_set_accepting(s, true);
    }
    peraddr_sweep(s->peraddr, s->now_ms);
    for (size_t fd = 0; fd < s->by_fd_cap; fd++) {
        struct client *c = s->by_fd[fd];
        if (c != NULL && !(c->flags & CF_CLOSING))
            check_client(s, c);
    }
}
