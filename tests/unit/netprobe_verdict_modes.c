/*
 * Unit tests for what --trace and --capture add to the verdict: --trace orders
 * filtered_drop's causes by where silence starts, --capture confirms (or
 * not) the verdict, and advice text names the host the student typed.
 * Evidence is built by hand; nothing touches the network.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netprobe/corroborate.h"
#include "netprobe/advice.h"
#include "netprobe/verdict.h"
#include "tests/support/netprobe_fixture.h"

static void traced(struct evidence *ev, int last_hop, const char *from, int guess)
{
    ev->trace.run = true;
    snprintf(ev->trace.target, sizeof ev->trace.target, "203.0.113.10");
    ev->trace.last_answer_hop = last_hop;
    snprintf(ev->trace.last_answer_from, sizeof ev->trace.last_answer_from, "%s", from);
    ev->trace.target_hops_guess = guess;
}

/* The first cause as the report and the output show it. */
static const char *first_cause(const struct verdict *v)
{
    const struct advice *a = advice_find(verdict_code_name(v->code));
    size_t idx[ADVICE_LIST_MAX];
    assert_true(advice_order(a, v, ADVICE_CAUSES, idx) > 0);
    return a->causes[idx[0]];
}

static bool evidence_has(const struct verdict_evidence *e, const char *word)
{
    for (size_t i = 0; i < e->count; i++)
        if (strstr(e->lines[i], word) != NULL)
            return true;
    return false;
}

struct trace_case {
    const char *name;
    int last_hop;
    const char *from;
    int guess;            /* target_hops_guess (a TTL --capture saw) */
    bool firewall_first;  /* "a firewall on the way" moves first */
    const char *evidence; /* in the verdict's evidence */
    int reply_ttl;        /* the icmp stage's echo reply TTL, 0 unknown */
    const char *basis;    /* the sentence naming the rule used, NULL: none */
};

#define BY_ADDRESS "guessed from the addresses"
#define BY_CAPTURE "from a TTL the capture saw"

/* The lab's topology: 10.0.2.2 (VirtualBox NAT), 192.168.1.1 (home
 * router), 198.51.100.17 (internet), 203.0.113.2 (cloud edge), then the
 * server behind 203.0.113.10. */
static const struct trace_case trace_cases[] = {
    /* No TTL from the target: the /24 fallback. */
    {"without a TTL, silence after a hop on the server's /24 keeps the security group first", 4,
     "203.0.113.2", 0, false, "hop 4 (203.0.113.2)", 0, BY_ADDRESS},
    {"without a TTL, silence after an internet router puts the path firewall first", 3,
     "198.51.100.17", 0, true, "hop 3 (198.51.100.17)", 0, BY_ADDRESS},
    {"without a TTL, silence inside the own network puts the path firewall first", 2, "192.168.1.1",
     0, true, "inside your own network", 0, BY_ADDRESS},
    {"no hop answered keeps the table order", 0, "", 0, false, "no hop answered", 0, NULL},
    /* The echo reply's TTL 60 (64 - 4) puts the lab's server at hop 5. */
    {"echo TTL: the edge hop right before the server keeps the security group first", 4,
     "203.0.113.2", 0, false, "just before the server", 60, "arrived with TTL 60"},
    {"echo TTL: silence two hops short of the server puts the path firewall first", 3,
     "198.51.100.17", 0, true, "hop 3 (198.51.100.17)", 60, "earlier on the way"},
    {"echo TTL beats the /24 guess: a hop on the server's /24 but two hops short", 3, "203.0.113.2",
     0, true, "on the way", 60, "arrived with TTL 60"},
    {"echo TTL beats the /24 guess: an edge on another network right before the server", 4,
     "52.95.1.1", 0, false, "just before the server", 60, "the one right before it"},
    {"echo TTL from a Windows-like host (128 - 8) puts it at hop 9", 8, "198.51.100.17", 0, false,
     "just before the server", 120, "the server is hop 9"},
    {"echo TTL: silence at a private hop says the own network", 2, "192.168.1.1", 0, true,
     "inside your own network", 60, "arrived with TTL 60"},
    {"echo TTL beats a capture's guess", 4, "203.0.113.2", 10, false, "just before the server", 60,
     "arrived with TTL 60"},
    /* A TTL --capture saw (main.c's target_hops_guess) when no echo came. */
    {"capture TTL: the last hop is just before the target", 9, "198.51.100.17", 10, false,
     "just before the server", 0, BY_CAPTURE},
    {"capture TTL: silence starts earlier", 3, "203.0.113.2", 10, true, "on the way", 0,
     BY_CAPTURE},
};

static void trace_orders_filtered_drop_causes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof trace_cases / sizeof trace_cases[0]; i++) {
        const struct trace_case *c = &trace_cases[i];
        struct evidence ev;
        struct verdict v;
        dropped(&ev);
        traced(&ev, c->last_hop, c->from, c->guess);
        ev.icmp.reply_ttl = c->reply_ttl;
        verdict_decide(&ev, &v);
        corroborate(&ev, &v);
        print_message("case \"%s\": first cause \"%s\"\n", c->name, first_cause(&v));
        assert_int_equal(v.code, VERDICT_FILTERED_DROP);
        assert_non_null(
            strstr(first_cause(&v), c->firewall_first ? "firewall on the way" : "security group"));
        assert_true(evidence_has(&v.evidence, c->evidence));
        if (c->basis != NULL)
            assert_true(evidence_has(&v.evidence, c->basis));
        else
            assert_false(evidence_has(&v.evidence, BY_ADDRESS));
    }
}

/* The hop number convention: initial TTL (64, 128, 255) - received + 1. */
static void ttl_gives_the_hop_number_of_its_sender(void **state)
{
    (void)state;
    static const struct {
        int ttl, hops;
    } rows[] = {
        {64, 1},                                  /* a neighbour: its packets arrive untouched */
        {60, 5},                                  /* the lab's server: 64, four routers */
        {1, 64},  {65, 64},                       /* just above 64: a 128 host 64 hops away */
        {128, 1}, {120, 9}, {129, 127}, {253, 3}, /* the lab's internet router */
        {255, 1}, {0, 0},   {-1, 0},    {256, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        print_message("ttl %d -> hop %d\n", rows[i].ttl, rows[i].hops);
        assert_int_equal(verdict_hops_from_ttl(rows[i].ttl), rows[i].hops);
    }
}

static void without_trace_the_security_group_comes_first(void **state)
{
    (void)state;
    struct evidence ev;
    struct verdict v;
    dropped(&ev);
    verdict_decide(&ev, &v);
    corroborate(&ev, &v);
    assert_int_equal(v.lead, CAUSE_ANY);
    assert_non_null(strstr(first_cause(&v), "security group"));
}

/* The kind --trace leads with must tag the right sentence. */
static void path_kind_names_the_firewall_on_the_way(void **state)
{
    (void)state;
    const struct advice *a = advice_find("filtered_drop");
    size_t found = 0;
    for (size_t i = 0; a->causes[i] != NULL; i++)
        if (a->cause_kinds[i] == CAUSE_PATH) {
            assert_non_null(strstr(a->causes[i], "firewall on the way"));
            found++;
        }
    assert_int_equal(found, 1);
}

/* filtered_drop's table: causes EDGE EDGE PATH HOST HOST PRIV, fix steps
 * EDGE EDGE HOST HOST EDGE PATH ANY PRIV. */
static void lead_moves_its_causes_and_their_fix_steps_first(void **state)
{
    (void)state;
    const struct advice *a = advice_find("filtered_drop");
    struct verdict v = {.lead = CAUSE_PATH, .ruled_out = 1u << CAUSE_PRIVATE_TARGET};
    static const size_t want_causes[] = {2, 0, 1, 3, 4};
    static const size_t want_fix[] = {5, 0, 1, 4, 2, 3, 6};
    size_t idx[ADVICE_LIST_MAX];
    assert_int_equal(advice_order(a, &v, ADVICE_CAUSES, idx), 5);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(idx[i], want_causes[i]);
    assert_int_equal(advice_order(a, &v, ADVICE_FIX, idx), 7);
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(idx[i], want_fix[i]);
    /* No verdict: the table's order, everything. */
    assert_int_equal(advice_order(a, NULL, ADVICE_FIX, idx), 8);
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(idx[i], i);
}

/* ---- --trace behind VirtualBox's NAT -------------------------------------- */

/* VirtualBox's NAT addresses on the fixture's evidence. */
static void vbox_addresses(struct evidence *ev)
{
    ev->local.virtualbox_nat = true;
    snprintf(ev->local.source_address, ADDR_TEXT_MAX, "10.0.2.15");
    snprintf(ev->local.gateway, ADDR_TEXT_MAX, "10.0.2.2");
}

struct relay_trace_case {
    const char *name;
    bool drop;          /* filtered_drop, else the healthy run */
    int reply_ttl;      /* echo reply TTL, 0 none */
    int last_hop;       /* trace's last answering hop */
    bool relay_answer;  /* trace: TRACE_RELAYED at hop 1 */
    const char *says;   /* in the verdict's evidence */
    const char *denies; /* never in it, NULL: no check */
};

static const struct relay_trace_case relay_trace_cases[] = {
    {"slirp, healthy: the TTL-1 answer is the relay's", false, 255, 0, true,
     "VirtualBox's NAT answered for it", "reached"},
    {"slirp, dropped: nothing answers, not even hop 1, and why", true, 255, 0, false,
     "not even hop 1: VirtualBox's NAT does not carry", "it cannot tell where"},
    {"VirtualBox addresses, no TTL: the same reason", true, 0, 0, false, "not even hop 1",
     "it cannot tell where"},
    {"kernel NAT: silent from hop 1 keeps the plain sentence", true, 60, 0, false,
     "no hop answered; it cannot tell where", "VirtualBox"},
    {"kernel NAT: routers answered, silence placed as before", true, 60, 4, false,
     "just before the server", "VirtualBox"},
};

static void trace_behind_a_relay_says_why_no_hop_shows(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof relay_trace_cases / sizeof relay_trace_cases[0]; i++) {
        const struct relay_trace_case *c = &relay_trace_cases[i];
        struct evidence ev;
        struct verdict v;
        if (c->drop)
            dropped(&ev);
        else
            healthy(&ev);
        vbox_addresses(&ev);
        traced(&ev, c->last_hop, c->last_hop > 0 ? "203.0.113.2" : "", 0);
        ev.trace.relay_answered = c->relay_answer;
        ev.icmp.reply_ttl = c->reply_ttl;
        verdict_decide(&ev, &v);
        corroborate(&ev, &v);
        print_message("case \"%s\"\n", c->name);
        assert_int_equal(v.code, c->drop ? VERDICT_FILTERED_DROP : VERDICT_OK);
        assert_true(evidence_has(&v.evidence, c->says));
        if (c->denies != NULL)
            assert_false(evidence_has(&v.evidence, c->denies));
        /* The relay's TTL never places the silence. */
        if (c->drop)
            assert_non_null(strstr(first_cause(&v), "security group"));
    }
}

/* cause_mask keeps only its causes, in the order cause_named gives
 * (dns_failure's four causes, all of one kind). */
static void cause_mask_keeps_only_the_causes_that_fit(void **state)
{
    (void)state;
    static const struct {
        unsigned named; /* 1 + index, 0 none */
        unsigned mask;
        size_t count;
        size_t want[4];
    } rows[] = {
        {0, 0, 4, {0, 1, 2, 3}}, /* no mask: all, table order */
        {0, 1u << 1, 1, {1}},    /* one cause */
        {0, 1u << 3 | 1u << 0, 2, {0, 3}},
        {4, 1u << 3 | 1u << 0, 2, {3, 0}}, /* the named cause still leads */
        {0, 1u << 9, 4, {0, 1, 2, 3}},     /* nothing of the list: all */
    };
    const struct advice *a = advice_find("dns_failure");
    assert_non_null(a);
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        struct verdict v = {.code = VERDICT_DNS_FAILURE,
                            .cause_named = rows[r].named,
                            .cause_mask = rows[r].mask};
        size_t idx[ADVICE_LIST_MAX];
        assert_int_equal(advice_order(a, &v, ADVICE_CAUSES, idx), rows[r].count);
        for (size_t i = 0; i < rows[r].count; i++)
            assert_int_equal(idx[i], rows[r].want[i]);
    }
}

/* ---- --capture ------------------------------------------------------------ */

struct capture_case {
    const char *name;
    enum tcp_state state;
    const char *reason;
    struct ev_capture cap;
    enum verdict_code code;
    enum verdict_capture want;
};

static const struct capture_case capture_cases[] = {
    {"retransmitted SYNs with no answer confirm a drop",
     TCP_STATE_FILTERED,
     "no-response",
     {.run = true, .syns_sent = 2, .syn_retransmits = 1, .synack_mss = -1},
     VERDICT_FILTERED_DROP,
     CAPTURE_CONFIRMED},
    {"a SYN-ACK on the wire contradicts a drop",
     TCP_STATE_FILTERED,
     "no-response",
     {.run = true, .syns_sent = 2, .syn_retransmits = 1, .synacks = 1, .synack_mss = 1460},
     VERDICT_FILTERED_DROP,
     CAPTURE_NOT_CONFIRMED},
    {"a reset whose TTL fits the server's confirms refused",
     TCP_STATE_CLOSED,
     "reset",
     {.run = true, .syns_sent = 1, .resets = 1, .synack_mss = -1, .reset_compared = true},
     VERDICT_REFUSED,
     CAPTURE_CONFIRMED},
    {"a reset with no TTL of the server to compare leaves refused unconfirmed",
     TCP_STATE_CLOSED,
     "reset",
     {.run = true, .syns_sent = 1, .resets = 1, .synack_mss = -1},
     VERDICT_REFUSED,
     CAPTURE_NOT_CONFIRMED},
    {"a forged reset does not confirm refused",
     TCP_STATE_CLOSED,
     "reset",
     {.run = true,
      .syns_sent = 1,
      .resets = 1,
      .synack_mss = -1,
      .reset_compared = true,
      .forged_reset = true},
     VERDICT_REFUSED,
     CAPTURE_NOT_CONFIRMED},
    {"an ICMP error on the wire confirms rejected",
     TCP_STATE_FILTERED,
     "admin-prohibited",
     {.run = true, .syns_sent = 1, .icmp_errors = 1, .synack_mss = -1},
     VERDICT_REJECTED,
     CAPTURE_CONFIRMED},
    {"no capture, nothing claimed",
     TCP_STATE_CLOSED,
     "reset",
     {.run = false},
     VERDICT_REFUSED,
     CAPTURE_NOT_CHECKED},
};

static void capture_confirms_only_what_the_packets_show(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof capture_cases / sizeof capture_cases[0]; i++) {
        const struct capture_case *c = &capture_cases[i];
        struct evidence ev;
        struct verdict v;
        dropped(&ev);
        ev.tcp.attempts[0].state = c->state;
        snprintf(ev.tcp.attempts[0].reason, sizeof ev.tcp.attempts[0].reason, "%s", c->reason);
        ev.capture = c->cap;
        verdict_decide(&ev, &v);
        corroborate(&ev, &v);
        print_message("case \"%s\"\n", c->name);
        assert_int_equal(v.code, c->code);
        assert_int_equal(v.capture, c->want);
        assert_int_equal(v.capture_evidence.count > 0, c->want != CAPTURE_NOT_CHECKED);
        /* A headline the capture does not back is qualified. */
        assert_int_equal(v.qualifier != NULL, c->want == CAPTURE_NOT_CONFIRMED);
    }
}

/* Behind VirtualBox's NAT the captured SYN-ACK and reset are the relay's:
 * the capture evidence says so instead of calling the reset's origin merely
 * unconfirmed, and a reset is never confirmed as the server's. */
static void capture_behind_a_relay_names_the_relays_packets(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        bool refused;
        struct ev_capture cap;
        const char *says;
        enum verdict_capture want;
    } rows[] = {
        {"healthy: the SYN-ACK with 64 is VirtualBox's",
         false,
         {.run = true,
          .syns_sent = 1,
          .synacks = 1,
          .synack_ttl = 64,
          .synack_mss = 1460,
          .reset_ttl = -1},
         "its TTL, MSS and window are VirtualBox's",
         CAPTURE_CONFIRMED},
        {"refused: the reset with 64 is VirtualBox's",
         true,
         {.run = true,
          .syns_sent = 1,
          .resets = 1,
          .synack_ttl = -1,
          .synack_mss = -1,
          .reset_ttl = 64},
         "cannot be told from here",
         CAPTURE_NOT_CONFIRMED},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct evidence ev;
        struct verdict v;
        healthy(&ev);
        if (rows[i].refused)
            fail_tcp(&ev, TCP_STATE_CLOSED, "reset");
        vbox_addresses(&ev);
        ev.icmp.reply_ttl = 255;
        ev.capture = rows[i].cap;
        verdict_decide(&ev, &v);
        corroborate(&ev, &v);
        print_message("case \"%s\"\n", rows[i].name);
        assert_int_equal(v.capture, rows[i].want);
        assert_true(evidence_has(&v.capture_evidence, rows[i].says));
        assert_false(evidence_has(&v.capture_evidence, "no TTL from the server"));
    }
}

/* An MSS smaller than our MTU implies, or data sent twice, supports the
 * MTU black hole. */
static void capture_supports_mtu_blackhole_by_mss_or_retransmissions(void **state)
{
    (void)state;
    struct evidence ev;
    struct verdict v;
    evidence_init(&ev, "203.0.113.10", 8888);
    ev.local.source_mtu = 1500;
    ev.tcp.attempt_count = 1;
    ev.tcp.chosen = 0;
    ev.tcp.attempts[0].state = TCP_STATE_OPEN;
    ev.app.outcome = APP_CHATD;
    ev.echo.size_count = 2;
    ev.echo.sizes[0] = (struct ev_echo_size){.size = 16, .outcome = ECHO_OK};
    ev.echo.sizes[1] = (struct ev_echo_size){.size = 4096, .outcome = ECHO_STALLED};
    ev.echo.mss_retry_run = true;
    ev.echo.mss_retry_mss = 1200;
    ev.echo.mss_retry_outcome = ECHO_OK;
    ev.capture = (struct ev_capture){.run = true, .syns_sent = 2, .synacks = 2, .synack_mss = 1460};
    verdict_decide(&ev, &v);
    corroborate(&ev, &v);
    assert_int_equal(v.code, VERDICT_MTU_BLACKHOLE);
    assert_int_equal(v.capture, CAPTURE_NOT_CONFIRMED);
    ev.capture.synack_mss = 1240;
    verdict_decide(&ev, &v);
    corroborate(&ev, &v);
    assert_int_equal(v.capture, CAPTURE_CONFIRMED);
    ev.capture.synack_mss = 1460;
    ev.capture.retransmits = 3;
    verdict_decide(&ev, &v);
    corroborate(&ev, &v);
    assert_int_equal(v.capture, CAPTURE_CONFIRMED);
}

/* ---- {host} --------------------------------------------------------------- */

static void ok_advice_names_the_host_typed(void **state)
{
    (void)state;
    const struct advice *a = advice_find("ok");
    char line[256];
    advice_render_target(a->fix[0], "chat.example.org", 8888, line, sizeof line);
    assert_non_null(strstr(line, "chat chat.example.org 8888"));
    assert_null(strstr(line, "HOST"));
    advice_render(a->fix[0], 8888, line, sizeof line);
    assert_non_null(strstr(line, "chat HOST 8888"));
}

static void host_substitution_truncates_safely(void **state)
{
    (void)state;
    char small[12];
    advice_render_target("chat {host} {port}", "a-very-long-host-name", 8888, small, sizeof small);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_string_equal(small, "chat a-very");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(trace_orders_filtered_drop_causes),
        cmocka_unit_test(ttl_gives_the_hop_number_of_its_sender),
        cmocka_unit_test(without_trace_the_security_group_comes_first),
        cmocka_unit_test(path_kind_names_the_firewall_on_the_way),
        cmocka_unit_test(lead_moves_its_causes_and_their_fix_steps_first),
        cmocka_unit_test(cause_mask_keeps_only_the_causes_that_fit),
        cmocka_unit_test(capture_confirms_only_what_the_packets_show),
        cmocka_unit_test(capture_behind_a_relay_names_the_relays_packets),
        cmocka_unit_test(trace_behind_a_relay_says_why_no_hop_shows),
        cmocka_unit_test(capture_supports_mtu_blackhole_by_mss_or_retransmissions),
        cmocka_unit_test(ok_advice_names_the_host_typed),
        cmocka_unit_test(host_substitution_truncates_safely),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
