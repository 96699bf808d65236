/*
 * silence.c - the rule that splits a silent server (silence.h).
 */
#include "netprobe/silence.h"

/* The peer's window is shut: either it says so (zero), or our kernel holds
 * data back while nothing is in flight, which it does only for a window
 * with no room (older kernels do not report the window itself). */
static bool window_closed(const struct silence_measure *m)
{
    return m->window_end == 0 || (m->notsent > 0 && m->unacked == 0);
}

enum silence_split silence_decide(const struct silence_measure *m)
{
    if (m->relay)
        return SILENCE_RELAY;
    if (m->sent == 0)
        return SILENCE_INCONCLUSIVE;
    if (window_closed(m))
        return SILENCE_NOT_READING;
    /* A window that shrank by half while everything was ACKed is a buffer
     * filling up slowly, not a program reading. */
    bool shrunk = m->window_start > 0 && m->window_end >= 0 && m->window_end * 2 < m->window_start;
    if (m->sent >= m->budget && m->acked >= m->sent && !shrunk)
        return SILENCE_READS;
    return SILENCE_INCONCLUSIVE;
}
