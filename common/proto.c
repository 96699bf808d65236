#include "common/proto.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool is_letter(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool is_word_char(char ch)
{
    return is_letter(ch) || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

bool proto_name_valid(const char *s, size_t len)
{
    if (len == 0 || len > PROTO_NAME_MAX || !is_letter(s[0]))
        return false;
    for (size_t i = 1; i < len; i++)
        if (!is_word_char(s[i]))
            return false;
    return true;
}

bool proto_name_equal(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

bool proto_token_valid(const char *s, size_t len)
{
    if (len == 0 || len > PROTO_TOKEN_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!is_word_char(s[i]))
            return false;
    return true;
}

void proto_parse_input(const char *line, size_t len, struct proto_input *out)
{
    memset(out, 0, sizeof *out);
    out->kind = PROTO_TEXT;
    out->text = line;
    out->len = len;
    if (len == 0) {
        out->kind = PROTO_EMPTY;
        return;
    }
    if (line[0] != '/')
        return;
    if (len > 1 && line[1] == '/') {
        out->text = line + 1; /* "//text" is the text "/text" */
        out->len = len - 1;
        return;
    }
    const char *sp = memchr(line, ' ', len);
    size_t name_end = sp != NULL ? (size_t)(sp - line) : len;
    out->kind = PROTO_COMMAND;
    out->cmd = line + 1;
    out->cmd_len = name_end - 1;
    out->text = line + (sp != NULL ? name_end + 1 : len);
    out->len = len - (size_t)(out->text - line);
}

int proto_split_args(char *args, int max, bool rest, char *argv[])
{
    int n = 0;
    char *p = args;
    for (;;) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            return n;
        if (n == max)
            return -1;
        argv[n++] = p;
        if (rest && n == max)
            return n;
        while (*p != '\0' && *p != ' ')
            p++;
        if (*p == ' ')
            *p++ = '\0';
    }
}

size_t proto_vformat(char *out, size_t cap, const char *fmt, va_list ap)
{
    if (cap < 2) {
        if (cap == 1)
            out[0] = '\0';
        return 0;
    }
    int n = vsnprintf(out, cap - 1, fmt, ap);
    size_t len = n < 0 ? 0 : (size_t)n;
    if (len > cap - 2)
        len = cap - 2; /* truncated by vsnprintf: keep room for the LF */
    out[len++] = '\n';
    out[len] = '\0';
    return len;
}

size_t proto_format(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t len = proto_vformat(out, cap, fmt, ap);
    va_end(ap);
    return len;
}
