/*
 * Capture and --watch on loopback.  As root: a handshake the test makes to
 * its own listener shows up as one SYN and one SYN-ACK with loopback's MSS
 * (65495) and TTL 64; --pcap saves it; --watch tells "answered" from
 * "refused".  Without CAP_NET_RAW (a child drops it, or the whole test runs
 * as another user) the capture is skipped with the reason, not failed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/capability.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netprobe/report_modes.h"
#include "netprobe/wire/capture.h"
#include "netprobe/server/watch.h"
#include "tests/support/netprobe_loopback.h"

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) < 0)
        ;
}

/* Connect, accept, send a few bytes, close: one complete conversation. */
static void handshake(int lfd, int port)
{
    int c = lb_connect("127.0.0.1", port);
    assert_true(c >= 0);
    int a = accept(lfd, NULL, NULL);
    assert_true(a >= 0);
    char buf[5];
    struct timeval tv = {5, 0}; /* bounded: a lost byte fails the test, never hangs it */
    assert_int_equal(setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
    assert_int_equal(write(c, "hello", 5), 5);
    /* Read it: closing with unread data would answer with a reset. */
    assert_int_equal(recv(a, buf, sizeof buf, MSG_WAITALL), 5);
    close(c);
    close(a);
}

static bool can_capture(void)
{
    if (geteuid() == 0)
        return true;
    print_message("skipped: capturing needs root or CAP_NET_RAW (run the tests as root)\n");
    return false;
}

static void loopback_handshake_shows_syn_and_synack(void **state)
{
    (void)state;
    struct capture *c;
    struct capture_summary s;
    int port, lfd = lb_listen("127.0.0.1", &port);
    assert_true(lfd >= 0);
    struct capture_opts o = {.target = "127.0.0.1", .port = port};
    int rc = capture_start(&o, &c, &s);
    if (!can_capture()) {
        assert_int_equal(rc, 1);
        assert_non_null(strstr(s.skip_reason, "CAP_NET_RAW"));
        close(lfd);
        skip();
    }
    assert_int_equal(rc, 0);
    handshake(lfd, port);
    sleep_ms(300); /* generous: loopback delivers at once */
    capture_stop(c, &s);
    close(lfd);
    assert_true(s.ran);
    assert_string_equal(s.iface, "lo");
    assert_int_equal(s.syns_sent, 1);
    assert_int_equal(s.syn_retransmits, 0);
    assert_int_equal(s.synacks, 1);
    assert_int_equal(s.synack_ttl, 64);
    assert_int_equal(s.synack_mss, 65495); /* lo's MTU 65536 - 40 */
    assert_int_equal(s.resets, 0);
    assert_false(s.forged_reset);
    assert_int_equal(s.retransmits, 0);
}

static void reset_from_a_closed_port_is_counted_and_not_forged(void **state)
{
    (void)state;
    struct capture *c;
    struct capture_summary s;
    int port = lb_closed_port("127.0.0.1");
    struct capture_opts o = {.target = "127.0.0.1", .port = port};
    if (!can_capture())
        skip();
    assert_int_equal(capture_start(&o, &c, &s), 0);
    assert_int_equal(lb_connect("127.0.0.1", port), -1);
    sleep_ms(300);
    capture_stop(c, &s);
    assert_int_equal(s.syns_sent, 1);
    assert_int_equal(s.resets, 1);
    assert_int_equal(s.reset_ttl, 64);
    assert_false(s.forged_reset);
}

static void pcap_option_saves_the_packets(void **state)
{
    (void)state;
    char path[] = "/tmp/netprobe_capture_XXXXXX", err[PCAP_ERRBUF_SIZE];
    struct capture *c;
    struct capture_summary s;
    int port, lfd = lb_listen("127.0.0.1", &port), fd = mkstemp(path);
    if (!can_capture()) {
        close(lfd);
        unlink(path);
        skip();
    }
    assert_true(lfd >= 0 && fd >= 0);
    close(fd);
    struct capture_opts o = {.target = "127.0.0.1", .port = port, .pcap_path = path};
    assert_int_equal(capture_start(&o, &c, &s), 0);
    handshake(lfd, port);
    sleep_ms(300);
    capture_stop(c, &s);
    close(lfd);
    pcap_t *p = pcap_open_offline(path, err);
    unlink(path);
    assert_non_null(p);
    struct pcap_pkthdr *h;
    const u_char *data;
    unsigned n = 0;
    while (pcap_next_ex(p, &h, &data) == 1)
        n++;
    pcap_close(p);
    assert_true(n >= 3); /* SYN, SYN-ACK, ACK at least */
    assert_int_equal(n, s.dumped);
}

/* Drops CAP_NET_RAW from this (child) process, as an ordinary user has. */
static int drop_net_raw(void)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &hdr, data) < 0)
        return -1;
    data[CAP_NET_RAW / 32].effective &= ~(1u << (CAP_NET_RAW % 32));
    data[CAP_NET_RAW / 32].permitted &= ~(1u << (CAP_NET_RAW % 32));
    return (int)syscall(SYS_capset, &hdr, data);
}

static void without_cap_net_raw_capture_is_skipped_with_the_reason(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct capture *c;
        struct capture_summary s;
        struct capture_opts o = {.target = "127.0.0.1", .port = 8888};
        if (drop_net_raw() < 0)
            _exit(2);
        int rc = capture_start(&o, &c, &s);
        if (rc == 0)
            capture_stop(c, &s);
        _exit(rc == 1 && !s.failed && strstr(s.skip_reason, "CAP_NET_RAW") != NULL ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

struct watch_job {
    struct watch_opts o;
    struct watch_table t;
    bool interrupted;
    int rc;
    char why[256];
};

static void *watch_thread(void *arg)
{
    struct watch_job *j = arg;
    j->rc = watch_run(&j->o, &j->t, &j->interrupted, j->why, sizeof j->why);
    return NULL;
}

/* Watches port on lo for 2 s while connecting to it once after 0.5 s. */
static void watch_one_connect(int port, int lfd, struct watch_job *j)
{
    pthread_t th;
    memset(j, 0, sizeof *j);
    j->o = (struct watch_opts){.port = port, .duration_s = 2.0, .iface = "lo"};
    assert_int_equal(pthread_create(&th, NULL, watch_thread, j), 0);
    sleep_ms(500); /* the capture opens well within this */
    if (lfd >= 0) {
        handshake(lfd, port);
    } else {
        int c = lb_connect("127.0.0.1", port);
        if (c >= 0)
            close(c);
    }
    assert_int_equal(pthread_join(th, NULL), 0);
}

static void watch_tells_answered_from_refused(void **state)
{
    (void)state;
    struct watch_job *j = calloc(1, sizeof *j);
    int port, lfd = lb_listen("127.0.0.1", &port);
    assert_non_null(j);
    assert_true(lfd >= 0);
    if (!can_capture()) {
        j->o = (struct watch_opts){.port = port, .duration_s = 0.1, .iface = "lo"};
        assert_int_equal(watch_run(&j->o, &j->t, &j->interrupted, j->why, sizeof j->why), 1);
        close(lfd);
        free(j);
        skip();
    }
    watch_one_connect(port, lfd, j);
    close(lfd);
    assert_int_equal(j->rc, 0);
    assert_int_equal(j->t.count, 1);
    assert_string_equal(j->t.sources[0].address, "127.0.0.1");
    assert_int_equal(j->t.sources[0].syns, 1);
    assert_int_equal(j->t.sources[0].synacks_sent, 1);
    assert_int_equal(j->t.sources[0].bytes_received, 5);
    assert_string_equal(watch_outcome(&j->t.sources[0]), "answered");

    int closed = lb_closed_port("127.0.0.1");
    watch_one_connect(closed, -1, j);
    assert_int_equal(j->rc, 0);
    assert_int_equal(j->t.count, 1);
    assert_int_equal(j->t.sources[0].resets_sent, 1);
    assert_string_equal(watch_outcome(&j->t.sources[0]), "refused");

    j->o.expect_from = "198.51.100.20"; /* a client whose SYNs never came */
    cJSON *json = report_watch_json(&j->t, &j->o, j->interrupted);
    assert_non_null(json);
    char *s = cJSON_PrintUnformatted(json);
    assert_non_null(s);
    assert_non_null(strstr(s, "\"outcome\":\"refused\""));
    assert_non_null(strstr(s, "\"expected_source\":{\"address\":\"198.51.100.20\","
                              "\"outcome\":\"never_reached\""));
    cJSON_free(s);
    cJSON_Delete(json);
    free(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loopback_handshake_shows_syn_and_synack),
        cmocka_unit_test(reset_from_a_closed_port_is_counted_and_not_forged),
        cmocka_unit_test(pcap_option_saves_the_packets),
        cmocka_unit_test(without_cap_net_raw_capture_is_skipped_with_the_reason),
        cmocka_unit_test(watch_tells_answered_from_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
