#include "netprobe/server/local_check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/addr.h"
#include "common/clock.h"
#include "common/dial.h"
#include "common/i18n.h"
#include "netprobe/server/imds.h"

static const char *const VERDICT_CODES[SERVER_VERDICT_COUNT] = {
    [SERVER_BIND_ADDRESS_UNAVAILABLE] = "bind_address_unavailable",
    [SERVER_NOT_LISTENING] = "local_not_listening",
    [SERVER_BIND_LOOPBACK] = "bind_loopback",
    [SERVER_BIND_SPECIFIC] = "bind_specific",
    [SERVER_HOST_FIREWALL_BLOCKS] = "host_firewall_blocks",
    [SERVER_LOCAL_OK] = "local_ok",
    [SERVER_BIND_IPV4_ONLY] = "bind_ipv4_only",
};

const char *local_check_code(enum server_verdict v)
{
    return (unsigned)v < SERVER_VERDICT_COUNT ? VERDICT_CODES[v] : "?";
}

/* ---- The verdict: one predicate per code, tried in priority order. ---- */

static size_t count_bind(const struct server_evidence *ev, enum listener_bind b)
{
    size_t n = 0;
    for (size_t i = 0; i < ev->listeners.count; i++)
        n += ev->listeners.items[i].bind == b;
    return n;
}

static bool none_accepts(const struct server_evidence *ev)
{
    for (size_t i = 0; i < ev->test_count; i++)
        if (ev->tests[i].ok)
            return false;
    return ev->test_count > 0;
}

/* chatd --bind PUBLIC fails with EADDRNOTAVAIL on EC2, so nothing listens.
 * Only an address the user named (--public) says they may have tried to
 * bind it; the metadata service's address says nothing about that. */
static bool is_bind_unavailable(const struct server_evidence *ev)
{
    return ev->public_source == PUBLIC_OPTION && !ev->public_is_local && ev->listeners.count == 0;
}

static bool is_not_listening(const struct server_evidence *ev)
{
    return ev->listeners.count == 0 || none_accepts(ev);
}

static bool is_bind_loopback(const struct server_evidence *ev)
{
    return count_bind(ev, LISTEN_BIND_ANY) == 0 &&
           count_bind(ev, LISTEN_BIND_LOOPBACK) == ev->listeners.count;
}

static bool is_bind_specific(const struct server_evidence *ev)
{
    return count_bind(ev, LISTEN_BIND_ANY) == 0;
}

static bool is_firewall_blocking(const struct server_evidence *ev)
{
    return ev->firewall_checked && ev->fw.available && ev->fw.blocks;
}

/* Nothing listens over IPv6 (on :: or on the global address) while this
 * machine has a global IPv6 address that a name's AAAA record can point
 * at: IPv6 clients are refused though IPv4 works. */
static bool is_bind_ipv4_only(const struct server_evidence *ev)
{
    if (ev->global_ipv6[0] == '\0')
        return false;
    for (size_t i = 0; i < ev->listeners.count; i++) {
        const struct listener *l = &ev->listeners.items[i];
        if (l->family == AF_INET6 &&
            (l->bind == LISTEN_BIND_ANY || strcmp(l->address, ev->global_ipv6) == 0))
            return false;
    }
    return true;
}

static const struct {
    enum server_verdict verdict;
    bool (*holds)(const struct server_evidence *ev);
} RULES[] = {
    {SERVER_BIND_ADDRESS_UNAVAILABLE, is_bind_unavailable},
    {SERVER_NOT_LISTENING, is_not_listening},
    {SERVER_BIND_LOOPBACK, is_bind_loopback},
    {SERVER_BIND_SPECIFIC, is_bind_specific},
    {SERVER_HOST_FIREWALL_BLOCKS, is_firewall_blocking},
    {SERVER_BIND_IPV4_ONLY, is_bind_ipv4_only},
};

enum server_verdict local_check_decide(const struct server_evidence *ev)
{
    for (size_t i = 0; i < sizeof RULES / sizeof RULES[0]; i++)
        if (RULES[i].holds(ev))
            return RULES[i].verdict;
    return SERVER_LOCAL_OK;
}

/* ---- Collecting evidence ---- */

bool local_check_address_is_local(const char *text)
{
    unsigned char want[16], have[16];
    int family = strchr(text, ':') != NULL ? AF_INET6 : AF_INET;
    struct ifaddrs *ifa, *i;
    bool found = false;

    if (inet_pton(family, text, want) != 1 || getifaddrs(&ifa) < 0)
        return false;
    for (i = ifa; i != NULL && !found; i = i->ifa_next) {
        if (i->ifa_addr == NULL || i->ifa_addr->sa_family != family)
            continue;
        if (family == AF_INET)
            memcpy(have, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, 4);
        else
            memcpy(have, &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr, 16);
        found = memcmp(want, have, family == AF_INET ? 4 : 16) == 0;
    }
    freeifaddrs(ifa);
    return found;
}

/* The first global IPv6 address of this machine into out ("" if none):
 * not loopback, link-local (fe80::/10), unique-local (fc00::/7) or an
 * IPv4-mapped address: one that other networks can route to. */
static void find_global_ipv6(char *out, size_t cap)
{
    struct ifaddrs *ifa, *i;
    out[0] = '\0';
    if (getifaddrs(&ifa) < 0)
        return; /* best effort: no address known means no IPv6 verdict */
    for (i = ifa; i != NULL && out[0] == '\0'; i = i->ifa_next) {
        if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET6)
            continue;
        const struct in6_addr *a = &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_V4MAPPED(a) ||
            IN6_IS_ADDR_UNSPECIFIED(a) || (a->s6_addr[0] & 0xfe) == 0xfc)
            continue;
        if (inet_ntop(AF_INET6, a, out, (socklen_t)cap) == NULL)
            out[0] = '\0';
    }
    freeifaddrs(ifa);
}

/* Connects to address:port within timeout_ms and closes at once (the
 * listener sees a connection that sends nothing). */
static void test_connect(struct server_conn_test *t, int port, int timeout_ms)
{
    struct sockaddr_storage ss;
    socklen_t len;
    double start = clock_ms_f();
    int err = EINVAL, fd = -1;
    if (addr_parse(t->address, port, &ss, &len) == 0)
        fd = dial_connect((struct sockaddr *)&ss, len, timeout_ms, &err);
    if (fd >= 0)
        close(fd);
    t->ok = fd >= 0;
    t->err = t->ok ? 0 : err;
    t->ms = clock_ms_f() - start;
}

/* One test per distinct address: a wildcard listener is dialled on the
 * loopback address of its family. */
static void test_listeners(const struct server_opts *o, struct server_evidence *ev)
{
    for (size_t i = 0; i < ev->listeners.count; i++) {
        const struct listener *l = &ev->listeners.items[i];
        const char *addr = l->address;
        bool dup = false;
        if (l->bind == LISTEN_BIND_ANY)
            addr = l->family == AF_INET ? "127.0.0.1" : "::1";
        for (size_t j = 0; j < ev->test_count; j++)
            dup = dup || strcmp(ev->tests[j].address, addr) == 0;
        if (dup || ev->test_count >= LISTENERS_MAX)
            continue;
        struct server_conn_test *t = &ev->tests[ev->test_count++];
        memset(t, 0, sizeof *t);
        t->family = l->family;
        snprintf(t->address, sizeof t->address, "%s", addr);
        test_connect(t, ev->port, o->timeout_ms);
    }
}

void local_check_collect(const struct server_opts *o, struct server_evidence *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->port = o->port;
    ev->listeners_ok = listeners_read(o->proc != NULL ? o->proc : "/proc", o->port, &ev->listeners,
                                      ev->listeners_error, sizeof ev->listeners_error) == 0;
    test_listeners(o, ev);
    find_global_ipv6(ev->global_ipv6, sizeof ev->global_ipv6);
    if (!o->skip_firewall) {
        hostfw_read(o->port, o->timeout_ms, &ev->fw);
        ev->firewall_checked = true;
    }
    if (o->public_addr != NULL) {
        snprintf(ev->public_addr, sizeof ev->public_addr, "%s", o->public_addr);
        ev->public_source = PUBLIC_OPTION;
    } else if (o->imds_addr != NULL) {
        /* Off EC2 this fails within IMDS_BUDGET_MS; only the evidence says so. */
        ev->imds_asked = true;
        if (imds_public_ipv4(o->imds_addr, o->imds_port, IMDS_BUDGET_MS, ev->public_addr,
                             ev->imds_error, sizeof ev->imds_error) == 0)
            ev->public_source = PUBLIC_IMDS;
    }
    if (ev->public_source != PUBLIC_NONE)
        ev->public_is_local = local_check_address_is_local(ev->public_addr);
}

/* ---- What a person reads: one line per check, sentences for the verdict ---- */

static void listener_sentence(const struct listener *l, int port, char *out, size_t cap)
{
    char who[64];
    snprintf(who, sizeof who, "%s", _("an unknown process (run as root to see it)"));
    if (l->pid > 0)
        snprintf(who, sizeof who, "%s (pid %d)", l->comm[0] ? l->comm : "?", l->pid);
    /* TRANSLATORS: PROCESS listens on ADDRESS port N (bind code: any,
       loopback or specific). */
    snprintf(out, cap, _("%s listens on %s port %d (%s)"), who, l->address, port,
             listeners_bind_name(l->bind));
}

/* The next free sentence of lc, or NULL when all are used. */
static char *next_sentence(struct local_check *lc)
{
    if (lc->sentence_count >= LOCAL_CHECK_SENTENCES_MAX)
        return NULL;
    return lc->sentences[lc->sentence_count++];
}

#define SENTENCE(lc, ...)                                                                          \
    do {                                                                                           \
        char *s_ = next_sentence(lc);                                                              \
        if (s_ != NULL)                                                                            \
            snprintf(s_, LOCAL_CHECK_SENTENCE_MAX, __VA_ARGS__);                                   \
    } while (0)

static void listener_sentences(struct local_check *lc)
{
    const struct server_evidence *ev = &lc->ev;
    char *s;
    if (!ev->listeners_ok)
        SENTENCE(lc, _("could not list sockets: %s"), ev->listeners_error);
    else if (ev->listeners.count == 0)
        SENTENCE(lc, _("nothing listens on TCP port %d"), ev->port);
    else if ((s = next_sentence(lc)) != NULL)
        listener_sentence(&ev->listeners.items[0], ev->port, s, LOCAL_CHECK_SENTENCE_MAX);
    for (size_t i = 1; i < ev->listeners.count && i < 3; i++)
        if ((s = next_sentence(lc)) != NULL)
            listener_sentence(&ev->listeners.items[i], ev->port, s, LOCAL_CHECK_SENTENCE_MAX);
}

/* " over IPv6 only" for an nft rule that decides one family of the two its
 * chain sees; "" otherwise (iptables-save lists IPv4 rules only). */
static const char *family_note(const struct hostfw_hit *h)
{
    if (h->family[0] == '\0' || strcmp(h->family, "inet") != 0)
        return "";
    return h->families == HOSTFW_IPV6   ? _(" over IPv6 only")
           : h->families == HOSTFW_IPV4 ? _(" over IPv4 only")
                                        : "";
}

/* One sentence per observation that matters, for the verdict's evidence. */
static void sentences(struct local_check *lc)
{
    const struct server_evidence *ev = &lc->ev;
    listener_sentences(lc);
    for (size_t i = 0; i < ev->test_count; i++)
        if (!ev->tests[i].ok)
            SENTENCE(lc, _("a test connection to %s port %d failed: %s"), ev->tests[i].address,
                     ev->port, strerror(ev->tests[i].err));
    if (ev->firewall_checked && ev->fw.hit_count > 0 && ev->fw.hits[0].action != HOSTFW_ACCEPT) {
        const struct hostfw_hit *h = &ev->fw.hits[0];
        /* TRANSLATORS: TOOL: chain [FAMILY] TABLE CHAIN, RULE (e.g. "drop") for
           TCP port N, and an optional note. */
        SENTENCE(lc, _("%s: chain %s%s%s %s, %s for TCP port %d%s%s"), ev->fw.source, h->family,
                 h->family[0] ? " " : "", h->table, h->chain, h->detail, ev->port, family_note(h),
                 h->conditional ? _(" (for some sources only)") : "");
    }
    if (lc->verdict == SERVER_BIND_IPV4_ONLY)
        SENTENCE(lc,
                 _("this machine has the global IPv6 address %s, but nothing listens on TCP port "
                   "%d over IPv6: clients that dial it (a name's AAAA record) are refused"),
                 ev->global_ipv6, ev->port);
    if (ev->public_source == PUBLIC_OPTION && !ev->public_is_local)
        SENTENCE(lc,
                 _("%s is not an address of this machine (on EC2 the public IPv4 address is "
                   "1:1 NAT and never on an interface): bind 0.0.0.0 instead"),
                 ev->public_addr);
}

static void set_line(struct local_check *lc, enum local_check_id id, enum stage_status st)
{
    lc->lines[id].status = st;
}

static void line_listeners(struct local_check *lc)
{
    const struct server_evidence *ev = &lc->ev;
    size_t any = count_bind(ev, LISTEN_BIND_ANY);
    snprintf(lc->lines[LOCAL_CHECK_LISTENERS].summary, LOCAL_CHECK_SENTENCE_MAX,
             ngettext("%zu listening socket on TCP port %d, %zu on every address",
                      "%zu listening sockets on TCP port %d, %zu on every address",
                      ev->listeners.count),
             ev->listeners.count, ev->port, any);
    set_line(lc, LOCAL_CHECK_LISTENERS,
             ev->listeners.count == 0 ? STATUS_FAIL
             : any > 0                ? STATUS_PASS
                                      : STATUS_WARN);
}

static void line_connect(struct local_check *lc)
{
    const struct server_evidence *ev = &lc->ev;
    size_t ok = 0;
    for (size_t i = 0; i < ev->test_count; i++)
        ok += ev->tests[i].ok;
    snprintf(lc->lines[LOCAL_CHECK_CONNECT].summary, LOCAL_CHECK_SENTENCE_MAX,
             ngettext("%zu of %zu test connection completed",
                      "%zu of %zu test connections completed", ev->test_count),
             ok, ev->test_count);
    set_line(lc, LOCAL_CHECK_CONNECT,
             ev->test_count == 0    ? STATUS_SKIP
             : ok == ev->test_count ? STATUS_PASS
                                    : STATUS_FAIL);
}

static void line_firewall(struct local_check *lc)
{
    const struct server_evidence *ev = &lc->ev;
    char *summary = lc->lines[LOCAL_CHECK_FIREWALL].summary;
    size_t cap = LOCAL_CHECK_SENTENCE_MAX;
    enum stage_status st;
    if (!ev->firewall_checked) {
        snprintf(summary, cap, "%s", _("not checked"));
        st = STATUS_SKIP;
    } else if (!ev->fw.available) {
        snprintf(summary, cap, _("could not read the firewall rules: %s"), ev->fw.reason);
        st = STATUS_SKIP;
    } else if (ev->fw.blocks && ev->fw.blocks_families == HOSTFW_IPV6) {
        snprintf(summary, cap, _("the host firewall drops or rejects TCP port %d over IPv6"),
                 ev->port);
        st = STATUS_FAIL;
    } else if (ev->fw.blocks) {
        snprintf(summary, cap, _("the host firewall drops or rejects TCP port %d"), ev->port);
        st = STATUS_FAIL;
    } else if (ev->fw.may_block) {
        snprintf(summary, cap, _("rules drop TCP port %d for some sources"), ev->port);
        st = STATUS_WARN;
    } else {
        snprintf(summary, cap, _("%s: nothing drops TCP port %d"), ev->fw.source, ev->port);
        st = STATUS_PASS;
    }
    set_line(lc, LOCAL_CHECK_FIREWALL, st);
}

/* The public address found by the metadata service: on EC2 it is never on
 * an interface (1:1 NAT), which is normal, so this line only informs. */
static void line_public_imds(struct local_check *lc)
{
    const struct server_evidence *ev = &lc->ev;
    snprintf(lc->lines[LOCAL_CHECK_PUBLIC].summary, LOCAL_CHECK_SENTENCE_MAX,
             ev->public_is_local
                 ? _("public address %s (from the EC2 instance metadata service) is an address "
                     "of this machine")
                 : _("public address %s (from the EC2 instance metadata service) is not on an "
                     "interface: EC2's 1:1 NAT, as expected; clients dial it"),
             ev->public_addr);
    set_line(lc, LOCAL_CHECK_PUBLIC, STATUS_PASS);
}

static void line_public(struct local_check *lc)
{
    const struct server_evidence *ev = &lc->ev;
    char *summary = lc->lines[LOCAL_CHECK_PUBLIC].summary;
    if (ev->public_source == PUBLIC_IMDS) {
        line_public_imds(lc);
        return;
    }
    if (ev->public_source == PUBLIC_NONE) {
        if (ev->imds_asked)
            snprintf(summary, LOCAL_CHECK_SENTENCE_MAX,
                     _("--public not given, and the EC2 instance metadata service gave no "
                       "public address (%s)"),
                     ev->imds_error);
        else
            snprintf(summary, LOCAL_CHECK_SENTENCE_MAX, "%s", _("--public not given"));
        set_line(lc, LOCAL_CHECK_PUBLIC, STATUS_SKIP);
        return;
    }
    snprintf(summary, LOCAL_CHECK_SENTENCE_MAX,
             ev->public_is_local ? _("%s is an address of this machine")
                                 : _("%s is not an address of this machine (1:1 NAT, as on EC2: "
                                     "bind 0.0.0.0)"),
             ev->public_addr);
    set_line(lc, LOCAL_CHECK_PUBLIC, ev->public_is_local ? STATUS_PASS : STATUS_WARN);
}

/* The checks' names are codes (the report's "checks[].name"). */
static const struct {
    const char *name;
    void (*fill)(struct local_check *lc);
} LINES[LOCAL_CHECK_COUNT] = {
    [LOCAL_CHECK_LISTENERS] = {"listeners", line_listeners},
    [LOCAL_CHECK_CONNECT] = {"connect", line_connect},
    [LOCAL_CHECK_FIREWALL] = {"host_firewall", line_firewall},
    [LOCAL_CHECK_PUBLIC] = {"public_address", line_public},
};

const char *local_check_name(enum local_check_id id)
{
    return (unsigned)id < LOCAL_CHECK_COUNT ? LINES[id].name : "?";
}

void local_check_summarize(struct local_check *lc)
{
    lc->verdict = local_check_decide(&lc->ev);
    lc->sentence_count = 0;
    sentences(lc);
    for (size_t i = 0; i < LOCAL_CHECK_COUNT; i++)
        LINES[i].fill(lc);
}

void local_check_run(const struct server_opts *o, struct local_check *lc)
{
    local_check_collect(o, &lc->ev);
    local_check_summarize(lc);
}
