/*
 * chatd.h - the server's shared state, used by the chatd modules only.
 *
 * server.c owns the event loop and the client table; client.c the life of
 * one connection (queueing, dropping, reading); commands.c the chat
 * protocol; echo.c the netprobe hello, the echo exchange and --diag.
 */
#ifndef CHATD_CHATD_H
#define CHATD_CHATD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "chatd/flood.h"
#include "chatd/names.h"
#include "chatd/options.h"
#include "chatd/outq.h"
#include "common/hello.h"
#include "common/line.h"
#include "common/proto.h"

/* Echo streams stop reading a client while this much output waits for it,
 * and read again once the queue is below it: backpressure well inside
 * CHATD_OUTBUF_MAX, so a slow prober is never dropped. */
#define CHATD_ECHO_HIGH_WATER (64 * 1024)

/* Lines queued for delivery in one loop iteration before chatd stops
 * reading more input until the next one: flushing is never held back for
 * long by a burst (100 senders x 64 lines x 10,000 receivers would be 64
 * million copies in one go).  Unread input waits in the kernel. */
#define CHATD_ITER_DELIVERIES 1000000

/* Bytes of a --diag connection kept for the log's preview. */
#define CHATD_PREVIEW_MAX 32

enum client_state {
    CS_NAMING, /* connected, choosing a name (or sending the hello) */
    CS_CHAT,   /* has a name */
    CS_ECHO,   /* answered the netprobe hello: echo exchange */
    CS_DIAG,   /* --diag: every byte echoed */
};

/* Why a connection ended.  Each has a log text and a leave-notice text
 * (reasons.c holds the table). */
enum drop_reason {
    DROP_QUIT,
    DROP_CLOSED,
    DROP_RESET,
    DROP_PEER_GONE,
    DROP_TIMEOUT_NAME,
    DROP_TIMEOUT_LINE,
    DROP_TIMEOUT_IDLE,
    DROP_QUEUE_FULL,
    DROP_NO_MEMORY,
    DROP_BAD_HELLO,
    DROP_BAD_ECHO,
    DROP_ECHO_DONE,
    DROP_SHUTDOWN,
    DROP_ERROR,
};

enum client_flag {
    CF_CLOSING = 1 << 0,    /* dropped: freed at the end of the iteration */
    CF_DIRTY = 1 << 1,      /* on the list of clients to flush */
    CF_THROTTLED = 1 << 2,  /* out of flood tokens: not reading */
    CF_FLOOD_SAID = 1 << 3, /* NOTICE flood sent in this episode */
    CF_WANT_OUT = 1 << 4,   /* output waits for EPOLLOUT */
    CF_FIRST_DONE = 1 << 5, /* the first line (hello or not) was seen */
    CF_NO_READ = 1 << 6,    /* shutting down: only goodbyes are sent */
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
    uint64_t rx_bytes; /* echo and --diag statistics */
    size_t echo_left;  /* echo payload bytes still to copy back */
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
    long deliveries; /* lines queued in this iteration (CHATD_ITER_DELIVERIES) */
    int64_t now_ms;
    int64_t trim_ms;          /* next malloc_trim() */
    int64_t accept_resume_ms; /* accepting paused (EMFILE) until then; 0 = not paused */
    bool stopping;
};

/* --- client.c --- */

/* Queues len bytes for c; a queue overflow drops c (send_queue_full). */
void client_send(struct server *s, struct client *c, const char *data, size_t len);

/* Formats one line (see proto_format) and queues it for c. */
void client_sendf(struct server *s, struct client *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Marks c closing for reason; it is announced, flushed best-effort and
 * freed after the event loop is done with it.  detail may be NULL. */
void client_drop(struct server *s, struct client *c, enum drop_reason reason, const char *detail);

/* Drops c for a failed recv()/send() with errno err. */
void client_drop_errno(struct server *s, struct client *c, int err);

/* Runs c's buffered input through its state's handler until it needs more
 * bytes or must wait (flood limit, backpressure), then updates epoll. */
void client_process(struct server *s, struct client *c);

/* Reads what c sent, then processes it. */
void client_on_readable(struct server *s, struct client *c);

/* Registers the epoll events c needs now (reading unless paused, writing
 * while output waits). */
void client_update_events(struct server *s, struct client *c);

/* Formats c's peer as "ADDR port N". */
void client_peer_text(const struct client *c, char *out, size_t cap);

/* Log text and leave text of a reason. */
const char *client_reason_log(enum drop_reason r);
const char *client_reason_leave(enum drop_reason r);

/* --- commands.c --- */

/* The greeting on connect: NOTICE welcome and ASK name. */
void chat_greet(struct server *s, struct client *c);

/* Handles one complete line from a naming or chatting client. */
void chat_line(struct server *s, struct client *c, char *line, size_t len);

/* Queues line for every named client that is not closing. */
void chat_broadcast(struct server *s, const char *line, size_t len);

/* Sends the leave notice for a dropped named client and unlists its name. */
void chat_leave(struct server *s, struct client *c);

/* Number of rows in the command table, and row i as an "OK help" text. */
size_t chat_command_count(void);
void chat_command_help(size_t i, char *out, size_t cap);

/* --- echo.c --- */

/* Answers a valid hello and switches c to the echo exchange. */
void echo_hello(struct server *s, struct client *c, const char *nonce);

/* Processes buffered input of an echo-exchange client. */
void echo_input(struct server *s, struct client *c);

/* --diag: the banner on connect, and the processing of input. */
void echo_diag_greet(struct server *s, struct client *c);
void echo_diag_input(struct server *s, struct client *c);

/* Checks the first line for the hello.  Returns true if it was one (answered
 * or rejected); false for an ordinary line. */
bool echo_first_line(struct server *s, struct client *c, const char *line, size_t len);

#endif
