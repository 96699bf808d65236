/*
 * silence.h - splitting a silent server by what its TCP does with our bytes.
 *
 * A server that accepts and never answers is either not reading (its
 * receive buffer fills and the advertised window closes) or reading and
 * not answering (the window stays open however much we send).  The app
 * stage sends SILENCE_FILL_BYTES and measures; silence_decide() is the
 * rule, a pure function of those measurements, so tests can feed it any.
 */
#ifndef NETPROBE_SILENCE_H
#define NETPROBE_SILENCE_H

#include <stdbool.h>
#include <stddef.h>

#include "netprobe/evidence.h"

/* Filler sent to a silent server.  More than any receive buffer a default
 * Linux gives a program that does not read (net.core.rmem_max 208 KiB,
 * doubled by the kernel for bookkeeping), so a peer that ACKs it all while
 * its window stays open has read it.  A peer with a larger buffer set by
 * hand could pass for one that reads: docs/troubleshooting.md says so. */
#define SILENCE_FILL_BYTES (512u * 1024u)

/* What TCP_INFO showed at the end of the fill, plus what we know of the
 * path.  Byte counts are of the filler alone. */
struct silence_measure {
    size_t budget;     /* filler we meant to send */
    size_t sent;       /* filler the kernel took from us */
    size_t acked;      /* filler acknowledged by the peer */
    size_t notsent;    /* bytes queued here that the window did not let out */
    size_t unacked;    /* segments in flight, not yet acknowledged */
    long window_start; /* peer's advertised window before the fill, -1 unknown */
    long window_end;   /* and at the end, -1 unknown */
    bool relay;        /* a user-space NAT (VirtualBox) ACKs in the peer's place */
};

/* The split, from m alone (docs/troubleshooting.md#connected_silent):
 * behind a relay nothing about the server can be said; a closed window
 * (zero, or data held back with nothing in flight) means not reading; all
 * of the budget ACKed with the window still at least half open means it
 * reads; anything else is inconclusive. */
enum silence_split silence_decide(const struct silence_measure *m);

#endif
