/*
 * local_fw.h - this machine's own firewall on the way out, for the tcp
 * stage: read when no handshake completed, so a rule that stops our SYNs
 * is named instead of blamed on the server's side.
 */
#ifndef NETPROBE_STAGES_LOCAL_FW_H
#define NETPROBE_STAGES_LOCAL_FW_H

#include "netprobe/evidence.h"

/* Fills out from the output chains for TCP port (hostfw.h, outgoing),
 * bounded to timeout_ms per tool.  Reading the rules needs root; without
 * it nothing runs and out->why_unread says so.  Never fails. */
void local_fw_read(int port, int timeout_ms, struct ev_local_fw *out);

#endif
