#define _GNU_SOURCE /* EAI_NODATA */

#include "netprobe/stages/dns.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/i18n.h"
#include "netprobe/stages/stage_text.h"
#include "netprobe/stages/stageio.h"
#include "netprobe/stages/stages.h"
#include "netprobe/wire/reason.h"

bool dns_has_nameserver(FILE *f)
{
    char line[512], word[32];
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, " %31s", word) == 1 && strcmp(word, "nameserver") == 0)
            return true;
    return false;
}

enum dns_outcome dns_classify(int gai_rc, bool timed_out, bool has_nameserver)
{
    enum dns_outcome out = timed_out ? DNS_NO_ANSWER : reason_gai(gai_rc);
    /* Without a nameserver nothing could have answered: say that instead. */
    if (!has_nameserver && (out == DNS_NO_ANSWER || out == DNS_OTHER_FAILURE))
        return DNS_NO_RESOLVER;
    return out;
}

/* One getaddrinfo() call in its own thread, so a resolver that never
 * answers cannot hold the stage past its deadline.  The caller and the
 * thread each hold a reference; whoever lets go last frees it. */
struct lookup {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int refs;
    bool done;
    char host[256];
    int family;
    int rc;
    int sys_errno;
    struct addrinfo *res;
};

static void lookup_unref(struct lookup *lk)
{
    pthread_mutex_lock(&lk->mu);
    int left = --lk->refs;
    pthread_mutex_unlock(&lk->mu);
    if (left > 0)
        return;
    if (lk->res != NULL)
        freeaddrinfo(lk->res);
    pthread_cond_destroy(&lk->cv);
    pthread_mutex_destroy(&lk->mu);
    free(lk);
}

static void *lookup_main(void *arg)
{
    struct lookup *lk = arg;
    struct addrinfo hints = {.ai_family = lk->family, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(lk->host, NULL, &hints, &res);
    pthread_mutex_lock(&lk->mu);
    lk->rc = rc;
    lk->sys_errno = errno;
    lk->res = res;
    lk->done = true;
    pthread_cond_signal(&lk->cv);
    pthread_mutex_unlock(&lk->mu);
    lookup_unref(lk);
    return NULL;
}

static struct lookup *lookup_start(const char *host, int family)
{
    struct lookup *lk = calloc(1, sizeof *lk);
    pthread_condattr_t ca;
    if (lk == NULL)
        return NULL;
    snprintf(lk->host, sizeof lk->host, "%s", host);
    lk->family = family;
    lk->refs = 2;
    pthread_mutex_init(&lk->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&lk->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_attr_t attr;
    pthread_t t;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&t, &attr, lookup_main, lk);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        lk->refs = 1;
        lookup_unref(lk);
        return NULL;
    }
    return lk;
}

/* Waits until the lookup is done or timeout_ms passed; true if done. */
static bool lookup_wait(struct lookup *lk, double timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    long long ns = until.tv_nsec + (long long)(timeout_ms * 1e6);
    until.tv_sec += (time_t)(ns / 1000000000LL);
    until.tv_nsec = (long)(ns % 1000000000LL);
    pthread_mutex_lock(&lk->mu);
    int rc = 0;
    while (!lk->done && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&lk->cv, &lk->mu, &until);
    bool done = lk->done;
    pthread_mutex_unlock(&lk->mu);
    return done;
}

static void add_address(struct ev_dns *d, const struct sockaddr *sa)
{
    struct ev_address a = {.family = sa->sa_family};
    if (addr_format(sa, a.address, NULL) < 0 || d->addr_count == EV_ADDRS_MAX)
        return;
    for (size_t i = 0; i < d->addr_count; i++)
        if (strcmp(d->addrs[i].address, a.address) == 0)
            return; /* one entry per address, not per socket type */
    d->addrs[d->addr_count++] = a;
}

static int hints_family(int pref)
{
    return pref == 4 ? AF_INET : pref == 6 ? AF_INET6 : AF_UNSPEC;
}

/* HOST as an address literal; true if it was one. */
static bool literal(struct ev_dns *d, const char *host, int pref, const char **why)
{
    struct in6_addr buf;
    int family = inet_pton(AF_INET, host, &buf) == 1    ? AF_INET
                 : inet_pton(AF_INET6, host, &buf) == 1 ? AF_INET6
                                                        : 0;
    if (family == 0)
        return false;
    *why = NULL;
    if (hints_family(pref) != AF_UNSPEC && hints_family(pref) != family) {
        *why = pref == 4 ? _("-4 was given but HOST is an IPv6 address")
                         : _("-6 was given but HOST is an IPv4 address");
        d->outcome = DNS_OTHER_FAILURE;
        d->detail_kind = DNS_DETAIL_FAMILY_LITERAL;
        d->detail_num = pref;
        return true;
    }
    d->outcome = DNS_LITERAL;
    d->addr_count = 1;
    d->addrs[0].family = family;
    snprintf(d->addrs[0].address, sizeof d->addrs[0].address, "%s", host);
    return true;
}

static bool resolver_configured(void)
{
    FILE *f = fopen("/etc/resolv.conf", "r");
    bool yes = dns_has_nameserver(f);
    if (f != NULL)
        fclose(f);
    return yes;
}

/* -4/-6 found nothing: asks again for every family within timeout_ms, so
 * that a name with only the other family's addresses is not reported as
 * missing.  Sets DNS_NO_FAMILY and says what the other family has. */
static void other_family(struct ev_dns *d, const char *host, int pref, double timeout_ms)
{
    struct lookup *lk = timeout_ms > 0 ? lookup_start(host, AF_UNSPEC) : NULL;
    struct ev_dns other = {.outcome = DNS_OK};
    char list[160];
    if (lk == NULL)
        return; /* best effort: the first answer stands */
    if (lookup_wait(lk, timeout_ms) && lk->rc == 0)
        for (const struct addrinfo *ai = lk->res; ai != NULL; ai = ai->ai_next)
            add_address(&other, ai->ai_addr);
    lookup_unref(lk);
    if (other.addr_count == 0)
        return;
    stage_text_addresses(&other, list, sizeof list);
    d->outcome = DNS_NO_FAMILY;
    d->detail_kind = DNS_DETAIL_NO_FAMILY;
    d->detail_num = pref;
    snprintf(d->detail_arg, sizeof d->detail_arg, "%s", list);
}

/* Runs the lookup with a deadline and fills d. */
static void resolve(struct ev_dns *d, const char *host, int pref, double timeout_ms)
{
    double start = clock_ms_f();
    struct lookup *lk = lookup_start(host, hints_family(pref));
    if (lk == NULL) {
        d->outcome = DNS_OTHER_FAILURE;
        d->detail_kind = DNS_DETAIL_NO_RESOURCES;
        return;
    }
    bool done = lookup_wait(lk, timeout_ms);
    /* The thread no longer writes once done is set; reading is safe. */
    int rc = done ? lk->rc : 0;
    d->outcome = dns_classify(rc, !done, resolver_configured());
    /* The resolver's own words are kept as they are (libc's, not ours). */
    d->detail_kind = !done ? DNS_DETAIL_TIMEOUT : rc != 0 ? DNS_DETAIL_RESOLVER : DNS_DETAIL_NONE;
    d->detail_num = !done ? (int)(timeout_ms + 0.5) : 0;
    if (done && rc == EAI_SYSTEM)
        snprintf(d->detail_arg, sizeof d->detail_arg, "%s", strerror(lk->sys_errno));
    else if (done && rc != 0)
        snprintf(d->detail_arg, sizeof d->detail_arg, "%s", gai_strerror(rc));
    for (const struct addrinfo *ai = done && rc == 0 ? lk->res : NULL; ai != NULL; ai = ai->ai_next)
        add_address(d, ai->ai_addr);
    lookup_unref(lk);
    if (pref != 0 && done && (rc == EAI_NODATA || rc == EAI_NONAME))
        other_family(d, host, pref, timeout_ms - (clock_ms_f() - start));
}

void stage_dns_run(struct evidence *ev, const struct probe_opts *o)
{
    double start = clock_ms_f();
    struct ev_dns *d = &ev->dns;
    const char *host = o->host != NULL ? o->host : "", *why = NULL;
    memset(d, 0, sizeof *d);
    if (!literal(d, host, o->family, &why))
        resolve(d, host, o->family, o->timeout_ms);
    stage_text_dns_detail(ev, d->detail, sizeof d->detail);
    bool ok = d->outcome == DNS_LITERAL || (d->outcome == DNS_OK && d->addr_count > 0);
    stageio_done(ev, STAGE_DNS, ok ? STATUS_PASS : STATUS_FAIL, start, 0);
}
