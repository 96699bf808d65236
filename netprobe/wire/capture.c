#include "netprobe/wire/capture.h"

#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/addr.h"
#include "common/i18n.h"
#include "netprobe/relay.h"

/* Enough for link + IPv6 + TCP with options, or an ICMPv6 error quoting
 * IPv6 + TCP: headers only, never the chat text. */
#define CAPTURE_SNAPLEN 320

/* How often the thread looks at its stop flag when no packet arrives. */
#define CAPTURE_POLL_MS 20

struct capture {
    pcap_t *pcap;
    pcap_dumper_t *dumper;
    pthread_t thread;
    atomic_bool stop;
    char target[ADDR_TEXT_MAX];
    int port;
    struct capture_summary sum; /* written by the thread only, read after join */
};

void capture_summary_init(struct capture_summary *s)
{
    memset(s, 0, sizeof *s);
    s->synack_ttl = s->synack_mss = s->synack_window = -1;
    s->reset_ttl = s->icmp_ttl = s->target_icmp_ttl = -1;
    s->echo_ttl = s->ref_ttl = -1;
    s->reset_compared_with = "";
}

/* The tracked flow for our source port, created on first sight. */
static int flow_for(struct capture_summary *s, int sport)
{
    for (int i = 0; i < s->flow_count; i++)
        if (s->flows[i].sport == sport)
            return i;
    if (s->flow_count >= CAPTURE_FLOWS_MAX)
        return -1;
    memset(&s->flows[s->flow_count], 0, sizeof s->flows[0]);
    s->flows[s->flow_count].sport = sport;
    return s->flow_count++;
}

static void account_outgoing(struct capture_summary *s, const struct pp_tcp *t)
{
    int f = flow_for(s, t->sport);
    if ((t->flags & PP_TH_SYN) && !(t->flags & PP_TH_ACK)) {
        s->syns_sent++;
        if (f >= 0 && s->flows[f].syn_seen && s->flows[f].syn_seq == t->seq)
            s->syn_retransmits++;
        if (f >= 0) {
            s->flows[f].syn_seen = true;
            s->flows[f].syn_seq = t->seq;
        }
        return;
    }
    if (t->payload_len == 0 || f < 0)
        return;
    unsigned end = t->seq + (unsigned)t->payload_len;
    /* Serial-number arithmetic: an end at or before the highest end sent
     * is data we already sent once. */
    if (s->flows[f].data_seen && (int32_t)(end - s->flows[f].next_seq) <= 0)
        s->retransmits++;
    else
        s->flows[f].next_seq = end;
    s->flows[f].data_seen = true;
}

static void account_incoming(struct capture_summary *s, const struct pp_packet *pk)
{
    const struct pp_tcp *t = &pk->tcp;
    if ((t->flags & (PP_TH_SYN | PP_TH_ACK)) == (PP_TH_SYN | PP_TH_ACK)) {
        if (s->synacks++ == 0) {
            s->synack_ttl = pk->ip.ttl;
            s->synack_mss = t->mss;
            s->synack_window = t->window;
        }
    }
    if (t->flags & PP_TH_RST) {
        if (s->resets++ == 0)
            s->reset_ttl = pk->ip.ttl;
        return;
    }
    if (t->window == 0)
        s->zero_windows++;
}

static void account_icmp(struct capture_summary *s, const struct pp_packet *pk, const char *target)
{
    /* Only the target's own answers tell its distance; a router's do not. */
    if (s->target_icmp_ttl < 0 && strcmp(pk->ip.src, target) == 0)
        s->target_icmp_ttl = pk->ip.ttl;
    if (s->icmp_errors++ > 0)
        return;
    s->icmp_ttl = pk->ip.ttl;
    s->first_icmp.seen = true;
    s->first_icmp.type = pk->icmp_type;
    s->first_icmp.code = pk->icmp_code;
    snprintf(s->first_icmp.from, sizeof s->first_icmp.from, "%s", pk->ip.src);
    snprintf(s->first_icmp.name, sizeof s->first_icmp.name, "%s",
             pk->icmp_name != NULL ? pk->icmp_name : "icmp-error");
}

/* The target's answer to the icmp stage's ping: a sample of its distance. */
static bool is_target_echo_reply(const struct pp_packet *pk, const char *target)
{
    bool v4 = pk->ip.family == AF_INET && pk->ip.proto == 1 && pk->icmp_type == 0;
    bool v6 = pk->ip.family == AF_INET6 && pk->ip.proto == 58 && pk->icmp_type == 129;
    return !pk->is_tcp && !pk->is_icmp_error && (v4 || v6) && strcmp(pk->ip.src, target) == 0;
}

void capture_account(struct capture_summary *s, const struct pp_packet *pk, const char *target,
                     int port)
{
    if (is_target_echo_reply(pk, target)) {
        if (s->echo_replies++ == 0)
            s->echo_ttl = pk->ip.ttl;
        return;
    }
    if (pk->is_tcp && strcmp(pk->ip.dst, target) == 0 && pk->tcp.dport == port) {
        s->packets++;
        account_outgoing(s, &pk->tcp);
    } else if (pk->is_tcp && strcmp(pk->ip.src, target) == 0 && pk->tcp.sport == port) {
        s->packets++;
        account_incoming(s, pk);
    } else if (pk->is_icmp_error && pk->quoted_is_tcp && strcmp(pk->quoted_ip.dst, target) == 0 &&
               pk->quoted_tcp.dport == port) {
        s->packets++;
        account_icmp(s, pk, target);
    }
}

/* The usual initial TTLs: Linux/macOS 64, Windows 128, network gear 255
 * (32 for some old stacks). */
static int initial_ttl(int ttl)
{
    static const int initial[] = {32, 64, 128, 255};
    for (size_t i = 0; i < sizeof initial / sizeof initial[0]; i++)
        if (ttl <= initial[i])
            return initial[i];
    return 255;
}

/* Routes change a little between packets; more than this many hops apart
 * is a different sender. */
#define CAPTURE_HOP_SLACK 2

bool capture_ttl_mismatch(int ref_ttl, int rst_ttl)
{
    if (ref_ttl <= 0 || rst_ttl <= 0)
        return false;
    int ref_hops = initial_ttl(ref_ttl) - ref_ttl, rst_hops = initial_ttl(rst_ttl) - rst_ttl;
    return initial_ttl(ref_ttl) != initial_ttl(rst_ttl) ||
           abs(ref_hops - rst_hops) > CAPTURE_HOP_SLACK;
}

/* The target's own TTLs, in the order capture_finish() trusts them. */
struct ttl_reference {
    const char *name;   /* reset_compared_with */
    size_t offset;      /* of the int TTL in struct capture_summary */
    const char *detail; /* N_(): reset TTL, then reference TTL */
};

static const struct ttl_reference references[] = {
    {"synack", offsetof(struct capture_summary, synack_ttl),
     N_("the reset arrived with TTL %d but the SYN-ACK with TTL %d: another box on the way sent "
        "the reset")},
    {"target_icmp", offsetof(struct capture_summary, target_icmp_ttl),
     N_("the reset arrived with TTL %d but the target's ICMP error with TTL %d: another box on "
        "the way sent the reset")},
    {"echo_reply", offsetof(struct capture_summary, echo_ttl),
     N_("the reset arrived with TTL %d but the target's echo replies with TTL %d: another box "
        "on the way sent the reset")},
    {"reference", offsetof(struct capture_summary, ref_ttl),
     N_("the reset arrived with TTL %d but the target's other packets with TTL %d: another box "
        "on the way sent the reset")},
};

void capture_finish(struct capture_summary *s)
{
    s->forged_reset = false;
    s->reset_compared_with = "";
    if (s->resets == 0 || s->reset_ttl <= 0)
        return;
    for (size_t i = 0; i < sizeof references / sizeof references[0]; i++) {
        const struct ttl_reference *r = &references[i];
        int ref;
        memcpy(&ref, (const char *)s + r->offset, sizeof ref);
        if (ref <= 0)
            continue;
        /* Two different TTLs no router lowered were both made on this
         * machine's link, by two stacks: behind VirtualBox's NAT the relay's
         * TCP leaves with 64 and its echo replies with 255.  They differ by
         * what made each packet, not by who sent the reset: nothing to
         * compare.  (Equal ones, as on loopback, stay comparable.) */
        if (relay_ttl_unrouted(ref) && relay_ttl_unrouted(s->reset_ttl) && ref != s->reset_ttl)
            return;
        s->reset_compared_with = r->name;
        s->forged_reset = capture_ttl_mismatch(ref, s->reset_ttl);
        if (s->forged_reset)
            snprintf(s->forged_detail, sizeof s->forged_detail, _(r->detail), s->reset_ttl, ref);
        return;
    }
}

int capture_iface_for(const char *target, char *iface, size_t cap)
{
    struct sockaddr_storage ss, local;
    socklen_t len = sizeof local;
    struct ifaddrs *ifa;
    char want[ADDR_TEXT_MAX], have[ADDR_TEXT_MAX];
    int family = strchr(target, ':') != NULL ? AF_INET6 : AF_INET, rc = -1;

    socklen_t sslen;
    /* Any port: a UDP connect sends nothing. */
    if (addr_parse(target, 9, &ss, &sslen) < 0 || ss.ss_family != family)
        return -1;
    int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    bool ok = connect(fd, (struct sockaddr *)&ss, sslen) == 0 &&
              getsockname(fd, (struct sockaddr *)&local, &len) == 0;
    close(fd);
    if (!ok || addr_format((struct sockaddr *)&local, want, NULL) < 0 || getifaddrs(&ifa) < 0)
        return -1;
    for (struct ifaddrs *i = ifa; i != NULL && rc < 0; i = i->ifa_next) {
        if (i->ifa_addr == NULL || i->ifa_addr->sa_family != family)
            continue;
        if (addr_format(i->ifa_addr, have, NULL) == 0 && strcmp(have, want) == 0) {
            snprintf(iface, cap, "%s", i->ifa_name);
            rc = 0;
        }
    }
    freeifaddrs(ifa);
    return rc;
}

pcap_t *capture_open_live(const char *iface, const char *filter, char *why, size_t whycap,
                          bool *no_permission)
{
    char err[PCAP_ERRBUF_SIZE] = "";
    struct bpf_program prog;
    pcap_t *p = pcap_create(iface, err);

    *no_permission = false;
    if (p == NULL) {
        snprintf(why, whycap, _("cannot capture on %s: %s"), iface, err);
        return NULL;
    }
    /* Best-effort settings: each only fails on an already active handle. */
    pcap_set_snaplen(p, CAPTURE_SNAPLEN);
    pcap_set_promisc(p, 0);
    pcap_set_immediate_mode(p, 1);
    pcap_set_timeout(p, CAPTURE_POLL_MS);
    int rc = pcap_activate(p);
    if (rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_PROMISC_PERM_DENIED) {
        *no_permission = true;
        snprintf(why, whycap, "%s",
                 _("capturing packets needs root or CAP_NET_RAW (run with sudo to see the wire)"));
    } else if (rc < 0) {
        snprintf(why, whycap, _("cannot capture on %s: %s"), iface, pcap_geterr(p));
    } else if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
        snprintf(why, whycap, _("capture filter \"%s\" rejected: %s"), filter, pcap_geterr(p));
        rc = -1;
    } else {
        int set = pcap_setfilter(p, &prog);
        pcap_freecode(&prog);
        if (set < 0 || pcap_setnonblock(p, 1, err) < 0) {
            snprintf(why, whycap, _("cannot set up the capture on %s: %s"), iface, pcap_geterr(p));
            rc = -1;
        }
    }
    if (rc < 0) {
        pcap_close(p);
        return NULL;
    }
    return p;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct capture *c = (struct capture *)user;
    struct pp_packet pk;
    if (c->dumper != NULL) {
        pcap_dump((u_char *)c->dumper, h, bytes);
        c->sum.dumped++;
    }
    if (pp_parse(pcap_datalink(c->pcap), bytes, h->caplen, &pk) == PP_OK)
        capture_account(&c->sum, &pk, c->target, c->port);
}

static void *capture_thread(void *arg)
{
    struct capture *c = arg;
    struct pollfd p = {pcap_get_selectable_fd(c->pcap), POLLIN, 0};
    while (!atomic_load(&c->stop)) {
        if (poll(&p, 1, CAPTURE_POLL_MS) < 0 && errno != EINTR)
            break;
        if (pcap_dispatch(c->pcap, -1, on_packet, (u_char *)c) < 0)
            break;
    }
    /* Packets that arrived between the last poll and the stop request. */
    pcap_dispatch(c->pcap, -1, on_packet, (u_char *)c);
    return NULL;
}

static void capture_free(struct capture *c)
{
    if (c->dumper != NULL)
        pcap_dump_close(c->dumper);
    if (c->pcap != NULL)
        pcap_close(c->pcap);
    free(c);
}

int capture_start(const struct capture_opts *o, struct capture **out,
                  struct capture_summary *result)
{
    struct capture *c = calloc(1, sizeof *c);
    bool no_perm = false;
    struct capture_summary *s = result;

    *out = NULL;
    capture_summary_init(s);
    if (c == NULL) {
        snprintf(s->skip_reason, sizeof s->skip_reason, "%s", _("out of memory"));
        s->failed = true;
        return -1;
    }
    capture_summary_init(&c->sum);
    snprintf(c->target, sizeof c->target, "%s", o->target);
    c->port = o->port;
    if (o->iface != NULL)
        snprintf(c->sum.iface, sizeof c->sum.iface, "%s", o->iface);
    else if (capture_iface_for(o->target, c->sum.iface, sizeof c->sum.iface) < 0)
        snprintf(c->sum.iface, sizeof c->sum.iface, "any");
    snprintf(c->sum.filter, sizeof c->sum.filter,
             strchr(o->target, ':') != NULL
                 ? "(host %s and tcp port %d) or (icmp6 and ((ip6[40] >= 1 and ip6[40] <= 4) "
                   "or (ip6[40] == 129 and src host %s)))"
                 : "(host %s and tcp port %d) or (icmp and (icmp[0] == 3 or icmp[0] == 11 "
                   "or icmp[0] == 12 or (icmp[0] == 0 and src host %s)))",
             o->target, o->port, o->target);
    snprintf(s->iface, sizeof s->iface, "%s", c->sum.iface);
    snprintf(s->filter, sizeof s->filter, "%s", c->sum.filter);
    c->pcap = capture_open_live(c->sum.iface, c->sum.filter, s->skip_reason, sizeof s->skip_reason,
                                &no_perm);
    if (c->pcap == NULL) {
        s->failed = !no_perm;
        capture_free(c);
        return no_perm ? 1 : -1;
    }
    if (o->pcap_path != NULL) {
        c->dumper = pcap_dump_open(c->pcap, o->pcap_path);
        if (c->dumper == NULL) {
            snprintf(s->skip_reason, sizeof s->skip_reason, _("cannot write %s: %s"), o->pcap_path,
                     pcap_geterr(c->pcap));
            s->failed = true;
            capture_free(c);
            return -1;
        }
        snprintf(c->sum.pcap_path, sizeof c->sum.pcap_path, "%s", o->pcap_path);
    }
    atomic_init(&c->stop, false);
    int err = pthread_create(&c->thread, NULL, capture_thread, c);
    if (err != 0) {
        snprintf(s->skip_reason, sizeof s->skip_reason, _("cannot start the capture thread: %s"),
                 strerror(err));
        s->failed = true;
        capture_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

void capture_stop(struct capture *c, struct capture_summary *result)
{
    int ref = result->ref_ttl;
    atomic_store(&c->stop, true);
    pthread_join(c->thread, NULL);
    *result = c->sum;
    result->ref_ttl = ref;
    result->ran = true;
    capture_finish(result);
    capture_free(c);
}
