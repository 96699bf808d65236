/* commands.c - the chat protocol: names, messages and the command table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "chatd/client.h"
#include "chatd/commands.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/proto.h"
#include "common/utf8.h"

typedef void (*command_fn)(struct server *s, struct client *c, char *argv[], int argc);

/* One row per command: the dispatcher checks the arguments and whether a
 * name is needed from it, and /help prints it. */
struct command {
    const char *name;
    command_fn fn;
    int min_args, max_args;
    bool rest;       /* the last argument is the rest of the line */
    bool needs_name; /* ERR no_name before a name is chosen */
    const char *usage;
    const char *help; /* N_(): translated when sent */
};

static void cmd_nick(struct server *s, struct client *c, char *argv[], int argc);
static void cmd_who(struct server *s, struct client *c, char *argv[], int argc);
static void cmd_msg(struct server *s, struct client *c, char *argv[], int argc);
static void cmd_me(struct server *s, struct client *c, char *argv[], int argc);
static void cmd_quit(struct server *s, struct client *c, char *argv[], int argc);
static void cmd_help(struct server *s, struct client *c, char *argv[], int argc);
static void cmd_ping(struct server *s, struct client *c, char *argv[], int argc);
static void cmd_pong(struct server *s, struct client *c, char *argv[], int argc);

static const struct command commands[] = {
    {"nick", cmd_nick, 1, 1, false, true, "/nick NEW", N_("change your name")},
    {"who", cmd_who, 0, 0, false, true, "/who", N_("who is online")},
    {"msg", cmd_msg, 2, 2, true, true, "/msg NAME text", N_("private message to NAME only")},
    {"me", cmd_me, 1, 1, true, true, "/me action", N_("an action line: * you do something")},
    {"quit", cmd_quit, 0, 1, true, false, "/quit [reason]",
     N_("leave; the reason is shown to all")},
    {"help", cmd_help, 0, 0, false, false, "/help", N_("this list")},
    {"ping", cmd_ping, 1, 1, false, false, "/ping TOKEN", N_("heartbeat; answered by PONG TOKEN")},
    {"pong", cmd_pong, 1, 1, false, false, "/pong TOKEN", N_("answer to the server's PING TOKEN")},
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

size_t chat_command_count(void)
{
    return COMMAND_COUNT;
}

void chat_command_help(size_t i, char *out, size_t cap)
{
    snprintf(out, cap, "OK help %s: %s", commands[i].usage, _(commands[i].help));
}

/* Queues line for every named client that is not closing. */
static void broadcast(struct server *s, const char *line, size_t len)
{
    /* client_send() only marks a client closing; nothing is unlinked here. */
    for (struct client *c = s->first; c != NULL; c = c->next)
        client_send(s, c, line, len);
}

/* Formats one line and sends it to every named client. */
static void broadcastf(struct server *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void broadcastf(struct server *s, const char *fmt, ...)
{
    char line[PROTO_OUT_MAX];
    va_list ap;
    va_start(ap, fmt);
    size_t len = proto_vformat(line, sizeof line, fmt, ap);
    va_end(ap);
    broadcast(s, line, len);
}

/* Asks c for a name.  The kind and code of every line stay English; the
 * text after them is for people, in the server's language. */
static void ask_name(struct server *s, struct client *c)
{
    client_sendf(s, c, "ASK name %s",
                 _("Choose a name: 1-16 letters, digits, '-' or '_', starting with a letter."));
}

void chat_greet(struct server *s, struct client *c)
{
    char text[PROTO_OUT_MAX];
    snprintf(text, sizeof text,
             ngettext("chatd %s on %s: %zu online. Send /help for commands.",
                      "chatd %s on %s: %zu online. Send /help for commands.", s->nnamed),
             CHAT_VERSION, s->hostname, s->nnamed);
    client_sendf(s, c, "NOTICE welcome %s", text);
    ask_name(s, c);
}

void chat_leave(struct server *s, struct client *c)
{
    if (c->reason == DROP_SHUTDOWN)
        return; /* everyone got NOTICE shutdown instead */
    char text[PROTO_OUT_MAX];
    if (c->reason == DROP_QUIT && c->detail != NULL)
        snprintf(text, sizeof text, _("%s left (quit: %s)"), c->name, c->detail);
    else
        snprintf(text, sizeof text, _("%s left (%s)"), c->name, client_reason_leave(c->reason));
    broadcastf(s, "NOTICE leave %s %s", c->name, text);
}

/* Lists c under its name and announces it. */
static void accept_name(struct server *s, struct client *c, const char *name)
{
    snprintf(c->name, sizeof c->name, "%s", name);
    c->name_entry.name = c->name;
    if (names_add(&s->names, &c->name_entry) < 0) {
        client_drop(s, c, DROP_NO_MEMORY, NULL);
        return;
    }
    c->state = CS_CHAT;
    s->nnamed++;
    c->prev = s->last;
    c->next = NULL;
    if (s->last != NULL)
        s->last->next = c;
    else
        s->first = c;
    s->last = c;
    char peer[ADDR_TEXT_MAX + 16];
    client_peer_text(c, peer, sizeof peer);
    logf_ts(ngettext("name %s: %s (%zu online)", "name %s: %s (%zu online)", s->nnamed), peer,
            c->name, s->nnamed);
    char text[PROTO_OUT_MAX];
    snprintf(text, sizeof text, _("welcome, %s!"), c->name);
    client_sendf(s, c, "OK name %s %s", c->name, text);
    snprintf(text, sizeof text,
             ngettext("%s joined (%zu online)", "%s joined (%zu online)", s->nnamed), c->name,
             s->nnamed);
    broadcastf(s, "NOTICE join %s %s", c->name, text);
}

/* Checks a name for c; sends the error and returns false if it cannot be
 * used.  c itself may already hold it (a change of case). */
static bool name_usable(struct server *s, struct client *c, const char *name, size_t len)
{
    char text[PROTO_OUT_MAX];
    if (!proto_name_valid(name, len)) {
        snprintf(text, sizeof text,
                 _("\"%.40s\" is not a valid name: use 1-16 letters, digits, '-' or '_', "
                   "starting with a letter"),
                 name);
        client_sendf(s, c, "ERR name_invalid %s", text);
        return false;
    }
    struct names_entry *e = names_find(&s->names, name);
    if (e != NULL && e != &c->name_entry) {
        snprintf(text, sizeof text, _("the name \"%s\" is taken; choose another"), name);
        client_sendf(s, c, "ERR name_taken %s", text);
        return false;
    }
    return true;
}

static void name_attempt(struct server *s, struct client *c, const char *name, size_t len)
{
    if (name_usable(s, c, name, len))
        accept_name(s, c, name);
    else
        ask_name(s, c);
}

static void cmd_nick(struct server *s, struct client *c, char *argv[], int argc)
{
    (void)argc;
    if (!name_usable(s, c, argv[0], strlen(argv[0])))
        return;
    char old[sizeof c->name];
    snprintf(old, sizeof old, "%s", c->name);
    names_remove(&s->names, &c->name_entry);
    snprintf(c->name, sizeof c->name, "%s", argv[0]);
    /* Cannot fail: a name was just removed, so the table need not grow. */
    (void)names_add(&s->names, &c->name_entry);
    logf_ts(_("rename %s -> %s"), old, c->name);
    char text[PROTO_OUT_MAX];
    snprintf(text, sizeof text, _("you are now %s"), c->name);
    client_sendf(s, c, "OK nick %s %s", c->name, text);
    snprintf(text, sizeof text, _("%s is now known as %s"), old, c->name);
    broadcastf(s, "NOTICE rename %s %s %s", old, c->name, text);
}

/* Starts a "OK who+" continuation line at buf + *n. */
static void who_continue(char *buf, size_t *n)
{
    static const char more[] = "OK who+";
    memcpy(buf + *n, more, sizeof more - 1);
    *n += sizeof more - 1;
}

/* The names in join order: "OK who COUNT NAME..." and, past
 * CHATD_WHO_LINE_MAX, "OK who+ NAME..." lines.  The lines are batched in
 * buf so a big room costs a few queue appends, not one per line. */
static void cmd_who(struct server *s, struct client *c, char *argv[], int argc)
{
    (void)argv;
    (void)argc;
    char buf[8 * CHATD_WHO_LINE_MAX];
    size_t n = (size_t)snprintf(buf, sizeof buf, "OK who %zu", s->nnamed), line = 0;
    for (struct client *o = s->first; o != NULL; o = o->next) {
        if (o->flags & CF_CLOSING)
            continue;
        size_t len = strlen(o->name);
        if (n - line + 1 + len + 1 >= CHATD_WHO_LINE_MAX) { /* " NAME" and the LF */
            buf[n++] = '\n';
            if (n + CHATD_WHO_LINE_MAX > sizeof buf) {
                client_send(s, c, buf, n);
                n = 0;
            }
            line = n;
            who_continue(buf, &n);
        }
        buf[n++] = ' ';
        memcpy(buf + n, o->name, len);
        n += len;
    }
    buf[n++] = '\n';
    client_send(s, c, buf, n);
}

static void cmd_msg(struct server *s, struct client *c, char *argv[], int argc)
{
    (void)argc;
    struct names_entry *e = names_find(&s->names, argv[0]);
    if (e == NULL) {
        char text[PROTO_OUT_MAX];
        snprintf(text, sizeof text, _("nobody called \"%.40s\" is online (see /who)"), argv[0]);
        client_sendf(s, c, "ERR no_such_user %s", text);
        return;
    }
    struct client *to = (struct client *)((char *)e - offsetof(struct client, name_entry));
    char line[PROTO_OUT_MAX];
    size_t len = proto_format(line, sizeof line, "PRIV %s %s %s", c->name, to->name, argv[1]);
    client_send(s, to, line, len);
    if (to != c)
        client_send(s, c, line, len);
}

static void cmd_me(struct server *s, struct client *c, char *argv[], int argc)
{
    (void)argc;
    broadcastf(s, "ACT %s %s", c->name, argv[0]);
}

static void cmd_quit(struct server *s, struct client *c, char *argv[], int argc)
{
    /* TRANSLATORS: the server's answer to /quit. */
    client_sendf(s, c, "OK quit %s", _("bye"));
    client_drop(s, c, DROP_QUIT, argc > 0 ? argv[0] : NULL);
}

static void cmd_help(struct server *s, struct client *c, char *argv[], int argc)
{
    (void)argv;
    (void)argc;
    char line[256];
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        chat_command_help(i, line, sizeof line);
        client_sendf(s, c, "%s", line);
    }
}

static void cmd_ping(struct server *s, struct client *c, char *argv[], int argc)
{
    (void)argc;
    if (!proto_token_valid(argv[0], strlen(argv[0])))
        client_sendf(s, c, "ERR bad_args %s", _("usage: /ping TOKEN (1-32 of A-Z a-z 0-9 _ -)"));
    else
        client_sendf(s, c, "PONG %s", argv[0]);
}

static void cmd_pong(struct server *s, struct client *c, char *argv[], int argc)
{
    (void)argc;
    /* Any bytes already count as activity; only the token is checked. */
    if (!proto_token_valid(argv[0], strlen(argv[0])))
        client_sendf(s, c, "ERR bad_args %s", _("usage: /pong TOKEN (1-32 of A-Z a-z 0-9 _ -)"));
}

static const struct command *find_command(const char *name, size_t len)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strlen(commands[i].name) == len && strncasecmp(commands[i].name, name, len) == 0)
            return &commands[i];
    return NULL;
}

static void run_command(struct server *s, struct client *c, const struct proto_input *in)
{
    const struct command *cmd = find_command(in->cmd, in->cmd_len);
    if (cmd == NULL) {
        char text[PROTO_OUT_MAX];
        snprintf(text, sizeof text, _("/%.*s is not a command; send /help for the list"),
                 in->cmd_len > 32 ? 32 : (int)in->cmd_len, in->cmd);
        client_sendf(s, c, "ERR unknown_command %s", text);
        return;
    }
    if (cmd->needs_name && c->state != CS_CHAT) {
        client_sendf(s, c, "ERR no_name %s",
                     _("choose a name first: send it on a line of its own"));
        return;
    }
    char *argv[PROTO_ARGS_MAX];
    int argc = proto_split_args((char *)in->text, cmd->max_args, cmd->rest, argv);
    if (argc < cmd->min_args) {
        char text[PROTO_OUT_MAX];
        /* TRANSLATORS: %s is the command's usage, e.g. "/msg NAME text". */
        snprintf(text, sizeof text, _("usage: %s"), cmd->usage);
        client_sendf(s, c, "ERR bad_args %s", text);
        return;
    }
    cmd->fn(s, c, argv, argc);
}

size_t chat_line(struct server *s, struct client *c, char *line, size_t len)
{
    char clean[UTF8_SANITIZED_CAP(PROTO_LINE_MAX)];
    size_t n = utf8_sanitize(line, len, clean, sizeof clean);
    struct proto_input in;
    proto_parse_input(clean, n, &in);
    if (in.kind == PROTO_COMMAND)
        run_command(s, c, &in);
    else if (in.kind != PROTO_EMPTY && c->state == CS_NAMING)
        name_attempt(s, c, in.text, in.len);
    else if (in.kind != PROTO_EMPTY)
        broadcastf(s, "MSG %s %s", c->name, in.text);
    return n;
}
