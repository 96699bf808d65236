#include "chat/session.h"

#include <stdio.h>
#include <string.h>

#include "chat/tty.h"
#include "common/clock.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/utf8.h"

int session_send(struct session *s, const char *text)
{
    size_t n = strlen(text);
    if (s->fd < 0)
        return -1;
    if (s->out_len + n + 1 > sizeof s->out) {
        warnf("%s", _("output to the server is backed up; a line was not sent"));
        return -1;
    }
    memcpy(s->out + s->out_len, text, n);
    s->out[s->out_len + n] = '\n';
    s->out_len += n + 1;
    return 0;
}

void session_show(const char *text)
{
    tty_print(text);
}

void session_notice(const struct session *s, const char *text)
{
    if (s->cfg->interactive) {
        char line[2048];
        snprintf(line, sizeof line, "!! %s", text);
        tty_print(line);
    } else {
        errorf("%s", text);
    }
}

void session_clean(const char *text, char *out, size_t cap)
{
    utf8_sanitize(text, strlen(text), out, cap);
}

void session_prompt(const struct session *s)
{
    char name[UTF8_SANITIZED_CAP(PROTO_NAME_MAX)], prompt[sizeof name + 3];
    session_clean(s->me, name, sizeof name);
    /* TRANSLATORS: the prompt while chat asks for your chat name; keep it short. */
    snprintf(prompt, sizeof prompt, "%s> ", name[0] != '\0' ? name : _("name"));
    tty_set_prompt(prompt);
}

void session_finish(struct session *s, int code)
{
    s->exit_code = code;
    s->done = true;
}

void session_start_quit(struct session *s)
{
    if (s->state == ST_QUITTING)
        return;
    s->state = ST_QUITTING;
    s->quit_deadline = clock_ms() + CHAT_QUIT_WAIT_SEC * 1000;
}
