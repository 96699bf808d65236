/*
 * session.h - the state of one chat run, shared by the modules that serve
 * it, and the few things they all do with it: queue a line for the
 * server, show a line to the user, set the prompt, end the run.
 *
 * One run may use several connections (interactive chat reconnects); the
 * fields marked "per connection" are reset by link_attach().
 */
#ifndef CHAT_SESSION_H
#define CHAT_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "chat/beat.h"
#include "chat/client.h"
#include "chat/linebuf.h"
#include "common/limits.h"

/* Bytes waiting to go to the server.  Input is not read while less than
 * two buffers' worth fits (a typed line may be split into several), so a
 * server that stops reading slows us down instead of growing memory. */
#define SESSION_OUT_MAX (64 * 1024)

enum session_state {
    ST_OFFLINE,  /* no connection: waiting to reconnect (interactive only) */
    ST_GREETING, /* connected, chatd's first line not seen yet */
    ST_NAMING,   /* greeted, before "OK name" */
    ST_CHATTING, /* named */
    ST_QUITTING, /* we sent /quit; waiting for the server to close */
};

struct session {
    int fd; /* -1 while offline */
    const struct client_config *cfg;
    enum session_state state;
    /* per connection */
    bool name_offered; /* the automatic name was sent */
    bool greet_warned; /* interactive: told that nothing answered yet */
    bool got_quit_ok;  /* the server answered our /quit */
    unsigned name_try; /* retry_name() index while taking back `wanted` */
    int64_t greet_deadline;
    int64_t quit_deadline;
    char last_reason[LINEBUF_MAX + 1]; /* text of the last ERR/shutdown, raw */
    struct beat beat;
    struct linebuf net;
    size_t out_len;
    char out[SESSION_OUT_MAX];
    /* for the whole run */
    bool was_chatd;      /* some connection of this run greeted like chatd */
    bool want_name_line; /* pipe mode: the next input line is the name */
    bool input_eof;
    char me[PROTO_NAME_MAX + 1];     /* our name, as the server said it */
    char wanted[PROTO_NAME_MAX + 1]; /* the name to take back after a drop */
    unsigned retries;                /* reconnect attempts since the drop */
    int64_t retry_at;                /* when to reconnect, while offline */
    int exit_code;
    bool done;
    struct linebuf in;
};

/* Queues text + LF for the server.  Returns 0, or -1 (with a warning)
 * when the queue is full or there is no connection. */
int session_send(struct session *s, const char *text);

/* Shows a line (already safe for a terminal) without disturbing what the
 * user types. */
void session_show(const char *text);

/* Tells the user something about the connection: on a terminal above
 * the edit line, else on stderr.  text is ours (not the server's). */
void session_notice(const struct session *s, const char *text);

/* Sets the readline prompt to "NAME> " (or "name> " before there is one);
 * the name is sanitized (it comes from the server). */
void session_prompt(const struct session *s);

/* Writes the server's text sanitized into out (common/utf8.c), for
 * messages that quote it. */
void session_clean(const char *text, char *out, size_t cap);

/* Ends the run with code; the loop stops at its next turn. */
void session_finish(struct session *s, int code);

/* Enters ST_QUITTING with the /quit answer awaited until its deadline. */
void session_start_quit(struct session *s);

#endif
