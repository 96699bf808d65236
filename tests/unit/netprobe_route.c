/*
 * Unit tests for netprobe/stages/route.c: hand-built rtnetlink replies to
 * RTM_GETROUTE (one row each: what the kernel says, what must come out),
 * the kernel's own answer for loopback (asking sends nothing), and the
 * local stage's wording of each kind of route (host_setup.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "netprobe/stages/host_setup.h"
#include "netprobe/stages/route.h"

struct reply_row {
    const char *name;
    int family;
    int msg_type;   /* RTM_NEWROUTE or NLMSG_ERROR */
    int error;      /* for NLMSG_ERROR: a negative errno */
    int rtm_type;   /* RTN_LOCAL, RTN_UNICAST, RTN_UNREACHABLE */
    const char *gw; /* RTA_GATEWAY, NULL: none */
    int gw_len;     /* 0: the family's length; else a wrong one */
    int cut;        /* bytes cut off the end of the message */
    int want_rc;
    enum route_kind want_kind;
    const char *want_hop;
};

static const struct reply_row ROWS[] = {
    {"loopback is local", AF_INET, RTM_NEWROUTE, 0, RTN_LOCAL, NULL, 0, 0, 0, ROUTE_LOCAL, ""},
    {"on-link is direct", AF_INET, RTM_NEWROUTE, 0, RTN_UNICAST, NULL, 0, 0, 0, ROUTE_DIRECT, ""},
    {"through a gateway", AF_INET, RTM_NEWROUTE, 0, RTN_UNICAST, "198.51.100.1", 0, 0, 0,
     ROUTE_GATEWAY, "198.51.100.1"},
    {"IPv6 through a gateway", AF_INET6, RTM_NEWROUTE, 0, RTN_UNICAST, "fe80::1", 0, 0, 0,
     ROUTE_GATEWAY, "fe80::1"},
    {"no route (the kernel's error)", AF_INET, NLMSG_ERROR, -ENETUNREACH, 0, NULL, 0, 0,
     ENETUNREACH, ROUTE_UNKNOWN, ""},
    {"an unreachable route", AF_INET, RTM_NEWROUTE, 0, RTN_UNREACHABLE, NULL, 0, 0, ENETUNREACH,
     ROUTE_UNKNOWN, ""},
    {"a gateway of the wrong length", AF_INET, RTM_NEWROUTE, 0, RTN_UNICAST, "198.51.100.1", 3, 0,
     EBADMSG, ROUTE_UNKNOWN, ""},
    {"a reply cut short", AF_INET, RTM_NEWROUTE, 0, RTN_UNICAST, "198.51.100.1", 0, 30, EBADMSG,
     ROUTE_UNKNOWN, ""},
    {"a reply for the other family", AF_INET6, RTM_NEWROUTE, 0, RTN_LOCAL, NULL, 0, 0, EBADMSG,
     ROUTE_UNKNOWN, ""},
};

/* Builds the reply r describes into buf; returns its length (the
 * header's length stays that of the whole message, as a cut reply's). */
static size_t build_reply(const struct reply_row *r, unsigned char *buf, size_t cap)
{
    memset(buf, 0, cap);
    struct nlmsghdr *n = (struct nlmsghdr *)buf;
    n->nlmsg_type = (unsigned short)r->msg_type;
    if (r->msg_type == NLMSG_ERROR) {
        struct nlmsgerr *e = NLMSG_DATA(n);
        e->error = r->error;
        n->nlmsg_len = NLMSG_LENGTH(sizeof *e);
        return n->nlmsg_len;
    }
    struct rtmsg *rt = NLMSG_DATA(n);
    /* "the other family" row: the reply says IPv4 to an IPv6 question */
    rt->rtm_family = strstr(r->name, "other family") ? AF_INET : (unsigned char)r->family;
    rt->rtm_type = (unsigned char)r->rtm_type;
    n->nlmsg_len = NLMSG_LENGTH(sizeof *rt);
    if (r->gw != NULL) {
        struct rtattr *a = (struct rtattr *)(buf + NLMSG_ALIGN(n->nlmsg_len));
        size_t alen = r->gw_len ? (size_t)r->gw_len : r->family == AF_INET ? 4 : 16;
        unsigned char addr[16] = {0};
        assert_int_equal(inet_pton(r->family, r->gw, addr), 1);
        a->rta_type = RTA_GATEWAY;
        a->rta_len = (unsigned short)RTA_LENGTH(alen);
        memcpy(RTA_DATA(a), addr, alen);
        n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + RTA_ALIGN(a->rta_len);
    }
    return n->nlmsg_len - (size_t)r->cut;
}

static void each_reply_gives_its_route(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof ROWS / sizeof ROWS[0]; i++) {
        const struct reply_row *r = &ROWS[i];
        unsigned char buf[256];
        struct route_info out;
        size_t len = build_reply(r, buf, sizeof buf);
        print_message("case %s\n", r->name);
        assert_int_equal(route_parse_reply(buf, len, r->family, &out), r->want_rc);
        if (r->want_rc != 0)
            continue;
        assert_int_equal(out.kind, r->want_kind);
        assert_string_equal(out.next_hop, r->want_hop);
    }
}

/* The kernel's own answer: 127.0.0.1 is delivered on this machine, on lo.
 * RTM_GETROUTE asks the routing table; no packet is sent. */
static void loopback_route_is_local_on_lo(void **state)
{
    (void)state;
    struct route_info r;
    assert_int_equal(route_get("127.0.0.1", &r), 0);
    assert_int_equal(r.kind, ROUTE_LOCAL);
    assert_string_equal(r.iface, "lo");
    assert_string_equal(r.next_hop, "");
    assert_int_equal(route_get("not an address", &r), EINVAL);
}

/* The local stage names the route used, and the default gateway only as
 * what it is when the route is not known. */
static void local_stage_names_the_route_used(void **state)
{
    (void)state;
    static const struct {
        enum route_kind kind;
        const char *next_hop, *default_gw, *want;
    } rows[] = {
        {ROUTE_LOCAL, "", "192.0.2.1", "delivered on this machine, no gateway"},
        {ROUTE_DIRECT, "", "192.0.2.1", "on the local link, no gateway"},
        {ROUTE_GATEWAY, "10.0.2.2", "10.0.2.2", "via gateway 10.0.2.2"},
        {ROUTE_UNKNOWN, "", "192.0.2.1", "default gateway 192.0.2.1"},
        {ROUTE_UNKNOWN, "", "", "default gateway none"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct ev_local l;
        char text[128];
        memset(&l, 0, sizeof l);
        l.route.kind = rows[i].kind;
        snprintf(l.route.next_hop, sizeof l.route.next_hop, "%s", rows[i].next_hop);
        snprintf(l.gateway, sizeof l.gateway, "%s", rows[i].default_gw);
        host_setup_route_text(&l, text, sizeof text);
        assert_string_equal(text, rows[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_reply_gives_its_route),
        cmocka_unit_test(loopback_route_is_local_on_lo),
        cmocka_unit_test(local_stage_names_the_route_used),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
