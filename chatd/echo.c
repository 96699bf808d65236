/* echo.c - the netprobe hello, the echo exchange and --diag (docs/protocol.md). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "chatd/chatd.h"
#include "common/i18n.h"
#include "common/log.h"

static const char HELLO_WORD[] = "NETPROBE";

void echo_hello(struct server *s, struct client *c, const char *nonce)
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
    verbose_f(_("netprobe hello from %s port %d (nonce %s)"), info.peer.address, info.peer.port,
              nonce);
}

bool echo_first_line(struct server *s, struct client *c, const char *line, size_t len)
{
    int version;
    char nonce[HELLO_NONCE_MAX + 1];
    switch (hello_parse_request(line, len, &version, nonce)) {
    case HELLO_OK:
        echo_hello(s, c, nonce);
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

/* Room left below the echo high-water mark. */
static size_t echo_room(const struct client *c)
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

void echo_input(struct server *s, struct client *c)
{
    while (!(c->flags & CF_CLOSING) && echo_room(c) > 0) {
        if (c->echo_left > 0) {
            const char *d;
            size_t max = c->echo_left < echo_room(c) ? c->echo_left : echo_room(c);
            size_t n = line_buf_take(&c->in, max, &d);
            if (n == 0)
                break;
            client_send(s, c, d, n);
            c->echo_left -= n;
            c->rx_bytes += n;
            continue;
        }
        char *line;
        size_t len;
        enum line_status st = line_buf_next(&c->in, &line, &len);
        if (st == LINE_NEED_MORE)
            break;
        if (st == LINE_TOO_LONG)
            echo_request(s, c, "", 0);
        else
            echo_request(s, c, line, len);
    }
}

void echo_diag_greet(struct server *s, struct client *c)
{
    client_sendf(s, c, "DIAG chatd %s: %s", CHAT_VERSION,
                 _("every byte you send is echoed back; the server logs what arrives."));
}

/* Keeps the first bytes of a --diag connection for the log, printable. */
static void keep_preview(struct client *c, const char *d, size_t n)
{
    for (size_t i = 0; i < n && c->preview_len < CHATD_PREVIEW_MAX - 1; i++) {
        unsigned char ch = (unsigned char)d[i];
        c->preview[c->preview_len++] = (ch >= 0x20 && ch < 0x7F) ? (char)ch : '.';
    }
    c->preview[c->preview_len] = '\0';
}

/* Decides whether a --diag connection starts with the hello.  Returns false
 * while more bytes are needed to tell. */
static bool diag_first_line(struct server *s, struct client *c)
{
    const char *d;
    size_t n = line_buf_peek(&c->in, &d);
    size_t m = n < sizeof HELLO_WORD - 1 ? n : sizeof HELLO_WORD - 1;
    if (n == 0)
        return false;
    if (memcmp(d, HELLO_WORD, m) != 0) {
        c->flags |= CF_FIRST_DONE; /* plain bytes: echo from the first one */
        return true;
    }
    const char *lf = memchr(d, '\n', n < PROTO_LINE_MAX ? n : PROTO_LINE_MAX);
    if (lf == NULL) {
        if (n < PROTO_LINE_MAX)
            return false;
        c->flags |= CF_FIRST_DONE; /* too long to be the hello */
        return true;
    }
    /* A whole first line that starts like the hello: parse a copy, so that
     * an ordinary line stays in the buffer to be echoed unchanged. */
    char line[PROTO_LINE_MAX + 1];
    size_t len = (size_t)(lf - d);
    memcpy(line, d, len);
    if (len > 0 && line[len - 1] == '\r')
        len--;
    line[len] = '\0';
    c->flags |= CF_FIRST_DONE;
    int version;
    char nonce[HELLO_NONCE_MAX + 1];
    if (hello_parse_request(line, len, &version, nonce) == HELLO_NOT)
        return true;
    char *skip;
    size_t skip_len;
    line_buf_next(&c->in, &skip, &skip_len);
    echo_first_line(s, c, line, len);
    return true;
}

void echo_diag_input(struct server *s, struct client *c)
{
    while (!(c->flags & CF_CLOSING) && c->state == CS_DIAG && echo_room(c) > 0) {
        if (!(c->flags & CF_FIRST_DONE)) {
            if (!diag_first_line(s, c))
                break;
            continue;
        }
        const char *d;
        size_t n = line_buf_take(&c->in, echo_room(c), &d);
        if (n == 0)
            break;
        keep_preview(c, d, n);
        c->rx_bytes += n;
        client_send(s, c, d, n);
    }
}
