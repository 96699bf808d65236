#include "chat/opts.h"

#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/limits.h"
#include "common/proto.h"

/* What an option does with its value (NULL for flags).  Returns 0 or -1
 * with err set. */
typedef int (*opt_set_fn)(struct chat_opts *o, const char *value, char *err, size_t cap);

struct opt_spec {
    const char *name; /* without the leading "--" */
    char short_name;  /* 0 if none */
    bool takes_value;
    opt_set_fn set;
    const char *help; /* N_(): translated when printed */
};

/* Parses a whole decimal number in lo..hi.  Returns 0 or -1. */
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

static int set_name(struct chat_opts *o, const char *v, char *err, size_t cap)
{
    /* Checked here too so the mistake is reported before connecting. */
    if (!proto_name_valid(v, strlen(v))) {
        snprintf(err, cap,
                 _("invalid --name \"%s\": use 1-%d letters, digits, '-' or '_', starting with "
                   "a letter"),
                 v, PROTO_NAME_MAX);
        return -1;
    }
    o->name = v;
    return 0;
}

static int set_timeout(struct chat_opts *o, const char *v, char *err, size_t cap)
{
    long t;
    if (parse_range(v, 1, OPTS_TIMEOUT_MAX, &t) < 0) {
        snprintf(err, cap, _("invalid --timeout \"%s\": give whole seconds from 1 to %d"), v,
                 OPTS_TIMEOUT_MAX);
        return -1;
    }
    o->timeout_sec = (int)t;
    return 0;
}

static int set_raw(struct chat_opts *o, const char *v, char *err, size_t cap)
{
    (void)v, (void)err, (void)cap;
    o->raw = true;
    return 0;
}

static int set_no_color(struct chat_opts *o, const char *v, char *err, size_t cap)
{
    (void)v, (void)err, (void)cap;
    o->no_color = true;
    return 0;
}

static int set_help(struct chat_opts *o, const char *v, char *err, size_t cap)
{
    (void)v, (void)err, (void)cap;
    o->help = true;
    return 0;
}

static int set_version(struct chat_opts *o, const char *v, char *err, size_t cap)
{
    (void)v, (void)err, (void)cap;
    o->version = true;
    return 0;
}

static const struct opt_spec opt_table[] = {
    {"name", 'n', true, set_name, N_("your chat name (asked on the terminal if not given)")},
    {"timeout", 't', true, set_timeout, N_("seconds to wait for the connection (default 5)")},
    {"raw", 0, false, set_raw, N_("print the server's protocol lines unchanged")},
    {"no-color", 0, false, set_no_color, N_("no colors (also when NO_COLOR is set)")},
    {"help", 'h', false, set_help, N_("this help")},
    {"version", 'V', false, set_version, N_("print the version")},
};
#define OPT_COUNT (sizeof opt_table / sizeof opt_table[0])

/* Finds the spec for "--name[=v]" or "-n"; sets *inline_value for "=v". */
static const struct opt_spec *opt_find(const char *arg, const char **inline_value)
{
    *inline_value = NULL;
    for (size_t i = 0; i < OPT_COUNT; i++) {
        const struct opt_spec *s = &opt_table[i];
        if (arg[1] != '-') {
            if (s->short_name != 0 && arg[1] == s->short_name && arg[2] == '\0')
                return s;
            continue;
        }
        size_t n = strlen(s->name);
        if (strncmp(arg + 2, s->name, n) != 0)
            continue;
        if (arg[2 + n] == '\0')
            return s;
        if (arg[2 + n] == '=' && s->takes_value) {
            *inline_value = arg + 3 + n;
            return s;
        }
    }
    return NULL;
}

/* Handles the option at argv[*i], consuming its value.  0 or -1. */
static int opt_apply(int argc, char *const argv[], int *i, struct chat_opts *o, char *err,
                     size_t cap)
{
    const char *arg = argv[*i], *value = NULL;
    const struct opt_spec *s = opt_find(arg, &value);
    if (s == NULL) {
        snprintf(err, cap, _("unknown option \"%s\" (see chat --help)"), arg);
        return -1;
    }
    if (s->takes_value && value == NULL) {
        if (*i + 1 >= argc) {
            snprintf(err, cap, _("option \"%s\" needs a value (see chat --help)"), arg);
            return -1;
        }
        value = argv[++*i];
    }
    return s->set(o, value, err, cap);
}

/* Takes HOST and PORT from the positional arguments. */
static int opt_positional(const char *const pos[], int npos, struct chat_opts *o, char *err,
                          size_t cap)
{
    long port;
    if (npos > 2) {
        snprintf(err, cap, _("unexpected argument \"%s\": give at most HOST and PORT"), pos[2]);
        return -1;
    }
    if (npos >= 1) {
        if (pos[0][0] == '\0' || strlen(pos[0]) > 253) {
            snprintf(err, cap, _("invalid HOST \"%s\": give a host name or IP address"), pos[0]);
            return -1;
        }
        o->host = pos[0];
    }
    if (npos == 2) {
        if (parse_range(pos[1], 1, 65535, &port) < 0) {
            snprintf(err, cap, _("invalid PORT \"%s\": give a number from 1 to 65535"), pos[1]);
            return -1;
        }
        snprintf(o->port, sizeof o->port, "%ld", port);
    }
    return 0;
}

int opts_parse(int argc, char *const argv[], struct chat_opts *o, char *err, size_t errcap)
{
    const char *pos[3];
    int npos = 0;
    bool only_positional = false;

    *o = (struct chat_opts){.host = "127.0.0.1", .timeout_sec = CHAT_CONNECT_TIMEOUT_SEC};
    snprintf(o->port, sizeof o->port, "%d", CHAT_DEFAULT_PORT);
    err[0] = '\0';
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!only_positional && strcmp(a, "--") == 0) {
            only_positional = true;
        } else if (!only_positional && a[0] == '-' && a[1] != '\0') {
            if (opt_apply(argc, argv, &i, o, err, errcap) < 0)
                return -1;
        } else if (npos < 3) {
            pos[npos++] = a;
        }
    }
    return opt_positional(pos, npos, o, err, errcap);
}

void opts_usage(FILE *out)
{
    /* TRANSLATORS: keep the option names, HOST, PORT and the commands as
       they are; only the explanations are for translating. */
    fprintf(out,
            _("usage: chat [OPTIONS] [HOST [PORT]]\n\n"
              "Connects to a chatd server (default 127.0.0.1 port %d) and chats.\n"
              "On a terminal you type lines; incoming messages never mess up the line\n"
              "you are typing.  With stdin not a terminal, each input line is sent as it\n"
              "comes and chat sends /quit at the end of the input.\n\noptions:\n"),
            CHAT_DEFAULT_PORT);
    for (size_t i = 0; i < OPT_COUNT; i++) {
        const struct opt_spec *s = &opt_table[i];
        char left[40];
        snprintf(left, sizeof left, "%c%c%s--%s%s", s->short_name ? '-' : ' ',
                 s->short_name ? s->short_name : ' ', s->short_name ? ", " : "  ", s->name,
                 s->takes_value ? (strcmp(s->name, "name") == 0 ? " NAME" : " SEC") : "");
        fprintf(out, "  %-22s %s\n", left, _(s->help));
    }
    fprintf(out,
            _("\ncommands while chatting: /msg NAME text, /me action, /nick NEW, /who,\n"
              "/help (the server's list), /quit.  Ctrl-D or Ctrl-C also quit.\n\n"
              "environment: NO_COLOR (not empty) turns colors off; CHAT_HEARTBEAT_SEC\n"
              "(default %d) is the silence before chat sends /ping.\n\n"
              "exit status:\n"
              "  0  you quit, or the input ended and the server said goodbye\n"
              "  1  could not connect (the message says why and how to check), the\n"
              "     server closed the connection or stopped answering, or the name\n"
              "     was refused when it could not be asked again\n"
              "  2  bad command line\n\n"
              "If chat cannot connect, run: netprobe HOST PORT\n"),
            CHAT_HEARTBEAT_SEC);
}
