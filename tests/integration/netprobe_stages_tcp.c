/*
 * Integration tests for netprobe's local, dns, icmp and tcp stages, called
 * directly on loopback against listeners the tests open themselves.
 * Nothing here leaves 127.0.0.0/8 or ::1, and the only name resolved is
 * "localhost" (from /etc/hosts).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netprobe/wire/errqueue.h"
#include "netprobe/stages/stages.h"
#include "tests/support/harness.h"

/* Opens a TCP listener on address (v4 or v6 text), port 0.  Returns the
 * fd and sets *port. */
static int listen_on(const char *address, int backlog, int *port)
{
    struct sockaddr_storage ss = {0};
    socklen_t len;
    int family = strchr(address, ':') ? AF_INET6 : AF_INET;
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        in->sin_family = AF_INET;
        assert_int_equal(inet_pton(AF_INET, address, &in->sin_addr), 1);
        len = sizeof *in;
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        in6->sin6_family = AF_INET6;
        assert_int_equal(inet_pton(AF_INET6, address, &in6->sin6_addr), 1);
        len = sizeof *in6;
    }
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
    assert_int_equal(listen(fd, backlog), 0);
    len = sizeof ss;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
    *port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                    : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return fd;
}

/* A port on 127.0.0.1 with no listener: bound, then released. */
static int closed_port(void)
{
    int port;
    int fd = listen_on("127.0.0.1", 1, &port);
    close(fd);
    return port;
}

static void setup_ev(struct evidence *ev, struct probe_opts *o, const char *host, int port,
                     double timeout_ms)
{
    memset(o, 0, sizeof *o);
    o->host = host;
    o->port = port;
    o->timeout_ms = timeout_ms;
    evidence_init(ev, host, port);
    stage_dns_run(ev, o);
}

static void open_port_is_open_with_syn_ack(void **state)
{
    (void)state;
    int port, lfd = listen_on("127.0.0.1", 8, &port);
    struct evidence ev;
    struct probe_opts o;
    setup_ev(&ev, &o, "127.0.0.1", port, 1500);
    stage_tcp_run(&ev, &o);
    const struct ev_tcp_attempt *a = &ev.tcp.attempts[0];
    assert_int_equal(ev.tcp.attempt_count, 1);
    assert_int_equal(a->state, TCP_STATE_OPEN);
    assert_string_equal(a->reason, "syn-ack");
    assert_int_equal(a->syns_sent, 1);
    assert_string_equal(a->source_address, "127.0.0.1");
    assert_true(a->source_port > 0);
    assert_int_equal(ev.tcp.chosen, 0);
    assert_int_equal(ev.stages[STAGE_TCP].status, STATUS_PASS);
    assert_true(ev.tcp.deadline_ms >= 1200);
    close(lfd);
}

static void closed_port_is_closed_by_reset_at_once(void **state)
{
    (void)state;
    struct evidence ev;
    struct probe_opts o;
    setup_ev(&ev, &o, "127.0.0.1", closed_port(), 1500);
    long long t0 = harness_now_ms();
    stage_tcp_run(&ev, &o);
    long long took = harness_now_ms() - t0;
    const struct ev_tcp_attempt *a = &ev.tcp.attempts[0];
    assert_int_equal(a->state, TCP_STATE_CLOSED);
    assert_string_equal(a->reason, "reset");
    assert_false(a->icmp.seen); /* a reset, not an ICMP error */
    assert_int_equal(ev.tcp.chosen, -1);
    assert_int_equal(ev.stages[STAGE_TCP].status, STATUS_FAIL);
    assert_true(took < 1000); /* generous: a reset takes well under 1 ms */
}

/* A listener with backlog 0 whose one queue slot is taken drops further
 * SYNs, exactly like a firewall that drops silently. */
static void dropped_syns_are_filtered_no_response_within_2s(void **state)
{
    (void)state;
    int port, lfd = listen_on("127.0.0.1", 0, &port);
    struct harness_conn filler;
    assert_int_equal(harness_conn_open(&filler, port), 0);
    struct evidence ev;
    struct probe_opts o;
    setup_ev(&ev, &o, "127.0.0.1", port, 1500);
    long long t0 = harness_now_ms();
    stage_tcp_run(&ev, &o);
    long long took = harness_now_ms() - t0;
    const struct ev_tcp_attempt *a = &ev.tcp.attempts[0];
    print_message("filtered verdict after %lld ms, %d SYNs\n", took, a->syns_sent);
    assert_int_equal(a->state, TCP_STATE_FILTERED);
    assert_string_equal(a->reason, "no-response");
    assert_true(a->syns_sent >= 2);
    assert_true(took < 2000);
    assert_true(strstr(ev.stages[STAGE_TCP].summary, "1500 ms") != NULL);
    harness_conn_close(&filler);
    close(lfd);
}

/* Two addresses at once: one open, one closed, both reported. */
static void every_address_is_tried_and_the_open_one_chosen(void **state)
{
    (void)state;
    int port, lfd = listen_on("127.0.0.1", 8, &port);
    struct evidence ev;
    struct probe_opts o;
    setup_ev(&ev, &o, "127.0.0.2", port, 1500);
    ev.dns.addrs[1] = (struct ev_address){"127.0.0.1", AF_INET};
    ev.dns.addr_count = 2;
    stage_tcp_run(&ev, &o);
    assert_int_equal(ev.tcp.attempt_count, 2);
    assert_int_equal(ev.tcp.attempts[0].state, TCP_STATE_CLOSED);
    assert_int_equal(ev.tcp.attempts[1].state, TCP_STATE_OPEN);
    assert_int_equal(ev.tcp.chosen, 1);
    assert_int_equal(ev.stages[STAGE_TCP].status, STATUS_WARN);
    close(lfd);
}

static void ipv6_loopback_is_probed_too(void **state)
{
    (void)state;
    int probe = socket(AF_INET6, SOCK_STREAM, 0);
    if (probe < 0) {
        print_message("skipped: no IPv6 on this machine\n");
        return;
    }
    close(probe);
    int port, lfd = listen_on("::1", 8, &port);
    struct evidence ev;
    struct probe_opts o;
    setup_ev(&ev, &o, "::1", port, 1500);
    stage_tcp_run(&ev, &o);
    assert_int_equal(ev.tcp.attempts[0].state, TCP_STATE_OPEN);
    assert_string_equal(ev.tcp.attempts[0].source_address, "::1");
    close(lfd);
    o.family = 4; /* -4 with an IPv6 literal: nothing to try */
    evidence_init(&ev, "::1", port);
    stage_dns_run(&ev, &o);
    stage_tcp_run(&ev, &o);
    assert_int_equal(ev.stages[STAGE_TCP].status, STATUS_SKIP);
}

/* A UDP datagram to a closed loopback port draws a real ICMP port
 * unreachable, which the error queue must report with its sender. */
static void error_queue_reports_icmp_type_code_and_sender(void **state)
{
    (void)state;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    assert_int_equal(errqueue_enable(fd, AF_INET), 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)closed_port())};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&to, sizeof to), 0);
    assert_int_equal(send(fd, "x", 1, 0), 1);
    struct ev_icmp_error e = {0};
    int rc = 0;
    for (int i = 0; i < 200 && rc == 0; i++) { /* up to 2 s */
        rc = errqueue_read(fd, &e);
        if (rc == 0)
            usleep(10000);
    }
    close(fd);
    assert_int_equal(rc, 1);
    assert_true(e.seen);
    assert_int_equal(e.type, 3);
    assert_int_equal(e.code, 3);
    assert_string_equal(e.name, "port-unreach");
    assert_string_equal(e.from, "127.0.0.1");
}

static void localhost_resolves_from_etc_hosts(void **state)
{
    (void)state;
    struct evidence ev;
    struct probe_opts o;
    setup_ev(&ev, &o, "localhost", 8888, 1500);
    assert_int_equal(ev.dns.outcome, DNS_OK);
    assert_int_equal(ev.stages[STAGE_DNS].status, STATUS_PASS);
    bool found = false;
    for (size_t i = 0; i < ev.dns.addr_count; i++)
        found |= strcmp(ev.dns.addrs[i].address, "127.0.0.1") == 0;
    assert_true(found);
    assert_true(strstr(ev.stages[STAGE_DNS].summary, "127.0.0.1") != NULL);
}

static void address_literal_is_not_resolved(void **state)
{
    (void)state;
    struct evidence ev;
    struct probe_opts o;
    setup_ev(&ev, &o, "127.0.0.1", 8888, 1500);
    assert_int_equal(ev.dns.outcome, DNS_LITERAL);
    assert_int_equal(ev.dns.addr_count, 1);
    assert_string_equal(ev.dns.addrs[0].address, "127.0.0.1");
    assert_int_equal(ev.dns.addrs[0].family, AF_INET);
}

static void local_stage_finds_the_loopback_source(void **state)
{
    (void)state;
    struct evidence ev;
    struct probe_opts o;
    setup_ev(&ev, &o, "127.0.0.1", 8888, 1500);
    stage_host_setup_run(&ev, &o);
    assert_int_equal(ev.stages[STAGE_LOCAL].status, STATUS_PASS);
    assert_string_equal(ev.local.source_address, "127.0.0.1");
    assert_int_equal(ev.local.source_class, ADDR_LOOPBACK);
    assert_true(ev.local.source_mtu > 0);
    assert_true(ev.local.iface_count >= 1);
    assert_true(ev.local.hostname[0] != '\0');
    bool lo = false;
    for (size_t i = 0; i < ev.local.iface_count; i++)
        lo |= strcmp(ev.local.ifaces[i].address, "127.0.0.1") == 0 &&
              ev.local.ifaces[i].prefix_len == 8;
    assert_true(lo);
}

/* Pings host; returns false (with a note) if this machine may not ping. */
static bool ping(const char *host)
{
    struct evidence ev;
    struct probe_opts o;
    setup_ev(&ev, &o, host, 8888, 1500);
    stage_icmp_run(&ev, &o);
    const struct stage_result *r = &ev.stages[STAGE_ICMP];
    if (r->status == STATUS_SKIP) {
        print_message("icmp to %s skipped: %s\n", host, r->skip_reason);
        assert_true(strstr(r->skip_reason, "ping_group_range") != NULL);
        return false;
    }
    print_message("icmp to %s: %s (%.1f ms)\n", host, r->summary, r->duration_ms);
    assert_int_equal(r->status, STATUS_PASS);
    assert_int_equal(ev.icmp.sent, 4);
    assert_int_equal(ev.icmp.received, 4);
    assert_true(ev.icmp.rtt_min_ms <= ev.icmp.rtt_avg_ms);
    assert_true(ev.icmp.rtt_avg_ms <= ev.icmp.rtt_max_ms);
    assert_false(ev.icmp.error.seen);
    assert_true(r->duration_ms < 1000); /* answered pings are sent back to back */
    return true;
}

static void icmp_pings_loopback_or_says_why_not(void **state)
{
    (void)state;
    if (ping("127.0.0.1"))
        (void)ping("::1");
}

static void no_icmp_option_skips_the_stage(void **state)
{
    (void)state;
    struct evidence ev;
    struct probe_opts o;
    setup_ev(&ev, &o, "127.0.0.1", 8888, 1500);
    o.no_icmp = true;
    stage_icmp_run(&ev, &o);
    assert_int_equal(ev.stages[STAGE_ICMP].status, STATUS_SKIP);
    assert_int_equal(ev.icmp.sent, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(open_port_is_open_with_syn_ack),
        cmocka_unit_test(closed_port_is_closed_by_reset_at_once),
        cmocka_unit_test(dropped_syns_are_filtered_no_response_within_2s),
        cmocka_unit_test(every_address_is_tried_and_the_open_one_chosen),
        cmocka_unit_test(ipv6_loopback_is_probed_too),
        cmocka_unit_test(error_queue_reports_icmp_type_code_and_sender),
        cmocka_unit_test(localhost_resolves_from_etc_hosts),
        cmocka_unit_test(address_literal_is_not_resolved),
        cmocka_unit_test(local_stage_finds_the_loopback_source),
        cmocka_unit_test(icmp_pings_loopback_or_says_why_not),
        cmocka_unit_test(no_icmp_option_skips_the_stage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
