#include "common/opt.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"

/* Column where help texts start; a longer option name gets its own line. */
#define OPT_HELP_COLUMN 24

void opt_help(const struct opt_program *p, FILE *out)
{
    fprintf(out, "%s\n", _(p->usage));
    for (size_t i = 0; i < p->count; i++) {
        const struct opt_spec *s = &p->table[i];
        char left[64];
        if (s->short_name != 0)
            snprintf(left, sizeof left, "-%c, --%s%s%s", s->short_name, s->name,
                     s->arg ? " " : "", s->arg ? s->arg : "");
        else
            snprintf(left, sizeof left, "--%s%s%s", s->name, s->arg ? " " : "",
                     s->arg ? s->arg : "");
        if (strlen(left) + 3 > OPT_HELP_COLUMN)
            fprintf(out, "  %s\n  %-*s", left, OPT_HELP_COLUMN - 2, "");
        else
            fprintf(out, "  %-*s", OPT_HELP_COLUMN - 2, left);
        /* Continuation lines of a multi-line help text stay in the column. */
        for (const char *h = _(s->help); *h != '\0';) {
            const char *nl = strchr(h, '\n');
            size_t n = nl ? (size_t)(nl - h) : strlen(h);
            fprintf(out, "%.*s\n", (int)n, h);
            if (nl == NULL)
                break;
            h = nl + 1;
            fprintf(out, "  %-*s", OPT_HELP_COLUMN - 2, "");
        }
    }
    if (p->epilog != NULL)
        fprintf(out, "\n%s", _(p->epilog));
}

/* "--name", "--name=value" or "-x": the row, or NULL.  *inline_val points
 * at the text after '=' (long form only). */
static const struct opt_spec *find_spec(const struct opt_program *p, const char *arg,
                                        const char **inline_val)
{
    *inline_val = NULL;
    if (arg[0] == '-' && arg[1] != '-' && arg[1] != '\0' && arg[2] == '\0') {
        for (size_t i = 0; i < p->count; i++)
            if (p->table[i].short_name == arg[1])
                return &p->table[i];
        return NULL;
    }
    if (strncmp(arg, "--", 2) != 0)
        return NULL;
    const char *name = arg + 2, *eq = strchr(name, '=');
    size_t n = eq ? (size_t)(eq - name) : strlen(name);
    *inline_val = eq ? eq + 1 : NULL;
    for (size_t i = 0; i < p->count; i++)
        if (strlen(p->table[i].name) == n && strncmp(p->table[i].name, name, n) == 0)
            return &p->table[i];
    return NULL;
}

static int parse_number(const struct opt_spec *s, const char *v, void *field, char *err, size_t cap)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    bool whole = s->kind == OPT_LONG;
    if (*v == '\0' || *end != '\0' || errno != 0 || !isfinite(d) || d < s->min || d > s->max ||
        (whole && d != floor(d)) || (!whole && s->min == 0 && d <= 0)) {
        if (whole)
            snprintf(err, cap, _("--%s: \"%s\" is not a whole number from %.0f to %.0f"), s->name,
                     v, s->min, s->max);
        else
            snprintf(err, cap, _("--%s: \"%s\" is not a number of seconds above 0 and at most %g"),
                     s->name, v, s->max);
        return -1;
    }
    if (whole)
        *(long *)field = (long)d;
    else
        *(double *)field = d;
    return 0;
}

/* Applies one option with its value (NULL for those without). */
static int apply(const struct opt_program *p, const struct opt_spec *s, const char *val,
                 void *opts, FILE *out, char *err, size_t cap)
{
    void *field = (char *)opts + s->offset;
    switch (s->kind) {
    case OPT_FLAG:
        *(bool *)field = true;
        return 0;
    case OPT_LONG:
    case OPT_DOUBLE:
        return parse_number(s, val, field, err, cap) < 0 ? OPT_USAGE : OPT_RUN;
    case OPT_STRING:
        *(const char **)field = val;
        return 0;
    case OPT_CUSTOM:
        return s->parse(s, val, opts, err, cap) < 0 ? OPT_USAGE : OPT_RUN;
    case OPT_HELP:
        opt_help(p, out);
        return OPT_EXIT;
    case OPT_VERSION:
        fprintf(out, "%s %s\n", p->name, p->version);
        return OPT_EXIT;
    }
    return OPT_USAGE;
}

enum opt_result opt_parse(const struct opt_program *p, int argc, char *const argv[], void *opts,
                          const char **pos, size_t maxpos, size_t *npos, FILE *out, char *err,
                          size_t cap)
{
    bool only_pos = false;
    *npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        if (!only_pos && strcmp(a, "--") == 0) {
            only_pos = true;
            continue;
        }
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            if (*npos == maxpos) {
                snprintf(err, cap, _("unexpected argument \"%s\" (see %s --help)"), a, p->name);
                return OPT_USAGE;
            }
            pos[(*npos)++] = a;
            continue;
        }
        const struct opt_spec *s = find_spec(p, a, &val);
        if (s == NULL) {
            snprintf(err, cap, _("unknown option \"%s\" (see %s --help)"), a, p->name);
            return OPT_USAGE;
        }
        if (s->arg != NULL && val == NULL) {
            if (i + 1 >= argc) {
                snprintf(err, cap, _("--%s needs a value (%s)"), s->name, s->arg);
                return OPT_USAGE;
            }
            val = argv[++i];
        } else if (s->arg == NULL && val != NULL) {
            snprintf(err, cap, _("--%s takes no value, got \"%s\""), s->name, val);
            return OPT_USAGE;
        }
        enum opt_result r = (enum opt_result)apply(p, s, val, opts, out, err, cap);
        if (r != OPT_RUN)
            return r;
    }
    return OPT_RUN;
}
