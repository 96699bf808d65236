/*
 * chatproc.h - a chat process driven by a test: its stdin written, its
 * output (stdout and stderr together) collected, its exit awaited.
 *
 * Every process started here is remembered until it has exited, so a test
 * that fails half-way leaves nothing behind: call chatproc_kill_all() from
 * the teardown.  Every wait is bounded.
 */
#ifndef TESTS_CHATPROC_H
#define TESTS_CHATPROC_H

#include <stddef.h>
#include <sys/types.h>

struct chatproc {
    pid_t pid;
    int in, out; /* the same fd on a pseudo-terminal */
    size_t len;  /* output collected in buf */
    char buf[65536];
};

/* Starts $BIN_DIR/chat ARGS... (NULL-terminated) with stdin and
 * stdout+stderr on pipes. */
void chatproc_start(struct chatproc *p, const char *const args[]);

/* The same on a pseudo-terminal (100x30, TERM=dumb, NO_COLOR=1). */
void chatproc_start_pty(struct chatproc *p, const char *const args[]);

/* Writes line and a LF to chat's stdin. */
void chatproc_say(struct chatproc *p, const char *line);

/* Collects output for up to ms, stopping early once want shows (want may
 * be NULL: collect until EOF or ms).  Returns 0 if want was seen (always 0
 * for NULL); -1 after printing what chat did print. */
int chatproc_read(struct chatproc *p, const char *want, int ms);

/* Waits up to ms for chat to exit; then collects the rest of its output
 * and closes its fds.  Returns the exit code (128+signal when killed by
 * one), or -1 if it is still running (it is left running). */
int chatproc_wait(struct chatproc *p, int ms);

/* Closes chat's stdin and waits up to ms for the exit, killing it past
 * that.  Returns the exit code, or -1 if it had to be killed. */
int chatproc_finish(struct chatproc *p, int ms);

/* Kills and reaps every chat still running (a teardown). */
void chatproc_kill_all(void);

#endif
