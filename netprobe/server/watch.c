#include "netprobe/server/watch.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/i18n.h"
#include "netprobe/wire/capture.h"

void watch_table_init(struct watch_table *t, int port)
{
    memset(t, 0, sizeof *t);
    t->port = port;
}

static struct watch_source *source_for(struct watch_table *t, const char *addr)
{
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->sources[i].address, addr) == 0)
            return &t->sources[i];
    if (t->count >= WATCH_SOURCES_MAX) {
        t->dropped++;
        return NULL;
    }
    struct watch_source *s = &t->sources[t->count++];
    memset(s, 0, sizeof *s);
    snprintf(s->address, sizeof s->address, "%s", addr);
    return s;
}

void watch_account(struct watch_table *t, const struct pp_packet *pk)
{
    const struct pp_tcp *tcp = &pk->tcp;
    struct watch_source *s;
    if (!pk->is_tcp)
        return;
    if (tcp->dport == t->port) { /* towards the server */
        if ((s = source_for(t, pk->ip.src)) == NULL)
            return;
        t->packets++;
        if ((tcp->flags & PP_TH_SYN) && !(tcp->flags & PP_TH_ACK))
            s->syns++;
        s->bytes_received += tcp->payload_len;
    } else if (tcp->sport == t->port) { /* the server's answers */
        if ((s = source_for(t, pk->ip.dst)) == NULL)
            return;
        t->packets++;
        if ((tcp->flags & (PP_TH_SYN | PP_TH_ACK)) == (PP_TH_SYN | PP_TH_ACK))
            s->synacks_sent++;
        if (tcp->flags & PP_TH_RST)
            s->resets_sent++;
    }
}

/* What each outcome means for the student, in the order they are tried.
 * The outcome is a code; the meaning is N_() and translated when written. */
static const struct {
    const char *outcome;
    const char *meaning;
} OUTCOMES[] = {
    {"answered", N_("its SYNs arrived and this machine answered: the path and the listener work")},
    {"refused", N_("its SYNs arrived and this machine answered with a reset: nothing listens on "
                   "the port")},
    {"reached_not_answered", N_("its SYNs arrived but nothing answered: the host firewall drops "
                                "them (see netprobe --local)")},
    {"reached", N_("only packets of an older connection arrived")},
    {"never_reached", N_("no packet from it arrived: the security group, network ACL or the "
                         "client's network drops it before this machine")},
};

static size_t outcome_index(const struct watch_source *s)
{
    if (s == NULL)
        return 4;
    if (s->synacks_sent > 0)
        return 0;
    if (s->resets_sent > 0)
        return 1;
    return s->syns > 0 ? 2 : 3;
}

const char *watch_outcome(const struct watch_source *s)
{
    return OUTCOMES[outcome_index(s)].outcome;
}

static volatile sig_atomic_t watch_interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    watch_interrupted = 1;
}

struct watch_ctx {
    pcap_t *pcap;
    struct watch_table *t;
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct watch_ctx *c = (struct watch_ctx *)user;
    struct pp_packet pk;
    if (pp_parse(pcap_datalink(c->pcap), bytes, h->caplen, &pk) == PP_OK)
        watch_account(c->t, &pk);
}

int watch_run(const struct watch_opts *o, struct watch_table *t, bool *interrupted, char *why,
              size_t whycap)
{
    char filter[64];
    bool no_perm = false;
    struct sigaction sa, old;
    struct watch_ctx c = {NULL, t};

    watch_table_init(t, o->port);
    *interrupted = false;
    snprintf(filter, sizeof filter, "tcp port %d", o->port);
    c.pcap = capture_open_live(o->iface != NULL ? o->iface : "any", filter, why, whycap, &no_perm);
    if (c.pcap == NULL)
        return no_perm ? 1 : -1;
    if (o->on_ready != NULL)
        o->on_ready(o);
    /* No SA_RESTART: Ctrl-C must wake poll() at once. */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    watch_interrupted = 0;
    sigaction(SIGINT, &sa, &old);
    struct pollfd p = {pcap_get_selectable_fd(c.pcap), POLLIN, 0};
    double deadline = clock_ms_f() + o->duration_s * 1000.0;
    while (!watch_interrupted) {
        double left = deadline - clock_ms_f();
        if (left <= 0)
            break;
        if (poll(&p, 1, left < 100 ? (int)left + 1 : 100) < 0 && errno != EINTR)
            break;
        if (pcap_dispatch(c.pcap, -1, on_packet, (u_char *)&c) < 0)
            break;
    }
    pcap_dispatch(c.pcap, -1, on_packet, (u_char *)&c); /* what arrived meanwhile */
    sigaction(SIGINT, &old, NULL);
    *interrupted = watch_interrupted != 0;
    pcap_close(c.pcap);
    return 0;
}

const char *watch_meaning(const struct watch_source *s)
{
    return _(OUTCOMES[outcome_index(s)].meaning);
}

const struct watch_source *watch_find(const struct watch_table *t, const char *addr)
{
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->sources[i].address, addr) == 0)
            return &t->sources[i];
    return NULL;
}

void watch_summary(const struct watch_table *t, char *out, size_t cap)
{
    if (t->count == 0)
        snprintf(out, cap,
                 _("no packet for TCP port %d arrived: connection attempts never reached this "
                   "machine (look at the security group and network ACL)"),
                 t->port);
    else
        snprintf(out, cap,
                 ngettext("%zu source sent packets to TCP port %d",
                          "%zu sources sent packets to TCP port %d", t->count),
                 t->count, t->port);
}
