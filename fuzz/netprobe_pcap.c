/*
 * Fuzz target: netprobe's packet parser (pp_parse), fed what the capture
 * returns: any bytes, on any link type we decode.
 *
 * The first byte chooses the link type (and one we do not decode) and
 * where a shorter capture of the same packet is cut; the rest is the
 * packet, copied into a heap buffer of exactly its size so ASan sees any
 * read past the captured bytes.  Invariants: the status and the error
 * sentence agree; decoded addresses are valid address text of the decoded
 * family; numbers are in their field's range; the flag letters are
 * tcpdump's; and a shorter capture of the same packet either stops with a
 * status or decodes the same headers (a cut never changes what was seen,
 * only how much).
 */
#include <arpa/inet.h>
#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fuzz/support/check.h"
/* netprobe is moving its modules into sub-folders (wire/, server/): this
 * builds with either layout until the move has landed everywhere. */
#include "netprobe/wire/pcap_parse.h"

static const int link_types[] = {
    DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_IPV4, DLT_IPV6, DLT_NULL,
};

static void check_ip(const struct pp_ip *ip, const char *what)
{
    unsigned char raw[16];
    FUZZ_CHECK(ip->family == AF_INET || ip->family == AF_INET6, "%s family %d", what, ip->family);
    FUZZ_CHECK(inet_pton(ip->family, ip->src, raw) == 1, "%s source \"%s\"", what, ip->src);
    FUZZ_CHECK(inet_pton(ip->family, ip->dst, raw) == 1, "%s destination \"%s\"", what, ip->dst);
    FUZZ_CHECK(ip->ttl >= 0 && ip->ttl <= 255 && ip->proto >= 0 && ip->proto <= 255,
               "%s ttl %d proto %d", what, ip->ttl, ip->proto);
}

static void check_tcp(const struct pp_tcp *t, const char *what)
{
    FUZZ_CHECK(t->sport >= 0 && t->sport <= 65535 && t->dport >= 0 && t->dport <= 65535,
               "%s ports %d %d", what, t->sport, t->dport);
    FUZZ_CHECK(t->window >= 0 && t->window <= 65535, "%s window %d", what, t->window);
    FUZZ_CHECK(t->mss >= -1 && t->mss <= 65535, "%s mss %d", what, t->mss);
    /* The payload length comes from the IP length field: 16 bits. */
    FUZZ_CHECK(t->payload_len <= 65535, "%s payload %zu", what, t->payload_len);
}

static void check_packet(const struct pp_packet *pk, enum pp_status st)
{
    FUZZ_CHECK(pk->status == st, "returned %d, recorded %d", (int)st, (int)pk->status);
    size_t elen = strnlen(pk->error, sizeof pk->error);
    FUZZ_CHECK(elen < sizeof pk->error, "error sentence not terminated");
    FUZZ_CHECK((st == PP_OK) == (elen == 0), "status %d with error \"%s\"", (int)st, pk->error);
    if (st != PP_OK)
        return;
    check_ip(&pk->ip, "packet");
    FUZZ_CHECK(!pk->is_tcp || pk->ip.proto == 6, "TCP with protocol %d", pk->ip.proto);
    FUZZ_CHECK(!(pk->is_tcp && pk->is_icmp_error), "both TCP and an ICMP error");
    if (pk->is_tcp)
        check_tcp(&pk->tcp, "tcp");
    if (pk->is_icmp_error) {
        FUZZ_CHECK(pk->icmp_type >= 0 && pk->icmp_type <= 255 && pk->icmp_code >= 0 &&
                       pk->icmp_code <= 255,
                   "icmp %d/%d", pk->icmp_type, pk->icmp_code);
        FUZZ_CHECK(pk->has_quote, "an ICMP error parsed OK without its quote");
    }
    if (pk->has_quote)
        check_ip(&pk->quoted_ip, "quoted");
    if (pk->quoted_is_tcp) {
        FUZZ_CHECK(pk->has_quote && pk->quoted_ip.proto == 6, "quoted TCP without a quote");
        check_tcp(&pk->quoted_tcp, "quoted tcp");
    }
}

/* A shorter capture may stop earlier but must not see other headers. */
static void check_prefix(const struct pp_packet *full, const struct pp_packet *cut)
{
    if (cut->status != PP_OK)
        return;
    const struct pp_ip *a = &full->ip, *b = &cut->ip;
    FUZZ_CHECK(a->family == b->family && !strcmp(a->src, b->src) && !strcmp(a->dst, b->dst) &&
                   a->ttl == b->ttl && a->proto == b->proto,
               "a shorter capture changed the IP header");
    FUZZ_CHECK(full->is_tcp == cut->is_tcp && full->is_icmp_error == cut->is_icmp_error,
               "a shorter capture changed what the packet is");
    if (full->is_tcp) {
        const struct pp_tcp *x = &full->tcp, *y = &cut->tcp;
        FUZZ_CHECK(x->sport == y->sport && x->dport == y->dport && x->seq == y->seq &&
                       x->ack == y->ack && x->flags == y->flags && x->window == y->window &&
                       x->mss == y->mss && x->payload_len == y->payload_len,
                   "a shorter capture changed the TCP header");
    }
    if (full->quoted_is_tcp && cut->quoted_is_tcp) {
        const struct pp_tcp *x = &full->quoted_tcp, *y = &cut->quoted_tcp;
        FUZZ_CHECK(x->sport == y->sport && x->dport == y->dport && x->seq == y->seq,
                   "a shorter capture changed the quoted ports or sequence");
    }
}

static void check_flags_text(uint8_t flags, size_t cap)
{
    char out[16];
    memset(out, 'x', sizeof out);
    pp_tcp_flags_text(flags, out, cap);
    if (cap == 0)
        return;
    size_t n = strnlen(out, cap);
    FUZZ_CHECK(n < cap, "flag text not terminated within %zu", cap);
    FUZZ_CHECK(strspn(out, "SFPRU.") == n || strcmp(out, "none") == 0, "flag text \"%s\"", out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_cursor c = {data, size};
    uint8_t choice = fuzz_take_u8(&c);
    int dlt = link_types[choice % (sizeof link_types / sizeof link_types[0])];
    uint8_t *pkt = malloc(c.n > 0 ? c.n : 1);
    FUZZ_CHECK(pkt != NULL, "out of memory");
    memcpy(pkt, c.p, c.n);

    static struct pp_packet full, cut;
    enum pp_status st = pp_parse(dlt, pkt, c.n, &full);
    check_packet(&full, st);
    FUZZ_CHECK((strcmp(pp_dlt_name(dlt), "unknown") == 0) == (dlt == DLT_NULL),
               "link type %d named \"%s\"", dlt, pp_dlt_name(dlt));
    if (st == PP_OK && c.n > 0) {
        /* The cut keeps a copy of exactly the shorter length, too. */
        size_t keep = c.n - 1 - (choice >> 3) % c.n;
        uint8_t *shorter = malloc(keep > 0 ? keep : 1);
        FUZZ_CHECK(shorter != NULL, "out of memory");
        memcpy(shorter, pkt, keep);
        enum pp_status cst = pp_parse(dlt, shorter, keep, &cut);
        check_packet(&cut, cst);
        check_prefix(&full, &cut);
        free(shorter);
    }
    check_flags_text(full.tcp.flags, (size_t)(choice >> 4));
    free(pkt);
    return 0;
}
