/*
 * Unit tests for netprobe/relay.c (is the target's side answered by a
 * relay on this machine's link, as behind VirtualBox's NAT?) and for
 * --trace's reading of a TTL-1 answer (trace_mark_relay).  The TTLs are the
 * ones the fault lab measured: the server's packets reach the kernel-NAT VM
 * with 60, libslirp's TCP packets reach the slirp VM with 64 and its echo
 * replies with 255.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netprobe/relay.h"
#include "netprobe/wire/trace.h"
#include "tests/support/netprobe_fixture.h"

/* A VM with VirtualBox's NAT addresses: 10.0.2.15/24, gateway 10.0.2.2. */
static void vbox(struct evidence *ev)
{
    ev->local.virtualbox_nat = true;
    struct ev_iface *i = &ev->local.ifaces[ev->local.iface_count++];
    snprintf(i->name, sizeof i->name, "eth0");
    snprintf(i->address, sizeof i->address, "10.0.2.15");
    i->prefix_len = 24;
    snprintf(ev->local.gateway, sizeof ev->local.gateway, "10.0.2.2");
}

struct judge_case {
    const char *name;
    bool vbox;
    int echo_ttl;      /* the icmp stage's echo reply TTL, 0 none */
    int synack_ttl;    /* captured, 0 no capture */
    int reset_ttl;     /* captured, 0 none */
    int trace_hop;     /* --trace: last hop that answered, 0 none, -1 no trace */
    bool relay_answer; /* --trace: TRACE_RELAYED at hop 1 */
    const char *target;
    enum relay_seen want;
    int want_ttl; /* relay_unrouted_ttl() */
};

static const struct judge_case judge_cases[] = {
    {"slirp: echo replies with 255", true, 255, 0, 0, -1, false, "203.0.113.10", RELAY_MEASURED,
     255},
    {"slirp, no ping: the captured SYN-ACK with 64", true, 0, 64, 0, -1, false, "203.0.113.10",
     RELAY_MEASURED, 64},
    {"slirp, no ping: the captured reset with 64", true, 0, 0, 64, -1, false, "203.0.113.10",
     RELAY_MEASURED, 64},
    {"slirp, nothing but --trace's answer at hop 1", true, 0, 0, 0, 0, true, "203.0.113.10",
     RELAY_MEASURED, 0},
    {"kernel NAT: echo replies with 60", true, 60, 0, 0, -1, false, "203.0.113.10", RELAY_NOT_SEEN,
     0},
    {"kernel NAT, no ping: a SYN-ACK with 60", true, 0, 60, 0, -1, false, "203.0.113.10",
     RELAY_NOT_SEEN, 0},
    {"kernel NAT, no ping: routers answered --trace", true, 0, 0, 0, 4, false, "203.0.113.10",
     RELAY_NOT_SEEN, 0},
    {"VirtualBox addresses and no TTL at all", true, 0, 0, 0, -1, false, "203.0.113.10",
     RELAY_SUSPECTED, 0},
    {"VirtualBox addresses, --trace silent from hop 1", true, 0, 0, 0, 0, false, "203.0.113.10",
     RELAY_SUSPECTED, 0},
    {"a target on the VM's own link: TTL 64 is no relay", true, 64, 0, 0, -1, false, "10.0.2.3",
     RELAY_SUSPECTED, 0},
    {"no VirtualBox addresses: never a relay", false, 255, 64, 0, -1, false, "203.0.113.10",
     RELAY_NOT_SEEN, 255},
};

static void relay_is_judged_from_ttls(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof judge_cases / sizeof judge_cases[0]; i++) {
        const struct judge_case *c = &judge_cases[i];
        struct evidence ev;
        healthy(&ev);
        snprintf(ev.tcp.attempts[0].target.address, ADDR_TEXT_MAX, "%s", c->target);
        if (c->vbox)
            vbox(&ev);
        ev.icmp.reply_ttl = c->echo_ttl;
        ev.capture.run = c->synack_ttl > 0 || c->reset_ttl > 0;
        ev.capture.synack_ttl = c->synack_ttl;
        ev.capture.reset_ttl = c->reset_ttl;
        ev.trace.run = c->trace_hop >= 0;
        ev.trace.last_answer_hop = c->trace_hop > 0 ? c->trace_hop : 0;
        ev.trace.relay_answered = c->relay_answer;
        print_message("case \"%s\"\n", c->name);
        assert_int_equal(relay_judge(&ev), c->want);
        assert_int_equal(relay_unrouted_ttl(&ev), c->want_ttl);
        assert_int_equal(relay_unrouted_what(&ev) != NULL, c->want_ttl > 0);
    }
}

static void unrouted_ttls_are_the_initial_values(void **state)
{
    (void)state;
    static const struct {
        int ttl;
        bool unrouted;
    } rows[] = {{64, true},  {255, true},  {128, true}, {32, true}, {63, false},
                {60, false}, {253, false}, {0, false},  {-1, false}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_int_equal(relay_ttl_unrouted(rows[i].ttl), rows[i].unrouted);
}

static void on_link_follows_the_interface_prefixes(void **state)
{
    (void)state;
    struct evidence ev;
    healthy(&ev);
    vbox(&ev);
    struct ev_iface *v6 = &ev.local.ifaces[ev.local.iface_count++];
    snprintf(v6->address, sizeof v6->address, "2001:db8:1::50");
    v6->prefix_len = 64;
    static const struct {
        const char *target;
        bool on_link;
    } rows[] = {
        {"10.0.2.3", true},        {"10.0.2.255", true},
        {"10.0.3.1", false},       {"203.0.113.10", false},
        {"2001:db8:1::1", true},   {"2001:db8:ec2::9", false},
        {"not an address", false}, {"", false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        print_message("target %s\n", rows[i].target);
        assert_int_equal(relay_target_on_link(&ev, rows[i].target), rows[i].on_link);
    }
    /* An interface whose prefix is unknown (0) puts nothing on the link. */
    ev.local.ifaces[0].prefix_len = 0;
    assert_false(relay_target_on_link(&ev, "10.0.2.3"));
}

/* --trace: a handshake answer to TTL 1 from a target off the link is the
 * relay's; anything else keeps its kind. */
static void trace_calls_a_ttl1_answer_off_link_the_relays(void **state)
{
    (void)state;
    static const struct {
        int ttl;
        enum trace_kind kind;
        bool off_link;
        enum trace_kind want;
    } rows[] = {
        {1, TRACE_REACHED_OPEN, true, TRACE_RELAYED},
        {1, TRACE_REACHED_CLOSED, true, TRACE_RELAYED},
        {1, TRACE_REACHED_OPEN, false, TRACE_REACHED_OPEN},
        {2, TRACE_REACHED_OPEN, true, TRACE_REACHED_OPEN},
        {1, TRACE_TIME_EXCEEDED, true, TRACE_TIME_EXCEEDED},
        {1, TRACE_SILENT, true, TRACE_SILENT},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct trace_hop h;
        memset(&h, 0, sizeof h);
        h.ttl = rows[i].ttl;
        h.kind = rows[i].kind;
        snprintf(h.from, sizeof h.from, "203.0.113.10");
        trace_mark_relay(&h, rows[i].off_link);
        print_message("row %zu\n", i);
        assert_int_equal(h.kind, rows[i].want);
        assert_int_equal(h.from[0] == '\0', rows[i].want == TRACE_RELAYED);
    }
    assert_string_equal(trace_kind_name(TRACE_RELAYED), "relay");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(relay_is_judged_from_ttls),
        cmocka_unit_test(unrouted_ttls_are_the_initial_values),
        cmocka_unit_test(on_link_follows_the_interface_prefixes),
        cmocka_unit_test(trace_calls_a_ttl1_answer_off_link_the_relays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
