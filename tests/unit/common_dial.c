/* Unit tests for common/dial.c and common/clock.c on loopback: a connect
 * that succeeds, one that is refused, one that times out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "common/addr.h"
#include "common/clock.h"
#include "common/dial.h"

/* A listener on 127.0.0.1 port 0 with the given backlog; its address goes
 * into ss/len.  The test fails if it cannot be made. */
static int listen_loopback(int backlog, struct sockaddr_storage *ss, socklen_t *len)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(addr_parse("127.0.0.1", 0, ss, len), 0);
    assert_int_equal(bind(fd, (struct sockaddr *)ss, *len), 0);
    assert_int_equal(listen(fd, backlog), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)ss, len), 0);
    return fd;
}

static void test_connects(void **state)
{
    (void)state;
    struct sockaddr_storage ss;
    socklen_t len;
    int lfd = listen_loopback(8, &ss, &len), err = -1;
    int fd = dial_connect((struct sockaddr *)&ss, len, 1000, &err);
    assert_true(fd >= 0);
    assert_int_equal(err, 0);
    close(fd);
    close(lfd);
}

static void test_refused(void **state)
{
    (void)state;
    struct sockaddr_storage ss;
    socklen_t len;
    int lfd = listen_loopback(8, &ss, &len), err = 0;
    close(lfd); /* the port is now closed: the kernel answers with a reset */
    assert_int_equal(dial_connect((struct sockaddr *)&ss, len, 1000, &err), -1);
    assert_int_equal(err, ECONNREFUSED);
}

/* A listener whose accept queue is full drops new SYNs, so a connect to it
 * gets no answer: the deadline must end the wait, not much later. */
static void test_times_out(void **state)
{
    (void)state;
    struct sockaddr_storage ss;
    socklen_t len;
    int lfd = listen_loopback(0, &ss, &len), err = 0, held[4];
    for (int i = 0; i < 4; i++)
        held[i] = dial_connect((struct sockaddr *)&ss, len, 200, &err);
    int64_t start = clock_ms();
    int fd = dial_connect((struct sockaddr *)&ss, len, 300, &err);
    int64_t took = clock_ms() - start;
    print_message("fifth connect: fd %d err %s after %lld ms\n", fd, strerror(err),
                  (long long)took);
    assert_int_equal(fd, -1);
    assert_int_equal(err, ETIMEDOUT);
    assert_true(took >= 290 && took < 3000);
    for (int i = 0; i < 4; i++)
        if (held[i] >= 0)
            close(held[i]);
    close(lfd);
}

static void test_clock(void **state)
{
    (void)state;
    int64_t a = clock_ms();
    double f = clock_ms_f();
    assert_true(f >= (double)a);
    assert_int_equal(clock_left_ms(a - 5), 0);
    int left = clock_left_ms(clock_ms() + 10000);
    assert_true(left > 9000 && left <= 10000);
    assert_int_equal(clock_left_ms(INT64_MAX / 2), INT32_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connects),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_times_out),
        cmocka_unit_test(test_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
