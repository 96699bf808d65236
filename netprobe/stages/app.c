/*
 * app.c - the app stage: send the netprobe hello and see who answers.
 *
 * chatd answers with one JSON line saying what it saw (docs/protocol.md);
 * comparing that with what we saw finds NAT on either side.  Anything else
 * that answers is another service, recorded by its first bytes.  Silence
 * is split by TCP_INFO: if the server's kernel ACKed our hello, the server
 * program is the one not reading.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "netprobe/silence.h"
#include "netprobe/stages/stageio.h"
#include "netprobe/stages/stages.h"
#include "netprobe/wire/tcpinfo.h"

/* Greeting lines chatd may send before the reply; none starts with '{'. */
static const char *const CHATD_KINDS[] = {"NOTICE ", "ASK ", "DIAG ", "PING ", "ERR "};

/* The protocol's bound on greeting lines before the reply. */
#define APP_LINES_MAX 16
#define APP_BYTES_MAX 4096

/* The share of the deadline spent waiting for the hello reply before the
 * fill starts; the rest measures.  chatd answers within one round trip. */
#define APP_HELLO_SHARE 0.5

/* The filler, one line repeated: whoever reads it in a server's log or
 * terminal learns what it is. */
static const char FILL_LINE[] =
    "netprobe: filler to measure whether this server reads (netprobe(1), connected_silent)\n";

static bool chatd_greeting(const char *line)
{
    for (size_t i = 0; i < sizeof CHATD_KINDS / sizeof CHATD_KINDS[0]; i++)
        if (strncmp(line, CHATD_KINDS[i], strlen(CHATD_KINDS[i])) == 0)
            return true;
    return false;
}

/* A fresh nonce of URL-safe characters, as the protocol allows. */
static void make_nonce(char *out, size_t n)
{
    static const char ALPHABET[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char raw[32];
    if (n > sizeof raw)
        n = sizeof raw;
    if (stageio_random(raw, n) < 0)
        memset(raw, 'x', n); /* still a valid nonce; uniqueness is a nicety */
    for (size_t i = 0; i < n; i++)
        out[i] = ALPHABET[raw[i] % 64];
    out[n] = '\0';
}

/* Keeps what chatd said of itself: its greeting, and the first line that
 * gives a reason to close (the verdict quotes it). */
static void note_chatd_words(struct ev_app *app, const char *line, size_t len)
{
    static const char *const GREETINGS[] = {"NOTICE welcome ", "ASK name", "DIAG chatd "};
    for (size_t i = 0; i < sizeof GREETINGS / sizeof GREETINGS[0]; i++)
        if (strncmp(line, GREETINGS[i], strlen(GREETINGS[i])) == 0)
            app->chatd_greeted = true;
    if (app->chatd_said[0] == '\0' && stageio_chatd_reason(line))
        stageio_printable(app->chatd_said, sizeof app->chatd_said, line, len);
}

/* Did the peer's kernel acknowledge everything we sent? */
static void check_acked(struct ev_app *app, int fd)
{
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
        return;
    app->bytes_acked_known = true;
    app->bytes_acked = ti.tcpi_unacked == 0;
}

static void set_other(struct ev_app *app, const char *bytes, size_t len)
{
    app->outcome = APP_OTHER;
    if (app->banner[0] == '\0')
        stageio_printable(app->banner, sizeof app->banner, bytes, len);
}

/* Judges a '{' line: our reply, or someone else's JSON. */
static void take_reply(struct ev_app *app, const char *line, const char *nonce)
{
    char err[128];
    if (hello_reply_parse(line, &app->hello, err, sizeof err) == 0 &&
        strcmp(app->hello.nonce, nonce) == 0) {
        app->outcome = APP_CHATD;
        return;
    }
    memset(&app->hello, 0, sizeof app->hello);
    app->banner[0] = '\0';
    set_other(app, line, strlen(line));
}

/* How the exchange ended without a reply line (rc < 0). */
static void take_end(struct ev_app *app, struct stageio_conn *c, int rc)
{
    if (c->len > 0) {
        set_other(app, c->buf, c->len); /* a partial line is a banner too */
        return;
    }
    if (rc == STAGEIO_TIMEOUT) {
        app->outcome = APP_SILENT;
        check_acked(app, c->fd);
    } else {
        app->outcome = rc == STAGEIO_EOF ? APP_CLOSED : APP_RESET;
    }
}

/* Reads until the reply, another service's line, the end or deadline. */
static void exchange(struct ev_app *app, struct stageio_conn *c, const char *nonce, double deadline)
{
    char line[APP_BYTES_MAX + 1];
    size_t lines = 0, bytes = 0;
    for (;;) {
        int rc = stageio_read_line(c, line, sizeof line, deadline);
        if (rc < 0) {
            take_end(app, c, rc);
            return;
        }
        if (line[0] == '{') {
            take_reply(app, line, nonce);
            return;
        }
        bytes += (size_t)rc + 1;
        if (app->banner[0] == '\0')
            stageio_printable(app->banner, sizeof app->banner, line, (size_t)rc);
        if (!chatd_greeting(line) || ++lines > APP_LINES_MAX || bytes > APP_BYTES_MAX) {
            app->outcome = APP_OTHER;
            return;
        }
        note_chatd_words(app, line, (size_t)rc);
    }
}

/* Compares the server's view with ours (APP_CHATD only). */
static void compare(struct ev_app *app, const struct ev_tcp_attempt *a, int fd)
{
    struct sockaddr_storage me;
    socklen_t len = sizeof me;
    char ours[ADDR_TEXT_MAX];
    if (getsockname(fd, (struct sockaddr *)&me, &len) == 0 &&
        addr_format((struct sockaddr *)&me, ours, NULL) == 0)
        app->client_nat = strcmp(ours, app->hello.peer.address) != 0;
    app->server_nat = strcmp(a->target.address, app->hello.local.address) != 0;
}

/* Sends filler while the window lets it, up to the budget. */
static void fill_push(int fd, size_t *sent)
{
    while (*sent < SILENCE_FILL_BYTES) {
        size_t off = *sent % (sizeof FILL_LINE - 1), left = SILENCE_FILL_BYTES - *sent;
        size_t n = sizeof FILL_LINE - 1 - off < left ? sizeof FILL_LINE - 1 - off : left;
        ssize_t got = send(fd, FILL_LINE + off, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (got <= 0)
            return; /* EAGAIN: the window or our buffer is full, which is the measurement */
        *sent += (size_t)got;
    }
}

/* Fills until deadline or until the server says something; true if it
 * did (the caller reads it as an answer after all). */
static bool fill_until(int fd, size_t *sent, double deadline)
{
    for (;;) {
        double left = deadline - clock_ms_f();
        if (left <= 0)
            return false;
        struct pollfd p = {fd, (short)(POLLIN | (*sent < SILENCE_FILL_BYTES ? POLLOUT : 0)), 0};
        int rc = poll(&p, 1, (int)(left + 0.999));
        if (rc < 0 && errno != EINTR)
            return false;
        if (rc > 0 && (p.revents & (POLLIN | POLLERR | POLLHUP)))
            return true;
        if (rc > 0 && (p.revents & POLLOUT))
            fill_push(fd, sent);
    }
}

/* Splits a silent server by sending filler until deadline and reading the
 * server's window from TCP_INFO (netprobe/silence.h).  Returns true when
 * the server sent something meanwhile. */
static bool split_silence(struct ev_app *app, int fd, double deadline, bool relay)
{
    struct tcpinfo_sample before, after;
    size_t sent = 0;
    if (tcpinfo_read(fd, &before) < 0)
        return false; /* no TCP_INFO: the split stays not_run */
    bool spoke = fill_until(fd, &sent, deadline);
    if (tcpinfo_read(fd, &after) < 0)
        return spoke;
    uint64_t acked = after.bytes_acked - before.bytes_acked;
    struct silence_measure m = {
        .budget = SILENCE_FILL_BYTES,
        .sent = sent,
        .acked = acked < sent ? (size_t)acked : sent, /* the hello may be in it */
        .notsent = after.notsent,
        .unacked = after.unacked,
        .window_start = before.peer_window,
        .window_end = after.peer_window,
        .relay = relay,
    };
    app->split = silence_decide(&m);
    app->fill_sent = m.sent;
    app->fill_acked = m.acked;
    app->peer_window = after.peer_window;
    return spoke;
}

/* Waits for the reply; on silence at half the deadline, measures the
 * split for the rest of it. */
static void converse(struct ev_app *app, struct stageio_conn *c, const char *nonce, double start,
                     double deadline, bool relay)
{
    double half = start + (deadline - start) * APP_HELLO_SHARE;
    exchange(app, c, nonce, half);
    if (app->outcome != APP_SILENT || clock_ms_f() >= deadline)
        return;
    if (split_silence(app, c->fd, deadline, relay)) {
        app->outcome = APP_NOT_RUN; /* a late answer: judge it as any other */
        exchange(app, c, nonce, deadline);
    }
}

/* The stage's status; its line comes from the evidence (stage_text.c). */
static enum stage_status app_status(const struct ev_app *app)
{
    if (app->outcome != APP_CHATD)
        return STATUS_FAIL;
    return app->hello.netprobe == HELLO_VERSION ? STATUS_PASS : STATUS_WARN;
}

void stage_app_run(struct evidence *ev, const struct probe_opts *o)
{
    double start = clock_ms_f(), deadline = start + o->timeout_ms;
    struct ev_app *app = &ev->app;
    struct stageio_conn c;
    char nonce[17], hello[HELLO_NONCE_MAX + 32];
    int err;
    memset(app, 0, sizeof *app);
    app->peer_window = -1;
    if (ev->tcp.chosen < 0 || (size_t)ev->tcp.chosen >= ev->tcp.attempt_count) {
        stageio_skip(ev, STAGE_APP, SKIP_APP_NO_CONN, start, 0);
        return;
    }
    const struct ev_tcp_attempt *a = &ev->tcp.attempts[ev->tcp.chosen];
    make_nonce(nonce, 16);
    int n = hello_format_request(hello, sizeof hello, nonce);
    if (stageio_connect(&c, &a->target, o->port, 0, deadline, &err) < 0) {
        /* ECONNRESET here is a server that accepted and reset before we
         * saw the connection complete (SO_ERROR reports the reset): a
         * reset, like ECONNREFUSED, not a close. */
        bool reset = err == ECONNREFUSED || err == ECONNRESET;
        app->outcome = err == ETIMEDOUT ? APP_SILENT : reset ? APP_RESET : APP_CLOSED;
        stageio_done(ev, STAGE_APP, STATUS_FAIL, start, err != 0 ? err : EIO);
        return;
    }
    int rc = n > 0 ? stageio_send(&c, hello, (size_t)n, deadline) : STAGEIO_RESET;
    if (rc < 0)
        take_end(app, &c, rc);
    else
        converse(app, &c, nonce, start, deadline, ev->local.virtualbox_nat);
    if (app->outcome == APP_CHATD)
        compare(app, a, c.fd);
    stageio_close(&c);
    stageio_done(ev, STAGE_APP, app_status(app), start, 0);
}
