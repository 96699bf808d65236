/*
 * harness.h - helpers for integration tests against real processes.
 *
 * Programs come from $BIN_DIR (default "bin").  Every wait is bounded; a
 * helper that times out returns -1 and the test fails with a message.
 * Servers are always started on 127.0.0.1 with --port 0, so tests can run
 * side by side and never touch anything but loopback.
 */
#ifndef TESTS_HARNESS_H
#define TESTS_HARNESS_H

#include <stddef.h>
#include <sys/types.h>

/* A running chatd. */
struct harness_server {
    pid_t pid;
    int port;           /* the port it reported on 127.0.0.1 */
    char log_path[128]; /* its stderr, kept until harness_server_stop() */
};

/* A buffered client connection. */
struct harness_conn {
    int fd;
    size_t len; /* bytes buffered in buf */
    char buf[65536];
};

/* Path of program NAME in $BIN_DIR, in a static buffer. */
const char *harness_bin(const char *name);

/* Starts chatd --bind 127.0.0.1 --port 0 EXTRA... (EXTRA is NULL-terminated,
 * may be NULL) and waits up to 5 s for its "listening on 127.0.0.1 port N"
 * line on stderr.  Returns 0, or -1 with the log printed. */
int harness_server_start(struct harness_server *s, const char *const extra[]);

/* SIGTERM, then waits up to 10 s.  Returns the exit status (0 is a clean
 * shutdown), or -1 if it had to be killed.  Removes the log. */
int harness_server_stop(struct harness_server *s);

/* Copies the server's log so far into out (NUL-terminated). */
void harness_server_log(const struct harness_server *s, char *out, size_t cap);

/* Opens a TCP connection to 127.0.0.1:port.  Returns 0 or -1. */
int harness_conn_open(struct harness_conn *c, int port);

/* The same from source (a numeric IPv4 address on loopback such as
 * "127.0.0.2", bound before connect(); NULL: the kernel's choice), so a
 * test can be two hosts.  Returns 0 or -1. */
int harness_conn_open_from(struct harness_conn *c, int port, const char *source);
void harness_conn_close(struct harness_conn *c);

/* n connections for a test group: c[0..n) allocated and closed (fd -1),
 * closed again, freed.  harness_conns_new returns 0, or -1 when out of
 * memory (a cmocka setup's failure). */
int harness_conns_new(struct harness_conn **c, size_t n);
void harness_conns_close(struct harness_conn **c, size_t n);
void harness_conns_free(struct harness_conn **c, size_t n);

/* Sends all of s.  Returns 0 or -1. */
int harness_send(struct harness_conn *c, const char *s);
int harness_send_bytes(struct harness_conn *c, const void *data, size_t len);

/* Reads one line (LF removed, CR kept) into line within timeout_ms.
 * Returns its length, or -1 on timeout, EOF or error. */
int harness_read_line(struct harness_conn *c, char *line, size_t cap, int timeout_ms);

/* Reads exactly len raw bytes within timeout_ms.  Returns 0 or -1. */
int harness_read_bytes(struct harness_conn *c, void *out, size_t len, int timeout_ms);

/* Reads lines until one starts with prefix; copies it into line if line is
 * not NULL.  Returns 0, or -1 on timeout/EOF. */
int harness_expect(struct harness_conn *c, const char *prefix, char *line, size_t cap,
                   int timeout_ms);

/* Returns 1 if the peer closed (EOF or reset) within timeout_ms, discarding
 * any lines before it, else 0. */
int harness_expect_close(struct harness_conn *c, int timeout_ms);

/* Connects, waits for "ASK name", sends NAME and waits for "OK name".
 * Returns 0 or -1. */
int harness_login(struct harness_conn *c, int port, const char *name);

/* Runs argv (argv[0] a path) with stdin fed from input (may be NULL for
 * /dev/null) and stdout+stderr captured into out (NUL-terminated, truncated
 * to cap).  Waits up to timeout_ms, then kills it.  Returns the exit status,
 * 128+signal if it died of a signal, or -1 if it timed out. */
int harness_run(const char *const argv[], const char *input, char *out, size_t cap, int timeout_ms);

/* Milliseconds on the monotonic clock of common/clock.h (clock_ms). */
long long harness_now_ms(void);

#endif
