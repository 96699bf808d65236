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

#endif
