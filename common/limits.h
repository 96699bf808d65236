/*
 * limits.h - every limit and default of the chat system, in one place.
 *
 * Each constant says what happens when it is exceeded.  docs/protocol.md
 * quotes these values; change both together.
 */
#ifndef COMMON_LIMITS_H
#define COMMON_LIMITS_H

#define CHAT_VERSION "1.0.0"

/* TCP port chatd listens on and chat/netprobe dial when none is given. */
#define CHAT_DEFAULT_PORT 8888

/* Longest protocol line in bytes, LF included.  A longer line gets
 * "ERR line_too_long", its rest up to the next LF is discarded, and the
 * connection stays open. */
#define PROTO_LINE_MAX 1024

/* Longest name in bytes.  Longer names get "ERR name_invalid". */
#define PROTO_NAME_MAX 16

/* Longest heartbeat token (/ping, /pong, PING, PONG).  Longer: bad_args. */
#define PROTO_TOKEN_MAX 32

/* Longest netprobe hello nonce.  Longer: "ERR bad_hello" and close. */
#define HELLO_NONCE_MAX 64

/* Longest hello reply line netprobe parses, in bytes (LF not counted), and
 * deepest nesting of arrays and objects in it (the reply itself uses 3).
 * A longer or deeper reply is not chatd's: netprobe reports the port as
 * held by another service, and cJSON never sees it. */
#define HELLO_REPLY_MAX 4096
#define HELLO_REPLY_DEPTH_MAX 8

/* Largest echo payload after the hello.  Larger: "ERR bad_args" and close. */
#define HELLO_ECHO_MAX (1024 * 1024)

/* The slow-consumer rule (chatd --sendq-*), after Redis' pubsub limit
 * (32 MB hard, 8 MB soft for 60 s) scaled to lines of at most 1 KiB.  A
 * client whose pending output would pass the hard cap, or stays over the
 * soft cap for longer than the grace time, is disconnected
 * ("send_queue_full", the log gives the figures); nobody else waits for
 * it.  8 MiB is 8,000 of the longest lines: a burst of 200 senders x 25
 * such lines fits with room to spare.  Queued lines are shared between
 * clients, so these count what a client has pending, not memory. */
#define CHATD_SENDQ_HARD_KIB 8192
#define CHATD_SENDQ_SOFT_KIB 2048
#define CHATD_SENDQ_GRACE_SEC 30

/* Memory all output queues together may use (shared lines and the
 * references to them).  Past it, the client with the most pending output
 * is disconnected, one per loop iteration, until the total is under it. */
#define CHATD_SENDQ_TOTAL_MIB 256

/* Seconds a client may take to choose a name before it is dropped. */
#define CHATD_NAME_TIMEOUT_SEC 60

/* Seconds a client may leave a line half-sent before it is dropped,
 * counted from the first byte of the line: bytes trickling in do not
 * restart it. */
#define CHATD_PARTIAL_LINE_SEC 30

/* Seconds bytes may sit without an LF before chatd logs what arrived and
 * that lines must end in \n (once per connection; home-made clients). */
#define CHATD_NO_NEWLINE_HINT_SEC 5

/* Every /who reply line is shorter than this, LF included.  The names that
 * do not fit in "OK who COUNT NAME..." follow in "OK who+ NAME..." lines. */
#define CHATD_WHO_LINE_MAX 512

/* Default seconds of silence from a client before chatd sends PING. */
#define CHATD_HEARTBEAT_SEC 60

/* Default seconds a client may send nothing at all (0 = never dropped). */
#define CHATD_IDLE_TIMEOUT_SEC 600

/* Flood limit: lines a client may send in a burst, then lines per second.
 * Past it chatd stops reading that client until tokens return. */
#define CHATD_FLOOD_BURST 50
#define CHATD_FLOOD_RATE 20

/* Default cap on simultaneous clients; the real cap is also bounded by the
 * open-file limit.  Past it: "ERR server_full" and close. */
#define CHATD_MAX_CLIENTS_DEFAULT 100000

/* Connections one source address (an IPv4 address or an IPv6 /64) may
 * hold at once, and how many it may open per second after a burst of
 * CHATD_MAX_PER_IP (--max-per-ip, --conn-rate; 0 = no limit).  Loopback is
 * counted like any address.  Past either: "ERR too_many_connections" and
 * close, logged once per address per minute. */
#define CHATD_MAX_PER_IP 32
#define CHATD_CONN_RATE 10

/* Flood limit in bytes: what a client may make chatd send per line it
 * sends, counted after sanitizing (an invalid byte becomes the 3 bytes of
 * U+FFFD, so it costs 3), a burst then bytes per second.  Past it chatd
 * stops reading that client like the line limit does.  This bounds the
 * output one client causes per receiver whatever it sends. */
#define CHATD_FLOOD_BYTE_BURST (64 * 1024)
#define CHATD_FLOOD_BYTE_RATE (16 * 1024)

/* Seconds a netprobe echo exchange may last from the hello, however busy;
 * then "ERR timeout" and close (--echo-lifetime).  netprobe needs about a
 * second. */
#define CHATD_ECHO_LIFETIME_SEC 60

/* Above this many named clients, joins and leaves are no longer announced
 * one by one: they are summed up in one "NOTICE presence" per
 * CHATD_PRESENCE_MS (docs/protocol.md).  A join storm into a big room would
 * otherwise cost N x N notice lines.  Here, not in chatd/, because
 * chatbench waits for the last summary before it measures. */
#define CHATD_PRESENCE_THRESHOLD 200
#define CHATD_PRESENCE_MS 1000

/* Seconds an echo exchange may go without a byte from the prober while
 * chatd reads it (--echo-silence): netprobe sends its requests back to
 * back, so such a silence means its bytes are lost on the way (an MTU
 * black hole eats the payload, and the FIN queued behind it) or it is
 * gone; the connection would otherwise hold one of its address's
 * --max-per-ip places for the whole lifetime. */
#define CHATD_ECHO_SILENCE_SEC 10

/* Bytes per second chatd echoes back to one prober after a burst of
 * CHATD_ECHO_BYTE_BURST (--echo-rate); past it chatd stops reading the
 * prober until the budget returns.  netprobe's echo stage sends about
 * 90 KB, well inside the burst. */
#define CHATD_ECHO_BYTE_BURST (2 * 1024 * 1024)
#define CHATD_ECHO_BYTE_RATE (1024 * 1024)

/* Seconds chat waits for connect() before reporting a timeout. */
#define CHAT_CONNECT_TIMEOUT_SEC 5

/* Happy Eyeballs (RFC 8305): chat starts connecting to the next address
 * this many milliseconds after the previous attempt, unless that one
 * already failed; the first to connect wins. */
#define CHAT_CONNECT_STAGGER_MS 250

/* Seconds chat waits for chatd's greeting (chatd greets at once).  Past
 * it chat says the program on the port is not chatd or is hung; over a
 * pipe it then exits 1 (--greet-timeout). */
#define CHAT_GREET_TIMEOUT_SEC 3

/* Interactive chat reconnects after a drop: it waits 1, 2, 4 ... seconds
 * between attempts (with jitter), never more than this. */
#define CHAT_RECONNECT_MAX_SEC 30

/* chat's heartbeat: after this many seconds of silence from the server it
 * sends "/ping TOKEN"; after CHAT_HEARTBEAT_MISSES unanswered pings in a
 * row it reports the server as gone and exits 1. */
#define CHAT_HEARTBEAT_SEC 60
#define CHAT_HEARTBEAT_MISSES 3

/* Seconds chat (reading a pipe) waits for the server to close after it sent
 * /quit at the end of its input.  Past it chat gives up and exits 1. */
#define CHAT_QUIT_WAIT_SEC 5

#endif
