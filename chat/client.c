#include "chat/client.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chat/link.h"
#include "chat/replies.h"
#include "chat/session.h"
#include "chat/split.h"
#include "chat/tty.h"
#include "common/clock.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/proto.h"

/* Signals only set flags; the loop acts on them after poll() returns.
 * got_stop (SIGINT, Ctrl-C) asks for a polite /quit, got_term (SIGTERM,
 * SIGHUP) for leaving at once. */
static volatile sig_atomic_t got_stop, got_term, got_winch, got_any;
static struct session *the_session; /* for readline's line callback */

static void on_signal(int sig)
{
    if (sig == SIGWINCH)
        got_winch = 1;
    else if (sig == SIGINT)
        got_stop = 1;
    else
        got_term = 1;
    if (sig != SIGWINCH)
        got_any = 1; /* cancels a reconnect under way */
}

/* Pipe mode: an input line longer than the server takes is cut into lines
 * that fit, each sent; a command that cannot be cut is not sent.  Either
 * way stderr says so. */
static void send_split(struct session *s, const char *line)
{
    static char piece[SPLIT_LINE_MAX + 1];
    struct split sp;
    size_t len = strlen(line), n = 0;
    if (split_begin(&sp, line, SPLIT_LINE_MAX) == SPLIT_REFUSED) {
        warnf(_("an input line of %zu bytes is a command longer than the server takes (%d "
                "bytes); it was not sent"),
              len, SPLIT_LINE_MAX);
        return;
    }
    while (split_next(&sp, SPLIT_LINE_MAX, piece, sizeof piece))
        n += session_send(s, piece) == 0;
    warnf(_("an input line of %zu bytes was longer than the server takes (%d bytes); it was "
            "sent as %zu lines"),
          len, SPLIT_LINE_MAX, n);
}

/* Whether "/quit" or "/quit reason" (any case): the session ends once the
 * server confirms by closing. */
static bool is_quit(const char *line)
{
    return strncasecmp(line, "/quit", 5) == 0 && (line[5] == '\0' || line[5] == ' ');
}

/* A line the user typed, or read from the input pipe. */
static void on_user_line(struct session *s, const char *line)
{
    if (line[0] == '\0' || s->state == ST_QUITTING)
        return;
    if (s->state == ST_OFFLINE || s->state == ST_GREETING) {
        /* Only a terminal gets here: over a pipe input waits for naming. */
        session_notice(s, _("not connected to chatd yet: the line was not sent (it is back in "
                            "the edit line)"));
        tty_keep(line);
        return;
    }
    s->want_name_line = false;
    if (strlen(line) > SPLIT_LINE_MAX && s->state == ST_NAMING) {
        /* No name is that long: sent cut, so the server says it is invalid. */
        char name[SPLIT_LINE_MAX + 1];
        snprintf(name, sizeof name, "%.*s", (int)split_utf8_cut(line, strlen(line), SPLIT_LINE_MAX),
                 line);
        session_send(s, name);
    } else if (strlen(line) > SPLIT_LINE_MAX && !s->cfg->interactive)
        send_split(s, line);
    else if (session_send(s, line) < 0 && s->cfg->interactive)
        tty_keep(line);
    if (is_quit(line))
        session_start_quit(s);
}

/* End of input (Ctrl-D, Ctrl-C, or the pipe ran dry): leave politely when
 * there is someone to say goodbye to, else at once. */
static void on_user_eof(struct session *s)
{
    s->input_eof = true;
    if (s->state == ST_QUITTING)
        return;
    if (s->state == ST_NAMING || s->state == ST_CHATTING) {
        session_send(s, "/quit");
        session_start_quit(s);
        return;
    }
    tty_stop();
    session_finish(s, s->cfg->interactive ? CHAT_EXIT_OK : CHAT_EXIT_FAIL);
}

static void tty_line(const char *line)
{
    if (line == NULL)
        on_user_eof(the_session);
    else
        on_user_line(the_session, line);
}

/* Handles the complete lines received, once the greeting is chatd's. */
static void server_lines(struct session *s)
{
    static char line[LINEBUF_MAX + 1];
    while (!s->done && s->fd >= 0 && link_greeted(s)) {
        enum linebuf_got got = linebuf_next_whole(&s->net, line, sizeof line);
        if (got == LINEBUF_NONE)
            break;
        if (got == LINEBUF_LINE) {
            replies_line(s, line);
            continue;
        }
        char msg[256];
        snprintf(msg, sizeof msg,
                 _("the server sent a line longer than %d bytes; it was discarded up to its end"),
                 LINEBUF_MAX);
        session_notice(s, msg);
    }
}

static void read_server(struct session *s)
{
    static char line[LINEBUF_MAX + 1];
    ssize_t n = linebuf_fill(&s->net, s->fd);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    int err = n < 0 ? errno : 0;
    server_lines(s);
    if (n > 0 || s->done || s->fd < 0)
        return;
    /* A last line without LF still counts, but only from chatd. */
    if (s->state != ST_GREETING && linebuf_rest(&s->net, line, sizeof line))
        replies_line(s, line);
    if (!s->done)
        link_lost(s, err);
}

/* Pipe mode: whether input lines may go to the server now.  While naming
 * with --name they wait, or they would be taken as name attempts. */
static bool input_may_flow(const struct session *s)
{
    return !s->cfg->interactive && (s->state == ST_CHATTING || s->want_name_line);
}

/* Pipe mode: passes on the complete lines read so far, and at the end of
 * the input the last partial line and /quit. */
static void drain_input(struct session *s)
{
    static char line[LINEBUF_MAX + 1];
    while (input_may_flow(s) && linebuf_next(&s->in, line, sizeof line))
        on_user_line(s, line);
    if (!s->input_eof || !input_may_flow(s))
        return;
    if (linebuf_rest(&s->in, line, sizeof line))
        on_user_line(s, line);
    on_user_eof(s);
}

/* Pipe mode: reads what stdin has. */
static void read_input(struct session *s)
{
    ssize_t n = linebuf_fill(&s->in, STDIN_FILENO);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n < 0)
        warnf(_("reading the input failed: %s; leaving"), strerror(errno));
    if (n <= 0)
        s->input_eof = true;
    drain_input(s);
}

static void write_server(struct session *s)
{
    ssize_t n = send(s->fd, s->out, s->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n < 0) {
        link_lost(s, errno);
        return;
    }
    s->out_len -= (size_t)n;
    memmove(s->out, s->out + n, s->out_len);
}

/* Whether to poll stdin: not after its end (a pipe at EOF is always
 * readable: polling it would spin), not while quitting, and not while the
 * output buffer has no room for a split line (backpressure). */
static bool want_input(const struct session *s)
{
    if (s->input_eof || s->state == ST_QUITTING)
        return false;
    if (s->out_len + 2 * LINEBUF_MAX > sizeof s->out)
        return false;
    return s->cfg->interactive || input_may_flow(s);
}

/* Sends heartbeats and gives up on a silent server. */
static void check_beat(struct session *s, int64_t now)
{
    char token[PROTO_TOKEN_MAX + 1], ping[PROTO_TOKEN_MAX + 8];
    if (s->fd < 0)
        return;
    enum beat_action a = beat_tick(&s->beat, now, token, sizeof token);
    if (a == BEAT_PING) {
        snprintf(ping, sizeof ping, "/ping %s", token);
        session_send(s, ping);
    } else if (a == BEAT_DEAD) {
        link_dead(s, beat_silent_sec(&s->beat, now));
    }
}

/* Gives up on a server that does not close after our /quit. */
static void check_quit(struct session *s, int64_t now)
{
    if (s->state != ST_QUITTING || now < s->quit_deadline)
        return;
    tty_stop();
    errorf(_("the server did not close the connection within %d s after /quit; leaving anyway"),
           CHAT_QUIT_WAIT_SEC);
    session_finish(s, CHAT_EXIT_FAIL);
}

static int poll_timeout(const struct session *s, int64_t now)
{
    int64_t wake = link_wake(s);
    if (s->fd >= 0 && now + beat_wait_ms(&s->beat, now) < wake)
        wake = now + beat_wait_ms(&s->beat, now);
    if (s->state == ST_QUITTING && s->quit_deadline < wake)
        wake = s->quit_deadline;
    int left = clock_left_ms(wake);
    return left > 60000 ? 60000 : left;
}

/* Leaves at once: a best-effort /quit (only when named), no waiting. */
static void leave_now(struct session *s)
{
    if (s->fd >= 0 && s->state == ST_CHATTING && session_send(s, "/quit") == 0)
        (void)send(s->fd, s->out, s->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
    tty_stop();
    session_finish(s, CHAT_EXIT_OK);
}

/* Handles the flags set by signal handlers.  Ctrl-C while chatting quits
 * politely; a second one, or any while not chatting, or SIGTERM/SIGHUP,
 * leaves at once. */
static void check_signals(struct session *s)
{
    if (got_winch) {
        got_winch = 0;
        tty_resize();
    }
    if (got_term) {
        leave_now(s);
        return;
    }
    if (!got_stop)
        return;
    got_stop = got_any = 0;
    if (s->state == ST_CHATTING || s->state == ST_NAMING)
        on_user_eof(s);
    else
        leave_now(s);
}

static void client_turn(struct session *s)
{
    struct pollfd p[2] = {{.fd = s->fd, .events = POLLIN}, {.fd = -1, .events = POLLIN}};
    if (s->out_len > 0)
        p[0].events |= POLLOUT;
    if (want_input(s))
        p[1].fd = STDIN_FILENO;
    int r = poll(p, 2, poll_timeout(s, clock_ms()));
    if (r < 0 && errno != EINTR) {
        tty_stop();
        errorf(_("poll failed: %s"), strerror(errno));
        session_finish(s, CHAT_EXIT_FAIL);
        return;
    }
    if (r > 0 && s->fd >= 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
        read_server(s);
    if (r > 0 && !s->done && s->fd >= 0 && s->out_len > 0 && (p[0].revents & POLLOUT))
        write_server(s);
    if (r > 0 && !s->done && p[1].revents != 0)
        s->cfg->interactive ? tty_read() : read_input(s);
    if (!s->done)
        drain_input(s);
}

/* Signal handlers for the session, without SA_RESTART so that poll()
 * returns; SIGPIPE is ignored so a dead peer shows up as EPIPE. */
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

/* The loop: one turn of I/O, then the clocks. */
static void client_loop(struct session *s)
{
    while (!s->done) {
        check_signals(s);
        if (!s->done)
            client_turn(s);
        if (!s->done)
            check_beat(s, clock_ms());
        if (!s->done)
            link_tick(s, clock_ms());
        if (!s->done)
            check_quit(s, clock_ms());
    }
}

int client_run(int fd, const struct client_config *cfg)
{
    struct session *s = calloc(1, sizeof *s);
    struct client_config own = *cfg;
    if (s == NULL) {
        errorf("%s", _("out of memory starting the session"));
        close(fd);
        return CHAT_EXIT_FAIL;
    }
    own.connect.cancel = &got_any;
    s->cfg = &own;
    the_session = s;
    srandom((unsigned)(clock_ms() ^ getpid()));
    link_attach(s, fd);
    client_signals();
    if (cfg->interactive) {
        tty_start("", tty_line);
        tty_set_limit(SPLIT_LINE_MAX);
    }
    client_loop(s);
    tty_stop();
    if (s->fd >= 0)
        close(s->fd);
    int code = s->exit_code;
    the_session = NULL;
    free(s);
    return code;
}
