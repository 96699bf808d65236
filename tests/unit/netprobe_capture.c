/*
 * Unit tests for the capture and --watch bookkeeping: sequences of parsed
 * packets (built by hand as struct pp_packet) and the counts and findings
 * they must give.  The live capture is tested on loopback in
 * tests/integration/netprobe_server_capture.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netprobe/report_modes.h"
#include "netprobe/wire/capture.h"
#include "netprobe/server/watch.h"

#define ME "10.0.0.1"
#define TARGET "203.0.113.5"
#define ROUTER "198.51.100.1"
#define PORT 8888

enum dir {
    OUT,
    IN,
    ICMP_FROM_ROUTER,
    ICMP_FROM_TARGET,
    OTHER_PORT,
    ECHO_FROM_TARGET,
    ECHO_FROM_ROUTER
};

struct pkt {
    enum dir dir;
    uint8_t flags;
    uint32_t seq;
    size_t payload;
    int ttl;
    int mss;
    int window;
};

static void build(const struct pkt *p, struct pp_packet *pk)
{
    memset(pk, 0, sizeof *pk);
    pk->status = PP_OK;
    pk->ip.family = AF_INET;
    pk->ip.ttl = p->ttl;
    bool out = p->dir == OUT || p->dir == OTHER_PORT;
    if (p->dir == ECHO_FROM_TARGET || p->dir == ECHO_FROM_ROUTER) {
        /* An echo reply to the icmp stage's ping, as pp_parse leaves it. */
        pk->ip.proto = 1;
        pk->icmp_type = 0;
        snprintf(pk->ip.src, sizeof pk->ip.src, "%s", p->dir == ECHO_FROM_TARGET ? TARGET : ROUTER);
        snprintf(pk->ip.dst, sizeof pk->ip.dst, ME);
        return;
    }
    snprintf(pk->ip.src, sizeof pk->ip.src, "%s",
             out                          ? ME
             : p->dir == IN               ? TARGET
             : p->dir == ICMP_FROM_ROUTER ? ROUTER
                                          : TARGET);
    snprintf(pk->ip.dst, sizeof pk->ip.dst, "%s", out ? TARGET : ME);
    if (p->dir == ICMP_FROM_ROUTER || p->dir == ICMP_FROM_TARGET) {
        pk->is_icmp_error = true;
        pk->icmp_type = 3;
        pk->icmp_code = p->dir == ICMP_FROM_ROUTER ? 13 : 3;
        pk->icmp_name = p->dir == ICMP_FROM_ROUTER ? "admin-prohibited" : "port-unreach";
        pk->has_quote = pk->quoted_is_tcp = true;
        snprintf(pk->quoted_ip.src, sizeof pk->quoted_ip.src, ME);
        snprintf(pk->quoted_ip.dst, sizeof pk->quoted_ip.dst, TARGET);
        pk->quoted_tcp.sport = 40000;
        pk->quoted_tcp.dport = PORT;
        return;
    }
    pk->is_tcp = true;
    pk->tcp.sport = out ? 40000 : PORT;
    pk->tcp.dport = p->dir == OTHER_PORT ? 22 : out ? PORT : 40000;
    pk->tcp.flags = p->flags;
    pk->tcp.seq = p->seq;
    pk->tcp.payload_len = p->payload;
    pk->tcp.mss = p->mss != 0 ? p->mss : -1;
    pk->tcp.window = p->window;
}

#define SYN PP_TH_SYN
#define SA (PP_TH_SYN | PP_TH_ACK)
#define RA (PP_TH_RST | PP_TH_ACK)
#define PA (PP_TH_PUSH | PP_TH_ACK)
#define A PP_TH_ACK

struct want {
    unsigned packets;
    int syns, syn_retx, synacks, synack_ttl, synack_mss, resets, reset_ttl, icmp, retx, zero_win;
    bool forged;
};

struct seq_case {
    const char *name;
    struct pkt pkts[8];
    size_t n;
    struct want want;
};

static const struct seq_case CASES[] = {
    {"silent drop: the SYN is sent twice",
     {{OUT, SYN, 100, 0, 64, 1460, 64240}, {OUT, SYN, 100, 0, 64, 1460, 64240}},
     2,
     {2, 2, 1, 0, -1, -1, 0, -1, 0, 0, 0, false}},
    {"handshake: SYN-ACK with TTL, MSS",
     {{OUT, SYN, 100, 0, 64, 1460, 64240},
      {IN, SA, 5000, 0, 52, 1380, 62727},
      {OUT, A, 101, 0, 64, 0, 502}},
     3,
     {3, 1, 0, 1, 52, 1380, 0, -1, 0, 0, 0, false}},
    {"reset far nearer than the SYN-ACK is forged",
     {{OUT, SYN, 100, 0, 64, 1460, 64240},
      {IN, SA, 5000, 0, 52, 1380, 62727},
      {IN, RA, 5001, 0, 250, 0, 0}},
     3,
     {3, 1, 0, 1, 52, 1380, 1, 250, 0, 0, 0, true}},
    {"reset from the same distance is genuine",
     {{OUT, SYN, 100, 0, 64, 1460, 64240},
      {IN, SA, 5000, 0, 52, 1380, 62727},
      {IN, RA, 5001, 0, 51, 0, 0}},
     3,
     {3, 1, 0, 1, 52, 1380, 1, 51, 0, 0, 0, false}},
    {"reset with nothing to compare is not called forged",
     {{OUT, SYN, 100, 0, 64, 1460, 64240}, {IN, RA, 0, 0, 250, 0, 0}},
     2,
     {2, 1, 0, 0, -1, -1, 1, 250, 0, 0, 0, false}},
    {"a router's ICMP error is no reference for the host's reset",
     {{OUT, SYN, 100, 0, 64, 1460, 64240},
      {ICMP_FROM_ROUTER, 0, 0, 0, 250, 0, 0},
      {IN, RA, 0, 0, 60, 0, 0}},
     3,
     {3, 1, 0, 0, -1, -1, 1, 60, 1, 0, 0, false}},
    {"the target's own ICMP error is a reference",
     {{OUT, SYN, 100, 0, 64, 1460, 64240},
      {ICMP_FROM_TARGET, 0, 0, 0, 52, 0, 0},
      {IN, RA, 0, 0, 250, 0, 0}},
     3,
     {3, 1, 0, 0, -1, -1, 1, 250, 1, 0, 0, true}},
    {"data sent again is a retransmission; a zero window is counted",
     {{OUT, PA, 101, 5, 64, 0, 502},
      {OUT, PA, 106, 5, 64, 0, 502},
      {OUT, PA, 101, 5, 64, 0, 502},
      {IN, A, 5001, 0, 52, 0, 0}},
     4,
     {4, 0, 0, 0, -1, -1, 0, -1, 0, 1, 1, false}},
    {"another port is not counted",
     {{OTHER_PORT, SYN, 1, 0, 64, 1460, 64240}},
     1,
     {0, 0, 0, 0, -1, -1, 0, -1, 0, 0, 0, false}},
};

static void packet_sequences_give_their_summary(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const struct seq_case *c = &CASES[i];
        const struct want *w = &c->want;
        struct capture_summary s;
        struct pp_packet pk;
        print_message("case %s\n", c->name);
        capture_summary_init(&s);
        for (size_t k = 0; k < c->n; k++) {
            build(&c->pkts[k], &pk);
            capture_account(&s, &pk, TARGET, PORT);
        }
        capture_finish(&s);
        assert_int_equal(s.packets, w->packets);
        assert_int_equal(s.syns_sent, w->syns);
        assert_int_equal(s.syn_retransmits, w->syn_retx);
        assert_int_equal(s.synacks, w->synacks);
        assert_int_equal(s.synack_ttl, w->synack_ttl);
        assert_int_equal(s.synack_mss, w->synack_mss);
        assert_int_equal(s.resets, w->resets);
        assert_int_equal(s.reset_ttl, w->reset_ttl);
        assert_int_equal(s.icmp_errors, w->icmp);
        assert_int_equal(s.retransmits, w->retx);
        assert_int_equal(s.zero_windows, w->zero_win);
        assert_int_equal(s.forged_reset, w->forged);
        if (w->forged)
            assert_non_null(strstr(s.forged_detail, "TTL 250"));
    }
}

static void ttl_mismatch_compares_hops_and_initial_ttl(void **state)
{
    (void)state;
    static const struct {
        int ref, rst;
        bool mismatch;
    } rows[] = {
        {52, 250, true}, /* 12 hops vs a box 5 hops away starting at 255 */
        {52, 51, false}, /* one hop of route change */
        {52, 55, true},  /* 12 vs 9 hops */
        {64, 64, false}, /* loopback */
        {118, 54, true}, /* a Windows host (128) cannot also start at 64 */
        {-1, 64, false}, /* nothing to compare */
        {64, 0, false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_int_equal(capture_ttl_mismatch(rows[i].ref, rows[i].rst), rows[i].mismatch);
}

/* When every SYN is reset there is no SYN-ACK: the target's echo replies
 * (captured) or a TTL from outside (ref_ttl, the icmp stage's) are the
 * reference.  The lab's middlebox-reset: server at TTL 60, reset at 253. */
struct ref_case {
    const char *name;
    struct pkt pkts[4];
    size_t n;
    int ref_ttl; /* set before capture_finish, -1 none */
    bool forged;
    const char *compared_with;
    int echo_replies, echo_ttl;
};

static const struct ref_case REF_CASES[] = {
    {"the target's echo replies expose a reset forged for the SYN",
     {{OUT, SYN, 100, 0, 64, 1460, 64240},
      {ECHO_FROM_TARGET, 0, 0, 0, 60, 0, 0},
      {ECHO_FROM_TARGET, 0, 0, 0, 60, 0, 0},
      {IN, RA, 0, 0, 253, 0, 0}},
     4,
     -1,
     true,
     "echo_reply",
     2,
     60},
    {"a reset at the echo replies' distance is genuine",
     {{OUT, SYN, 100, 0, 64, 1460, 64240},
      {ECHO_FROM_TARGET, 0, 0, 0, 60, 0, 0},
      {IN, RA, 0, 0, 60, 0, 0}},
     3,
     -1,
     false,
     "echo_reply",
     1,
     60},
    {"an outside reference alone exposes the forged reset",
     {{OUT, SYN, 100, 0, 64, 1460, 64240}, {IN, RA, 0, 0, 253, 0, 0}},
     2,
     60,
     true,
     "reference",
     0,
     -1},
    {"an outside reference that fits leaves the reset genuine",
     {{OUT, SYN, 100, 0, 64, 1460, 64240}, {IN, RA, 0, 0, 59, 0, 0}},
     2,
     60,
     false,
     "reference",
     0,
     -1},
    {"the SYN-ACK comes before an outside reference",
     {{OUT, SYN, 100, 0, 64, 1460, 64240},
      {IN, SA, 5000, 0, 52, 1380, 62727},
      {IN, RA, 5001, 0, 51, 0, 0}},
     3,
     60,
     false,
     "synack",
     0,
     -1},
    {"a router's echo reply is no reference",
     {{OUT, SYN, 100, 0, 64, 1460, 64240},
      {ECHO_FROM_ROUTER, 0, 0, 0, 250, 0, 0},
      {IN, RA, 0, 0, 253, 0, 0}},
     3,
     -1,
     false,
     "",
     0,
     -1},
    {"behind VirtualBox's NAT the relay's reset (64) and echo replies (255) are not compared",
     {{OUT, SYN, 100, 0, 64, 1460, 64240},
      {ECHO_FROM_TARGET, 0, 0, 0, 255, 0, 0},
      {IN, RA, 0, 0, 64, 0, 0}},
     3,
     -1,
     false,
     "",
     1,
     255},
    {"an unrouted outside reference is not compared with an unrouted reset",
     {{OUT, SYN, 100, 0, 64, 1460, 64240}, {IN, RA, 0, 0, 64, 0, 0}},
     2,
     255,
     false,
     "",
     0,
     -1},
    {"a reset and echo replies both at 64 (a neighbour, loopback) stay comparable",
     {{OUT, SYN, 100, 0, 64, 1460, 64240},
      {ECHO_FROM_TARGET, 0, 0, 0, 64, 0, 0},
      {IN, RA, 0, 0, 64, 0, 0}},
     3,
     -1,
     false,
     "echo_reply",
     1,
     64},
    {"nothing to compare leaves the reset's origin unconfirmed",
     {{OUT, SYN, 100, 0, 64, 1460, 64240}, {IN, RA, 0, 0, 253, 0, 0}},
     2,
     -1,
     false,
     "",
     0,
     -1},
};

static void reset_ttl_is_compared_with_the_targets_own_ttl(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof REF_CASES / sizeof REF_CASES[0]; i++) {
        const struct ref_case *c = &REF_CASES[i];
        struct capture_summary s;
        struct pp_packet pk;
        print_message("case %s\n", c->name);
        capture_summary_init(&s);
        for (size_t k = 0; k < c->n; k++) {
            build(&c->pkts[k], &pk);
            capture_account(&s, &pk, TARGET, PORT);
        }
        s.ref_ttl = c->ref_ttl;
        capture_finish(&s);
        assert_int_equal(s.forged_reset, c->forged);
        assert_string_equal(s.reset_compared_with, c->compared_with);
        assert_int_equal(s.echo_replies, c->echo_replies);
        assert_int_equal(s.echo_ttl, c->echo_ttl);
        assert_int_equal(s.resets, 1);
        if (c->forged)
            assert_non_null(strstr(s.forged_detail, "TTL 253"));
    }
}

static void reset_reference_is_in_the_json(void **state)
{
    (void)state;
    static const struct pkt pkts[] = {{ECHO_FROM_TARGET, 0, 0, 0, 60, 0, 0},
                                      {IN, RA, 0, 0, 253, 0, 0}};
    struct capture_summary s;
    struct pp_packet pk;
    capture_summary_init(&s);
    for (size_t k = 0; k < 2; k++) {
        build(&pkts[k], &pk);
        capture_account(&s, &pk, TARGET, PORT);
    }
    capture_finish(&s);
    cJSON *j = report_capture_json(&s);
    assert_non_null(j);
    char *text = cJSON_PrintUnformatted(j);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"echo_replies\":1"));
    assert_non_null(strstr(text, "\"echo_ttl\":60"));
    assert_non_null(strstr(text, "\"reset_compared_with\":\"echo_reply\""));
    assert_non_null(strstr(text, "\"forged_reset\":true"));
    cJSON_free(text);
    cJSON_Delete(j);
    capture_summary_init(&s); /* nothing compared: null */
    j = report_capture_json(&s);
    assert_non_null(j);
    text = cJSON_PrintUnformatted(j);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"reset_compared_with\":null"));
    cJSON_free(text);
    cJSON_Delete(j);
}

static void skipped_capture_serialises_its_reason(void **state)
{
    (void)state;
    struct capture_summary s;
    capture_summary_init(&s);
    snprintf(s.skip_reason, sizeof s.skip_reason, "capturing packets needs root or CAP_NET_RAW");
    cJSON *j = report_capture_json(&s);
    assert_non_null(j);
    char *text = cJSON_PrintUnformatted(j);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"ran\":false"));
    assert_non_null(
        strstr(text, "\"skip_reason\":\"capturing packets needs root or CAP_NET_RAW\""));
    assert_non_null(strstr(text, "\"synack_ttl\":null"));
    cJSON_free(text);
    cJSON_Delete(j);
}

/* --watch on the server: packets from the server's point of view. */
static void watch_counts_per_source_and_names_the_outcome(void **state)
{
    (void)state;
    static const struct {
        const char *src, *dst;
        int sport, dport;
        uint8_t flags;
        size_t payload;
    } pkts[] = {
        {"198.51.100.20", "172.31.5.10", 50000, PORT, SYN, 0}, /* answered */
        {"172.31.5.10", "198.51.100.20", PORT, 50000, SA, 0},
        {"198.51.100.20", "172.31.5.10", 50000, PORT, PA, 12},
        {"198.51.100.30", "172.31.5.10", 50001, PORT, SYN, 0}, /* refused */
        {"172.31.5.10", "198.51.100.30", PORT, 50001, RA, 0},
        {"198.51.100.40", "172.31.5.10", 50002, PORT, SYN, 0}, /* dropped on the host */
        {"198.51.100.40", "172.31.5.10", 50002, PORT, SYN, 0},
        {"198.51.100.50", "172.31.5.10", 50003, 22, SYN, 0}, /* another port */
    };
    static const struct {
        const char *addr, *outcome;
        int syns;
    } want[] = {
        {"198.51.100.20", "answered", 1},
        {"198.51.100.30", "refused", 1},
        {"198.51.100.40", "reached_not_answered", 2},
    };
    struct watch_table t;
    watch_table_init(&t, PORT);
    for (size_t i = 0; i < sizeof pkts / sizeof pkts[0]; i++) {
        struct pp_packet pk;
        memset(&pk, 0, sizeof pk);
        pk.is_tcp = true;
        snprintf(pk.ip.src, sizeof pk.ip.src, "%s", pkts[i].src);
        snprintf(pk.ip.dst, sizeof pk.ip.dst, "%s", pkts[i].dst);
        pk.tcp.sport = pkts[i].sport;
        pk.tcp.dport = pkts[i].dport;
        pk.tcp.flags = pkts[i].flags;
        pk.tcp.payload_len = pkts[i].payload;
        watch_account(&t, &pk);
    }
    assert_int_equal(t.count, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(t.sources[i].address, want[i].addr);
        assert_int_equal(t.sources[i].syns, want[i].syns);
        assert_string_equal(watch_outcome(&t.sources[i]), want[i].outcome);
    }
    assert_int_equal(t.sources[0].bytes_received, 12);
    assert_string_equal(watch_outcome(NULL), "never_reached");
}

static void watch_with_no_packets_says_never_reached(void **state)
{
    (void)state;
    struct watch_table t;
    struct watch_opts o = {.port = PORT, .duration_s = 30};
    watch_table_init(&t, PORT);
    cJSON *j = report_watch_json(&t, &o, false);
    assert_non_null(j);
    char *text = cJSON_PrintUnformatted(j);
    assert_non_null(text);
    assert_non_null(strstr(text, "never reached this machine"));
    assert_non_null(strstr(text, "security group"));
    cJSON_free(text);
    cJSON_Delete(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(packet_sequences_give_their_summary),
        cmocka_unit_test(ttl_mismatch_compares_hops_and_initial_ttl),
        cmocka_unit_test(reset_ttl_is_compared_with_the_targets_own_ttl),
        cmocka_unit_test(reset_reference_is_in_the_json),
        cmocka_unit_test(skipped_capture_serialises_its_reason),
        cmocka_unit_test(watch_counts_per_source_and_names_the_outcome),
        cmocka_unit_test(watch_with_no_packets_says_never_reached),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
