/*
 * evidence.h - what netprobe's stages observed, as plain data.
 *
 * The stages (probe modules) fill a struct evidence; the verdict is a pure
 * function of it (verdict.h), and the report serialises it (report.h).
 * Nothing here does I/O, so tests can build any evidence by hand.
 *
 * Strings are fixed-size and always NUL-terminated; counts say how many
 * array entries are valid.
 */
#ifndef NETPROBE_EVIDENCE_H
#define NETPROBE_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/addr.h"
#include "common/hello.h"
#include "netprobe/stages/route.h"

#define EV_ADDRS_MAX 16  /* resolved addresses kept */
#define EV_IFACES_MAX 16 /* interfaces listed in the local stage */
#define EV_SIZES_MAX 12  /* echo payload sizes */
#define EV_TEXT_MAX 256  /* free-text reasons and banners */

enum stage_id { STAGE_LOCAL, STAGE_DNS, STAGE_ICMP, STAGE_TCP, STAGE_APP, STAGE_ECHO, STAGE_COUNT };

enum stage_status {
    STATUS_NOT_RUN = 0, /* the stage has not run (yet) */
    STATUS_PASS,
    STATUS_WARN,
    STATUS_FAIL,
    STATUS_SKIP,
};

/* Why a stage was skipped: by the runner, because an earlier stage made
 * it pointless (runner.c's skip_rules[]), or by the stage itself.  The
 * words for each are in stage_text.c. */
enum stage_skip {
    SKIP_NONE = 0,
    SKIP_NO_ICMP_OPTION,  /* runner: --no-icmp */
    SKIP_DNS_FAILED,      /* runner: the name did not resolve */
    SKIP_NO_PING_ADDRESS, /* runner: no address to ping */
    SKIP_NO_TCP_ADDRESS,  /* runner: no address to connect to */
    SKIP_NOT_CONNECTED,   /* runner: no TCP connection */
    SKIP_NOT_CHATD,       /* runner: no chatd hello */
    SKIP_NO_SIZES,        /* runner: no echo sizes */
    SKIP_ICMP_OPTION,     /* icmp: --no-icmp */
    SKIP_ICMP_NO_TARGET,  /* icmp: no address of the family */
    SKIP_ICMP_CANNOT,     /* icmp: no socket to ping with (err says why) */
    SKIP_TCP_NO_TARGET,   /* tcp: no address of the family */
    SKIP_APP_NO_CONN,     /* app: no open connection */
    SKIP_ECHO_NO_CHATD,   /* echo: no chatd */
    SKIP_COUNT
};

/* Common to every stage.  summary and skip_reason are made from the rest
 * of the evidence by stage_text_fill() (stages/stage_text.h), so that a
 * report read back can say them again in another language. */
struct stage_result {
    enum stage_status status;
    double duration_ms;
    char summary[EV_TEXT_MAX];     /* one line for the human output */
    char skip_reason[EV_TEXT_MAX]; /* set when status == STATUS_SKIP */
    enum stage_skip skip;          /* set when status == STATUS_SKIP */
    /* The errno behind a stage that could not do its work (interfaces not
     * listed, no route, no ping socket, no second connection, no echo
     * connection); 0 none. */
    int err;
};

/* How an address is classified (RFC 1918, RFC 6598, ...). */
enum addr_class {
    ADDR_UNKNOWN = 0,
    ADDR_LOOPBACK,
    ADDR_PRIVATE,       /* 10/8, 172.16/12, 192.168/16, fc00::/7 */
    ADDR_CGNAT,         /* 100.64.0.0/10 */
    ADDR_LINK_LOCAL,    /* 169.254/16, fe80::/10 */
    ADDR_DOCUMENTATION, /* 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32 */
    ADDR_PUBLIC,
};

struct ev_address {
    char address[ADDR_TEXT_MAX];
    int family; /* AF_INET or AF_INET6 */
};

struct ev_iface {
    char name[32];
    char address[ADDR_TEXT_MAX];
    int prefix_len;
    char mac[18]; /* "08:00:27:..." or "" */
    int mtu;
};

/* Stage 1: this machine. */
struct ev_local {
    struct ev_iface ifaces[EV_IFACES_MAX];
    size_t iface_count;
    char gateway[ADDR_TEXT_MAX];        /* default IPv4 gateway, "" if none */
    struct route_info route;            /* the kernel's route to the target */
    char source_address[ADDR_TEXT_MAX]; /* what the kernel picks for the target */
    enum addr_class source_class;
    int source_mtu; /* MTU of the interface to the target */
    bool has_default_route;
    bool virtualbox_nat; /* 10.0.2.x with gateway 10.0.2.2 */
    bool virtualbox_vm;  /* MAC 08:00:27 or DMI product "VirtualBox" */
    bool can_raw_socket;
    bool can_ping_socket;
    bool can_capture;
    char hostname[256];
    /* Added for the address families: an IPv6 default route (not on lo),
     * and the 10.0.2.x interface address behind virtualbox_nat (the source
     * address stays empty when the target is IPv6 and there is no route). */
    bool ipv6_default_route;
    char nat_address[ADDR_TEXT_MAX];
    char ipv6_gateway[ADDR_TEXT_MAX]; /* next hop of the IPv6 default route, "" if none */
    /* The address the kernel was asked for a route and a source to, and
     * its family (0: none was asked, the name had no address). */
    struct ev_address target;
};

enum dns_outcome {
    DNS_LITERAL = 0, /* HOST was an address; nothing resolved */
    DNS_OK,
    DNS_NXDOMAIN,    /* the name does not exist */
    DNS_NO_ANSWER,   /* the resolver did not answer in time */
    DNS_NO_RESOLVER, /* no resolver configured */
    DNS_OTHER_FAILURE,
    DNS_NO_FAMILY, /* -4/-6: the name has addresses, none of the family asked for */
};

/* What the dns stage's detail says (stage_text_dns_detail() words it). */
enum dns_detail {
    DNS_DETAIL_NONE = 0,       /* nothing, or a report that did not say */
    DNS_DETAIL_RESOLVER,       /* the resolver's own words, in detail_arg */
    DNS_DETAIL_TIMEOUT,        /* no answer within detail_num ms */
    DNS_DETAIL_NO_FAMILY,      /* -detail_num: only the other family; its addresses in detail_arg */
    DNS_DETAIL_FAMILY_LITERAL, /* -detail_num and HOST is a literal of the other family */
    DNS_DETAIL_NO_RESOURCES,   /* the lookup could not start */
    DNS_DETAIL_COUNT
};

/* Stage 2: the name. */
struct ev_dns {
    enum dns_outcome outcome;
    char detail[EV_TEXT_MAX]; /* why it failed, in words (from detail_kind) */
    enum dns_detail detail_kind;
    char detail_arg[EV_TEXT_MAX]; /* what detail_kind says it holds */
    int detail_num; /* TIMEOUT: the milliseconds waited; NO_FAMILY, FAMILY_LITERAL: 4 or 6 */
    struct ev_address addrs[EV_ADDRS_MAX];
    size_t addr_count;
};

/* An ICMP error seen on a socket's error queue or by the ping socket. */
struct ev_icmp_error {
    bool seen;
    int type;
    int code;
    char from[ADDR_TEXT_MAX]; /* the router or host that sent it */
    char name[48];            /* "admin-prohibited", "port-unreachable", ... */
};

/* Stage 3: ICMP echo. */
struct ev_icmp {
    char method[16]; /* "raw", "dgram" or "" when skipped */
    int sent;
    int received;
    double rtt_min_ms, rtt_avg_ms, rtt_max_ms;
    struct ev_icmp_error error; /* first error answered instead of a reply */
    /* Added for the TTL reference: TTL (IPv6: hop limit) of the first echo
     * reply as it arrived here, 0 unknown.  It tells how far away the
     * target is (verdict_hops_from_ttl) for --trace and --capture. */
    int reply_ttl;
    /* Added for the address families: requests whose sendto() failed (no
     * route to an IPv6 address here) left nothing, and their errno. */
    int not_sent;
    int send_errno;
};

/* nmap's vocabulary for a TCP port. */
enum tcp_state {
    TCP_STATE_UNKNOWN = 0,
    TCP_STATE_OPEN,     /* reason syn-ack */
    TCP_STATE_CLOSED,   /* reason reset */
    TCP_STATE_FILTERED, /* reasons no-response, admin-prohibited, ... */
    TCP_STATE_ERROR,    /* a local error before anything was sent */
};

/* One handshake attempt to one address. */
struct ev_tcp_attempt {
    struct ev_address target;
    enum tcp_state state;
    char reason[32];                    /* nmap reason: "syn-ack", "reset", "no-response",
                                           "admin-prohibited", "host-unreach", "net-unreach",
                                           "port-unreach", "host-prohibited", "net-prohibited",
                                           "no-route", "local-firewall", ... */
    double rtt_ms;                      /* connect time when open */
    int syns_sent;                      /* SYNs sent (1 + retransmissions) when known */
    int local_errno;                    /* errno for TCP_STATE_ERROR, else 0 */
    struct ev_icmp_error icmp;          /* set for an ICMP-caused failure */
    char source_address[ADDR_TEXT_MAX]; /* our side of the connection */
    int source_port;
};

/* This machine's own firewall on the way out, read after no handshake
 * completed (hostfw.h's OUTPUT walk; reading the rules needs root). */
struct ev_local_fw {
    bool read;                    /* a rule set was read and understood */
    bool blocks;                  /* an output chain drops or rejects new connections to the port */
    bool may_block;               /* only rules narrowed by conditions do */
    char rule[EV_TEXT_MAX];       /* the first deciding rule: "inet filter output handle 4: drop" */
    char why_unread[EV_TEXT_MAX]; /* when !read: why (needs root, not installed) */
};

/* Stage 4: TCP handshakes, one per resolved address. */
struct ev_tcp {
    struct ev_tcp_attempt attempts[EV_ADDRS_MAX];
    size_t attempt_count;
    double deadline_ms;          /* the timeout used for each attempt */
    int chosen;                  /* index of the attempt later stages use, -1 if none open */
    struct ev_local_fw local_fw; /* read when no handshake completed */
};

enum app_outcome {
    APP_NOT_RUN = 0,
    APP_CHATD,  /* a valid hello reply */
    APP_OTHER,  /* another service: see banner */
    APP_SILENT, /* connected, nothing came back in time */
    APP_CLOSED, /* the server closed before answering */
    APP_RESET,  /* the server reset before answering */
};

/* How a silent server's TCP took SILENCE_FILL_BYTES of filler
 * (netprobe/silence.h). */
enum silence_split {
    SILENCE_NOT_RUN = 0,
    SILENCE_NOT_READING,  /* the peer's window closed: the program does not read */
    SILENCE_READS,        /* the window stayed open: it reads and does not answer */
    SILENCE_INCONCLUSIVE, /* neither within the deadline (a slow or lossy path) */
    SILENCE_RELAY,        /* a user-space NAT ACKs for the server: not measurable here */
};

/* Stage 5: the netprobe hello. */
struct ev_app {
    enum app_outcome outcome;
    struct hello_info hello;  /* valid when outcome == APP_CHATD */
    char banner[EV_TEXT_MAX]; /* printable first bytes for APP_OTHER */
    /* For APP_SILENT, from TCP_INFO: did the server's kernel ACK our bytes? */
    bool bytes_acked_known;
    bool bytes_acked;
    /* Comparisons derived from the hello (APP_CHATD only). */
    bool client_nat; /* server saw a peer address other than our source */
    bool server_nat; /* server's local address differs from the address dialled */
    /* chatd's own words before it closed: the first "ERR code text" or
     * "NOTICE shutdown text" line (printable), "" when none came. */
    char chatd_said[EV_TEXT_MAX];
    bool chatd_greeted; /* a chatd greeting line (NOTICE welcome, ASK, DIAG) came */
    /* For APP_SILENT: the fill that splits "not reading" from "reads and
     * does not answer", and what TCP_INFO showed at its end. */
    enum silence_split split;
    size_t fill_sent;  /* filler bytes the kernel took from us */
    size_t fill_acked; /* of them, acknowledged by the other end */
    long peer_window;  /* its advertised window at the end, -1 unknown */
};

enum echo_outcome {
    ECHO_NOT_RUN = 0,
    ECHO_OK,
    ECHO_STALLED,  /* no (complete) answer within the timeout */
    ECHO_MISMATCH, /* bytes came back different */
    ECHO_CLOSED,   /* the connection closed or reset */
};

struct ev_echo_size {
    size_t size;
    enum echo_outcome outcome;
    double rtt_ms;
    size_t bytes_back; /* bytes received before a stall/close */
};

/* Stage 6: echo payloads. */
struct ev_echo {
    struct ev_echo_size sizes[EV_SIZES_MAX];
    size_t size_count;
    /* The MTU check: repeat the first stalled size with a small MSS. */
    bool mss_retry_run;
    int mss_retry_mss; /* the MSS we asked for (e.g. 1200) */
    enum echo_outcome mss_retry_outcome;
    int path_mss; /* TCP_MAXSEG seen on the first connection */
    int path_mtu; /* IP_MTU seen, 0 if unknown */
    /* The path MTU search (netprobe/pmtu.h) that follows a stall; the
     * mss_retry fields above then hold its decisive probe. */
    bool mtu_search_run;
    int mtu_probes;       /* connections probed */
    int mtu_floor;        /* the family's minimum MTU, tried first */
    int mtu_pass;         /* largest packet size that passed, 0 none */
    int mtu_fail;         /* smallest packet size that stalled */
    bool mtu_out_of_time; /* PMTU_BUDGET_MS ran out before the search ended */
    double mtu_ms;        /* the search's duration */
    size_t sizes_asked;   /* sizes asked for; fewer ran when chatd's echo_max refused some */
    /* chatd's first reason to close on an echo or MTU-probe connection
     * ("ERR too_many_connections ..."), printable; "" if none came. */
    char chatd_said[EV_TEXT_MAX];
};

/* --trace: where the path goes silent, for the order of
 * the causes.  main copies it from trace.h's result; the verdict reads it. */
struct ev_trace {
    bool run;                   /* --trace ran to the end */
    char target[ADDR_TEXT_MAX]; /* the address traced */
    bool reached;               /* the target itself answered */
    int last_answer_hop;        /* TTL of the last hop that answered, 0 if none */
    char last_answer_from[ADDR_TEXT_MAX];
    int target_hops_guess; /* hops to the target from a TTL it sent, 0 unknown */
    /* The target "answered" a probe whose TTL could not cross a router
     * although it is not on this machine's link: a relay answered for it
     * (trace.h, TRACE_RELAYED). */
    bool relay_answered;
};

/* --capture: what the wire showed, as the verdict needs
 * it.  main copies it from capture.h's summary. */
struct ev_capture {
    bool run; /* the capture ran (permission and all) */
    int syns_sent;
    int syn_retransmits;
    int synacks;
    int synack_mss; /* -1 when no SYN-ACK */
    int resets;
    int icmp_errors;
    struct ev_icmp_error first_icmp;
    int retransmits; /* data segments sent again */
    bool forged_reset;
    char forged_detail[EV_TEXT_MAX];
    /* Added for the TTL reference: a reset's TTL was compared with a TTL
     * the target itself sent (SYN-ACK, its ICMP error or its echo reply),
     * so forged_reset means something.  false: the reset's origin is
     * unconfirmed. */
    bool reset_compared;
    /* TTLs as they arrived, -1 when none: what relay.h reads to tell the
     * target's own packets from a relay's. */
    int synack_ttl;
    int reset_ttl;
};

/* Everything one run observed. */
struct evidence {
    char host[256];
    int port;
    int family_pref; /* 0 any, 4 or 6 */
    double timeout_ms;
    struct stage_result stages[STAGE_COUNT];
    struct ev_local local;
    struct ev_dns dns;
    struct ev_icmp icmp;
    struct ev_tcp tcp;
    struct ev_app app;
    struct ev_echo echo;
    struct ev_trace trace;     /* --trace */
    struct ev_capture capture; /* --capture */
};

/* Stable names for JSON and logs. */
const char *stage_name(enum stage_id id);
const char *stage_status_name(enum stage_status s);
const char *tcp_state_name(enum tcp_state s);
const char *addr_class_name(enum addr_class c);
const char *dns_outcome_name(enum dns_outcome o);
const char *app_outcome_name(enum app_outcome o);
const char *echo_outcome_name(enum echo_outcome o);
const char *silence_split_name(enum silence_split s);
const char *stage_skip_name(enum stage_skip s);
const char *dns_detail_name(enum dns_detail d);

/* Copies stage id's result and evidence from src to dst (the rest of dst
 * is untouched): an interrupted run reports the stages finished so far. */
void evidence_copy_stage(struct evidence *dst, const struct evidence *src, enum stage_id id);

/* Sets every field to its "not run" value. */
void evidence_init(struct evidence *ev, const char *host, int port);

#endif
