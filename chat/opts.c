#include "chat/opts.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/addr.h"
#include "common/i18n.h"
#include "common/limits.h"
#include "common/opt.h"
#include "common/proto.h"

static int set_name(const struct opt_spec *s, const char *v, void *opts, char *err, size_t cap)
{
    (void)s;
    /* Checked here too so the mistake is reported before connecting. */
    if (!proto_name_valid(v, strlen(v))) {
        snprintf(err, cap,
                 _("invalid --name \"%s\": use 1-%d letters, digits, '-' or '_', starting with "
                   "a letter"),
                 v, PROTO_NAME_MAX);
        return -1;
    }
    ((struct chat_opts *)opts)->name = v;
    return 0;
}

/* Parses a whole decimal number in lo..hi (digits only).  Returns 0 or -1. */
static int parse_range(const char *s, long lo, long hi, long *out)
{
    char *end = NULL;
    if (*s < '0' || *s > '9')
        return -1;
    long v = strtol(s, &end, 10);
    if (*end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int set_timeout(const struct opt_spec *s, const char *v, void *opts, char *err, size_t cap)
{
    long t;
    (void)s;
    if (parse_range(v, 1, OPTS_TIMEOUT_MAX, &t) < 0) {
        snprintf(err, cap, _("invalid --timeout \"%s\": give whole seconds from 1 to %d"), v,
                 OPTS_TIMEOUT_MAX);
        return -1;
    }
    ((struct chat_opts *)opts)->timeout_sec = (int)t;
    return 0;
}

#define F(field) offsetof(struct chat_opts, field)

static const struct opt_spec chat_table[] = {
    {"name", 'n', OPT_CUSTOM, F(name), 0, 0, "NAME",
     N_("your chat name (asked on the terminal if not given)"), set_name},
    {"timeout", 't', OPT_CUSTOM, F(timeout_sec), 0, 0, "SEC",
     N_("seconds to wait for the connection (default 5)"), set_timeout},
    {"greet-timeout", 0, OPT_DOUBLE, F(greet_timeout_sec), 0, OPTS_TIMEOUT_MAX, "SEC",
     N_("seconds to wait for chatd's greeting before saying\nthe program on the port is not "
        "chatd (default 3)"),
     NULL},
    {"no-reconnect", 0, OPT_FLAG, F(no_reconnect), 0, 0, NULL,
     N_("on a terminal, stop instead of reconnecting when\nthe connection drops"), NULL},
    {"raw", 0, OPT_FLAG, F(raw), 0, 0, NULL,
     N_("print the server's protocol lines instead of\nformatting them"), NULL},
    {"no-color", 0, OPT_FLAG, F(no_color), 0, 0, NULL, N_("no colors (also when NO_COLOR is set)"),
     NULL},
    {"help", 'h', OPT_FLAG, F(help), 0, 0, NULL, N_("this help"), NULL},
    {"version", 'V', OPT_FLAG, F(version), 0, 0, NULL, N_("print the version"), NULL},
};

/* TRANSLATORS: keep the option names, HOST, PORT and the commands as they
   are; only the explanations are for translating.  %d is the default
   port. */
static const char *const usage_text =
    N_("usage: chat [OPTIONS] [HOST[:PORT] [PORT]]\n\n"
       "Connects to a chatd server (default 127.0.0.1 port %d) and chats.\n"
       "HOST is a name or address; HOST:PORT and [IPv6]:PORT work too.\n"
       "On a terminal you type lines; incoming messages never mess up the line\n"
       "you are typing, and chat reconnects when the connection drops.  With\n"
       "stdin not a terminal, each input line is sent as it comes and chat\n"
       "sends /quit at the end of the input.\n\noptions:");

/* The first %d is the longest line chatd takes (without its LF), the
 * second CHAT_HEARTBEAT_SEC. */
static const char *const epilog_text =
    N_("commands while chatting: /msg NAME text, /me action, /nick NEW, /who,\n"
       "/help (the server's list), /quit.  Ctrl-D or Ctrl-C also quit.\n"
       "A line too long for the server (over %d bytes) is not sent: on a terminal\n"
       "it stays in the edit line; from a pipe it is split into lines that fit.\n\n"
       "environment: NO_COLOR (not empty) turns colors off; CHAT_HEARTBEAT_SEC\n"
       "(default %d) is the silence before chat sends /ping.\n\n"
       "exit status:\n"
       "  0  you quit, or the input ended and the server said goodbye\n"
       "  1  could not connect (the message says why and how to check), the\n"
       "     program on the port is not chatd or never greeted, the server\n"
       "     closed the connection or stopped answering (over a pipe, or on a\n"
       "     terminal with reconnects off), or the name was refused when it\n"
       "     could not be asked again\n"
       "  2  bad command line\n\n"
       "If chat cannot connect, run: netprobe HOST PORT\n");

static const struct opt_program chat_program = {
    "chat",      CHAT_VERSION, usage_text,
    epilog_text, chat_table,   sizeof chat_table / sizeof chat_table[0]};

/* The host from the first positional argument (and its port, if it has
 * one), then the port from the second.  Returns 0 or -1 with err set. */
static int opt_target(const char *const pos[], size_t npos, struct chat_opts *o, char *err,
                      size_t cap)
{
    int port = 0, given = 0;
    if (npos >= 1) {
        const char *h = pos[0];
        while (isspace((unsigned char)*h))
            h++;
        if (*h == '\0') {
            snprintf(err, cap, _("invalid HOST \"%s\": give a host name or IP address"), pos[0]);
            return -1;
        }
        given = addr_split_target(pos[0], o->host, sizeof o->host, &port, err, cap);
        if (given < 0)
            return -1;
    }
    if (npos == 2 && given == 1) {
        snprintf(err, cap,
                 _("the port is given twice (\"%s\" and \"%s\"): give HOST:PORT or HOST PORT"),
                 pos[0], pos[1]);
        return -1;
    }
    if (npos == 2) {
        long p;
        if (parse_range(pos[1], 1, 65535, &p) < 0) {
            snprintf(err, cap, _("invalid PORT \"%s\": give a number from 1 to 65535"), pos[1]);
            return -1;
        }
        port = (int)p;
    }
    if (port != 0)
        snprintf(o->port, sizeof o->port, "%d", port);
    return 0;
}

int opts_parse(int argc, char *const argv[], struct chat_opts *o, char *err, size_t errcap)
{
    const char *pos[2];
    size_t npos = 0;

    *o = (struct chat_opts){.timeout_sec = CHAT_CONNECT_TIMEOUT_SEC,
                            .greet_timeout_sec = CHAT_GREET_TIMEOUT_SEC};
    snprintf(o->host, sizeof o->host, "127.0.0.1");
    snprintf(o->port, sizeof o->port, "%d", CHAT_DEFAULT_PORT);
    err[0] = '\0';
    /* No OPT_HELP rows: main() prints the help, so -h among other options
     * is parsed like any flag. */
    if (opt_parse(&chat_program, argc, argv, o, pos, 2, &npos, stdout, err, errcap) != OPT_RUN)
        return -1;
    return opt_target(pos, npos, o, err, errcap);
}

void opts_usage(FILE *out)
{
    /* The numbers come from common/limits.h, formatted into the translated
     * texts; gettext then finds no entry for the result and keeps it. */
    char usage[1024], epilog[2048];
    struct opt_program p = chat_program;
    snprintf(usage, sizeof usage, _(usage_text), CHAT_DEFAULT_PORT);
    snprintf(epilog, sizeof epilog, _(epilog_text), PROTO_LINE_MAX - 1, CHAT_HEARTBEAT_SEC);
    p.usage = usage;
    p.epilog = epilog;
    opt_help(&p, out);
}
