#define _GNU_SOURCE /* pipe2, memmem */
#include "tests/support/chatproc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/harness.h"

/* chat processes that have not been seen to exit. */
static pid_t running[8];

static void running_add(pid_t pid)
{
    for (size_t i = 0; i < sizeof running / sizeof running[0]; i++)
        if (running[i] == 0) {
            running[i] = pid;
            return;
        }
    fail_msg("more chat processes than the test expects");
}

static void running_remove(pid_t pid)
{
    for (size_t i = 0; i < sizeof running / sizeof running[0]; i++)
        if (running[i] == pid)
            running[i] = 0;
}

void chatproc_kill_all(void)
{
    for (size_t i = 0; i < sizeof running / sizeof running[0]; i++)
        if (running[i] > 0) {
            kill(running[i], SIGKILL);
            waitpid(running[i], NULL, 0);
            running[i] = 0;
        }
}

/* argv for chat ARGS... in out[16]. */
static void chat_argv(const char *out[16], const char *const args[])
{
    size_t n = 0;
    out[n++] = harness_bin("chat");
    for (size_t i = 0; args[i] != NULL && n < 15; i++)
        out[n++] = args[i];
    out[n] = NULL;
}

void chatproc_start(struct chatproc *p, const char *const args[])
{
    const char *argv[16];
    int in[2], out[2];
    chat_argv(argv, args);
    assert_int_equal(pipe2(in, O_CLOEXEC), 0);
    assert_int_equal(pipe2(out, O_CLOEXEC), 0);
    p->len = 0;
    p->pid = fork();
    assert_true(p->pid >= 0);
    if (p->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(out[1], 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    running_add(p->pid);
    close(in[0]);
    close(out[1]);
    p->in = in[1];
    p->out = out[0];
}

void chatproc_start_pty(struct chatproc *p, const char *const args[])
{
    const char *argv[16];
    struct winsize ws = {.ws_row = 30, .ws_col = 100};
    int master;
    chat_argv(argv, args);
    p->len = 0;
    p->pid = forkpty(&master, NULL, NULL, &ws);
    assert_true(p->pid >= 0);
    if (p->pid == 0) {
        setenv("TERM", "dumb", 1);
        setenv("NO_COLOR", "1", 1);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    running_add(p->pid);
    p->in = p->out = master;
}

void chatproc_say(struct chatproc *p, const char *line)
{
    size_t n = strlen(line);
    assert_int_equal(write(p->in, line, n), (ssize_t)n);
    assert_int_equal(write(p->in, "\n", 1), 1);
}

int chatproc_read(struct chatproc *p, const char *want, int ms)
{
    long long end = harness_now_ms() + ms;
    for (;;) {
        p->buf[p->len] = '\0';
        if (want != NULL && memmem(p->buf, p->len, want, strlen(want)) != NULL)
            return 0;
        long long left = end - harness_now_ms();
        struct pollfd pf = {.fd = p->out, .events = POLLIN};
        if (left <= 0 || poll(&pf, 1, (int)left) <= 0)
            break;
        ssize_t r = read(p->out, p->buf + p->len, sizeof p->buf - 1 - p->len);
        if (r <= 0)
            break;
        p->len += (size_t)r;
    }
    p->buf[p->len] = '\0';
    if (want == NULL)
        return 0;
    fprintf(stderr, "chat (pid %d) did not print \"%s\" within %d ms; it printed:\n%s\n",
            (int)p->pid, want, ms, p->buf);
    return -1;
}

int chatproc_wait(struct chatproc *p, int ms)
{
    int status;
    for (long long end = harness_now_ms() + ms; harness_now_ms() < end; usleep(5000))
        if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
            running_remove(p->pid);
            chatproc_read(p, NULL, 2000); /* ends at EOF: chat is gone */
            if (p->in >= 0 && p->in != p->out)
                close(p->in);
            close(p->out);
            p->in = p->out = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
    return -1;
}

int chatproc_finish(struct chatproc *p, int ms)
{
    if (p->in >= 0 && p->in != p->out)
        close(p->in);
    p->in = -1;
    int rc = chatproc_wait(p, ms);
    if (rc == -1) {
        kill(p->pid, SIGKILL);
        chatproc_wait(p, 10000);
    }
    return rc;
}
