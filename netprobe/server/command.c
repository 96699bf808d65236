#define _GNU_SOURCE /* pipe2 */

/*
 * command.c - running a helper program with its output captured (command.h).
 */
#include "netprobe/server/command.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"

int command_run(char *const argv[], int timeout_ms, char **out, char *errtext, size_t errcap)
{
    int po[2], pe[2], status = 0;
    size_t len = 0, cap = 65536, elen = 0;
    pid_t pid;
    posix_spawn_file_actions_t fa;

    *out = NULL;
    errtext[0] = '\0';
    if (pipe2(po, O_CLOEXEC) < 0)
        return 127;
    if (pipe2(pe, O_CLOEXEC) < 0) {
        close(po[0]);
        close(po[1]);
        return 127;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, (char *[]){"LC_ALL=C", NULL});
    posix_spawn_file_actions_destroy(&fa);
    close(po[1]);
    close(pe[1]);
    char *buf = rc == 0 ? malloc(cap) : NULL;
    if (buf == NULL) {
        close(po[0]);
        close(pe[0]);
        if (rc == 0) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
        }
        return 127;
    }
    int64_t deadline = clock_ms() + timeout_ms;
    struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
    bool too_long = false;
    while (!too_long && (fds[0].fd >= 0 || fds[1].fd >= 0)) {
        int left = clock_left_ms(deadline);
        if (left <= 0 || poll(fds, 2, left) < 0) {
            if (left > 0 && errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || fds[i].revents == 0)
                continue;
            char tmp[4096];
            ssize_t n = read(fds[i].fd, tmp, sizeof tmp);
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                continue;
            }
            if (i == 1) {
                size_t k = elen + (size_t)n < errcap ? (size_t)n : errcap - 1 - elen;
                memcpy(errtext + elen, tmp, k);
                elen += k;
                errtext[elen] = '\0';
                continue;
            }
            if (len + (size_t)n + 1 > cap) {
                char *bigger = cap < COMMAND_OUTPUT_MAX ? realloc(buf, cap * 2) : NULL;
                if (bigger == NULL) {
                    /* Past the cap: a cut rule set could read as a wrong
                     * verdict, so the tool is stopped and nothing is parsed. */
                    too_long = true;
                    break;
                }
                buf = bigger;
                cap *= 2;
            }
            memcpy(buf + len, tmp, (size_t)n);
            len += (size_t)n;
        }
    }
    buf[len] = '\0';
    bool still_open = fds[0].fd >= 0 || fds[1].fd >= 0;
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    if (still_open)
        kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    *out = buf;
    if (too_long)
        return COMMAND_TOO_LONG;
    if (still_open)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}
