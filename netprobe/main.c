/*
 * netprobe - staged checks from this machine to a chatd, ending in one
 * verdict that names the fault and what to do about it.
 *
 * main() parses the options and wires the modules: probe (the stages),
 * verdict (the rules), output (for people), report (JSON), redact; and for
 * issue 5's modes capture (--capture, --pcap), trace (--trace),
 * server_check (--local) and watch (--watch).
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

#include "common/i18n.h"
#include "common/limits.h"
#include "common/log.h"
#include "netprobe/advice.h"
#include "netprobe/capture.h"
#include "netprobe/output.h"
#include "netprobe/probe.h"
#include "netprobe/redact.h"
#include "netprobe/report.h"
#include "netprobe/server_check.h"
#include "netprobe/trace.h"
#include "netprobe/verdict.h"
#include "netprobe/watch.h"

enum exit_status { EXIT_OK = 0, EXIT_FAULT = 1, EXIT_USAGE = 2, EXIT_FAILED = 3 };

/* TRANSLATORS: keep the option names, HOST, PORT, FILE and the codes as
   they are; only the explanations are for translating. */
static const char *const usage_text =
    N_("usage: netprobe [options] HOST [PORT]\n"
       "       netprobe --local [PORT] [--public ADDR] [--json FILE]\n"
       "       netprobe --watch [PORT] [--duration SEC] [--from ADDR] [--iface IF] [--json FILE]\n"
       "\n"
       "Checks the way from this machine to a chatd on HOST (PORT defaults to 8888)\n"
       "stage by stage, and ends with one verdict: what is wrong and what to do.\n"
       "\n"
       "  --capture      capture the probe's packets (root or CAP_NET_RAW) and say\n"
       "                 whether they confirm the verdict; skipped without permission\n"
       "  --pcap FILE    save the captured packet headers to FILE (implies --capture)\n"
       "  --trace        TCP traceroute to the port: where the packets stop\n"
       "  --local        on the server: is chatd listening on PORT on every address,\n"
       "                 and does this machine's firewall let it through?\n"
       "  --public ADDR  with --local: the public address clients dial\n"
       "  --watch        on the server: capture TCP PORT and tell, per source, whether\n"
       "                 its SYNs arrive and what this machine answers (root)\n"
       "  --duration SEC  with --watch: how long to watch, in seconds (default 30;\n"
       "                 Ctrl-C ends it early)\n"
       "  --from ADDR    with --watch: the client's public address to look for\n"
       "  --iface IF     with --watch: the interface to capture on (default: all)\n"
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
       "  --lang LANG    language of the messages and the report: es (Spanish) or\n"
       "                 en (English); the default follows LANG / LC_MESSAGES\n"
       "  --help         this text\n"
       "  --version      netprobe's version\n"
       "\n"
       "Exit status: 0 verdict ok (--local: local_ok; --watch: the watch ran),\n"
       "1 a fault was found, 2 usage error, 3 netprobe itself failed.\n"
       "The guide: docs/troubleshooting.md\n");

enum mode { MODE_CLIENT, MODE_LOCAL, MODE_WATCH };

static const char *const mode_names[] = {
    [MODE_CLIENT] = "client",
    [MODE_LOCAL] = "local",
    [MODE_WATCH] = "watch",
};

#define WATCH_DURATION_DEFAULT_S 30.0
#define WATCH_DURATION_MAX_S 3600

struct cli {
    struct probe_opts probe;
    const char *json_path; /* NULL: no report file */
    bool redact, quiet, help, version;
    enum mode mode;
    bool local, watch;     /* as given: both is a usage error */
    bool capture, trace;   /* --capture (or --pcap), --trace */
    const char *pcap_path; /* --pcap FILE */
    const char *public_addr, *from, *iface;
    double duration_s; /* --duration, 0 when not given */
    char error[512];   /* the first usage error, "" if none */
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
        usage_error(c, _("invalid port \"%s\": give a number from 1 to 65535"), s);
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
        usage_error(c, _("invalid --timeout \"%s\": give seconds, more than 0 and at most %d"), s,
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
            usage_error(c, _("invalid --sizes \"%s\": at most %d sizes"), list, EV_SIZES_MAX);
            return;
        }
        if (!parse_size(p, len, &c->probe.sizes[n++])) {
            usage_error(c,
                        _("invalid --sizes \"%s\": give sizes in bytes from 1 to %d, separated by "
                          "commas"),
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
        usage_error(c, _("-4 and -6 exclude each other: give at most one"));
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
        usage_error(c, _("-%d was given but \"%s\" is an IPv%d address: drop -%d"), c->probe.family,
                    h, v4 ? 4 : 6, c->probe.family);
}

/* An address option's value must be an IPv4 or IPv6 address. */
static const char *parse_addr(struct cli *c, const char *opt, const char *s)
{
    unsigned char buf[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, s, buf) != 1 && inet_pton(AF_INET6, s, buf) != 1)
        usage_error(c, _("invalid %s \"%.64s\": give an IPv4 or IPv6 address"), opt, s);
    return s;
}

static void parse_duration(struct cli *c, const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v <= 0 ||
        v > WATCH_DURATION_MAX_S)
        usage_error(c, _("invalid --duration \"%s\": give seconds, more than 0 and at most %d"), s,
                    WATCH_DURATION_MAX_S);
    else
        c->duration_s = v;
}

static void parse_iface(struct cli *c, const char *s)
{
    if (s[0] == '\0' || strlen(s) >= 16 || strchr(s, '/') != NULL)
        usage_error(c, _("invalid --iface \"%.64s\": give an interface name such as eth0"), s);
    c->iface = s;
}

static const struct option long_options[] = {
    {"json", required_argument, NULL, 'j'},
    {"capture", no_argument, NULL, 'C'},
    {"pcap", required_argument, NULL, 'P'},
    {"trace", no_argument, NULL, 'T'},
    {"local", no_argument, NULL, 'L'},
    {"public", required_argument, NULL, 'p'},
    {"watch", no_argument, NULL, 'W'},
    {"duration", required_argument, NULL, 'd'},
    {"from", required_argument, NULL, 'f'},
    {"iface", required_argument, NULL, 'i'},
    {"timeout", required_argument, NULL, 't'},
    {"no-icmp", no_argument, NULL, 'I'},
    {"sizes", required_argument, NULL, 's'},
    {"redact", no_argument, NULL, 'r'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {"lang", required_argument, NULL, 'l'},
    {NULL, 0, NULL, 0},
};

/* The options of issue 5's modes; false if opt is none of them. */
static bool parse_mode_option(struct cli *c, int opt, const char *arg)
{
    switch (opt) {
    case 'C':
        c->capture = true;
        return true;
    case 'P':
        c->capture = true;
        c->pcap_path = arg;
        return true;
    case 'T':
        c->trace = true;
        return true;
    case 'L':
        c->local = true;
        return true;
    case 'p':
        c->public_addr = parse_addr(c, "--public", arg);
        return true;
    case 'W':
        c->watch = true;
        return true;
    case 'd':
        parse_duration(c, arg);
        return true;
    case 'f':
        c->from = parse_addr(c, "--from", arg);
        return true;
    case 'i':
        parse_iface(c, arg);
        return true;
    default:
        return false;
    }
}

/* One option; every bad value goes to usage_error() and parsing goes on,
 * so --json is known even when an earlier option was wrong. */
static void parse_option(struct cli *c, int opt, const char *arg, const char *word)
{
    if (parse_mode_option(c, opt, arg))
        return;
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
    case 'l':
        /* Applied by main() before parsing (lang_option); checked here so
         * a bad value is a usage error like any other. */
        if (strcmp(arg, "es") != 0 && strcmp(arg, "en") != 0)
            usage_error(c, _("invalid --lang \"%.32s\": give es (Spanish) or en (English)"), arg);
        break;
    case '4':
        parse_family(c, 4);
        break;
    case '6':
        parse_family(c, 6);
        break;
    case ':':
        usage_error(c, _("option %s needs a value"), word);
        break;
    default:
        usage_error(c, _("unknown option %s"), word);
        break;
    }
}

/* Options that belong to one mode only: named with the mode they need. */
static void check_mode_options(struct cli *c)
{
    static const char *const mode_flag[] = {
        [MODE_CLIENT] = NULL, [MODE_LOCAL] = "--local", [MODE_WATCH] = "--watch"};
    const struct {
        bool given;
        const char *name;
        enum mode needs;
    } rules[] = {
        {c->capture && c->pcap_path == NULL, "--capture", MODE_CLIENT},
        {c->pcap_path != NULL, "--pcap", MODE_CLIENT},
        {c->trace, "--trace", MODE_CLIENT},
        {c->public_addr != NULL, "--public", MODE_LOCAL},
        {c->duration_s > 0, "--duration", MODE_WATCH},
        {c->from != NULL, "--from", MODE_WATCH},
        {c->iface != NULL, "--iface", MODE_WATCH},
    };
    if (c->local && c->watch)
        usage_error(c, _("--local and --watch exclude each other: give at most one"));
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        if (!rules[i].given || rules[i].needs == c->mode)
            continue;
        /* TRANSLATORS: "--trace works only with a HOST" (a probe of a server),
           "--from works only with --watch". */
        if (rules[i].needs == MODE_CLIENT)
            usage_error(c, _("%s works only with a HOST"), rules[i].name);
        else
            usage_error(c, _("%s works only with %s"), rules[i].name, mode_flag[rules[i].needs]);
    }
}

/* --local [PORT] and --watch [PORT]: no HOST, the port is optional. */
static void parse_server_args(struct cli *c, int left, char *const *args)
{
    if (left > 1)
        usage_error(c, _("too many arguments: %s takes only PORT, e.g. netprobe %s 8888"),
                    c->local ? "--local" : "--watch", c->local ? "--local" : "--watch");
    else if (left == 1)
        parse_port(c, args[0]);
}

static void cli_parse(struct cli *c, int argc, char *argv[])
{
    memset(c, 0, sizeof *c);
    probe_opts_defaults(&c->probe);
    opterr = 0; /* our own messages, through usage_error() */
    int opt;
    while ((opt = getopt_long(argc, argv, ":46hqV", long_options, NULL)) != -1)
        parse_option(c, opt, optarg, argv[optind - 1]);
    c->mode = c->local ? MODE_LOCAL : c->watch ? MODE_WATCH : MODE_CLIENT;
    check_mode_options(c);
    int left = argc - optind;
    if (c->mode != MODE_CLIENT) {
        parse_server_args(c, left, argv + optind);
        return;
    }
    if (left < 1)
        usage_error(c, _("missing HOST: give the server's name or address, e.g. netprobe "
                         "203.0.113.10 8888"));
    else if (left > 2)
        usage_error(c, _("too many arguments after HOST and PORT: \"%s\""), argv[optind + 2]);
    if (left >= 1 && (argv[optind][0] == '\0' || strlen(argv[optind]) > 253))
        usage_error(c, _("invalid HOST \"%.64s\": give a name or address of 1 to 253 characters"),
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
    /* Issue 5's modes: their module's JSON for the report (NULL: none). */
    struct capture *cap; /* a running capture, NULL when none */
    struct capture_summary cap_sum;
    cJSON *capture_json, *trace_json, *local_json, *watch_json;
    const char *local_code; /* --local's verdict code */
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
        .verdict = error == NULL && r->cli->mode == MODE_CLIENT ? &r->verdict : NULL,
        .command = r->command != NULL ? r->command : "netprobe",
        .started_at = r->started_at,
        .error = error,
        .redact = r->cli->redact ? &r->redact : NULL,
        .mode = mode_names[r->cli->mode],
        .local_code = r->local_code,
        .capture = r->capture_json,
        .trace = r->trace_json,
        .local_check = r->local_json,
        .watch = r->watch_json,
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

static int fail_usage(struct run *r)
{
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
    e->reset_compared = s->reset_compared_with != NULL && s->reset_compared_with[0] != '\0';
    snprintf(e->forged_detail, sizeof e->forged_detail, "%s", s->forged_detail);
}

/* Hook after the echo stage: stops the capture and keeps its summary. */
static void capture_end(struct evidence *ev, void *arg)
{
    struct run *r = arg;
    /* The icmp stage has ended (probe.h): its echo reply TTL is the
     * target's own, a reference for a reset's. */
    r->cap_sum.ref_ttl = ev->icmp.reply_ttl > 0 ? ev->icmp.reply_ttl : -1;
    if (r->cap != NULL)
        capture_stop(r->cap, &r->cap_sum);
    r->cap = NULL;
    capture_evidence(&ev->capture, &r->cap_sum);
    cJSON *json = capture_to_json(&r->cap_sum);
    pthread_mutex_lock(&r->lock);
    r->capture_json = json;
    if (!r->cap_sum.ran)
        output_capture_skipped(&r->out, r->cap_sum.skip_reason);
    pthread_mutex_unlock(&r->lock);
}

/* ---- --trace ---------------------------------------------------------------- */

/* Hops to the sender of a packet that arrived with ttl: the usual initial
 * TTLs are 32, 64, 128 and 255.  0 when unknown. */
static int hops_from_ttl(int ttl)
{
    static const int initial[] = {32, 64, 128, 255};
    if (ttl <= 0)
        return 0;
    for (size_t i = 0; i < sizeof initial / sizeof initial[0]; i++)
        if (ttl <= initial[i])
            return initial[i] - ttl + 1;
    return 0;
}

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
    static struct trace_result tr; /* large: keep it off the stack */
    if (target == NULL)
        return;
    struct trace_opts o = {target, ev->port, 0, (int)r->cli->probe.timeout_ms};
    trace_run(&o, &tr);
    struct ev_trace *t = &ev->trace;
    t->run = true;
    t->reached = tr.reached;
    t->last_answer_hop = tr.last_answer_ttl;
    snprintf(t->last_answer_from, sizeof t->last_answer_from, "%s", tr.last_answer_from);
    snprintf(t->target, sizeof t->target, "%s", target);
    /* A TTL the target itself sent says how far away it is. */
    const struct capture_summary *s = &r->cap_sum;
    int ttl = !s->ran                  ? -1
              : s->synack_ttl > 0      ? s->synack_ttl
              : s->target_icmp_ttl > 0 ? s->target_icmp_ttl
              : !s->forged_reset       ? s->reset_ttl
                                       : -1;
    t->target_hops_guess = hops_from_ttl(ttl);
    r->trace_json = trace_to_json(&tr);
    pthread_mutex_lock(&r->lock);
    output_trace(&r->out, r->trace_json);
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
    struct probe_hooks hooks = {capture_begin, capture_end, r};
    probe_run_hooked(&r->ev, &c->probe, on_stage, r, c->capture ? &hooks : NULL);
    if (c->trace)
        run_trace(r);
    /* From here an interrupt waits for the real report; the process ends
     * holding the lock, so the interrupt's report never replaces it. */
    pthread_mutex_lock(&r->lock);
    if (c->redact)
        redact_init(&r->redact, &r->ev); /* now with what later stages saw */
    verdict_decide(&r->ev, &r->verdict);
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

static bool to_stdout(const struct cli *c)
{
    return c->json_path != NULL && strcmp(c->json_path, "-") == 0;
}

static int local_and_report(struct run *r)
{
    struct cli *c = r->cli;
    if (check_report_path(c->json_path) < 0)
        return EXIT_FAILED;
    struct server_opts o = {.port = c->probe.port,
                            .public_addr = c->public_addr,
                            .timeout_ms = (int)c->probe.timeout_ms};
    cJSON *json = NULL;
    int v = server_check_run(&o, &json);
    pthread_mutex_lock(&r->lock);
    if (v < 0) {
        const char *why = _("out of memory while checking the server; close other programs and "
                            "run netprobe --local again");
        errorf("%s", why);
        return write_report(r, &r->ev, why, EXIT_FAILED);
    }
    r->local_json = json;
    r->local_code = server_verdict_code((enum server_verdict)v);
    int status = write_report(r, &r->ev, NULL, v == SERVER_LOCAL_OK ? EXIT_OK : EXIT_FAULT);
    if (!to_stdout(c))
        output_local(&r->out, r->local_code, json, c->probe.port);
    return status;
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
    static struct watch_table table; /* large: keep it off the stack */
    bool interrupted = false;
    char why[512] = "";
    if (!c->quiet && !to_stdout(c)) {
        printf(_("watching TCP port %d on %s for %.0f s (Ctrl-C ends it early)...\n"), o.port,
               o.iface != NULL ? o.iface : _("every interface"), o.duration_s);
        fflush(stdout);
    }
    int rc = watch_run(&o, &table, &interrupted, why, sizeof why);
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
    r->watch_json = watch_to_json(&table, &o, interrupted);
    if (r->watch_json == NULL) {
        const char *oom = _("out of memory while building the watch report; run it again");
        errorf("%s", oom);
        return write_report(r, &r->ev, oom, EXIT_FAILED);
    }
    int status = write_report(r, &r->ev, NULL, EXIT_OK);
    if (!to_stdout(c))
        output_watch(&r->out, r->watch_json);
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

/* The value of --lang (or --lang=VALUE) before the options are parsed, so
 * that even the messages about other options are in that language; NULL
 * if not given.  Stops at "--" like getopt. */
static const char *lang_option(int argc, char *argv[])
{
    const char *lang = NULL;
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
            lang = argv[++i];
        else if (strncmp(argv[i], "--lang=", 7) == 0)
            lang = argv[i] + 7;
    }
    return lang;
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
    /* Before anything prints; a bad --lang falls back to the environment's
     * language and is reported as a usage error by cli_parse. */
    if (i18n_init(lang_option(argc, argv)) < 0)
        i18n_init(NULL);
    log_init("netprobe");
    signal(SIGPIPE, SIG_IGN); /* a closed socket or pipe is an error, not death */
    report_timestamp(run.started_at);
    run.command = report_command(argc, argv);
    cli_parse(&cli, argc, argv);
    run.cli = &cli;
    if (cli.help || cli.version) {
        fputs(cli.help ? _(usage_text) : "netprobe " CHAT_VERSION "\n", stdout);
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
        static int (*const mode_run[])(struct run *) = {
            [MODE_CLIENT] = probe_and_report,
            [MODE_LOCAL] = local_and_report,
            [MODE_WATCH] = watch_and_report,
        };
        if (cli.mode != MODE_CLIENT) {
            evidence_init(&run.ev, "", cli.probe.port);
            run.ev.timeout_ms = cli.probe.timeout_ms;
            run.reached = run.ev; /* what an interrupt reports */
        }
        pthread_mutex_init(&run.lock, NULL);
        stop_signals_start(&run);
        status = mode_run[cli.mode](&run);
    }
    cJSON_Delete(run.capture_json);
    cJSON_Delete(run.trace_json);
    cJSON_Delete(run.local_json);
    cJSON_Delete(run.watch_json);
    free(run.command);
    return status;
}
