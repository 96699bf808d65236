/*
 * tcp.c - the tcp stage: one handshake to every resolved address, all at
 * once, each classified in nmap's vocabulary.
 *
 * A silent drop can only be told from a slow server after the SYN was sent
 * twice: Linux retransmits it after 1 s, so the deadline is --timeout
 * (1.5 s by default) but never below 1.2 s, and the
 * report counts the SYNs from TCP_INFO.  IP_RECVERR keeps the ICMP error
 * that ended a connect(), so a reset (closed) and an ICMP rejection
 * (filtered, with the router that sent it) are told apart.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "netprobe/stages/local_fw.h"
#include "netprobe/stages/stageio.h"
#include "netprobe/stages/stages.h"
#include "netprobe/wire/errqueue.h"
#include "netprobe/wire/reason.h"

/* Bound on each firewall tool run after a failed handshake (local_fw.h). */
#define TCP_LOCAL_FW_MS 1000

/* Shortest deadline that still sees the second SYN leave. */
#define TCP_TWO_SYNS_MS 1200.0

/* The socket side of one attempt while it is in flight. */
struct pending {
    int fd; /* -1 once finished */
    double start;
};

static double deadline_for(double timeout_ms)
{
    /* Without --timeout: the first SYN, its retransmission at 1 s, and half
     * a second for the answer to either. */
    double d = timeout_ms > 0 ? timeout_ms : STAGE_TIMEOUT_MS_DEFAULT;
    return d < TCP_TWO_SYNS_MS ? TCP_TWO_SYNS_MS : d;
}

/* SYNs that left for this socket: the first plus its retransmissions. */
static int syns_sent(int fd)
{
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    memset(&ti, 0, sizeof ti);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
        return 0; /* unknown */
    return 1 + (int)ti.tcpi_total_retrans;
}

static void record_source(struct ev_tcp_attempt *a, int fd)
{
    struct sockaddr_storage me;
    socklen_t len = sizeof me;
    if (getsockname(fd, (struct sockaddr *)&me, &len) == 0 && me.ss_family != AF_UNSPEC)
        addr_format((struct sockaddr *)&me, a->source_address, &a->source_port);
}

/* Records how the attempt ended (err 0 = connected) and closes its socket.
 * at_connect: connect() itself failed, so nothing was sent. */
static void finish(struct ev_tcp_attempt *a, struct pending *p, int err, bool at_connect)
{
    const char *reason = "syn-ack";
    a->rtt_ms = clock_ms_f() - p->start;
    a->syns_sent = at_connect ? 0 : syns_sent(p->fd);
    record_source(a, p->fd);
    if (err == 0) {
        a->state = TCP_STATE_OPEN;
    } else if (errqueue_read(p->fd, &a->icmp) == 1) {
        a->state = TCP_STATE_FILTERED; /* nmap: any ICMP unreachable is filtered */
        reason = a->icmp.name;
    } else {
        reason_errno(err, at_connect, &a->state, &reason);
        if (a->state == TCP_STATE_ERROR)
            a->local_errno = err;
    }
    if (a->state != TCP_STATE_OPEN)
        a->rtt_ms = 0;
    snprintf(a->reason, sizeof a->reason, "%.31s", reason);
    close(p->fd);
    p->fd = -1;
}

/* Opens the socket and sends the SYN; finishes at once if connect() did. */
static void begin(struct ev_tcp_attempt *a, struct pending *p, int port)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    p->start = clock_ms_f();
    p->fd = -1;
    if (stageio_sockaddr(&a->target, port, &ss, &sl) < 0) {
        a->state = TCP_STATE_ERROR;
        a->local_errno = EINVAL;
        snprintf(a->reason, sizeof a->reason, "bad-address");
        return;
    }
    p->fd = socket(a->target.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (p->fd < 0 || errqueue_enable(p->fd, a->target.family) < 0) {
        int e = errno;
        if (p->fd >= 0)
            close(p->fd);
        p->fd = -1;
        a->state = TCP_STATE_ERROR;
        a->local_errno = e;
        snprintf(a->reason, sizeof a->reason, "%s",
                 e == EAFNOSUPPORT ? "family-unsupported" : "local-error");
        return;
    }
    if (connect(p->fd, (struct sockaddr *)&ss, sl) == 0)
        finish(a, p, 0, false);
    else if (errno != EINPROGRESS)
        finish(a, p, errno, true);
}

/* Waits for every pending attempt until deadline; the rest time out. */
static void wait_all(struct ev_tcp *t, struct pending *p, double deadline)
{
    struct pollfd pfd[EV_ADDRS_MAX];
    size_t map[EV_ADDRS_MAX];
    for (;;) {
        size_t n = 0;
        for (size_t i = 0; i < t->attempt_count; i++)
            if (p[i].fd >= 0) {
                pfd[n] = (struct pollfd){p[i].fd, POLLOUT, 0};
                map[n++] = i;
            }
        double left = deadline - clock_ms_f();
        if (n == 0 || left <= 0)
            break;
        int rc = poll(pfd, n, (int)(left + 0.999));
        if (rc < 0 && errno != EINTR)
            break;
        for (size_t k = 0; rc > 0 && k < n; k++) {
            int err = 0;
            socklen_t el = sizeof err;
            if (pfd[k].revents == 0)
                continue;
            if (getsockopt(pfd[k].fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
                err = errno;
            finish(&t->attempts[map[k]], &p[map[k]], err, false);
        }
    }
    for (size_t i = 0; i < t->attempt_count; i++)
        if (p[i].fd >= 0)
            finish(&t->attempts[i], &p[i], ETIMEDOUT, false);
}

static bool family_wanted(int family, int pref)
{
    return pref == 0 || (pref == 4 && family == AF_INET) || (pref == 6 && family == AF_INET6);
}

/* The stage's status; its line comes from the evidence (stage_text.c). */
static enum stage_status tcp_status(const struct ev_tcp *t)
{
    size_t open = 0;
    for (size_t i = 0; i < t->attempt_count; i++)
        open += t->attempts[i].state == TCP_STATE_OPEN;
    return open == t->attempt_count ? STATUS_PASS : open > 0 ? STATUS_WARN : STATUS_FAIL;
}

void stage_tcp_run(struct evidence *ev, const struct probe_opts *o)
{
    double start = clock_ms_f();
    struct ev_tcp *t = &ev->tcp;
    struct pending p[EV_ADDRS_MAX];
    memset(t, 0, sizeof *t);
    t->chosen = -1;
    t->deadline_ms = deadline_for(o->timeout_ms);
    for (size_t i = 0; i < ev->dns.addr_count && t->attempt_count < EV_ADDRS_MAX; i++)
        if (family_wanted(ev->dns.addrs[i].family, o->family))
            t->attempts[t->attempt_count++].target = ev->dns.addrs[i];
    if (t->attempt_count == 0) {
        stageio_skip(ev, STAGE_TCP, SKIP_TCP_NO_TARGET, start, 0);
        return;
    }
    for (size_t i = 0; i < t->attempt_count; i++)
        begin(&t->attempts[i], &p[i], o->port);
    wait_all(t, p, start + t->deadline_ms);
    for (size_t i = 0; i < t->attempt_count && t->chosen < 0; i++)
        if (t->attempts[i].state == TCP_STATE_OPEN)
            t->chosen = (int)i;
    /* Nothing answered: this machine's own outgoing rules may be why. */
    if (t->chosen < 0)
        local_fw_read(o->port, TCP_LOCAL_FW_MS, &t->local_fw);
    stageio_done(ev, STAGE_TCP, tcp_status(t), start, 0);
}
