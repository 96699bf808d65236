/*
 * render.h - one server line (docs/protocol.md) turned into text for people.
 *
 *   MSG alice hi            <alice> hi
 *   PRIV alice bob psst     *alice* psst        (to bob)
 *                           -> *bob* psst       (the echo alice gets)
 *   ACT alice waves         * alice waves
 *   NOTICE join bob ...     -- bob joined (3 online)
 *   NOTICE presence 37 5 10000 text     -- text (joins and leaves summed up)
 *   NOTICE newevent text    -- text             (an unknown event: never dropped)
 *   OK who 2 alice bob      -- online (2): alice bob
 *   OK who+ carol dave      --    carol dave     (a long /who goes on)
 *   ERR code text           !! text
 *   ASK name text           ?? text
 *   PING / PONG             (nothing: heartbeats are not for people)
 *
 * Text from the server is copied as bytes, never used as a format, and is
 * sanitized again (utf8_sanitize: control characters and invalid UTF-8
 * become U+FFFD) so a hostile server cannot drive the terminal.
 */
#ifndef CHAT_RENDER_H
#define CHAT_RENDER_H

#include <stdbool.h>
#include <stddef.h>

enum render_kind {
    RENDER_HIDDEN = 0, /* nothing to show (PING, PONG, empty line) */
    RENDER_MSG,
    RENDER_PRIV,
    RENDER_ACT,
    RENDER_NOTICE,
    RENDER_OK,
    RENDER_ERR,
    RENDER_ASK,
    RENDER_OTHER, /* an unknown kind: shown as it came */
};

struct render_ctx {
    const char *me; /* our name (for the PRIV echo), NULL before we have one */
    bool color;     /* add ANSI colors */
};

/* Renders line (no LF) into out, always NUL-terminated and truncated to
 * cap.  Returns the line's kind. */
enum render_kind render_line(const char *line, const struct render_ctx *ctx, char *out, size_t cap);

#endif
