/*
 * report_summary.c - the --summary document (report_summary.h).
 */
#include "netprobe/report_summary.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "common/jsonline.h"
#include "common/limits.h"

/* A failed cJSON call only marks the document; it is thrown away at the end. */
static cJSON *check(bool *oom, cJSON *item)
{
    if (item == NULL)
        *oom = true;
    return item;
}

static void put_str_or_null(bool *oom, cJSON *o, const char *name, const char *s)
{
    check(oom, s[0] ? cJSON_AddStringToObject(o, name, s) : cJSON_AddNullToObject(o, name));
}

static cJSON *push_obj(bool *oom, cJSON *arr)
{
    cJSON *o = check(oom, cJSON_CreateObject());
    if (o != NULL && !cJSON_AddItemToArray(arr, o)) {
        cJSON_Delete(o);
        *oom = true;
        return NULL;
    }
    return o;
}

static void put_row(bool *oom, cJSON *arr, const struct summary_row *r)
{
    cJSON *o = push_obj(oom, arr);
    check(oom, cJSON_AddStringToObject(o, "file", r->path));
    put_str_or_null(oom, o, "label", r->label);
    check(oom, cJSON_AddStringToObject(o, "started_at", r->started_at));
    check(oom, cJSON_AddStringToObject(o, "mode", r->mode));
    cJSON *t = check(oom, cJSON_AddObjectToObject(o, "target"));
    check(oom, cJSON_AddStringToObject(t, "host", r->host));
    check(oom, cJSON_AddNumberToObject(t, "port", r->port));
    check(oom, cJSON_AddStringToObject(o, "verdict", r->verdict));
    check(oom, cJSON_AddStringToObject(o, "first_cause", r->first_cause));
    cJSON *f = check(oom, cJSON_AddArrayToObject(o, "findings"));
    for (size_t i = 0; i < r->finding_count; i++) {
        cJSON *s = check(oom, cJSON_CreateString(r->findings[i]));
        if (s != NULL && !cJSON_AddItemToArray(f, s)) {
            cJSON_Delete(s);
            *oom = true;
        }
    }
}

char *report_summary_render(const struct summary *s)
{
    bool oom = false;
    cJSON *root = check(&oom, cJSON_CreateObject());
    check(&oom, cJSON_AddStringToObject(root, "schema", REPORT_SUMMARY_SCHEMA));
    cJSON *tool = check(&oom, cJSON_AddObjectToObject(root, "tool"));
    check(&oom, cJSON_AddStringToObject(tool, "name", "netprobe"));
    check(&oom, cJSON_AddStringToObject(tool, "version", CHAT_VERSION));
    cJSON *reports = check(&oom, cJSON_AddArrayToObject(root, "reports"));
    cJSON *skipped = check(&oom, cJSON_AddArrayToObject(root, "not_reports"));
    for (size_t i = 0; i < s->count; i++) {
        const struct summary_row *r = &s->rows[i];
        if (r->is_report) {
            put_row(&oom, reports, r);
            continue;
        }
        cJSON *o = push_obj(&oom, skipped);
        check(&oom, cJSON_AddStringToObject(o, "file", r->path));
        check(&oom, cJSON_AddStringToObject(o, "reason", r->why));
    }
    cJSON *counts = check(&oom, cJSON_AddArrayToObject(root, "verdicts"));
    for (size_t i = 0; i < s->count_kinds; i++) {
        cJSON *o = push_obj(&oom, counts);
        check(&oom, cJSON_AddStringToObject(o, "code", s->counts[i].verdict));
        check(&oom, cJSON_AddNumberToObject(o, "count", (double)s->counts[i].count));
    }
    char *text = oom ? NULL : jsonline_print(root, true);
    cJSON_Delete(root);
    return text;
}
