/*
 * runner.c - the runner.
 *
 * Order: dns, local (so the local stage learns the source address the
 * kernel picks for a resolved name too; its line still comes first), then
 * icmp in its own thread while tcp, app and echo
 * run in this one (ICMP is slow to time out and never decides a verdict on
 * its own, so it must not delay the rest).  Which stage is pointless after
 * which is one table, skip_rules[].
 */
#include "netprobe/stages/runner.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/limits.h"
#include "netprobe/stages/stage_text.h"

typedef void (*stage_fn)(struct evidence *ev, const struct probe_opts *o);

static const stage_fn stage_fns[STAGE_COUNT] = {
    [STAGE_LOCAL] = stage_host_setup_run, [STAGE_DNS] = stage_dns_run,
    [STAGE_ICMP] = stage_icmp_run,        [STAGE_TCP] = stage_tcp_run,
    [STAGE_APP] = stage_app_run,          [STAGE_ECHO] = stage_echo_run,
};

static const size_t default_sizes[] = {16, 1024, 1400, 4096, 16384, 65536};

void runner_opts_defaults(struct probe_opts *o)
{
    memset(o, 0, sizeof *o);
    o->port = CHAT_DEFAULT_PORT;
    o->timeout_ms = STAGE_TIMEOUT_MS_DEFAULT;
    o->size_count = sizeof default_sizes / sizeof default_sizes[0];
    memcpy(o->sizes, default_sizes, sizeof default_sizes);
}

/* ---- When a stage is pointless ------------------------------------------- */

static bool no_icmp(const struct evidence *ev, const struct probe_opts *o)
{
    (void)ev;
    return o->no_icmp;
}

static bool dns_failed(const struct evidence *ev, const struct probe_opts *o)
{
    (void)o;
    return ev->dns.outcome != DNS_LITERAL && ev->dns.outcome != DNS_OK;
}

static bool no_address(const struct evidence *ev, const struct probe_opts *o)
{
    (void)o;
    return ev->dns.addr_count == 0;
}

static bool not_connected(const struct evidence *ev, const struct probe_opts *o)
{
    (void)o;
    int c = ev->tcp.chosen;
    return c < 0 || (size_t)c >= ev->tcp.attempt_count ||
           ev->tcp.attempts[c].state != TCP_STATE_OPEN;
}

static bool not_chatd(const struct evidence *ev, const struct probe_opts *o)
{
    (void)o;
    return ev->app.outcome != APP_CHATD;
}

static bool no_sizes(const struct evidence *ev, const struct probe_opts *o)
{
    (void)ev;
    return o->size_count == 0;
}

struct skip_rule {
    enum stage_id stage;
    bool (*pointless)(const struct evidence *ev, const struct probe_opts *o);
    enum stage_skip reason; /* its words are in stage_text.c */
};

/* The first row that holds for a stage skips it with that reason. */
static const struct skip_rule skip_rules[] = {
    {STAGE_ICMP, no_icmp, SKIP_NO_ICMP_OPTION},
    {STAGE_ICMP, dns_failed, SKIP_DNS_FAILED},
    {STAGE_ICMP, no_address, SKIP_NO_PING_ADDRESS},
    {STAGE_TCP, dns_failed, SKIP_DNS_FAILED},
    {STAGE_TCP, no_address, SKIP_NO_TCP_ADDRESS},
    {STAGE_APP, dns_failed, SKIP_DNS_FAILED},
    {STAGE_APP, not_connected, SKIP_NOT_CONNECTED},
    {STAGE_ECHO, dns_failed, SKIP_DNS_FAILED},
    {STAGE_ECHO, not_connected, SKIP_NOT_CONNECTED},
    {STAGE_ECHO, not_chatd, SKIP_NOT_CHATD},
    {STAGE_ECHO, no_sizes, SKIP_NO_SIZES},
};

static enum stage_skip skip_reason(const struct evidence *ev, const struct probe_opts *o,
                                   enum stage_id id)
{
    for (size_t i = 0; i < sizeof skip_rules / sizeof skip_rules[0]; i++)
        if (skip_rules[i].stage == id && skip_rules[i].pointless(ev, o))
            return skip_rules[i].reason;
    return SKIP_NONE;
}

/* ---- Running ------------------------------------------------------------ */

struct runner_run {
    struct evidence *ev;
    const struct probe_opts *o;
    runner_stage_done_fn done;
    void *arg;
    pthread_mutex_t lock; /* serialises calls to done */
};

/* Runs or skips stage id and times it, without reporting it. */
static void exec_stage(struct runner_run *r, enum stage_id id)
{
    struct stage_result *res = &r->ev->stages[id];
    enum stage_skip why = skip_reason(r->ev, r->o, id);
    double start = clock_ms_f();
    if (why != SKIP_NONE) {
        res->status = STATUS_SKIP;
        res->skip = why;
        res->err = 0;
        stage_text_fill(r->ev, id, res);
    } else {
        stage_fns[id](r->ev, r->o);
    }
    double took = clock_ms_f() - start;
    res->duration_ms = took > 0 ? took : 0;
}

static void report_stage(struct runner_run *r, enum stage_id id)
{
    if (r->done == NULL)
        return;
    pthread_mutex_lock(&r->lock);
    r->done(r->ev, id, r->arg);
    pthread_mutex_unlock(&r->lock);
}

/* Runs or skips stage id, times it, and reports it. */
static void run_stage(struct runner_run *r, enum stage_id id)
{
    exec_stage(r, id);
    report_stage(r, id);
}

static void *icmp_thread(void *arg)
{
    run_stage(arg, STAGE_ICMP);
    return NULL;
}

void runner_run(struct evidence *ev, const struct probe_opts *o, runner_stage_done_fn done,
                void *arg)
{
    runner_run_hooked(ev, o, done, arg, NULL);
}

void runner_run_hooked(struct evidence *ev, const struct probe_opts *o, runner_stage_done_fn done,
                       void *arg, const struct runner_hooks *hooks)
{
    struct runner_run r = {.ev = ev, .o = o, .done = done, .arg = arg};
    pthread_mutex_init(&r.lock, NULL);
    ev->family_pref = o->family;
    ev->timeout_ms = o->timeout_ms;

    exec_stage(&r, STAGE_DNS);
    exec_stage(&r, STAGE_LOCAL);
    report_stage(&r, STAGE_LOCAL);
    report_stage(&r, STAGE_DNS);
    pthread_t icmp;
    /* The hooks bracket icmp too: a capture started before the pings and
     * stopped after their replies sees the target's echo replies, whose TTL
     * is its reference for a reset's (capture.h). */
    if (hooks != NULL && hooks->before_tcp != NULL)
        hooks->before_tcp(ev, hooks->arg);
    /* Best effort: without a thread, icmp simply runs after the others. */
    bool threaded = pthread_create(&icmp, NULL, icmp_thread, &r) == 0;
    run_stage(&r, STAGE_TCP);
    run_stage(&r, STAGE_APP);
    run_stage(&r, STAGE_ECHO);
    if (threaded)
        pthread_join(icmp, NULL);
    else
        run_stage(&r, STAGE_ICMP);
    if (hooks != NULL && hooks->after_echo != NULL)
        hooks->after_echo(ev, hooks->arg);
    pthread_mutex_destroy(&r.lock);
}
