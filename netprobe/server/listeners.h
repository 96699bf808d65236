/*
 * listeners.h - which sockets listen on a TCP port, and which process owns
 * each one.
 *
 * Reads /proc/net/tcp and /proc/net/tcp6 (state 0A = LISTEN), then maps
 * socket inodes to processes through /proc/PID/fd/N -> "socket:[INODE]" and
 * /proc/PID/comm.  Without root, other users' processes stay unknown
 * (pid 0); the listening sockets themselves are always visible.
 */
#ifndef NETPROBE_LISTENERS_H
#define NETPROBE_LISTENERS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/addr.h"

#define LISTENERS_MAX 32 /* listening sockets kept per port; more are counted, not kept */

/* Work bounds of the /proc/net/tcp{,6} reader (docs/fuzzing.md): the file
 * is read up to LISTENERS_FILE_MAX bytes (a busy server's table can be
 * megabytes; past this it is an error, not an unbounded buffer) and each
 * line up to LISTENERS_LINE_MAX bytes, so one pass costs at most the file. */
#define LISTENERS_FILE_MAX (64u * 1024 * 1024)
#define LISTENERS_LINE_MAX 512 /* bytes of one line, with its NUL; longer: error */

enum listener_bind {
    LISTEN_BIND_ANY,      /* 0.0.0.0 or :: : every interface */
    LISTEN_BIND_LOOPBACK, /* 127.0.0.0/8 or ::1 : this machine only */
    LISTEN_BIND_SPECIFIC, /* one interface address */
};

struct listener {
    int family; /* AF_INET or AF_INET6 */
    char address[ADDR_TEXT_MAX];
    int port;
    enum listener_bind bind;
    unsigned long inode;
    unsigned uid;
    int pid;       /* 0 when unknown (another user's process, no root) */
    char comm[32]; /* process name, "" when unknown */
};

struct listener_list {
    struct listener items[LISTENERS_MAX];
    size_t count;
    size_t dropped; /* listeners seen beyond LISTENERS_MAX */
};

/* Parses the text of /proc/net/tcp (family AF_INET) or /proc/net/tcp6
 * (AF_INET6) and appends the LISTEN sockets on port (0: any port) to out.
 * Returns how many were added, or -1 if a line is malformed (err says
 * which line). */
int listeners_parse(const char *text, int family, int port, struct listener_list *out, char *err,
                    size_t errcap);

/* Reads PROC/net/tcp and PROC/net/tcp6 (proc is "/proc" outside tests),
 * then fills pid/comm from PROC/PID/fd.  A missing tcp6 (IPv6 disabled) is
 * not an error.  Returns 0, or -1 with err set. */
int listeners_read(const char *proc, int port, struct listener_list *out, char *err, size_t errcap);

/* How an address in text form is bound: any, loopback or one address. */
enum listener_bind listeners_classify(int family, const char *address);

/* "any", "loopback", "specific". */
const char *listeners_bind_name(enum listener_bind b);

#endif
