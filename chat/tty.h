/*
 * tty.h - the interactive terminal, through GNU readline's callback mode.
 *
 * The caller polls stdin and calls tty_read() when it is readable, so the
 * socket is served while a line is being typed.  tty_print() shows an
 * incoming line above the one being typed, which is kept intact (saved,
 * cleared, printed over, restored and redrawn, as smallchat does).
 */
#ifndef CHAT_TTY_H
#define CHAT_TTY_H

#include <stddef.h>

/* Called with each line typed (without LF), or NULL at Ctrl-D on an empty
 * line.  The line is only valid during the call. */
typedef void (*tty_line_fn)(const char *line);

/* Puts the terminal in readline's mode and shows prompt.  Signals are left
 * to the caller.  Returns 0, or -1 if readline could not start. */
int tty_start(const char *prompt, tty_line_fn on_line);

/* Lines longer than max bytes are not accepted: Enter then says so and
 * leaves the text in the edit line (0: no limit). */
void tty_set_limit(size_t max);

/* Puts line back into the edit line once the line callback returns (for
 * a line that could not be sent). */
void tty_keep(const char *line);

/* Changes the prompt and redraws the line. */
void tty_set_prompt(const char *prompt);

/* Feeds readline the bytes waiting on stdin. */
void tty_read(void);

/* Prints text and a newline above the line being typed. */
void tty_print(const char *text);

/* Tells readline the window size changed. */
void tty_resize(void);

/* Restores the terminal; safe to call twice. */
void tty_stop(void);

#endif
