/*
 * modes - netprobe's runs (modes.h): the client probe and its --capture and
 * --trace hooks, --local, --watch, the report each writes, and the thread
 * that turns Ctrl-C or SIGTERM into an interrupted report.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/log.h"
#include "netprobe/corroborate.h"
#include "netprobe/modes.h"
#include "netprobe/report_summary.h"
#include "netprobe/show.h"
#include "netprobe/summary.h"
#include "netprobe/relay.h"
#include "netprobe/server/imds.h"
#include "netprobe/server/local_check.h"
#include "netprobe/server/watch.h"
#include "netprobe/stages/runner.h"
#include "netprobe/wire/trace.h"

#define WATCH_DURATION_DEFAULT_S 30.0

/* Prints the finished stages that are next in the list's order: a stage
 * that ends early (tcp while icmp still pings) waits for the ones before
 * it, so the lines come in the same order on every run, the report's. */
static void print_stages_in_order(struct run *r)
{
    while (r->stages_printed < STAGE_COUNT &&
           r->reached.stages[r->stages_printed].status != STATUS_NOT_RUN)
        output_stage(&r->out, &r->reached, (enum stage_id)r->stages_printed++);
}

static void on_stage(const struct evidence *ev, enum stage_id id, void *arg)
{
    struct run *r = arg;
    pthread_mutex_lock(&r->lock);
    evidence_copy_stage(&r->reached, ev, id);
    /* The local stage found the secrets; every later line needs them. */
    if (id == STAGE_LOCAL && r->cli->redact)
        redact_init(&r->redact, ev);
    print_stages_in_order(r);
    pthread_mutex_unlock(&r->lock);
}

/* Writes the report of ev if one was asked for; error is NULL after a
 * verdict.  Returns status, or EXIT_FAILED if it could not be written. */
static int write_report(struct run *r, const struct evidence *ev, const char *error, int status)
{
    if (r->cli->json_path == NULL)
        return status;
    struct report_input in = {
        .ev = ev,
        .verdict = error == NULL && r->cli->mode == MODE_CLIENT ? &r->verdict : NULL,
        .command = r->command != NULL ? r->command : "netprobe",
        .label = r->cli->label,
        .started_at = r->started_at,
        .error = error,
        .redact = r->cli->redact ? &r->redact : NULL,
        /* Only a usage error of --show or --summary gets here in those
         * modes; the report of it is a client report (no stages). */
        .mode = r->cli->mode <= MODE_WATCH ? cli_mode_name(r->cli->mode) : "client",
        .capture = r->capture,
        .trace = r->trace,
        .local = r->local,
        .watch = r->watch,
    };
    char *text = report_render(&in);
    char err[512];
    if (text == NULL) {
        errorf("%s", _("cannot build the JSON report: out of memory"));
        return EXIT_FAILED;
    }
    int rc = report_write(r->cli->json_path, text, err, sizeof err);
    free(text);
    if (rc < 0) {
        errorf(_("%s; check the path given to --json"), err);
        return EXIT_FAILED;
    }
    return status;
}

int modes_usage_error(struct run *r)
{
    evidence_init(&r->ev, r->cli->probe.host, r->cli->probe.port);
    r->ev.timeout_ms = r->cli->probe.timeout_ms;
    errorf("%s", r->cli->error);
    fprintf(stderr, "%s\n", _("Try 'netprobe --help' for the options."));
    return write_report(r, &r->ev, r->cli->error, EXIT_USAGE);
}

/* An unwritable --json path is found before the probe, not after it.
 * Appending creates the file without losing anything yet. */
static int check_report_path(const char *path)
{
    if (path == NULL || strcmp(path, "-") == 0)
        return 0;
    FILE *f = fopen(path, "a");
    if (f == NULL || fclose(f) != 0) {
        errorf(_("cannot write the report to %s: %s; check the path given to --json"), path,
               strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- --capture ------------------------------------------------------------ */

/* The address the capture watches: the first one of the family asked for
 * (the tcp stage tries them in this order too). */
static const char *capture_target(const struct evidence *ev)
{
    for (size_t i = 0; i < ev->dns.addr_count && i < EV_ADDRS_MAX; i++) {
        int fam = ev->dns.addrs[i].family;
        if (ev->family_pref == 0 || (ev->family_pref == 4 && fam == AF_INET) ||
            (ev->family_pref == 6 && fam == AF_INET6))
            return ev->dns.addrs[i].address;
    }
    return NULL;
}

/* Hook before the tcp stage.  A capture that cannot start is a skip with
 * the reason, never a failure of the probe. */
static void capture_begin(struct evidence *ev, void *arg)
{
    struct run *r = arg;
    const char *target = capture_target(ev);
    capture_summary_init(&r->cap_sum);
    if (target == NULL) {
        snprintf(r->cap_sum.skip_reason, sizeof r->cap_sum.skip_reason, "%s",
                 _("no address to capture for: the name did not resolve"));
        return;
    }
    struct capture_opts o = {target, ev->port, NULL, r->cli->pcap_path};
    if (capture_start(&o, &r->cap, &r->cap_sum) != 0)
        r->cap = NULL;
}

/* Copies what the verdict needs from the capture summary. */
static void capture_evidence(struct ev_capture *e, const struct capture_summary *s)
{
    memset(e, 0, sizeof *e);
    e->run = s->ran;
    e->syns_sent = s->syns_sent;
    e->syn_retransmits = s->syn_retransmits;
    e->synacks = s->synacks;
    e->synack_mss = s->synack_mss;
    e->resets = s->resets;
    e->icmp_errors = s->icmp_errors;
    e->first_icmp = s->first_icmp;
    e->retransmits = s->retransmits;
    e->forged_reset = s->forged_reset;
    e->synack_ttl = s->synack_ttl;
    e->reset_ttl = s->reset_ttl;
    e->reset_compared = s->reset_compared_with != NULL && s->reset_compared_with[0] != '\0';
    snprintf(e->forged_detail, sizeof e->forged_detail, "%s", s->forged_detail);
}

/* Hook after the echo stage: stops the capture and keeps its summary. */
static void capture_end(struct evidence *ev, void *arg)
{
    struct run *r = arg;
    /* The icmp stage has ended (stages/runner.h): its echo reply TTL is the
     * target's own, a reference for a reset's. */
    r->cap_sum.ref_ttl = ev->icmp.reply_ttl > 0 ? ev->icmp.reply_ttl : -1;
    if (r->cap != NULL)
        capture_stop(r->cap, &r->cap_sum);
    r->cap = NULL;
    capture_evidence(&ev->capture, &r->cap_sum);
    pthread_mutex_lock(&r->lock);
    r->capture = &r->cap_sum;
    if (!r->cap_sum.ran)
        output_capture_skipped(&r->out, r->cap_sum.skip_reason);
    pthread_mutex_unlock(&r->lock);
}

/* ---- --trace ---------------------------------------------------------------- */

/* The address to trace: the connection later stages used, else the first
 * attempt, else the first resolved address. */
static const char *trace_target(const struct evidence *ev)
{
    int c = ev->tcp.chosen;
    if (c >= 0 && (size_t)c < ev->tcp.attempt_count)
        return ev->tcp.attempts[c].target.address;
    if (ev->tcp.attempt_count > 0)
        return ev->tcp.attempts[0].target.address;
    return capture_target(ev);
}

static void run_trace(struct run *r)
{
    struct evidence *ev = &r->ev;
    const char *target = trace_target(ev);
    struct trace_result *tr = &r->trace_result;
    if (target == NULL)
        return;
    /* Without this machine's interfaces nothing says the target is off
     * the link, and no answer is called the relay's. */
    bool off_link = ev->local.iface_count > 0 && !relay_target_on_link(ev, target);
    struct trace_opts o = {target, ev->port, 0, (int)r->cli->probe.timeout_ms, off_link};
    trace_run(&o, tr);
    struct ev_trace *t = &ev->trace;
    t->run = true;
    t->reached = tr->reached;
    t->last_answer_hop = tr->last_answer_ttl;
    snprintf(t->last_answer_from, sizeof t->last_answer_from, "%s", tr->last_answer_from);
    snprintf(t->target, sizeof t->target, "%s", target);
    t->relay_answered = strcmp(tr->ended, "relay") == 0;
    /* A TTL the target itself sent says how far away it is. */
    const struct capture_summary *s = &r->cap_sum;
    int ttl = !s->ran || t->relay_answered ? -1
              : s->synack_ttl > 0          ? s->synack_ttl
              : s->target_icmp_ttl > 0     ? s->target_icmp_ttl
              : !s->forged_reset           ? s->reset_ttl
                                           : -1;
    t->target_hops_guess = verdict_hops_from_ttl(ttl);
    pthread_mutex_lock(&r->lock);
    r->trace = tr;
    output_trace(&r->out, tr);
    pthread_mutex_unlock(&r->lock);
}

/* ---- The client run ------------------------------------------------------- */

static int probe_and_report(struct run *r)
{
    struct cli *c = r->cli;
    if (check_report_path(c->json_path) < 0)
        return EXIT_FAILED;
    evidence_init(&r->ev, c->probe.host, c->probe.port);
    r->reached = r->ev;
    r->reached.timeout_ms = c->probe.timeout_ms;
    struct runner_hooks hooks = {capture_begin, capture_end, r};
    runner_run_hooked(&r->ev, &c->probe, on_stage, r, c->capture ? &hooks : NULL);
    if (c->trace)
        run_trace(r);
    /* From here an interrupt waits for the real report; the process ends
     * holding the lock, so the interrupt's report never replaces it. */
    pthread_mutex_lock(&r->lock);
    if (c->redact)
        redact_init(&r->redact, &r->ev); /* now with what later stages saw */
    verdict_decide(&r->ev, &r->verdict);
    corroborate(&r->ev, &r->verdict);
    if (r->verdict.code == VERDICT_NONE) {
        const char *why = _("netprobe has no verdict for what the stages saw; attach the JSON "
                            "report (--json FILE) to a bug report");
        errorf("%s", why);
        return write_report(r, &r->ev, why, EXIT_FAILED);
    }
    int status = write_report(r, &r->ev, NULL, verdict_exit_status(r->verdict.code));
    bool to_stdout = c->json_path != NULL && strcmp(c->json_path, "-") == 0;
    if (!to_stdout)
        output_verdict(&r->out, &r->ev, &r->verdict, status == EXIT_FAILED ? NULL : c->json_path);
    return status;
}

/* ---- --local and --watch (on the server) ------------------------------------ */

static int local_and_report(struct run *r)
{
    struct cli *c = r->cli;
    if (check_report_path(c->json_path) < 0)
        return EXIT_FAILED;
    /* NETPROBE_IMDS=off keeps netprobe from asking the metadata service
     * (the tests set it: they must not reach 169.254.169.254 from here). */
    const char *imds = getenv("NETPROBE_IMDS");
    struct server_opts o = {.port = c->probe.port,
                            .public_addr = c->public_addr,
                            .imds_addr =
                                imds != NULL && strcmp(imds, "off") == 0 ? NULL : IMDS_ADDRESS,
                            .imds_port = IMDS_PORT,
                            .timeout_ms = (int)c->probe.timeout_ms};
    local_check_run(&o, &r->local_result);
    pthread_mutex_lock(&r->lock);
    r->local = &r->local_result;
    int status =
        write_report(r, &r->ev, NULL, r->local->verdict == SERVER_LOCAL_OK ? EXIT_OK : EXIT_FAULT);
    if (!cli_json_to_stdout(c))
        output_local(&r->out, r->local);
    return status;
}

/* The "watching" line, printed once packets are really being counted:
 * scripts start the client after it. */
static void say_watching(const struct watch_opts *o)
{
    printf(_("watching TCP port %d on %s for %.0f s (Ctrl-C ends it early)...\n"), o->port,
           o->iface != NULL ? o->iface : _("every interface"), o->duration_s);
    fflush(stdout);
}

static int watch_and_report(struct run *r)
{
    struct cli *c = r->cli;
    if (check_report_path(c->json_path) < 0)
        return EXIT_FAILED;
    struct watch_opts o = {.port = c->probe.port,
                           .duration_s =
                               c->duration_s > 0 ? c->duration_s : WATCH_DURATION_DEFAULT_S,
                           .iface = c->iface,
                           .expect_from = c->from};
    bool interrupted = false;
    char why[512] = "";
    if (!c->quiet && !cli_json_to_stdout(c))
        o.on_ready = say_watching;
    int rc = watch_run(&o, &r->watch_table, &interrupted, why, sizeof why);
    pthread_mutex_lock(&r->lock);
    if (rc != 0) {
        char msg[640];
        snprintf(msg, sizeof msg,
                 rc == 1 ? _("cannot watch TCP port %d: %s; run netprobe --watch with sudo (it "
                             "needs root or CAP_NET_RAW)")
                         : _("cannot watch TCP port %d: %s"),
                 o.port, why[0] ? why : _("the capture failed"));
        errorf("%s", msg);
        return write_report(r, &r->ev, msg, EXIT_FAILED);
    }
    r->watch_opts = o;
    r->watch_result = (struct watch_report){&r->watch_table, &r->watch_opts, interrupted};
    r->watch = &r->watch_result;
    int status = write_report(r, &r->ev, NULL, EXIT_OK);
    if (!cli_json_to_stdout(c))
        output_watch(&r->out, r->watch);
    return status;
}

/* ---- --show and --summary (reading saved reports) ---------------------------- */

static int show_run(struct run *r)
{
    return show_report(r->cli->show_path, &r->out);
}

/* Exit 0 when every file was a report, 1 when some were listed as not
 * reports (a script sees it), 3 when memory or the --json file failed. */
static int summary_run(struct run *r)
{
    struct summary s;
    char err[512];
    int status = EXIT_OK;
    if (summary_collect(r->cli->paths, r->cli->path_count, &s) < 0) {
        errorf("%s", _("cannot summarise the reports: out of memory"));
        summary_free(&s);
        return EXIT_FAILED;
    }
    if (r->cli->json_path != NULL) {
        char *text = report_summary_render(&s);
        if (text == NULL || report_write(r->cli->json_path, text, err, sizeof err) < 0) {
            errorf(_("%s; check the path given to --json"),
                   text == NULL ? _("cannot build the JSON summary: out of memory") : err);
            status = EXIT_FAILED;
        }
        free(text);
    }
    if (!cli_json_to_stdout(r->cli))
        output_summary(&r->out, &s);
    if (status == EXIT_OK && s.not_reports > 0)
        status = EXIT_FAULT;
    summary_free(&s);
    return status;
}

/* Ctrl-C or SIGTERM during the probe still leaves a report: the stages
 * finished so far, with an error member.  Runs in its own thread
 * (sigwait), so it may take locks and write files. */
static void *stop_thread(void *arg)
{
    struct run *r = arg;
    int sig;
    if (sigwait(&r->stop_signals, &sig) != 0)
        return NULL;
    pthread_mutex_lock(&r->lock);
    char why[128];
    snprintf(why, sizeof why, _("interrupted by %s before the verdict; run netprobe again"),
             sig == SIGINT ? "Ctrl-C (SIGINT)" : "SIGTERM");
    fflush(stdout);
    errorf("%s", why);
    _exit(write_report(r, &r->reached, why, EXIT_FAILED));
}

/* Blocks SIGINT and SIGTERM in every thread but the one that waits for
 * them.  Best effort: without it an interrupt simply ends netprobe. */
static void stop_signals_start(struct run *r)
{
    pthread_t t;
    sigemptyset(&r->stop_signals);
    /* --watch ends early on Ctrl-C by design (watch_run handles SIGINT). */
    if (r->cli->mode != MODE_WATCH)
        sigaddset(&r->stop_signals, SIGINT);
    sigaddset(&r->stop_signals, SIGTERM);
    if (pthread_sigmask(SIG_BLOCK, &r->stop_signals, NULL) != 0)
        return;
    if (pthread_create(&t, NULL, stop_thread, r) != 0 || pthread_detach(t) != 0)
        pthread_sigmask(SIG_UNBLOCK, &r->stop_signals, NULL);
}

int modes_run(struct run *r)
{
    static int (*const mode_run[])(struct run *) = {
        [MODE_CLIENT] = probe_and_report, [MODE_LOCAL] = local_and_report,
        [MODE_WATCH] = watch_and_report,  [MODE_SHOW] = show_run,
        [MODE_SUMMARY] = summary_run,
    };
    const struct cli *c = r->cli;
    if (c->mode == MODE_SHOW || c->mode == MODE_SUMMARY)
        return mode_run[c->mode](r); /* no probe: no report to leave on Ctrl-C */
    if (c->mode != MODE_CLIENT) {
        evidence_init(&r->ev, "", c->probe.port);
        r->ev.timeout_ms = c->probe.timeout_ms;
        r->reached = r->ev; /* what an interrupt reports */
    }
    pthread_mutex_init(&r->lock, NULL);
    stop_signals_start(r);
    return mode_run[c->mode](r);
}

void modes_free(struct run *r)
{
    free(r->command);
}
