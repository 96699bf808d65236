#include "chat/render.h"

#include <stdio.h>
#include <string.h>

#include "common/i18n.h"
#include "common/proto.h"
#include "common/utf8.h"

/* ANSI SGR sequences; empty strings when colors are off. */
#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_NOTICE "\033[32m"
#define C_PRIV "\033[35m"
#define C_ACT "\033[33m"
#define C_ERR "\033[1;31m"
#define C_ASK "\033[1;36m"

/* A bounded output buffer. */
struct out {
    char *p;
    size_t cap, len;
    size_t reserve; /* room kept for the final reset and the NUL */
    bool color;
};

/* Appends n bytes of server text.  chatd already sanitized it; doing it
 * again costs little and keeps a hostile server from driving the
 * terminal with escape sequences. */
static void put_text(struct out *o, const char *s, size_t n)
{
    if (o->len + o->reserve >= o->cap)
        return;
    /* Room for the text, keeping the reserve; utf8_sanitize counts its NUL. */
    size_t room = o->cap - o->len - o->reserve + 1;
    o->len += utf8_sanitize(s, n, o->p + o->len, room);
}

static void put_str(struct out *o, const char *s)
{
    put_text(o, s, strlen(s));
}

/* Appends an escape sequence, only with colors on.  A color is opened only
 * if the reset still fits after it, so a short buffer never leaves the
 * terminal colored (found by fuzz/chat_render.c). */
static void put_color(struct out *o, const char *sgr)
{
    if (!o->color)
        return;
    size_t n = strlen(sgr);
    size_t after = strcmp(sgr, C_RESET) == 0 ? 1 : o->reserve;
    if (o->len + n + after <= o->cap) {
        memcpy(o->p + o->len, sgr, n + 1);
        o->len += n;
    }
}

/* A field of the line: pointer and length. */
struct field {
    const char *p;
    size_t n;
};

/* Splits off the first n space-separated words of line into f[]; the rest
 * of the line (after one space) is the text.  Missing words are empty. */
static const char *split(const char *line, struct field f[], size_t n)
{
    const char *s = line;
    for (size_t i = 0; i < n; i++) {
        const char *sp = strchr(s, ' ');
        size_t len = sp != NULL ? (size_t)(sp - s) : strlen(s);
        f[i] = (struct field){s, len};
        s += len;
        if (*s == ' ')
            s++;
    }
    return s;
}

static bool field_is(struct field f, const char *s)
{
    return f.n == strlen(s) && strncmp(f.p, s, f.n) == 0;
}

static void render_msg(struct out *o, const char *line, const struct render_ctx *ctx)
{
    struct field f[2];
    const char *text = split(line, f, 2);
    (void)ctx;
    put_str(o, "<");
    put_color(o, C_BOLD);
    put_text(o, f[1].p, f[1].n);
    put_color(o, C_RESET);
    put_str(o, "> ");
    put_str(o, text);
}

static void render_priv(struct out *o, const char *line, const struct render_ctx *ctx)
{
    struct field f[3];
    const char *text = split(line, f, 3);
    char from[PROTO_NAME_MAX + 1];
    bool mine = false;
    if (ctx->me != NULL && f[1].n < sizeof from) {
        memcpy(from, f[1].p, f[1].n);
        from[f[1].n] = '\0';
        mine = proto_name_equal(from, ctx->me);
    }
    put_color(o, C_PRIV);
    if (mine) {
        put_str(o, "-> *");
        put_text(o, f[2].p, f[2].n);
    } else {
        put_str(o, "*");
        put_text(o, f[1].p, f[1].n);
    }
    put_str(o, "* ");
    put_str(o, text);
    put_color(o, C_RESET);
}

static void render_act(struct out *o, const char *line, const struct render_ctx *ctx)
{
    struct field f[2];
    const char *text = split(line, f, 2);
    (void)ctx;
    put_color(o, C_ACT);
    put_str(o, "* ");
    put_text(o, f[1].p, f[1].n);
    put_str(o, " ");
    put_str(o, text);
    put_color(o, C_RESET);
}

/* Notice events and how many fields (names, numbers) come before their
 * text.  "presence JOINED LEFT ONLINE text" sums up joins and leaves in a
 * big room.  An event not listed here shows all that follows it. */
static const struct {
    const char *event;
    size_t fields;
} notice_events[] = {
    {"welcome", 0}, {"join", 1},     {"leave", 1},    {"rename", 2},
    {"flood", 0},   {"shutdown", 0}, {"presence", 3},
};

static void render_notice(struct out *o, const char *line, const struct render_ctx *ctx)
{
    struct field f[5];
    size_t fields = 0;
    (void)ctx;
    const char *after = split(line, f, 1);
    split(line, f, 2);
    for (size_t i = 0; i < sizeof notice_events / sizeof notice_events[0]; i++)
        if (field_is(f[1], notice_events[i].event))
            fields = notice_events[i].fields;
    const char *text = split(line, f, 2 + fields);
    put_color(o, C_NOTICE);
    put_str(o, "-- ");
    /* Never nothing: without text, the event and its fields are shown. */
    put_str(o, *text != '\0' ? text : after);
    put_color(o, C_RESET);
}

static void render_ok(struct out *o, const char *line, const struct render_ctx *ctx)
{
    struct field f[3];
    (void)ctx;
    split(line, f, 2);
    bool who = field_is(f[1], "who");
    /* "OK who+ NAMES..." continues a long /who answer. */
    bool more = field_is(f[1], "who+");
    /* "OK name NAME text" and "OK nick NEW text" carry the name first. */
    bool named = field_is(f[1], "name") || field_is(f[1], "nick");
    const char *text = split(line, f, who || named ? 3 : 2);
    put_color(o, C_NOTICE);
    put_str(o, more ? "--    " : "-- ");
    if (who) {
        char count[16], head[64];
        snprintf(count, sizeof count, "%.*s", (int)f[2].n, f[2].p);
        /* TRANSLATORS: the start of the /who answer; %s is how many are
           online, the names follow. */
        snprintf(head, sizeof head, _("online (%s): "), count);
        put_str(o, head);
    }
    put_str(o, text);
    put_color(o, C_RESET);
}

static void render_err(struct out *o, const char *line, const struct render_ctx *ctx)
{
    struct field f[2];
    const char *text = split(line, f, 2);
    (void)ctx;
    put_color(o, C_ERR);
    put_str(o, "!! ");
    put_str(o, *text != '\0' ? text : _("error"));
    put_color(o, C_RESET);
}

static void render_ask(struct out *o, const char *line, const struct render_ctx *ctx)
{
    struct field f[2];
    const char *text = split(line, f, 2);
    (void)ctx;
    put_color(o, C_ASK);
    put_str(o, "?? ");
    put_str(o, text);
    put_color(o, C_RESET);
}

typedef void (*render_fn)(struct out *o, const char *line, const struct render_ctx *ctx);

/* Kind word -> how to show it.  A NULL function hides the line. */
static const struct {
    const char *word;
    enum render_kind kind;
    render_fn fn;
} kinds[] = {
    {"MSG", RENDER_MSG, render_msg}, {"PRIV", RENDER_PRIV, render_priv},
    {"ACT", RENDER_ACT, render_act}, {"NOTICE", RENDER_NOTICE, render_notice},
    {"OK", RENDER_OK, render_ok},    {"ERR", RENDER_ERR, render_err},
    {"ASK", RENDER_ASK, render_ask}, {"PING", RENDER_HIDDEN, NULL},
    {"PONG", RENDER_HIDDEN, NULL},
};

enum render_kind render_line(const char *line, const struct render_ctx *ctx, char *out, size_t cap)
{
    struct out o = {out, cap, 0, ctx->color ? sizeof C_RESET : 1, ctx->color};
    struct field f[1];

    if (cap == 0)
        return RENDER_HIDDEN;
    out[0] = '\0';
    if (line[0] == '\0')
        return RENDER_HIDDEN;
    split(line, f, 1);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (!field_is(f[0], kinds[i].word))
            continue;
        if (kinds[i].fn != NULL)
            kinds[i].fn(&o, line, ctx);
        return kinds[i].kind;
    }
    put_str(&o, line);
    return RENDER_OTHER;
}
