/*
 * chatbench - a load generator and meter for chatd and `ncat --chat`.
 *
 * It opens N clients to 127.0.0.1:PORT (never anywhere else), logs each in,
 * lets S of them send M messages each, and measures what every receiver
 * gets.  Each message carries its sender, a sequence number and the send
 * time (CLOCK_MONOTONIC, the same clock for every process on the machine),
 * so each receiver can compute delivery latency and check per-sender order
 * and loss.  One epoll thread drives every socket; a second one would only
 * compete with the server for the machine's two cores.
 *
 * --floor measures what no server can beat: one send() to each of N
 * loopback readers (a child process of ours), no server logic at all, from
 * one thread and from two.
 *
 * Phases: connect and log in (a few handshakes in flight at a time), settle (read the join notices
 * until the server is quiet, then sample its RSS for the per-idle-client figure), send and receive,
 * drain.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "common/limits.h"
#include "common/log.h"

/* Most clients a run may open: the 10,000 target with headroom. */
#define BENCH_CLIENTS_MAX 20000
/* Per-client store for a line cut by a read.  chatd lines fit
 * (PROTO_LINE_MAX); ncat's "already connected" list can be longer and is
 * skipped up to its LF. */
#define BENCH_INBUF 2048
/* One recv() reads at most this much (into a buffer all clients share). */
#define BENCH_READ_MAX 65536
/* Bytes of one benchmark line, LF included: a typical chat message
 * (--size changes it, up to the longest line chatd takes). */
#define BENCH_MSG_LEN 64
#define BENCH_MSG_MAX 1000
/* Per-sender bytes not yet accepted by the socket. */
#define BENCH_PEND_MAX 4096
/* No client got ready for this long: the server stopped accepting. */
#define BENCH_STALL_NS (5 * NS_PER_SEC)
/* The server is idle once nothing arrived for this long after setup.
 * Above CHATD_PRESENCE_THRESHOLD online, chatd sums joins up in one NOTICE
 * presence per CHATD_PRESENCE_MS, sent at its next 250 ms sweep: wait
 * longer than that, or the join storm's last summary lands in the traffic
 * phase as one more broadcast. */
#define BENCH_QUIET_NS (300 * NS_PER_MS)
#define BENCH_QUIET_PRESENCE_NS ((CHATD_PRESENCE_MS + 500) * NS_PER_MS)
/* Marks a benchmark line inside whatever prefix the server adds. */
#define BENCH_MAGIC "~cb~ "

#define NS_PER_SEC 1000000000ULL
#define NS_PER_MS 1000000ULL

enum bench_server { SERVER_CHATD, SERVER_NCAT };

/* Connects and logins in flight at once, per server.  More than the
 * server's listen backlog (ncat: 10) overflows its accept queue: the
 * handshake then completes only on a SYN-ACK retransmit a second or more
 * later, and the run would measure the kernel's timers, not the server. */
static const int bench_pending_max[] = {
    [SERVER_CHATD] = 128,
    [SERVER_NCAT] = 8,
};

enum client_state { CL_CONNECTING, CL_LOGIN, CL_READY, CL_DEAD };

struct bench_opts {
    enum bench_server server;
    int port;
    long clients, senders, messages;
    long size;   /* bytes of one message line, LF included */
    double rate; /* messages per second in total, 0 = flat out */
    long pid;    /* server pid for RSS, 0 = none */
    bool json;
    long setup_timeout; /* seconds for connecting and logging in */
    long drain_timeout; /* seconds without a delivery that end a run */
    long idle_sec;      /* seconds clients sit idle before the RSS sample */
    bool floor;         /* --floor: measure the send floor, no server */
};

struct client {
    int fd;
    uint8_t state;
    bool skipping;  /* discarding an over-long line up to its LF */
    int32_t sender; /* index in bench.snd, or -1 */
    uint16_t inlen;
    char in[BENCH_INBUF];
};

struct sender {
    int client;
    uint32_t next_seq;
    uint32_t pend_len;
    char pend[BENCH_PEND_MAX];
};

struct bench {
    struct bench_opts o;
    int ep;
    struct client *cl;
    long opened;  /* clients created so far (indexes 0..opened-1) */
    long pending; /* connecting or logging in */
    long ready;   /* logged in and still open */
    long connect_failed, refused, dropped, not_accepted;
    struct sender *snd;
    long nsnd;
    uint32_t *last_seq; /* [client * nsnd + sender]: highest seq + 1 seen */
    uint32_t *lat_us;   /* one latency per delivery */
    size_t nlat, caplat;
    uint64_t sent, expected, delivered, order_bad, flood_notices, foreign;
    uint64_t t_setup_start, t_ready_progress, t_first_send, t_last_recv;
    bool measuring;
    long rss_before, rss_idle;
    double setup_s;
    double cpu_server_ms, cpu_bench_ms; /* spent during the traffic phase; -1 unknown */
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* ---------------------------------------------------------------- options */

static void usage(FILE *f)
{
    fprintf(f, "usage: chatbench [--server chatd|ncat] --port P [--clients N] [--senders S]\n"
               "                 [--messages M] [--size BYTES] [--rate R] [--pid PID] [--json]\n"
               "                 [--setup-timeout SEC] [--drain-timeout SEC] [--idle-sec SEC]\n"
               "       chatbench --floor [--clients N] [--json]\n"
               "Connects N clients to 127.0.0.1 port P, lets S of them send M messages\n"
               "each (R messages/s in total, 0 = as fast as possible) and reports\n"
               "deliveries/s, delivery latency, loss, order violations and, with --pid,\n"
               "the server's memory (sampled --idle-sec seconds after the clients\n"
               "went quiet).  Defaults: chatd, 100 clients, 10 senders, 10 messages\n"
               "of 64 bytes (--size: 64 to 1000), rate 0, idle-sec 0.\n"
               "--floor times one send() of a 64-byte line to each of N loopback\n"
               "readers of its own (no server), from one thread and from two: the floor\n"
               "of one broadcast.  The JSON report also gives the CPU time the server\n"
               "(--pid) and chatbench spent per message sent.\n");
}

/* Parses text as an integer in [min, max] for option name. */
static int opt_long(const char *name, const char *text, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < min || v > max) {
        errorf("--%s \"%s\": expected a whole number from %ld to %ld", name, text, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

static int opt_rate(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !(v >= 0 && v <= 1e7)) {
        errorf("--rate \"%s\": expected messages per second from 0 to 10000000", text);
        return -1;
    }
    *out = v;
    return 0;
}

static int opt_server(const char *text, enum bench_server *out)
{
    static const struct {
        const char *name;
        enum bench_server kind;
    } names[] = {
        {"chatd", SERVER_CHATD},
        {"ncat", SERVER_NCAT},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(text, names[i].name) == 0) {
            *out = names[i].kind;
            return 0;
        }
    }
    errorf("--server \"%s\": expected chatd or ncat", text);
    return -1;
}

/* Fills o from argv.  Returns 0, 1 after --help, or -1 on a usage error. */
static int opts_parse(int argc, char **argv, struct bench_opts *o)
{
    static const struct option longopts[] = {
        {"server", required_argument, NULL, 'S'},
        {"port", required_argument, NULL, 'p'},
        {"clients", required_argument, NULL, 'c'},
        {"senders", required_argument, NULL, 's'},
        {"messages", required_argument, NULL, 'm'},
        {"size", required_argument, NULL, 'z'},
        {"rate", required_argument, NULL, 'r'},
        {"pid", required_argument, NULL, 'P'},
        {"json", no_argument, NULL, 'j'},
        {"setup-timeout", required_argument, NULL, 'T'},
        {"drain-timeout", required_argument, NULL, 'D'},
        {"idle-sec", required_argument, NULL, 'I'},
        {"floor", no_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long port = 0;
    int ch, rc = 0;
    *o = (struct bench_opts){.server = SERVER_CHATD,
                             .clients = 100,
                             .senders = 10,
                             .messages = 10,
                             .size = BENCH_MSG_LEN,
                             .setup_timeout = 120,
                             .drain_timeout = 5};
    while (rc == 0 && (ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'S':
            rc = opt_server(optarg, &o->server);
            break;
        case 'p':
            rc = opt_long("port", optarg, 1, 65535, &port);
            break;
        case 'c':
            rc = opt_long("clients", optarg, 1, BENCH_CLIENTS_MAX, &o->clients);
            break;
        case 's':
            rc = opt_long("senders", optarg, 0, BENCH_CLIENTS_MAX, &o->senders);
            break;
        case 'm':
            rc = opt_long("messages", optarg, 0, 1000000, &o->messages);
            break;
        case 'z':
            rc = opt_long("size", optarg, BENCH_MSG_LEN, BENCH_MSG_MAX, &o->size);
            break;
        case 'r':
            rc = opt_rate(optarg, &o->rate);
            break;
        case 'P':
            rc = opt_long("pid", optarg, 1, 1L << 30, &o->pid);
            break;
        case 'j':
            o->json = true;
            break;
        case 'T':
            rc = opt_long("setup-timeout", optarg, 1, 3600, &o->setup_timeout);
            break;
        case 'D':
            rc = opt_long("drain-timeout", optarg, 1, 3600, &o->drain_timeout);
            break;
        case 'I':
            rc = opt_long("idle-sec", optarg, 0, 3600, &o->idle_sec);
            break;
        case 'F':
            o->floor = true;
            break;
        case 'h':
            usage(stdout);
            return 1;
        default:
            usage(stderr);
            return -1;
        }
    }
    if (rc == 0 && port == 0 && !o->floor) {
        errorf("--port is required: the port the server listens on at 127.0.0.1");
        rc = -1;
    }
    if (rc == 0 && optind < argc) {
        errorf("unexpected argument \"%s\"; see --help", argv[optind]);
        rc = -1;
    }
    o->port = (int)port;
    return rc;
}

/* ----------------------------------------------------------- server stats */

/* Reads "KEY: N kB" from /proc/PID/status.  Returns N, or -1. */
static long proc_status_kib(long pid, const char *key)
{
    char path[64], line[256];
    long val = -1;
    size_t klen = strlen(key);
    if (pid <= 0)
        return -1;
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            val = strtol(line + klen + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return val;
}

/* CPU time (user + system, every thread) process pid has used, from
 * /proc/PID/stat, in ms.  Returns -1 if it cannot be read. */
static double proc_cpu_ms(long pid)
{
    char path[64], buf[1024];
    if (pid <= 0)
        return -1;
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* The name (field 2) may hold spaces and parentheses: count fields
     * from the last ')'.  utime and stime are fields 14 and 15. */
    const char *p = strrchr(buf, ')');
    unsigned long long utime, stime;
    long tick = sysconf(_SC_CLK_TCK);
    if (p == NULL || tick <= 0 ||
        sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
               &stime) != 2)
        return -1;
    return (double)(utime + stime) * 1000.0 / (double)tick;
}

/* CPU time chatbench itself has used, in ms, or -1. */
static double self_cpu_ms(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) < 0)
        return -1;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
}

/* b->cpu_*_ms: what the server and chatbench spent between two samples. */
static void cpu_measure(struct bench *b, const double before[2])
{
    double server = proc_cpu_ms(b->o.pid), self = self_cpu_ms();
    b->cpu_server_ms = before[0] >= 0 && server >= 0 ? server - before[0] : -1;
    b->cpu_bench_ms = before[1] >= 0 && self >= 0 ? self - before[1] : -1;
}

/* Raises the open-file limit to the hard limit: 10,000 clients need it. */
static void raise_nofile(long want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        warnf("setrlimit(RLIMIT_NOFILE): %s", strerror(errno));
    if ((long)rl.rlim_cur < want + 16)
        warnf("the open-file limit is %ld, too low for %ld clients; raise it with ulimit -n",
              (long)rl.rlim_cur, want);
}

/* ---------------------------------------------------------------- clients */

static void client_watch(struct bench *b, long i, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.u64 = (uint64_t)i};
    if (epoll_ctl(b->ep, EPOLL_CTL_MOD, b->cl[i].fd, &ev) != 0)
        warnf("epoll_ctl(MOD) on client %ld: %s", i, strerror(errno));
}

/* Closes client i.  A ready client the server closed counts as dropped. */
static void client_close(struct bench *b, long i)
{
    struct client *c = &b->cl[i];
    if (c->state == CL_DEAD)
        return;
    if (c->state == CL_READY) {
        b->ready--;
        b->dropped++;
    } else {
        b->pending--;
    }
    close(c->fd);
    c->fd = -1;
    c->state = CL_DEAD;
}

/* Starts a non-blocking connect for the next client.  Returns 0 or -1. */
static int client_open(struct bench *b)
{
    long i = b->opened++;
    struct client *c = &b->cl[i];
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)b->o.port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int one = 1;
    c->sender = -1;
    c->state = CL_DEAD;
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        errorf("socket() for client %ld: %s", i, strerror(errno));
        return -1;
    }
    /* Best effort: without it a sender's lines may wait 40 ms for Nagle. */
    (void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0 && errno != EINPROGRESS) {
        b->connect_failed++;
        close(c->fd);
        c->fd = -1;
        return 0;
    }
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u64 = (uint64_t)i};
    if (epoll_ctl(b->ep, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
        errorf("epoll_ctl(ADD) for client %ld: %s", i, strerror(errno));
        close(c->fd);
        return -1;
    }
    c->state = CL_CONNECTING;
    b->pending++;
    return 0;
}

/* Sends a short control line (a name, a /pong) in one go.  Best effort:
 * the socket is empty at these moments, so a short write means trouble
 * that the next read will report as a close. */
static void client_say(struct client *c, const char *line, size_t len)
{
    ssize_t n = send(c->fd, line, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n != (ssize_t)len)
        warnf("a control line to the server was cut short (%zd of %zu bytes)", n, len);
}

static void client_ready(struct bench *b, struct client *c)
{
    c->state = CL_READY;
    b->pending--;
    b->ready++;
    b->t_ready_progress = now_ns();
}

/* A line before the client is ready: chatd's naming handshake, or ncat's
 * first announce line, which proves ncat accepted the connection. */
static void login_line(struct bench *b, long i, const char *line, size_t len)
{
    struct client *c = &b->cl[i];
    if (b->o.server == SERVER_NCAT) {
        client_ready(b, c);
    } else if (len >= 8 && memcmp(line, "ASK name", 8) == 0) {
        char name[PROTO_NAME_MAX + 2];
        /* b + pid + x + index: unique even with two benches on one server. */
        int n = snprintf(name, sizeof name, "b%lxx%ld\n", (long)getpid() & 0xfffff, i);
        if (n > 0 && (size_t)n < sizeof name)
            client_say(c, name, (size_t)n);
    } else if (len >= 7 && memcmp(line, "OK name", 7) == 0) {
        client_ready(b, c);
    }
}

/* Reads a decimal number at *p (before end) and one following space. */
static bool parse_u64(const char **p, const char *end, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    if (s >= end || *s < '0' || *s > '9')
        return false;
    while (s < end && *s >= '0' && *s <= '9' && v < UINT64_MAX / 10)
        v = v * 10 + (uint64_t)(*s++ - '0');
    if (s < end && *s == ' ')
        s++;
    *p = s;
    *out = v;
    return true;
}

static void latency_add(struct bench *b, uint64_t ns)
{
    if (b->nlat == b->caplat) {
        size_t cap = b->caplat ? b->caplat * 2 : 65536;
        uint32_t *p = realloc(b->lat_us, cap * sizeof *p);
        if (p == NULL)
            return; /* The latency sample stays smaller; counts are exact. */
        b->lat_us = p;
        b->caplat = cap;
    }
    uint64_t us = ns / 1000;
    b->lat_us[b->nlat++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

/* A benchmark line "~cb~ SENDER SEQ T_NS pad" arrived at client i at now.
 * An out-of-order or repeated line counts as an order violation and is not
 * a delivery, so a reordered message also shows up as lost. */
static void delivery(struct bench *b, long i, const char *p, const char *end, uint64_t now)
{
    uint64_t s, seq, ts;
    if (!parse_u64(&p, end, &s) || !parse_u64(&p, end, &seq) || !parse_u64(&p, end, &ts) ||
        s >= (uint64_t)b->nsnd || seq >= UINT32_MAX) {
        b->foreign++;
        return;
    }
    uint32_t *last = &b->last_seq[(size_t)i * (size_t)b->nsnd + s];
    if (seq + 1 <= *last) {
        b->order_bad++;
        return;
    }
    *last = (uint32_t)seq + 1;
    b->delivered++;
    b->t_last_recv = now;
    latency_add(b, now > ts ? now - ts : 0);
}

static void on_line(struct bench *b, long i, const char *line, size_t len, uint64_t now)
{
    struct client *c = &b->cl[i];
    if (c->state == CL_LOGIN) {
        login_line(b, i, line, len);
        return;
    }
    const char *m = memmem(line, len, BENCH_MAGIC, sizeof BENCH_MAGIC - 1);
    if (m != NULL && b->measuring) {
        delivery(b, i, m + sizeof BENCH_MAGIC - 1, line + len, now);
    } else if (len > 5 && len < 5 + PROTO_TOKEN_MAX && memcmp(line, "PING ", 5) == 0) {
        char pong[16 + PROTO_TOKEN_MAX];
        int n = snprintf(pong, sizeof pong, "/pong %.*s\n", (int)(len - 5), line + 5);
        client_say(c, pong, (size_t)n);
    } else if (len >= 12 && memcmp(line, "NOTICE flood", 12) == 0) {
        b->flood_notices++;
    }
}

/* Splits buf (the client's saved partial line, then what recv() brought)
 * into lines.  The unfinished tail goes back to c->in; a line longer than
 * c->in is handed over cut (enough for its first words) and the rest of it
 * is skipped up to its LF. */
static void split_lines(struct bench *b, long i, char *buf, size_t len, uint64_t now)
{
    struct client *c = &b->cl[i];
    char *p = buf, *end = buf + len, *lf;
    while (c->state != CL_DEAD && (lf = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        if (!c->skipping)
            on_line(b, i, p, (size_t)(lf - p), now);
        c->skipping = false;
        p = lf + 1;
    }
    if (c->state == CL_DEAD)
        return;
    size_t tail = (size_t)(end - p);
    if (tail >= sizeof c->in) {
        if (!c->skipping)
            on_line(b, i, p, tail, now);
        c->skipping = true;
        tail = 0;
    }
    memcpy(c->in, p, tail);
    c->inlen = (uint16_t)tail;
}

/* Reads what client i has into one shared buffer, so a burst of lines
 * costs one recv() instead of one per BENCH_INBUF bytes. */
static void client_read(struct bench *b, long i)
{
    static char buf[BENCH_READ_MAX];
    struct client *c = &b->cl[i];
    for (int round = 0; round < 4 && c->state != CL_DEAD; round++) {
        size_t have = c->inlen, room = sizeof buf - have;
        memcpy(buf, c->in, have);
        ssize_t n = recv(c->fd, buf + have, room, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            if (c->state == CL_LOGIN)
                b->refused++;   /* e.g. chatd's server_full, ncat's --max-conns */
            client_close(b, i); /* closed or reset by the server */
            return;
        }
        split_lines(b, i, buf, have + (size_t)n, now_ns());
        if ((size_t)n < room)
            return;
    }
}

/* Writes what sender s has pending; watches for EPOLLOUT while some is left. */
static void sender_flush(struct bench *b, struct sender *s)
{
    struct client *c = &b->cl[s->client];
    if (s->pend_len == 0 || c->state != CL_READY)
        return;
    ssize_t n = send(c->fd, s->pend, s->pend_len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            client_close(b, s->client);
        else
            client_watch(b, s->client, EPOLLIN | EPOLLOUT);
        return;
    }
    s->pend_len -= (uint32_t)n;
    memmove(s->pend, s->pend + n, s->pend_len);
    client_watch(b, s->client, s->pend_len ? EPOLLIN | EPOLLOUT : EPOLLIN);
}

static void client_event(struct bench *b, long i, uint32_t events)
{
    struct client *c = &b->cl[i];
    if (c->state == CL_CONNECTING && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
            b->connect_failed++;
            client_close(b, i);
            return;
        }
        c->state = CL_LOGIN;
        client_watch(b, i, EPOLLIN);
        return;
    }
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
        client_read(b, i);
    if (c->state == CL_READY && c->sender >= 0 && (events & EPOLLOUT))
        sender_flush(b, &b->snd[c->sender]);
}

/* Waits up to timeout_ms for socket events and handles them.  Returns how
 * many sockets had events. */
static int poll_once(struct bench *b, int timeout_ms)
{
    struct epoll_event evs[512];
    int n = epoll_wait(b->ep, evs, 512, timeout_ms);
    if (n < 0 && errno != EINTR)
        warnf("epoll_wait: %s", strerror(errno));
    for (int k = 0; k < n; k++)
        client_event(b, (long)evs[k].data.u64, evs[k].events);
    return n > 0 ? n : 0;
}

/* ----------------------------------------------------------------- phases */

/* Opens and logs in every client, a few at a time (bench_pending_max).
 * Stops early when the server stops accepting (nobody got ready for
 * BENCH_STALL_NS); clients still waiting then are closed as not accepted. */
static int phase_setup(struct bench *b)
{
    uint64_t start = now_ns(), deadline = start + (uint64_t)b->o.setup_timeout * NS_PER_SEC;
    long burst = bench_pending_max[b->o.server];
    b->t_ready_progress = start;
    for (;;) {
        while (b->opened < b->o.clients && b->pending < burst)
            if (client_open(b) != 0)
                return -1;
        uint64_t now = now_ns();
        if (b->opened == b->o.clients && b->pending == 0)
            break;
        if (now > deadline || now - b->t_ready_progress > BENCH_STALL_NS)
            break;
        poll_once(b, 50);
    }
    for (long i = 0; i < b->opened; i++) {
        if (b->cl[i].state == CL_CONNECTING || b->cl[i].state == CL_LOGIN) {
            b->not_accepted++;
            client_close(b, i);
        }
    }
    b->not_accepted += b->o.clients - b->opened;
    b->setup_s = (double)(now_ns() - start) / 1e9;
    return 0;
}

/* Reads until nothing arrived for BENCH_QUIET_NS or, with chatd's NOTICE
 * presence, BENCH_QUIET_PRESENCE_NS (the join notices are done), at most 30 s, then --idle-sec more, and samples the server's RSS
 * with idle clients.  Waiting lets a server hand back what the join storm
 * made it allocate (chatd trims its heap every 10 s). */
static void phase_settle(struct bench *b)
{
    uint64_t start = now_ns(), quiet_since = start;
    uint64_t quiet = b->o.server == SERVER_CHATD && b->o.clients > CHATD_PRESENCE_THRESHOLD
                         ? BENCH_QUIET_PRESENCE_NS
                         : BENCH_QUIET_NS;
    while (now_ns() - quiet_since < quiet && now_ns() - start < 30 * NS_PER_SEC)
        if (poll_once(b, 50) > 0)
            quiet_since = now_ns();
    uint64_t idle_end = now_ns() + (uint64_t)b->o.idle_sec * NS_PER_SEC;
    while (now_ns() < idle_end)
        poll_once(b, 100);
    b->rss_idle = proc_status_kib(b->o.pid, "VmRSS");
}

/* Picks the first nsnd ready clients as senders and sizes the tables. */
static int senders_init(struct bench *b)
{
    long want = b->o.messages > 0 ? b->o.senders : 0;
    b->nsnd = want < b->ready ? want : b->ready;
    b->snd = calloc((size_t)(b->nsnd ? b->nsnd : 1), sizeof *b->snd);
    b->last_seq = calloc((size_t)b->opened * (size_t)(b->nsnd ? b->nsnd : 1), sizeof(uint32_t));
    if (b->snd == NULL || b->last_seq == NULL) {
        errorf("out of memory for %ld senders x %ld clients", b->nsnd, b->opened);
        return -1;
    }
    long s = 0;
    for (long i = 0; i < b->opened && s < b->nsnd; i++) {
        if (b->cl[i].state == CL_READY) {
            b->snd[s].client = (int)i;
            b->cl[i].sender = (int32_t)s++;
        }
    }
    return 0;
}

/* Queues message number seq of sender s, stamped now, and sends it.
 * Returns false if the sender's buffer is full or the sender is gone. */
static bool message_send(struct bench *b, long s)
{
    struct sender *sd = &b->snd[s];
    char line[BENCH_MSG_MAX + 1];
    size_t size = (size_t)b->o.size;
    if (b->cl[sd->client].state != CL_READY || sd->pend_len + size > BENCH_PEND_MAX)
        return false;
    uint64_t now = now_ns();
    int n = snprintf(line, sizeof line, BENCH_MAGIC "%ld %u %llu ", s, sd->next_seq,
                     (unsigned long long)now);
    if (n < 0 || (size_t)n >= size)
        return false;
    memset(line + n, 'x', size - 1 - (size_t)n);
    line[size - 1] = '\n';
    memcpy(sd->pend + sd->pend_len, line, size);
    sd->pend_len += (uint32_t)size;
    sd->next_seq++;
    /* Everyone ready gets it; ncat --chat skips the sender itself. */
    b->expected += (uint64_t)(b->ready - (b->o.server == SERVER_NCAT ? 1 : 0));
    b->sent++;
    if (b->t_first_send == 0)
        b->t_first_send = now;
    sender_flush(b, sd);
    return true;
}

/* Message k of the run (round robin over senders) is due at t0 + k / rate,
 * or at once when the rate is 0.  A sender the server dropped is skipped. */
static void phase_traffic(struct bench *b)
{
    uint64_t total = (uint64_t)b->nsnd * (uint64_t)b->o.messages, k = 0;
    uint64_t t0 = now_ns(), last_progress = t0, seen = 0;
    uint64_t drain_ns = (uint64_t)b->o.drain_timeout * NS_PER_SEC;
    const double cpu_before[2] = {proc_cpu_ms(b->o.pid), self_cpu_ms()};
    b->measuring = true;
    while (b->delivered + b->order_bad < b->expected || k < total) {
        uint64_t now = now_ns();
        int timeout = 0;
        while (k < total) {
            uint64_t due = b->o.rate > 0 ? t0 + (uint64_t)((double)k * 1e9 / b->o.rate) : t0;
            long s = (long)(k % (uint64_t)b->nsnd);
            if (due > now) {
                timeout = (int)((due - now) / NS_PER_MS);
                break;
            }
            if (b->cl[b->snd[s].client].state == CL_READY && !message_send(b, s)) {
                timeout = 1; /* its buffer is full: let the socket drain */
                break;
            }
            k++;
        }
        if (k >= total)
            timeout = 50;
        poll_once(b, timeout);
        if (b->delivered + b->order_bad != seen) {
            seen = b->delivered + b->order_bad;
            last_progress = now_ns();
        } else if (k >= total && now_ns() - last_progress > drain_ns) {
            break;
        }
        if (b->ready == 0)
            break;
    }
    b->measuring = false;
    cpu_measure(b, cpu_before);
}

/* ------------------------------------------------------------------ floor */

/* Rounds of --floor; the median is reported. */
#define BENCH_FLOOR_REPS 7

/* --floor's child: connects n readers to sa and reads until every one is
 * closed (or nothing came for 10 s: the parent is gone). */
static void floor_child(const struct sockaddr_in *sa, long n)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        _exit(1);
    for (long i = 0; i < n; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
        if (fd < 0 || connect(fd, (const struct sockaddr *)sa, sizeof *sa) < 0 ||
            epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
            warnf("--floor: reader %ld: %s", i, strerror(errno));
            _exit(1);
        }
    }
    static char buf[BENCH_READ_MAX];
    for (long open = n; open > 0;) {
        struct epoll_event evs[512];
        int k = epoll_wait(ep, evs, 512, 10000);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            _exit(1);
        for (int e = 0; e < k; e++)
            if (recv(evs[e].data.fd, buf, sizeof buf, 0) <= 0) {
                close(evs[e].data.fd);
                open--;
            }
    }
    _exit(0);
}

/* Accepts n connections from the child on l into fds.  Returns 0 or -1. */
static int floor_accept(int l, int *fds, long n)
{
    for (long i = 0; i < n; i++) {
        fds[i] = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        if (fds[i] < 0) {
            errorf("--floor: accept: %s", strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* One share of a floor round: a send() to each of fds[0..n-1]. */
struct floor_share {
    const int *fds;
    long n;
    long failed;
};

static void *floor_send_share(void *arg)
{
    struct floor_share *sh = arg;
    char line[BENCH_MSG_LEN];
    memset(line, 'x', sizeof line);
    line[sizeof line - 1] = '\n';
    for (long i = 0; i < sh->n; i++)
        sh->failed += send(sh->fds[i], line, sizeof line, MSG_NOSIGNAL | MSG_DONTWAIT) !=
                      (ssize_t)sizeof line;
    return NULL;
}

/* One round on one thread, or on two, each sending to half of the
 * sockets; *ms gets its time.  Returns the sends that failed. */
static long floor_round(const int *fds, long n, int threads, double *ms)
{
    struct floor_share a = {.fds = fds, .n = threads == 2 ? n / 2 : n};
    struct floor_share b = {.fds = fds + a.n, .n = n - a.n};
    pthread_t t;
    uint64_t t0 = now_ns();
    bool second = threads == 2 && pthread_create(&t, NULL, floor_send_share, &b) == 0;
    floor_send_share(&a);
    if (second)
        pthread_join(t, NULL);
    else if (threads == 2)
        floor_send_share(&b); /* no thread: the round is still whole, timed as one */
    *ms = (double)(now_ns() - t0) / 1e6;
    return a.failed + b.failed + (threads == 2 && !second ? n : 0);
}

static void sort_ms(double *ms, int n)
{
    for (int i = 1; i < n; i++) /* insertion sort: a few values */
        for (int k = i; k > 0 && ms[k] < ms[k - 1]; k--) {
            double t = ms[k];
            ms[k] = ms[k - 1];
            ms[k - 1] = t;
        }
}

/* Times BENCH_FLOOR_REPS rounds of one 64-byte send() to each of n
 * sockets on one thread (ms1), and as many on two threads (ms2),
 * alternating, the child reading; both sorted.  A failed thread start
 * counts every send of its round as failed. */
static long floor_rounds(const int *fds, long n, double *ms1, double *ms2)
{
    long failed = 0;
    for (int r = 0; r < BENCH_FLOOR_REPS; r++) {
        struct timespec pause = {.tv_nsec = 200 * 1000000L}; /* the reader drains */
        nanosleep(&pause, NULL);
        failed += floor_round(fds, n, 1, &ms1[r]);
        nanosleep(&pause, NULL);
        failed += floor_round(fds, n, 2, &ms2[r]);
    }
    sort_ms(ms1, BENCH_FLOOR_REPS);
    sort_ms(ms2, BENCH_FLOOR_REPS);
    return failed;
}

/* --floor: the least one thread, and two, can spend on one message to n
 * clients. */
static int floor_run(long n, bool json)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(l, 4096) < 0 ||
        getsockname(l, (struct sockaddr *)&sa, &len) < 0) {
        errorf("--floor: a listener on 127.0.0.1: %s", strerror(errno));
        return -1;
    }
    int *fds = calloc((size_t)n, sizeof *fds);
    pid_t pid = fds != NULL ? fork() : -1;
    if (pid == 0) {
        close(l);
        floor_child(&sa, n);
    }
    int rc = pid < 0 ? -1 : floor_accept(l, fds, n);
    close(l);
    double ms1[BENCH_FLOOR_REPS], ms2[BENCH_FLOOR_REPS];
    long failed = rc == 0 ? floor_rounds(fds, n, ms1, ms2) : 0;
    for (long i = 0; fds != NULL && i < n; i++)
        if (fds[i] > 0)
            close(fds[i]);
    free(fds);
    if (pid > 0 && (rc != 0 ? kill(pid, SIGKILL) : 0) == 0)
        waitpid(pid, NULL, 0);
    if (rc != 0)
        return -1;
    double med = ms1[BENCH_FLOOR_REPS / 2], med2 = ms2[BENCH_FLOOR_REPS / 2];
    if (json)
        printf("{\"floor_clients\":%ld,\"floor_rounds\":%d,\"floor_round_ms_median\":%.3f,"
               "\"floor_round_ms_min\":%.3f,\"floor_send_us\":%.3f,"
               "\"floor2_round_ms_median\":%.3f,\"floor2_round_ms_min\":%.3f,"
               "\"floor_failed_sends\":%ld}\n",
               n, BENCH_FLOOR_REPS, med, ms1[0], med * 1000.0 / (double)n, med2, ms2[0], failed);
    else
        printf("one send() to each of %ld loopback readers: median %.1f ms (min %.1f) over %d "
               "rounds, %.2f us per send; on two threads, half each: median %.1f ms (min %.1f); "
               "%ld sends failed\n",
               n, med, ms1[0], BENCH_FLOOR_REPS, med * 1000.0 / (double)n, med2, ms2[0], failed);
    return 0;
}

/* ----------------------------------------------------------------- report */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The q-quantile of the sorted latencies in milliseconds, or -1. */
static double quantile_ms(const struct bench *b, double q)
{
    if (b->nlat == 0)
        return -1;
    size_t idx = (size_t)(q * (double)(b->nlat - 1) + 0.5);
    return b->lat_us[idx] / 1000.0;
}

static cJSON *report_build(struct bench *b, long rss_peak)
{
    cJSON *j = cJSON_CreateObject();
    if (j == NULL)
        return NULL;
    if (b->nlat > 0)
        qsort(b->lat_us, b->nlat, sizeof *b->lat_us, cmp_u32);
    double dur =
        b->t_last_recv > b->t_first_send ? (double)(b->t_last_recv - b->t_first_send) / 1e9 : 0;
    uint64_t lost = b->expected > b->delivered ? b->expected - b->delivered : 0;
    long held = b->ready + b->dropped;
    cJSON_AddStringToObject(j, "server", b->o.server == SERVER_NCAT ? "ncat" : "chatd");
    cJSON_AddNumberToObject(j, "port", b->o.port);
    cJSON_AddNumberToObject(j, "clients", (double)b->o.clients);
    cJSON_AddNumberToObject(j, "held", (double)held);
    cJSON_AddNumberToObject(j, "held_at_end", (double)b->ready);
    cJSON_AddNumberToObject(j, "connect_failed", (double)b->connect_failed);
    cJSON_AddNumberToObject(j, "refused", (double)b->refused);
    cJSON_AddNumberToObject(j, "not_accepted", (double)b->not_accepted);
    cJSON_AddNumberToObject(j, "dropped", (double)b->dropped);
    cJSON_AddNumberToObject(j, "setup_s", b->setup_s);
    cJSON_AddNumberToObject(j, "senders", (double)b->nsnd);
    cJSON_AddNumberToObject(j, "messages_per_sender", (double)b->o.messages);
    cJSON_AddNumberToObject(j, "message_bytes", (double)b->o.size);
    cJSON_AddNumberToObject(j, "rate", b->o.rate);
    cJSON_AddNumberToObject(j, "sent", (double)b->sent);
    cJSON_AddNumberToObject(j, "expected", (double)b->expected);
    cJSON_AddNumberToObject(j, "delivered", (double)b->delivered);
    cJSON_AddNumberToObject(j, "lost", (double)lost);
    cJSON_AddNumberToObject(j, "order_violations", (double)b->order_bad);
    cJSON_AddNumberToObject(j, "malformed", (double)b->foreign);
    cJSON_AddNumberToObject(j, "flood_notices", (double)b->flood_notices);
    cJSON_AddNumberToObject(j, "duration_s", dur);
    cJSON_AddNumberToObject(j, "deliveries_per_s", dur > 0 ? (double)b->delivered / dur : 0);
    cJSON_AddNumberToObject(j, "latency_p50_ms", quantile_ms(b, 0.50));
    cJSON_AddNumberToObject(j, "latency_p99_ms", quantile_ms(b, 0.99));
    cJSON_AddNumberToObject(j, "latency_max_ms", quantile_ms(b, 1.0));
    cJSON_AddNumberToObject(j, "rss_before_kib", (double)b->rss_before);
    cJSON_AddNumberToObject(j, "rss_idle_kib", (double)b->rss_idle);
    cJSON_AddNumberToObject(j, "rss_peak_kib", (double)rss_peak);
    double per = -1;
    if (b->rss_before >= 0 && b->rss_idle >= 0 && held > 0)
        per = (double)(b->rss_idle - b->rss_before) * 1024.0 / (double)held;
    cJSON_AddNumberToObject(j, "rss_per_client_bytes", per);
    /* CPU per message sent: what one fan-out costs the server, and the
     * meter, on the same cores (docs/benchmarks.md, the CPU budget). */
    double msgs = (double)b->sent;
    cJSON_AddNumberToObject(j, "server_cpu_ms", b->cpu_server_ms);
    cJSON_AddNumberToObject(j, "bench_cpu_ms", b->cpu_bench_ms);
    cJSON_AddNumberToObject(j, "server_cpu_ms_per_msg",
                            b->cpu_server_ms >= 0 && msgs > 0 ? b->cpu_server_ms / msgs : -1);
    cJSON_AddNumberToObject(j, "bench_cpu_ms_per_msg",
                            b->cpu_bench_ms >= 0 && msgs > 0 ? b->cpu_bench_ms / msgs : -1);
    return j;
}

/* Prints the report as JSON, or as "key value" lines for people. */
static void report_print(const cJSON *j, bool json)
{
    if (json) {
        char *s = cJSON_PrintUnformatted(j);
        if (s != NULL)
            printf("%s\n", s);
        free(s);
        return;
    }
    for (const cJSON *it = j->child; it != NULL; it = it->next) {
        if (cJSON_IsString(it))
            printf("%-22s %s\n", it->string, it->valuestring);
        else
            printf("%-22s %.10g\n", it->string, it->valuedouble);
    }
}

static void bench_free(struct bench *b)
{
    for (long i = 0; i < b->opened; i++)
        if (b->cl[i].state != CL_DEAD)
            close(b->cl[i].fd);
    if (b->ep >= 0)
        close(b->ep);
    free(b->cl);
    free(b->snd);
    free(b->last_seq);
    free(b->lat_us);
}

static int bench_run(struct bench *b)
{
    b->cl = calloc((size_t)b->o.clients, sizeof *b->cl);
    b->ep = epoll_create1(EPOLL_CLOEXEC);
    if (b->cl == NULL || b->ep < 0) {
        errorf("cannot set up %ld clients: %s", b->o.clients, strerror(errno));
        return -1;
    }
    b->rss_before = proc_status_kib(b->o.pid, "VmRSS");
    if (phase_setup(b) != 0)
        return -1;
    if (b->ready + b->dropped == 0) {
        errorf("no client got in: is a server listening on 127.0.0.1 port %d?", b->o.port);
        return -1;
    }
    if (b->ready == 0) {
        /* The server took clients, then dropped them all (ncat --chat
         * aborts past FD_SETSIZE): report how many it held. */
        warnf("the server closed every connection during setup");
        return 0;
    }
    phase_settle(b);
    if (senders_init(b) != 0)
        return -1;
    if (b->nsnd > 0)
        phase_traffic(b);
    return 0;
}

int main(int argc, char **argv)
{
    struct bench b = {.ep = -1, .rss_idle = -1, .cpu_server_ms = -1, .cpu_bench_ms = -1};
    log_init("chatbench");
    int rc = opts_parse(argc, argv, &b.o);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    raise_nofile(b.o.clients);
    if (b.o.floor)
        return floor_run(b.o.clients, b.o.json) == 0 ? 0 : 1;
    rc = bench_run(&b);
    if (rc == 0) {
        cJSON *j = report_build(&b, proc_status_kib(b.o.pid, "VmHWM"));
        if (j == NULL) {
            errorf("out of memory building the report");
            rc = -1;
        } else {
            report_print(j, b.o.json);
            cJSON_Delete(j);
        }
    } else if (b.o.json) {
        printf("{\"error\":\"the benchmark could not run; see the messages above\"}\n");
    }
    bench_free(&b);
    return rc == 0 ? 0 : 1;
}
