/*
 * Fuzz target: chat/render.c, how chat shows a line from whatever answers
 * on the server's port.
 *
 * The first byte chooses colours on or off, our own name and the output
 * size; the rest (up to a NUL) is the server line.  Invariants: the output
 * is NUL-terminated inside its buffer; the only escape sequences in it are
 * chat's own colours (none with colours off), and the last one is a reset,
 * so a line never leaves the terminal coloured; everything else is valid
 * UTF-8 without controls, bidirectional or invisible characters; and the
 * kind returned is the line's first word.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/render.h"
#include "common/utf8.h"
#include "fuzz/support/check.h"

/* chat's own SGR sequences (chat/render.c); a reset is the first. */
static const char *const own_colors[] = {
    "\033[0m", "\033[1m", "\033[32m", "\033[35m", "\033[33m", "\033[1;31m", "\033[1;36m",
};

/* Length of chat's colour sequence at s, 0 if s does not start one. */
static size_t own_color_at(const char *s, size_t *which)
{
    for (size_t i = 0; i < sizeof own_colors / sizeof own_colors[0]; i++) {
        size_t n = strlen(own_colors[i]);
        if (strncmp(s, own_colors[i], n) == 0) {
            *which = i;
            return n;
        }
    }
    return 0;
}

/* Removes chat's colours from out (in place) and checks what is left. */
static void check_output(char *out, size_t len, bool color)
{
    size_t w = 0, which = 0, last = 0;
    bool any = false;
    for (size_t r = 0; r < len;) {
        size_t n = out[r] == '\033' ? own_color_at(out + r, &which) : 0;
        if (n > 0) {
            FUZZ_CHECK(color, "a colour sequence with colours off");
            any = true;
            last = which;
            r += n;
            continue;
        }
        out[w++] = out[r++];
    }
    FUZZ_CHECK(!any || last == 0, "the line ends inside a colour");
    fuzz_check_shown_text(out, w, "rendered text");
}

/* The kind a line's first word names (docs/protocol.md). */
static enum render_kind model_kind(const char *line)
{
    static const struct {
        const char *word;
        enum render_kind kind;
    } words[] = {
        {"MSG", RENDER_MSG},       {"PRIV", RENDER_PRIV},   {"ACT", RENDER_ACT},
        {"NOTICE", RENDER_NOTICE}, {"OK", RENDER_OK},       {"ERR", RENDER_ERR},
        {"ASK", RENDER_ASK},       {"PING", RENDER_HIDDEN}, {"PONG", RENDER_HIDDEN},
    };
    size_t n = strcspn(line, " ");
    if (line[0] == '\0')
        return RENDER_HIDDEN;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i].word) == n && strncmp(line, words[i].word, n) == 0)
            return words[i].kind;
    return RENDER_OTHER;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_cursor c = {data, size};
    uint8_t choice = fuzz_take_u8(&c);
    char *line = malloc(c.n + 1);
    FUZZ_CHECK(line != NULL, "out of memory");
    memcpy(line, c.p, c.n);
    line[c.n] = '\0';

    /* Our name: none, the line's second word (the PRIV echo), or another. */
    char me[32] = "alice";
    const char *sp = strchr(line, ' ');
    if (sp != NULL && (choice & 0x06) == 2)
        snprintf(me, sizeof me, "%.*s", (int)strcspn(sp + 1, " "), sp + 1);
    struct render_ctx ctx = {(choice & 0x06) == 0 ? NULL : me, (choice & 1) != 0};
    /* Small exact-size buffers often, so truncation and ASan both bite. */
    size_t cap = (choice & 0x80) ? (size_t)(choice & 0x78) / 2 : UTF8_SANITIZED_CAP(c.n) + 64;
    char *out = malloc(cap > 0 ? cap : 1);
    FUZZ_CHECK(out != NULL, "out of memory");

    enum render_kind k = render_line(line, &ctx, out, cap);
    if (cap > 0) {
        size_t len = strnlen(out, cap);
        FUZZ_CHECK(len < cap, "output not NUL-terminated within %zu bytes", cap);
        FUZZ_CHECK(k == model_kind(line), "kind %d, first word says %d", (int)k,
                   (int)model_kind(line));
        check_output(out, len, ctx.color);
    }
    free(out);
    free(line);
    return 0;
}
