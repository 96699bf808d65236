/*
 * pcap_parse.h - bounds-checked parsing of one captured packet.
 *
 * Link layer (Ethernet, Linux cooked SLL and SLL2, raw IP) -> IPv4/IPv6 ->
 * TCP (flags, seq/ack, window, MSS option, payload length) or an ICMP/ICMPv6
 * error with the IP and TCP header it quotes.  Every byte is read through a
 * bounds-checked accessor, the way tcpdump's GET_* macros do: a short or
 * lying packet yields PP_TRUNCATED and a sentence saying where, never a read
 * past the buffer.  No I/O, no allocation.
 */
#ifndef NETPROBE_PCAP_PARSE_H
#define NETPROBE_PCAP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"

/* TCP flag bits as on the wire. */
#define PP_TH_FIN 0x01
#define PP_TH_SYN 0x02
#define PP_TH_RST 0x04
#define PP_TH_PUSH 0x08
#define PP_TH_ACK 0x10
#define PP_TH_URG 0x20

/* Work bounds (docs/fuzzing.md, each tested in tests/unit/netprobe_pcap_parse.c).
 * The parser reads link, IP, ICMP and TCP headers only, never the payload,
 * so its work does not grow with the capture length; an ICMP error's quoted
 * packet is read one level deep (a quoted ICMP error is not opened). */
#define PP_VLAN_TAGS_MAX 2    /* 802.1Q/802.1ad tags; one more is PP_UNSUPPORTED */
#define PP_IP6_EXT_MAX 8      /* IPv6 extension headers; one more is PP_UNSUPPORTED */
#define PP_TCP_OPTIONS_MAX 40 /* bytes of TCP options walked: what a header can hold */

enum pp_status {
    PP_OK = 0,
    PP_TRUNCATED,   /* a header ends past the captured bytes */
    PP_UNSUPPORTED, /* a link type or protocol we do not decode */
};

struct pp_ip {
    int family; /* AF_INET or AF_INET6, 0 if none */
    char src[ADDR_TEXT_MAX];
    char dst[ADDR_TEXT_MAX];
    int ttl;   /* TTL or hop limit */
    int proto; /* 6 TCP, 1 ICMP, 58 ICMPv6, after v6 extension headers */
};

struct pp_tcp {
    int sport, dport;
    uint32_t seq, ack;
    uint8_t flags;        /* PP_TH_* */
    int window;           /* raw window field, unscaled */
    int mss;              /* MSS option, -1 when absent */
    size_t payload_len;   /* from the IP length, not the capture length */
    bool header_complete; /* false for a quoted header cut after 8 bytes */
};

struct pp_packet {
    enum pp_status status;
    char error[96]; /* where parsing stopped, for PP_TRUNCATED/UNSUPPORTED */
    struct pp_ip ip;
    bool is_tcp;
    struct pp_tcp tcp;
    bool is_icmp_error; /* ICMP dest-unreach/time-exceeded/param-problem, ICMPv6 1-4 */
    int icmp_type, icmp_code;
    const char *icmp_name; /* "admin-prohibited", ... (netprobe/reason.h) */
    bool has_quote;        /* the quoted original IP (+ TCP ports/seq) was readable */
    struct pp_ip quoted_ip;
    bool quoted_is_tcp;
    struct pp_tcp quoted_tcp;
};

/* Parses data (caplen bytes) captured on a link of type dlt (pcap's DLT_*
 * value: DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_IPV4,
 * DLT_IPV6).  Fills *out and returns out->status. */
enum pp_status pp_parse(int dlt, const uint8_t *data, size_t caplen, struct pp_packet *out);

/* tcpdump's flag letters ("S", "S.", "R.", "P.", "F."...) into out. */
void pp_tcp_flags_text(uint8_t flags, char *out, size_t cap);

/* Name of a link type for messages ("EN10MB", "LINUX_SLL2"); "unknown". */
const char *pp_dlt_name(int dlt);

#endif
