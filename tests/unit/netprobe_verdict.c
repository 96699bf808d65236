/*
 * Unit tests for netprobe/verdict.c: the verdict table, as a table.
 *
 * Each case starts from a healthy run (chatd answered, every echo passed),
 * changes what its setup function says, and names the verdict code and
 * the exact set of findings that must come out, plus a word the evidence
 * sentences must contain.  One row per verdict code and per finding, then
 * rows that pin the priority between codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netprobe/advice.h"
#include "netprobe/verdict.h"
#include "tests/support/netprobe_fixture.h"

#define F(x) (1u << (FINDING_##x))

static void set_ok(struct evidence *ev)
{
    (void)ev;
}
static void set_nxdomain(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_UNKNOWN, "");
    ev->tcp.attempt_count = 0;
    ev->dns.outcome = DNS_NXDOMAIN;
    ev->dns.addr_count = 0;
}
static void set_dns_no_answer(struct evidence *ev)
{
    set_nxdomain(ev);
    ev->dns.outcome = DNS_NO_ANSWER;
}
static void set_no_route(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_ERROR, "no-route");
}
static void set_net_unreach(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_FILTERED, "net-unreach");
}
static void set_drop(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_FILTERED, "no-response");
}
static void set_admin_prohibited(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_FILTERED, "admin-prohibited");
    ev->tcp.attempts[0].icmp =
        (struct ev_icmp_error){true, 3, 13, "198.51.100.1", "admin-prohibited"};
}
static void set_port_unreach(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_FILTERED, "port-unreach");
}
static void set_local_firewall(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_ERROR, "local-firewall");
}
static void set_refused(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_CLOSED, "reset");
}
static void set_silent(struct evidence *ev)
{
    ev->app.outcome = APP_SILENT;
    ev->app.bytes_acked_known = true;
    ev->app.bytes_acked = true;
    ev->echo.size_count = 0;
}
static void set_closed(struct evidence *ev)
{
    ev->app.outcome = APP_CLOSED;
    ev->echo.size_count = 0;
}
static void set_reset(struct evidence *ev)
{
    ev->app.outcome = APP_RESET;
    ev->echo.size_count = 0;
}
static void set_wrong_service(struct evidence *ev)
{
    ev->app.outcome = APP_OTHER;
    snprintf(ev->app.banner, sizeof ev->app.banner, "SSH-2.0-OpenSSH_9.2p1");
    ev->echo.size_count = 0;
}
static void set_mtu(struct evidence *ev)
{
    ev->echo.sizes[2].outcome = ECHO_STALLED;
    ev->echo.sizes[2].bytes_back = 0;
    ev->echo.size_count = 3;
    ev->echo.mss_retry_run = true;
    ev->echo.mss_retry_mss = 1200;
    ev->echo.mss_retry_outcome = ECHO_OK;
    ev->echo.path_mss = 1460;
}
static void set_corruption(struct evidence *ev)
{
    ev->echo.sizes[1].outcome = ECHO_MISMATCH;
}
static void set_vbox_nat(struct evidence *ev)
{
    ev->local.virtualbox_nat = true;
    snprintf(ev->local.source_address, ADDR_TEXT_MAX, "10.0.2.15");
    snprintf(ev->local.gateway, ADDR_TEXT_MAX, "10.0.2.2");
}
static void set_client_nat(struct evidence *ev)
{
    ev->app.client_nat = true;
    snprintf(ev->app.hello.peer.address, ADDR_TEXT_MAX, "198.51.100.77");
}
static void set_cloud_nat(struct evidence *ev)
{
    ev->app.server_nat = true;
    snprintf(ev->app.hello.local.address, ADDR_TEXT_MAX, "172.31.5.9");
}
static void set_icmp_blocked(struct evidence *ev)
{
    ev->icmp.sent = 3;
    ev->icmp.received = 0;
}
static void set_ipv6_broken(struct evidence *ev)
{
    add_attempt(ev, "2001:db8::10", AF_INET6, TCP_STATE_FILTERED, "no-response");
}
static void set_high_latency(struct evidence *ev)
{
    ev->tcp.attempts[0].rtt_ms = 450;
}
static void set_icmp_loss(struct evidence *ev)
{
    ev->icmp.sent = 4;
    ev->icmp.received = 3;
    ev->icmp.rtt_avg_ms = 30;
}
static void set_syn_retransmit(struct evidence *ev)
{
    ev->tcp.attempts[0].syns_sent = 2;
}

static void set_output_rule(struct evidence *ev)
{
    set_drop(ev);
    ev->tcp.local_fw.read = true;
    ev->tcp.local_fw.blocks = true;
    snprintf(ev->tcp.local_fw.rule, sizeof ev->tcp.local_fw.rule,
             "inet filter output handle 4: drop");
}
static void set_output_rule_conditional(struct evidence *ev)
{
    set_drop(ev);
    ev->tcp.local_fw.read = true;
    ev->tcp.local_fw.may_block = true;
}
static void set_no_syn_left(struct evidence *ev)
{
    set_drop(ev);
    ev->capture.run = true;
    ev->capture.syns_sent = 0;
}
/* A local reject rule answers the SYN with a reset of its own. */
static void set_output_reject_reset(struct evidence *ev)
{
    set_output_rule(ev);
    ev->tcp.attempts[0].state = TCP_STATE_CLOSED;
    snprintf(ev->tcp.attempts[0].reason, sizeof ev->tcp.attempts[0].reason, "reset");
}
static void set_server_full(struct evidence *ev)
{
    set_closed(ev);
    snprintf(ev->app.chatd_said, sizeof ev->app.chatd_said,
             "ERR server_full the server is full; try again later");
}
static void set_shutdown(struct evidence *ev)
{
    set_closed(ev);
    ev->app.chatd_greeted = true;
    snprintf(ev->app.chatd_said, sizeof ev->app.chatd_said,
             "NOTICE shutdown the server is shutting down; bye");
}
/* The student dials the instance's Private IPv4 from home. */
static void set_private_target(struct evidence *ev)
{
    set_drop(ev);
    snprintf(ev->tcp.attempts[0].target.address, ADDR_TEXT_MAX, "172.31.5.20");
    snprintf(ev->local.source_address, ADDR_TEXT_MAX, "192.168.1.20");
    ev->local.source_class = ADDR_PRIVATE;
    snprintf(ev->local.ifaces[0].address, ADDR_TEXT_MAX, "192.168.1.20");
    ev->local.ifaces[0].prefix_len = 24;
    ev->local.iface_count = 1;
}
static void set_private_target_on_own_network(struct evidence *ev)
{
    set_private_target(ev);
    snprintf(ev->local.ifaces[1].address, ADDR_TEXT_MAX, "172.31.0.9");
    ev->local.ifaces[1].prefix_len = 20;
    ev->local.iface_count = 2;
}
static void set_private_target_same_16(struct evidence *ev)
{
    set_private_target(ev);
    snprintf(ev->local.source_address, ADDR_TEXT_MAX, "172.31.40.7");
}
static void set_private_target_public_source(struct evidence *ev)
{
    set_private_target(ev);
    snprintf(ev->local.source_address, ADDR_TEXT_MAX, "198.51.100.77");
    ev->local.source_class = ADDR_PUBLIC;
}
/* A VPN that routes the private range: chatd answered there. */
static void set_private_target_answers(struct evidence *ev)
{
    struct evidence failed;
    healthy(&failed);
    set_private_target(&failed);
    ev->local = failed.local;
    snprintf(ev->tcp.attempts[0].target.address, ADDR_TEXT_MAX, "172.31.5.20");
    snprintf(ev->app.hello.local.address, ADDR_TEXT_MAX, "172.31.5.20");
}

/* Priority cases. */
static void set_refused_v4_no_route_v6(struct evidence *ev)
{
    set_refused(ev);
    add_attempt(ev, "2001:db8::10", AF_INET6, TCP_STATE_ERROR, "no-route");
}
static void set_drop_v4_reject_v6(struct evidence *ev)
{
    set_drop(ev);
    add_attempt(ev, "2001:db8::10", AF_INET6, TCP_STATE_FILTERED, "admin-prohibited");
}
static void set_no_route_v6_drop_v4(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_ERROR, "no-route");
    ev->tcp.attempts[0].target.family = AF_INET6;
    add_attempt(ev, "203.0.113.10", AF_INET, TCP_STATE_FILTERED, "no-response");
}
static void set_v6_refused_v4_open(struct evidence *ev)
{
    add_attempt(ev, "2001:db8::10", AF_INET6, TCP_STATE_CLOSED, "reset");
}
static void set_corruption_and_mtu(struct evidence *ev)
{
    set_mtu(ev);
    ev->echo.sizes[0].outcome = ECHO_MISMATCH;
}
static void set_drop_with_vbox_and_icmp(struct evidence *ev)
{
    set_drop(ev);
    set_vbox_nat(ev);
    set_icmp_blocked(ev);
}
static void set_stall_not_mtu(struct evidence *ev)
{
    set_mtu(ev);
    ev->echo.mss_retry_outcome = ECHO_STALLED;
}
static void set_first_size_stalls(struct evidence *ev)
{
    ev->echo.sizes[0].outcome = ECHO_STALLED;
    ev->echo.size_count = 1;
}
static void set_split(struct evidence *ev, enum silence_split split, size_t acked)
{
    set_silent(ev);
    ev->app.split = split;
    ev->app.fill_sent = 524288;
    ev->app.fill_acked = acked;
    ev->app.peer_window = split == SILENCE_NOT_READING ? 0 : 65483;
}
static void set_silent_reads(struct evidence *ev)
{
    set_split(ev, SILENCE_READS, 524288);
}
static void set_silent_not_reading(struct evidence *ev)
{
    set_split(ev, SILENCE_NOT_READING, 131072);
}
static void set_silent_inconclusive(struct evidence *ev)
{
    set_split(ev, SILENCE_INCONCLUSIVE, 65536);
}
static void set_silent_relay(struct evidence *ev)
{
    set_split(ev, SILENCE_RELAY, 524288);
    set_vbox_nat(ev);
}
static void set_mtu_search(struct evidence *ev, int pass, int fail)
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
static void set_mtu_search_1200(struct evidence *ev)
{
    set_mtu_search(ev, 1200, 1201);
}
static void set_mtu_search_floor_stalls(struct evidence *ev)
{
    set_mtu_search(ev, 0, 576);
}
static void set_mtu_search_no_probe(struct evidence *ev)
{
    set_mtu_search(ev, 0, 1452);
    ev->echo.mtu_probes = 0;
    ev->echo.mtu_out_of_time = true;
}
static void set_mtu_search_relay(struct evidence *ev)
{
    set_mtu_search(ev, 1500, 1501);
    set_vbox_nat(ev);
}
static void set_echo_closed(struct evidence *ev)
{
    ev->echo.sizes[2].outcome = ECHO_CLOSED;
    ev->echo.sizes[2].bytes_back = 0;
    ev->echo.sizes[3].outcome = ECHO_NOT_RUN;
}
/* The lab's no-route scenario: pings "sent" into a missing route. */
static void set_no_route_pings_unanswered(struct evidence *ev)
{
    set_no_route(ev);
    set_icmp_blocked(ev);
}
static void set_forged_reset(struct evidence *ev)
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
static void set_relay(struct evidence *ev)
{
    set_vbox_nat(ev);
    ev->icmp.sent = 3;
    ev->icmp.received = 3;
    ev->icmp.reply_ttl = 255;
}
/* The same addresses behind a kernel NAT: the server's echo replies come
 * through four routers. */
static void set_kernel_nat_vbox_addresses(struct evidence *ev)
{
    set_relay(ev);
    ev->icmp.reply_ttl = 60;
}
static void set_drop_behind_relay(struct evidence *ev)
{
    set_drop(ev);
    set_relay(ev);
}
static void set_drop_vbox_no_ttl(struct evidence *ev)
{
    set_drop(ev);
    set_vbox_nat(ev);
}
static void set_relayed_ping_loss(struct evidence *ev)
{
    set_relay(ev);
    set_icmp_loss(ev);
}
static void set_routed_ping_loss(struct evidence *ev)
{
    set_kernel_nat_vbox_addresses(ev);
    set_icmp_loss(ev);
}
static void set_forged_reset_behind_relay(struct evidence *ev)
{
    set_forged_reset(ev);
    set_relay(ev);
    ev->capture.reset_ttl = 64;
}
static void set_icmp_blocked_vbox(struct evidence *ev)
{
    set_vbox_nat(ev);
    set_icmp_blocked(ev);
}
static void set_nothing_ran(struct evidence *ev)
{
    evidence_init(ev, "203.0.113.10", 8888);
}
/* The dual-stack cases of issue 15: which family worked and how the other
 * failed decides between ipv6_broken, ipv4_broken and nothing. */
static void set_ipv4_broken(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_FILTERED, "no-response");
    add_attempt(ev, "2001:db8:ec2::9", AF_INET6, TCP_STATE_OPEN, "syn-ack");
    ev->tcp.chosen = 1;
    ev->app.outcome = APP_CHATD;
    ev->echo.size_count = 4;
}
/* A machine without IPv6: connect() failed at once, no SYN left. */
static void set_v6_never_sent(struct evidence *ev)
{
    add_attempt(ev, "2001:db8:ec2::9", AF_INET6, TCP_STATE_ERROR, "no-route");
    ev->tcp.attempts[1].syns_sent = 0;
}
/* The neighbour never answered (EHOSTUNREACH later, no ICMP): nothing met
 * the server either. */
static void set_v6_neighbour_silent(struct evidence *ev)
{
    add_attempt(ev, "2001:db8:ec2::9", AF_INET6, TCP_STATE_FILTERED, "host-unreach");
}
/* A router answered the IPv6 SYN with an ICMPv6 error: it left. */
static void set_v6_router_unreachable(struct evidence *ev)
{
    set_v6_neighbour_silent(ev);
    ev->tcp.attempts[1].icmp =
        (struct ev_icmp_error){true, 1, 3, "2001:db8:f0:1::1", "host-unreach"};
}
/* ipv6-only-name: only an AAAA record, and this machine has no IPv6. */
static void set_ipv6_only_name_no_route(struct evidence *ev)
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
static void set_pings_never_sent(struct evidence *ev)
{
    set_icmp_blocked(ev);
    ev->icmp.sent = 4;
    ev->icmp.not_sent = 4;
}
static void set_only_v4(struct evidence *ev)
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

static unsigned finding_bits(const struct verdict *v)
{
    unsigned bits = 0;
    for (size_t i = 0; i < v->finding_count; i++)
        bits |= 1u << v->findings[i];
    return bits;
}

static bool evidence_contains(const struct verdict_evidence *e, const char *word)
{
    for (size_t i = 0; i < e->count; i++)
        if (strstr(e->lines[i], word) != NULL)
            return true;
    return false;
}

/* Issue 10: an ACK says the bytes reached the machine, nothing about the
 * program; behind a relay not even that.  For every split, the evidence
 * never blames the program for not reading unless the window closed, and
 * a server measured reading leads with the cause that says so. */
static void silent_split_claims_only_what_was_measured(void **state)
{
    (void)state;
    static void (*const setups[])(struct evidence *) = {set_silent, set_silent_reads,
                                                        set_silent_not_reading,
                                                        set_silent_inconclusive, set_silent_relay};
    for (size_t i = 0; i < sizeof setups / sizeof setups[0]; i++) {
        struct evidence ev;
        struct verdict v;
        healthy(&ev);
        setups[i](&ev);
        verdict_decide(&ev, &v);
        assert_int_equal(v.code, VERDICT_CONNECTED_SILENT);
        assert_false(evidence_contains(&v.evidence, "the program is not reading"));
        assert_int_equal(evidence_contains(&v.evidence, "is not reading"),
                         ev.app.split == SILENCE_NOT_READING);
        assert_int_equal(evidence_contains(&v.evidence, "server's kernel"),
                         ev.app.split != SILENCE_RELAY);
        assert_int_equal(v.cause_named,
                         ev.app.split == SILENCE_READS ? VERDICT_CAUSE_SILENT_READS + 1 : 0);
    }
    const struct advice *a = advice_find("connected_silent");
    assert_non_null(a);
    assert_non_null(strstr(a->causes[VERDICT_CAUSE_SILENT_READS], "reads what arrives"));
}

static void each_case_gives_its_verdict_and_findings(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct verdict_case *c = &cases[i];
        struct evidence ev;
        struct verdict v;
        healthy(&ev);
        c->setup(&ev);
        verdict_decide(&ev, &v);
        print_message("case \"%s\": got %s\n", c->name,
                      v.code == VERDICT_NONE ? "none" : verdict_code_name(v.code));
        assert_int_equal(v.code, c->code);
        assert_int_equal(finding_bits(&v), c->findings);
        if (c->code != VERDICT_NONE)
            assert_true(v.evidence.count > 0);
        if (c->evidence_has != NULL)
            assert_true(evidence_contains(&v.evidence, c->evidence_has));
        for (size_t k = 0; k < v.finding_count; k++)
            assert_true(v.finding_evidence[k].count > 0);
    }
}

/* dns_failure gives the causes that fit what the resolver did: a name that
 * does not exist (it answered NXDOMAIN) is not a resolver that did not
 * answer, and neither is a missing resolver. */
static void dns_failure_causes_follow_the_resolver_outcome(void **state)
{
    (void)state;
    static const struct {
        enum dns_outcome outcome;
        const char *has, *lacks1, *lacks2;
    } rows[] = {
        {DNS_NXDOMAIN, "does not exist", "did not answer", "no resolver is configured"},
        {DNS_NO_ANSWER, "did not answer", "does not exist", "no resolver is configured"},
        {DNS_NO_RESOLVER, "no resolver is configured", "does not exist", "did not answer"},
    };
    const struct advice *a = advice_find("dns_failure");
    size_t n = 0;
    assert_non_null(a);
    while (a->causes[n] != NULL)
        n++;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct evidence ev;
        struct verdict v;
        healthy(&ev);
        set_nxdomain(&ev);
        ev.dns.outcome = rows[i].outcome;
        verdict_decide(&ev, &v);
        assert_int_equal(v.code, VERDICT_DNS_FAILURE);
        size_t idx[ADVICE_LIST_MAX];
        assert_int_equal(advice_order(a, &v, ADVICE_CAUSES, idx), 1);
        const char *cause = a->causes[idx[0]];
        print_message("%s: %s\n", dns_outcome_name(rows[i].outcome), cause);
        assert_non_null(strstr(cause, rows[i].has));
        assert_null(strstr(cause, rows[i].lacks1));
        assert_null(strstr(cause, rows[i].lacks2));
    }
    /* Any other failure: every cause, as nothing narrows it. */
    struct evidence ev;
    struct verdict v;
    healthy(&ev);
    set_nxdomain(&ev);
    ev.dns.outcome = DNS_OTHER_FAILURE;
    verdict_decide(&ev, &v);
    size_t idx[ADVICE_LIST_MAX];
    assert_int_equal(advice_order(a, &v, ADVICE_CAUSES, idx), n);
}

/* The MTU sentence says the path MTU when the kernel gave one, and says
 * plainly that it did not otherwise (it once printed "(0 = unknown)"). */
static void mtu_evidence_says_an_unknown_path_mtu_in_words(void **state)
{
    (void)state;
    static const struct {
        int path_mtu;
        const char *has;
    } rows[] = {
        {1500, "used MSS 1460 and path MTU 1500."},
        {0, "used MSS 1460; the kernel reported no path MTU for it."},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct evidence ev;
        struct verdict v;
        healthy(&ev);
        set_mtu(&ev);
        ev.echo.path_mss = 1460;
        ev.echo.path_mtu = rows[i].path_mtu;
        verdict_decide(&ev, &v);
        assert_int_equal(v.code, VERDICT_MTU_BLACKHOLE);
        assert_true(evidence_contains(&v.evidence, rows[i].has));
        assert_false(evidence_contains(&v.evidence, "0 = unknown"));
    }
}

/* A new code without a case would pass silently; this catches it. */
static void every_code_and_finding_has_a_case(void **state)
{
    (void)state;
    bool seen[VERDICT_COUNT] = {false};
    unsigned findings = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cases[i].code != VERDICT_NONE)
            seen[cases[i].code] = true;
        findings |= cases[i].findings;
    }
    for (int code = 0; code < VERDICT_COUNT; code++) {
        print_message("verdict %s\n", verdict_code_name(code));
        assert_true(seen[code]);
    }
    assert_int_equal(findings, (1u << FINDING_COUNT) - 1);
}

/* The words come from advice.c: every code the table can produce has them. */
static void every_code_has_advice(void **state)
{
    (void)state;
    for (int code = 0; code < VERDICT_COUNT; code++) {
        print_message("verdict %s\n", verdict_code_name(code));
        assert_non_null(advice_find(verdict_code_name(code)));
    }
    for (int f = 0; f < FINDING_COUNT; f++) {
        print_message("finding %s\n", finding_code_name(f));
        assert_non_null(advice_find(finding_code_name(f)));
    }
}

static void decide_is_pure(void **state)
{
    (void)state;
    struct evidence ev, copy;
    struct verdict a, b;
    healthy(&ev);
    set_drop_with_vbox_and_icmp(&ev);
    memcpy(&copy, &ev, sizeof ev);
    verdict_decide(&ev, &a);
    verdict_decide(&ev, &b);
    assert_memory_equal(&ev, &copy, sizeof ev);
    assert_memory_equal(&a, &b, sizeof a);
}

/* A relay on the link shows in the virtualbox_nat finding's evidence and
 * adds the relay note to the advice; a kernel NAT with the same addresses
 * (the server's TTLs lowered by routers) gets neither. */
static void relay_is_named_only_where_measured(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        void (*setup)(struct evidence *ev);
        bool behind_relay;
        const char *finding_says; /* in virtualbox_nat's evidence, NULL: nothing on TTLs */
    } rows[] = {
        {"relay: TTL 255 named", set_drop_behind_relay, true,
         "(its echo replies) arrived with TTL 255, which no router lowered"},
        {"no TTL: only suspected", set_drop_vbox_no_ttl, true, NULL},
        {"kernel NAT: routers lowered the TTL", set_routed_ping_loss, false, NULL},
        {"no VirtualBox addresses", set_drop, false, NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct evidence ev;
        struct verdict v;
        healthy(&ev);
        rows[i].setup(&ev);
        verdict_decide(&ev, &v);
        print_message("case \"%s\"\n", rows[i].name);
        assert_int_equal(v.behind_relay, rows[i].behind_relay);
        bool named = false;
        for (size_t k = 0; k < v.finding_count; k++)
            if (v.findings[k] == FINDING_VIRTUALBOX_NAT)
                named = evidence_contains(&v.finding_evidence[k], "which no router lowered");
        assert_int_equal(named, rows[i].finding_says != NULL);
        if (rows[i].finding_says != NULL)
            assert_true(evidence_contains(&v.finding_evidence[0], rows[i].finding_says));
    }
}

/* Unanswered pings behind VirtualBox's addresses may be the host's doing
 * (VirtualBox pings from the host): icmp_blocked says so there only. */
static void icmp_blocked_behind_vbox_names_the_host(void **state)
{
    (void)state;
    for (int vbox = 0; vbox <= 1; vbox++) {
        struct evidence ev;
        struct verdict v;
        healthy(&ev);
        if (vbox)
            set_icmp_blocked_vbox(&ev);
        else
            set_icmp_blocked(&ev);
        verdict_decide(&ev, &v);
        size_t k = v.finding_count - 1; /* icmp_blocked: the last finding here */
        assert_int_equal(v.findings[k], FINDING_ICMP_BLOCKED);
        assert_int_equal(evidence_contains(&v.finding_evidence[k], "sends the pings from the host"),
                         vbox == 1);
    }
}

/* The relay note of filtered_drop says what a REJECT looks like behind the
 * relay and names the check that tells it from a DROP. */
static void relay_note_names_the_check(void **state)
{
    (void)state;
    const struct advice_note *n = advice_relay_note("filtered_drop");
    assert_non_null(n);
    assert_non_null(strstr(n->cause, "REJECT looks exactly like a DROP"));
    assert_non_null(strstr(n->fix, "netprobe --watch {port}"));
    assert_non_null(strstr(n->fix, "bridged VM"));
    assert_null(advice_relay_note("ok"));
    assert_null(advice_relay_note(NULL));
}

struct exit_case {
    enum verdict_code code;
    int status;
};

static void exit_status_follows_the_code(void **state)
{
    (void)state;
    static const struct exit_case exits[] = {
        {VERDICT_OK, 0},   {VERDICT_DNS_FAILURE, 1}, {VERDICT_DATA_CORRUPTION, 1},
        {VERDICT_NONE, 3}, {VERDICT_COUNT, 3},
    };
    for (size_t i = 0; i < sizeof exits / sizeof exits[0]; i++)
        assert_int_equal(verdict_exit_status(exits[i].code), exits[i].status);
    assert_null(verdict_code_name(VERDICT_NONE));
    assert_null(finding_code_name(FINDING_COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_case_gives_its_verdict_and_findings),
        cmocka_unit_test(silent_split_claims_only_what_was_measured),
        cmocka_unit_test(dns_failure_causes_follow_the_resolver_outcome),
        cmocka_unit_test(mtu_evidence_says_an_unknown_path_mtu_in_words),
        cmocka_unit_test(every_code_and_finding_has_a_case),
        cmocka_unit_test(every_code_has_advice),
        cmocka_unit_test(decide_is_pure),
        cmocka_unit_test(exit_status_follows_the_code),
        cmocka_unit_test(relay_is_named_only_where_measured),
        cmocka_unit_test(relay_note_names_the_check),
        cmocka_unit_test(icmp_blocked_behind_vbox_names_the_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
