/*
 * utf8.h - making untrusted text safe to show to other people.
 *
 * The rules are the ones in docs/protocol.md ("Control characters and
 * invalid UTF-8"): valid UTF-8 passes unchanged, TAB becomes a space, and
 * every control character (C0, DEL, C1), every character that reorders or
 * hides text (bidirectional controls, zero-width and other invisible
 * characters, listed in utf8.c) and every byte that is not part of valid
 * UTF-8 becomes U+FFFD.  Overlong forms, surrogates and code points above
 * U+10FFFF are invalid.
 *
 * Work is bounded by the output: it stops at the first character that does
 * not fit in cap, however long the input is.
 */
#ifndef COMMON_UTF8_H
#define COMMON_UTF8_H

#include <stddef.h>

/* Output size that always suffices for n input bytes: each byte may become
 * the three bytes of U+FFFD, plus the terminating NUL. */
#define UTF8_SANITIZED_CAP(n) (3 * (n) + 1)

/* Writes the sanitized form of in[0..len) into out (NUL-terminated) and
 * returns its length.  If cap is too small the output stops at the last
 * whole character that fits. */
size_t utf8_sanitize(const char *in, size_t len, char *out, size_t cap);

#endif
