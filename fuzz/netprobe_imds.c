/*
 * Fuzz target: netprobe's reading of the EC2 metadata service's answers
 * (imds_read_answer, netprobe/server/imds.c).
 *
 * The first byte picks the request (token or public-ipv4); the rest is
 * the answer as received, in a heap buffer of exactly its size.
 * Invariants, from a model of docs/report.md and IMDSv2 written here: an
 * answer is taken only if it starts "HTTP/1.", its status is 200 and it
 * fits IMDS_RESPONSE_MAX; a token taken is 1..IMDS_TOKEN_MAX bytes of
 * printable ASCII without blanks (it goes into a request header); an
 * address taken is four decimal numbers 0..255; what is taken is the
 * whole body less its trailing line ends and blanks, never a cut of it; a
 * refusal says why and leaves out empty; the same answer reads the same
 * twice.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz/support/check.h"
#include "netprobe/server/imds.h"

/* The status code of "HTTP/1.x NNN ...", or -1. */
static int status_of(const char *s, size_t n)
{
    if (n < 12 || memcmp(s, "HTTP/1.", 7) != 0)
        return -1;
    size_t i = 7;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i + 4 > n || s[i] != ' ')
        return -1;
    int code = 0;
    for (size_t k = i + 1; k < i + 4; k++) {
        if (s[k] < '0' || s[k] > '9')
            return -1;
        code = code * 10 + (s[k] - '0');
    }
    return code;
}

/* Four dot-separated decimal numbers, each 0..255, nothing else. */
static bool dotted_quad(const char *s)
{
    int parts = 0;
    while (parts < 4) {
        int v = 0, digits = 0;
        while (*s >= '0' && *s <= '9' && digits < 4) {
            v = v * 10 + (*s++ - '0');
            digits++;
        }
        if (digits == 0 || digits > 3 || v > 255)
            return false;
        parts++;
        if (parts < 4 && *s++ != '.')
            return false;
    }
    return *s == '\0';
}

/* The body after the first blank line, less trailing CR, LF and blanks,
 * must be exactly what was taken. */
static void check_whole_body(const char *raw, size_t n, const char *out)
{
    const char *body = NULL;
    for (size_t i = 0; i + 4 <= n && body == NULL; i++)
        if (memcmp(raw + i, "\r\n\r\n", 4) == 0)
            body = raw + i + 4;
    FUZZ_CHECK(body != NULL, "taken without a blank line after the head");
    size_t len = (size_t)(raw + n - body);
    while (len > 0 && (body[len - 1] == '\r' || body[len - 1] == '\n' || body[len - 1] == ' '))
        len--;
    FUZZ_CHECK(len == strlen(out) && memcmp(body, out, len) == 0,
               "took \"%s\" from a body of %zu bytes", out, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_cursor c = {data, size};
    enum imds_request req = (fuzz_take_u8(&c) & 1) ? IMDS_PUBLIC_IPV4 : IMDS_TOKEN;
    char *raw = malloc(c.n > 0 ? c.n : 1);
    FUZZ_CHECK(raw != NULL, "out of memory");
    memcpy(raw, c.p, c.n);

    char out[IMDS_TOKEN_MAX + 1], out2[IMDS_TOKEN_MAX + 1], why[200] = "", why2[200] = "";
    int rc = imds_read_answer(req, raw, c.n, out, sizeof out, why, sizeof why);
    int rc2 = imds_read_answer(req, raw, c.n, out2, sizeof out2, why2, sizeof why2);
    FUZZ_CHECK(rc == rc2 && strcmp(out, out2) == 0 && strcmp(why, why2) == 0,
               "two readings differ: %d \"%s\" \"%s\" / %d \"%s\" \"%s\"", rc, out, why, rc2, out2,
               why2);
    if (rc != 0) {
        FUZZ_CHECK(why[0] != '\0', "a refusal without a reason");
        FUZZ_CHECK(out[0] == '\0', "a refusal with an answer \"%s\"", out);
    } else {
        FUZZ_CHECK(c.n <= IMDS_RESPONSE_MAX, "an answer of %zu bytes taken", c.n);
        FUZZ_CHECK(status_of(raw, c.n) == 200, "taken with status %d", status_of(raw, c.n));
        size_t n = strlen(out);
        check_whole_body(raw, c.n, out);
        if (req == IMDS_TOKEN) {
            FUZZ_CHECK(n >= 1 && n <= IMDS_TOKEN_MAX, "a token of %zu bytes", n);
            for (size_t i = 0; i < n; i++)
                FUZZ_CHECK(out[i] > ' ' && out[i] < 0x7f, "token byte 0x%02x at %zu",
                           (unsigned char)out[i], i);
        } else {
            FUZZ_CHECK(dotted_quad(out), "\"%s\" taken as an IPv4 address", out);
        }
    }
    free(raw);
    return 0;
}
