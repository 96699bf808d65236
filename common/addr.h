/*
 * addr.h - socket addresses as text, the same way everywhere.
 */
#ifndef COMMON_ADDR_H
#define COMMON_ADDR_H

#include <arpa/inet.h>
#include <stddef.h>
#include <sys/socket.h>

/* Big enough for any IPv6 text plus a zone. */
#define ADDR_TEXT_MAX 64

/* Writes sa's address into text (IPv4-mapped IPv6 as plain IPv4) and its
 * port into *port (if port is not NULL).  Returns 0, or -1 for an address
 * family other than IPv4/IPv6 (text is then "?"). */
int addr_format(const struct sockaddr *sa, char text[ADDR_TEXT_MAX], int *port);

/* Formats "ADDR port N" ("[ADDR]:N" style is avoided on purpose: students
 * copy addresses from our messages into other commands). */
void addr_format_endpoint(const struct sockaddr *sa, char *out, size_t cap);

/* Fills ss with the numeric IPv4 or IPv6 address text (a zone such as
 * "fe80::1%eth0" is kept) and port.  Never resolves a name.  Returns 0, or
 * -1 when text is not an address. */
int addr_parse(const char *text, int port, struct sockaddr_storage *ss, socklen_t *len);

/* What a person typed as the server: "HOST", "HOST:PORT", "[IPv6]:PORT" or
 * a bare IPv6 address, with surrounding white space ignored.  Writes the
 * host into host (cap bytes) and, when a port was given, the port into
 * *port.  Returns 1 (a port was given), 0 (no port: *port untouched) or -1
 * with err saying what is wrong and showing the right form (a URL such as
 * "http://...", an empty host, a bad port). */
int addr_split_target(const char *arg, char *host, size_t cap, int *port, char *err,
                      size_t errcap);

#endif
