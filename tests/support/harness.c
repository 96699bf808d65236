#include "tests/support/harness.h"

#include "common/clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The programs' own clock (common/clock.h), so a test's deadlines and the
 * programs' timeouts are measured alike. */
long long harness_now_ms(void)
{
    return clock_ms();
}

const char *harness_bin(const char *name)
{
    static char path[512];
    const char *dir = getenv("BIN_DIR");
    snprintf(path, sizeof path, "%s/%s", dir != NULL ? dir : "bin", name);
    return path;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

void harness_server_log(const struct harness_server *s, char *out, size_t cap)
{
    out[0] = '\0';
    FILE *f = fopen(s->log_path, "r");
    if (f == NULL)
        return;
    size_t n = fread(out, 1, cap - 1, f);
    out[n] = '\0';
    fclose(f);
}

/* Looks for "listening on 127.0.0.1 port N" in the log. */
static int find_port(const struct harness_server *s)
{
    static char log[65536];
    harness_server_log(s, log, sizeof log);
    const char *p = strstr(log, "listening on 127.0.0.1 port ");
    if (p == NULL)
        return -1;
    return atoi(p + strlen("listening on 127.0.0.1 port "));
}

int harness_server_start(struct harness_server *s, const char *const extra[])
{
    const char *argv[64] = {harness_bin("chatd"), "--bind", "127.0.0.1", "--port", "0"};
    size_t n = 5;
    for (size_t i = 0; extra != NULL && extra[i] != NULL && n < 63; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;

    snprintf(s->log_path, sizeof s->log_path, "/tmp/harness-chatd-%d-XXXXXX", (int)getpid());
    int logfd = mkstemp(s->log_path);
    if (logfd < 0)
        return -1;
    s->pid = fork();
    if (s->pid < 0)
        return -1;
    if (s->pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, 0);
        dup2(logfd, 1);
        dup2(logfd, 2);
        execv(argv[0], (char *const *)argv);
        perror("execv chatd");
        _exit(127);
    }
    close(logfd);
    for (long long end = harness_now_ms() + 5000; harness_now_ms() < end; sleep_ms(10)) {
        s->port = find_port(s);
        if (s->port > 0)
            return 0;
        if (waitpid(s->pid, NULL, WNOHANG) == s->pid)
            break;
    }
    static char log[65536];
    harness_server_log(s, log, sizeof log);
    fprintf(stderr, "harness: chatd did not start; its log:\n%s\n", log);
    /* Leave nothing behind: the child may still run without a port line. */
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    unlink(s->log_path);
    return -1;
}

int harness_server_stop(struct harness_server *s)
{
    int status = 0;
    kill(s->pid, SIGTERM);
    for (long long end = harness_now_ms() + 10000; harness_now_ms() < end; sleep_ms(10)) {
        pid_t r = waitpid(s->pid, &status, WNOHANG);
        if (r == s->pid) {
            unlink(s->log_path);
            if (WIFEXITED(status))
                return WEXITSTATUS(status);
            return 128 + WTERMSIG(status);
        }
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, &status, 0);
    unlink(s->log_path);
    return -1;
}

int harness_conn_open(struct harness_conn *c, int port)
{
    return harness_conn_open_from(c, port, NULL);
}

int harness_conn_open_from(struct harness_conn *c, int port, const char *source)
{
    c->len = 0;
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        return -1;
    struct sockaddr_in src = {.sin_family = AF_INET};
    if (source != NULL && (inet_pton(AF_INET, source, &src.sin_addr) != 1 ||
                           bind(c->fd, (struct sockaddr *)&src, sizeof src) < 0)) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    return 0;
}

void harness_conn_close(struct harness_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->len = 0;
}

int harness_conns_new(struct harness_conn **c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        c[i] = calloc(1, sizeof *c[i]);
        if (c[i] == NULL)
            return -1;
        c[i]->fd = -1;
    }
    return 0;
}

void harness_conns_close(struct harness_conn **c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (c[i] != NULL)
            harness_conn_close(c[i]);
}

void harness_conns_free(struct harness_conn **c, size_t n)
{
    harness_conns_close(c, n);
    for (size_t i = 0; i < n; i++) {
        free(c[i]);
        c[i] = NULL;
    }
}

int harness_send_bytes(struct harness_conn *c, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int harness_send(struct harness_conn *c, const char *s)
{
    return harness_send_bytes(c, s, strlen(s));
}

/* Reads more bytes into c->buf, waiting at most until deadline.
 * Returns bytes read, 0 on EOF, -1 on timeout or error. */
static int fill(struct harness_conn *c, long long deadline)
{
    if (c->len == sizeof c->buf)
        return -1;
    for (;;) {
        long long left = deadline - harness_now_ms();
        if (left <= 0)
            return -1;
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        c->len += (size_t)n;
        return (int)n;
    }
}

int harness_read_line(struct harness_conn *c, char *line, size_t cap, int timeout_ms)
{
    long long deadline = harness_now_ms() + timeout_ms;
    for (;;) {
        char *lf = memchr(c->buf, '\n', c->len);
        if (lf != NULL) {
            size_t n = (size_t)(lf - c->buf);
            size_t copy = n < cap - 1 ? n : cap - 1;
            memcpy(line, c->buf, copy);
            line[copy] = '\0';
            c->len -= n + 1;
            memmove(c->buf, lf + 1, c->len);
            return (int)copy;
        }
        if (fill(c, deadline) <= 0)
            return -1;
    }
}

int harness_read_bytes(struct harness_conn *c, void *out, size_t len, int timeout_ms)
{
    long long deadline = harness_now_ms() + timeout_ms;
    char *o = out;
    while (len > 0) {
        if (c->len == 0 && fill(c, deadline) <= 0)
            return -1;
        size_t n = c->len < len ? c->len : len;
        memcpy(o, c->buf, n);
        o += n;
        len -= n;
        c->len -= n;
        memmove(c->buf, c->buf + n, c->len);
    }
    return 0;
}

int harness_expect(struct harness_conn *c, const char *prefix, char *line, size_t cap,
                   int timeout_ms)
{
    char tmp[4096];
    long long deadline = harness_now_ms() + timeout_ms;
    for (;;) {
        long long left = deadline - harness_now_ms();
        if (left <= 0 || harness_read_line(c, tmp, sizeof tmp, (int)left) < 0) {
            fprintf(stderr, "harness: no line starting with \"%s\" within %d ms\n", prefix,
                    timeout_ms);
            return -1;
        }
        if (strncmp(tmp, prefix, strlen(prefix)) == 0) {
            if (line != NULL)
                snprintf(line, cap, "%s", tmp);
            return 0;
        }
    }
}

int harness_expect_close(struct harness_conn *c, int timeout_ms)
{
    long long deadline = harness_now_ms() + timeout_ms;
    for (;;) {
        c->len = 0; /* discard whatever came before the close */
        long long left = deadline - harness_now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        if (poll(&p, 1, (int)left) <= 0)
            return 0;
        ssize_t n = recv(c->fd, c->buf, sizeof c->buf, 0);
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
            return 1;
    }
}

int harness_login(struct harness_conn *c, int port, const char *name)
{
    char line[256];
    if (harness_conn_open(c, port) < 0)
        return -1;
    if (harness_expect(c, "ASK name", NULL, 0, 5000) < 0)
        return -1;
    snprintf(line, sizeof line, "%s\n", name);
    if (harness_send(c, line) < 0)
        return -1;
    return harness_expect(c, "OK name", NULL, 0, 5000);
}

/* Child side of harness_run(). */
static void run_child(const char *const argv[], int in_fd, int out_fd)
{
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(out_fd, 2);
    execv(argv[0], (char *const *)argv);
    perror("execv");
    _exit(127);
}

int harness_run(const char *const argv[], const char *input, char *out, size_t cap, int timeout_ms)
{
    char in_path[] = "/tmp/harness-in-XXXXXX", out_path[] = "/tmp/harness-out-XXXXXX";
    int in_fd = mkstemp(in_path), out_fd = mkstemp(out_path);
    if (in_fd < 0 || out_fd < 0)
        return -1;
    unlink(in_path);
    unlink(out_path);
    if (input != NULL && write(in_fd, input, strlen(input)) != (ssize_t)strlen(input))
        return -1;
    lseek(in_fd, 0, SEEK_SET);
    pid_t pid = fork();
    if (pid == 0)
        run_child(argv, in_fd, out_fd);
    int status = -1, rc = -1;
    for (long long end = harness_now_ms() + timeout_ms; harness_now_ms() < end; sleep_ms(5)) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break;
        }
    }
    if (rc == -1) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    ssize_t n = pread(out_fd, out, cap - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    close(in_fd);
    close(out_fd);
    return rc;
}
