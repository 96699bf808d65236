/*
 * chatd.h - the server's shared state (struct server, struct client), used
 * by the chatd modules only.  Each module's functions are in its own
 * header; docs/design.md maps who calls whom.
 */
#ifndef CHATD_CHATD_H
#define CHATD_CHATD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "chatd/flood.h"
#include "chatd/names.h"
#include "chatd/options.h"
#include "chatd/peraddr.h"
#include "common/limits.h"
#include "chatd/outq.h"
#include "common/hello.h"
#include "common/line.h"
#include "common/proto.h"

/* Echo streams stop reading a client while this much output waits for it,
 * and read again once the queue is below it: backpressure well inside the
 * smallest --sendq-soft (128 KiB), so a slow prober is never dropped. */
#define CHATD_ECHO_HIGH_WATER (64 * 1024)

/* Lines queued for delivery in one loop iteration before chatd stops
 * reading more input until the next one: flushing is never held back for
 * long by a burst (100 senders x 64 lines x 10,000 receivers would be 64
 * million queue appends in one go).  Unread input waits in the kernel. */
#define CHATD_ITER_DELIVERIES 1000000

/* Unread input read away before close(), so that close() sends FIN rather
 * than RST (which could destroy the last line); past it, RST it is. */
#define CHATD_DRAIN_MAX (64 * 1024)

/* Bytes of a client's input the log shows (made visible) when it explains
 * a line without LF, and of each --diag chunk; the count says the rest. */
#define CHATD_SHOW_MAX 64

/* Bytes of a --diag connection kept for the log's preview. */
#define CHATD_PREVIEW_MAX 32

enum client_state {
    CS_NAMING, /* connected, choosing a name (or sending the hello) */
    CS_CHAT,   /* has a name */
    CS_ECHO,   /* answered the netprobe hello: echo exchange */
    CS_DIAG,   /* --diag: every byte echoed */
};

/* Why a connection ended.  Each has a log text and a leave-notice text
 * (the table is in client.c). */
enum drop_reason {
    DROP_QUIT,
    DROP_CLOSED,
    DROP_RESET,
    DROP_PEER_GONE,
    DROP_TIMEOUT_NAME,
    DROP_TIMEOUT_LINE,
    DROP_TIMEOUT_IDLE,
    DROP_TIMEOUT_ECHO,
    DROP_ECHO_SILENT,
    DROP_QUEUE_FULL,
    DROP_NO_MEMORY,
    DROP_BAD_HELLO,
    DROP_BAD_ECHO,
    DROP_ECHO_DONE,
    DROP_SHUTDOWN,
    DROP_ERROR,
};

enum client_flag {
    CF_CLOSING = 1 << 0,      /* dropped: freed at the end of the iteration */
    CF_DIRTY = 1 << 1,        /* on the list of clients to flush */
    CF_THROTTLED = 1 << 2,    /* out of flood tokens: not reading */
    CF_FLOOD_SAID = 1 << 3,   /* NOTICE flood sent in this episode */
    CF_WANT_OUT = 1 << 4,     /* output waits for EPOLLOUT */
    CF_FIRST_DONE = 1 << 5,   /* the first line (hello or not) was seen */
    CF_NO_READ = 1 << 6,      /* shutting down: only goodbyes are sent */
    CF_NEWLINE_SAID = 1 << 7, /* the log said this client sends no LF */
};

struct client {
    int fd;
    uint8_t state;  /* enum client_state */
    uint8_t flags;  /* enum client_flag */
    uint8_t reason; /* enum drop_reason, once CF_CLOSING */
    uint8_t events; /* EPOLLIN/EPOLLOUT currently registered */
    int err;        /* errno behind DROP_ERROR */
    char name[PROTO_NAME_MAX + 1];
    struct names_entry name_entry;
    struct client *prev, *next; /* named clients, in join order */
    struct client *dirty_next;  /* flush list */
    struct client *reap_next;   /* closing list */
    char *detail;               /* quit reason, malloc'd, or NULL */
    struct line_buf in;
    struct outq out;
    struct flood flood;
    int64_t connected_ms, last_rx_ms, last_ping_ms;
    int64_t partial_ms;    /* since when bytes without LF are held; 0 = none */
    int64_t echo_ms;       /* when the netprobe hello was answered (echo lifetime) */
    int64_t soft_since_ms; /* since when over --sendq-soft; 0 = not over it */
    uint64_t rx_bytes;     /* echo and --diag statistics */
    size_t echo_left;      /* echo payload bytes still to copy back */
    char preview[CHATD_PREVIEW_MAX];
    uint8_t preview_len;
    union {
        struct sockaddr sa;
        struct sockaddr_in v4;
        struct sockaddr_in6 v6;
    } peer;
};

struct server {
    const struct chatd_options *opt;
    struct flood_limit flood;      /* from the options, once */
    struct flood_limit echo_flood; /* the echo exchange's byte rate */
    struct peraddr *peraddr;       /* connections per source address */
    int epfd, sigfd;
    int listen_fd[2];
    size_t nlisten;
    struct hello_endpoint listen_ep[2];
    char hostname[256];
    struct client **by_fd; /* indexed by fd, grows as fds grow */
    size_t by_fd_cap;
    size_t nclients;             /* connections */
    size_t nnamed;               /* clients with a name */
    size_t nthrottled;           /* clients waiting for flood tokens */
    size_t max_clients;          /* --max-clients bounded by the open-file limit */
    struct client *first, *last; /* named, join order */
    struct names names;
    struct client *dirty_head, *dirty_tail; /* FIFO: the first to get output is flushed first */
    struct client *reap_head, *reap_tail;
    struct outq_pool pool; /* every queued byte, shared between clients */
    size_t pool_peak;      /* pool.bytes at its highest since the last trim */
    struct {
        size_t hard, soft, total; /* bytes, from the --sendq options */
        int64_t grace_ms;
    } sendq;
    struct {
        size_t joined, left; /* since the last NOTICE presence */
        int64_t next_ms;     /* no NOTICE presence before then */
    } presence;
    long deliveries; /* lines queued in this iteration (CHATD_ITER_DELIVERIES) */
    int64_t now_ms;
    int64_t trim_ms;          /* next malloc_trim() */
    int64_t accept_resume_ms; /* accepting paused (EMFILE) until then; 0 = not paused */
    bool stopping;
};

#endif
