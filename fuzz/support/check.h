/*
 * check.h - what every fuzz target shares: an assertion that aborts (so
 * libFuzzer keeps the input as a reproducer), a cursor that takes choices
 * off the front of the input, and an independent UTF-8 decoder to check
 * the sanitiser's output with.
 *
 * The decoder here is written differently on purpose (code point
 * arithmetic, not common/utf8.c's table of byte ranges): a target that
 * checked the sanitiser with the sanitiser's own rules would prove nothing.
 */
#ifndef FUZZ_SUPPORT_CHECK_H
#define FUZZ_SUPPORT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Aborts with the place and a message when cond is false. */
#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                                     \
    } while (0)

void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 4, 5)));

/* The unread rest of a fuzz input.  Taking past the end yields zeros, so a
 * short input is still a valid (if dull) choice of everything. */
struct fuzz_cursor {
    const uint8_t *p;
    size_t n;
};

uint8_t fuzz_take_u8(struct fuzz_cursor *c);
uint16_t fuzz_take_u16(struct fuzz_cursor *c);

/* Decodes one code point at s[0..n): returns its length (1..4) and sets
 * *cp, or 0 when s does not start a valid, shortest-form, non-surrogate
 * sequence up to U+10FFFF. */
size_t fuzz_utf8_decode(const uint8_t *s, size_t n, uint32_t *cp);

/* True if s[0..n) is valid UTF-8 throughout. */
bool fuzz_utf8_valid(const char *s, size_t n);

/* True for a code point the protocol lets through to other people's
 * screens (docs/protocol.md, "Control characters and invalid UTF-8"):
 * not C0, DEL or C1, not a bidirectional control, not an invisible
 * formatting character.  Written from the documentation, not the code. */
bool fuzz_cp_may_be_shown(uint32_t cp);

/* Checks that s[0..n) is valid UTF-8 holding only code points that may be
 * shown; aborts with what and where otherwise. */
void fuzz_check_shown_text(const char *s, size_t n, const char *what);

#endif
