#include "chat/client.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "chat/beat.h"
#include "chat/linebuf.h"
#include "chat/render.h"
#include "chat/tty.h"
#include "common/i18n.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/proto.h"
#include "common/utf8.h"

/* Bytes waiting to go to the server.  Input is not read while less than a
 * line fits, so a server that stops reading (flood limit) slows us down
 * instead of growing memory. */
#define CLIENT_OUT_MAX (64 * 1024)

enum client_state {
    ST_NAMING,   /* before "OK name" */
    ST_CHATTING, /* named */
    ST_QUITTING, /* we sent /quit; waiting for the server to close */
};

struct client {
    int fd;
    const struct client_config *cfg;
    enum client_state state;
    bool name_offered;   /* --name was sent once */
    bool want_name_line; /* pipe mode: the next input line is the name */
    bool input_eof;
    char me[PROTO_NAME_MAX + 1];
    char last_reason[LINEBUF_MAX + 1]; /* text of the last ERR/shutdown */
    long long quit_deadline;           /* when we give up waiting, once quitting */
    int exit_code;
    bool done;
    struct beat beat;
    struct linebuf net, in;
    size_t out_len;
    char out[CLIENT_OUT_MAX];
};

/* Signals only set flags; the loop acts on them after poll() returns. */
static volatile sig_atomic_t got_quit_signal, got_winch;
static struct client *the_client; /* for readline's line callback */

static void on_signal(int sig)
{
    if (sig == SIGWINCH)
        got_winch = 1;
    else
        got_quit_signal = 1;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Ends the session with code; the loop stops at its next turn. */
static void client_finish(struct client *c, int code)
{
    c->exit_code = code;
    c->done = true;
}

/* Queues text + LF for the server.  A line that does not fit is refused
 * (it cannot happen while input is paused on a full buffer). */
static void client_send(struct client *c, const char *text)
{
    size_t n = strlen(text);
    if (c->out_len + n + 1 > sizeof c->out) {
        warnf("%s", _("output to the server is backed up; a line was not sent"));
        return;
    }
    memcpy(c->out + c->out_len, text, n);
    c->out[c->out_len + n] = '\n';
    c->out_len += n + 1;
}

/* Shows a line to the user without disturbing what they type. */
static void client_show(const char *text)
{
    tty_print(text);
}

static void client_start_quit(struct client *c)
{
    if (c->state == ST_QUITTING)
        return;
    c->state = ST_QUITTING;
    c->quit_deadline = now_ms() + CHAT_QUIT_WAIT_SEC * 1000;
}

/* Sets the readline prompt to "NAME> " (or "name> " while naming). */
static void client_prompt(struct client *c)
{
    char prompt[PROTO_NAME_MAX + 4];
    /* TRANSLATORS: the prompt while chat asks for your chat name; keep it short. */
    snprintf(prompt, sizeof prompt, "%s> ", c->me[0] != '\0' ? c->me : _("name"));
    tty_set_prompt(prompt);
}

/* Copies the word after the kind and its first argument ("OK name NAME")
 * into dst. */
static void copy_word(char *dst, size_t cap, const char *s)
{
    size_t n = strcspn(s, " ");
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static void on_ask(struct client *c, const char *line)
{
    (void)line;
    if (c->cfg->opts->name != NULL && !c->name_offered) {
        c->name_offered = true;
        client_send(c, c->cfg->opts->name);
    } else if (c->cfg->interactive) {
        client_prompt(c);
    } else {
        c->want_name_line = true;
    }
}

static void on_ok(struct client *c, const char *line)
{
    if (strncmp(line, "OK name ", 8) == 0 || strncmp(line, "OK nick ", 8) == 0) {
        copy_word(c->me, sizeof c->me, line + 8);
        if (c->state == ST_NAMING)
            c->state = ST_CHATTING;
        client_prompt(c);
    }
}

static void on_err(struct client *c, const char *line)
{
    const char *text = strchr(line + 4, ' ');
    snprintf(c->last_reason, sizeof c->last_reason, "%s", text != NULL ? text + 1 : line + 4);
    bool name_error = strncmp(line, "ERR name_", 9) == 0;
    /* Over a pipe nobody can answer a new ASK, so a refused name ends it. */
    if (name_error && c->state == ST_NAMING && !c->cfg->interactive) {
        const char *name = c->cfg->opts->name;
        errorf(_("the server refused the name \"%s\": %s. Over a pipe chat cannot ask again: "
                 "run it again with another --name"),
               name != NULL ? name : _("(first input line)"), c->last_reason);
        client_finish(c, CHAT_EXIT_FAIL);
    }
}

static void on_notice(struct client *c, const char *line)
{
    if (strncmp(line, "NOTICE shutdown ", 16) == 0)
        snprintf(c->last_reason, sizeof c->last_reason, "%s", line + 16);
}

static void on_ping(struct client *c, const char *line)
{
    char reply[PROTO_TOKEN_MAX + 16];
    char token[PROTO_TOKEN_MAX + 1];
    copy_word(token, sizeof token, line + 5);
    if (!proto_token_valid(token, strlen(token)))
        return; /* not a token the server could expect back */
    snprintf(reply, sizeof reply, "/pong %s", token);
    client_send(c, reply);
}

/* What a server line makes the client do, besides showing it. */
static const struct {
    const char *prefix;
    void (*fn)(struct client *c, const char *line);
} reactions[] = {
    {"ASK name", on_ask},   {"OK ", on_ok},     {"ERR ", on_err},
    {"NOTICE ", on_notice}, {"PING ", on_ping},
};

static void on_server_line(struct client *c, const char *line)
{
    static char shown[UTF8_SANITIZED_CAP(LINEBUF_MAX) + 64];
    struct render_ctx ctx = {c->me[0] != '\0' ? c->me : NULL, c->cfg->color};

    beat_rx(&c->beat, now_ms());
    if (c->cfg->opts->raw)
        client_show(line);
    else if (render_line(line, &ctx, shown, sizeof shown) != RENDER_HIDDEN)
        client_show(shown);
    for (size_t i = 0; i < sizeof reactions / sizeof reactions[0]; i++)
        if (strncmp(line, reactions[i].prefix, strlen(reactions[i].prefix)) == 0)
            reactions[i].fn(c, line);
}

/* A line the user typed, or read from the input pipe. */
static void on_user_line(struct client *c, const char *line)
{
    if (line[0] == '\0' || c->state == ST_QUITTING)
        return;
    c->want_name_line = false;
    client_send(c, line);
    /* "/quit" or "/quit reason", any case, ends the session once the
     * server confirms by closing. */
    if (strncasecmp(line, "/quit", 5) == 0 && (line[5] == '\0' || line[5] == ' '))
        client_start_quit(c);
}

/* End of input (Ctrl-D, Ctrl-C, or the pipe ran dry): leave politely. */
static void on_user_eof(struct client *c)
{
    c->input_eof = true;
    if (c->state != ST_QUITTING) {
        client_send(c, "/quit");
        client_start_quit(c);
    }
}

static void tty_line(const char *line)
{
    if (line == NULL)
        on_user_eof(the_client);
    else
        on_user_line(the_client, line);
}

/* The server closed the connection (err 0) or it broke (err set). */
static void on_server_gone(struct client *c, int err)
{
    tty_stop();
    if (c->state == ST_QUITTING && err == 0) {
        client_finish(c, CHAT_EXIT_OK);
        return;
    }
    if (err != 0)
        errorf(_("the connection to the server broke: %s"), strerror(err));
    else if (c->last_reason[0] != '\0')
        errorf(_("the server closed the connection: %s"), c->last_reason);
    else
        errorf("%s", _("the server closed the connection"));
    client_finish(c, CHAT_EXIT_FAIL);
}

static void read_server(struct client *c)
{
    static char line[LINEBUF_MAX + 1];
    ssize_t n = linebuf_fill(&c->net, c->fd);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        int err = n < 0 ? errno : 0;
        while (!c->done && linebuf_next(&c->net, line, sizeof line))
            on_server_line(c, line);
        if (!c->done && linebuf_rest(&c->net, line, sizeof line))
            on_server_line(c, line);
        if (!c->done)
            on_server_gone(c, err);
        return;
    }
    while (!c->done && linebuf_next(&c->net, line, sizeof line))
        on_server_line(c, line);
}

/* Pipe mode: whether input lines may go to the server now.  While
 * naming with --name they wait, or they would be taken as name attempts. */
static bool input_may_flow(const struct client *c)
{
    return !c->cfg->interactive && (c->state == ST_CHATTING || c->want_name_line);
}

/* Pipe mode: passes on the complete lines read so far, and at the end of
 * the input the last partial line and /quit. */
static void drain_input(struct client *c)
{
    static char line[LINEBUF_MAX + 1];
    while (input_may_flow(c) && linebuf_next(&c->in, line, sizeof line))
        on_user_line(c, line);
    if (!c->input_eof || !input_may_flow(c))
        return;
    if (linebuf_rest(&c->in, line, sizeof line))
        on_user_line(c, line);
    on_user_eof(c);
}

/* Pipe mode: reads what stdin has. */
static void read_input(struct client *c)
{
    ssize_t n = linebuf_fill(&c->in, STDIN_FILENO);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n < 0)
        warnf(_("reading the input failed: %s; leaving"), strerror(errno));
    if (n <= 0)
        c->input_eof = true;
    drain_input(c);
}

static void write_server(struct client *c)
{
    ssize_t n = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n < 0) {
        /* The read side sees the close too; report it from one place. */
        on_server_gone(c, errno);
        return;
    }
    c->out_len -= (size_t)n;
    memmove(c->out, c->out + n, c->out_len);
}

/* Whether to poll stdin: not after its end, not while quitting, and not
 * while the output buffer has no room for another line (backpressure). */
static bool want_input(const struct client *c)
{
    if (c->input_eof || c->state == ST_QUITTING)
        return false;
    if (c->out_len + LINEBUF_MAX + 2 > sizeof c->out)
        return false;
    return c->cfg->interactive || input_may_flow(c);
}

/* Sends heartbeats and gives up on a silent server. */
static void check_beat(struct client *c, long long now)
{
    char token[PROTO_TOKEN_MAX + 1], ping[PROTO_TOKEN_MAX + 8];
    enum beat_action a = beat_tick(&c->beat, now, token, sizeof token);
    if (a == BEAT_PING) {
        snprintf(ping, sizeof ping, "/ping %s", token);
        client_send(c, ping);
    } else if (a == BEAT_DEAD) {
        tty_stop();
        errorf(_("the server stopped answering (no reply for %lld s): the server or the network "
                 "path is down; run: netprobe %s %s"),
               beat_silent_sec(&c->beat, now), c->cfg->opts->host, c->cfg->opts->port);
        client_finish(c, CHAT_EXIT_FAIL);
    }
}

/* Gives up on a server that does not close after our /quit. */
static void check_quit(struct client *c, long long now)
{
    if (c->state != ST_QUITTING || now < c->quit_deadline)
        return;
    tty_stop();
    errorf(_("the server did not close the connection within %d s after /quit; leaving anyway"),
           CHAT_QUIT_WAIT_SEC);
    client_finish(c, CHAT_EXIT_FAIL);
}

static int poll_timeout(const struct client *c, long long now)
{
    long long t = beat_wait_ms(&c->beat, now);
    if (c->state == ST_QUITTING && c->quit_deadline - now < t)
        t = c->quit_deadline > now ? c->quit_deadline - now : 0;
    return t > 60000 ? 60000 : (int)t;
}

/* Handles the flags set by signal handlers.  A second Ctrl-C while
 * waiting for the server to close leaves at once. */
static void check_signals(struct client *c)
{
    if (got_winch) {
        got_winch = 0;
        tty_resize();
    }
    if (!got_quit_signal)
        return;
    got_quit_signal = 0;
    if (c->state == ST_QUITTING) {
        tty_stop();
        client_finish(c, CHAT_EXIT_OK);
    } else {
        on_user_eof(c);
    }
}

static void client_turn(struct client *c)
{
    struct pollfd p[2] = {{.fd = c->fd, .events = POLLIN}, {.fd = STDIN_FILENO}};
    if (c->out_len > 0)
        p[0].events |= POLLOUT;
    p[1].events = want_input(c) ? POLLIN : 0;
    int r = poll(p, 2, poll_timeout(c, now_ms()));
    if (r < 0 && errno != EINTR) {
        tty_stop();
        errorf(_("poll failed: %s"), strerror(errno));
        client_finish(c, CHAT_EXIT_FAIL);
        return;
    }
    if (r > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
        read_server(c);
    if (r > 0 && !c->done && c->out_len > 0 && (p[0].revents & POLLOUT))
        write_server(c);
    if (r > 0 && !c->done && p[1].revents != 0)
        c->cfg->interactive ? tty_read() : read_input(c);
    if (!c->done)
        drain_input(c);
}

/* Signal handlers for the session; SIGPIPE is ignored so a dead peer
 * shows up as EPIPE from send(). */
static void client_signals(void)
{
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGWINCH, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int client_run(int fd, const struct client_config *cfg)
{
    struct client *c = calloc(1, sizeof *c);
    if (c == NULL) {
        errorf("%s", _("out of memory starting the session"));
        close(fd);
        return CHAT_EXIT_FAIL;
    }
    c->fd = fd;
    c->cfg = cfg;
    the_client = c;
    beat_init(&c->beat, now_ms(), cfg->heartbeat_ms, CHAT_HEARTBEAT_MISSES);
    client_signals();
    if (cfg->interactive)
        tty_start("", tty_line);
    while (!c->done) {
        check_signals(c);
        if (!c->done)
            client_turn(c);
        if (!c->done)
            check_beat(c, now_ms());
        if (!c->done)
            check_quit(c, now_ms());
    }
    tty_stop();
    close(fd);
    int code = c->exit_code;
    the_client = NULL;
    free(c);
    return code;
}
