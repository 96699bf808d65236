/*
 * Integration tests for netprobe's issue-5 modes on loopback: --local,
 * --watch, --trace and --capture through the real binary, their report
 * members and exit codes, the usage errors that mix modes, and two bugs
 * the lab found (a host name gets its source address; the ok advice
 * names the host).  Capture and watch need root: without it the tests
 * check the skip (capture) or the error report (watch) instead.
 * Nothing leaves 127.0.0.1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/support/harness.h"
#include "tests/support/report_run.h"

#define RUN_TIMEOUT_MS 20000 /* only catches a hang */

static struct report_run res; /* large: off the stack */

/* Runs netprobe --json TMP ARGS... and parses the report. */
static void run_netprobe(const char *const args[])
{
    assert_int_equal(report_run(&res, args, RUN_TIMEOUT_MS), 0);
}

static const cJSON *at(const cJSON *o, const char *path)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *save, *k = strtok_r(buf, ".", &save); k != NULL && o != NULL;
         k = strtok_r(NULL, ".", &save))
        o = cJSON_GetObjectItemCaseSensitive(o, k);
    return o;
}

static const char *str_at(const cJSON *o, const char *path)
{
    const cJSON *v = at(o, path);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static void expect(int status, const char *mode, const char *code)
{
    if (res.status != status || res.report == NULL)
        print_message("output:\n%s\n", res.out);
    assert_int_equal(res.status, status);
    assert_non_null(res.report);
    assert_string_equal(str_at(res.report, "mode"), mode);
    if (code != NULL)
        assert_string_equal(str_at(res.report, "verdict.code"), code);
}

/* A loopback listener on an ephemeral port (addr "127.0.0.1" or "0.0.0.0"
 * for every address; only loopback ever dials it). */
static int listen_on(const char *addr, int *port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t len = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(inet_pton(AF_INET, addr, &sa.sin_addr), 1);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(fd, 64), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

static int closed_port(void)
{
    int port, fd = listen_on("127.0.0.1", &port);
    close(fd);
    return port;
}

/* ---- --local --------------------------------------------------------------- */

static void local_on_a_loopback_listener_says_bind_loopback_and_exits_1(void **state)
{
    (void)state;
    int port, fd = listen_on("127.0.0.1", &port);
    char p[8];
    snprintf(p, sizeof p, "%d", port);
    run_netprobe((const char *[]){"--local", p, NULL});
    close(fd);
    expect(1, "local", "bind_loopback");
    assert_string_equal(str_at(res.report, "local_check.verdict"), "bind_loopback");
    assert_int_equal(cJSON_GetArraySize(at(res.report, "stages")), 0);
    assert_non_null(strstr(res.out, "verdict: bind_loopback"));
}

static void local_with_nothing_listening_says_local_not_listening(void **state)
{
    (void)state;
    char p[8];
    snprintf(p, sizeof p, "%d", closed_port());
    run_netprobe((const char *[]){"--local", p, NULL});
    expect(1, "local", "local_not_listening");
    assert_true(cJSON_GetArraySize(at(res.report, "verdict.evidence")) >= 1);
}

/* local_ok also needs the host firewall to let the port through; where
 * this machine's firewall blocks it, host_firewall_blocks is right too. */
static void local_on_every_address_is_ok_and_exits_0(void **state)
{
    (void)state;
    int port, fd = listen_on("0.0.0.0", &port);
    char p[8];
    snprintf(p, sizeof p, "%d", port);
    run_netprobe((const char *[]){"--local", p, NULL});
    close(fd);
    assert_non_null(res.report);
    if (strcmp(str_at(res.report, "verdict.code"), "host_firewall_blocks") == 0) {
        expect(1, "local", "host_firewall_blocks");
        return;
    }
    expect(0, "local", "local_ok");
}

/* ---- --trace and --capture against chatd ---------------------------------- */

static void trace_and_capture_against_chatd_add_their_members(void **state)
{
    (void)state;
    struct harness_server s;
    assert_int_equal(harness_server_start(&s, NULL), 0);
    char p[8];
    snprintf(p, sizeof p, "%d", s.port);
    run_netprobe((const char *[]){"--capture", "--trace", "localhost", p, NULL});
    harness_server_stop(&s);
    expect(0, "client", "ok");
    assert_true(cJSON_IsTrue(at(res.report, "trace.reached")));
    assert_string_equal(str_at(res.report, "trace.last_answer_from"), "127.0.0.1");
    assert_non_null(strstr(res.out, "trace: the target answered at hop 1 (127.0.0.1)"));
    const cJSON *cap = at(res.report, "capture");
    assert_non_null(cap);
    if (geteuid() != 0) {
        /* No permission: a skip with the reason, never a failure. */
        assert_true(cJSON_IsFalse(at(cap, "ran")));
        assert_true(str_at(cap, "skip_reason")[0] != '\0');
        assert_null(at(res.report, "verdict.confirmed_by_capture"));
        return;
    }
    assert_true(cJSON_IsTrue(at(cap, "ran")));
    assert_true(at(cap, "synacks")->valueint >= 1);
    assert_true(cJSON_IsTrue(at(res.report, "verdict.confirmed_by_capture")));
    assert_non_null(strstr(res.out, "capture: confirms this verdict"));
}

/* The reset is compared with the TTL of the target's echo replies (the
 * icmp stage pings it); without them its origin stays unconfirmed. */
static void capture_of_a_closed_port_confirms_refused(void **state)
{
    (void)state;
    char p[8];
    snprintf(p, sizeof p, "%d", closed_port());
    run_netprobe((const char *[]){"--capture", "127.0.0.1", p, NULL});
    expect(1, "client", "refused");
    if (geteuid() != 0) {
        print_message("not root: only the skip is checked\n");
        assert_true(cJSON_IsFalse(at(res.report, "capture.ran")));
        return;
    }
    assert_true(at(res.report, "capture.resets")->valueint >= 1);
    assert_string_equal(str_at(res.report, "capture.reset_compared_with"), "echo_reply");
    assert_true(cJSON_IsFalse(at(res.report, "capture.forged_reset")));
    assert_true(cJSON_IsTrue(at(res.report, "verdict.confirmed_by_capture")));
    run_netprobe((const char *[]){"--capture", "--no-icmp", "127.0.0.1", p, NULL});
    expect(1, "client", "refused");
    assert_true(cJSON_IsFalse(at(res.report, "verdict.confirmed_by_capture")));
    assert_non_null(strstr(res.out, "unconfirmed"));
}

/* ---- Bugs the lab found ----------------------------------------------------- */

/* The local stage runs after dns, so a name gets its source address too. */
static void a_host_name_gets_the_source_address(void **state)
{
    (void)state;
    char p[8];
    snprintf(p, sizeof p, "%d", closed_port());
    run_netprobe((const char *[]){"--no-icmp", "localhost", p, NULL});
    expect(1, "client", "refused");
    assert_string_equal(str_at(res.report, "local.source_address"), "127.0.0.1");
    /* The stage lines keep their order: local first, then dns. */
    char *local = strstr(res.out, " local "), *dns = strstr(res.out, " dns ");
    assert_non_null(local);
    assert_non_null(dns);
    assert_true(local < dns);
}

static void ok_advice_names_the_host_typed(void **state)
{
    (void)state;
    struct harness_server s;
    assert_int_equal(harness_server_start(&s, NULL), 0);
    char p[8], want[64];
    snprintf(p, sizeof p, "%d", s.port);
    run_netprobe((const char *[]){"--no-icmp", "localhost", p, NULL});
    harness_server_stop(&s);
    expect(0, "client", "ok");
    snprintf(want, sizeof want, "chat localhost %d", s.port);
    const cJSON *fix = at(res.report, "verdict.fix");
    assert_non_null(strstr(cJSON_GetArrayItem(fix, 0)->valuestring, want));
    assert_non_null(strstr(res.out, want));
    assert_null(strstr(res.out, "HOST"));
}

/* ---- --watch ------------------------------------------------------------------ */

struct knocker {
    int port;
    atomic_bool stop;
};

/* Connects to the port every 100 ms until told to stop, so the watch sees
 * SYNs whenever its capture starts. */
static void *knock(void *arg)
{
    struct knocker *k = arg;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)k->port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    while (!atomic_load(&k->stop)) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd >= 0) {
            if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
                (void)!write(fd, "hi\n", 3);
            close(fd);
        }
        usleep(100 * 1000);
    }
    return NULL;
}

static void watch_sees_the_syns_of_a_loopback_client(void **state)
{
    (void)state;
    int port, fd = listen_on("127.0.0.1", &port);
    struct knocker k = {.port = port};
    pthread_t t;
    char p[8];
    snprintf(p, sizeof p, "%d", port);
    assert_int_equal(pthread_create(&t, NULL, knock, &k), 0);
    run_netprobe((const char *[]){"--watch", p, "--duration", "2", "--iface", "lo", "--from",
                                  "127.0.0.1", NULL});
    atomic_store(&k.stop, true);
    pthread_join(t, NULL);
    close(fd);
    if (geteuid() != 0) {
        print_message("not root: the watch must fail with a report\n");
        expect(3, "watch", NULL);
        assert_true(str_at(res.report, "error")[0] != '\0');
        return;
    }
    expect(0, "watch", NULL);
    assert_true(cJSON_IsNull(at(res.report, "verdict")));
    const cJSON *src = cJSON_GetArrayItem(at(res.report, "watch.sources"), 0);
    assert_non_null(src);
    assert_string_equal(str_at(src, "address"), "127.0.0.1");
    assert_true(at(src, "syns")->valueint >= 1);
    assert_true(at(src, "synacks_sent")->valueint >= 1);
    assert_string_equal(str_at(res.report, "watch.expected_source.outcome"), "answered");
    assert_non_null(strstr(res.out, "SYN(s) seen"));
}

/* ---- Usage errors that mix modes --------------------------------------------- */

struct usage_case {
    const char *args[6];
    const char *mode;    /* the report's mode */
    const char *message; /* in the output */
};

static const struct usage_case usage_cases[] = {
    {{"--local", "--watch", NULL}, "local", "exclude each other"},
    {{"--local", "203.0.113.10", "8888", NULL}, "local", "takes only PORT"},
    {{"--local", "--trace", NULL}, "local", "--trace works only with a HOST"},
    {{"--watch", "--capture", NULL}, "watch", "--capture works only with a HOST"},
    {{"--duration", "5", "127.0.0.1", NULL}, "client", "--duration works only with --watch"},
    {{"--public", "203.0.113.10", "127.0.0.1", NULL}, "client", "--public works only with --local"},
    {{"--watch", "--duration", "0", NULL}, "watch", "invalid --duration"},
    {{"--watch", "--from", "nobody", NULL}, "watch", "invalid --from"},
    {{"--local", "--public", "not-an-address", NULL}, "local", "invalid --public"},
    /* The readers of reports (the report of their usage error is a client
     * one: they have no mode of their own in the schema). */
    {{"--summary", "--show", "r.json", NULL}, "client", "--show and --summary exclude each other"},
    {{"--summary", NULL}, "client", "missing FILE: give --summary"},
    {{"--show", "r.json", NULL}, "client", "--json works only with a probe or --summary"},
    {{"--summary", "d/", "--label", "Ana", NULL}, "client", "--label goes with a probe"},
    {{"--summary", "d/", "--redact", NULL}, "client", "--redact goes with a probe"},
    {{"--label", "two\nlines", "127.0.0.1", NULL}, "client", "invalid --label"},
    {{"--label", "", "127.0.0.1", NULL}, "client", "invalid --label"},
    {{"-q", "-v", "127.0.0.1", NULL}, "client", "--quiet and --verbose exclude each other"},
};

static void mixed_modes_are_usage_errors_with_a_report(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof usage_cases / sizeof usage_cases[0]; i++) {
        const struct usage_case *c = &usage_cases[i];
        print_message("case %zu: %s\n", i, c->message);
        run_netprobe(c->args);
        expect(2, c->mode, NULL);
        assert_non_null(strstr(res.out, c->message));
        assert_non_null(strstr(str_at(res.report, "error"), c->message));
    }
}

static int teardown(void **state)
{
    (void)state;
    cJSON_Delete(res.report);
    res.report = NULL;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(local_on_a_loopback_listener_says_bind_loopback_and_exits_1,
                                  teardown),
        cmocka_unit_test_teardown(local_with_nothing_listening_says_local_not_listening, teardown),
        cmocka_unit_test_teardown(local_on_every_address_is_ok_and_exits_0, teardown),
        cmocka_unit_test_teardown(trace_and_capture_against_chatd_add_their_members, teardown),
        cmocka_unit_test_teardown(capture_of_a_closed_port_confirms_refused, teardown),
        cmocka_unit_test_teardown(a_host_name_gets_the_source_address, teardown),
        cmocka_unit_test_teardown(ok_advice_names_the_host_typed, teardown),
        cmocka_unit_test_teardown(watch_sees_the_syns_of_a_loopback_client, teardown),
        cmocka_unit_test_teardown(mixed_modes_are_usage_errors_with_a_report, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
