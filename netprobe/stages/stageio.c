#include "netprobe/stages/stageio.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "common/addr.h"
#include "common/clock.h"
#include "common/dial.h"
#include "netprobe/stages/stage_text.h"

double stageio_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Both of the above. */
static void record(struct evidence *ev, enum stage_id id, enum stage_status st, enum stage_skip why,
                   double start_ms, int err)
{
    struct stage_result *r = &ev->stages[id];
    r->status = st;
    r->skip = why;
    r->err = err;
    stage_text_fill(ev, id, r);
    double d = clock_ms_f() - start_ms;
    r->duration_ms = d > 0 ? d : 0;
}

void stageio_done(struct evidence *ev, enum stage_id id, enum stage_status st, double start_ms,
                  int err)
{
    record(ev, id, st, SKIP_NONE, start_ms, err);
}

void stageio_skip(struct evidence *ev, enum stage_id id, enum stage_skip why, double start_ms,
                  int err)
{
    record(ev, id, STATUS_SKIP, why, start_ms, err);
}

int stageio_sockaddr(const struct ev_address *a, int port, struct sockaddr_storage *ss,
                     socklen_t *len)
{
    /* The address must be of the family the name resolved to. */
    if (addr_parse(a->address, port, ss, len) < 0 || ss->ss_family != a->family)
        return -1;
    return 0;
}

int stageio_random(void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Milliseconds left until deadline, for poll(): never negative. */
static int ms_left(double deadline)
{
    double left = deadline - clock_ms_f();
    return left <= 0 ? 0 : (int)(left + 0.999);
}

/* Polls fd for events until deadline.  1 ready, 0 timeout, -1 error. */
static int wait_fd(int fd, short events, double deadline)
{
    for (;;) {
        struct pollfd p = {fd, events, 0};
        int n = poll(&p, 1, ms_left(deadline));
        if (n < 0 && errno == EINTR)
            continue;
        return n < 0 ? -1 : n;
    }
}

static int open_socket(const struct ev_address *a, int mss)
{
    int fd = socket(a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    /* Best effort: small payloads go out at once, not after Nagle's wait. */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (mss > 0 && setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof mss) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int stageio_connect(struct stageio_conn *c, const struct ev_address *a, int port, int mss,
                    double deadline, int *err)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    c->fd = -1;
    c->len = 0;
    if (stageio_sockaddr(a, port, &ss, &sl) < 0) {
        *err = EINVAL;
        return -1;
    }
    int fd = open_socket(a, mss);
    if (fd < 0) {
        *err = errno;
        return -1;
    }
    /* Not dial_start(): TCP_MAXSEG must be set before the SYN goes out. */
    int e = 0;
    if (connect(fd, (struct sockaddr *)&ss, sl) < 0)
        e = errno != EINPROGRESS ? errno : dial_wait(fd, (int64_t)(deadline + 0.999));
    if (e != 0) {
        close(fd);
        *err = e;
        return -1;
    }
    c->fd = fd;
    return 0;
}

void stageio_close(struct stageio_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->len = 0;
}

int stageio_send(struct stageio_conn *c, const void *data, size_t len, double deadline)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return STAGEIO_RESET;
        if (wait_fd(c->fd, POLLOUT, deadline) == 0)
            return STAGEIO_TIMEOUT;
    }
    return 0;
}

int stageio_fill(struct stageio_conn *c, double deadline)
{
    if (c->len == sizeof c->buf)
        return STAGEIO_TOOLONG;
    for (;;) {
        ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
        if (n > 0) {
            c->len += (size_t)n;
            return (int)n;
        }
        if (n == 0)
            return STAGEIO_EOF;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return STAGEIO_RESET;
        int w = wait_fd(c->fd, POLLIN, deadline);
        if (w == 0)
            return STAGEIO_TIMEOUT;
        if (w < 0)
            return STAGEIO_RESET;
    }
}

void stageio_consume(struct stageio_conn *c, size_t n)
{
    if (n > c->len)
        n = c->len;
    memmove(c->buf, c->buf + n, c->len - n);
    c->len -= n;
}

int stageio_read_line(struct stageio_conn *c, char *line, size_t cap, double deadline)
{
    for (;;) {
        char *lf = memchr(c->buf, '\n', c->len);
        if (lf != NULL) {
            size_t n = (size_t)(lf - c->buf), keep = n;
            if (keep > 0 && c->buf[keep - 1] == '\r')
                keep--;
            if (keep >= cap)
                keep = cap - 1;
            memcpy(line, c->buf, keep);
            line[keep] = '\0';
            stageio_consume(c, n + 1);
            return (int)keep;
        }
        int rc = stageio_fill(c, deadline);
        if (rc < 0)
            return rc;
    }
}

void stageio_printable(char *out, size_t cap, const char *in, size_t len)
{
    if (cap == 0)
        return;
    size_t n = len < cap - 1 ? len : cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = in[i] >= 0x20 && in[i] < 0x7f ? in[i] : '.';
    out[n] = '\0';
}

bool stageio_chatd_reason(const char *line)
{
    if (strncmp(line, "NOTICE shutdown", 15) == 0 && (line[15] == ' ' || line[15] == '\0'))
        return true;
    if (strncmp(line, "ERR ", 4) != 0)
        return false;
    size_t n = strspn(line + 4, "abcdefghijklmnopqrstuvwxyz_");
    return n > 0 && (line[4 + n] == ' ' || line[4 + n] == '\0');
}
