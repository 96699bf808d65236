/*
 * beat.h - the client's heartbeat, as a clock-driven state machine.
 *
 * After interval_ms of silence from the server, send "/ping TOKEN"; each
 * further interval without any line sends another; when `misses` pings in
 * a row went unanswered for a whole interval the server is gone.  Any line
 * from the server counts as an answer.  Pure: the caller passes the time.
 */
#ifndef CHAT_BEAT_H
#define CHAT_BEAT_H

#include <stddef.h>

enum beat_action {
    BEAT_NONE = 0, /* nothing to do yet */
    BEAT_PING,     /* send "/ping TOKEN" (token written by beat_tick) */
    BEAT_DEAD,     /* the server stopped answering */
};

struct beat {
    long long last_rx_ms;   /* when the server last sent a line */
    long long last_ping_ms; /* when we last sent /ping */
    long long interval_ms;
    int misses;     /* pings allowed to go unanswered */
    int unanswered; /* pings sent since the last line from the server */
    unsigned seq;   /* numbers the tokens */
};

void beat_init(struct beat *b, long long now_ms, long long interval_ms, int misses);

/* Records a line from the server: the silence is over. */
void beat_rx(struct beat *b, long long now_ms);

/* Says what to do at now_ms.  For BEAT_PING writes the token into token. */
enum beat_action beat_tick(struct beat *b, long long now_ms, char *token, size_t cap);

/* Milliseconds until beat_tick() next has something to do (>= 0). */
long long beat_wait_ms(const struct beat *b, long long now_ms);

/* Seconds the server has been silent (for the message). */
long long beat_silent_sec(const struct beat *b, long long now_ms);

#endif
