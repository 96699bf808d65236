/*
 * capture.h - what the wire showed while netprobe talked to the target.
 *
 * A libpcap capture on the interface that carries the traffic, filtered to
 * the target host and port plus ICMP errors, runs in its own thread from
 * before the tcp stage until after echo.  The summary counts SYNs sent and
 * retransmitted, the SYN-ACK (TTL, MSS, window), resets and their TTL, ICMP
 * errors about our packets, data retransmissions and zero windows, and
 * flags a reset whose TTL does not fit the host's other answers (a reset
 * forged by a middlebox).  Only headers are captured: chat text stays out
 * of --pcap files.
 *
 * The filter also takes the target's ICMP echo replies (the icmp stage's
 * pings, which the runner sends while the capture runs): when every SYN is
 * reset there is no SYN-ACK, and the echo reply is then the only TTL the
 * target itself sent to compare the reset's TTL with.
 *
 * Capturing needs root or CAP_NET_RAW; without it the capture is skipped
 * with that reason, never failed.
 */
#ifndef NETPROBE_CAPTURE_H
#define NETPROBE_CAPTURE_H

#include <stdbool.h>

#include <pcap/pcap.h>

#include "netprobe/evidence.h"
#include "netprobe/wire/pcap_parse.h"

#define CAPTURE_FLOWS_MAX 16 /* connections tracked for retransmissions */

/* What a capture saw.  Counts are of packets matching target and port. */
struct capture_summary {
    bool ran;    /* false: skipped or failed, see skip_reason */
    bool failed; /* ran == false because of an error, not a permission */
    char skip_reason[EV_TEXT_MAX];
    char iface[32];
    char filter[256];
    unsigned packets;
    int syns_sent;
    int syn_retransmits; /* SYNs that repeat an earlier SYN's port and sequence */
    int synacks;
    int synack_ttl, synack_mss, synack_window; /* first SYN-ACK; -1 when none */
    int resets;
    int reset_ttl; /* first reset received; -1 when none */
    int icmp_errors;
    struct ev_icmp_error first_icmp;
    int icmp_ttl;        /* TTL of the first ICMP error; -1 when none */
    int target_icmp_ttl; /* TTL of an ICMP error the target itself sent; -1 when none */
    int retransmits;     /* data segments we sent again */
    int zero_windows;    /* segments received advertising window 0 */
    int echo_replies;    /* the target's ICMP echo replies (the icmp stage's pings) */
    int echo_ttl;        /* TTL of the first of them; -1 when none */
    /* An outside reference: a TTL the target sent, seen elsewhere (e.g. by
     * the icmp stage); -1 none.  capture_start sets -1; a caller may set it
     * before capture_stop, which keeps it; capture_finish uses it last. */
    int ref_ttl;
    /* What the reset's TTL was compared with: "synack", "target_icmp",
     * "echo_reply", "reference", or "" when nothing was (origin unconfirmed). */
    const char *reset_compared_with;
    bool forged_reset; /* a reset's TTL does not fit the host's other answers */
    char forged_detail[EV_TEXT_MAX];
    char pcap_path[256]; /* where --pcap saved the packets, "" when not saving */
    unsigned dumped;
    /* Bookkeeping for capture_account(); not part of the result. */
    struct {
        int sport;
        unsigned syn_seq;
        bool syn_seen;
        unsigned next_seq; /* highest sequence end sent so far */
        bool data_seen;
    } flows[CAPTURE_FLOWS_MAX];
    int flow_count;
};

struct capture_opts {
    const char *target; /* the address dialled, as text (addr_format) */
    int port;
    const char *iface;     /* NULL: the interface the kernel routes target through */
    const char *pcap_path; /* --pcap FILE, or NULL */
};

struct capture;

/* Empties s (every TTL/MSS "unknown"). */
void capture_summary_init(struct capture_summary *s);

/* Counts one parsed packet into s: pure, used by the capture thread and by
 * tests with hand-built packets. */
void capture_account(struct capture_summary *s, const struct pp_packet *pk, const char *target,
                     int port);

/* Decides forged_reset from the counts (call once the capture is over).
 * The reset's TTL is compared with the first TTL the target itself sent:
 * its SYN-ACK, else its own ICMP error, else its echo reply, else ref_ttl.
 * With none of them, or when the reset's TTL and that reference are two
 * different initial values no router lowered (made on this machine's link
 * by two stacks, as behind VirtualBox's NAT: relay.h), reset_compared_with
 * stays "" and the reset is not called forged, nor genuine. */
void capture_finish(struct capture_summary *s);

/* True when a reset with TTL rst_ttl cannot come from the host whose other
 * answers arrive with TTL ref_ttl: its hop count (distance below the
 * nearest usual initial TTL 32/64/128/255) or initial TTL differ. */
bool capture_ttl_mismatch(int ref_ttl, int rst_ttl);

/* The interface whose address the kernel would use to reach target
 * (connects a UDP socket; sends nothing).  Returns 0 or -1. */
int capture_iface_for(const char *target, char *iface, size_t cap);

/* Starts capturing.  Returns 0 and *out; 1 when skipped for lack of
 * permission, -1 on another error; in both cases *out is NULL and
 * result->skip_reason says why. */
int capture_start(const struct capture_opts *o, struct capture **out,
                  struct capture_summary *result);

/* Stops the thread (after a last drain), closes the --pcap file and
 * fills *result, keeping the result->ref_ttl the caller set.  Frees c. */
void capture_stop(struct capture *c, struct capture_summary *result);

/* Opens iface ("any" for every interface) for live capture of packet
 * headers with a BPF filter, immediate mode, non-blocking.  Returns the
 * handle, or NULL with why set; *no_permission tells a missing root /
 * CAP_NET_RAW apart from other errors.  Shared with watch.c. */
pcap_t *capture_open_live(const char *iface, const char *filter, char *why, size_t whycap,
                          bool *no_permission);

#endif
