#include "chat/link.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chat/greet.h"
#include "chat/retry.h"
#include "chat/tty.h"
#include "common/clock.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/utf8.h"

void link_attach(struct session *s, int fd)
{
    int64_t now = clock_ms();
    s->fd = fd;
    s->state = ST_GREETING;
    s->name_offered = s->greet_warned = s->got_quit_ok = false;
    s->name_try = 0;
    s->last_reason[0] = '\0';
    s->out_len = 0;
    s->greet_deadline = now + (int64_t)(s->cfg->opts->greet_timeout_sec * 1000.0);
    linebuf_init(&s->net);
    beat_init(&s->beat, now, s->cfg->heartbeat_ms, CHAT_HEARTBEAT_MISSES);
}

/* Ends the run: tty restored, message on stderr, exit 1. */
static void link_fail(struct session *s, const char *msg)
{
    tty_stop();
    errorf("%s", msg);
    session_finish(s, CHAT_EXIT_FAIL);
}

/* Something other than chatd answered: what it sent, escaped. */
static void not_chatd(struct session *s)
{
    const struct chat_opts *o = s->cfg->opts;
    char bytes[GREET_SHOW_MAX * 4 + 8], msg[1024];
    greet_escape(s->net.buf, s->net.len, GREET_SHOW_MAX, bytes, sizeof bytes);
    snprintf(msg, sizeof msg,
             _("connected to %s port %s, but the program there is not chatd: it sent \"%s\" "
               "(chatd's first line is \"NOTICE welcome ...\"). Check the port number; to see "
               "what is there, run: netprobe %s %s"),
             o->host, o->port, bytes, o->host, o->port);
    link_fail(s, msg);
}

bool link_greeted(struct session *s)
{
    if (s->state != ST_GREETING)
        return true;
    switch (greet_check(s->net.buf, s->net.len)) {
    case GREET_CHATD:
        s->state = ST_NAMING;
        s->was_chatd = true;
        return true;
    case GREET_OTHER:
        not_chatd(s);
        return false;
    case GREET_MORE:
        break;
    }
    return false;
}

/* Nothing (or half a line) came within --greet-timeout. */
static void greet_timeout(struct session *s)
{
    const struct chat_opts *o = s->cfg->opts;
    char msg[1024];
    if (s->net.len > 0) {
        not_chatd(s);
        return;
    }
    snprintf(msg, sizeof msg,
             _("connected to %s port %s, but nothing answered in %g s: chatd greets at once, so "
               "the program on that port is not chatd, or it is hung. To check, run: netprobe "
               "%s %s"),
             o->host, o->port, o->greet_timeout_sec, o->host, o->port);
    if (!s->cfg->interactive) {
        link_fail(s, msg);
        return;
    }
    session_notice(s, msg);
    session_notice(s, _("still waiting for the server (Ctrl-C to quit)"));
    s->greet_warned = true;
}

/* Goes offline and schedules the next reconnect. */
static void go_offline(struct session *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    if (s->me[0] != '\0' && s->state != ST_NAMING)
        snprintf(s->wanted, sizeof s->wanted, "%s", s->me);
    s->state = ST_OFFLINE;
    s->out_len = 0;
    long long d = retry_delay_ms(s->retries, (double)random() / ((double)RAND_MAX + 1.0));
    s->retry_at = clock_ms() + d;
    char msg[256];
    snprintf(msg, sizeof msg, _("reconnecting in %.1f s (chat --no-reconnect stops instead)"),
             (double)d / 1000.0);
    session_notice(s, msg);
}

/* Says why the connection ended, then reconnects or ends the run. */
static void lost_because(struct session *s, const char *why)
{
    bool quitting = s->state == ST_QUITTING;
    /* A first connection that never greeted is not worth retrying. */
    if (s->cfg->interactive && !s->cfg->opts->no_reconnect && !quitting && s->was_chatd) {
        session_notice(s, why);
        go_offline(s);
        return;
    }
    link_fail(s, why);
}

void link_lost(struct session *s, int err)
{
    char msg[LINEBUF_MAX * 3 + 256], reason[UTF8_SANITIZED_CAP(LINEBUF_MAX)];
    /* Interactive /quit: the user is leaving whatever the server did. */
    if (s->state == ST_QUITTING && (s->got_quit_ok || s->cfg->interactive) && err == 0) {
        tty_stop();
        session_finish(s, CHAT_EXIT_OK);
        return;
    }
    if (s->state == ST_GREETING && s->net.len > 0) {
        not_chatd(s); /* half a line, then gone: still, say what it was */
        return;
    }
    session_clean(s->last_reason, reason, sizeof reason);
    if (s->state == ST_GREETING && err == 0)
        snprintf(msg, sizeof msg,
                 _("connected to %s port %s, but the program there closed the connection "
                   "without a word: chatd greets at once, so it is not chatd (or it is shutting "
                   "down). To check, run: netprobe %s %s"),
                 s->cfg->opts->host, s->cfg->opts->port, s->cfg->opts->host, s->cfg->opts->port);
    else if (err != 0)
        snprintf(msg, sizeof msg, _("the connection to the server broke: %s"), strerror(err));
    else if (s->state == ST_QUITTING)
        snprintf(msg, sizeof msg, "%s",
                 _("the server closed the connection before it answered /quit"));
    else if (reason[0] != '\0')
        snprintf(msg, sizeof msg, _("the server closed the connection: %s"), reason);
    else
        snprintf(msg, sizeof msg, "%s", _("the server closed the connection"));
    lost_because(s, msg);
}

void link_dead(struct session *s, long long silent_sec)
{
    const struct chat_opts *o = s->cfg->opts;
    char msg[1024];
    snprintf(msg, sizeof msg,
             _("the server stopped answering (no reply for %lld s): the server or the network "
               "path is down; run: netprobe %s %s"),
             silent_sec, o->host, o->port);
    lost_because(s, msg);
}

/* One reconnect attempt (blocking, up to --timeout per address; a signal
 * cancels it). */
static void reconnect(struct session *s)
{
    const struct chat_opts *o = s->cfg->opts;
    char msg[2048];
    struct connect_error e;
    struct connect_log log;
    snprintf(msg, sizeof msg, _("reconnecting to %s port %s ..."), o->host, o->port);
    session_notice(s, msg);
    int fd = connect_dial(o->host, o->port, &s->cfg->connect, &e, &log);
    if (fd >= 0) {
        s->retries = 0;
        link_attach(s, fd);
        snprintf(msg, sizeof msg, _("connected again to %s port %s"), o->host, o->port);
        session_notice(s, msg);
        return;
    }
    if (e.gai == 0 && e.err == EINTR)
        return; /* a signal: the loop handles it, and retries if it goes on */
    connect_explain(&e, &log, o->host, o->port, o->timeout_sec, msg, sizeof msg);
    session_notice(s, msg);
    s->retries++;
    go_offline(s);
}

void link_tick(struct session *s, int64_t now)
{
    if (s->state == ST_GREETING && !s->greet_warned && now >= s->greet_deadline)
        greet_timeout(s);
    else if (s->state == ST_OFFLINE && now >= s->retry_at)
        reconnect(s);
}

int64_t link_wake(const struct session *s)
{
    if (s->state == ST_GREETING && !s->greet_warned)
        return s->greet_deadline;
    if (s->state == ST_OFFLINE)
        return s->retry_at;
    return INT64_MAX;
}
