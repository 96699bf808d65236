/*
 * local_fw.c - this machine's outgoing firewall rules (local_fw.h).
 */
#include "netprobe/stages/local_fw.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/i18n.h"
#include "netprobe/server/hostfw.h"

/* "inet filter output handle 4: drop", or "OUTPUT policy drop". */
static void describe_hit(const struct hostfw_hit *h, char *out, size_t cap)
{
    if (h->handle < 0)
        snprintf(out, cap, "%s%s%s %s %s", h->family, h->family[0] ? " " : "", h->table, h->chain,
                 h->detail);
    else if (h->family[0] != '\0')
        snprintf(out, cap, "%s %s %s handle %ld: %s", h->family, h->table, h->chain, h->handle,
                 h->detail);
    else
        snprintf(out, cap, "%s %s rule %ld: %s", h->table, h->chain, h->handle, h->detail);
}

void local_fw_read(int port, int timeout_ms, struct ev_local_fw *out)
{
    struct hostfw_result r;
    memset(out, 0, sizeof *out);
    /* Unprivileged, nft and iptables-save only fail: not worth two forks. */
    if (geteuid() != 0) {
        snprintf(out->why_unread, sizeof out->why_unread, "%s",
                 _("reading them needs root (sudo netprobe ...)"));
        return;
    }
    hostfw_read_dir(HOSTFW_OUTGOING, port, timeout_ms, &r);
    if (!r.available) {
        snprintf(out->why_unread, sizeof out->why_unread, "%s", r.reason);
        return;
    }
    out->read = true;
    out->blocks = r.blocks;
    out->may_block = r.may_block;
    /* The first rule that blocks is the one to name; accept rules that
     * name the port come first in hits but decide nothing against us. */
    for (size_t i = 0; i < r.hit_count; i++)
        if (r.hits[i].action != HOSTFW_ACCEPT && (!r.hits[i].conditional || !r.blocks)) {
            describe_hit(&r.hits[i], out->rule, sizeof out->rule);
            break;
        }
}
