/*
 * report_json.h - typed getters for reading a report back (report_read.c,
 * report_read_modes.c).
 *
 * Each getter checks the member's JSON type and leaves the field as it was
 * when the type is wrong or the member is absent; every string is made safe
 * for a terminal on the way in.
 */
#ifndef NETPROBE_REPORT_JSON_H
#define NETPROBE_REPORT_JSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "common/utf8.h"
#include "netprobe/evidence.h"

/* Copies a string from the file into out, made safe for a terminal: a
 * report is input like any other, and its text ends up in front of the
 * person who runs --show or --summary (no escape sequences, no bidi
 * tricks; common/utf8.h). */
static inline void copy_text(const char *in, char *out, size_t cap)
{
    utf8_sanitize(in, strlen(in), out, cap);
}

static inline void get_str(const cJSON *o, const char *name, char *out, size_t cap)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (cJSON_IsString(v) && v->valuestring != NULL)
        copy_text(v->valuestring, out, cap);
}

static inline double get_num(const cJSON *o, const char *name, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

/* A whole number in [lo, hi], else dflt. */
static inline int get_int(const cJSON *o, const char *name, int lo, int hi, int dflt)
{
    double d = get_num(o, name, (double)dflt);
    return d >= lo && d <= hi ? (int)d : dflt;
}

/* A count: a whole number from 0 to 2^53 (what a double holds exactly),
 * else 0.  A hostile file may hold 1e300, which no integer type holds. */
static inline unsigned long long get_count(const cJSON *o, const char *name)
{
    double d = get_num(o, name, 0);
    return d >= 0 && d <= 9007199254740992.0 ? (unsigned long long)d : 0;
}

static inline bool get_bool(const cJSON *o, const char *name)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static inline const cJSON *get_obj(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsObject(v) ? v : NULL;
}

static inline const cJSON *get_arr(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsArray(v) ? v : NULL;
}

/* The strings of array name, at most max of them, each cap bytes. */
static inline size_t get_lines(const cJSON *o, const char *name, char *lines, size_t cap,
                               size_t max)
{
    size_t n = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, get_arr(o, name))
    {
        if (n == max)
            break;
        if (cJSON_IsString(item) && item->valuestring != NULL)
            copy_text(item->valuestring, lines + n++ * cap, cap);
    }
    return n;
}

/* The value whose name(value) is text, for value in [0, count); -1 if none. */
#define LOOKUP(fn, type, count, text)                                                              \
    do {                                                                                           \
        for (int i_ = 0; i_ < (count); i_++) {                                                     \
            const char *n_ = fn((type)i_);                                                         \
            if (n_ != NULL && strcmp(n_, (text)) == 0)                                             \
                return i_;                                                                         \
        }                                                                                          \
        return -1;                                                                                 \
    } while (0)

static inline int status_by_name(const char *s)
{
    LOOKUP(stage_status_name, enum stage_status, STATUS_SKIP + 1, s);
}

/* Member name's code through by_name(), or dflt when absent or unknown. */
static inline int get_code(const cJSON *o, const char *name, int (*by_name)(const char *), int dflt)
{
    char text[32] = "";
    get_str(o, name, text, sizeof text);
    int v = by_name(text);
    return v >= 0 ? v : dflt;
}

#endif
