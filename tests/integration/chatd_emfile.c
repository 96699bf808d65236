/* Out of file descriptors: chatd pauses accept() instead of spinning on
 * EMFILE, and serves new clients again once descriptors are free.  chatd
 * runs with a 40-file limit and 20 inherited descriptors, so accept() hits
 * EMFILE long before --max-clients. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/harness.h"

#define CONNS 24
#define FILE_LIMIT 40
#define INHERITED 20

static struct harness_server srv;
static int running;
static struct harness_conn *conns;

/* Child: a small open-file limit, descriptors to waste, then chatd. */
static void run_chatd(int logfd)
{
    struct rlimit rl = {FILE_LIMIT, FILE_LIMIT};
    const char *argv[] = {harness_bin("chatd"), "--bind", "127.0.0.1", "--port", "0", NULL};
    dup2(logfd, 1);
    dup2(logfd, 2);
    for (int i = 0; i < INHERITED; i++)
        (void)open("/dev/null", O_RDONLY); /* not O_CLOEXEC: chatd inherits them */
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        _exit(126);
    execv(argv[0], (char *const *)argv);
    _exit(127);
}

static int start_small(void)
{
    snprintf(srv.log_path, sizeof srv.log_path, "/tmp/harness-chatd-%d-XXXXXX", (int)getpid());
    int logfd = mkstemp(srv.log_path);
    if (logfd < 0)
        return -1;
    srv.pid = fork();
    if (srv.pid == 0)
        run_chatd(logfd);
    close(logfd);
    if (srv.pid < 0)
        return -1;
    running = 1;
    static char log[16384];
    for (long long end = harness_now_ms() + 5000; harness_now_ms() < end; usleep(10000)) {
        harness_server_log(&srv, log, sizeof log);
        const char *p = strstr(log, "listening on 127.0.0.1 port ");
        if (p != NULL) {
            srv.port = atoi(p + strlen("listening on 127.0.0.1 port "));
            return 0;
        }
    }
    return -1;
}

/* CPU seconds (user + system) chatd has used, in clock ticks. */
static long cpu_ticks(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    long utime = 0, stime = 0;
    if (p == NULL ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &utime, &stime) != 2)
        return -1;
    return utime + stime;
}

static void emfile_pauses_accept_without_spinning_then_recovers(void **state)
{
    (void)state;
    static char log[65536];
    conns = calloc(CONNS + 1, sizeof *conns);
    assert_non_null(conns);
    for (int i = 0; i <= CONNS; i++)
        conns[i].fd = -1;
    assert_int_equal(start_small(), 0);
    /* More connections than chatd has descriptors: the kernel completes
     * them (listen backlog), chatd cannot accept the rest. */
    for (int i = 0; i < CONNS; i++)
        assert_int_equal(harness_conn_open(&conns[i], srv.port), 0);
    usleep(300 * 1000);
    long before = cpu_ticks(srv.pid);
    usleep(2000 * 1000);
    long used = cpu_ticks(srv.pid) - before;
    harness_server_log(&srv, log, sizeof log);
    if (strstr(log, "not accepting for 1000 ms") == NULL)
        fail_msg("no EMFILE pause in the log:\n%s", log);
    print_message("chatd used %ld CPU ticks in 2 s while out of descriptors\n", used);
    assert_true(before >= 0 && used < sysconf(_SC_CLK_TCK) / 2); /* under 0.5 s: not spinning */
    /* Free descriptors: the waiting connections are served, the last one too
     * (about 14 were accepted; 12 open ones leave room for it). */
    for (int i = 0; i < CONNS / 2; i++)
        harness_conn_close(&conns[i]);
    assert_int_equal(harness_expect(&conns[CONNS - 1], "ASK name", NULL, 0, 5000), 0);
}

static int cleanup(void **state)
{
    (void)state;
    for (int i = 0; conns != NULL && i <= CONNS; i++)
        harness_conn_close(&conns[i]);
    free(conns);
    conns = NULL;
    int rc = running ? harness_server_stop(&srv) : 0;
    running = 0;
    return rc == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(emfile_pauses_accept_without_spinning_then_recovers, cleanup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
