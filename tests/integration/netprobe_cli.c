/*
 * Integration tests for the netprobe command on loopback: real chatd in
 * both modes, small in-test servers that misbehave in one way each, usage
 * errors, and the JSON report on every exit path.  Nothing leaves
 * 127.0.0.1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/support/harness.h"
#include "tests/support/report_run.h"

#define OUT_MAX 65536
#define RUN_TIMEOUT_MS 15000 /* only catches a hang */

/* ---- Servers that misbehave --------------------------------------------- */

enum fake_mode {
    FAKE_SILENT, /* accepts, never reads, never answers */
    FAKE_CLOSE,  /* accepts and closes at once */
    FAKE_BANNER, /* accepts and greets like an SSH server */
};

#define FAKE_CONNS_MAX 32

struct fake {
    enum fake_mode mode;
    int lfd, port, wake[2];
    int conns[FAKE_CONNS_MAX];
    size_t nconns;
    pthread_t thread;
};

static const char ssh_banner[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";

static void fake_accept(struct fake *f)
{
    int fd = accept(f->lfd, NULL, NULL);
    if (fd < 0)
        return;
    if (f->mode == FAKE_CLOSE || f->nconns == FAKE_CONNS_MAX) {
        close(fd);
        return;
    }
    if (f->mode == FAKE_BANNER &&
        send(fd, ssh_banner, sizeof ssh_banner - 1, MSG_NOSIGNAL) < 0) /* best effort */
        fprintf(stderr, "fake: send: %s\n", strerror(errno));
    f->conns[f->nconns++] = fd;
}

static void *fake_loop(void *arg)
{
    struct fake *f = arg;
    for (;;) {
        struct pollfd p[2] = {{.fd = f->lfd, .events = POLLIN},
                              {.fd = f->wake[0], .events = POLLIN}};
        if (poll(p, 2, 20000) <= 0 || p[1].revents != 0)
            return NULL;
        fake_accept(f);
    }
}

static int fake_start(struct fake *f, enum fake_mode mode)
{
    memset(f, 0, sizeof *f);
    f->mode = mode;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    f->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (f->lfd < 0 || bind(f->lfd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        listen(f->lfd, 16) < 0 || getsockname(f->lfd, (struct sockaddr *)&sa, &len) < 0 ||
        pipe(f->wake) < 0)
        return -1;
    f->port = ntohs(sa.sin_port);
    return pthread_create(&f->thread, NULL, fake_loop, f) == 0 ? 0 : -1;
}

static void fake_stop(struct fake *f)
{
    if (write(f->wake[1], "x", 1) != 1)
        fprintf(stderr, "fake: cannot wake the server thread\n");
    pthread_join(f->thread, NULL);
    for (size_t i = 0; i < f->nconns; i++)
        close(f->conns[i]);
    close(f->lfd);
    close(f->wake[0]);
    close(f->wake[1]);
}

/* A loopback port with nothing listening: bound, then released. */
static int closed_port(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

/* ---- Running netprobe ---------------------------------------------------- */

static struct report_run result; /* large: off the stack */

/* Runs netprobe --json TMP ARGS... and parses the report. */
static void run_netprobe(const char *const args[])
{
    assert_int_equal(report_run(&result, args, RUN_TIMEOUT_MS), 0);
}

/* Asserts after any server is stopped, so a failure leaves nothing behind. */
static void expect_report(void)
{
    assert_non_null(result.report);
}

static const char *member_string(const cJSON *o, const char *a, const char *b)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b != NULL)
        it = cJSON_GetObjectItemCaseSensitive(it, b);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* Asserts the exit status and the report's verdict code. */
static void expect_verdict(int status, const char *code)
{
    expect_report();
    const char *got = member_string(result.report, "verdict", "code");
    print_message("exit %d, verdict %s, %lld ms\n", result.status, got ? got : "(none)", result.ms);
    if (got == NULL || strcmp(got, code) != 0 || result.status != status)
        print_message("output:\n%s\n", result.out);
    assert_int_equal(result.status, status);
    assert_non_null(got);
    assert_string_equal(got, code);
    assert_non_null(strstr(result.out, "verdict: "));
    assert_non_null(strstr(result.out, code));
}

static void done(void)
{
    cJSON_Delete(result.report);
    result.report = NULL;
}

/* ---- Against chatd ------------------------------------------------------- */

/* Wall time includes starting the process; the sanitizers' start and leak
 * check alone take about half a second. */
#ifdef __SANITIZE_ADDRESS__
#define WALL_BOUND_MS 3000
#else
#define WALL_BOUND_MS 1000
#endif

/* The sum of the stages' durations: the time netprobe spent probing. */
static double stages_ms(const cJSON *report)
{
    double sum = 0;
    const cJSON *stage;
    cJSON_ArrayForEach(stage, cJSON_GetObjectItem(report, "stages"))
    {
        const cJSON *d = cJSON_GetObjectItem(stage, "duration_ms");
        sum += cJSON_IsNumber(d) ? d->valuedouble : 0;
    }
    return sum;
}

static void chatd_gives_ok(const char *mode, const char *const extra[])
{
    struct harness_server s;
    if (access(harness_bin("chatd"), X_OK) != 0) {
        print_message("skipping: %s is not built\n", harness_bin("chatd"));
        skip();
    }
    assert_int_equal(harness_server_start(&s, extra), 0);
    char port[16];
    snprintf(port, sizeof port, "%d", s.port);
    const char *const args[] = {"127.0.0.1", port, NULL};
    run_netprobe(args);
    harness_server_stop(&s);
    double work = stages_ms(result.report);
    print_message("netprobe against chatd (%s mode): %lld ms wall, %.1f ms in its stages\n", mode,
                  result.ms, work);
    expect_verdict(0, "ok");
    const cJSON *app = cJSON_GetArrayItem(cJSON_GetObjectItem(result.report, "stages"), 4);
    const char *seen_mode = member_string(cJSON_GetObjectItem(app, "evidence"), "server", "mode");
    assert_non_null(seen_mode);
    assert_string_equal(seen_mode, mode);
    /* Under 100 ms is the goal; the bounds only catch a real slowdown on a
     * loaded two-core machine. */
    assert_true(work < 1000);
    assert_true(result.ms < WALL_BOUND_MS);
    done();
}

static void chatd_chat_mode_gives_ok_quickly(void **state)
{
    (void)state;
    chatd_gives_ok("chat", NULL);
}

static void chatd_diag_mode_gives_ok_quickly(void **state)
{
    (void)state;
    static const char *const diag[] = {"--diag", NULL};
    chatd_gives_ok("diag", diag);
}

/* ---- Against misbehaving servers --------------------------------------- */

static void closed_port_gives_refused(void **state)
{
    (void)state;
    char port[16];
    snprintf(port, sizeof port, "%d", closed_port());
    const char *const args[] = {"127.0.0.1", port, NULL};
    run_netprobe(args);
    expect_verdict(1, "refused");
    done();
}

/* HOST:PORT, [IPv6]:PORT and white space around them name the same
 * target as HOST PORT: the report's target has that host and port. */
static void target_forms_name_host_and_port(void **state)
{
    (void)state;
    int p = closed_port();
    static const struct {
        const char *fmt, *host;
    } forms[] = {
        {"127.0.0.1:%d", "127.0.0.1"},
        {"  127.0.0.1:%d \t", "127.0.0.1"},
        {"[127.0.0.1]:%d", "127.0.0.1"},
        {" [::1]:%d", "::1"},
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        char target[64];
        snprintf(target, sizeof target, forms[i].fmt, p);
        const char *const args[] = {"--no-icmp", target, NULL};
        run_netprobe(args);
        expect_report();
        print_message("form \"%s\": exit %d\n", target, result.status);
        assert_string_equal(member_string(result.report, "target", "host"), forms[i].host);
        const cJSON *port =
            cJSON_GetObjectItem(cJSON_GetObjectItem(result.report, "target"), "port");
        assert_true(cJSON_IsNumber(port));
        assert_int_equal(port->valueint, p);
        /* Nothing listens there: refused, or (no IPv6 loopback) no route. */
        const char *code = member_string(result.report, "verdict", "code");
        assert_non_null(code);
        assert_true(strcmp(code, "refused") == 0 || forms[i].host[0] == ':');
        done();
    }
}

struct fake_case {
    enum fake_mode mode;
    const char *code;
    const char *evidence; /* in the human output */
};

static const struct fake_case fake_cases[] = {
    {FAKE_SILENT, "connected_silent", "nothing came back"},
    {FAKE_CLOSE, "server_closed", "before answering"},
    {FAKE_BANNER, "wrong_service", "SSH-2.0-OpenSSH_9.2p1"},
};

static void misbehaving_servers_get_their_verdicts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof fake_cases / sizeof fake_cases[0]; i++) {
        struct fake f;
        assert_int_equal(fake_start(&f, fake_cases[i].mode), 0);
        char port[16];
        snprintf(port, sizeof port, "%d", f.port);
        const char *const args[] = {"--timeout", "1", "127.0.0.1", port, NULL};
        run_netprobe(args);
        fake_stop(&f);
        print_message("case %s\n", fake_cases[i].code);
        expect_verdict(1, fake_cases[i].code);
        assert_non_null(strstr(result.out, fake_cases[i].evidence));
        done();
    }
}

/* ---- Usage errors and the report on every exit path ---------------------- */

struct usage_case {
    const char *args[6];
    const char *message; /* part of the error line */
};

static const struct usage_case usage_cases[] = {
    {{NULL}, "missing HOST"},
    {{"127.0.0.1", "0", NULL}, "invalid port \"0\""},
    {{"127.0.0.1", "70000", NULL}, "invalid port \"70000\""},
    {{"127.0.0.1", "88a", NULL}, "invalid port \"88a\""},
    {{"127.0.0.1", "8888", "extra", NULL}, "too many arguments"},
    {{"--timeout", "0", "127.0.0.1", NULL}, "invalid --timeout \"0\""},
    {{"--timeout", "soon", "127.0.0.1", NULL}, "invalid --timeout \"soon\""},
    {{"--sizes", "16,,64", "127.0.0.1", NULL}, "invalid --sizes \"16,,64\""},
    {{"--sizes", "0", "127.0.0.1", NULL}, "invalid --sizes \"0\""},
    {{"--sizes", "2000000", "127.0.0.1", NULL}, "invalid --sizes \"2000000\""},
    {{"-4", "-6", "127.0.0.1", NULL}, "-4 and -6"},
    {{"-6", "127.0.0.1", NULL}, "is an IPv4 address"},
    {{"-4", "::1", NULL}, "is an IPv6 address"},
    {{"--frobnicate", "127.0.0.1", NULL}, "unknown option \"--frobnicate\""},
    {{"127.0.0.1", "--timeout", NULL}, "needs a value"},
    /* The target forms people paste (HOST:PORT and friends). */
    {{"http://127.0.0.1:8888", NULL}, "is a URL"},
    {{"127.0.0.1:8888", "8888", NULL}, "the port was given twice"},
    {{"127.0.0.1:0", NULL}, "is not a server address"},
    {{"[::1", NULL}, "is not a server address"},
};

static void usage_errors_exit_2_with_message_and_report(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof usage_cases / sizeof usage_cases[0]; i++) {
        const struct usage_case *c = &usage_cases[i];
        run_netprobe(c->args);
        expect_report();
        print_message("case \"%s\": exit %d\n%s", c->message, result.status, result.out);
        assert_int_equal(result.status, 2);
        assert_non_null(strstr(result.out, c->message));
        assert_non_null(strstr(result.out, "--help"));
        const char *error = member_string(result.report, "error", NULL);
        assert_non_null(error);
        assert_non_null(strstr(error, c->message));
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(result.report, "verdict")));
        done();
    }
}

/* With --json -, standard output is the document and nothing else. */
static void json_to_stdout_is_only_the_document(void **state)
{
    (void)state;
    char cmd[512], out[OUT_MAX];
    snprintf(cmd, sizeof cmd, "exec %s --json - 127.0.0.1 %d 2>/dev/null", harness_bin("netprobe"),
             closed_port());
    const char *const argv[] = {"/bin/sh", "-c", cmd, NULL};
    int status = harness_run(argv, NULL, out, sizeof out, RUN_TIMEOUT_MS);
    assert_int_equal(status, 1);
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithOpts(out, &end, 0);
    assert_non_null(doc);
    while (*end == '\n')
        end++;
    assert_int_equal(*end, '\0');  /* nothing after the document */
    assert_int_equal(out[0], '{'); /* nothing before it */
    assert_string_equal(member_string(doc, "verdict", "code"), "refused");
    cJSON_Delete(doc);
}

static void unwritable_report_path_exits_3(void **state)
{
    (void)state;
    char out[OUT_MAX];
    char port[16];
    snprintf(port, sizeof port, "%d", closed_port());
    const char *const argv[] = {
        harness_bin("netprobe"), "--json", "/nonexistent-dir/r.json", "127.0.0.1", port, NULL};
    int status = harness_run(argv, NULL, out, sizeof out, RUN_TIMEOUT_MS);
    print_message("%s", out);
    assert_int_equal(status, 3);
    assert_non_null(strstr(out, "/nonexistent-dir/r.json"));
}

struct info_case {
    const char *option;
    const char *text;
};

static void help_and_version_exit_0(void **state)
{
    (void)state;
    static const struct info_case cases[] = {
        {"--help", "usage: netprobe [options] HOST [PORT]"},
        {"--version", "netprobe 1."},
    };
    for (size_t i = 0; i < 2; i++) {
        char out[OUT_MAX];
        const char *const argv[] = {harness_bin("netprobe"), cases[i].option, NULL};
        assert_int_equal(harness_run(argv, NULL, out, sizeof out, RUN_TIMEOUT_MS), 0);
        assert_non_null(strstr(out, cases[i].text));
    }
}

static void redact_hides_this_host_name(void **state)
{
    (void)state;
    char host[256] = "";
    assert_int_equal(gethostname(host, sizeof host - 1), 0);
    char port[16];
    snprintf(port, sizeof port, "%d", closed_port());
    const char *const args[] = {"--redact", "127.0.0.1", port, NULL};
    run_netprobe(args);
    expect_report();
    char *text = cJSON_Print(result.report);
    assert_non_null(text);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(result.report, "redacted")));
    assert_string_equal(member_string(result.report, "local", "hostname"), "<hostname>");
    if (strlen(host) >= 4) { /* a very short name may occur inside other words */
        assert_null(strstr(text, host));
        assert_null(strstr(result.out, host));
    }
    assert_non_null(strstr(text, "127.0.0.1")); /* the target stays */
    free(text);
    done();
}

static void quiet_prints_only_the_verdict(void **state)
{
    (void)state;
    char port[16];
    snprintf(port, sizeof port, "%d", closed_port());
    const char *const args[] = {"--quiet", "127.0.0.1", port, NULL};
    run_netprobe(args);
    expect_report();
    assert_int_equal(result.status, 1);
    assert_true(strncmp(result.out, "verdict: refused", 16) == 0);
    assert_int_equal(strchr(result.out, '\n')[1], '\0');
    done();
}

/* Ctrl-C during a stage still leaves a valid report with an error. */
static void interrupted_run_still_writes_a_report(void **state)
{
    (void)state;
    struct fake f;
    char path[] = "/tmp/netprobe-cli-XXXXXX", port[16];
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(fake_start(&f, FAKE_SILENT), 0);
    snprintf(port, sizeof port, "%d", f.port);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execl(harness_bin("netprobe"), "netprobe", "--json", path, "--timeout", "10", "127.0.0.1",
              port, (char *)NULL);
        _exit(127);
    }
    usleep(500 * 1000); /* well into the 10 s wait of the app stage */
    kill(pid, SIGINT);
    int status = -1;
    for (long long end = harness_now_ms() + 5000; harness_now_ms() < end; usleep(10 * 1000))
        if (waitpid(pid, &status, WNOHANG) == pid)
            break;
    if (!WIFEXITED(status)) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    fake_stop(&f);
    FILE *in = fopen(path, "r");
    static char text[OUT_MAX];
    size_t len = in != NULL ? fread(text, 1, sizeof text - 1, in) : 0;
    text[len] = '\0';
    if (in != NULL)
        fclose(in);
    unlink(path);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 3);
    cJSON *doc = cJSON_Parse(text);
    assert_non_null(doc);
    const char *error = member_string(doc, "error", NULL);
    assert_non_null(error);
    assert_non_null(strstr(error, "interrupted"));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(doc, "verdict")));
    assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "stages")) >= 2);
    cJSON_Delete(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chatd_chat_mode_gives_ok_quickly),
        cmocka_unit_test(chatd_diag_mode_gives_ok_quickly),
        cmocka_unit_test(closed_port_gives_refused),
        cmocka_unit_test(target_forms_name_host_and_port),
        cmocka_unit_test(misbehaving_servers_get_their_verdicts),
        cmocka_unit_test(usage_errors_exit_2_with_message_and_report),
        cmocka_unit_test(json_to_stdout_is_only_the_document),
        cmocka_unit_test(unwritable_report_path_exits_3),
        cmocka_unit_test(help_and_version_exit_0),
        cmocka_unit_test(redact_hides_this_host_name),
        cmocka_unit_test(quiet_prints_only_the_verdict),
        cmocka_unit_test(interrupted_run_still_writes_a_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
