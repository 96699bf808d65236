#include "netprobe/stages/host_setup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/i18n.h"
#include "netprobe/addrclass.h"
#include "netprobe/stages/stageio.h"
#include "netprobe/stages/stages.h"

/* VirtualBox's OUI: every NIC it emulates starts with it. */
static const char VBOX_OUI[] = "08:00:27";

void host_setup_hints(struct ev_local *l, const char *dmi_product)
{
    l->virtualbox_nat = false;
    l->nat_address[0] = '\0';
    l->virtualbox_vm = dmi_product != NULL && strstr(dmi_product, "VirtualBox") != NULL;
    bool gw_vbox = strcmp(l->gateway, "10.0.2.2") == 0;
    for (size_t i = 0; i < l->iface_count && i < EV_IFACES_MAX; i++) {
        const struct ev_iface *f = &l->ifaces[i];
        if (gw_vbox && addrclass_in_v4(f->address, "10.0.2.0", 24) && !l->virtualbox_nat) {
            l->virtualbox_nat = true;
            snprintf(l->nat_address, sizeof l->nat_address, "%s", f->address);
        }
        if (strncasecmp(f->mac, VBOX_OUI, sizeof VBOX_OUI - 1) == 0)
            l->virtualbox_vm = true;
    }
    l->source_class = addrclass_of(l->source_address);
}

int host_setup_read_routes(struct ev_local *l, FILE *route)
{
    char line[512], dev[64];
    unsigned long dest, gw, flags, mask;
    l->gateway[0] = '\0';
    l->has_default_route = false;
    if (fgets(line, sizeof line, route) == NULL) /* the header */
        return -1;
    while (fgets(line, sizeof line, route) != NULL) {
        if (sscanf(line, "%63s %lx %lx %lx %*s %*s %*s %lx", dev, &dest, &gw, &flags, &mask) != 5)
            continue;
        if (dest != 0 || mask != 0 || !(flags & 0x1 /* RTF_UP */))
            continue;
        l->has_default_route = true;
        /* The kernel prints the address in network byte order as a number. */
        struct in_addr a = {.s_addr = (uint32_t)gw};
        if (gw != 0 && inet_ntop(AF_INET, &a, l->gateway, sizeof l->gateway) == NULL)
            l->gateway[0] = '\0';
        return 0;
    }
    return 0;
}

void host_setup_read_v6_routes(struct ev_local *l, FILE *f)
{
    char *gw = l->ipv6_gateway;
    socklen_t cap = sizeof l->ipv6_gateway;
    char dst[40], hop[40], dev[64];
    unsigned plen;
    bool found = false;
    while (!found &&
           fscanf(f, "%39s %x %*s %*s %39s %*s %*s %*s %*s %63s", dst, &plen, hop, dev) == 4)
        found = plen == 0 && strspn(dst, "0") == 32 && strcmp(dev, "lo") != 0;
    l->ipv6_default_route = found;
    gw[0] = '\0';
    if (!found || strlen(hop) != 32 || strspn(hop, "0") == 32)
        return; /* no default route, or one without a next hop */
    struct in6_addr a;
    for (int i = 0; i < 16; i++) /* 32 hex digits, in network order */
        if (sscanf(hop + 2 * i, "%2hhx", &a.s6_addr[i]) != 1)
            return;
    if (inet_ntop(AF_INET6, &a, gw, cap) == NULL)
        gw[0] = '\0';
}

/* Reads the first line of /sys/class/net/IFACE/FILE into out ("" if none). */
static void read_sys(const char *iface, const char *file, char *out, size_t cap)
{
    char path[128];
    out[0] = '\0';
    snprintf(path, sizeof path, "/sys/class/net/%s/%s", iface, file);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    if (fgets(out, (int)cap, f) == NULL)
        out[0] = '\0';
    out[strcspn(out, "\n")] = '\0';
    fclose(f);
}

static int prefix_len(const struct sockaddr *mask)
{
    const unsigned char *b;
    size_t n;
    if (mask == NULL)
        return 0;
    if (mask->sa_family == AF_INET) {
        b = (const unsigned char *)&((const struct sockaddr_in *)mask)->sin_addr;
        n = 4;
    } else if (mask->sa_family == AF_INET6) {
        b = ((const struct sockaddr_in6 *)mask)->sin6_addr.s6_addr;
        n = 16;
    } else {
        return 0;
    }
    int bits = 0;
    for (size_t i = 0; i < n; i++)
        bits += __builtin_popcount(b[i]);
    return bits;
}

static void add_iface(struct ev_local *l, const struct ifaddrs *ifa)
{
    struct ev_iface *f = &l->ifaces[l->iface_count];
    char text[16];
    memset(f, 0, sizeof *f);
    snprintf(f->name, sizeof f->name, "%s", ifa->ifa_name);
    if (addr_format(ifa->ifa_addr, f->address, NULL) < 0)
        return;
    f->prefix_len = prefix_len(ifa->ifa_netmask);
    read_sys(ifa->ifa_name, "address", f->mac, sizeof f->mac);
    if (strcmp(f->mac, "00:00:00:00:00:00") == 0)
        f->mac[0] = '\0'; /* loopback and tunnels have no real MAC */
    read_sys(ifa->ifa_name, "mtu", text, sizeof text);
    f->mtu = atoi(text);
    l->iface_count++;
}

static int list_ifaces(struct ev_local *l)
{
    struct ifaddrs *all;
    if (getifaddrs(&all) < 0)
        return -1;
    for (const struct ifaddrs *i = all; i != NULL && l->iface_count < EV_IFACES_MAX;
         i = i->ifa_next) {
        if (i->ifa_addr == NULL ||
            (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
            continue;
        add_iface(l, i);
    }
    freeifaddrs(all);
    return 0;
}

/* The address to look up the source for: the first resolved one if the dns
 * stage already ran, else HOST itself when it is a literal. */
static bool pick_target(const struct evidence *ev, const struct probe_opts *o, struct ev_address *t)
{
    if (ev->dns.addr_count > 0) {
        *t = ev->dns.addrs[0];
        return true;
    }
    struct in6_addr buf;
    snprintf(t->address, sizeof t->address, "%s", o->host != NULL ? o->host : "");
    t->family = inet_pton(AF_INET, t->address, &buf) == 1    ? AF_INET
                : inet_pton(AF_INET6, t->address, &buf) == 1 ? AF_INET6
                                                             : 0;
    return t->family != 0;
}

/* Asks the kernel which source address and path MTU it would use for t:
 * connect() on a UDP socket picks a route and sends nothing.  0 or errno. */
static int find_source(struct ev_local *l, const struct ev_address *t, int port)
{
    struct sockaddr_storage ss, me;
    socklen_t sl, ml = sizeof me;
    if (stageio_sockaddr(t, port, &ss, &sl) < 0)
        return EINVAL;
    int fd = socket(t->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return errno;
    int err = 0, mtu = 0;
    socklen_t mlen = sizeof mtu;
    if (connect(fd, (struct sockaddr *)&ss, sl) < 0 ||
        getsockname(fd, (struct sockaddr *)&me, &ml) < 0)
        err = errno;
    else
        addr_format((struct sockaddr *)&me, l->source_address, NULL);
    int level = t->family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
    int opt = t->family == AF_INET6 ? IPV6_MTU : IP_MTU;
    if (err == 0 && getsockopt(fd, level, opt, &mtu, &mlen) == 0)
        l->source_mtu = mtu;
    close(fd);
    return err;
}

/* True if a socket of this kind can be opened (and closes it again). */
static bool can_open(int family, int type, int proto)
{
    int fd = socket(family, type | SOCK_CLOEXEC, proto);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

/* CAP_NET_RAW (bit 13) in the effective set: what packet capture needs. */
static bool has_cap_net_raw(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long long caps = 0;
    bool found = false;
    while (f != NULL && !found && fgets(line, sizeof line, f) != NULL)
        found = sscanf(line, "CapEff: %llx", &caps) == 1;
    if (f != NULL)
        fclose(f);
    return found && (caps & (1ULL << 13)) != 0;
}

static void read_dmi(char *out, size_t cap)
{
    FILE *f = fopen("/sys/class/dmi/id/product_name", "r");
    out[0] = '\0';
    if (f == NULL)
        return;
    if (fgets(out, (int)cap, f) == NULL)
        out[0] = '\0';
    fclose(f);
}

void host_setup_route_text(const struct ev_local *l, char *out, size_t cap)
{
    switch (l->route.kind) {
    case ROUTE_LOCAL:
        snprintf(out, cap, "%s", _("delivered on this machine, no gateway"));
        break;
    case ROUTE_DIRECT:
        snprintf(out, cap, "%s", _("on the local link, no gateway"));
        break;
    case ROUTE_GATEWAY:
        snprintf(out, cap, _("via gateway %s"), l->route.next_hop);
        break;
    default:
        /* TRANSLATORS: the route to the target is not known; this names
           the default gateway (or "none") for what it is. */
        snprintf(out, cap, _("default gateway %s"), l->gateway[0] ? l->gateway : _("none"));
        break;
    }
}

static void gather(struct ev_local *l)
{
    if (gethostname(l->hostname, sizeof l->hostname) < 0)
        l->hostname[0] = '\0';
    l->hostname[sizeof l->hostname - 1] = '\0';
    FILE *route = fopen("/proc/net/route", "r");
    if (route != NULL) {
        host_setup_read_routes(l, route);
        fclose(route);
    }
    FILE *v6 = fopen("/proc/net/ipv6_route", "r");
    l->ipv6_default_route = false;
    l->ipv6_gateway[0] = '\0';
    if (v6 != NULL) { /* absent when IPv6 is disabled: no IPv6 route then */
        host_setup_read_v6_routes(l, v6);
        fclose(v6);
    }
    if (!l->has_default_route)
        l->has_default_route = l->ipv6_default_route;
    l->can_raw_socket = can_open(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    l->can_ping_socket = can_open(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    l->can_capture = has_cap_net_raw();
}

void stage_host_setup_run(struct evidence *ev, const struct probe_opts *o)
{
    double start = clock_ms_f();
    struct ev_local *l = &ev->local;
    char dmi[128];
    if (list_ifaces(l) < 0) {
        stageio_done(ev, STAGE_LOCAL, STATUS_FAIL, start, errno != 0 ? errno : EIO);
        return;
    }
    gather(l);
    struct ev_address t = {.family = 0};
    int err = pick_target(ev, o, &t) ? find_source(l, &t, o->port) : 0;
    if (t.family != 0)
        l->target = t;
    /* Best effort: without an answer the line names the default gateway,
     * saying that is what it is. */
    if (err == 0 && l->source_address[0] != '\0' && route_get(t.address, &l->route) != 0)
        memset(&l->route, 0, sizeof l->route);
    read_dmi(dmi, sizeof dmi);
    host_setup_hints(l, dmi);
    enum stage_status st = err != 0                       ? STATUS_WARN
                           : l->source_address[0] != '\0' ? STATUS_PASS
                           : l->has_default_route         ? STATUS_PASS
                                                          : STATUS_WARN;
    stageio_done(ev, STAGE_LOCAL, st, start, err);
}
