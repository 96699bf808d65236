/*
 * Golden tests for netprobe/pcap_parse.c.
 *
 * Each row is a hand-built packet (hex, as tcpdump -xx prints it) and the
 * fields the parser must find.  The test writes every packet into a pcap
 * file with pcap_open_dead() + pcap_dump(), reads it back with
 * pcap_open_offline() and parses what libpcap returns, so the link-type
 * mapping of real capture files is covered too.  Truncated rows keep only
 * the first `cut` bytes, as a short snaplen would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netprobe/wire/pcap_parse.h"
#include "common_guard.h"

#define ETH "02 00 00 00 00 02 02 00 00 00 00 01 08 00 "
#define SLL2_V4 "08 00 00 00 00 00 00 02 00 01 00 06 02 00 00 00 00 01 00 00 "
#define SLL_V6 "00 00 00 01 00 06 02 00 00 00 00 01 00 00 86 dd "

/* 10.0.0.1 port 40000 -> 203.0.113.5 port 8888, SYN, seq 100, MSS 1460. */
#define IP4_SYN                                                                                    \
    "45 00 00 2c 00 01 40 00 40 06 00 00 0a 00 00 01 cb 00 71 05 "                                 \
    "9c 40 22 b8 00 00 00 64 00 00 00 00 60 02 fa f0 00 00 00 00 02 04 05 b4 "
/* The answer: SYN-ACK, TTL 52, MSS 1380, window 62727. */
#define IP4_SYNACK                                                                                 \
    "45 00 00 2c 00 00 40 00 34 06 00 00 cb 00 71 05 0a 00 00 01 "                                 \
    "22 b8 9c 40 00 00 13 88 00 00 00 65 60 12 f5 07 00 00 00 00 02 04 05 64 "
/* A reset with TTL 250: no SYN-ACK ever came from that far. */
#define IP4_RST                                                                                    \
    "45 00 00 28 00 00 00 00 fa 06 00 00 cb 00 71 05 0a 00 00 01 "                                 \
    "22 b8 9c 40 00 00 00 00 00 00 00 65 50 14 00 00 00 00 00 00 "
/* 198.51.100.1 says admin-prohibited, quoting the SYN's IP header and
 * the first 8 bytes of its TCP header (RFC 792 minimum). */
#define IP4_ICMP_ADMIN                                                                             \
    "45 00 00 38 00 00 00 00 fa 01 00 00 c6 33 64 01 0a 00 00 01 "                                 \
    "03 0d 00 00 00 00 00 00 "                                                                     \
    "45 00 00 2c 00 01 40 00 3f 06 00 00 0a 00 00 01 cb 00 71 05 "                                 \
    "9c 40 22 b8 00 00 00 64 "
/* "hello" with PSH+ACK; Ethernet pads the frame by one byte. */
#define IP4_DATA                                                                                   \
    "45 00 00 2d 00 02 40 00 40 06 00 00 0a 00 00 01 cb 00 71 05 "                                 \
    "9c 40 22 b8 00 00 00 65 00 00 13 89 50 18 01 f6 00 00 00 00 68 65 6c 6c 6f 00"
#define V6_SRC "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 "
#define V6_DST "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 05 "
#define V6_RTR "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 ff "
/* 2001:db8::1 port 40001 -> 2001:db8::5 port 8888, SYN, hop limit 64, MSS 1440. */
#define IP6_SYN                                                                                    \
    "60 00 00 00 00 18 06 40 " V6_SRC V6_DST                                                       \
    "9c 41 22 b8 00 00 00 01 00 00 00 00 60 02 fd 20 00 00 00 00 02 04 05 a0 "
/* 2001:db8::ff answers type 1 code 1 (admin-prohibited), quoting all of it. */
#define IP6_ICMP_ADMIN "60 00 00 00 00 48 3a 3c " V6_RTR V6_SRC "01 01 00 00 00 00 00 00 " IP6_SYN

struct expect {
    enum pp_status status;
    const char *error; /* substring of pk.error when status != PP_OK */
    int family;
    const char *src, *dst;
    int ttl;
    bool is_tcp;
    int sport, dport;
    uint8_t flags;
    uint32_t seq, ack;
    int window, mss;
    size_t payload_len;
    bool is_icmp_error;
    int icmp_type, icmp_code;
    const char *icmp_name;
    const char *quoted_dst;
    int quoted_dport;
    uint32_t quoted_seq;
};

struct golden {
    const char *name;
    int dlt;
    const char *hex;
    size_t cut; /* keep only this many bytes; 0 keeps all */
    struct expect want;
};

static const struct golden GOLDEN[] = {
    {"ethernet_ipv4_syn_with_mss",
     DLT_EN10MB,
     ETH IP4_SYN,
     0,
     {.family = AF_INET,
      .src = "10.0.0.1",
      .dst = "203.0.113.5",
      .ttl = 64,
      .is_tcp = true,
      .sport = 40000,
      .dport = 8888,
      .flags = PP_TH_SYN,
      .seq = 100,
      .window = 64240,
      .mss = 1460}},
    {"sll2_ipv4_synack_with_mss_and_ttl",
     DLT_LINUX_SLL2,
     SLL2_V4 IP4_SYNACK,
     0,
     {.family = AF_INET,
      .src = "203.0.113.5",
      .dst = "10.0.0.1",
      .ttl = 52,
      .is_tcp = true,
      .sport = 8888,
      .dport = 40000,
      .flags = PP_TH_SYN | PP_TH_ACK,
      .seq = 5000,
      .ack = 101,
      .window = 62727,
      .mss = 1380}},
    {"raw_ipv4_reset_keeps_its_ttl",
     DLT_RAW,
     IP4_RST,
     0,
     {.family = AF_INET,
      .src = "203.0.113.5",
      .dst = "10.0.0.1",
      .ttl = 250,
      .is_tcp = true,
      .sport = 8888,
      .dport = 40000,
      .flags = PP_TH_RST | PP_TH_ACK,
      .ack = 101,
      .mss = -1}},
    {"vlan_tagged_ethernet_reset",
     DLT_EN10MB,
     "02 00 00 00 00 02 02 00 00 00 00 01 81 00 00 64 08 00 " IP4_RST,
     0,
     {.family = AF_INET,
      .src = "203.0.113.5",
      .dst = "10.0.0.1",
      .ttl = 250,
      .is_tcp = true,
      .sport = 8888,
      .dport = 40000,
      .flags = PP_TH_RST | PP_TH_ACK,
      .ack = 101,
      .mss = -1}},
    {"icmp_admin_prohibited_quotes_the_syn",
     DLT_EN10MB,
     ETH IP4_ICMP_ADMIN,
     0,
     {.family = AF_INET,
      .src = "198.51.100.1",
      .dst = "10.0.0.1",
      .ttl = 250,
      .mss = -1,
      .is_icmp_error = true,
      .icmp_type = 3,
      .icmp_code = 13,
      .icmp_name = "admin-prohibited",
      .quoted_dst = "203.0.113.5",
      .quoted_dport = 8888,
      .quoted_seq = 100}},
    {"payload_length_ignores_ethernet_padding",
     DLT_EN10MB,
     ETH IP4_DATA,
     0,
     {.family = AF_INET,
      .src = "10.0.0.1",
      .dst = "203.0.113.5",
      .ttl = 64,
      .is_tcp = true,
      .sport = 40000,
      .dport = 8888,
      .flags = PP_TH_PUSH | PP_TH_ACK,
      .seq = 101,
      .ack = 5001,
      .window = 502,
      .mss = -1,
      .payload_len = 5}},
    {"sll_ipv6_syn_with_hop_limit_and_mss",
     DLT_LINUX_SLL,
     SLL_V6 IP6_SYN,
     0,
     {.family = AF_INET6,
      .src = "2001:db8::1",
      .dst = "2001:db8::5",
      .ttl = 64,
      .is_tcp = true,
      .sport = 40001,
      .dport = 8888,
      .flags = PP_TH_SYN,
      .seq = 1,
      .window = 64800,
      .mss = 1440}},
    {"icmpv6_admin_prohibited_quotes_the_syn",
     DLT_RAW,
     IP6_ICMP_ADMIN,
     0,
     {.family = AF_INET6,
      .src = "2001:db8::ff",
      .dst = "2001:db8::1",
      .ttl = 60,
      .mss = -1,
      .is_icmp_error = true,
      .icmp_type = 1,
      .icmp_code = 1,
      .icmp_name = "admin-prohibited",
      .quoted_dst = "2001:db8::5",
      .quoted_dport = 8888,
      .quoted_seq = 1}},
    /* Truncated and malformed input. */
    {"cut_in_ethernet_header",
     DLT_EN10MB,
     ETH IP4_SYN,
     10,
     {.status = PP_TRUNCATED, .error = "link-layer", .mss = -1}},
    {"cut_in_ipv4_header",
     DLT_EN10MB,
     ETH IP4_SYN,
     14 + 12,
     {.status = PP_TRUNCATED, .error = "IPv4 header", .mss = -1}},
    {"cut_in_tcp_header",
     DLT_EN10MB,
     ETH IP4_SYN,
     14 + 20 + 10,
     {.status = PP_TRUNCATED,
      .error = "TCP header",
      .family = AF_INET,
      .src = "10.0.0.1",
      .dst = "203.0.113.5",
      .ttl = 64,
      .mss = -1}},
    {"cut_in_tcp_options",
     DLT_EN10MB,
     ETH IP4_SYN,
     14 + 20 + 22,
     {.status = PP_TRUNCATED,
      .error = "TCP options",
      .family = AF_INET,
      .src = "10.0.0.1",
      .dst = "203.0.113.5",
      .ttl = 64,
      .mss = -1}},
    {"icmp_quote_cut_in_its_ip_header",
     DLT_EN10MB,
     ETH IP4_ICMP_ADMIN,
     14 + 20 + 8 + 10,
     {.status = PP_TRUNCATED,
      .error = "IPv4 header",
      .family = AF_INET,
      .src = "198.51.100.1",
      .dst = "10.0.0.1",
      .ttl = 250,
      .mss = -1,
      .is_icmp_error = true,
      .icmp_type = 3,
      .icmp_code = 13,
      .icmp_name = "admin-prohibited"}},
    {"ipv4_ihl_below_five_is_malformed",
     DLT_RAW,
     "44 00 00 28 00 00 00 00 40 06 00 00 0a 00 00 01 cb 00 71 05 " IP4_RST,
     0,
     {.status = PP_TRUNCATED, .error = "malformed IPv4", .mss = -1}},
    {"tcp_data_offset_past_the_packet_is_malformed",
     DLT_RAW,
     "45 00 00 28 00 00 00 00 40 06 00 00 0a 00 00 01 cb 00 71 05 "
     "9c 40 22 b8 00 00 00 64 00 00 00 00 f0 02 fa f0 00 00 00 00",
     0,
     {.status = PP_TRUNCATED,
      .error = "data offset",
      .family = AF_INET,
      .src = "10.0.0.1",
      .dst = "203.0.113.5",
      .ttl = 64,
      .mss = -1}},
    {"arp_is_unsupported",
     DLT_EN10MB,
     "ff ff ff ff ff ff 02 00 00 00 00 01 08 06 00 01 08 00 06 04 00 01",
     0,
     {.status = PP_UNSUPPORTED, .error = "not an IP packet", .mss = -1}},
};

/* "45 00 ..." -> bytes.  Returns the count. */
static size_t hex_decode(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    unsigned v;
    int used;
    while (n < cap && sscanf(hex, " %2x%n", &v, &used) == 1) {
        out[n++] = (uint8_t)v;
        hex += used;
    }
    return n;
}

/* Writes one packet into a pcap file and reads it back; *got is the
 * packet as libpcap returns it (malloc'd to exactly its length so ASan
 * sees any read past it), *dlt its link type. */
static size_t pcap_roundtrip(const struct golden *g, uint8_t **got, int *dlt)
{
    uint8_t bytes[512];
    char path[] = "/tmp/netprobe_pcap_parse_XXXXXX";
    char err[PCAP_ERRBUF_SIZE];
    size_t len = hex_decode(g->hex, bytes, sizeof bytes);
    size_t cut = g->cut != 0 && g->cut < len ? g->cut : len;
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);

    pcap_t *dead = pcap_open_dead(g->dlt, 65535);
    assert_non_null(dead);
    pcap_dumper_t *d = pcap_dump_open(dead, path);
    assert_non_null(d);
    struct pcap_pkthdr h = {.caplen = (bpf_u_int32)cut, .len = (bpf_u_int32)len};
    pcap_dump((u_char *)d, &h, bytes);
    pcap_dump_close(d);
    pcap_close(dead);

    pcap_t *rd = pcap_open_offline(path, err);
    unlink(path);
    assert_non_null(rd);
    struct pcap_pkthdr *rh;
    const u_char *data;
    assert_int_equal(pcap_next_ex(rd, &rh, &data), 1);
    assert_int_equal(rh->caplen, cut);
    *dlt = pcap_datalink(rd);
    *got = malloc(cut > 0 ? cut : 1);
    assert_non_null(*got);
    memcpy(*got, data, cut);
    pcap_close(rd);
    return cut;
}

static void check_tcp(const struct expect *w, const struct pp_packet *pk)
{
    char flags[16], want_flags[16];
    assert_int_equal(pk->tcp.sport, w->sport);
    assert_int_equal(pk->tcp.dport, w->dport);
    pp_tcp_flags_text(pk->tcp.flags, flags, sizeof flags);
    pp_tcp_flags_text(w->flags, want_flags, sizeof want_flags);
    assert_string_equal(flags, want_flags);
    assert_int_equal(pk->tcp.seq, w->seq);
    assert_int_equal(pk->tcp.ack, w->ack);
    assert_int_equal(pk->tcp.window, w->window);
    assert_int_equal(pk->tcp.mss, w->mss);
    assert_int_equal(pk->tcp.payload_len, w->payload_len);
}

static void check_icmp(const struct expect *w, const struct pp_packet *pk)
{
    assert_int_equal(pk->icmp_type, w->icmp_type);
    assert_int_equal(pk->icmp_code, w->icmp_code);
    assert_string_equal(pk->icmp_name, w->icmp_name);
    if (w->quoted_dst == NULL)
        return;
    assert_true(pk->has_quote && pk->quoted_is_tcp);
    assert_string_equal(pk->quoted_ip.dst, w->quoted_dst);
    assert_int_equal(pk->quoted_tcp.dport, w->quoted_dport);
    assert_int_equal(pk->quoted_tcp.seq, w->quoted_seq);
}

static void golden_packets_parse_to_their_fields(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof GOLDEN / sizeof GOLDEN[0]; i++) {
        const struct golden *g = &GOLDEN[i];
        const struct expect *w = &g->want;
        struct pp_packet pk;
        uint8_t *data;
        int dlt;
        size_t len = pcap_roundtrip(g, &data, &dlt);
        print_message("case %s\n", g->name);
        assert_int_equal(pp_parse(dlt, data, len, &pk), w->status);
        free(data);
        if (w->status != PP_OK)
            assert_non_null(strstr(pk.error, w->error));
        assert_int_equal(pk.ip.family, w->family);
        if (w->src != NULL) {
            assert_string_equal(pk.ip.src, w->src);
            assert_string_equal(pk.ip.dst, w->dst);
            assert_int_equal(pk.ip.ttl, w->ttl);
        }
        assert_int_equal(pk.is_tcp, w->is_tcp);
        if (w->is_tcp)
            check_tcp(w, &pk);
        assert_int_equal(pk.is_icmp_error, w->is_icmp_error);
        if (w->is_icmp_error)
            check_icmp(w, &pk);
    }
}

/* Every prefix of every packet, each in a buffer of exactly that size:
 * under ASan a single byte read past the capture fails the test. */
static void every_prefix_parses_without_reading_past_it(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof GOLDEN / sizeof GOLDEN[0]; i++) {
        uint8_t bytes[512];
        size_t len = hex_decode(GOLDEN[i].hex, bytes, sizeof bytes);
        for (size_t cut = 0; cut <= len; cut++) {
            uint8_t *copy = malloc(cut > 0 ? cut : 1);
            struct pp_packet pk;
            assert_non_null(copy);
            memcpy(copy, bytes, cut);
            enum pp_status st = pp_parse(GOLDEN[i].dlt, copy, cut, &pk);
            free(copy);
            if (cut < len && GOLDEN[i].want.status == PP_OK && st == PP_OK)
                assert_true(pk.is_tcp || pk.is_icmp_error); /* only padding/payload cut */
            if (st != PP_OK)
                assert_true(pk.error[0] != '\0');
        }
    }
}

static void unknown_link_type_is_unsupported(void **state)
{
    (void)state;
    struct pp_packet pk;
    uint8_t b[40] = {0x45};
    assert_int_equal(pp_parse(9999, b, sizeof b, &pk), PP_UNSUPPORTED);
    assert_string_equal(pp_dlt_name(9999), "unknown");
    assert_string_equal(pp_dlt_name(DLT_LINUX_SLL2), "LINUX_SLL2");
}

static void flag_letters_follow_tcpdump(void **state)
{
    (void)state;
    static const struct {
        uint8_t flags;
        const char *text;
    } rows[] = {
        {PP_TH_SYN, "S"},
        {PP_TH_SYN | PP_TH_ACK, "S."},
        {PP_TH_RST, "R"},
        {PP_TH_RST | PP_TH_ACK, "R."},
        {PP_TH_PUSH | PP_TH_ACK, "P."},
        {PP_TH_FIN | PP_TH_ACK, "F."},
        {0, "none"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char out[16];
        pp_tcp_flags_text(rows[i].flags, out, sizeof out);
        assert_string_equal(out, rows[i].text);
    }
}

/* ---- Work bounds (docs/fuzzing.md): one row per bound, at and past it. ---- */

#define VLAN_TAG "81 00 00 64 "
#define ETH_MACS "02 00 00 00 00 02 02 00 00 00 00 01 "
/* IPv6 SYN header with next header 60 (destination options) and room for
 * EXT extension headers of 8 bytes each before the 24-byte TCP header. */
#define IP6_HDR_DSTOPT(plen) "60 00 00 00 00 " plen " 3c 40 " V6_SRC V6_DST
#define DSTOPT_NEXT_DSTOPT "3c 00 01 04 00 00 00 00 "
#define DSTOPT_NEXT_TCP "06 00 01 04 00 00 00 00 "
#define TCP_SYN_MSS "9c 41 22 b8 00 00 00 01 00 00 00 00 60 02 fd 20 00 00 00 00 02 04 05 a0 "
#define DSTOPT7                                                                                    \
    DSTOPT_NEXT_DSTOPT DSTOPT_NEXT_DSTOPT DSTOPT_NEXT_DSTOPT DSTOPT_NEXT_DSTOPT DSTOPT_NEXT_DSTOPT \
        DSTOPT_NEXT_DSTOPT DSTOPT_NEXT_DSTOPT
/* TCP header of 60 bytes whose 40 option bytes are all NOPs, followed by
 * 4 payload bytes that look like an MSS option (must not be read as one). */
#define TCP_40_NOPS                                                                                \
    "9c 40 22 b8 00 00 00 64 00 00 00 00 f0 02 fa f0 00 00 00 00 "                                 \
    "01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 "                                 \
    "01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 "                                 \
    "02 04 05 b4"
/* An ICMP error quoting an ICMP error that quotes the SYN. */
#define IP4_ICMP_IN_ICMP                                                                           \
    "45 00 00 54 00 00 00 00 fa 01 00 00 c6 33 64 02 0a 00 00 01 "                                 \
    "03 0d 00 00 00 00 00 00 " IP4_ICMP_ADMIN

struct bound_row {
    const char *name;
    int dlt;
    const char *hex;
    enum pp_status status;
    const char *error; /* substring of the error, when status != PP_OK */
    int mss;           /* for PP_OK TCP rows */
    bool quoted_is_tcp;
};

static const struct bound_row BOUNDS[] = {
    {"two_vlan_tags_are_read", DLT_EN10MB, ETH_MACS VLAN_TAG VLAN_TAG "08 00 " IP4_SYN, PP_OK, NULL,
     1460, false},
    {"a_third_vlan_tag_is_refused", DLT_EN10MB,
     ETH_MACS VLAN_TAG VLAN_TAG VLAN_TAG "08 00 " IP4_SYN, PP_UNSUPPORTED, "VLAN", -1, false},
    {"eight_ipv6_extension_headers_are_read", DLT_RAW,
     IP6_HDR_DSTOPT("58") DSTOPT7 DSTOPT_NEXT_TCP TCP_SYN_MSS, PP_OK, NULL, 1440, false},
    {"a_ninth_ipv6_extension_header_is_refused", DLT_RAW,
     IP6_HDR_DSTOPT("60") DSTOPT7 DSTOPT_NEXT_DSTOPT DSTOPT_NEXT_TCP TCP_SYN_MSS, PP_UNSUPPORTED,
     "too many IPv6 extension headers", -1, false},
    {"the_option_walk_stops_at_40_bytes_not_in_the_payload", DLT_RAW,
     "45 00 00 54 00 01 40 00 40 06 00 00 0a 00 00 01 cb 00 71 05 " TCP_40_NOPS
     " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
     PP_OK, NULL, -1, false},
    {"a_quoted_icmp_error_is_not_opened", DLT_RAW, IP4_ICMP_IN_ICMP, PP_OK, NULL, -1, false},
};

static void each_work_bound_holds_at_and_past_its_limit(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof BOUNDS / sizeof BOUNDS[0]; i++) {
        const struct bound_row *r = &BOUNDS[i];
        uint8_t bytes[512];
        struct pp_packet pk;
        size_t len = hex_decode(r->hex, bytes, sizeof bytes);
        print_message("case %s\n", r->name);
        assert_int_equal(pp_parse(r->dlt, bytes, len, &pk), r->status);
        if (r->status != PP_OK) {
            assert_non_null(strstr(pk.error, r->error));
            continue;
        }
        if (pk.is_tcp)
            assert_int_equal(pk.tcp.mss, r->mss);
        else
            assert_true(pk.is_icmp_error && pk.has_quote && pk.quoted_ip.proto == 1 &&
                        !pk.quoted_is_tcp);
    }
}

/* The payload is never read: a 65,535-byte IPv4 packet whose readable bytes
 * end (at an unmapped page) right after its TCP header parses, with the
 * payload length from the IP header. */
static void the_payload_is_never_read(void **state)
{
    (void)state;
    static const char hdr[] = "45 00 ff ff 00 01 40 00 40 06 00 00 0a 00 00 01 cb 00 71 05 "
                              "9c 40 22 b8 00 00 00 65 00 00 13 89 50 18 01 f6 00 00 00 00";
    uint8_t bytes[40];
    struct guard g;
    size_t n = hex_decode(hdr, bytes, sizeof bytes);
    uint8_t *p = (uint8_t *)guard_alloc(&g, n, 0);
    struct pp_packet pk;
    assert_non_null(p);
    memcpy(p, bytes, n);
    assert_int_equal(pp_parse(DLT_RAW, p, 65535, &pk), PP_OK);
    assert_true(pk.is_tcp);
    assert_int_equal(pk.tcp.payload_len, 65535 - 40);
    guard_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden_packets_parse_to_their_fields),
        cmocka_unit_test(every_prefix_parses_without_reading_past_it),
        cmocka_unit_test(unknown_link_type_is_unsupported),
        cmocka_unit_test(flag_letters_follow_tcpdump),
        cmocka_unit_test(each_work_bound_holds_at_and_past_its_limit),
        cmocka_unit_test(the_payload_is_never_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
