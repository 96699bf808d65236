/*
 * icmp.c - the icmp stage: a few echo requests, their round-trip times,
 * and any ICMP error answered instead.
 *
 * A raw socket needs root (CAP_NET_RAW); the unprivileged ICMP datagram
 * ("ping") socket needs the user's group in net.ipv4.ping_group_range.
 * Without either the stage is skipped, saying why.  Pings are sent one at
 * a time, the next as soon as the last is answered (or after 200 ms), so a
 * fast path costs almost nothing.  Cloud firewalls drop ICMP by default, so
 * silence here is a warning, never a failure.
 *
 * The TTL (IPv6: hop limit) of the first echo reply is kept: it tells how
 * many hops away the target is, which --trace and --capture use as the
 * target's own distance.  A raw IPv4 socket reads it from the IP header;
 * the others ask the kernel for it (IP_RECVTTL, IPV6_RECVHOPLIMIT).
 */
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/clock.h"
#include "netprobe/stages/stageio.h"
#include "netprobe/stages/stages.h"
#include "netprobe/wire/errqueue.h"
#include "netprobe/wire/reason.h"

#define ICMP_COUNT 4
#define ICMP_INTERVAL_MS 200.0
/* The stage never waits longer than the default stage bound, whatever
 * --timeout says: it runs beside the tcp stage and must not hold up the
 * verdict. */
#define ICMP_WAIT_MAX_MS STAGE_TIMEOUT_MS_DEFAULT

struct pinger {
    int fd;
    int family;
    bool raw;
    uint16_t id;
    struct sockaddr_storage to;
    socklen_t tolen;
    double sent_at[ICMP_COUNT];
    bool answered[ICMP_COUNT];
    int answers; /* replies plus errors */
};

/* The ICMP echo header, the same layout for ICMPv6. */
struct echo_hdr {
    uint8_t type, code;
    uint16_t cksum, id, seq;
};

static uint16_t checksum(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return htons((uint16_t)~sum);
}

/* Opens a raw socket, else a ping socket; method names which. */
static int pinger_open(struct pinger *pg, struct ev_icmp *ic)
{
    int proto = pg->family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
    pg->raw = true;
    pg->fd = socket(pg->family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    if (pg->fd < 0) {
        pg->raw = false;
        pg->fd = socket(pg->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    }
    if (pg->fd < 0)
        return -1;
    snprintf(ic->method, sizeof ic->method, "%s", pg->raw ? "raw" : "dgram");
    /* Best effort: without it a datagram socket misses ICMP errors only. */
    (void)errqueue_enable(pg->fd, pg->family);
    /* Best effort too: without it the reply's TTL stays unknown (0). */
    int on = 1;
    if (pg->family == AF_INET6)
        (void)setsockopt(pg->fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on);
    else
        (void)setsockopt(pg->fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof on);
    if (stageio_random(&pg->id, sizeof pg->id) < 0)
        pg->id = (uint16_t)getpid();
    return 0;
}

static void pinger_send(struct pinger *pg, struct ev_icmp *ic)
{
    unsigned char pkt[sizeof(struct echo_hdr) + 16] = {0};
    struct echo_hdr h = {.type = pg->family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO,
                         .id = htons(pg->id),
                         .seq = htons((uint16_t)ic->sent)};
    memcpy(pkt, &h, sizeof h);
    memcpy(pkt + sizeof h, "netprobe-ping...", 16);
    if (pg->family == AF_INET) {
        /* The kernel sums ICMPv6 (pseudo-header) and datagram sockets
         * itself; only raw ICMPv4 needs ours. */
        h.cksum = checksum(pkt, sizeof pkt);
        memcpy(pkt, &h, sizeof h);
    }
    pg->sent_at[ic->sent] = clock_ms_f();
    if (sendto(pg->fd, pkt, sizeof pkt, 0, (struct sockaddr *)&pg->to, pg->tolen) < 0) {
        pg->answered[ic->sent] = true; /* nothing will come back for it */
        pg->answers++;
        if (ic->not_sent++ == 0)
            ic->send_errno = errno;
    }
    ic->sent++;
}

static void take_reply(struct pinger *pg, struct ev_icmp *ic, uint16_t seq, int ttl)
{
    if (seq >= ic->sent || pg->answered[seq])
        return;
    if (ic->reply_ttl == 0 && ttl > 0)
        ic->reply_ttl = ttl;
    double rtt = clock_ms_f() - pg->sent_at[seq];
    pg->answered[seq] = true;
    pg->answers++;
    ic->rtt_min_ms = ic->received == 0 || rtt < ic->rtt_min_ms ? rtt : ic->rtt_min_ms;
    ic->rtt_max_ms = rtt > ic->rtt_max_ms ? rtt : ic->rtt_max_ms;
    ic->rtt_avg_ms = (ic->rtt_avg_ms * ic->received + rtt) / (ic->received + 1);
    ic->received++;
}

/* An ICMP error quoting one of our requests: remember the first. */
static void take_error(struct pinger *pg, struct ev_icmp *ic, const struct echo_hdr *h,
                       const struct echo_hdr *inner, const struct sockaddr *from)
{
    if (inner->id != htons(pg->id))
        return;
    uint16_t seq = ntohs(inner->seq);
    if (seq < ic->sent && !pg->answered[seq]) {
        pg->answered[seq] = true;
        pg->answers++;
    }
    if (ic->error.seen)
        return;
    ic->error.seen = true;
    ic->error.type = h->type;
    ic->error.code = h->code;
    addr_format(from, ic->error.from, NULL);
    snprintf(ic->error.name, sizeof ic->error.name, "%s",
             reason_icmp(pg->family, h->type, h->code));
}

/* Parses one received packet: IPv4 raw sockets include the IP header,
 * whose TTL then beats the one from the control message (ttl, 0 none). */
static void take_packet(struct pinger *pg, struct ev_icmp *ic, const uint8_t *p, size_t n,
                        const struct sockaddr *from, int ttl)
{
    if (pg->raw && pg->family == AF_INET) {
        size_t ihl = n > 0 ? (size_t)(p[0] & 0x0f) * 4 : 0;
        if (ihl < 20 || n < ihl)
            return;
        ttl = p[8];
        p += ihl;
        n -= ihl;
    }
    struct echo_hdr h, inner;
    if (n < sizeof h)
        return;
    memcpy(&h, p, sizeof h);
    bool v6 = pg->family == AF_INET6;
    if (h.type == (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY)) {
        if (!pg->raw || h.id == htons(pg->id)) /* ping sockets match ids themselves */
            take_reply(pg, ic, ntohs(h.seq), ttl);
        return;
    }
    bool error = v6 ? h.type < 128
                    : (h.type == 3 || h.type == 4 || h.type == 5 || h.type == 11 || h.type == 12);
    /* An error quotes our packet: its IP header, then our echo header. */
    size_t ip = v6 ? 40 : (n >= 9 ? (size_t)(p[8] & 0x0f) * 4 : 0);
    if (!error || ip < 20 || n < 8 + ip + sizeof inner)
        return;
    memcpy(&inner, p + 8 + ip, sizeof inner);
    take_error(pg, ic, &h, &inner, from);
}

/* The TTL or hop limit the kernel attached to a received packet, 0 none. */
static int cmsg_ttl(struct msghdr *m)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
        bool v4 = c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL;
        bool v6 = c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT;
        int ttl;
        if ((v4 || v6) && c->cmsg_len >= CMSG_LEN(sizeof ttl)) {
            memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
            return ttl > 0 && ttl <= 255 ? ttl : 0;
        }
    }
    return 0;
}

static void drain(struct pinger *pg, struct ev_icmp *ic, short revents)
{
    uint8_t buf[1500];
    union {
        char bytes[CMSG_SPACE(sizeof(int)) * 2];
        struct cmsghdr align;
    } ctl;
    struct sockaddr_storage from;
    for (int i = 0; i < 64 && (revents & POLLIN); i++) {
        struct iovec iov = {buf, sizeof buf};
        struct msghdr m = {.msg_name = &from,
                           .msg_namelen = sizeof from,
                           .msg_iov = &iov,
                           .msg_iovlen = 1,
                           .msg_control = ctl.bytes,
                           .msg_controllen = sizeof ctl.bytes};
        ssize_t n = recvmsg(pg->fd, &m, 0);
        if (n < 0)
            break;
        take_packet(pg, ic, buf, (size_t)n, (struct sockaddr *)&from, cmsg_ttl(&m));
    }
    struct ev_icmp_error e = {0};
    if ((revents & POLLERR) && errqueue_read(pg->fd, &e) == 1) {
        if (!ic->error.seen)
            ic->error = e;
        pg->answers++; /* a datagram socket cannot tell which ping: count one */
    }
}

static void ping_loop(struct pinger *pg, struct ev_icmp *ic, double deadline)
{
    double next = clock_ms_f();
    for (;;) {
        double now = clock_ms_f();
        if (ic->sent < ICMP_COUNT && (now >= next || pg->answers == ic->sent)) {
            pinger_send(pg, ic);
            next = now + ICMP_INTERVAL_MS;
            if (ic->not_sent == ic->sent)
                return; /* sendto() failed (no route here): the next ones would too */
        }
        if ((ic->sent == ICMP_COUNT && pg->answers >= ICMP_COUNT) || now >= deadline)
            return;
        double until = ic->sent < ICMP_COUNT && next < deadline ? next : deadline;
        struct pollfd p = {pg->fd, POLLIN, 0};
        int rc = poll(&p, 1, (int)(until - now + 0.999));
        if (rc < 0 && errno != EINTR)
            return;
        if (rc > 0)
            drain(pg, ic, p.revents);
    }
}

static const struct ev_address *pick_target(const struct evidence *ev, int pref)
{
    for (size_t i = 0; i < ev->dns.addr_count; i++) {
        int f = ev->dns.addrs[i].family;
        if (pref == 0 || (pref == 4 && f == AF_INET) || (pref == 6 && f == AF_INET6))
            return &ev->dns.addrs[i];
    }
    return NULL;
}

/* The stage's status; its line comes from the evidence (stage_text.c). */
static enum stage_status icmp_status(const struct ev_icmp *ic)
{
    if (ic->received == 0 || (ic->sent > 0 && ic->not_sent == ic->sent))
        return STATUS_WARN;
    return ic->received < ic->sent ? STATUS_WARN : STATUS_PASS;
}

void stage_icmp_run(struct evidence *ev, const struct probe_opts *o)
{
    double start = clock_ms_f();
    struct ev_icmp *ic = &ev->icmp;
    struct pinger pg = {.fd = -1};
    memset(ic, 0, sizeof *ic);
    const struct ev_address *t = pick_target(ev, o->family);
    if (o->no_icmp || t == NULL) {
        stageio_skip(ev, STAGE_ICMP, o->no_icmp ? SKIP_ICMP_OPTION : SKIP_ICMP_NO_TARGET, start, 0);
        return;
    }
    pg.family = t->family;
    if (stageio_sockaddr(t, 0, &pg.to, &pg.tolen) < 0 || pinger_open(&pg, ic) < 0) {
        stageio_skip(ev, STAGE_ICMP, SKIP_ICMP_CANNOT, start, errno);
        return;
    }
    double wait =
        o->timeout_ms > 0 && o->timeout_ms < ICMP_WAIT_MAX_MS ? o->timeout_ms : ICMP_WAIT_MAX_MS;
    ping_loop(&pg, ic, start + wait);
    close(pg.fd);
    stageio_done(ev, STAGE_ICMP, icmp_status(ic), start, 0);
}
