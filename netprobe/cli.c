/*
 * cli - netprobe's command line (cli.h): the option table, the parsers of
 * each value, which options go with which mode, and the usage text.
 * Every message is a usage error kept in struct cli; main() reports it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/addr.h"
#include "common/limits.h"
#include "common/opt.h"
#include "netprobe/cli.h"

static const char *const mode_names[] = {
    [MODE_CLIENT] = "client", [MODE_LOCAL] = "local",     [MODE_WATCH] = "watch",
    [MODE_SHOW] = "show",     [MODE_SUMMARY] = "summary",
};

/* A --label is a name for a person to read (a student, a group): one
 * short line of printable text. */
#define LABEL_MAX_BYTES 80

#define WATCH_DURATION_MAX_S 3600

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
        v > STAGE_TIMEOUT_SEC_MAX)
        usage_error(c, _("invalid --timeout \"%s\": give seconds, more than 0 and at most %d"), s,
                    STAGE_TIMEOUT_SEC_MAX);
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

/* --label: printable, one line, at most LABEL_MAX_BYTES (UTF-8 letters
 * such as "María" are fine; control characters are not). */
static void parse_label(struct cli *c, const char *s)
{
    size_t len = strlen(s);
    bool printable = len > 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            printable = false;
    if (len > LABEL_MAX_BYTES || !printable)
        usage_error(c,
                    _("invalid --label \"%.64s\": give a name of 1 to %d characters on one line, "
                      "e.g. --label \"Maria Garcia, lab 3\""),
                    s, LABEL_MAX_BYTES);
    else
        c->label = s;
}

/* ---- The option table ---------------------------------------------------- */

/* A value parser above, as an opt_parse_fn: its usage error becomes err. */
static int parsed(struct cli *c, char *err, size_t cap)
{
    if (c->error[0] == '\0')
        return 0;
    snprintf(err, cap, "%s", c->error);
    return -1;
}

#define CLI_OPT_FN(name, body)                                                                     \
    static int name(const struct opt_spec *s, const char *v, void *opts, char *err, size_t cap)    \
    {                                                                                              \
        struct cli *c = opts;                                                                      \
        (void)s;                                                                                   \
        (void)v;                                                                                   \
        body;                                                                                      \
        return parsed(c, err, cap);                                                                \
    }

CLI_OPT_FN(opt_pcap, (c->capture = true, c->pcap_path = v))
CLI_OPT_FN(opt_public, c->public_addr = parse_addr(c, "--public", v))
CLI_OPT_FN(opt_duration, parse_duration(c, v))
CLI_OPT_FN(opt_from, c->from = parse_addr(c, "--from", v))
CLI_OPT_FN(opt_iface, parse_iface(c, v))
CLI_OPT_FN(opt_timeout, parse_timeout(c, v))
CLI_OPT_FN(opt_ipv4, parse_family(c, 4))
CLI_OPT_FN(opt_ipv6, parse_family(c, 6))
CLI_OPT_FN(opt_sizes, parse_sizes(c, v))
CLI_OPT_FN(opt_label, parse_label(c, v))
/* Applied by main() before parsing (cli_lang_option); checked here so a
 * bad value is a usage error like any other. */
CLI_OPT_FN(opt_lang,
           if (strcmp(v, "es") != 0 && strcmp(v, "en") != 0)
               usage_error(c, _("invalid --lang \"%.32s\": give es (Spanish) or en (English)"), v))

#define FIELD(f) offsetof(struct cli, f)

/* Every option, in the order --help lists them.  TRANSLATORS: in the help
   texts keep the option names, HOST, PORT, FILE and the codes as they are. */
static const struct opt_spec OPTIONS[] = {
    {"capture", 0, OPT_FLAG, FIELD(capture), 0, 0, NULL,
     N_("capture the probe's packets (root or CAP_NET_RAW) and say\n"
        "whether they confirm the verdict; skipped without permission"),
     NULL},
    {"pcap", 0, OPT_CUSTOM, 0, 0, 0, "FILE",
     N_("save the captured packet headers to FILE (implies --capture)"), opt_pcap},
    {"trace", 0, OPT_FLAG, FIELD(trace), 0, 0, NULL,
     N_("TCP traceroute to the port: where the packets stop"), NULL},
    {"local", 0, OPT_FLAG, FIELD(local), 0, 0, NULL,
     N_("on the server: is chatd listening on PORT on every address,\n"
        "and does this machine's firewall let it through?"),
     NULL},
    {"public", 0, OPT_CUSTOM, 0, 0, 0, "ADDR", N_("with --local: the public address clients dial"),
     opt_public},
    {"watch", 0, OPT_FLAG, FIELD(watch), 0, 0, NULL,
     N_("on the server: capture TCP PORT and tell, per source, whether\n"
        "its SYNs arrive and what this machine answers (root)"),
     NULL},
    {"duration", 0, OPT_CUSTOM, 0, 0, 0, "SEC",
     N_("with --watch: how long to watch, in seconds (default 30;\n"
        "Ctrl-C ends it early)"),
     opt_duration},
    {"from", 0, OPT_CUSTOM, 0, 0, 0, "ADDR",
     N_("with --watch: the client's public address to look for"), opt_from},
    {"iface", 0, OPT_CUSTOM, 0, 0, 0, "IF",
     N_("with --watch: the interface to capture on (default: all)"), opt_iface},
    {"json", 0, OPT_STRING, FIELD(json_path), 0, 0, "FILE",
     N_("also write the JSON report to FILE (\"-\": print only the\n"
        "report, on standard output)"),
     NULL},
    {"timeout", 0, OPT_CUSTOM, 0, 0, 0, "SEC", N_("bound for each network stage (default 1.5)"),
     opt_timeout},
    {"ipv4", '4', OPT_CUSTOM, 0, 0, 0, NULL, N_("use only IPv4 addresses"), opt_ipv4},
    {"ipv6", '6', OPT_CUSTOM, 0, 0, 0, NULL, N_("use only IPv6 addresses"), opt_ipv6},
    {"no-icmp", 0, OPT_FLAG, FIELD(probe.no_icmp), 0, 0, NULL, N_("do not ping"), NULL},
    {"sizes", 0, OPT_CUSTOM, 0, 0, 0, "LIST",
     N_("echo payload sizes in bytes, comma-separated\n"
        "(default 16,1024,1400,4096,16384,65536)"),
     opt_sizes},
    {"redact", 0, OPT_FLAG, FIELD(redact), 0, 0, NULL,
     N_("replace this machine's private addresses, host name and\n"
        "MAC addresses with placeholders, for sharing the output"),
     NULL},
    {"label", 0, OPT_CUSTOM, 0, 0, 0, "TEXT",
     N_("a name stored in the report (your name, your group), shown\n"
        "by --show and --summary"),
     opt_label},
    {"quiet", 'q', OPT_FLAG, FIELD(quiet), 0, 0, NULL, N_("print only the verdict line"), NULL},
    {"verbose", 'v', OPT_FLAG, FIELD(verbose), 0, 0, NULL,
     N_("print every likely cause and every step of the fix (the\n"
        "default shows the most likely cause and the first step)"),
     NULL},
    {"show", 0, OPT_STRING, FIELD(show_path), 0, 0, "FILE",
     N_("print a saved JSON report as netprobe printed it, in the\n"
        "language of --lang; probes nothing"),
     NULL},
    {"summary", 0, OPT_FLAG, FIELD(summary), 0, 0, NULL,
     N_("netprobe --summary FILE|DIR...: one line per saved report,\n"
        "then how many reports have each verdict (--json FILE: the\n"
        "same as a JSON document); probes nothing"),
     NULL},
    {"lang", 0, OPT_CUSTOM, 0, 0, 0, "LANG",
     N_("language of the messages and the report: es (Spanish) or\n"
        "en (English); the default follows LANG / LC_MESSAGES"),
     opt_lang},
    {"help", 'h', OPT_HELP, 0, 0, 0, NULL, N_("this text"), NULL},
    {"version", 'V', OPT_VERSION, 0, 0, 0, NULL, N_("netprobe's version"), NULL},
};

static const struct opt_program PROGRAM = {
    .name = "netprobe",
    .version = CHAT_VERSION,
    /* TRANSLATORS: keep the option names, HOST, PORT and ADDR as they are. */
    .usage = N_("usage: netprobe [options] HOST [PORT]\n"
                "       netprobe --local [PORT] [--public ADDR] [--json FILE]\n"
                "       netprobe --watch [PORT] [--duration SEC] [--from ADDR] [--iface IF] "
                "[--json FILE]\n"
                "       netprobe --show FILE [--lang es|en] [-v]\n"
                "       netprobe --summary FILE|DIR... [--json FILE]\n"
                "\n"
                "Checks the way from this machine to a chatd on HOST (PORT defaults to 8888)\n"
                "stage by stage, and ends with one verdict: what is wrong and what to do.\n"
                "HOST may also be given as HOST:PORT or [IPv6]:PORT.\n"),
    .epilog = N_("Exit status: 0 verdict ok (--local: local_ok; --watch: the watch ran;\n"
                 "--show: shown; --summary: every file was a report), 1 a fault was found\n"
                 "(--summary: a file was not a report), 2 usage error (--show: not a\n"
                 "report), 3 netprobe itself failed.\n"
                 "The guide: docs/troubleshooting.md\n"),
    .table = OPTIONS,
    .count = sizeof OPTIONS / sizeof OPTIONS[0],
};

/* The flag that chooses each mode, for the messages below. */
static const char *const mode_flag[] = {
    [MODE_CLIENT] = NULL,   [MODE_LOCAL] = "--local",     [MODE_WATCH] = "--watch",
    [MODE_SHOW] = "--show", [MODE_SUMMARY] = "--summary",
};

/* The mode the flags ask for; more than one is a usage error. */
static enum mode choose_mode(struct cli *c)
{
    const bool given[] = {
        [MODE_CLIENT] = false,       [MODE_LOCAL] = c->local,
        [MODE_WATCH] = c->watch,     [MODE_SHOW] = c->show_path != NULL,
        [MODE_SUMMARY] = c->summary,
    };
    enum mode m = MODE_CLIENT;
    for (int i = MODE_LOCAL; i <= MODE_SUMMARY; i++) {
        if (!given[i])
            continue;
        if (m != MODE_CLIENT)
            usage_error(c, _("%s and %s exclude each other: give at most one"), mode_flag[m],
                        mode_flag[i]);
        else
            m = (enum mode)i;
    }
    return m;
}

/* Options that belong to one mode only: named with the mode they need. */
static void check_mode_options(struct cli *c)
{
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
    /* The readers write no probe report: a label or redaction would be lost. */
    if ((c->mode == MODE_SHOW || c->mode == MODE_SUMMARY) && (c->label != NULL || c->redact))
        usage_error(c, _("%s goes with a probe, not with %s: give it when the report is written"),
                    c->label != NULL ? "--label" : "--redact", mode_flag[c->mode]);
    if (c->mode == MODE_SHOW && c->json_path != NULL)
        usage_error(c, _("--show prints the report as text; --json works only with a probe or "
                         "--summary"));
    if (c->quiet && c->verbose)
        usage_error(c, _("--quiet and --verbose exclude each other: give at most one"));
}

/* --local [PORT] and --watch [PORT]: no HOST, the port is optional. */
static void parse_server_args(struct cli *c, size_t left, const char *const *args)
{
    if (left > 1)
        usage_error(c, _("too many arguments: %s takes only PORT, e.g. netprobe %s 8888"),
                    c->local ? "--local" : "--watch", c->local ? "--local" : "--watch");
    else if (left == 1)
        parse_port(c, args[0]);
}

/* HOST, HOST:PORT or [IPv6]:PORT, then an optional PORT. */
static void parse_target(struct cli *c, size_t npos, const char *const *pos)
{
    char why[256];
    int port = -1;
    if (npos < 1) {
        usage_error(c, _("missing HOST: give the server's name or address, e.g. netprobe "
                         "203.0.113.10 8888"));
        return;
    }
    if (npos > 2)
        usage_error(c, _("too many arguments after HOST and PORT: \"%s\""), pos[2]);
    int split = addr_split_target(pos[0], c->host, sizeof c->host, &port, why, sizeof why);
    if (split < 0) {
        usage_error(c, "%s", why);
        return;
    }
    if (strlen(c->host) > 253)
        usage_error(c, _("invalid HOST \"%.64s\": give a name or address of 1 to 253 characters"),
                    c->host);
    c->probe.host = c->host;
    if (split == 1 && npos >= 2)
        usage_error(c,
                    _("the port was given twice (\"%s\" and \"%s\"): give HOST PORT or "
                      "HOST:PORT"),
                    pos[0], pos[1]);
    else if (split == 1)
        c->probe.port = port;
    else if (npos >= 2)
        parse_port(c, pos[1]);
}

/* After a usage error the parse stopped; --json is still wanted for the
 * report of that error. */
static const char *early_value(int argc, char *argv[], const char *name)
{
    const char *value = NULL;
    size_t n = strlen(name);
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strncmp(argv[i], "--", 2) != 0 || strncmp(argv[i] + 2, name, n) != 0)
            continue;
        if (argv[i][2 + n] == '\0' && i + 1 < argc)
            value = argv[++i];
        else if (argv[i][2 + n] == '=')
            value = argv[i] + 3 + n;
    }
    return value;
}

/* Whether --name appears before "--" (for the mode of a report after a
 * usage error). */
static bool early_flag(int argc, char *argv[], const char *name)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strncmp(argv[i], "--", 2) == 0 && strcmp(argv[i] + 2, name) == 0)
            return true;
    return false;
}

/* --show FILE takes no other argument; --summary needs at least one. */
static void parse_reader_args(struct cli *c, size_t npos, const char *const *pos)
{
    if (c->mode == MODE_SHOW && npos > 0)
        usage_error(c, _("too many arguments: --show takes one FILE, e.g. netprobe --show "
                         "report.json"));
    if (c->mode == MODE_SUMMARY && npos == 0)
        usage_error(c, _("missing FILE: give --summary the reports or folders to read, e.g. "
                         "netprobe --summary reports/"));
    c->path_count = npos;
    (void)pos; /* already in c->paths */
}

int cli_parse(struct cli *c, int argc, char *argv[])
{
    size_t npos = 0;
    char err[sizeof c->error];
    memset(c, 0, sizeof *c);
    runner_opts_defaults(&c->probe);
    enum opt_result r =
        opt_parse(&PROGRAM, argc, argv, c, c->paths, CLI_PATHS_MAX, &npos, stdout, err, sizeof err);
    const char *const *pos = c->paths;
    if (r == OPT_EXIT)
        return 1;
    if (r == OPT_USAGE) {
        usage_error(c, "%s", err);
        if (c->json_path == NULL)
            c->json_path = early_value(argc, argv, "json");
        c->local = c->local || early_flag(argc, argv, "local");
        c->watch = c->watch || early_flag(argc, argv, "watch");
        c->mode = c->local ? MODE_LOCAL : c->watch ? MODE_WATCH : MODE_CLIENT;
        return -1;
    }
    c->mode = choose_mode(c);
    check_mode_options(c);
    if (c->mode == MODE_SHOW || c->mode == MODE_SUMMARY)
        parse_reader_args(c, npos, pos);
    else if (c->mode != MODE_CLIENT)
        parse_server_args(c, npos, pos);
    else
        parse_target(c, npos, pos);
    check_family(c);
    return c->error[0] != '\0' ? -1 : 0;
}

void cli_help(FILE *out)
{
    opt_help(&PROGRAM, out);
}

const char *cli_mode_name(enum mode m)
{
    return mode_names[m];
}

bool cli_json_to_stdout(const struct cli *c)
{
    return c->json_path != NULL && strcmp(c->json_path, "-") == 0;
}

/* The value of --lang (or --lang=VALUE) before the options are parsed, so
 * that even the messages about other options are in that language; NULL
 * if not given.  Stops at "--" like the parser. */
const char *cli_lang_option(int argc, char *argv[])
{
    return early_value(argc, argv, "lang");
}
