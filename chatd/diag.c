/* diag.c - chatd --diag: echo every byte, log what arrived. */
#include <string.h>

#include "chatd/client.h"
#include "chatd/diag.h"
#include "chatd/echo.h"
#include "chatd/visible.h"
#include "common/i18n.h"
#include "common/log.h"

/* The hello's first word: a --diag connection that starts otherwise is
 * echoed from its first byte. */
static const char HELLO_WORD[] = "NETPROBE";

void diag_greet(struct server *s, struct client *c)
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

/* Logs one chunk as it arrived, \r, \n and other invisible bytes shown:
 * what a home-made client really sends is the point of --diag. */
static void log_chunk(const struct client *c, const char *d, size_t n)
{
    char peer[ADDR_TEXT_MAX + 16], shown[VISIBLE_CAP(CHATD_SHOW_MAX)];
    client_peer_text(c, peer, sizeof peer);
    size_t k = visible_escape(d, n < CHATD_SHOW_MAX ? n : CHATD_SHOW_MAX, shown, sizeof shown);
    logf_ts(_("diag %s: %zu bytes: \"%s\"%s"), peer, n, shown, k < n ? "..." : "");
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

void diag_input(struct server *s, struct client *c)
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
        log_chunk(c, d, n);
        c->rx_bytes += n;
        client_send(s, c, d, n);
    }
}
