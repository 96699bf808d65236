/*
 * Fuzz target: common/utf8.c, the sanitiser every message goes through
 * before other people see it.
 *
 * Invariants (docs/protocol.md, "Control characters and invalid UTF-8"):
 * the output is valid UTF-8 holding no control, bidirectional or invisible
 * character; it fits the documented capacity; input that needs no change
 * comes out unchanged; sanitising twice changes nothing; and a small cap
 * yields a prefix of the full output that ends on a whole character.
 */
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "fuzz/support/check.h"

/* True if in[0..len) is text the sanitiser must pass through unchanged. */
static bool needs_no_change(const char *in, size_t len)
{
    const uint8_t *u = (const uint8_t *)in;
    uint32_t cp;
    for (size_t i = 0; i < len;) {
        size_t n = fuzz_utf8_decode(u + i, len - i, &cp);
        if (n == 0 || !fuzz_cp_may_be_shown(cp))
            return false;
        i += n;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_cursor c = {data, size};
    size_t small_cap = fuzz_take_u8(&c);
    const char *in = (const char *)c.p;
    size_t len = c.n;

    size_t cap = UTF8_SANITIZED_CAP(len);
    char *out = malloc(cap), *again = malloc(cap);
    FUZZ_CHECK(out != NULL && again != NULL, "out of memory");
    size_t n = utf8_sanitize(in, len, out, cap);
    FUZZ_CHECK(n < cap && out[n] == '\0', "length %zu, cap %zu", n, cap);
    fuzz_check_shown_text(out, n, "sanitised output");
    if (needs_no_change(in, len))
        FUZZ_CHECK(n == len && memcmp(out, in, len) == 0, "clean text of %zu bytes changed", len);

    size_t n2 = utf8_sanitize(out, n, again, cap);
    FUZZ_CHECK(n2 == n && memcmp(again, out, n) == 0, "sanitising twice changed the text");

    /* A small exact-size buffer, so ASan sees any write past cap. */
    char *part = malloc(small_cap > 0 ? small_cap : 1);
    FUZZ_CHECK(part != NULL, "out of memory");
    size_t pn = utf8_sanitize(in, len, part, small_cap);
    if (small_cap > 0) {
        FUZZ_CHECK(pn < small_cap && part[pn] == '\0', "length %zu, cap %zu", pn, small_cap);
        FUZZ_CHECK(pn <= n && memcmp(part, out, pn) == 0, "truncated output is not a prefix");
        FUZZ_CHECK(fuzz_utf8_valid(part, pn), "truncated output splits a character");
        uint32_t cp;
        size_t next = pn < n ? fuzz_utf8_decode((const uint8_t *)out + pn, n - pn, &cp) : 0;
        FUZZ_CHECK(pn == n || pn + next + 1 > small_cap, "stopped at %zu of cap %zu early", pn,
                   small_cap);
    } else {
        FUZZ_CHECK(pn == 0, "cap 0 returned %zu", pn);
    }
    free(part);
    free(again);
    free(out);
    return 0;
}
