#include "common/hello.h"
#include "common/jsonline.h"
#include "common/utf8.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char HELLO_PREFIX[] = "NETPROBE";

static bool nonce_char_ok(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_';
}

/* Parses a decimal number of at most 9 digits from s[0..len). */
static int parse_small_uint(const char *s, size_t len, long *out)
{
    if (len == 0 || len > 9)
        return -1;
    long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

enum hello_kind hello_parse_request(const char *line, size_t len, int *version,
                                    char nonce[HELLO_NONCE_MAX + 1])
{
    size_t plen = sizeof HELLO_PREFIX - 1;
    if (len < plen || memcmp(line, HELLO_PREFIX, plen) != 0)
        return HELLO_NOT;
    if (len == plen || line[plen] != ' ')
        return len == plen ? HELLO_BAD : HELLO_NOT; /* "NETPROBEX" is a name */

    const char *v = line + plen + 1, *end = line + len;
    const char *sp = memchr(v, ' ', (size_t)(end - v));
    long ver;
    if (sp == NULL || parse_small_uint(v, (size_t)(sp - v), &ver) < 0)
        return HELLO_BAD;
    const char *n = sp + 1;
    size_t nlen = (size_t)(end - n);
    if (nlen == 0 || nlen > HELLO_NONCE_MAX)
        return HELLO_BAD;
    for (size_t i = 0; i < nlen; i++)
        if (!nonce_char_ok(n[i]))
            return HELLO_BAD;
    memcpy(nonce, n, nlen);
    nonce[nlen] = '\0';
    *version = (int)ver;
    return HELLO_OK;
}

int hello_format_request(char *out, size_t cap, const char *nonce)
{
    int n = snprintf(out, cap, "%s %d %s\n", HELLO_PREFIX, HELLO_VERSION, nonce);
    return n < 0 || (size_t)n >= cap ? -1 : n;
}

static cJSON *endpoint_json(const struct hello_endpoint *e)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || cJSON_AddStringToObject(o, "address", e->address) == NULL ||
        cJSON_AddNumberToObject(o, "port", e->port) == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* Adds the members of info to o; false if memory ran out. */
static bool reply_fill(cJSON *o, const struct hello_info *info)
{
    bool ok = cJSON_AddNumberToObject(o, "netprobe", info->netprobe) != NULL &&
              cJSON_AddStringToObject(o, "nonce", info->nonce) != NULL &&
              cJSON_AddStringToObject(o, "server", info->server) != NULL &&
              cJSON_AddStringToObject(o, "version", info->version) != NULL &&
              cJSON_AddStringToObject(o, "hostname", info->hostname) != NULL &&
              cJSON_AddStringToObject(o, "mode", info->mode) != NULL &&
              cJSON_AddItemToObject(o, "peer", endpoint_json(&info->peer)) &&
              cJSON_AddItemToObject(o, "local", endpoint_json(&info->local));
    cJSON *listen = ok ? cJSON_AddArrayToObject(o, "listen") : NULL;
    if (listen == NULL)
        return false;
    for (size_t i = 0; i < info->listen_count && i < HELLO_LISTEN_MAX; i++)
        if (!cJSON_AddItemToArray(listen, endpoint_json(&info->listen[i])))
            return false;
    return cJSON_AddNumberToObject(o, "echo_max", (double)info->echo_max) != NULL;
}

char *hello_reply_build(const struct hello_info *info)
{
    cJSON *o = cJSON_CreateObject();
    char *line = o != NULL && reply_fill(o, info) ? jsonline_print(o, false) : NULL;
    cJSON_Delete(o);
    return line;
}

/* Copies string member NAME of o into out, sanitised like chat text (the
 * server is untrusted and these strings reach the terminal) and cut at a
 * whole character; false if missing or not a string. */
static bool get_string(const cJSON *o, const char *name, char *out, size_t cap)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsString(it) || it->valuestring == NULL)
        return false;
    utf8_sanitize(it->valuestring, strlen(it->valuestring), out, cap);
    return true;
}

/* Reads integer member NAME within [lo, hi]; false otherwise. */
static bool get_int(const cJSON *o, const char *name, long lo, long hi, long *out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(it) || it->valuedouble < (double)lo || it->valuedouble > (double)hi)
        return false;
    *out = (long)it->valuedouble;
    return true;
}

/* An endpoint's address must be numeric IPv4 or IPv6 text: it is compared
 * with our own addresses and quoted in evidence sentences. */
static bool get_endpoint(const cJSON *e, struct hello_endpoint *out)
{
    long port;
    struct sockaddr_storage ss;
    socklen_t sslen;
    if (!cJSON_IsObject(e) || !get_string(e, "address", out->address, sizeof out->address) ||
        addr_parse(out->address, 0, &ss, &sslen) < 0 || !get_int(e, "port", 0, 65535, &port))
        return false;
    out->port = (int)port;
    return true;
}

/* Fills out from the parsed object; returns the name of the first bad
 * member, or NULL when all are well-typed. */
static const char *reply_read(const cJSON *o, struct hello_info *out)
{
    long v;
    if (!get_int(o, "netprobe", 0, 1000000, &v))
        return "netprobe";
    out->netprobe = (int)v;
    if (!get_string(o, "nonce", out->nonce, sizeof out->nonce))
        return "nonce";
    if (!get_string(o, "server", out->server, sizeof out->server))
        return "server";
    if (!get_string(o, "version", out->version, sizeof out->version))
        return "version";
    if (!get_string(o, "hostname", out->hostname, sizeof out->hostname))
        return "hostname";
    if (!get_string(o, "mode", out->mode, sizeof out->mode))
        return "mode";
    if (!get_endpoint(cJSON_GetObjectItemCaseSensitive(o, "peer"), &out->peer))
        return "peer";
    if (!get_endpoint(cJSON_GetObjectItemCaseSensitive(o, "local"), &out->local))
        return "local";
    const cJSON *listen = cJSON_GetObjectItemCaseSensitive(o, "listen"), *e;
    if (!cJSON_IsArray(listen))
        return "listen";
    out->listen_count = 0;
    cJSON_ArrayForEach(e, listen)
    {
        if (out->listen_count == HELLO_LISTEN_MAX)
            break;
        if (!get_endpoint(e, &out->listen[out->listen_count++]))
            return "listen";
    }
    if (!get_int(o, "echo_max", 0, 1L << 30, &out->echo_max))
        return "echo_max";
    return NULL;
}

/* Deepest nesting of arrays and objects in json[0..len), strings skipped.
 * One pass, so cJSON's recursion is only ever given shallow input. */
static size_t json_depth(const char *json, size_t len)
{
    size_t depth = 0, deepest = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char ch = json[i];
        if (in_string) {
            if (ch == '\\')
                i++; /* the escaped character cannot end the string */
            else if (ch == '"')
                in_string = false;
        } else if (ch == '"') {
            in_string = true;
        } else if (ch == '[' || ch == '{') {
            if (++depth > deepest)
                deepest = depth;
        } else if ((ch == ']' || ch == '}') && depth > 0) {
            depth--;
        }
    }
    return deepest;
}

/* Checks the work bounds before cJSON runs; false with err set. */
static bool reply_within_bounds(const char *line, char *err, size_t errcap)
{
    size_t len = strnlen(line, HELLO_REPLY_MAX + 2);
    if (len > 0 && line[len - 1] == '\n')
        len--;
    if (len > HELLO_REPLY_MAX) {
        snprintf(err, errcap, "the reply is longer than %d bytes", HELLO_REPLY_MAX);
        return false;
    }
    if (json_depth(line, len) > HELLO_REPLY_DEPTH_MAX) {
        snprintf(err, errcap, "the reply nests deeper than %d levels", HELLO_REPLY_DEPTH_MAX);
        return false;
    }
    return true;
}

int hello_reply_parse(const char *line, struct hello_info *out, char *err, size_t errcap)
{
    memset(out, 0, sizeof *out);
    if (!reply_within_bounds(line, err, errcap))
        return -1;
    cJSON *o = cJSON_Parse(line);
    if (o == NULL || !cJSON_IsObject(o)) {
        snprintf(err, errcap, "the reply is not a JSON object");
        cJSON_Delete(o);
        return -1;
    }
    const char *bad = reply_read(o, out);
    cJSON_Delete(o);
    if (bad != NULL) {
        snprintf(err, errcap, "member \"%s\" is missing or has the wrong type", bad);
        return -1;
    }
    return 0;
}

int hello_parse_echo(const char *line, size_t len, size_t *out_len)
{
    if (len == 4 && memcmp(line, "QUIT", 4) == 0)
        return 0;
    long n;
    if (len < 6 || memcmp(line, "ECHO ", 5) != 0 || parse_small_uint(line + 5, len - 5, &n) < 0 ||
        n < 1 || n > HELLO_ECHO_MAX)
        return -1;
    *out_len = (size_t)n;
    return 1;
}
