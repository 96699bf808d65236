#include "common/dial.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "common/clock.h"

int dial_start(const struct sockaddr *sa, socklen_t len, int *err)
{
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *err = errno;
        return -1;
    }
    if (connect(fd, sa, len) == 0) {
        *err = 0;
        return fd;
    }
    *err = errno;
    if (*err == EINPROGRESS)
        return fd;
    close(fd);
    return -1;
}

int dial_wait(int fd, int64_t deadline_ms)
{
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int r = poll(&p, 1, clock_left_ms(deadline_ms));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return errno;
        if (r == 0)
            return ETIMEDOUT;
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
            return errno;
        return soerr;
    }
}

int dial_connect(const struct sockaddr *sa, socklen_t len, int timeout_ms, int *err)
{
    int64_t deadline = clock_ms() + timeout_ms;
    int fd = dial_start(sa, len, err);
    if (fd < 0 || *err == 0)
        return fd;
    *err = dial_wait(fd, deadline);
    if (*err == 0)
        return fd;
    close(fd);
    return -1;
}
