/*
 * Fuzz target: netprobe's reading of `iptables-save` text (hostfw).
 *
 * The first two bytes are the TCP port asked about; the rest is the text.
 * Invariants: the parser fails exactly when a line is too long for it or a
 * rule of the filter table's INPUT chain has too many words (every other
 * text is read, what it does not understand counts as a condition); a
 * success holds a bounded, consistent result (fuzz/support/hostfw_check.c)
 * with at most the one INPUT chain; the same input gives the same result
 * twice.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/support/check.h"
#include "fuzz/support/hostfw_check.h" /* and netprobe's hostfw.h */

/* Longest line in text (up to its NUL), LF not counted. */
static size_t longest_line(const char *text)
{
    size_t longest = 0;
    for (const char *p = text; *p != '\0';) {
        size_t n = strcspn(p, "\n");
        if (n > longest)
            longest = n;
        p += n + (p[n] == '\n');
    }
    return longest;
}

/* Words of a line as iptables-save quotes them: runs of non-blanks, or
 * from a '"' to the next '"'. */
static size_t word_count(const char *p, size_t n)
{
    size_t words = 0, i = 0;
    while (i < n) {
        if (p[i] == ' ' || p[i] == '\t') {
            i++;
            continue;
        }
        words++;
        if (p[i] == '"') {
            const char *q = memchr(p + i + 1, '"', n - i - 1);
            i = q != NULL ? (size_t)(q - p) + 1 : n;
        } else {
            while (i < n && p[i] != ' ' && p[i] != '\t')
                i++;
        }
    }
    return words;
}

/* Whether a "-A INPUT " line of the *filter table has more words than the
 * parser takes. */
static bool wordy_input_rule(const char *text)
{
    bool in_filter = false;
    for (const char *p = text; *p != '\0';) {
        size_t n = strcspn(p, "\n");
        if (p[0] == '*')
            in_filter = n == 7 && strncmp(p, "*filter", 7) == 0;
        if (in_filter && n >= 9 && strncmp(p, "-A INPUT ", 9) == 0 &&
            word_count(p, n) > HOSTFW_IPT_WORDS_MAX)
            return true;
        p += n + (p[n] == '\n');
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_cursor c = {data, size};
    int port = fuzz_take_u16(&c);
    char *text = malloc(c.n + 1);
    FUZZ_CHECK(text != NULL, "out of memory");
    memcpy(text, c.p, c.n);
    text[c.n] = '\0';

    static struct hostfw_result first, again;
    char err[256], err2[256];
    int rc = hostfw_parse_iptables(text, port, &first, err, sizeof err);
    hostfw_check_result(rc, &first, err, "iptables-save");
    FUZZ_CHECK((rc < 0) == (longest_line(text) >= HOSTFW_IPT_LINE_MAX || wordy_input_rule(text)),
               "rc %d with a longest line of %zu bytes", rc, longest_line(text));
    FUZZ_CHECK(rc < 0 || first.input_chains <= 1, "%zu INPUT chains", first.input_chains);
    int rc2 = hostfw_parse_iptables(text, port, &again, err2, sizeof err2);
    hostfw_check_same(rc, &first, err, rc2, &again, err2);
    free(text);
    return 0;
}
