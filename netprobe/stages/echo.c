/*
 * echo.c - the echo stage: payloads of growing size, each checked byte for
 * byte against what comes back.
 *
 * Small payloads passing while a larger one stalls is the mark of a path
 * MTU black hole: full-size segments vanish and the ICMP "fragmentation
 * needed" that should shrink them never arrives.  After a stall the path
 * MTU is searched, not guessed (netprobe/pmtu.h): new connections with
 * TCP_MAXSEG set before connect(), so both ends send segments no larger
 * than the clamp, echo a payload of several segments; the largest clamp
 * that passes is the path MTU measured.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/clock.h"
#include "netprobe/pmtu.h"
#include "netprobe/stages/stageio.h"
#include "netprobe/stages/stages.h"

static const size_t ECHO_DEFAULT_SIZES[] = {16, 1024, 1400, 4096, 16384, 65536};

/* Payload of each path MTU probe: several full segments at any clamp, so
 * the largest packets of the probe are the clamp's size. */
#define ECHO_PROBE_BYTES 4096

/* TCP options (timestamps) a stalled segment may have carried on top of
 * its payload, counted when turning a stalled size into a packet size. */
#define ECHO_TCP_OPTIONS 12

/* How long one probe may take: room for its handshake, hello and echo
 * (a few round trips), never less than ECHO_PROBE_MS_MIN, and never more
 * than ECHO_PROBE_MS_MAX so that at least four probes fit in the search's
 * budget (PMTU_BUDGET_MS) whatever --timeout says. */
#define ECHO_PROBE_RTTS 5.0
#define ECHO_PROBE_MS_MIN 400.0
#define ECHO_PROBE_MS_MAX 2000.0

/* Progress of one echo request. */
struct echo_run {
    const unsigned char *payload;
    size_t size;
    size_t sent;               /* payload bytes sent */
    size_t back;               /* payload bytes received and matching */
    bool header;               /* the "ECHO N" answer line was read */
    enum echo_outcome outcome; /* ECHO_NOT_RUN while in progress */
    struct ev_echo *e;         /* where chatd's words go (note_said) */
};

/* Keeps the first line in which chatd gives a reason to close (ERR
 * too_many_connections on a probe connection, say): the verdict quotes it
 * instead of calling the close unexplained. */
static void note_said(struct ev_echo *e, const char *line, size_t len)
{
    char text[EV_TEXT_MAX];
    size_t n = len < sizeof text - 1 ? len : sizeof text - 1;
    memcpy(text, line, n);
    text[n] = '\0';
    if (e->chatd_said[0] == '\0' && stageio_chatd_reason(text))
        stageio_printable(e->chatd_said, sizeof e->chatd_said, text, n);
}

/* Connects, sends the hello and reads up to its reply.  Returns 0, or -1
 * with the connection's errno in *err (0: connected, but no hello reply;
 * e->chatd_said then may say why). */
static int echo_open(struct stageio_conn *c, const struct ev_address *a, int port, int mss,
                     double deadline, int *err, struct ev_echo *e)
{
    char line[4096], req[HELLO_NONCE_MAX + 32];
    int n = hello_format_request(req, sizeof req, "netprobe-echo");
    if (stageio_connect(c, a, port, mss, deadline, err) < 0) {
        if (*err == 0)
            *err = EIO;
        return -1;
    }
    *err = 0;
    if (n < 0 || stageio_send(c, req, (size_t)n, deadline) < 0)
        goto fail;
    for (int i = 0; i < 17; i++) { /* greeting lines, then the reply */
        int rc = stageio_read_line(c, line, sizeof line, deadline);
        if (rc < 0)
            goto fail;
        if (line[0] == '{')
            return 0;
        if (stageio_chatd_reason(line)) { /* refused: chatd closes next */
            note_said(e, line, (size_t)rc);
            goto fail;
        }
    }
fail:
    stageio_close(c);
    return -1;
}

/* Checks the answer's header line once it is complete. */
static void take_header(struct stageio_conn *c, struct echo_run *r)
{
    char *lf = memchr(c->buf, '\n', c->len), want[32];
    if (lf == NULL) {
        if (c->len == sizeof c->buf)
            r->outcome = ECHO_MISMATCH;
        return;
    }
    size_t n = (size_t)(lf - c->buf);
    int wn = snprintf(want, sizeof want, "ECHO %zu", r->size);
    if (n >= 4 && memcmp(c->buf, "ERR ", 4) == 0) {
        r->outcome = ECHO_CLOSED; /* refused; the server closes next */
        note_said(r->e, c->buf, n);
    }
    else if ((size_t)wn != n || memcmp(c->buf, want, n) != 0)
        r->outcome = ECHO_MISMATCH;
    r->header = true;
    stageio_consume(c, n + 1);
}

/* Compares what is buffered with the payload and consumes it. */
static void take_bytes(struct stageio_conn *c, struct echo_run *r)
{
    if (!r->header)
        take_header(c, r);
    if (!r->header || r->outcome != ECHO_NOT_RUN)
        return;
    size_t n = c->len < r->size - r->back ? c->len : r->size - r->back;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)c->buf[i] != r->payload[r->back + i]) {
            r->back += i;
            r->outcome = ECHO_MISMATCH;
            return;
        }
    r->back += n;
    stageio_consume(c, n);
    if (r->back == r->size)
        r->outcome = ECHO_OK;
}

/* Sends what the socket takes right now. */
static void push(struct stageio_conn *c, struct echo_run *r)
{
    ssize_t n = send(c->fd, r->payload + r->sent, r->size - r->sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0)
        r->sent += (size_t)n;
    else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        r->outcome = ECHO_CLOSED;
}

/* Sends and reads at the same time: the server streams the echo back
 * while the payload is still arriving, and waiting for the whole send
 * first could fill both directions' buffers. */
static void pump(struct stageio_conn *c, struct echo_run *r, double deadline)
{
    take_bytes(c, r); /* bytes that came with an earlier read */
    while (r->outcome == ECHO_NOT_RUN) {
        struct pollfd p = {c->fd, (short)(POLLIN | (r->sent < r->size ? POLLOUT : 0)), 0};
        double left = deadline - clock_ms_f();
        if (left <= 0) {
            r->outcome = ECHO_STALLED;
            return;
        }
        int rc = poll(&p, 1, (int)(left + 0.999));
        if (rc < 0 && errno != EINTR)
            r->outcome = ECHO_CLOSED;
        if (rc > 0 && (p.revents & POLLOUT))
            push(c, r);
        if (rc > 0 && (p.revents & (POLLIN | POLLERR | POLLHUP))) {
            int got = stageio_fill(c, deadline);
            if (got == STAGEIO_EOF || got == STAGEIO_RESET)
                r->outcome = ECHO_CLOSED;
            else if (got > 0)
                take_bytes(c, r);
        }
    }
}

/* Echoes one random payload of size bytes; fills out. */
static void echo_size(struct stageio_conn *c, size_t size, double timeout_ms,
                      struct ev_echo_size *out, struct ev_echo *e)
{
    double start = clock_ms_f(), deadline = start + timeout_ms;
    char head[32];
    unsigned char *payload = malloc(size);
    memset(out, 0, sizeof *out);
    out->size = size;
    int hn = snprintf(head, sizeof head, "ECHO %zu\n", size);
    if (payload == NULL || stageio_random(payload, size) < 0) {
        free(payload);
        out->outcome = ECHO_CLOSED;
        return;
    }
    struct echo_run r = {.payload = payload, .size = size, .e = e};
    if (stageio_send(c, head, (size_t)hn, deadline) < 0)
        r.outcome = ECHO_CLOSED;
    pump(c, &r, deadline);
    out->outcome = r.outcome;
    out->bytes_back = r.back;
    out->rtt_ms = r.outcome == ECHO_OK ? clock_ms_f() - start : 0;
    free(payload);
}

/* What the first connection's kernel thinks of the path. */
static void path_info(struct ev_echo *e, int fd, int family)
{
    int v = 0;
    socklen_t len = sizeof v;
    if (getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &v, &len) == 0)
        e->path_mss = v;
    len = sizeof v;
    int level = family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
    if (getsockopt(fd, level, family == AF_INET6 ? IPV6_MTU : IP_MTU, &v, &len) == 0)
        e->path_mtu = v;
}

/* One probe: a new connection clamped to mss echoes size bytes before
 * deadline.  Returns the outcome; a connection that cannot be opened is
 * ECHO_STALLED when the deadline passed, else ECHO_CLOSED. */
static enum echo_outcome probe_mss(const struct ev_address *a, int port, int mss, size_t size,
                                   double deadline, struct ev_echo *e)
{
    struct stageio_conn c;
    struct ev_echo_size res;
    int err;
    if (echo_open(&c, a, port, mss, deadline, &err, e) < 0)
        return clock_ms_f() >= deadline ? ECHO_STALLED : ECHO_CLOSED;
    echo_size(&c, size, deadline - clock_ms_f(), &res, e);
    stageio_close(&c);
    return res.outcome;
}

/* What the search needs to know about the path and the server. */
struct search_setup {
    const struct ev_address *addr;
    int port;
    size_t payload;  /* bytes each probe echoes */
    double probe_ms; /* bound for one probe */
};

/* The packet size a stalled echo of size bytes sent at most: its payload
 * in one segment, or the first connection's MTU when larger. */
static int stalled_mtu(const struct ev_echo *e, size_t size, bool v6)
{
    size_t packet = size + (v6 ? PMTU_HEADERS_V6 : PMTU_HEADERS_V4) + ECHO_TCP_OPTIONS;
    if (e->path_mtu > 0 && (size_t)e->path_mtu < packet)
        return e->path_mtu;
    return packet < 65535 ? (int)packet : 65535;
}

/* Records the search's result in e, the decisive probe in mss_retry:
 * the one that stopped it (stop, with stop_mss), else the largest that
 * passed, else the floor that stalled. */
static void search_record(struct ev_echo *e, const struct pmtu_search *s, bool v6,
                          enum echo_outcome stop, int stop_mss)
{
    e->mtu_probes = s->probes;
    e->mtu_pass = s->pass;
    e->mtu_fail = s->fail;
    e->mss_retry_run = true;
    e->mss_retry_mss =
        stop != ECHO_NOT_RUN ? stop_mss : pmtu_mss(s->pass > 0 ? s->pass : s->floor, v6);
    e->mss_retry_outcome = stop != ECHO_NOT_RUN ? stop : s->pass > 0 ? ECHO_OK : ECHO_STALLED;
}

/* Searches the path MTU below the stalled size, within PMTU_BUDGET_MS. */
static void mtu_search(struct ev_echo *e, const struct search_setup *su, size_t stalled)
{
    double start = clock_ms_f(), end = start + PMTU_BUDGET_MS;
    bool v6 = su->addr->family == AF_INET6;
    struct pmtu_search s;
    enum echo_outcome stop = ECHO_NOT_RUN;
    int stop_mss = 0;
    pmtu_init(&s, v6 ? PMTU_FLOOR_V6 : PMTU_FLOOR_V4, stalled_mtu(e, stalled, v6));
    e->mtu_search_run = true;
    e->mtu_floor = s.floor;
    for (int mtu = pmtu_next(&s); mtu > 0 && stop == ECHO_NOT_RUN; mtu = pmtu_next(&s)) {
        /* A probe cut short could call a passing size stalled: start one
         * only when its whole bound fits in the budget. */
        if (end - clock_ms_f() < su->probe_ms) {
            e->mtu_out_of_time = true;
            break;
        }
        int mss = pmtu_mss(mtu, v6);
        enum echo_outcome o =
            probe_mss(su->addr, su->port, mss, su->payload, clock_ms_f() + su->probe_ms, e);
        if (o == ECHO_OK || o == ECHO_STALLED)
            pmtu_take(&s, mtu, o == ECHO_OK);
        else
            stop = o; /* a reset or different bytes: that is the finding */
        stop_mss = mss;
    }
    search_record(e, &s, v6, stop, stop_mss);
    e->mtu_ms = clock_ms_f() - start;
}

/* Runs every size on c until one fails; returns the index of the failed
 * one, or -1 if all passed. */
static int run_sizes(struct ev_echo *e, struct stageio_conn *c, const size_t *sizes, size_t count,
                     long echo_max, double timeout_ms)
{
    for (size_t i = 0; i < count && e->size_count < EV_SIZES_MAX; i++) {
        if (sizes[i] == 0 || (echo_max > 0 && sizes[i] > (size_t)echo_max))
            continue; /* the server would refuse it; see the summary */
        struct ev_echo_size *s = &e->sizes[e->size_count++];
        echo_size(c, sizes[i], timeout_ms, s, e);
        if (s->outcome != ECHO_OK)
            return (int)e->size_count - 1;
    }
    (void)stageio_send(c, "QUIT\n", 5, clock_ms_f() + 100); /* best effort */
    return -1;
}

/* Sets up the path MTU search from what earlier stages measured: the
 * handshake's round trip bounds each probe, chatd's echo_max its size. */
static void search_after_stall(struct evidence *ev, const struct ev_address *a, int port,
                               size_t stalled)
{
    long max = ev->app.hello.echo_max;
    double probe_ms = ECHO_PROBE_RTTS * ev->tcp.attempts[ev->tcp.chosen].rtt_ms + ECHO_PROBE_MS_MIN;
    struct search_setup su = {
        .addr = a,
        .port = port,
        .payload = max > 0 && max < ECHO_PROBE_BYTES ? (size_t)max : ECHO_PROBE_BYTES,
        .probe_ms = probe_ms < ECHO_PROBE_MS_MAX ? probe_ms : ECHO_PROBE_MS_MAX,
    };
    mtu_search(&ev->echo, &su, stalled);
}

void stage_echo_run(struct evidence *ev, const struct probe_opts *o)
{
    double start = clock_ms_f();
    struct ev_echo *e = &ev->echo;
    struct stageio_conn c;
    int err;
    memset(e, 0, sizeof *e);
    if (ev->app.outcome != APP_CHATD || ev->tcp.chosen < 0) {
        stageio_skip(ev, STAGE_ECHO, SKIP_ECHO_NO_CHATD, start, 0);
        return;
    }
    const struct ev_address *a = &ev->tcp.attempts[ev->tcp.chosen].target;
    bool custom = o->size_count > 0;
    const size_t *sizes = custom ? o->sizes : ECHO_DEFAULT_SIZES;
    size_t count =
        custom ? o->size_count : sizeof ECHO_DEFAULT_SIZES / sizeof ECHO_DEFAULT_SIZES[0];
    e->sizes_asked = count;
    if (echo_open(&c, a, o->port, 0, start + o->timeout_ms, &err, e) < 0) {
        stageio_done(ev, STAGE_ECHO, STATUS_FAIL, start, err);
        return;
    }
    path_info(e, c.fd, a->family);
    int failed = run_sizes(e, &c, sizes, count, ev->app.hello.echo_max, o->timeout_ms);
    stageio_close(&c);
    if (failed > 0 && e->sizes[failed].outcome == ECHO_STALLED)
        search_after_stall(ev, a, o->port, e->sizes[failed].size);
    stageio_done(ev, STAGE_ECHO,
                 failed >= 0         ? STATUS_FAIL
                 : e->size_count > 0 ? STATUS_PASS
                                     : STATUS_WARN,
                 start, 0);
}
