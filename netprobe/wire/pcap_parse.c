#include "netprobe/wire/pcap_parse.h"

#include <arpa/inet.h>
#include <pcap/dlt.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netprobe/wire/reason.h"

/* A window onto captured bytes.  Every read goes through the buf_*
 * accessors below, which refuse to read past len. */
struct pp_buf {
    const uint8_t *p;
    size_t len;
};

static bool buf_u8(const struct pp_buf *b, size_t off, uint8_t *v)
{
    if (off >= b->len)
        return false;
    *v = b->p[off];
    return true;
}

static bool buf_u16(const struct pp_buf *b, size_t off, uint16_t *v)
{
    if (b->len < 2 || off > b->len - 2)
        return false;
    *v = (uint16_t)(b->p[off] << 8 | b->p[off + 1]);
    return true;
}

static bool buf_u32(const struct pp_buf *b, size_t off, uint32_t *v)
{
    if (b->len < 4 || off > b->len - 4)
        return false;
    *v = (uint32_t)b->p[off] << 24 | (uint32_t)b->p[off + 1] << 16 | (uint32_t)b->p[off + 2] << 8 |
         (uint32_t)b->p[off + 3];
    return true;
}

/* The bytes [off, off + len) as a new window; len is cut to what exists. */
static bool buf_sub(const struct pp_buf *b, size_t off, size_t len, struct pp_buf *out)
{
    if (off > b->len)
        return false;
    out->p = b->p + off;
    out->len = b->len - off < len ? b->len - off : len;
    return true;
}

static bool buf_addr(const struct pp_buf *b, size_t off, int family, char out[ADDR_TEXT_MAX])
{
    size_t n = family == AF_INET ? 4 : 16;
    uint8_t raw[16];
    if (b->len < n || off > b->len - n)
        return false;
    memcpy(raw, b->p + off, n);
    if (inet_ntop(family, raw, out, ADDR_TEXT_MAX) == NULL)
        snprintf(out, ADDR_TEXT_MAX, "?");
    return true;
}

static enum pp_status fail(struct pp_packet *pk, enum pp_status st, const char *what)
{
    pk->status = st;
    snprintf(pk->error, sizeof pk->error, "%s", what);
    return st;
}

/* Link types: header length and where the EtherType sits (-1: raw IP). */
struct link_row {
    int dlt;
    const char *name;
    size_t hdr_len;
    int proto_off;
};

static const struct link_row LINKS[] = {
    {DLT_EN10MB, "EN10MB", 14, 12},
    {DLT_LINUX_SLL, "LINUX_SLL", 16, 14},
    {DLT_LINUX_SLL2, "LINUX_SLL2", 20, 0},
    {DLT_RAW, "RAW", 0, -1},
    {DLT_IPV4, "IPV4", 0, -1},
    {DLT_IPV6, "IPV6", 0, -1},
};

static const struct link_row *link_find(int dlt)
{
    for (size_t i = 0; i < sizeof LINKS / sizeof LINKS[0]; i++)
        if (LINKS[i].dlt == dlt)
            return &LINKS[i];
    return NULL;
}

const char *pp_dlt_name(int dlt)
{
    const struct link_row *l = link_find(dlt);
    return l != NULL ? l->name : "unknown";
}

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8

/* Finds the IP packet inside the link header: *l3 and its family. */
static enum pp_status link_strip(int dlt, const struct pp_buf *frame, struct pp_buf *l3,
                                 int *family, struct pp_packet *pk)
{
    const struct link_row *l = link_find(dlt);
    uint16_t etype = 0;
    size_t off;
    uint8_t v;

    if (l == NULL)
        return fail(pk, PP_UNSUPPORTED, "unsupported link type");
    off = l->hdr_len;
    if (l->proto_off >= 0) {
        if (!buf_u16(frame, (size_t)l->proto_off, &etype) || frame->len < off)
            return fail(pk, PP_TRUNCATED, "truncated link-layer header");
        /* 802.1Q/802.1ad tags sit between the MACs and the type; QinQ
         * has two, more is not a frame we expect on a host. */
        for (int tags = 0;
             dlt == DLT_EN10MB && (etype == ETHERTYPE_VLAN || etype == ETHERTYPE_QINQ); tags++) {
            if (tags == PP_VLAN_TAGS_MAX)
                return fail(pk, PP_UNSUPPORTED, "more than 2 VLAN tags");
            if (!buf_u16(frame, off + 2, &etype))
                return fail(pk, PP_TRUNCATED, "truncated VLAN tag");
            off += 4;
        }
    }
    if (!buf_sub(frame, off, SIZE_MAX, l3))
        return fail(pk, PP_TRUNCATED, "truncated link-layer header");
    if (l->proto_off < 0) {
        if (!buf_u8(l3, 0, &v))
            return fail(pk, PP_TRUNCATED, "empty IP packet");
        etype = (v >> 4) == 4 ? ETHERTYPE_IPV4 : (v >> 4) == 6 ? ETHERTYPE_IPV6 : 0;
    }
    if (etype == ETHERTYPE_IPV4)
        *family = AF_INET;
    else if (etype == ETHERTYPE_IPV6)
        *family = AF_INET6;
    else
        return fail(pk, PP_UNSUPPORTED, "not an IP packet");
    return PP_OK;
}

/* IPv4 header: fills ip, *l4 (cut to the declared length) and *l4_len. */
static enum pp_status ip4_parse(const struct pp_buf *b, struct pp_ip *ip, struct pp_buf *l4,
                                size_t *l4_len, struct pp_packet *pk)
{
    uint8_t vihl, ttl, proto;
    uint16_t total, frag;

    if (!buf_u8(b, 0, &vihl) || !buf_u16(b, 2, &total) || !buf_u16(b, 6, &frag) ||
        !buf_u8(b, 8, &ttl) || !buf_u8(b, 9, &proto) || !buf_addr(b, 12, AF_INET, ip->src) ||
        !buf_addr(b, 16, AF_INET, ip->dst))
        return fail(pk, PP_TRUNCATED, "truncated IPv4 header");
    size_t ihl = (size_t)(vihl & 0x0f) * 4;
    if ((vihl >> 4) != 4 || ihl < 20 || total < ihl)
        return fail(pk, PP_TRUNCATED, "malformed IPv4 header (version, IHL or length)");
    if (ihl > b->len)
        return fail(pk, PP_TRUNCATED, "truncated IPv4 options");
    ip->family = AF_INET;
    ip->ttl = ttl;
    ip->proto = proto;
    if ((frag & 0x1fff) != 0)
        return fail(pk, PP_UNSUPPORTED, "IPv4 fragment after the first");
    *l4_len = total - ihl;
    buf_sub(b, ihl, *l4_len, l4);
    return PP_OK;
}

/* IPv6 extension headers we step over to reach TCP or ICMPv6. */
static bool ip6_is_ext(uint8_t next)
{
    return next == 0 || next == 43 || next == 44 || next == 60;
}

static enum pp_status ip6_parse(const struct pp_buf *b, struct pp_ip *ip, struct pp_buf *l4,
                                size_t *l4_len, struct pp_packet *pk)
{
    uint8_t v, next, hops, hlen;
    uint16_t plen;
    size_t off = 40, left;

    if (!buf_u8(b, 0, &v) || !buf_u16(b, 4, &plen) || !buf_u8(b, 6, &next) ||
        !buf_u8(b, 7, &hops) || !buf_addr(b, 8, AF_INET6, ip->src) ||
        !buf_addr(b, 24, AF_INET6, ip->dst))
        return fail(pk, PP_TRUNCATED, "truncated IPv6 header");
    if ((v >> 4) != 6)
        return fail(pk, PP_TRUNCATED, "malformed IPv6 header (version)");
    ip->family = AF_INET6;
    ip->ttl = hops;
    left = plen;
    /* A bounded walk: eight extension headers is already absurd. */
    for (int i = 0; i < PP_IP6_EXT_MAX && ip6_is_ext(next); i++) {
        size_t n;
        uint16_t frag;
        if (!buf_u8(b, off, &v) || !buf_u8(b, off + 1, &hlen))
            return fail(pk, PP_TRUNCATED, "truncated IPv6 extension header");
        if (next == 44) {
            if (!buf_u16(b, off + 2, &frag))
                return fail(pk, PP_TRUNCATED, "truncated IPv6 fragment header");
            if ((frag & 0xfff8) != 0)
                return fail(pk, PP_UNSUPPORTED, "IPv6 fragment after the first");
        }
        n = next == 44 ? 8 : ((size_t)hlen + 1) * 8;
        if (n > left)
            return fail(pk, PP_TRUNCATED, "IPv6 extension header longer than the payload");
        left -= n;
        off += n;
        next = v;
    }
    if (ip6_is_ext(next))
        return fail(pk, PP_UNSUPPORTED, "too many IPv6 extension headers");
    ip->proto = next;
    *l4_len = left;
    if (!buf_sub(b, off, left, l4))
        return fail(pk, PP_TRUNCATED, "truncated IPv6 extension header");
    return PP_OK;
}

static enum pp_status ip_parse(int family, const struct pp_buf *b, struct pp_ip *ip,
                               struct pp_buf *l4, size_t *l4_len, struct pp_packet *pk)
{
    memset(ip, 0, sizeof *ip);
    return family == AF_INET ? ip4_parse(b, ip, l4, l4_len, pk) : ip6_parse(b, ip, l4, l4_len, pk);
}

/* Walks the options for MSS (kind 2, length 4).  A malformed option list
 * ends the walk: the MSS is then simply unknown.  Each step moves at least
 * one byte, and opts holds at most PP_TCP_OPTIONS_MAX of them. */
static int tcp_mss(const struct pp_buf *opts)
{
    size_t off = 0;
    uint8_t kind, len;
    uint16_t mss;

    while (off < PP_TCP_OPTIONS_MAX && buf_u8(opts, off, &kind) && kind != 0) {
        if (kind == 1) {
            off++;
            continue;
        }
        if (!buf_u8(opts, off + 1, &len) || len < 2)
            return -1;
        if (kind == 2 && len == 4 && buf_u16(opts, off + 2, &mss))
            return mss;
        off += len;
    }
    return -1;
}

/* TCP header.  A quoted header (inside an ICMP error) may be cut after its
 * first 8 bytes (ports and sequence number), as RFC 792 allows. */
static enum pp_status tcp_parse(const struct pp_buf *b, size_t l4_len, bool quoted,
                                struct pp_tcp *t, struct pp_packet *pk)
{
    uint16_t sport, dport, win;
    uint8_t off_byte;
    struct pp_buf opts;

    memset(t, 0, sizeof *t);
    t->mss = -1;
    if (!buf_u16(b, 0, &sport) || !buf_u16(b, 2, &dport) || !buf_u32(b, 4, &t->seq))
        return fail(pk, PP_TRUNCATED,
                    quoted ? "truncated quoted TCP header" : "truncated TCP header");
    t->sport = sport;
    t->dport = dport;
    if (!buf_u32(b, 8, &t->ack) || !buf_u8(b, 12, &off_byte) || !buf_u8(b, 13, &t->flags) ||
        !buf_u16(b, 14, &win) || b->len < 20) {
        if (quoted)
            return PP_OK;
        return fail(pk, PP_TRUNCATED, "truncated TCP header");
    }
    t->window = win;
    size_t doff = (size_t)(off_byte >> 4) * 4;
    if (doff < 20 || doff > l4_len)
        return fail(pk, PP_TRUNCATED, "malformed TCP header (data offset)");
    if (doff > b->len && !quoted)
        return fail(pk, PP_TRUNCATED, "truncated TCP options");
    t->header_complete = doff <= b->len;
    buf_sub(b, 20, doff - 20, &opts);
    t->mss = tcp_mss(&opts);
    t->payload_len = l4_len - doff;
    return PP_OK;
}

/* ICMP errors carry the original packet; these types do (RFC 792, 4443). */
static bool icmp_is_error(int family, int type)
{
    if (family == AF_INET)
        return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    return type >= 1 && type <= 4;
}

static enum pp_status icmp_parse(const struct pp_buf *b, int family, struct pp_packet *pk)
{
    uint8_t type, code, v;
    struct pp_buf quote, l4;
    size_t l4_len = 0;
    int qfamily;

    if (!buf_u8(b, 0, &type) || !buf_u8(b, 1, &code) || b->len < 8)
        return fail(pk, PP_TRUNCATED, "truncated ICMP header");
    pk->icmp_type = type;
    pk->icmp_code = code;
    pk->icmp_name = reason_icmp(family, type, code);
    pk->is_icmp_error = icmp_is_error(family, type);
    if (!pk->is_icmp_error)
        return PP_OK;
    buf_sub(b, 8, SIZE_MAX, &quote);
    if (!buf_u8(&quote, 0, &v))
        return fail(pk, PP_TRUNCATED, "ICMP error without the quoted packet");
    qfamily = (v >> 4) == 4 ? AF_INET : (v >> 4) == 6 ? AF_INET6 : 0;
    if (qfamily == 0)
        return fail(pk, PP_TRUNCATED, "ICMP error quotes something that is not IP");
    if (ip_parse(qfamily, &quote, &pk->quoted_ip, &l4, &l4_len, pk) != PP_OK)
        return pk->status;
    pk->has_quote = true;
    if (pk->quoted_ip.proto != 6)
        return PP_OK;
    if (tcp_parse(&l4, l4_len, true, &pk->quoted_tcp, pk) != PP_OK)
        return pk->status;
    pk->quoted_is_tcp = true;
    return PP_OK;
}

enum pp_status pp_parse(int dlt, const uint8_t *data, size_t caplen, struct pp_packet *out)
{
    struct pp_buf frame = {data, caplen}, l3, l4;
    size_t l4_len = 0;
    int family = 0;

    memset(out, 0, sizeof *out);
    out->tcp.mss = -1;
    out->quoted_tcp.mss = -1;
    if (link_strip(dlt, &frame, &l3, &family, out) != PP_OK)
        return out->status;
    if (ip_parse(family, &l3, &out->ip, &l4, &l4_len, out) != PP_OK)
        return out->status;
    if (out->ip.proto == 6) {
        if (tcp_parse(&l4, l4_len, false, &out->tcp, out) != PP_OK)
            return out->status;
        out->is_tcp = true;
        return PP_OK;
    }
    if ((family == AF_INET && out->ip.proto == 1) || (family == AF_INET6 && out->ip.proto == 58))
        return icmp_parse(&l4, family, out);
    return fail(out, PP_UNSUPPORTED, "neither TCP nor ICMP");
}

/* tcpdump's letters, in its order. */
static const struct {
    uint8_t bit;
    char letter;
} FLAG_LETTERS[] = {
    {PP_TH_SYN, 'S'}, {PP_TH_FIN, 'F'}, {PP_TH_PUSH, 'P'},
    {PP_TH_RST, 'R'}, {PP_TH_URG, 'U'}, {PP_TH_ACK, '.'},
};

void pp_tcp_flags_text(uint8_t flags, char *out, size_t cap)
{
    size_t n = 0;
    if (cap == 0)
        return;
    for (size_t i = 0; i < sizeof FLAG_LETTERS / sizeof FLAG_LETTERS[0]; i++)
        if ((flags & FLAG_LETTERS[i].bit) && n + 1 < cap)
            out[n++] = FLAG_LETTERS[i].letter;
    if (n == 0 && cap > 4)
        n = (size_t)snprintf(out, cap, "none");
    out[n] = '\0';
}
