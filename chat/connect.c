#include "chat/connect.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/dial.h"
#include "common/i18n.h"

/* A cause: the code, a short name, and the advice.  In the advice {host},
 * {port} and {secs} are replaced; the text itself is never a format.  Both
 * texts are N_() and translated when explained. */
struct cause {
    int code;
    const char *what;
    const char *why;
};

static const struct cause errno_causes[] = {
    {ECONNREFUSED, N_("connection refused"),
     N_("nothing listens on port {port} at {host}, or a firewall there rejects the connection "
        "with a reset. Check that chatd is running and uses port {port}")},
    {ETIMEDOUT, N_("timed out after {secs} s"),
     N_("no answer at all, so packets are dropped on the way: usually a security group or "
        "firewall that drops them (open port {port}), or the host is off")},
    {EHOSTUNREACH, N_("no route to host"),
     N_("{host} cannot be reached: the host is down, the address is wrong, or a firewall answers "
        "'unreachable'")},
    {ENETUNREACH, N_("network unreachable"),
     N_("this machine has no route to {host}: check its network connection and the address")},
    {ENETDOWN, N_("network is down"), N_("this machine's network interface is down")},
    {EACCES, N_("permission denied"),
     N_("a firewall or security policy on this machine blocks connections to {host} port {port}")},
    {EPERM, N_("operation not permitted"),
     N_("a firewall on this machine (nftables/iptables) blocks connections to {host} port {port}")},
    {ECONNRESET, N_("connection reset"),
     N_("something between here and {host} reset the connection while it was being set up")},
    {EADDRNOTAVAIL, N_("address not available"),
     N_("this machine has no usable local address to reach {host} from")},
    {EAFNOSUPPORT, N_("address family not supported"),
     N_("this machine cannot use {host}'s kind of address (IPv6 disabled?)")},
};

static const struct cause gai_causes[] = {
    {EAI_NONAME, N_("name not resolved"),
     N_("the name {host} does not exist (the DNS says there is no such host). Check the "
        "spelling, or use the server's IP address")},
    {EAI_AGAIN, N_("name not resolved"),
     N_("the resolver did not answer for {host}: the DNS server could not be reached or timed "
        "out. Check this machine's network and DNS settings, or use the server's IP address")},
    {EAI_FAIL, N_("name not resolved"),
     N_("the DNS server failed while looking up {host}. Try again, or use the server's IP "
        "address")},
#ifdef EAI_NODATA
    {EAI_NODATA, N_("name has no address"),
     N_("the name {host} exists but has no IP address. Use the server's IP address")},
#endif
#ifdef EAI_ADDRFAMILY
    {EAI_ADDRFAMILY, N_("name has no address"),
     N_("the name {host} has no address this machine can use. Use the server's IP address")},
#endif
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct cause *cause_find(const struct cause *t, size_t n, int code)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].code == code)
            return &t[i];
    return NULL;
}

/* The words replaced in a cause or message: {host}, {port}, {secs}, and in
 * the whole message {what} and {why} (already expanded causes). */
enum { KEY_HOST, KEY_PORT, KEY_SECS, KEY_WHAT, KEY_WHY, KEY_TRIED, KEY_COUNT };

/* Copies src to out, replacing each key with vals[key] in one pass (a
 * value is never expanded again).  Bounded by cap; out stays
 * NUL-terminated. */
static void expand(char *out, size_t cap, const char *src, const char *const vals[KEY_COUNT])
{
    static const char *const keys[KEY_COUNT] = {"{host}", "{port}", "{secs}",
                                                "{what}", "{why}",  "{tried}"};
    size_t len = 0;
    while (*src != '\0' && len + 1 < cap) {
        size_t k = 0;
        while (k < KEY_COUNT && strncmp(src, keys[k], strlen(keys[k])) != 0)
            k++;
        const char *piece = k < KEY_COUNT ? vals[k] : src;
        size_t plen = k < KEY_COUNT ? strlen(piece) : 1;
        for (size_t i = 0; i < plen && len + 1 < cap; i++)
            out[len++] = piece[i];
        src += k < KEY_COUNT ? strlen(keys[k]) : 1;
    }
    out[len] = '\0';
}

/* The short name of an errno for people ("connection refused"), with
 * {secs} expanded, into out. */
static void what_of(const struct cause *c, int err, const char *const vals[KEY_COUNT], char *out,
                    size_t cap)
{
    if (c != NULL)
        expand(out, cap, _(c->what), vals);
    else
        snprintf(out, cap, "%s", strerror(err));
}

/* " Addresses tried: A (what), B (what)." when it tells more than the
 * host: several addresses, or a name that resolved to one.  Empty
 * otherwise. */
static void tried_list(const struct connect_log *log, const char *host,
                       const char *const vals[KEY_COUNT], char *out, size_t cap)
{
    size_t len = 0, shown = 0;
    out[0] = '\0';
    if (log == NULL || log->n == 0 || (log->n == 1 && strcmp(log->a[0].addr, host) == 0))
        return;
    /* TRANSLATORS: the start of a list of addresses and how each failed. */
    len += (size_t)snprintf(out, cap, " %s", _("Addresses tried:"));
    for (size_t i = 0; i < log->n && len < cap; i++) {
        char what[160];
        int err = log->a[i].err;
        if (err == CONNECT_UNFINISHED)
            snprintf(what, sizeof what, "%s", _("not finished"));
        else
            what_of(cause_find(errno_causes, COUNT(errno_causes), err), err, vals, what,
                    sizeof what);
        len += (size_t)snprintf(out + len, cap - len, "%s %s (%s)", shown++ ? "," : "",
                                log->a[i].addr, what);
    }
    if (len < cap)
        snprintf(out + len, cap - len, ".");
}

void connect_explain(const struct connect_error *e, const struct connect_log *log, const char *host,
                     const char *port, int timeout_sec, char *out, size_t cap)
{
    const struct cause *c = e->gai != 0 ? cause_find(gai_causes, COUNT(gai_causes), e->gai)
                                        : cause_find(errno_causes, COUNT(errno_causes), e->err);
    char secs[16], what[160], why[512], tried[1024];
    const char *vals[KEY_COUNT] = {host, port, secs, what, why, tried};

    if (cap == 0)
        return;
    snprintf(secs, sizeof secs, "%d", timeout_sec);
    what[0] = why[0] = '\0';
    if (c != NULL) {
        expand(what, sizeof what, _(c->what), vals);
        expand(why, sizeof why, _(c->why), vals);
    } else {
        /* Not a case we know: still say what the system said. */
        snprintf(what, sizeof what, "%s",
                 e->gai != 0 && e->gai != EAI_SYSTEM ? gai_strerror(e->gai) : strerror(e->err));
    }
    tried_list(e->gai == 0 ? log : NULL, host, vals, tried, sizeof tried);
    /* TRANSLATORS: {host}, {port}, {what} (the short reason), {why} (the
       explanation) and {tried} (the addresses tried, or nothing) are
       replaced; keep them, and "netprobe {host} {port}", which is a
       command, as they are. */
    expand(out, cap,
           c != NULL ? _("cannot connect to {host} port {port}: {what}: {why}.{tried} To see where "
                         "it fails, run: netprobe {host} {port}")
                     : _("cannot connect to {host} port {port}: {what}.{tried} To see where it "
                         "fails, run: netprobe {host} {port}"),
           vals);
}

/* How telling an errno is when several addresses failed: the most telling
 * one is reported (a refusal on IPv4 beats "no IPv6 route"). */
static int err_rank(int err)
{
    static const int order[] = {ECONNREFUSED, ETIMEDOUT,   EACCES,   EPERM,         EHOSTUNREACH,
                                ECONNRESET,   ENETUNREACH, ENETDOWN, EADDRNOTAVAIL, EAFNOSUPPORT};
    for (size_t i = 0; i < COUNT(order); i++)
        if (order[i] == err)
            return (int)(COUNT(order) - i) + 1;
    return 1;
}

/* Keepalive and TCP_USER_TIMEOUT make a dead path visible even when we are
 * only waiting.  Best effort: chat works without them, so errors are
 * ignored. */
static void connect_tune(int fd, unsigned user_timeout_ms)
{
    int on = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
    (void)setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof user_timeout_ms);
}

size_t connect_order(const struct addrinfo *list, const struct addrinfo *out[], size_t max)
{
    const struct addrinfo *first[CONNECT_ADDRS_MAX], *other[CONNECT_ADDRS_MAX];
    size_t nf = 0, no = 0, n = 0;
    for (const struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next) {
        if (ai->ai_family == list->ai_family && nf < CONNECT_ADDRS_MAX)
            first[nf++] = ai;
        else if (ai->ai_family != list->ai_family && no < CONNECT_ADDRS_MAX)
            other[no++] = ai;
    }
    for (size_t i = 0; n < max && (i < nf || i < no); i++) {
        if (i < nf)
            out[n++] = first[i];
        if (i < no && n < max)
            out[n++] = other[i];
    }
    return n;
}

/* The attempts under way. */
struct race {
    const struct connect_params *p;
    struct connect_log *log;
    size_t live;
    struct pollfd pf[CONNECT_ADDRS_MAX];
    size_t idx[CONNECT_ADDRS_MAX];       /* log entry of each live attempt */
    int64_t deadline[CONNECT_ADDRS_MAX]; /* when each live attempt times out */
    int best;                            /* most telling errno so far */
};

/* Records how log entry k ended. */
static void race_note(struct race *r, size_t k, int err)
{
    r->log->a[k].err = err;
    if (err > 0 && (r->best == 0 || err_rank(err) > err_rank(r->best)))
        r->best = err;
}

/* Frees the slot of live attempt i (the last one moves into it). */
static void race_drop(struct race *r, size_t i)
{
    r->live--;
    r->pf[i] = r->pf[r->live];
    r->idx[i] = r->idx[r->live];
    r->deadline[i] = r->deadline[r->live];
}

/* Live attempt i ended with err: noted, its socket closed, its slot freed. */
static void race_end(struct race *r, size_t i, int err)
{
    race_note(r, r->idx[i], err);
    close(r->pf[i].fd);
    race_drop(r, i);
}

/* Closes every live attempt (another won, or we gave up). */
static void race_stop(struct race *r)
{
    while (r->live > 0)
        race_end(r, r->live - 1, CONNECT_UNFINISHED);
}

/* Starts the attempt for ai as log entry k.  Returns a socket that
 * connected at once, else -1; *failed says whether it failed at once. */
static int race_start(struct race *r, const struct addrinfo *ai, size_t k, bool *failed)
{
    int err = 0;
    addr_format(ai->ai_addr, r->log->a[k].addr, NULL);
    r->log->n = k + 1;
    int fd = dial_start(ai->ai_addr, ai->ai_addrlen, &err);
    *failed = fd < 0;
    if (fd < 0) {
        race_note(r, k, err);
        return -1;
    }
    if (err == 0) {
        race_note(r, k, 0);
        return fd;
    }
    race_note(r, k, CONNECT_UNFINISHED);
    r->pf[r->live] = (struct pollfd){.fd = fd, .events = POLLOUT};
    r->idx[r->live] = k;
    r->deadline[r->live] = clock_ms() + r->p->timeout_sec * 1000LL;
    r->live++;
    return -1;
}

/* Checks the live attempts after poll(): returns a connected socket, or
 * -1.  A failed attempt makes *next_at now, so the next address starts at
 * once instead of after the stagger delay. */
static int race_check(struct race *r, int64_t *next_at)
{
    int64_t now = clock_ms();
    for (size_t i = r->live; i-- > 0;) {
        if (r->pf[i].revents != 0) {
            int soerr = 0;
            socklen_t len = sizeof soerr;
            if (getsockopt(r->pf[i].fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
                soerr = errno;
            if (soerr == 0) {
                int fd = r->pf[i].fd;
                race_note(r, r->idx[i], 0);
                race_drop(r, i); /* the winner leaves the race open */
                return fd;
            }
            race_end(r, i, soerr);
            *next_at = now;
        } else if (now >= r->deadline[i]) {
            race_end(r, i, ETIMEDOUT);
            *next_at = now;
        }
    }
    return -1;
}

/* When poll() must return: the earliest deadline, or the next start. */
static int64_t race_wake(const struct race *r, bool more, int64_t next_at)
{
    int64_t wake = more ? next_at : INT64_MAX;
    for (size_t i = 0; i < r->live; i++)
        if (r->deadline[i] < wake)
            wake = r->deadline[i];
    return wake;
}

/* Runs the race over order[0..n).  Returns the winner or -1 with r->best. */
static int race_run(struct race *r, const struct addrinfo *const order[], size_t n)
{
    size_t next = 0;
    int64_t next_at = clock_ms();
    for (;;) {
        if (next < n && (clock_ms() >= next_at || r->live == 0)) {
            bool failed;
            int fd = race_start(r, order[next], next, &failed);
            next++;
            if (fd >= 0)
                return fd;
            next_at = failed ? clock_ms() : clock_ms() + r->p->stagger_ms;
            continue;
        }
        if (r->live == 0)
            return -1;
        int got = poll(r->pf, r->live, clock_left_ms(race_wake(r, next < n, next_at)));
        if (got < 0 && errno != EINTR) {
            r->best = errno;
            return -1;
        }
        if (got < 0 && r->p->cancel != NULL && *r->p->cancel) {
            r->best = EINTR;
            return -1;
        }
        if (got < 0)
            continue;
        int fd = race_check(r, &next_at);
        if (fd >= 0)
            return fd;
    }
}

int connect_try_all(const struct addrinfo *list, const struct connect_params *p,
                    struct connect_error *e, struct connect_log *log)
{
    const struct addrinfo *order[CONNECT_ADDRS_MAX];
    struct connect_log own;
    struct race r = {.p = p, .log = log != NULL ? log : &own};
    r.log->n = 0;
    *e = (struct connect_error){0, 0};
    size_t n = connect_order(list, order, CONNECT_ADDRS_MAX);
    int fd = race_run(&r, order, n);
    race_stop(&r);
    if (fd >= 0) {
        /* chat reads only after poll() says so; a blocking socket keeps
         * the writes simple (they use MSG_DONTWAIT where it matters). */
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
            e->err = errno;
            close(fd);
            return -1;
        }
        connect_tune(fd, p->user_timeout_ms);
        return fd;
    }
    e->err = r.best != 0 ? r.best : EADDRNOTAVAIL;
    return -1;
}

int connect_dial(const char *host, const char *port, const struct connect_params *p,
                 struct connect_error *e, struct connect_log *log)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *list = NULL;
    *e = (struct connect_error){0, 0};
    if (log != NULL)
        log->n = 0;

    int g = getaddrinfo(host, port, &hints, &list);
    if (g != 0) {
        e->gai = g;
        e->err = g == EAI_SYSTEM ? errno : 0;
        return -1;
    }
    int fd = connect_try_all(list, p, e, log);
    freeaddrinfo(list);
    return fd;
}
