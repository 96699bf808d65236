/*
 * greet.h - is the program on the port chatd?  Judged from its first bytes.
 *
 * chatd greets at once: its first line is "NOTICE welcome ..." (or an ERR
 * when it is full), and every line it sends starts with one of the
 * protocol's kinds.  A first line that does not is another program (a web
 * or SSH server, chatd --diag, a student's own server), shown to the user
 * escaped so that nothing it sent reaches the terminal.  Pure.
 */
#ifndef CHAT_GREET_H
#define CHAT_GREET_H

#include <stddef.h>

enum greet_verdict {
    GREET_MORE,  /* no whole line yet, and what came could still be chatd */
    GREET_CHATD, /* the first line is ours */
    GREET_OTHER, /* something else answered */
};

/* Bytes without a LF after which the first line cannot be chatd's. */
#define GREET_LINE_MAX 1024

/* Looks at the first len bytes the server sent. */
enum greet_verdict greet_check(const char *buf, size_t len);

/* Bytes of the first answer shown to the user. */
#define GREET_SHOW_MAX 64

/* Writes at most max bytes of in, escaped, into out (NUL-terminated,
 * truncated to cap): printable ASCII stays, \ becomes \\, CR LF TAB
 * become \r \n \t, every other byte \xNN, and "..." marks a cut. */
void greet_escape(const char *in, size_t len, size_t max, char *out, size_t cap);

#endif
