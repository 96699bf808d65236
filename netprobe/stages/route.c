/*
 * route.c - the kernel's route to one address over rtnetlink (route.h).
 */
#include "netprobe/stages/route.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

const char *route_kind_name(enum route_kind k)
{
    static const char *const names[] = {
        [ROUTE_UNKNOWN] = "unknown",
        [ROUTE_LOCAL] = "local",
        [ROUTE_DIRECT] = "direct",
        [ROUTE_GATEWAY] = "gateway",
    };
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "unknown";
}

/* The attributes of one RTM_NEWROUTE message: the gateway and the
 * outgoing interface are all we need. */
static int route_attrs(const struct rtmsg *rt, size_t len, int family, struct route_info *out)
{
    size_t addr_len = family == AF_INET ? 4 : 16;
    int attr_len = (int)len;
    for (const struct rtattr *a = RTM_RTA(rt); RTA_OK(a, attr_len); a = RTA_NEXT(a, attr_len)) {
        size_t payload = RTA_PAYLOAD(a);
        if (a->rta_type == RTA_GATEWAY) {
            if (payload != addr_len ||
                inet_ntop(family, RTA_DATA(a), out->next_hop, sizeof out->next_hop) == NULL)
                return EBADMSG;
        } else if (a->rta_type == RTA_OIF) {
            uint32_t index;
            if (payload != sizeof index)
                return EBADMSG;
            memcpy(&index, RTA_DATA(a), sizeof index);
            if (if_indextoname(index, out->iface) == NULL)
                out->iface[0] = '\0'; /* best effort: the interface may be gone */
        }
    }
    return 0;
}

int route_parse_reply(const void *reply, size_t len, int family, struct route_info *out)
{
    const struct nlmsghdr *n = reply;
    memset(out, 0, sizeof *out);
    if (len < sizeof *n || n->nlmsg_len < sizeof *n || n->nlmsg_len > len)
        return EBADMSG;
    if (n->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *e = NLMSG_DATA(n);
        if (n->nlmsg_len < NLMSG_LENGTH(sizeof *e))
            return EBADMSG;
        return e->error < 0 ? -e->error : EBADMSG;
    }
    if (n->nlmsg_type != RTM_NEWROUTE || n->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg)))
        return EBADMSG;
    const struct rtmsg *rt = NLMSG_DATA(n);
    if (rt->rtm_family != family)
        return EBADMSG;
    int err = route_attrs(rt, n->nlmsg_len - NLMSG_LENGTH(sizeof *rt), family, out);
    if (err != 0)
        return err;
    if (rt->rtm_type == RTN_LOCAL)
        out->kind = ROUTE_LOCAL;
    else if (rt->rtm_type != RTN_UNICAST)
        return ENETUNREACH; /* unreachable, prohibit, blackhole routes */
    else
        out->kind = out->next_hop[0] != '\0' ? ROUTE_GATEWAY : ROUTE_DIRECT;
    if (out->kind != ROUTE_GATEWAY)
        out->next_hop[0] = '\0';
    return 0;
}

int route_get(const char *addr, struct route_info *out)
{
    struct {
        struct nlmsghdr n;
        struct rtmsg r;
        char attrs[64];
    } req;
    unsigned char dst[16];
    int family = strchr(addr, ':') != NULL ? AF_INET6 : AF_INET;
    size_t alen = family == AF_INET ? 4 : 16;
    char reply[ROUTE_REPLY_MAX];

    memset(out, 0, sizeof *out);
    if (inet_pton(family, addr, dst) != 1)
        return EINVAL;
    memset(&req, 0, sizeof req);
    req.n.nlmsg_len = NLMSG_LENGTH(sizeof req.r);
    req.n.nlmsg_type = RTM_GETROUTE;
    req.n.nlmsg_flags = NLM_F_REQUEST;
    req.r.rtm_family = (unsigned char)family;
    req.r.rtm_dst_len = (unsigned char)(alen * 8);
    struct rtattr *a = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.n.nlmsg_len));
    a->rta_type = RTA_DST;
    a->rta_len = (unsigned short)RTA_LENGTH(alen);
    memcpy(RTA_DATA(a), dst, alen);
    req.n.nlmsg_len = NLMSG_ALIGN(req.n.nlmsg_len) + RTA_ALIGN(a->rta_len);

    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return errno;
    /* The kernel answers at once; the bound only guards against a bug. */
    struct timeval tv = {.tv_sec = 1};
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    ssize_t n = -1;
    if (sendto(fd, &req, req.n.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) >= 0)
        do
            n = recv(fd, reply, sizeof reply, 0);
        while (n < 0 && errno == EINTR);
    int err = n < 0 ? errno : route_parse_reply(reply, (size_t)n, family, out);
    close(fd);
    return err;
}
