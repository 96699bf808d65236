#include "chatd/options.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/limits.h"

enum opt_kind { OPT_FLAG, OPT_LONG, OPT_ADDR, OPT_HELP, OPT_VERSION };

/* One row per option: the parser, the range check and --help come from it. */
struct opt_spec {
    const char *name;
    enum opt_kind kind;
    size_t offset; /* of the field in struct chatd_options */
    long min, max;
    const char *arg;
    const char *help; /* N_(): translated when printed */
};

#define FIELD(f) offsetof(struct chatd_options, f)
static const struct opt_spec opt_table[] = {
    {"port", OPT_LONG, FIELD(port), 0, 65535, "PORT",
     N_("TCP port (default 8888; 0 picks a free one)")},
    {"bind", OPT_ADDR, FIELD(bind), 0, 0, "ADDR",
     N_("listen on this one IPv4 or IPv6 address (default: all, IPv4 and IPv6)")},
    {"max-clients", OPT_LONG, FIELD(max_clients), 1, 1000000, "N",
     N_("refuse connections past N with ERR server_full (default 100000)")},
    {"diag", OPT_FLAG, FIELD(diag), 0, 0, NULL, N_("echo server for diagnosis instead of chat")},
    {"verbose", OPT_FLAG, FIELD(verbose), 0, 0, NULL, N_("log more (names, hellos)")},
    {"heartbeat", OPT_LONG, FIELD(heartbeat), 1, 86400, "SEC",
     N_("send PING after SEC seconds of client silence (default 60)")},
    {"idle-timeout", OPT_LONG, FIELD(idle_timeout), 0, 604800, "SEC",
     N_("drop a client silent for SEC seconds; 0 never (default 600)")},
    {"name-timeout", OPT_LONG, FIELD(name_timeout), 1, 86400, "SEC",
     N_("drop a client with no name after SEC seconds (default 60)")},
    {"line-timeout", OPT_LONG, FIELD(line_timeout), 1, 86400, "SEC",
     N_("drop a client that leaves a line half-sent for SEC seconds (default 30)")},
    {"flood-burst", OPT_LONG, FIELD(flood_burst), 1, 1000000, "N",
     N_("lines a client may send at once (default 50)")},
    {"flood-rate", OPT_LONG, FIELD(flood_rate), 1, 1000000, "N",
     N_("lines per second after the burst (default 20)")},
    {"help", OPT_HELP, 0, 0, 0, NULL, N_("show this help")},
    {"version", OPT_VERSION, 0, 0, 0, NULL, N_("show the version")},
};
#define OPT_COUNT (sizeof opt_table / sizeof opt_table[0])

void options_defaults(struct chatd_options *o)
{
    memset(o, 0, sizeof *o);
    o->port = CHAT_DEFAULT_PORT;
    o->max_clients = CHATD_MAX_CLIENTS_DEFAULT;
    o->heartbeat = CHATD_HEARTBEAT_SEC;
    o->idle_timeout = CHATD_IDLE_TIMEOUT_SEC;
    o->name_timeout = CHATD_NAME_TIMEOUT_SEC;
    o->line_timeout = CHATD_PARTIAL_LINE_SEC;
    o->flood_burst = CHATD_FLOOD_BURST;
    o->flood_rate = CHATD_FLOOD_RATE;
}

static void print_help(FILE *out)
{
    fprintf(out, "%s",
            _("usage: chatd [options]\n\nThe chat server (protocol: docs/protocol.md).\n\n"));
    for (size_t i = 0; i < OPT_COUNT; i++) {
        char left[40];
        const struct opt_spec *s = &opt_table[i];
        snprintf(left, sizeof left, "--%s%s%s", s->name, s->arg ? " " : "", s->arg ? s->arg : "");
        fprintf(out, "  %-22s %s\n", left, _(s->help));
    }
    fprintf(out, "%s",
            _("\nexit status:\n"
              "  0  clean shutdown (SIGINT or SIGTERM), --help, --version\n"
              "  1  could not start (address, port, limits) or the event loop failed\n"
              "  2  bad command line\n"));
}

/* Parses a decimal value for spec into *out. */
static int parse_long(const struct opt_spec *s, const char *v, long *out, char *err, size_t cap)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (*v == '\0' || *end != '\0' || errno != 0 || n < s->min || n > s->max) {
        snprintf(err, cap, _("--%s: \"%s\" is not a number from %ld to %ld"), s->name, v, s->min,
                 s->max);
        return -1;
    }
    *out = n;
    return 0;
}

static int parse_addr(const struct opt_spec *s, const char *v, char *out, char *err, size_t cap)
{
    unsigned char buf[sizeof(struct in6_addr)];
    if (strlen(v) >= ADDR_TEXT_MAX ||
        (inet_pton(AF_INET, v, buf) != 1 && inet_pton(AF_INET6, v, buf) != 1)) {
        snprintf(err, cap,
                 _("--%s: \"%s\" is not an IPv4 or IPv6 address (names are not accepted: "
                   "use an address such as 0.0.0.0 or 127.0.0.1)"),
                 s->name, v);
        return -1;
    }
    snprintf(out, ADDR_TEXT_MAX, "%s", v);
    return 0;
}

/* Finds the row for "--name" or "--name=value" (sets *inline_val). */
static const struct opt_spec *find_opt(const char *arg, const char **inline_val)
{
    if (strncmp(arg, "--", 2) != 0)
        return NULL;
    const char *name = arg + 2, *eq = strchr(name, '=');
    size_t n = eq ? (size_t)(eq - name) : strlen(name);
    *inline_val = eq ? eq + 1 : NULL;
    for (size_t i = 0; i < OPT_COUNT; i++)
        if (strlen(opt_table[i].name) == n && strncmp(opt_table[i].name, name, n) == 0)
            return &opt_table[i];
    return NULL;
}

/* Applies one option; *i advances past a separate value.  Returns -1 on a
 * usage error, OPTIONS_EXIT for --help/--version, else 0. */
static int apply_opt(const struct opt_spec *s, const char *val, struct chatd_options *o, FILE *out,
                     char *err, size_t cap)
{
    char *field = (char *)o + s->offset;
    switch (s->kind) {
    case OPT_FLAG:
        *(bool *)field = true;
        return 0;
    case OPT_LONG:
        return parse_long(s, val, (long *)field, err, cap);
    case OPT_ADDR:
        return parse_addr(s, val, field, err, cap);
    case OPT_HELP:
        print_help(out);
        return OPTIONS_EXIT;
    case OPT_VERSION:
        fprintf(out, "chatd %s\n", CHAT_VERSION);
        return OPTIONS_EXIT;
    }
    return -1;
}

enum options_result options_parse(int argc, char *const argv[], struct chatd_options *o, FILE *out,
                                  char *err, size_t errcap)
{
    options_defaults(o);
    for (int i = 1; i < argc; i++) {
        const char *val = NULL;
        const struct opt_spec *s = find_opt(argv[i], &val);
        if (s == NULL && strcmp(argv[i], "-h") == 0)
            s = find_opt("--help", &val);
        if (s == NULL) {
            snprintf(err, errcap, _("unknown option \"%s\" (see chatd --help)"), argv[i]);
            return OPTIONS_USAGE;
        }
        bool takes_value = s->kind == OPT_LONG || s->kind == OPT_ADDR;
        if (takes_value && val == NULL) {
            if (i + 1 >= argc) {
                snprintf(err, errcap, _("--%s needs a value (%s)"), s->name, s->arg);
                return OPTIONS_USAGE;
            }
            val = argv[++i];
        } else if (!takes_value && val != NULL) {
            snprintf(err, errcap, _("--%s takes no value, got \"%s\""), s->name, val);
            return OPTIONS_USAGE;
        }
        int r = apply_opt(s, val, o, out, err, errcap);
        if (r != 0)
            return r < 0 ? OPTIONS_USAGE : OPTIONS_EXIT;
    }
    return OPTIONS_RUN;
}
