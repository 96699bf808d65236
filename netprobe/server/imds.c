/*
 * imds.c - IMDSv2: a session token, then public-ipv4 (imds.h).
 *
 * Each request is one HTTP/1.1 exchange on its own connection
 * ("Connection: close"), read to the end or to IMDS_RESPONSE_MAX bytes.
 * Everything the service sends is checked before use: the token must be
 * printable ASCII without blanks (it goes into a header of ours), the
 * address must be a whole IPv4 address.
 */
#include "netprobe/server/imds.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/dial.h"
#include "common/i18n.h"

/* One exchange: what came back, or why nothing usable did. */
struct imds_reply {
    char raw[IMDS_RESPONSE_MAX + 1];
    size_t len;
    int status;       /* HTTP status code */
    const char *body; /* inside raw, NUL-terminated */
};

/* Waits until fd is ready for events or the deadline passes.  Returns 0,
 * or ETIMEDOUT. */
static int wait_ready(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - clock_ms();
        struct pollfd p = {fd, events, 0};
        if (left <= 0)
            return ETIMEDOUT;
        int n = poll(&p, 1, (int)left);
        if (n > 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return errno;
    }
}

/* Sends all of req.  Returns 0 or an errno value. */
static int send_all(int fd, const char *req, int64_t deadline)
{
    size_t len = strlen(req), off = 0;
    while (off < len) {
        ssize_t n = send(fd, req + off, len - off, MSG_NOSIGNAL);
        if (n > 0) {
            off += (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return errno;
        int err = wait_ready(fd, POLLOUT, deadline);
        if (err != 0)
            return err;
    }
    return 0;
}

/* Reads until the service closes the connection.  Returns 0, an errno
 * value, or EMSGSIZE past IMDS_RESPONSE_MAX bytes. */
static int read_all(int fd, struct imds_reply *r, int64_t deadline)
{
    r->len = 0;
    for (;;) {
        if (r->len == IMDS_RESPONSE_MAX)
            return EMSGSIZE;
        ssize_t n = recv(fd, r->raw + r->len, IMDS_RESPONSE_MAX - r->len, 0);
        if (n == 0)
            break;
        if (n > 0) {
            r->len += (size_t)n;
            continue;
        }
        if (errno != EAGAIN && errno != EINTR)
            return errno;
        int err = wait_ready(fd, POLLIN, deadline);
        if (err != 0)
            return err;
    }
    r->raw[r->len] = '\0';
    return 0;
}

/* Status line ("HTTP/1.1 200 OK") and body.  Returns false if it is not
 * an HTTP response: read strictly, as no sign, blank or extra digit
 * belongs there. */
static bool parse_reply(struct imds_reply *r)
{
    const char *p = r->raw, *end = strstr(r->raw, "\r\n\r\n");
    int status = 0;
    if (strlen(r->raw) != r->len || end == NULL || strncmp(p, "HTTP/1.", 7) != 0)
        return false;
    for (p += 7; *p >= '0' && *p <= '9'; p++)
        ;
    if (p == r->raw + 7 || *p++ != ' ')
        return false;
    for (int i = 0; i < 3; i++, p++) {
        if (*p < '0' || *p > '9')
            return false;
        status = status * 10 + (*p - '0');
    }
    if ((*p != ' ' && *p != '\r') || status < 100)
        return false;
    r->status = status;
    r->body = end + 4;
    return true;
}

/* The why-sentence for an errno value from dial/send/recv. */
static void say_errno(int err, int budget_ms, char *why, size_t whycap)
{
    if (err == ETIMEDOUT)
        snprintf(why, whycap, _("no answer within %d ms"), budget_ms);
    else if (err == EMSGSIZE)
        snprintf(why, whycap, _("an answer longer than %d bytes"), IMDS_RESPONSE_MAX);
    else
        snprintf(why, whycap, "%s", strerror(err));
}

/* One request to address:port, answered into *r.  Returns 0, or -1 with
 * why set. */
static int exchange(const char *address, int port, const char *req, int64_t deadline, int budget_ms,
                    struct imds_reply *r, char *why, size_t whycap)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    int err = 0;
    if (addr_parse(address, port, &ss, &sslen) < 0) {
        snprintf(why, whycap, "%s", strerror(EINVAL));
        return -1;
    }
    int fd = dial_start((struct sockaddr *)&ss, sslen, &err);
    if (fd >= 0 && err == EINPROGRESS)
        err = dial_wait(fd, deadline);
    if (err == 0)
        err = send_all(fd, req, deadline);
    if (err == 0)
        err = read_all(fd, r, deadline);
    if (fd >= 0)
        close(fd);
    if (err != 0) {
        say_errno(err, budget_ms, why, whycap);
        return -1;
    }
    return 0;
}

/* A token goes into our next request's header: 1..IMDS_TOKEN_MAX bytes of
 * printable ASCII, no blanks, so it cannot add a header of its own. */
static bool token_ok(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n > IMDS_TOKEN_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (t[i] < 0x21 || t[i] > 0x7e)
            return false;
    return true;
}

/* The body of an answer to request, checked, into out. */
static int read_body(enum imds_request request, const struct imds_reply *r, char *out,
                     size_t outcap, char *why, size_t whycap)
{
    char text[IMDS_TOKEN_MAX + 1];
    struct in_addr a;
    size_t n = strlen(r->body);
    /* The body's own length decides, before any copy could cut it. */
    while (n > 0 && (r->body[n - 1] == '\n' || r->body[n - 1] == '\r' || r->body[n - 1] == ' '))
        n--;
    bool fits = n < sizeof text;
    snprintf(text, sizeof text, "%.*s", (int)(fits ? n : 0), r->body);
    if (request == IMDS_TOKEN) {
        if (!fits || !token_ok(text)) {
            snprintf(why, whycap, "%s", _("the session token is empty or malformed"));
            return -1;
        }
    } else if (n >= ADDR_TEXT_MAX || inet_pton(AF_INET, text, &a) != 1) {
        snprintf(why, whycap, "%s", _("the answer to public-ipv4 is not an IPv4 address"));
        return -1;
    }
    if (strlen(text) >= outcap) {
        snprintf(why, whycap, "%s", strerror(ENOBUFS));
        return -1;
    }
    snprintf(out, outcap, "%s", text);
    return 0;
}

int imds_read_answer(enum imds_request request, const char *raw, size_t len, char *out,
                     size_t outcap, char *why, size_t whycap)
{
    static const char *const status_fmt[] = {
        [IMDS_TOKEN] = N_("HTTP status %d to the token request"),
        [IMDS_PUBLIC_IPV4] = N_("HTTP status %d to the public-ipv4 request"),
    };
    struct imds_reply r;
    if (outcap > 0)
        out[0] = '\0';
    if (len > IMDS_RESPONSE_MAX) {
        snprintf(why, whycap, _("an answer longer than %d bytes"), IMDS_RESPONSE_MAX);
        return -1;
    }
    memcpy(r.raw, raw, len);
    r.raw[len] = '\0';
    r.len = len;
    if (!parse_reply(&r)) {
        snprintf(why, whycap, "%s", _("the answer is not an HTTP response"));
        return -1;
    }
    if (request == IMDS_PUBLIC_IPV4 && r.status == 404) {
        snprintf(why, whycap, "%s", _("the instance has no public IPv4 address"));
        return -1;
    }
    if (r.status != 200) {
        snprintf(why, whycap, _(status_fmt[request]), r.status);
        return -1;
    }
    return read_body(request, &r, out, outcap, why, whycap);
}

/* One request, and its answer read into out. */
static int ask(const char *address, int port, const char *req, enum imds_request request,
               int64_t deadline, int budget_ms, char *out, size_t outcap, char *why, size_t whycap)
{
    struct imds_reply r;
    if (exchange(address, port, req, deadline, budget_ms, &r, why, whycap) < 0)
        return -1;
    return imds_read_answer(request, r.raw, r.len, out, outcap, why, whycap);
}

int imds_public_ipv4(const char *address, int port, int budget_ms, char out[ADDR_TEXT_MAX],
                     char *why, size_t whycap)
{
    char token[IMDS_TOKEN_MAX + 1], req[IMDS_TOKEN_MAX + 256];
    int64_t deadline = clock_ms() + budget_ms;

    out[0] = '\0';
    snprintf(req, sizeof req,
             "PUT /latest/api/token HTTP/1.1\r\nHost: %s\r\n"
             "X-aws-ec2-metadata-token-ttl-seconds: %d\r\nContent-Length: 0\r\n"
             "Connection: close\r\n\r\n",
             address, IMDS_TOKEN_TTL_S);
    if (ask(address, port, req, IMDS_TOKEN, deadline, budget_ms, token, sizeof token, why, whycap) <
        0)
        return -1;
    snprintf(req, sizeof req,
             "GET /latest/meta-data/public-ipv4 HTTP/1.1\r\nHost: %s\r\n"
             "X-aws-ec2-metadata-token: %s\r\nConnection: close\r\n\r\n",
             address, token);
    return ask(address, port, req, IMDS_PUBLIC_IPV4, deadline, budget_ms, out, ADDR_TEXT_MAX, why,
               whycap);
}
