#include "netprobe/wire/trace.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/addr.h"
#include "common/clock.h"
#include "netprobe/stages/stages.h"
#include "netprobe/wire/errqueue.h"

const char *trace_kind_name(enum trace_kind k)
{
    static const char *const names[] = {
        [TRACE_SILENT] = "silent",           [TRACE_TIME_EXCEEDED] = "time-exceeded",
        [TRACE_UNREACHABLE] = "unreachable", [TRACE_REACHED_OPEN] = "open",
        [TRACE_REACHED_CLOSED] = "closed",   [TRACE_LOCAL_ERROR] = "local-error",
        [TRACE_RELAYED] = "relay",
    };
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

/* target:port as a socket address.  Returns its length, 0 if not an address. */
static socklen_t target_addr(const char *target, int port, struct sockaddr_storage *ss)
{
    socklen_t len;
    return addr_parse(target, port, ss, &len) == 0 ? len : 0;
}

static int set_hops(int fd, int family, int ttl)
{
    if (family == AF_INET)
        return setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
    return setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl);
}

/* Time exceeded: ICMP type 11, ICMPv6 type 3. */
static bool is_time_exceeded(int family, int type)
{
    return family == AF_INET ? type == 11 : type == 3;
}

/* What ended the connect attempt: the error queue first (an ICMP answer
 * also sets SO_ERROR to EHOSTUNREACH), then SO_ERROR. */
static void classify(int fd, int family, int soerr, const char *target, struct trace_hop *h)
{
    struct ev_icmp_error icmp;
    memset(&icmp, 0, sizeof icmp);
    if (errqueue_read(fd, &icmp) == 1) {
        h->kind = is_time_exceeded(family, icmp.type) ? TRACE_TIME_EXCEEDED : TRACE_UNREACHABLE;
        h->icmp_type = icmp.type;
        h->icmp_code = icmp.code;
        snprintf(h->icmp_name, sizeof h->icmp_name, "%s", icmp.name);
        snprintf(h->from, sizeof h->from, "%s", icmp.from);
        return;
    }
    if (soerr == 0 || soerr == ECONNREFUSED) {
        h->kind = soerr == 0 ? TRACE_REACHED_OPEN : TRACE_REACHED_CLOSED;
        snprintf(h->from, sizeof h->from, "%s", target);
        return;
    }
    h->kind = TRACE_LOCAL_ERROR;
    h->err = soerr;
}

/* One probe with the given TTL. */
static void probe_hop(const struct sockaddr_storage *ss, socklen_t len, int ttl, int timeout_ms,
                      const char *target, struct trace_hop *h)
{
    int family = ss->ss_family, soerr = 0;
    socklen_t sl = sizeof soerr;
    double start = clock_ms_f();

    memset(h, 0, sizeof *h);
    h->ttl = ttl;
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || set_hops(fd, family, ttl) < 0 || errqueue_enable(fd, family) < 0) {
        h->kind = TRACE_LOCAL_ERROR;
        h->err = errno;
        if (fd >= 0)
            close(fd);
        return;
    }
    if (connect(fd, (const struct sockaddr *)ss, len) < 0 && errno != EINPROGRESS) {
        classify(fd, family, errno, target, h);
    } else {
        struct pollfd p = {fd, POLLOUT, 0};
        int r;
        while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
            ;
        if (r == 0)
            h->kind = TRACE_SILENT;
        else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
            classify(fd, family, errno, target, h);
        else
            classify(fd, family, soerr, target, h);
    }
    h->rtt_ms = h->kind == TRACE_SILENT ? 0 : clock_ms_f() - start;
    close(fd);
}

void trace_mark_relay(struct trace_hop *h, bool off_link)
{
    bool answered = h->kind == TRACE_REACHED_OPEN || h->kind == TRACE_REACHED_CLOSED;
    if (!off_link || h->ttl != 1 || !answered)
        return;
    h->kind = TRACE_RELAYED;
    h->from[0] = '\0';
}

/* Whether the walk stops after hop h; sets r->ended. */
static bool walk_ends(struct trace_result *r, const struct trace_hop *h, int *silent)
{
    static const struct {
        enum trace_kind kind;
        const char *ended;
    } stops[] = {
        {TRACE_REACHED_OPEN, "reached"},    {TRACE_REACHED_CLOSED, "reached"},
        {TRACE_UNREACHABLE, "unreachable"}, {TRACE_LOCAL_ERROR, "local_error"},
        {TRACE_RELAYED, "relay"},
    };
    *silent = h->kind == TRACE_SILENT ? *silent + 1 : 0;
    /* A relay's answer is nobody's on the path: it is no "last answer". */
    if (h->kind != TRACE_SILENT && h->kind != TRACE_LOCAL_ERROR && h->kind != TRACE_RELAYED) {
        r->last_answer_ttl = h->ttl;
        snprintf(r->last_answer_from, sizeof r->last_answer_from, "%s", h->from);
    }
    for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++)
        if (h->kind == stops[i].kind) {
            r->ended = stops[i].ended;
            return true;
        }
    if (*silent >= TRACE_SILENT_LIMIT) {
        r->ended = "silence";
        return true;
    }
    return false;
}

int trace_run(const struct trace_opts *o, struct trace_result *r)
{
    struct sockaddr_storage ss;
    int max = o->max_hops > 0 && o->max_hops <= TRACE_HOPS_MAX ? o->max_hops : TRACE_HOPS_MAX;
    int timeout = o->hop_timeout_ms > 0 ? o->hop_timeout_ms : (int)STAGE_TIMEOUT_MS_DEFAULT;
    int silent = 0;

    memset(r, 0, sizeof *r);
    snprintf(r->target, sizeof r->target, "%s", o->target);
    r->port = o->port;
    r->ended = "max_hops";
    socklen_t len = target_addr(o->target, o->port, &ss);
    if (len == 0) {
        r->ended = "bad_target";
        return -1;
    }
    for (int ttl = 1; ttl <= max; ttl++) {
        struct trace_hop *h = &r->hops[r->hop_count++];
        probe_hop(&ss, len, ttl, timeout, o->target, h);
        trace_mark_relay(h, o->off_link);
        if (walk_ends(r, h, &silent))
            break;
    }
    r->reached = strcmp(r->ended, "reached") == 0;
    return 0;
}
