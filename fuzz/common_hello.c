/*
 * Fuzz target: common/hello.c, the netprobe hello (chatd parses the
 * request, netprobe parses the reply: both come from strangers).
 *
 * The input is tried as all three: a request line, a reply line, an echo
 * request.  Invariants: a request that parses has a nonce of the
 * documented alphabet and length and survives format -> parse; a reply
 * that parses holds only text that may be shown, numeric addresses and
 * in-range numbers, and build -> parse gives it back equal; an echo
 * length is within 1..HELLO_ECHO_MAX and is what the digits say.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hello.h"
#include "fuzz/support/check.h"

static void check_request(const char *line, size_t len)
{
    int version = -1;
    char nonce[HELLO_NONCE_MAX + 1];
    enum hello_kind k = hello_parse_request(line, len, &version, nonce);
    bool prefixed = len >= 8 && memcmp(line, "NETPROBE", 8) == 0 && (len == 8 || line[8] == ' ');
    FUZZ_CHECK((k == HELLO_NOT) == !prefixed, "kind %d for a line%s starting NETPROBE", (int)k,
               prefixed ? "" : " not");
    if (k != HELLO_OK)
        return;
    size_t nlen = strlen(nonce);
    FUZZ_CHECK(nlen >= 1 && nlen <= HELLO_NONCE_MAX && version >= 0, "nonce %zu bytes", nlen);
    FUZZ_CHECK(strspn(nonce, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") ==
                   nlen,
               "nonce outside its alphabet");
    char again[HELLO_NONCE_MAX + 32], nonce2[HELLO_NONCE_MAX + 1];
    int n = hello_format_request(again, sizeof again, nonce);
    FUZZ_CHECK(n > 0 && again[n - 1] == '\n', "format gave %d", n);
    FUZZ_CHECK(hello_parse_request(again, (size_t)n - 1, &version, nonce2) == HELLO_OK &&
                   version == HELLO_VERSION && strcmp(nonce, nonce2) == 0,
               "request does not round-trip");
}

static void check_endpoint(const struct hello_endpoint *e, const char *what)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    fuzz_check_shown_text(e->address, strlen(e->address), what);
    FUZZ_CHECK(addr_parse(e->address, 0, &ss, &sslen) == 0, "%s address not numeric", what);
    FUZZ_CHECK(e->port >= 0 && e->port <= 65535, "%s port %d", what, e->port);
}

/* Everything a parsed reply holds is safe to print and in range. */
static void check_reply_fields(const struct hello_info *h)
{
    const char *strings[] = {h->nonce, h->server, h->version, h->hostname, h->mode};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        fuzz_check_shown_text(strings[i], strlen(strings[i]), "reply string");
    check_endpoint(&h->peer, "peer");
    check_endpoint(&h->local, "local");
    FUZZ_CHECK(h->listen_count <= HELLO_LISTEN_MAX, "listen_count %zu", h->listen_count);
    for (size_t i = 0; i < h->listen_count; i++)
        check_endpoint(&h->listen[i], "listen");
    FUZZ_CHECK(h->echo_max >= 0 && h->echo_max <= 1L << 30, "echo_max %ld", h->echo_max);
}

static bool endpoint_equal(const struct hello_endpoint *a, const struct hello_endpoint *b)
{
    return strcmp(a->address, b->address) == 0 && a->port == b->port;
}

static bool info_equal(const struct hello_info *a, const struct hello_info *b)
{
    bool same = a->netprobe == b->netprobe && strcmp(a->nonce, b->nonce) == 0 &&
                strcmp(a->server, b->server) == 0 && strcmp(a->version, b->version) == 0 &&
                strcmp(a->hostname, b->hostname) == 0 && strcmp(a->mode, b->mode) == 0 &&
                endpoint_equal(&a->peer, &b->peer) && endpoint_equal(&a->local, &b->local) &&
                a->listen_count == b->listen_count && a->echo_max == b->echo_max;
    for (size_t i = 0; same && i < a->listen_count; i++)
        same = endpoint_equal(&a->listen[i], &b->listen[i]);
    return same;
}

static void check_reply(const char *line)
{
    static struct hello_info first, second;
    char err[128];
    if (hello_reply_parse(line, &first, err, sizeof err) != 0) {
        FUZZ_CHECK(err[0] != '\0', "failure without a reason");
        return;
    }
    check_reply_fields(&first);
    char *built = hello_reply_build(&first);
    FUZZ_CHECK(built != NULL, "build failed");
    size_t blen = strlen(built);
    FUZZ_CHECK(blen > 1 && built[0] == '{' && strchr(built, '\n') == built + blen - 1,
               "the built reply is not one JSON line");
    FUZZ_CHECK(hello_reply_parse(built, &second, err, sizeof err) == 0, "rebuilt: %s", err);
    FUZZ_CHECK(info_equal(&first, &second), "parse -> build -> parse changed the reply");
    free(built);
}

static void check_echo(const char *line, size_t len)
{
    size_t n = 0;
    int rc = hello_parse_echo(line, len, &n);
    if (rc == 0) {
        FUZZ_CHECK(len == 4 && memcmp(line, "QUIT", 4) == 0, "QUIT for another line");
    } else if (rc == 1) {
        FUZZ_CHECK(n >= 1 && n <= HELLO_ECHO_MAX, "echo length %zu", n);
        FUZZ_CHECK(len > 5 && len <= 14 && memcmp(line, "ECHO ", 5) == 0, "not ECHO N");
        size_t v = 0;
        for (size_t i = 5; i < len; i++) {
            FUZZ_CHECK(line[i] >= '0' && line[i] <= '9', "non-digit in the length");
            v = v * 10 + (size_t)(line[i] - '0');
        }
        FUZZ_CHECK(v == n, "length %zu, digits say %zu", n, v);
    } else {
        FUZZ_CHECK(rc == -1, "rc %d", rc);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy for the length-based parsers, a NUL-terminated one
     * for the JSON parser (the reply reaches it as a C string). */
    char *line = malloc(size > 0 ? size : 1), *cstr = malloc(size + 1);
    FUZZ_CHECK(line != NULL && cstr != NULL, "out of memory");
    memcpy(line, data, size);
    memcpy(cstr, data, size);
    cstr[size] = '\0';
    check_request(line, size);
    check_echo(line, size);
    check_reply(cstr);
    free(cstr);
    free(line);
    return 0;
}
