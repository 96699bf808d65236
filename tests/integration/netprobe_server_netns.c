/*
 * netprobe's wire evidence across a router, in three network namespaces
 * this test creates and links only to each other (client A - router R -
 * server B, 10.201.1.0/24 and 10.201.2.0/24; nothing reaches the host
 * namespace).  --trace: hop 1 is R's ICMP time-exceeded read from the
 * error queue, hop 2 the server; a router that drops is the last hop
 * before silence; a router that rejects ends the walk with its
 * admin-prohibited.  Capture: R's admin-prohibited is captured with the
 * SYN it quotes, and a reset R forges with TTL 255 after B's SYN-ACK came
 * with TTL 63 is flagged forged_reset.  Needs root (ip netns); skipped
 * with a printed reason otherwise.
 */
#define _GNU_SOURCE /* setns */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netprobe/wire/capture.h"
#include "netprobe/wire/trace.h"
#include "tests/support/netprobe_loopback.h"

#define SERVER "10.201.2.2"
#define ROUTER "10.201.1.1"

static char ns_a[32], ns_r[32], ns_b[32];
static pid_t server_pid = -1;
static int server_port;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd);
}

static int enter_ns(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "/var/run/netns/%s", name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = setns(fd, CLONE_NEWNET);
    close(fd);
    return rc;
}

/* A listener in B, in a child process; its port comes back on a pipe. */
static int start_server(void)
{
    int p[2];
    if (pipe(p) < 0)
        return -1;
    server_pid = fork();
    if (server_pid == 0) {
        int port = 0, fd;
        close(p[0]);
        if (enter_ns(ns_b) < 0 || (fd = lb_listen(SERVER, &port)) < 0)
            _exit(1);
        if (write(p[1], &port, sizeof port) != sizeof port)
            _exit(1);
        close(p[1]);
        for (;;) { /* accept() gives up every 5 s; the parent kills us */
            int c = accept(fd, NULL, NULL);
            if (c >= 0)
                close(c);
        }
    }
    close(p[1]);
    ssize_t n = read(p[0], &server_port, sizeof server_port);
    close(p[0]);
    return n == sizeof server_port ? 0 : -1;
}

static void remove_namespaces(void)
{
    if (server_pid > 0) {
        kill(server_pid, SIGKILL);
        waitpid(server_pid, NULL, 0);
        server_pid = -1;
    }
    sh("ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null",
       ns_a, ns_r, ns_b);
}

static int setup(void **state)
{
    (void)state;
    snprintf(ns_a, sizeof ns_a, "npt-a-%d", (int)getpid());
    snprintf(ns_r, sizeof ns_r, "npt-r-%d", (int)getpid());
    snprintf(ns_b, sizeof ns_b, "npt-b-%d", (int)getpid());
    if (geteuid() != 0)
        return 0;
    /* Namespaces left by an earlier run that was killed (its pid is gone). */
    sh("for n in $(ip netns list | awk '{print $1}' | grep '^npt-[arb]-'); do "
       "kill -0 \"${n##*-}\" 2>/dev/null || ip netns del \"$n\"; done");
    int rc = sh("set -e; A=%s R=%s B=%s\n"
                "ip netns add $A; ip netns add $R; ip netns add $B\n"
                "ip -n $A link add va type veth peer name ra netns $R\n"
                "ip -n $B link add vb type veth peer name rb netns $R\n"
                "ip -n $A addr add 10.201.1.2/24 dev va; ip -n $A link set va up\n"
                "ip -n $R addr add 10.201.1.1/24 dev ra; ip -n $R link set ra up\n"
                "ip -n $R addr add 10.201.2.1/24 dev rb; ip -n $R link set rb up\n"
                "ip -n $B addr add 10.201.2.2/24 dev vb; ip -n $B link set vb up\n"
                "for n in $A $R $B; do ip -n $n link set lo up; done\n"
                "ip -n $A route add default via 10.201.1.1\n"
                "ip -n $B route add default via 10.201.2.1\n"
                "ip netns exec $R sysctl -qw net.ipv4.ip_forward=1\n"
                "ip netns exec $R nft add table inet t\n"
                "ip netns exec $R nft 'add chain inet t transit { type filter hook forward "
                "priority 0; }'\n",
                ns_a, ns_r, ns_b);
    if (rc != 0 || start_server() < 0) {
        remove_namespaces();
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (geteuid() == 0)
        remove_namespaces();
    return 0;
}

/* Runs trace_run inside A in a child; the result comes back on a pipe. */
static void trace_from_a(int port, struct trace_result *r)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct trace_result res;
        struct trace_opts o = {
            .target = SERVER, .port = port, .max_hops = 8, .hop_timeout_ms = 700};
        close(p[0]);
        if (enter_ns(ns_a) < 0)
            _exit(1);
        trace_run(&o, &res);
        _exit(write(p[1], &res, sizeof res) == sizeof res ? 0 : 1);
    }
    close(p[1]);
    ssize_t n = read(p[0], r, sizeof *r); /* r->ended points into the same image */
    close(p[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(n, (ssize_t)sizeof *r);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static bool have_root(void)
{
    if (geteuid() == 0)
        return true;
    print_message("skipped: network namespaces need root\n");
    return false;
}

static void router_answers_hop_1_and_server_hop_2(void **state)
{
    (void)state;
    struct trace_result r;
    if (!have_root())
        skip();
    trace_from_a(server_port, &r);
    assert_true(r.reached);
    assert_int_equal(r.hop_count, 2);
    assert_int_equal(r.hops[0].kind, TRACE_TIME_EXCEEDED);
    assert_string_equal(r.hops[0].from, ROUTER);
    assert_string_equal(r.hops[0].icmp_name, "time-exceeded");
    assert_int_equal(r.hops[1].kind, TRACE_REACHED_OPEN);
    assert_string_equal(r.last_answer_from, SERVER);
}

static void dropping_router_is_the_last_hop_before_silence(void **state)
{
    (void)state;
    struct trace_result r;
    if (!have_root())
        skip();
    assert_int_equal(
        sh("ip netns exec %s nft add rule inet t transit tcp dport %d drop", ns_r, server_port), 0);
    trace_from_a(server_port, &r);
    assert_int_equal(sh("ip netns exec %s nft flush chain inet t transit", ns_r), 0);
    assert_false(r.reached);
    assert_string_equal(r.ended, "silence");
    assert_int_equal(r.hop_count, 1 + TRACE_SILENT_LIMIT);
    assert_int_equal(r.last_answer_ttl, 1);
    assert_string_equal(r.last_answer_from, ROUTER);
    assert_int_equal(r.hops[1].kind, TRACE_SILENT);
}

static void rejecting_router_ends_the_walk_with_admin_prohibited(void **state)
{
    (void)state;
    struct trace_result r;
    if (!have_root())
        skip();
    assert_int_equal(sh("ip netns exec %s nft add rule inet t transit tcp dport %d reject with "
                        "icmp type admin-prohibited",
                        ns_r, server_port),
                     0);
    trace_from_a(server_port, &r);
    assert_int_equal(sh("ip netns exec %s nft flush chain inet t transit", ns_r), 0);
    assert_string_equal(r.ended, "unreachable");
    assert_int_equal(r.hop_count, 2);
    assert_int_equal(r.hops[1].kind, TRACE_UNREACHABLE);
    assert_string_equal(r.hops[1].from, ROUTER);
    assert_string_equal(r.hops[1].icmp_name, "admin-prohibited");
}

/* Runs a capture inside A around one connection that sends "hello";
 * the summary comes back on a pipe. */
static void capture_from_a(int port, struct capture_summary *s)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct capture *c;
        struct capture_summary res;
        struct capture_opts o = {.target = SERVER, .port = port};
        struct timespec pause = {0, 300 * 1000000L};
        close(p[0]);
        if (enter_ns(ns_a) < 0 || capture_start(&o, &c, &res) != 0)
            _exit(1);
        int fd = lb_connect(SERVER, port);
        if (fd >= 0) {
            /* best-effort: the router may reset or refuse; the capture tells */
            ssize_t w = write(fd, "hello", 5);
            (void)w;
            nanosleep(&pause, NULL);
            close(fd);
        }
        nanosleep(&pause, NULL);
        capture_stop(c, &res);
        _exit(write(p[1], &res, sizeof res) == sizeof res ? 0 : 1);
    }
    close(p[1]);
    ssize_t n = read(p[0], s, sizeof *s);
    close(p[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(n, (ssize_t)sizeof *s);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void captured_admin_prohibited_quotes_our_syn(void **state)
{
    (void)state;
    struct capture_summary s;
    if (!have_root())
        skip();
    assert_int_equal(sh("ip netns exec %s nft add rule inet t transit tcp dport %d reject with "
                        "icmp type admin-prohibited",
                        ns_r, server_port),
                     0);
    capture_from_a(server_port, &s);
    assert_int_equal(sh("ip netns exec %s nft flush chain inet t transit", ns_r), 0);
    assert_true(s.ran);
    assert_string_equal(s.iface, "va");
    assert_true(s.syns_sent >= 1);
    assert_int_equal(s.synacks, 0);
    assert_true(s.icmp_errors >= 1);
    assert_string_equal(s.first_icmp.name, "admin-prohibited");
    assert_string_equal(s.first_icmp.from, ROUTER);
    assert_int_equal(s.icmp_ttl, 64);
}

static void reset_forged_by_the_router_is_flagged(void **state)
{
    (void)state;
    struct capture_summary s;
    if (!have_root())
        skip();
    /* Like many middleboxes: R answers data with a reset sent at TTL 255. */
    assert_int_equal(sh("ip netns exec %s sysctl -qw net.ipv4.ip_default_ttl=255 && "
                        "ip netns exec %s nft add rule inet t transit tcp dport %d "
                        "'tcp flags & psh == psh' reject with tcp reset",
                        ns_r, ns_r, server_port),
                     0);
    capture_from_a(server_port, &s);
    assert_int_equal(sh("ip netns exec %s nft flush chain inet t transit && "
                        "ip netns exec %s sysctl -qw net.ipv4.ip_default_ttl=64",
                        ns_r, ns_r),
                     0);
    assert_int_equal(s.synacks, 1);
    assert_int_equal(s.synack_ttl, 63); /* B is one router away */
    assert_true(s.resets >= 1);
    assert_int_equal(s.reset_ttl, 255);
    assert_true(s.forged_reset);
    assert_non_null(strstr(s.forged_detail, "TTL 255"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(router_answers_hop_1_and_server_hop_2),
        cmocka_unit_test(dropping_router_is_the_last_hop_before_silence),
        cmocka_unit_test(rejecting_router_ends_the_walk_with_admin_prohibited),
        cmocka_unit_test(captured_admin_prohibited_quotes_our_syn),
        cmocka_unit_test(reset_forged_by_the_router_is_flagged),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
