/* echo.c - the netprobe hello and the echo exchange (docs/protocol.md). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "chatd/client.h"
#include "chatd/echo.h"
#include "common/i18n.h"
#include "common/log.h"

/* Answers a valid hello and switches c to the echo exchange. */
static void hello_answer(struct server *s, struct client *c, const char *nonce)
{
    struct hello_info info = {.netprobe = HELLO_VERSION, .echo_max = HELLO_ECHO_MAX};
    snprintf(info.nonce, sizeof info.nonce, "%s", nonce);
    snprintf(info.server, sizeof info.server, "chatd");
    snprintf(info.version, sizeof info.version, "%s", CHAT_VERSION);
    snprintf(info.hostname, sizeof info.hostname, "%s", s->hostname);
    snprintf(info.mode, sizeof info.mode, "%s", s->opt->diag ? "diag" : "chat");
    addr_format(&c->peer.sa, info.peer.address, &info.peer.port);
    struct sockaddr_storage local;
    socklen_t llen = sizeof local;
    if (getsockname(c->fd, (struct sockaddr *)&local, &llen) == 0)
        addr_format((struct sockaddr *)&local, info.local.address, &info.local.port);
    else
        snprintf(info.local.address, sizeof info.local.address, "?");
    for (size_t i = 0; i < s->nlisten; i++)
        info.listen[i] = s->listen_ep[i];
    info.listen_count = s->nlisten;

    char *reply = hello_reply_build(&info);
    if (reply == NULL) {
        client_drop(s, c, DROP_NO_MEMORY, NULL);
        return;
    }
    client_send(s, c, reply, strlen(reply));
    free(reply);
    c->state = CS_ECHO;
    c->echo_ms = s->now_ms;
    flood_init(&c->flood, &s->echo_flood, s->now_ms); /* the echo burst, not chat's */
    verbose_f(_("netprobe hello from %s port %d (nonce %s)"), info.peer.address, info.peer.port,
              nonce);
}

bool echo_first_line(struct server *s, struct client *c, const char *line, size_t len)
{
    int version;
    char nonce[HELLO_NONCE_MAX + 1];
    switch (hello_parse_request(line, len, &version, nonce)) {
    case HELLO_OK:
        hello_answer(s, c, nonce);
        return true;
    case HELLO_BAD: {
        char text[160];
        /* The kind and code stay English; the text after them is for people. */
        snprintf(text, sizeof text,
                 _("expected \"NETPROBE 1 NONCE\" with a NONCE of 1-%d characters A-Z a-z 0-9 "
                   "_ -"),
                 HELLO_NONCE_MAX);
        client_sendf(s, c, "ERR bad_hello %s", text);
        client_drop(s, c, DROP_BAD_HELLO, NULL);
        return true;
    }
    case HELLO_NOT:
        break;
    }
    return false;
}

size_t echo_room(const struct client *c)
{
    size_t q = outq_len(&c->out);
    return q >= CHATD_ECHO_HIGH_WATER ? 0 : CHATD_ECHO_HIGH_WATER - q;
}

/* Handles one request line of the echo exchange. */
static void echo_request(struct server *s, struct client *c, const char *line, size_t len)
{
    size_t want;
    int r = hello_parse_echo(line, len, &want);
    if (r == 1) {
        client_sendf(s, c, "ECHO %zu", want);
        c->echo_left = want;
    } else if (r == 0) {
        client_drop(s, c, DROP_ECHO_DONE, NULL);
    } else {
        char text[120];
        snprintf(text, sizeof text, _("expected \"ECHO LENGTH\" (1 to %d) or \"QUIT\""),
                 HELLO_ECHO_MAX);
        client_sendf(s, c, "ERR bad_args %s", text);
        client_drop(s, c, DROP_BAD_ECHO, NULL);
    }
}

/* Past its echo byte rate: stop reading c until the timers find the
 * budget back (no notice: netprobe waits for the bytes anyway). */
static bool echo_throttled(struct server *s, struct client *c)
{
    if (flood_ready(&c->flood, &s->echo_flood, s->now_ms))
        return false;
    c->flags |= CF_THROTTLED;
    s->nthrottled++;
    return true;
}

void echo_input(struct server *s, struct client *c)
{
    while (!(c->flags & (CF_CLOSING | CF_THROTTLED)) && echo_room(c) > 0) {
        if (echo_throttled(s, c))
            break;
        if (c->echo_left > 0) {
            const char *d;
            size_t max = c->echo_left < echo_room(c) ? c->echo_left : echo_room(c);
            size_t n = line_buf_take(&c->in, max, &d);
            if (n == 0)
                break;
            client_send(s, c, d, n);
            flood_spend(&c->flood, 0, n);
            c->echo_left -= n;
            c->rx_bytes += n;
            continue;
        }
        char *line;
        size_t len;
        enum line_status st = line_buf_next(&c->in, &line, &len);
        if (st == LINE_NEED_MORE)
            break;
        flood_spend(&c->flood, 0, len + 1); /* the "ECHO N" answer costs about as much */
        if (st == LINE_TOO_LONG)
            echo_request(s, c, "", 0);
        else
            echo_request(s, c, line, len);
    }
}
