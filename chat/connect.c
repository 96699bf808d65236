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
#include <time.h>
#include <unistd.h>

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
enum { KEY_HOST, KEY_PORT, KEY_SECS, KEY_WHAT, KEY_WHY, KEY_COUNT };

/* Copies src to out, replacing each key with vals[key] in one pass (a
 * value is never expanded again).  Bounded by cap; out stays
 * NUL-terminated. */
static void expand(char *out, size_t cap, const char *src, const char *const vals[KEY_COUNT])
{
    static const char *const keys[KEY_COUNT] = {"{host}", "{port}", "{secs}", "{what}", "{why}"};
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

void connect_explain(const struct connect_error *e, const char *host, const char *port,
                     int timeout_sec, char *out, size_t cap)
{
    const struct cause *c = e->gai != 0 ? cause_find(gai_causes, COUNT(gai_causes), e->gai)
                                        : cause_find(errno_causes, COUNT(errno_causes), e->err);
    char secs[16], what[160], why[512];
    const char *vals[KEY_COUNT] = {host, port, secs, what, why};

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
    /* TRANSLATORS: {host}, {port}, {what} (the short reason) and {why} (the
       explanation) are replaced; keep them, and "netprobe {host} {port}",
       which is a command, as they are. */
    expand(out, cap,
           c != NULL ? _("cannot connect to {host} port {port}: {what}: {why}. To see where it "
                         "fails, run: netprobe {host} {port}")
                     : _("cannot connect to {host} port {port}: {what}. To see where it fails, "
                         "run: netprobe {host} {port}"),
           vals);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

/* Waits for a non-blocking connect on fd to finish.  Returns 0 or an errno
 * (ETIMEDOUT when timeout_ms passes with no answer). */
static int connect_wait(int fd, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            return ETIMEDOUT;
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return errno;
        if (r == 0)
            return ETIMEDOUT;
        int soerr = 0;
        socklen_t len = sizeof soerr;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
            return errno;
        return soerr;
    }
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

/* One address: returns a connected blocking socket, or -1 with *err set. */
static int connect_one(const struct addrinfo *ai, int timeout_sec, int *err)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) {
        *err = errno;
        return -1;
    }
    int r = connect(fd, ai->ai_addr, ai->ai_addrlen);
    *err = r == 0 ? 0 : errno;
    if (r < 0 && errno == EINPROGRESS)
        *err = connect_wait(fd, timeout_sec * 1000);
    if (*err == 0) {
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
            *err = errno;
    }
    if (*err != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int connect_try_all(const struct addrinfo *list, int timeout_sec, unsigned user_timeout_ms,
                    struct connect_error *e)
{
    int fd = -1;
    *e = (struct connect_error){0, 0};
    for (const struct addrinfo *ai = list; ai != NULL && fd < 0; ai = ai->ai_next) {
        int err = 0;
        fd = connect_one(ai, timeout_sec, &err);
        if (fd < 0 && (e->err == 0 || err_rank(err) > err_rank(e->err)))
            e->err = err;
    }
    if (fd >= 0)
        connect_tune(fd, user_timeout_ms);
    return fd;
}

int connect_dial(const char *host, const char *port, int timeout_sec, unsigned user_timeout_ms,
                 struct connect_error *e)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *list = NULL;
    *e = (struct connect_error){0, 0};

    int g = getaddrinfo(host, port, &hints, &list);
    if (g != 0) {
        e->gai = g;
        e->err = g == EAI_SYSTEM ? errno : 0;
        return -1;
    }
    int fd = connect_try_all(list, timeout_sec, user_timeout_ms, e);
    freeaddrinfo(list);
    return fd;
}
