/*
 * cli - netprobe's command line (cli.h): the option table, the parsers of
 * each value, which options go with which mode, and the usage text.
 * Every message is a usage error kept in struct cli; main() reports it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/limits.h"
#include "netprobe/cli.h"

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

static const char *const mode_names[] = {
    [MODE_CLIENT] = "client",
    [MODE_LOCAL] = "local",
    [MODE_WATCH] = "watch",
};

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
        /* Applied by main() before parsing (cli_lang_option); checked here so
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

int cli_parse(struct cli *c, int argc, char *argv[])
{
    memset(c, 0, sizeof *c);
    runner_opts_defaults(&c->probe);
    opterr = 0; /* our own messages, through usage_error() */
    int opt;
    while ((opt = getopt_long(argc, argv, ":46hqV", long_options, NULL)) != -1)
        parse_option(c, opt, optarg, argv[optind - 1]);
    c->mode = c->local ? MODE_LOCAL : c->watch ? MODE_WATCH : MODE_CLIENT;
    check_mode_options(c);
    int left = argc - optind;
    if (c->mode != MODE_CLIENT) {
        parse_server_args(c, left, argv + optind);
        return c->error[0] != '\0' ? -1 : 0;
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
    return c->error[0] != '\0' ? -1 : 0;
}

const char *cli_usage(void)
{
    return _(usage_text);
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
 * if not given.  Stops at "--" like getopt. */
const char *cli_lang_option(int argc, char *argv[])
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
