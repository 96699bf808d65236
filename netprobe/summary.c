/*
 * summary.c - rows and counts for --summary (summary.h).
 */
#include "netprobe/summary.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/i18n.h"
#include "common/utf8.h"
#include "netprobe/advice.h"

static struct summary_row *new_row(struct summary *s, const char *path)
{
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        struct summary_row *rows = realloc(s->rows, cap * sizeof *rows);
        if (rows == NULL)
            return NULL;
        s->rows = rows;
        s->cap = cap;
    }
    struct summary_row *r = &s->rows[s->count];
    memset(r, 0, sizeof *r);
    /* Shown, not opened: a file name may hold escape sequences too. */
    size_t cap = UTF8_SANITIZED_CAP(strlen(path));
    r->path = malloc(cap);
    if (r->path == NULL)
        return NULL;
    utf8_sanitize(path, strlen(path), r->path, cap);
    s->count++;
    return r;
}

/* The cause a reader sees first, in the reader's language: this
 * netprobe's advice for the code, in the report's order (its cause_lead
 * and ruled_out, advice_order()). */
static void first_cause(const struct report_doc *d, struct summary_row *r)
{
    const struct advice *a = advice_find(d->verdict_code);
    if (d->error[0] != '\0' && d->verdict_code[0] == '\0') {
        snprintf(r->first_cause, sizeof r->first_cause, "%s", d->error);
        return;
    }
    if (d->has_watch) {
        watch_summary(&d->watch, r->first_cause, sizeof r->first_cause);
        return;
    }
    size_t n = 0;
    while (a != NULL && n < ADVICE_LIST_MAX && a->causes[n] != NULL)
        n++;
    if (n == 0) { /* a code this netprobe does not know: the report's words */
        snprintf(r->first_cause, sizeof r->first_cause, "%s", d->first_cause);
        return;
    }
    size_t idx[ADVICE_LIST_MAX];
    size_t shown = advice_order(a, d->has_verdict ? &d->verdict : NULL, ADVICE_CAUSES, idx);
    advice_render_target(a->causes[shown > 0 ? idx[0] : 0], d->ev.host, d->ev.port, r->first_cause,
                         sizeof r->first_cause);
}

static void fill_row(const struct report_doc *d, struct summary_row *r)
{
    snprintf(r->label, sizeof r->label, "%s", d->label);
    snprintf(r->started_at, sizeof r->started_at, "%s", d->started_at);
    snprintf(r->mode, sizeof r->mode, "%s", d->mode);
    snprintf(r->host, sizeof r->host, "%s", d->ev.host);
    r->port = d->ev.port;
    const char *v = d->verdict_code[0] ? d->verdict_code : d->has_watch ? "watch" : "error";
    snprintf(r->verdict, sizeof r->verdict, "%s", v);
    first_cause(d, r);
    for (size_t i = 0; i < d->verdict.finding_count && i < FINDING_COUNT; i++) {
        const char *f = finding_code_name(d->verdict.findings[i]);
        if (f == NULL || advice_is_context(f) || r->finding_count == SUMMARY_FINDINGS_MAX)
            continue;
        snprintf(r->findings[r->finding_count++], REPORT_CODE_MAX, "%s", f);
    }
}

/* Reads one file into a new row; d is scratch space. */
static int add_file(struct summary *s, const char *path, struct report_doc *d)
{
    struct summary_row *r = new_row(s, path);
    if (r == NULL)
        return -1;
    r->is_report = report_read(path, d, r->why, sizeof r->why) == REPORT_READ_OK;
    if (r->is_report) {
        fill_row(d, r);
        s->reports++;
    } else {
        s->not_reports++;
    }
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_json_name(const char *name)
{
    size_t len = strlen(name);
    return name[0] != '.' && len > 5 && strcmp(name + len - 5, ".json") == 0;
}

/* The *.json files of folder dir, in name order, as new malloc'd paths
 * in *out (count in *n).  Returns 0, or -1 (errno) when the folder cannot
 * be read or memory ran out. */
static int list_folder(const char *dir, char ***out, size_t *n)
{
    DIR *d = opendir(dir);
    size_t cap = 0;
    struct dirent *e;
    *out = NULL;
    *n = 0;
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        if (!is_json_name(e->d_name))
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            char **more = realloc(*out, cap * sizeof *more);
            if (more == NULL)
                break;
            *out = more;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(len);
        if (p == NULL)
            break;
        snprintf(p, len, "%s/%s", dir, e->d_name);
        (*out)[(*n)++] = p;
    }
    closedir(d);
    if (*n > 0)
        qsort(*out, *n, sizeof **out, by_name);
    return 0;
}

static int add_folder(struct summary *s, const char *dir, struct report_doc *d)
{
    char **files;
    size_t n;
    int rc = 0;
    if (list_folder(dir, &files, &n) < 0) {
        struct summary_row *r = new_row(s, dir);
        if (r == NULL)
            return -1;
        snprintf(r->why, sizeof r->why, _("cannot read the folder: %s"), strerror(errno));
        s->not_reports++;
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (rc == 0)
            rc = add_file(s, files[i], d);
        free(files[i]);
    }
    free(files);
    return rc;
}

/* Most common verdict first; equal counts by code, so the order is stable. */
static int by_count(const void *a, const void *b)
{
    const struct summary_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->verdict, y->verdict);
}

static int count_verdicts(struct summary *s)
{
    s->counts = calloc(s->reports > 0 ? s->reports : 1, sizeof *s->counts);
    if (s->counts == NULL)
        return -1;
    for (size_t i = 0; i < s->count; i++) {
        const struct summary_row *r = &s->rows[i];
        size_t k = 0;
        if (!r->is_report)
            continue;
        while (k < s->count_kinds && strcmp(s->counts[k].verdict, r->verdict) != 0)
            k++;
        if (k == s->count_kinds)
            snprintf(s->counts[s->count_kinds++].verdict, REPORT_CODE_MAX, "%s", r->verdict);
        s->counts[k].count++;
    }
    qsort(s->counts, s->count_kinds, sizeof *s->counts, by_count);
    return 0;
}

int summary_collect(const char *const *paths, size_t n, struct summary *s)
{
    struct stat st;
    int rc = 0;
    memset(s, 0, sizeof *s);
    struct report_doc *d = malloc(sizeof *d); /* large: reused for every file */
    if (d == NULL)
        return -1;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode))
            rc = add_folder(s, paths[i], d);
        else
            rc = add_file(s, paths[i], d);
    }
    free(d);
    return rc == 0 ? count_verdicts(s) : -1;
}

void summary_free(struct summary *s)
{
    for (size_t i = 0; i < s->count; i++)
        free(s->rows[i].path);
    free(s->rows);
    free(s->counts);
    memset(s, 0, sizeof *s);
}
