/*
 * netprobe_verdict_cases.h - the verdict table's cases as evidence: one
 * builder per way of reaching each verdict code and finding, and the
 * table that names what each must give.
 *
 * Included by tests/unit/netprobe_verdict.c (which checks the codes, the
 * findings and a word of the evidence) and tests/unit/netprobe_show_lang.c
 * (which writes each case's report and says it again in the other
 * language).  Each case starts from healthy() (netprobe_fixture.h).
 */
#ifndef TESTS_NETPROBE_VERDICT_CASES_H
#define TESTS_NETPROBE_VERDICT_CASES_H

#include <stdio.h>
#include <sys/socket.h>

#include "netprobe/verdict.h"
#include "tests/support/netprobe_fixture.h"

#define F(x) (1u << (FINDING_##x))

static inline void set_ok(struct evidence *ev)
{
    (void)ev;
}
static inline void set_nxdomain(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_UNKNOWN, "");
    ev->tcp.attempt_count = 0;
    ev->dns.outcome = DNS_NXDOMAIN;
    ev->dns.addr_count = 0;
}
static inline void set_dns_no_answer(struct evidence *ev)
{
    set_nxdomain(ev);
    ev->dns.outcome = DNS_NO_ANSWER;
}
static inline void set_no_route(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_ERROR, "no-route");
}
static inline void set_net_unreach(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_FILTERED, "net-unreach");
}
static inline void set_drop(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_FILTERED, "no-response");
}
static inline void set_admin_prohibited(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_FILTERED, "admin-prohibited");
    ev->tcp.attempts[0].icmp =
        (struct ev_icmp_error){true, 3, 13, "198.51.100.1", "admin-prohibited"};
}
static inline void set_port_unreach(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_FILTERED, "port-unreach");
}
static inline void set_local_firewall(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_ERROR, "local-firewall");
}
static inline void set_refused(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_CLOSED, "reset");
}
static inline void set_silent(struct evidence *ev)
{
    ev->app.outcome = APP_SILENT;
    ev->app.bytes_acked_known = true;
    ev->app.bytes_acked = true;
    ev->echo.size_count = 0;
}
static inline void set_closed(struct evidence *ev)
{
    ev->app.outcome = APP_CLOSED;
    ev->echo.size_count = 0;
}
static inline void set_reset(struct evidence *ev)
{
    ev->app.outcome = APP_RESET;
    ev->echo.size_count = 0;
}
static inline void set_wrong_service(struct evidence *ev)
{
    ev->app.outcome = APP_OTHER;
    snprintf(ev->app.banner, sizeof ev->app.banner, "SSH-2.0-OpenSSH_9.2p1");
    ev->echo.size_count = 0;
}
static inline void set_mtu(struct evidence *ev)
{
    ev->echo.sizes[2].outcome = ECHO_STALLED;
    ev->echo.sizes[2].bytes_back = 0;
    ev->echo.size_count = 3;
    ev->echo.mss_retry_run = true;
    ev->echo.mss_retry_mss = 1200;
    ev->echo.mss_retry_outcome = ECHO_OK;
    ev->echo.path_mss = 1460;
}
static inline void set_corruption(struct evidence *ev)
{
    ev->echo.sizes[1].outcome = ECHO_MISMATCH;
}
static inline void set_vbox_nat(struct evidence *ev)
{
    ev->local.virtualbox_nat = true;
    snprintf(ev->local.source_address, ADDR_TEXT_MAX, "10.0.2.15");
    snprintf(ev->local.gateway, ADDR_TEXT_MAX, "10.0.2.2");
}
static inline void set_client_nat(struct evidence *ev)
{
    ev->app.client_nat = true;
    snprintf(ev->app.hello.peer.address, ADDR_TEXT_MAX, "198.51.100.77");
}
static inline void set_cloud_nat(struct evidence *ev)
{
    ev->app.server_nat = true;
    snprintf(ev->app.hello.local.address, ADDR_TEXT_MAX, "172.31.5.9");
}
static inline void set_icmp_blocked(struct evidence *ev)
{
    ev->icmp.sent = 3;
    ev->icmp.received = 0;
}
static inline void set_ipv6_broken(struct evidence *ev)
{
    add_attempt(ev, "2001:db8::10", AF_INET6, TCP_STATE_FILTERED, "no-response");
}
static inline void set_high_latency(struct evidence *ev)
{
    ev->tcp.attempts[0].rtt_ms = 450;
}
static inline void set_icmp_loss(struct evidence *ev)
{
    ev->icmp.sent = 4;
    ev->icmp.received = 3;
    ev->icmp.rtt_avg_ms = 30;
}
static inline void set_syn_retransmit(struct evidence *ev)
{
    ev->tcp.attempts[0].syns_sent = 2;
}

static inline void set_output_rule(struct evidence *ev)
{
    set_drop(ev);
    ev->tcp.local_fw.read = true;
    ev->tcp.local_fw.blocks = true;
    snprintf(ev->tcp.local_fw.rule, sizeof ev->tcp.local_fw.rule,
             "inet filter output handle 4: drop");
}
static inline void set_output_rule_conditional(struct evidence *ev)
{
    set_drop(ev);
    ev->tcp.local_fw.read = true;
    ev->tcp.local_fw.may_block = true;
}
static inline void set_no_syn_left(struct evidence *ev)
{
    set_drop(ev);
    ev->capture.run = true;
    ev->capture.syns_sent = 0;
}
/* A local reject rule answers the SYN with a reset of its own. */
static inline void set_output_reject_reset(struct evidence *ev)
{
    set_output_rule(ev);
    ev->tcp.attempts[0].state = TCP_STATE_CLOSED;
    snprintf(ev->tcp.attempts[0].reason, sizeof ev->tcp.attempts[0].reason, "reset");
}
static inline void set_server_full(struct evidence *ev)
{
    set_closed(ev);
    snprintf(ev->app.chatd_said, sizeof ev->app.chatd_said,
             "ERR server_full the server is full; try again later");
}
static inline void set_shutdown(struct evidence *ev)
{
    set_closed(ev);
    ev->app.chatd_greeted = true;
    snprintf(ev->app.chatd_said, sizeof ev->app.chatd_said,
             "NOTICE shutdown the server is shutting down; bye");
}
/* The student dials the instance's Private IPv4 from home. */
static inline void set_private_target(struct evidence *ev)
{
    set_drop(ev);
    snprintf(ev->tcp.attempts[0].target.address, ADDR_TEXT_MAX, "172.31.5.20");
    snprintf(ev->local.source_address, ADDR_TEXT_MAX, "192.168.1.20");
    ev->local.source_class = ADDR_PRIVATE;
    snprintf(ev->local.ifaces[0].address, ADDR_TEXT_MAX, "192.168.1.20");
    ev->local.ifaces[0].prefix_len = 24;
    ev->local.iface_count = 1;
}
static inline void set_private_target_on_own_network(struct evidence *ev)
{
    set_private_target(ev);
    snprintf(ev->local.ifaces[1].address, ADDR_TEXT_MAX, "172.31.0.9");
    ev->local.ifaces[1].prefix_len = 20;
    ev->local.iface_count = 2;
}
static inline void set_private_target_same_16(struct evidence *ev)
{
    set_private_target(ev);
    snprintf(ev->local.source_address, ADDR_TEXT_MAX, "172.31.40.7");
}
static inline void set_private_target_public_source(struct evidence *ev)
{
    set_private_target(ev);
    snprintf(ev->local.source_address, ADDR_TEXT_MAX, "198.51.100.77");
    ev->local.source_class = ADDR_PUBLIC;
}
/* A VPN that routes the private range: chatd answered there. */
static inline void set_private_target_answers(struct evidence *ev)
{
    struct evidence failed;
    healthy(&failed);
    set_private_target(&failed);
    ev->local = failed.local;
    snprintf(ev->tcp.attempts[0].target.address, ADDR_TEXT_MAX, "172.31.5.20");
    snprintf(ev->app.hello.local.address, ADDR_TEXT_MAX, "172.31.5.20");
}

/* Priority cases. */
static inline void set_refused_v4_no_route_v6(struct evidence *ev)
{
    set_refused(ev);
    add_attempt(ev, "2001:db8::10", AF_INET6, TCP_STATE_ERROR, "no-route");
}
static inline void set_drop_v4_reject_v6(struct evidence *ev)
{
    set_drop(ev);
    add_attempt(ev, "2001:db8::10", AF_INET6, TCP_STATE_FILTERED, "admin-prohibited");
}
static inline void set_no_route_v6_drop_v4(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_ERROR, "no-route");
    ev->tcp.attempts[0].target.family = AF_INET6;
    add_attempt(ev, "203.0.113.10", AF_INET, TCP_STATE_FILTERED, "no-response");
}
static inline void set_v6_refused_v4_open(struct evidence *ev)
{
    add_attempt(ev, "2001:db8::10", AF_INET6, TCP_STATE_CLOSED, "reset");
}
static inline void set_corruption_and_mtu(struct evidence *ev)
{
    set_mtu(ev);
    ev->echo.sizes[0].outcome = ECHO_MISMATCH;
}
static inline void set_drop_with_vbox_and_icmp(struct evidence *ev)
{
    set_drop(ev);
    set_vbox_nat(ev);
    set_icmp_blocked(ev);
}
static inline void set_stall_not_mtu(struct evidence *ev)
{
    set_mtu(ev);
    ev->echo.mss_retry_outcome = ECHO_STALLED;
}
static inline void set_first_size_stalls(struct evidence *ev)
{
    ev->echo.sizes[0].outcome = ECHO_STALLED;
    ev->echo.size_count = 1;
}
static inline void set_split(struct evidence *ev, enum silence_split split, size_t acked)
{
    set_silent(ev);
    ev->app.split = split;
    ev->app.fill_sent = 524288;
    ev->app.fill_acked = acked;
    ev->app.peer_window = split == SILENCE_NOT_READING ? 0 : 65483;
}
static inline void set_silent_reads(struct evidence *ev)
{
    set_split(ev, SILENCE_READS, 524288);
}
static inline void set_silent_not_reading(struct evidence *ev)
{
    set_split(ev, SILENCE_NOT_READING, 131072);
}
static inline void set_silent_inconclusive(struct evidence *ev)
{
    set_split(ev, SILENCE_INCONCLUSIVE, 65536);
}
static inline void set_silent_relay(struct evidence *ev)
{
    set_split(ev, SILENCE_RELAY, 524288);
    set_vbox_nat(ev);
}
static inline void set_mtu_search(struct evidence *ev, int pass, int fail)
{
    set_mtu(ev);
    ev->echo.mtu_search_run = true;
    ev->echo.mtu_floor = 576;
    ev->echo.mtu_pass = pass;
    ev->echo.mtu_fail = fail;
    ev->echo.mtu_probes = 11;
    ev->echo.mss_retry_mss = (pass > 0 ? pass : 576) - 40;
    ev->echo.mss_retry_outcome = pass > 0 ? ECHO_OK : ECHO_STALLED;
}
static inline void set_mtu_search_1200(struct evidence *ev)
{
    set_mtu_search(ev, 1200, 1201);
}
static inline void set_mtu_search_floor_stalls(struct evidence *ev)
{
    set_mtu_search(ev, 0, 576);
}
static inline void set_mtu_search_no_probe(struct evidence *ev)
{
    set_mtu_search(ev, 0, 1452);
    ev->echo.mtu_probes = 0;
    ev->echo.mtu_out_of_time = true;
}
static inline void set_mtu_search_relay(struct evidence *ev)
{
    set_mtu_search(ev, 1500, 1501);
    set_vbox_nat(ev);
}
/* chatd answered the hello, then refused the echo's connection: its
 * per-address rate counts every connection netprobe opens. */
static inline void set_echo_refused(struct evidence *ev)
{
    ev->echo.size_count = 0;
    ev->stages[STAGE_ECHO].status = STATUS_FAIL;
    snprintf(ev->echo.chatd_said, sizeof ev->echo.chatd_said,
             "ERR too_many_connections your address opens more than 10 connections per second; "
             "try again in a second");
}
/* A stall, then chatd refused the path MTU search's first probe. */
static inline void set_mtu_search_refused(struct evidence *ev)
{
    set_mtu_search(ev, 0, 1452);
    ev->echo.mtu_probes = 1;
    ev->echo.mss_retry_outcome = ECHO_CLOSED;
    ev->stages[STAGE_ECHO].status = STATUS_FAIL;
    snprintf(ev->echo.chatd_said, sizeof ev->echo.chatd_said,
             "ERR too_many_connections your address already holds 32 connections, the most "
             "allowed; close one and try again");
}
/* The echo's connection got no hello reply and nobody said why. */
static inline void set_echo_unopened(struct evidence *ev)
{
    ev->echo.size_count = 0;
    ev->stages[STAGE_ECHO].status = STATUS_FAIL;
}
static inline void set_echo_closed(struct evidence *ev)
{
    ev->echo.sizes[2].outcome = ECHO_CLOSED;
    ev->echo.sizes[2].bytes_back = 0;
    ev->echo.sizes[3].outcome = ECHO_NOT_RUN;
}
/* The lab's no-route scenario: pings "sent" into a missing route. */
static inline void set_no_route_pings_unanswered(struct evidence *ev)
{
    set_no_route(ev);
    set_icmp_blocked(ev);
}
static inline void set_forged_reset(struct evidence *ev)
{
    set_refused(ev);
    ev->capture.run = true;
    ev->capture.resets = 1;
    ev->capture.forged_reset = true;
    snprintf(ev->capture.forged_detail, sizeof ev->capture.forged_detail,
             "reset TTL 62 does not fit the host's other answers (TTL 250)");
}
/* Behind VirtualBox's NAT (libslirp in the lab): the relay's echo replies
 * arrive with TTL 255, its TCP packets with 64. */
static inline void set_relay(struct evidence *ev)
{
    set_vbox_nat(ev);
    ev->icmp.sent = 3;
    ev->icmp.received = 3;
    ev->icmp.reply_ttl = 255;
}
/* The same addresses behind a kernel NAT: the server's echo replies come
 * through four routers. */
static inline void set_kernel_nat_vbox_addresses(struct evidence *ev)
{
    set_relay(ev);
    ev->icmp.reply_ttl = 60;
}
static inline void set_drop_behind_relay(struct evidence *ev)
{
    set_drop(ev);
    set_relay(ev);
}
static inline void set_drop_vbox_no_ttl(struct evidence *ev)
{
    set_drop(ev);
    set_vbox_nat(ev);
}
static inline void set_relayed_ping_loss(struct evidence *ev)
{
    set_relay(ev);
    set_icmp_loss(ev);
}
static inline void set_routed_ping_loss(struct evidence *ev)
{
    set_kernel_nat_vbox_addresses(ev);
    set_icmp_loss(ev);
}
static inline void set_forged_reset_behind_relay(struct evidence *ev)
{
    set_forged_reset(ev);
    set_relay(ev);
    ev->capture.reset_ttl = 64;
}
static inline void set_icmp_blocked_vbox(struct evidence *ev)
{
    set_vbox_nat(ev);
    set_icmp_blocked(ev);
}
static inline void set_nothing_ran(struct evidence *ev)
{
    evidence_init(ev, "203.0.113.10", 8888);
}
/* The dual-stack cases of issue 15: which family worked and how the other
 * failed decides between ipv6_broken, ipv4_broken and nothing. */
static inline void set_ipv4_broken(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_FILTERED, "no-response");
    add_attempt(ev, "2001:db8:ec2::9", AF_INET6, TCP_STATE_OPEN, "syn-ack");
    ev->tcp.chosen = 1;
    ev->app.outcome = APP_CHATD;
    ev->echo.size_count = 4;
}
/* A machine without IPv6: connect() failed at once, no SYN left. */
static inline void set_v6_never_sent(struct evidence *ev)
{
    add_attempt(ev, "2001:db8:ec2::9", AF_INET6, TCP_STATE_ERROR, "no-route");
    ev->tcp.attempts[1].syns_sent = 0;
}
/* The neighbour never answered (EHOSTUNREACH later, no ICMP): nothing met
 * the server either. */
static inline void set_v6_neighbour_silent(struct evidence *ev)
{
    add_attempt(ev, "2001:db8:ec2::9", AF_INET6, TCP_STATE_FILTERED, "host-unreach");
}
/* A router answered the IPv6 SYN with an ICMPv6 error: it left. */
static inline void set_v6_router_unreachable(struct evidence *ev)
{
    set_v6_neighbour_silent(ev);
    ev->tcp.attempts[1].icmp =
        (struct ev_icmp_error){true, 1, 3, "2001:db8:f0:1::1", "host-unreach"};
}
/* ipv6-only-name: only an AAAA record, and this machine has no IPv6. */
static inline void set_ipv6_only_name_no_route(struct evidence *ev)
{
    snprintf(ev->host, sizeof ev->host, "chat.lab");
    ev->dns.outcome = DNS_OK;
    snprintf(ev->dns.addrs[0].address, ADDR_TEXT_MAX, "2001:db8:ec2::9");
    ev->dns.addrs[0].family = AF_INET6;
    fail_tcp(ev, TCP_STATE_ERROR, "no-route");
    snprintf(ev->tcp.attempts[0].target.address, ADDR_TEXT_MAX, "2001:db8:ec2::9");
    ev->tcp.attempts[0].target.family = AF_INET6;
    ev->tcp.attempts[0].syns_sent = 0;
    snprintf(ev->local.gateway, ADDR_TEXT_MAX, "10.0.2.2");
    ev->local.ipv6_default_route = false;
}
/* Pings to an IPv6 address with no IPv6 route here: sendto() failed, so
 * nothing was blocked anywhere. */
static inline void set_pings_never_sent(struct evidence *ev)
{
    set_icmp_blocked(ev);
    ev->icmp.sent = 4;
    ev->icmp.not_sent = 4;
}
static inline void set_only_v4(struct evidence *ev)
{
    add_attempt(ev, "203.0.113.11", AF_INET, TCP_STATE_FILTERED, "no-response");
}

struct verdict_case {
    const char *name;
    void (*setup)(struct evidence *ev);
    enum verdict_code code;
    unsigned findings;        /* F(...) bits */
    const char *evidence_has; /* in the verdict's evidence; NULL: no check */
};

static const struct verdict_case cases[] = {
    /* One row per verdict code (and per way of reaching it). */
    {"healthy run", set_ok, VERDICT_OK, 0, "answered the netprobe hello"},
    {"nxdomain", set_nxdomain, VERDICT_DNS_FAILURE, 0, "nxdomain"},
    {"resolver silent", set_dns_no_answer, VERDICT_DNS_FAILURE, 0, "no_answer"},
    {"no route before sending", set_no_route, VERDICT_NO_ROUTE, 0, "no-route"},
    {"icmp net unreachable", set_net_unreach, VERDICT_NO_ROUTE, 0, "net-unreach"},
    {"syns dropped", set_drop, VERDICT_FILTERED_DROP, 0, "after 2 SYN(s)"},
    {"icmp admin prohibited", set_admin_prohibited, VERDICT_REJECTED, 0, "type 3 code 13"},
    {"icmp port unreachable", set_port_unreach, VERDICT_REJECTED, 0, "port-unreach"},
    {"local firewall EPERM", set_local_firewall, VERDICT_LOCAL_FIREWALL, 0, "local-firewall"},
    {"local firewall: an output rule drops the port", set_output_rule, VERDICT_LOCAL_FIREWALL, 0,
     "inet filter output handle 4: drop"},
    {"local firewall: the capture saw no SYN leave", set_no_syn_left, VERDICT_LOCAL_FIREWALL, 0,
     "no SYN leave"},
    {"chatd said server_full", set_server_full, VERDICT_CHATD_ERROR, 0, "ERR server_full"},
    {"chatd said shutdown", set_shutdown, VERDICT_CHATD_ERROR, 0, "NOTICE shutdown"},
    {"reset", set_refused, VERDICT_REFUSED, 0, "closed (reset)"},
    {"silent server", set_silent, VERDICT_CONNECTED_SILENT, 0, "nothing came back"},
    {"server closed", set_closed, VERDICT_SERVER_CLOSED, 0, "closed it"},
    {"server reset", set_reset, VERDICT_SERVER_CLOSED, 0, "reset it"},
    {"another service", set_wrong_service, VERDICT_WRONG_SERVICE, 0, "SSH-2.0"},
    {"mtu black hole", set_mtu, VERDICT_MTU_BLACKHOLE, 0, "MSS 1200"},
    {"bytes changed", set_corruption, VERDICT_DATA_CORRUPTION, 0, "1024 bytes"},
    /* One row per finding. */
    {"virtualbox nat", set_vbox_nat, VERDICT_OK, F(VIRTUALBOX_NAT), NULL},
    {"client nat", set_client_nat, VERDICT_OK, F(CLIENT_NAT), NULL},
    {"cloud nat", set_cloud_nat, VERDICT_OK, F(CLOUD_NAT), NULL},
    {"icmp blocked", set_icmp_blocked, VERDICT_OK, F(ICMP_BLOCKED), NULL},
    {"ipv6 broken", set_ipv6_broken, VERDICT_OK, F(IPV6_BROKEN), NULL},
    {"high latency", set_high_latency, VERDICT_OK, F(HIGH_LATENCY), NULL},
    {"icmp loss", set_icmp_loss, VERDICT_OK, F(PACKET_LOSS), NULL},
    {"syn retransmitted", set_syn_retransmit, VERDICT_OK, F(PACKET_LOSS), NULL},
    {"forged reset seen by the capture", set_forged_reset, VERDICT_REFUSED, F(FORGED_RESET),
     "reset"},
    {"private target dialled from behind nat", set_private_target, VERDICT_FILTERED_DROP,
     F(PRIVATE_TARGET), "no-response"},
    /* Not a private_target: reachable networks, or the handshake worked. */
    {"private target on a network of this machine", set_private_target_on_own_network,
     VERDICT_FILTERED_DROP, 0, NULL},
    {"private target on the source's own /16 (a vpc)", set_private_target_same_16,
     VERDICT_FILTERED_DROP, 0, NULL},
    {"private target from a public source", set_private_target_public_source, VERDICT_FILTERED_DROP,
     0, NULL},
    {"private target that answered", set_private_target_answers, VERDICT_OK, 0, NULL},
    /* Only a rule that surely applies decides. */
    {"a conditional output rule is not enough", set_output_rule_conditional, VERDICT_FILTERED_DROP,
     0, NULL},
    {"our own reject rule's reset is not the server's", set_output_reject_reset,
     VERDICT_LOCAL_FIREWALL, 0, "on the way out"},
    /* Found by the lab: unanswered pings into a missing route block nothing. */
    {"no route: unanswered pings are not icmp_blocked", set_no_route_pings_unanswered,
     VERDICT_NO_ROUTE, 0, "no-route"},
    /* Found by review: an echo that ends badly still gets a verdict.  Issue
     * 10: small passing and large stalling is never "nothing answered",
     * even when the one small MSS tried stalls too (path MTU < 1240). */
    {"stall that a small mss does not fix", set_stall_not_mtu, VERDICT_MTU_BLACKHOLE, 0,
     "stalled again on a new connection with MSS 1200"},
    {"first size stalls: nothing passed to compare", set_first_size_stalls,
     VERDICT_CONNECTED_SILENT, 0, "An echo of 16 bytes stalled"},
    /* Issue 10: the silent server split by its receive window. */
    {"silent server that reads (the course's server)", set_silent_reads, VERDICT_CONNECTED_SILENT,
     0, "reads what arrives and answers nothing"},
    {"silent server that does not read", set_silent_not_reading, VERDICT_CONNECTED_SILENT, 0,
     "window closed"},
    {"silent server split inconclusive", set_silent_inconclusive, VERDICT_CONNECTED_SILENT, 0,
     "netprobe --watch"},
    {"silent server behind virtualbox nat", set_silent_relay, VERDICT_CONNECTED_SILENT,
     F(VIRTUALBOX_NAT), "cannot be measured from here"},
    /* Issue 10: the path MTU searched, not guessed. */
    {"mtu search finds 1200", set_mtu_search_1200, VERDICT_MTU_BLACKHOLE, 0,
     "path MTU measured is 1200 bytes"},
    {"mtu search: even the floor stalls", set_mtu_search_floor_stalls, VERDICT_MTU_BLACKHOLE, 0,
     "small payloads pass and large ones do not"},
    {"mtu search out of time before the floor: nothing claimed", set_mtu_search_no_probe,
     VERDICT_MTU_BLACKHOLE, 0, "nothing more was measured"},
    {"mtu search behind virtualbox nat", set_mtu_search_relay, VERDICT_MTU_BLACKHOLE,
     F(VIRTUALBOX_NAT), "the VM's leg"},
    {"chatd refused the echo's connection", set_echo_refused, VERDICT_CHATD_ERROR, 0,
     "for the echo check, got \"ERR too_many_connections"},
    {"chatd refused a probe of the mtu search", set_mtu_search_refused, VERDICT_CHATD_ERROR, 0,
     "so the search did not finish"},
    {"echo connection not opened, nobody said why: no verdict, never ok", set_echo_unopened,
     VERDICT_NONE, 0, NULL},
    {"connection closed during the echo", set_echo_closed, VERDICT_SERVER_CLOSED, 0,
     "during the echo of 1400 bytes"},
    /* Priority between codes. */
    {"reset on v4 beats no route on v6", set_refused_v4_no_route_v6, VERDICT_REFUSED, 0, "reset"},
    {"reject beats drop", set_drop_v4_reject_v6, VERDICT_REJECTED, 0, "admin-prohibited"},
    {"drop beats no route", set_no_route_v6_drop_v4, VERDICT_FILTERED_DROP, 0, "no-response"},
    {"one open address wins over a reset", set_v6_refused_v4_open, VERDICT_OK, F(IPV6_BROKEN),
     NULL},
    {"corruption beats mtu", set_corruption_and_mtu, VERDICT_DATA_CORRUPTION, 0, "16 bytes"},
    {"fault keeps its findings", set_drop_with_vbox_and_icmp, VERDICT_FILTERED_DROP,
     F(VIRTUALBOX_NAT) | F(ICMP_BLOCKED), "no-response"},
    {"only ipv4 tried: no ipv6 finding", set_only_v4, VERDICT_OK, 0, NULL},
    /* Behind VirtualBox's NAT: the relay's packets are not the server's. */
    {"relay measured: its TTL is named", set_relay, VERDICT_OK, F(VIRTUALBOX_NAT), NULL},
    {"drop behind a relay: a REJECT looks the same", set_drop_behind_relay, VERDICT_FILTERED_DROP,
     F(VIRTUALBOX_NAT), "a REJECT looks the same as a DROP"},
    {"drop with VirtualBox addresses and no TTL: said as a possibility", set_drop_vbox_no_ttl,
     VERDICT_FILTERED_DROP, F(VIRTUALBOX_NAT), "if it is VirtualBox's NAT mode"},
    {"relayed pings: their loss is no packet_loss", set_relayed_ping_loss, VERDICT_OK,
     F(VIRTUALBOX_NAT), NULL},
    {"routed pings with VirtualBox addresses: loss counts", set_routed_ping_loss, VERDICT_OK,
     F(VIRTUALBOX_NAT) | F(PACKET_LOSS), NULL},
    {"pings unanswered behind VirtualBox's addresses: still icmp_blocked", set_icmp_blocked_vbox,
     VERDICT_OK, F(VIRTUALBOX_NAT) | F(ICMP_BLOCKED), NULL},
    {"relay's reset TTLs make no forged_reset", set_forged_reset_behind_relay, VERDICT_REFUSED,
     F(VIRTUALBOX_NAT), "closed (reset)"},
    /* Families (issue 15): a family is broken only when its SYNs left. */
    {"ipv4 dropped while ipv6 connects", set_ipv4_broken, VERDICT_OK, F(IPV4_BROKEN),
     "answered the netprobe hello"},
    {"no ipv6 route here: no ipv6_broken", set_v6_never_sent, VERDICT_OK, 0, NULL},
    {"pings that never left are not icmp_blocked", set_pings_never_sent, VERDICT_OK, 0, NULL},
    {"ipv6 neighbour silent: no ipv6_broken", set_v6_neighbour_silent, VERDICT_OK, 0, NULL},
    {"ipv6 router answered unreachable: ipv6_broken", set_v6_router_unreachable, VERDICT_OK,
     F(IPV6_BROKEN), NULL},
    {"name with only ipv6 addresses and no ipv6 route", set_ipv6_only_name_no_route,
     VERDICT_NO_ROUTE, 0, "has only IPv6 addresses"},
    /* No rule: netprobe must say it cannot tell, never "ok". */
    {"nothing ran", set_nothing_ran, VERDICT_NONE, 0, NULL},
};

#endif
