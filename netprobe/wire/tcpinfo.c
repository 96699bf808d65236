/*
 * tcpinfo.c - TCP_INFO, read with the kernel's own struct: glibc's copy in
 * <netinet/tcp.h> stops before the fields netprobe needs (bytes acked, not
 * sent, the peer's window), so this file alone includes <linux/tcp.h>.
 */
#include "netprobe/wire/tcpinfo.h"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

/* The kernel fills as much of the struct as it knows and says how much in
 * len: a field past that is from a newer kernel than this one. */
#define HAS_FIELD(len, field)                                                                      \
    ((size_t)(len) >= offsetof(struct tcp_info, field) + sizeof(((struct tcp_info *)0)->field))

int tcpinfo_read(int fd, struct tcpinfo_sample *out)
{
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    memset(&ti, 0, sizeof ti);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
        return -1;
    out->unacked = ti.tcpi_unacked;
    out->bytes_acked = HAS_FIELD(len, tcpi_bytes_acked) ? ti.tcpi_bytes_acked : 0;
    out->notsent = HAS_FIELD(len, tcpi_notsent_bytes) ? ti.tcpi_notsent_bytes : 0;
    out->peer_window = HAS_FIELD(len, tcpi_snd_wnd) ? (long)ti.tcpi_snd_wnd : -1;
    return 0;
}
