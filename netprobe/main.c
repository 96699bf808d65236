/*
 * netprobe - staged checks from this machine to a chatd, ending in one
 * verdict that names the fault and what to do about it.
 *
 * main() parses the options and wires the modules: probe (the stages),
 * verdict (the rules), output (for people), report (JSON), redact.
 * Exit status: 0 verdict ok, 1 a fault was found, 2 usage error,
 * 3 netprobe itself failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/limits.h"
#include "common/log.h"
#include "netprobe/output.h"
#include "netprobe/probe.h"
#include "netprobe/redact.h"
#include "netprobe/report.h"
#include "netprobe/verdict.h"

enum exit_status { EXIT_OK = 0, EXIT_FAULT = 1, EXIT_USAGE = 2, EXIT_FAILED = 3 };

static const char usage_text[] =
    "usage: netprobe [options] HOST [PORT]\n"
    "\n"
    "Checks the way from this machine to a chatd on HOST (PORT defaults to 8888)\n"
    "stage by stage, and ends with one verdict: what is wrong and what to do.\n"
    "\n"
    "  --json FILE    also write the JSON report to FILE (\"-\": print only the\n"
    "                 report, on standard output)\n"
    "  --timeout SEC  bound for each network stage (default 1.5)\n"
    "  -4, -6         use only IPv4 / only IPv6 addresses\n"
    "  --no-icmp      do not ping\n"
    "  --sizes LIST   echo payload sizes in bytes, comma-separated\n"
    "                 (default 16,1024,1400,4096,16384,65536)\n"
    "  --redact       replace this machine's private addresses, host name and\n"
    "                 MAC addresses with placeholders, for sharing the output\n"
    "  --quiet        print only the verdict line\n"
    "  --help         this text\n"
    "  --version      netprobe's version\n"
    "\n"
    "Exit status: 0 verdict ok, 1 a fault was found, 2 usage error,\n"
    "3 netprobe itself failed.  The guide: docs/troubleshooting.md\n";

struct cli {
    struct probe_opts probe;
    const char *json_path; /* NULL: no report file */
    bool redact, quiet, help, version;
    char error[512]; /* the first usage error, "" if none */
};

/* Keeps only the first usage error: it is the one to fix first. */
__attribute__((format(printf, 2, 3))) static void usage_error(struct cli *c, const char *fmt, ...)
{
    if (c->error[0] != '\0')
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->error, sizeof c->error, fmt, ap);
    va_end(ap);
}

static void parse_port(struct cli *c, const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < 1 || v > 65535)
        usage_error(c, "invalid port \"%s\": give a number from 1 to 65535", s);
    else
        c->probe.port = (int)v;
}

static void parse_timeout(struct cli *c, const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v <= 0 ||
        v > PROBE_TIMEOUT_SEC_MAX)
        usage_error(c, "invalid --timeout \"%s\": give seconds, more than 0 and at most %d", s,
                    PROBE_TIMEOUT_SEC_MAX);
    else
        c->probe.timeout_ms = v * 1000.0;
}

/* One size of a --sizes list: digits only, 1..HELLO_ECHO_MAX. */
static bool parse_size(const char *s, size_t len, size_t *out)
{
    if (len == 0 || len > 8)
        return false;
    size_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (size_t)(s[i] - '0');
    }
    *out = v;
    return v >= 1 && v <= HELLO_ECHO_MAX;
}

static void parse_sizes(struct cli *c, const char *list)
{
    size_t n = 0;
    for (const char *p = list;; p++) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        if (n == EV_SIZES_MAX) {
            usage_error(c, "invalid --sizes \"%s\": at most %d sizes", list, EV_SIZES_MAX);
            return;
        }
        if (!parse_size(p, len, &c->probe.sizes[n++])) {
            usage_error(c,
                        "invalid --sizes \"%s\": give sizes in bytes from 1 to %d, separated by "
                        "commas",
                        list, HELLO_ECHO_MAX);
            return;
        }
        if (comma == NULL)
            break;
        p = comma;
    }
    c->probe.size_count = n;
}

static void parse_family(struct cli *c, int family)
{
    if (c->probe.family != 0 && c->probe.family != family)
        usage_error(c, "-4 and -6 exclude each other: give at most one");
    c->probe.family = family;
}

/* -4 with an IPv6 literal (or -6 with IPv4) can never connect: say so
 * now instead of blaming the name. */
static void check_family(struct cli *c)
{
    unsigned char buf[sizeof(struct in6_addr)];
    const char *h = c->probe.host;
    if (h == NULL || c->probe.family == 0)
        return;
    bool v4 = inet_pton(AF_INET, h, buf) == 1, v6 = inet_pton(AF_INET6, h, buf) == 1;
    if ((c->probe.family == 4 && v6) || (c->probe.family == 6 && v4))
        usage_error(c, "-%d was given but \"%s\" is an IPv%d address: drop -%d", c->probe.family, h,
                    v4 ? 4 : 6, c->probe.family);
}

static const struct option long_options[] = {
    {"json", required_argument, NULL, 'j'},
    {"timeout", required_argument, NULL, 't'},
    {"no-icmp", no_argument, NULL, 'I'},
    {"sizes", required_argument, NULL, 's'},
    {"redact", no_argument, NULL, 'r'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* One option; every bad value goes to usage_error() and parsing goes on,
 * so --json is known even when an earlier option was wrong. */
static void parse_option(struct cli *c, int opt, const char *arg, const char *word)
{
    switch (opt) {
    case 'j':
        c->json_path = arg;
        break;
    case 't':
        parse_timeout(c, arg);
        break;
    case 'I':
        c->probe.no_icmp = true;
        break;
    case 's':
        parse_sizes(c, arg);
        break;
    case 'r':
        c->redact = true;
        break;
    case 'q':
        c->quiet = true;
        break;
    case 'h':
        c->help = true;
        break;
    case 'V':
        c->version = true;
        break;
    case '4':
        parse_family(c, 4);
        break;
    case '6':
        parse_family(c, 6);
        break;
    case ':':
        usage_error(c, "option %s needs a value", word);
        break;
    default:
        usage_error(c, "unknown option %s", word);
        break;
    }
}

static void cli_parse(struct cli *c, int argc, char *argv[])
{
    memset(c, 0, sizeof *c);
    probe_opts_defaults(&c->probe);
    opterr = 0; /* our own messages, through usage_error() */
    int opt;
    while ((opt = getopt_long(argc, argv, ":46hqV", long_options, NULL)) != -1)
        parse_option(c, opt, optarg, argv[optind - 1]);
    int left = argc - optind;
    if (left < 1)
        usage_error(c, "missing HOST: give the server's name or address, e.g. netprobe "
                       "203.0.113.10 8888");
    else if (left > 2)
        usage_error(c, "too many arguments after HOST and PORT: \"%s\"", argv[optind + 2]);
    if (left >= 1 && (argv[optind][0] == '\0' || strlen(argv[optind]) > 253))
        usage_error(c, "invalid HOST \"%.64s\": give a name or address of 1 to 253 characters",
                    argv[optind]);
    else if (left >= 1)
        c->probe.host = argv[optind];
    if (left >= 2)
        parse_port(c, argv[optind + 1]);
    check_family(c);
}

/* ---- One run -------------------------------------------------------------- */

struct run {
    struct cli *cli;
    struct evidence ev;
    struct verdict verdict;
    struct redact redact;
    struct output out;
    char started_at[REPORT_TIME_MAX];
    char *command;
    /* For an interrupted run: the stages finished so far, copied when each
     * finishes (ev itself is being written by the stages). */
    pthread_mutex_t lock; /* guards reached, redact and the output */
    struct evidence reached;
    sigset_t stop_signals;
};

/* Where each stage keeps its evidence inside struct evidence. */
static const struct {
    size_t offset, size;
} stage_sections[STAGE_COUNT] = {
    [STAGE_LOCAL] = {offsetof(struct evidence, local), sizeof(struct ev_local)},
    [STAGE_DNS] = {offsetof(struct evidence, dns), sizeof(struct ev_dns)},
    [STAGE_ICMP] = {offsetof(struct evidence, icmp), sizeof(struct ev_icmp)},
    [STAGE_TCP] = {offsetof(struct evidence, tcp), sizeof(struct ev_tcp)},
    [STAGE_APP] = {offsetof(struct evidence, app), sizeof(struct ev_app)},
    [STAGE_ECHO] = {offsetof(struct evidence, echo), sizeof(struct ev_echo)},
};

static void on_stage(const struct evidence *ev, enum stage_id id, void *arg)
{
    struct run *r = arg;
    pthread_mutex_lock(&r->lock);
    r->reached.stages[id] = ev->stages[id];
    memcpy((char *)&r->reached + stage_sections[id].offset,
           (const char *)ev + stage_sections[id].offset, stage_sections[id].size);
    /* The local stage found the secrets; every later line needs them. */
    if (id == STAGE_LOCAL && r->cli->redact)
        redact_init(&r->redact, ev);
    output_stage(&r->out, ev, id);
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
        .verdict = error == NULL ? &r->verdict : NULL,
        .command = r->command != NULL ? r->command : "netprobe",
        .started_at = r->started_at,
        .error = error,
        .redact = r->cli->redact ? &r->redact : NULL,
    };
    char *text = report_render(&in);
    char err[512];
    if (text == NULL) {
        errorf("cannot build the JSON report: out of memory");
        return EXIT_FAILED;
    }
    int rc = report_write(r->cli->json_path, text, err, sizeof err);
    free(text);
    if (rc < 0) {
        errorf("%s; check the path given to --json", err);
        return EXIT_FAILED;
    }
    return status;
}

static int fail_usage(struct run *r)
{
    errorf("%s", r->cli->error);
    fprintf(stderr, "Try 'netprobe --help' for the options.\n");
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
        errorf("cannot write the report to %s: %s; check the path given to --json", path,
               strerror(errno));
        return -1;
    }
    return 0;
}

static int probe_and_report(struct run *r)
{
    struct cli *c = r->cli;
    if (check_report_path(c->json_path) < 0)
        return EXIT_FAILED;
    evidence_init(&r->ev, c->probe.host, c->probe.port);
    r->reached = r->ev;
    r->reached.timeout_ms = c->probe.timeout_ms;
    probe_run(&r->ev, &c->probe, on_stage, r);
    /* From here an interrupt waits for the real report; the process ends
     * holding the lock, so the interrupt's report never replaces it. */
    pthread_mutex_lock(&r->lock);
    if (c->redact)
        redact_init(&r->redact, &r->ev); /* now with what later stages saw */
    verdict_decide(&r->ev, &r->verdict);
    if (r->verdict.code == VERDICT_NONE) {
        const char *why = "netprobe has no verdict for what the stages saw; attach the JSON "
                          "report (--json FILE) to a bug report";
        errorf("%s", why);
        return write_report(r, &r->ev, why, EXIT_FAILED);
    }
    int status = write_report(r, &r->ev, NULL, verdict_exit_status(r->verdict.code));
    bool to_stdout = c->json_path != NULL && strcmp(c->json_path, "-") == 0;
    if (!to_stdout)
        output_verdict(&r->out, &r->ev, &r->verdict, status == EXIT_FAILED ? NULL : c->json_path);
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
    snprintf(why, sizeof why, "interrupted by %s before the verdict; run netprobe again",
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
    sigaddset(&r->stop_signals, SIGINT);
    sigaddset(&r->stop_signals, SIGTERM);
    if (pthread_sigmask(SIG_BLOCK, &r->stop_signals, NULL) != 0)
        return;
    if (pthread_create(&t, NULL, stop_thread, r) != 0 || pthread_detach(t) != 0)
        pthread_sigmask(SIG_UNBLOCK, &r->stop_signals, NULL);
}

static bool want_color(void)
{
    const char *term = getenv("TERM");
    return isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL &&
           (term == NULL || strcmp(term, "dumb") != 0);
}

int main(int argc, char *argv[])
{
    static struct cli cli;
    static struct run run; /* large: keep it off the stack */
    log_init("netprobe");
    signal(SIGPIPE, SIG_IGN); /* a closed socket or pipe is an error, not death */
    report_timestamp(run.started_at);
    run.command = report_command(argc, argv);
    cli_parse(&cli, argc, argv);
    run.cli = &cli;
    if (cli.help || cli.version) {
        fputs(cli.help ? usage_text : "netprobe " CHAT_VERSION "\n", stdout);
        free(run.command);
        return EXIT_OK;
    }
    bool json_stdout = cli.json_path != NULL && strcmp(cli.json_path, "-") == 0;
    run.out = (struct output){
        .out = stdout,
        .color = want_color(),
        .quiet = cli.quiet || json_stdout,
        .redact = cli.redact ? &run.redact : NULL,
    };
    int status;
    if (cli.error[0] != '\0') {
        evidence_init(&run.ev, cli.probe.host, cli.probe.port);
        run.ev.timeout_ms = cli.probe.timeout_ms;
        status = fail_usage(&run);
    } else {
        pthread_mutex_init(&run.lock, NULL);
        stop_signals_start(&run);
        status = probe_and_report(&run);
    }
    free(run.command);
    return status;
}
