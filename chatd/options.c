/* options.c - chatd's command line: one table on common/opt.h. */
#include "chatd/options.h"

#include <string.h>

#include "common/i18n.h"
#include "common/limits.h"
#include "common/opt.h"

/* --bind: a numeric IPv4 or IPv6 address (parsed as listen.c will parse
 * it), never a name: chatd must not depend on a resolver to start. */
static int parse_bind(const struct opt_spec *s, const char *v, void *opts, char *err, size_t cap)
{
    struct chatd_options *o = opts;
    struct sockaddr_storage ss;
    socklen_t len;
    if (strlen(v) >= sizeof o->bind || addr_parse(v, 0, &ss, &len) < 0) {
        snprintf(err, cap,
                 _("--%s: \"%s\" is not an IPv4 or IPv6 address (names are not accepted: "
                   "use an address such as 0.0.0.0 or 127.0.0.1)"),
                 s->name, v);
        return -1;
    }
    snprintf(o->bind, sizeof o->bind, "%s", v);
    return 0;
}

/* One row per option: the parser, the range check and --help come from it. */
#define FIELD(f) offsetof(struct chatd_options, f)
static const struct opt_spec opt_table[] = {
    {"port", 0, OPT_LONG, FIELD(port), 0, 65535, "PORT",
     N_("TCP port (default 8888; 0 picks a free one)"), NULL},
    {"bind", 0, OPT_CUSTOM, 0, 0, 0, "ADDR",
     N_("listen on this one IPv4 or IPv6 address (default: all, IPv4 and IPv6)"), parse_bind},
    {"max-clients", 0, OPT_LONG, FIELD(max_clients), 1, 1000000, "N",
     N_("refuse connections past N with ERR server_full (default 100000)"), NULL},
    {"diag", 0, OPT_FLAG, FIELD(diag), 0, 0, NULL, N_("echo server for diagnosis instead of chat"),
     NULL},
    {"verbose", 0, OPT_FLAG, FIELD(verbose), 0, 0, NULL, N_("log more (names, hellos)"), NULL},
    {"heartbeat", 0, OPT_LONG, FIELD(heartbeat), 1, 86400, "SEC",
     N_("send PING after SEC seconds of client silence (default 60)"), NULL},
    {"idle-timeout", 0, OPT_LONG, FIELD(idle_timeout), 0, 604800, "SEC",
     N_("drop a client silent for SEC seconds; 0 never (default 600)"), NULL},
    {"name-timeout", 0, OPT_LONG, FIELD(name_timeout), 1, 86400, "SEC",
     N_("drop a client with no name after SEC seconds (default 60)"), NULL},
    {"line-timeout", 0, OPT_LONG, FIELD(line_timeout), 1, 86400, "SEC",
     N_("drop a client that leaves a line half-sent for SEC seconds (default 30)"), NULL},
    {"flood-burst", 0, OPT_LONG, FIELD(flood_burst), 1, 1000000, "N",
     N_("lines a client may send at once (default 50)"), NULL},
    {"flood-rate", 0, OPT_LONG, FIELD(flood_rate), 1, 1000000, "N",
     N_("lines per second after the burst (default 20)"), NULL},
    {"max-per-ip", 0, OPT_LONG, FIELD(max_per_ip), 0, 1000000, "N",
     N_("connections one address (IPv6: one /64) may hold; 0 no limit (default 32)"), NULL},
    {"conn-rate", 0, OPT_LONG, FIELD(conn_rate), 0, 1000000, "N",
     N_("new connections per second from one address after a burst of --max-per-ip; 0 no "
        "limit (default 10)"),
     NULL},
    {"flood-byte-burst", 0, OPT_LONG, FIELD(flood_byte_burst), 1024, 100000000, "BYTES",
     N_("bytes of chat a client may send at once, invalid bytes counting 3 (default 65536)"), NULL},
    {"flood-byte-rate", 0, OPT_LONG, FIELD(flood_byte_rate), 1, 100000000, "BYTES",
     N_("bytes of chat per second after the burst (default 16384)"), NULL},
    {"echo-lifetime", 0, OPT_LONG, FIELD(echo_lifetime), 1, 86400, "SEC",
     N_("close a netprobe echo exchange SEC seconds after its hello (default 60)"), NULL},
    {"echo-silence", 0, OPT_LONG, FIELD(echo_silence), 1, 86400, "SEC",
     N_("close a netprobe echo exchange that sends nothing for SEC seconds (default 10)"), NULL},
    {"echo-rate", 0, OPT_LONG, FIELD(echo_rate), 1024, 1000000000, "BYTES",
     N_("bytes per second echoed to a prober after a 2 MiB burst (default 1048576)"), NULL},
    {"sendq-hard", 0, OPT_LONG, FIELD(sendq_hard), 128, 4194304, "KIB",
     N_("drop a client with more than KIB KiB of output pending (default 8192)"), NULL},
    {"sendq-soft", 0, OPT_LONG, FIELD(sendq_soft), 128, 4194304, "KIB",
     N_("drop a client over KIB KiB pending for longer than --sendq-grace (default 2048)"), NULL},
    {"sendq-grace", 0, OPT_LONG, FIELD(sendq_grace), 1, 86400, "SEC",
     N_("seconds a client may stay over --sendq-soft (default 30)"), NULL},
    {"sendq-total", 0, OPT_LONG, FIELD(sendq_total), 1, 65536, "MIB",
     N_("memory for all output queues; past it the client furthest behind is dropped "
        "(default 256)"),
     NULL},
    {"help", 'h', OPT_HELP, 0, 0, 0, NULL, N_("show this help"), NULL},
    {"version", 0, OPT_VERSION, 0, 0, 0, NULL, N_("show the version"), NULL},
};

static const struct opt_program program = {
    .name = "chatd",
    .version = CHAT_VERSION,
    .usage = N_("usage: chatd [options]\n\nThe chat server (protocol: docs/protocol.md).\n"),
    .epilog = N_("exit status:\n"
                 "  0  clean shutdown (SIGINT or SIGTERM), --help, --version\n"
                 "  1  could not start (address, port, limits) or the event loop failed\n"
                 "  2  bad command line\n"),
    .table = opt_table,
    .count = sizeof opt_table / sizeof opt_table[0],
};

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
    o->max_per_ip = CHATD_MAX_PER_IP;
    o->conn_rate = CHATD_CONN_RATE;
    o->flood_byte_burst = CHATD_FLOOD_BYTE_BURST;
    o->flood_byte_rate = CHATD_FLOOD_BYTE_RATE;
    o->echo_lifetime = CHATD_ECHO_LIFETIME_SEC;
    o->echo_rate = CHATD_ECHO_BYTE_RATE;
    o->echo_silence = CHATD_ECHO_SILENCE_SEC;
    o->sendq_hard = CHATD_SENDQ_HARD_KIB;
    o->sendq_soft = CHATD_SENDQ_SOFT_KIB;
    o->sendq_grace = CHATD_SENDQ_GRACE_SEC;
    o->sendq_total = CHATD_SENDQ_TOTAL_MIB;
}

/* Checks between options: the soft cap must be below the hard one, or it
 * would never apply. */
static enum options_result options_check(const struct chatd_options *o, char *err, size_t cap)
{
    if (o->sendq_soft <= o->sendq_hard)
        return OPTIONS_RUN;
    snprintf(err, cap,
             _("--sendq-soft %ld is above --sendq-hard %ld: the soft cap must not exceed the "
               "hard cap (raise --sendq-hard or lower --sendq-soft)"),
             o->sendq_soft, o->sendq_hard);
    return OPTIONS_USAGE;
}

enum options_result options_parse(int argc, char *const argv[], struct chatd_options *o, FILE *out,
                                  char *err, size_t errcap)
{
    size_t npos;
    options_defaults(o);
    /* chatd takes no operands: any is a usage error that quotes it. */
    switch (opt_parse(&program, argc, argv, o, NULL, 0, &npos, out, err, errcap)) {
    case OPT_RUN:
        return options_check(o, err, errcap);
    case OPT_EXIT:
        return OPTIONS_EXIT;
    case OPT_USAGE:
        break;
    }
    return OPTIONS_USAGE;
}
