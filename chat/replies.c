#include "chat/replies.h"

#include <stdio.h>
#include <string.h>

#include "chat/render.h"
#include "chat/retry.h"
#include "common/clock.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/proto.h"
#include "common/utf8.h"

/* Copies the first space-separated word of src into dst (cut to cap). */
static void copy_word(char *dst, size_t cap, const char *src)
{
    size_t n = strcspn(src, " ");
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* The name to offer now: the one to take back after a reconnect, then
 * --name once; NULL when the user must answer. */
static const char *name_to_offer(struct session *s, char *buf, size_t cap)
{
    if (s->wanted[0] != '\0' && s->name_try < RETRY_NAMES) {
        retry_name(s->wanted, s->name_try, buf, cap);
        return buf;
    }
    if (s->cfg->opts->name != NULL && !s->name_offered) {
        s->name_offered = true;
        return s->cfg->opts->name;
    }
    return NULL;
}

static void on_ask(struct session *s, const char *line)
{
    char buf[PROTO_NAME_MAX + 1];
    (void)line;
    const char *name = name_to_offer(s, buf, sizeof buf);
    if (name != NULL)
        session_send(s, name);
    else if (s->cfg->interactive)
        session_prompt(s);
    else
        s->want_name_line = true;
}

/* Tells the user which name they have after a reconnect. */
static void tell_name_back(struct session *s)
{
    char msg[256], me[UTF8_SANITIZED_CAP(PROTO_NAME_MAX)];
    session_clean(s->me, me, sizeof me);
    if (proto_name_equal(s->me, s->wanted))
        snprintf(msg, sizeof msg, _("reconnected: you are %s again"), me);
    else
        snprintf(msg, sizeof msg, _("reconnected: the name %s was taken, so you are %s now"),
                 s->wanted, me);
    session_notice(s, msg);
    s->wanted[0] = '\0';
}

static void on_ok(struct session *s, const char *line)
{
    if (strncmp(line, "OK quit", 7) == 0 && (line[7] == '\0' || line[7] == ' ')) {
        s->got_quit_ok = true;
        return;
    }
    if (strncmp(line, "OK name ", 8) != 0 && strncmp(line, "OK nick ", 8) != 0)
        return;
    /* Kept as sent (it names us in PRIV echoes); every display of it goes
     * through the sanitizer. */
    copy_word(s->me, sizeof s->me, line + 8);
    if (s->state == ST_NAMING)
        s->state = ST_CHATTING;
    if (s->wanted[0] != '\0')
        tell_name_back(s);
    session_prompt(s);
}

/* A name refused while naming: after a reconnect the next candidate is
 * offered at the next ASK; over a pipe nobody can answer, so it ends. */
static void on_name_refused(struct session *s, const char *line)
{
    if (s->wanted[0] != '\0') {
        /* name_invalid: no variant of it will do; the user picks one. */
        if (strncmp(line, "ERR name_taken", 14) == 0 && ++s->name_try < RETRY_NAMES)
            return;
        s->wanted[0] = '\0';
        return;
    }
    if (s->cfg->interactive)
        return;
    const char *name = s->cfg->opts->name;
    char why[UTF8_SANITIZED_CAP(256)];
    session_clean(s->last_reason, why, sizeof why);
    errorf(_("the server refused the name \"%s\": %s. Over a pipe chat cannot ask again: "
             "run it again with another --name"),
           name != NULL ? name : _("(first input line)"), why);
    session_finish(s, CHAT_EXIT_FAIL);
}

static void on_err(struct session *s, const char *line)
{
    const char *text = strchr(line + 4, ' ');
    snprintf(s->last_reason, sizeof s->last_reason, "%s", text != NULL ? text + 1 : line + 4);
    if (strncmp(line, "ERR name_", 9) == 0 && s->state == ST_NAMING)
        on_name_refused(s, line);
}

static void on_notice(struct session *s, const char *line)
{
    if (strncmp(line, "NOTICE shutdown ", 16) == 0)
        snprintf(s->last_reason, sizeof s->last_reason, "%s", line + 16);
}

static void on_ping(struct session *s, const char *line)
{
    char reply[PROTO_TOKEN_MAX + 16];
    char token[PROTO_TOKEN_MAX + 1];
    copy_word(token, sizeof token, line + 5);
    if (!proto_token_valid(token, strlen(token)))
        return; /* not a token the server could expect back */
    snprintf(reply, sizeof reply, "/pong %s", token);
    session_send(s, reply);
}

/* What a server line makes the client do, besides showing it. */
static const struct {
    const char *prefix;
    void (*fn)(struct session *s, const char *line);
} reactions[] = {
    {"ASK name", on_ask},   {"OK ", on_ok},     {"ERR ", on_err},
    {"NOTICE ", on_notice}, {"PING ", on_ping},
};

void replies_line(struct session *s, const char *line)
{
    /* Sanitizing may triple the size; the rest is colors and decoration. */
    static char shown[UTF8_SANITIZED_CAP(LINEBUF_MAX) + 64];
    struct render_ctx ctx = {s->me[0] != '\0' ? s->me : NULL, s->cfg->color};

    beat_rx(&s->beat, clock_ms());
    if (s->cfg->opts->raw) {
        session_clean(line, shown, sizeof shown);
        session_show(shown);
    } else if (render_line(line, &ctx, shown, sizeof shown) != RENDER_HIDDEN) {
        session_show(shown);
    }
    for (size_t i = 0; i < sizeof reactions / sizeof reactions[0]; i++)
        if (strncmp(line, reactions[i].prefix, strlen(reactions[i].prefix)) == 0)
            reactions[i].fn(s, line);
}
