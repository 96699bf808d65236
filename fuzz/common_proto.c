/*
 * Fuzz target: common/proto.c, how chatd reads a client line.
 *
 * The first input byte chooses the argument count and mode of the split
 * (and the output size of proto_format); the rest is the line.  Each
 * result is checked against a plain model of docs/protocol.md: a command
 * line reassembles into the original, arguments are exactly the words of
 * the line, names and tokens match their grammar, and a formatted server
 * line always ends in LF inside its buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "common/proto.h"
#include "fuzz/support/check.h"

static bool model_word_char(uint8_t ch, bool letter_only)
{
    bool letter = (ch | 0x20) >= 'a' && (ch | 0x20) <= 'z';
    if (letter_only)
        return letter;
    return letter || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

static bool model_name(const uint8_t *s, size_t len)
{
    if (len < 1 || len > PROTO_NAME_MAX || !model_word_char(s[0], true))
        return false;
    for (size_t i = 1; i < len; i++)
        if (!model_word_char(s[i], false))
            return false;
    return true;
}

static bool model_token(const uint8_t *s, size_t len)
{
    if (len < 1 || len > PROTO_TOKEN_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!model_word_char(s[i], false))
            return false;
    return true;
}

/* The line must be exactly what parse_input says it is made of. */
static void check_input(const char *line, size_t len, const struct proto_input *in)
{
    FUZZ_CHECK((in->kind == PROTO_EMPTY) == (len == 0), "empty kind for %zu bytes", len);
    if (in->kind == PROTO_EMPTY)
        return;
    FUZZ_CHECK(in->text >= line && in->text + in->len == line + len, "text outside the line");
    if (in->kind == PROTO_TEXT) {
        bool doubled = len > 1 && line[0] == '/' && line[1] == '/';
        FUZZ_CHECK(line[0] != '/' || doubled, "a /command taken as text");
        FUZZ_CHECK(in->text == line + (doubled ? 1 : 0), "text starts at the wrong byte");
        return;
    }
    FUZZ_CHECK(line[0] == '/' && !(len > 1 && line[1] == '/'), "not a command line");
    FUZZ_CHECK(in->cmd == line + 1 && !memchr(in->cmd, ' ', in->cmd_len), "bad command name");
    size_t used = 1 + in->cmd_len + (in->cmd_len + 1 < len ? 1 : 0);
    FUZZ_CHECK(used + in->len == len, "name %zu + args %zu != %zu", in->cmd_len, in->len, len);
    FUZZ_CHECK(in->cmd_len + 1 == len || line[1 + in->cmd_len] == ' ', "name not ended by space");
}

/* The words of s (up to its NUL): where each starts and how long it is. */
static size_t model_words(const char *s, size_t starts[], size_t lens[], size_t max)
{
    size_t n = 0;
    for (size_t i = 0; s[i] != '\0';) {
        if (s[i] == ' ') {
            i++;
            continue;
        }
        size_t start = i;
        while (s[i] != '\0' && s[i] != ' ')
            i++;
        if (n < max) {
            starts[n] = start;
            lens[n] = i - start;
        }
        n++;
    }
    return n;
}

/* Splits a copy of args and compares with the model. */
static void check_split(const char *args, size_t len, int max, bool rest)
{
    char *copy = malloc(len + 1), *argv[PROTO_ARGS_MAX + 1];
    FUZZ_CHECK(copy != NULL, "out of memory");
    memcpy(copy, args, len);
    copy[len] = '\0';
    size_t starts[PROTO_ARGS_MAX + 1], lens[PROTO_ARGS_MAX + 1];
    size_t words = model_words(copy, starts, lens, PROTO_ARGS_MAX + 1);
    int want = words == 0                     ? 0
               : max == 0                     ? -1
               : rest && words >= (size_t)max ? max
               : words > (size_t)max          ? -1
                                              : (int)words;
    char *orig = strdup(copy);
    FUZZ_CHECK(orig != NULL, "out of memory");
    int got = proto_split_args(copy, max, rest, argv);
    FUZZ_CHECK(got == want, "%d arguments, model %d (max %d, rest %d)", got, want, max, rest);
    for (int i = 0; i < got; i++) {
        bool last_rest = rest && i == max - 1;
        size_t wlen = last_rest ? strlen(orig + starts[i]) : lens[i];
        FUZZ_CHECK(argv[i] == copy + starts[i], "argument %d starts at the wrong byte", i);
        FUZZ_CHECK(strlen(argv[i]) == wlen && memcmp(argv[i], orig + starts[i], wlen) == 0,
                   "argument %d differs from the model", i);
    }
    free(orig);
    free(copy);
}

/* proto_format into an exact-size buffer: LF last, inside cap. */
static void check_format(const char *line, size_t len, size_t cap)
{
    char *out = malloc(cap > 0 ? cap : 1);
    FUZZ_CHECK(out != NULL, "out of memory");
    size_t n = proto_format(out, cap, "MSG %.*s", (int)len, line);
    if (cap >= 2) {
        FUZZ_CHECK(n >= 1 && n < cap && out[n - 1] == '\n' && out[n] == '\0', "n %zu cap %zu", n,
                   cap);
    } else {
        FUZZ_CHECK(n == 0, "cap %zu gave %zu bytes", cap, n);
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_cursor c = {data, size};
    uint8_t choice = fuzz_take_u8(&c);
    /* An exact-size copy, so ASan sees any read past the line. */
    char *line = malloc(c.n > 0 ? c.n : 1);
    FUZZ_CHECK(line != NULL, "out of memory");
    memcpy(line, c.p, c.n);
    size_t len = c.n;

    struct proto_input in;
    proto_parse_input(line, len, &in);
    check_input(line, len, &in);
    if (in.kind == PROTO_COMMAND)
        check_split(in.text, in.len, choice % (PROTO_ARGS_MAX + 1), (choice & 0x80) != 0);

    const uint8_t *u = (const uint8_t *)line;
    FUZZ_CHECK(proto_name_valid(line, len) == model_name(u, len), "name rule differs");
    FUZZ_CHECK(proto_token_valid(line, len) == model_token(u, len), "token rule differs");
    /* Two names from the halves of the line: equal exactly when they
     * differ in ASCII case only. */
    size_t half = len / 2;
    if (model_name(u, half) && model_name(u + half, len - half)) {
        char a[PROTO_NAME_MAX + 1] = {0}, b[PROTO_NAME_MAX + 1] = {0};
        memcpy(a, line, half);
        memcpy(b, line + half, len - half);
        bool same = half == len - half;
        for (size_t i = 0; same && i < half; i++)
            same = (a[i] | 0x20) == (b[i] | 0x20);
        FUZZ_CHECK(proto_name_equal(a, b) == same, "name equality differs");
        FUZZ_CHECK(proto_name_equal(b, a) == same, "name equality is not symmetric");
    }
    check_format(line, len, (size_t)(choice >> 3) * 4 + (choice & 7));
    free(line);
    return 0;
}
