#include "netprobe/wire/errqueue.h"

#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netprobe/wire/reason.h"

int errqueue_enable(int fd, int family)
{
    int one = 1;
    if (setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof one) < 0)
        return -1;
    if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof one) < 0)
        return -1;
    return 0;
}

/* Fills out from one control message if it carries an ICMP error. */
static int from_cmsg(const struct cmsghdr *cm, struct ev_icmp_error *out)
{
    bool v4 = cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_RECVERR;
    bool v6 = cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_RECVERR;
    if (!v4 && !v6)
        return 0;
    const struct sock_extended_err *ee = (const void *)CMSG_DATA(cm);
    int family;
    if (ee->ee_origin == SO_EE_ORIGIN_ICMP)
        family = AF_INET;
    else if (ee->ee_origin == SO_EE_ORIGIN_ICMP6)
        family = AF_INET6;
    else
        return 0; /* a local error (EMSGSIZE, ...): no ICMP behind it */
    out->seen = true;
    out->type = ee->ee_type;
    out->code = ee->ee_code;
    snprintf(out->name, sizeof out->name, "%s", reason_icmp(family, ee->ee_type, ee->ee_code));
    const struct sockaddr *from = SO_EE_OFFENDER(ee);
    if (from->sa_family == AF_UNSPEC || addr_format(from, out->from, NULL) < 0)
        out->from[0] = '\0';
    return 1;
}

/* Reads one message from the error queue; 1 = ICMP found, 0 = other
 * message, -2 = queue empty, -1 = error. */
static int read_one(int fd, struct ev_icmp_error *out)
{
    char data[512], ctl[512];
    struct sockaddr_storage name;
    struct iovec iov = {data, sizeof data};
    struct msghdr m = {.msg_name = &name,
                       .msg_namelen = sizeof name,
                       .msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = ctl,
                       .msg_controllen = sizeof ctl};
    if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? -2 : -1;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm != NULL; cm = CMSG_NXTHDR(&m, cm))
        if (from_cmsg(cm, out))
            return 1;
    return 0;
}

int errqueue_read(int fd, struct ev_icmp_error *out)
{
    struct ev_icmp_error e;
    int found = 0;
    /* Bounded: the queue holds at most a few errors per socket. */
    for (int i = 0; i < 64; i++) {
        memset(&e, 0, sizeof e);
        int rc = read_one(fd, &e);
        if (rc == -2)
            return found;
        if (rc == -1)
            return found ? 1 : -1;
        if (rc == 1 && !found) {
            *out = e;
            found = 1;
        }
    }
    return found;
}
