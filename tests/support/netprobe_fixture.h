/*
 * netprobe_fixture.h - evidence the verdict tests start from.
 *
 * Included by the netprobe_verdict* unit tests (each test file is its own
 * program, so these are static inline).  203.0.113.10 port 8888 is the
 * server; 192.168.1.20 is our side.
 */
#ifndef TESTS_NETPROBE_FIXTURE_H
#define TESTS_NETPROBE_FIXTURE_H

#include <stdio.h>
#include <sys/socket.h>

#include "netprobe/evidence.h"

static inline void add_attempt(struct evidence *ev, const char *addr, int family, enum tcp_state st,
                               const char *reason)
{
    struct ev_tcp_attempt *a = &ev->tcp.attempts[ev->tcp.attempt_count++];
    snprintf(a->target.address, sizeof a->target.address, "%s", addr);
    a->target.family = family;
    a->state = st;
    snprintf(a->reason, sizeof a->reason, "%s", reason);
    a->syns_sent = st == TCP_STATE_FILTERED ? 2 : 1;
    a->rtt_ms = st == TCP_STATE_OPEN ? 20.0 : 1500.0;
    snprintf(a->source_address, sizeof a->source_address, "192.168.1.20");
}

/* A run where everything worked: the starting point of every case. */
static inline void healthy(struct evidence *ev)
{
    evidence_init(ev, "203.0.113.10", 8888);
    ev->timeout_ms = 1500;
    ev->dns.outcome = DNS_LITERAL;
    snprintf(ev->dns.addrs[0].address, ADDR_TEXT_MAX, "203.0.113.10");
    ev->dns.addrs[0].family = AF_INET;
    ev->dns.addr_count = 1;
    ev->tcp.deadline_ms = 1500;
    add_attempt(ev, "203.0.113.10", AF_INET, TCP_STATE_OPEN, "syn-ack");
    ev->tcp.chosen = 0;
    ev->app.outcome = APP_CHATD;
    snprintf(ev->app.hello.server, sizeof ev->app.hello.server, "chatd");
    snprintf(ev->app.hello.mode, sizeof ev->app.hello.mode, "chat");
    snprintf(ev->app.hello.peer.address, ADDR_TEXT_MAX, "192.168.1.20");
    snprintf(ev->app.hello.local.address, ADDR_TEXT_MAX, "203.0.113.10");
    static const size_t sizes[] = {16, 1024, 1400, 4096};
    for (size_t i = 0; i < 4; i++) {
        ev->echo.sizes[i].size = sizes[i];
        ev->echo.sizes[i].outcome = ECHO_OK;
        ev->echo.sizes[i].bytes_back = sizes[i];
    }
    ev->echo.size_count = 4;
}

/* Replaces the open attempt with one that failed. */
static inline void fail_tcp(struct evidence *ev, enum tcp_state st, const char *reason)
{
    ev->tcp.attempt_count = 0;
    ev->tcp.chosen = -1;
    ev->app.outcome = APP_NOT_RUN;
    ev->echo.size_count = 0;
    add_attempt(ev, "203.0.113.10", AF_INET, st, reason);
}

/* A silent drop: two SYNs to 203.0.113.10 port 8888, no answer. */
static inline void dropped(struct evidence *ev)
{
    healthy(ev);
    fail_tcp(ev, TCP_STATE_FILTERED, "no-response");
}

#endif
