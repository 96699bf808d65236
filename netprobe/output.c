/*
 * output.c - the lines a person reads.
 */
#include "netprobe/output.h"

#include <stdarg.h>
#include <string.h>

#include "netprobe/advice.h"

#define LINE_MAX_BYTES 2048

#define COLOR_RESET "\033[0m"
#define COLOR_BOLD "\033[1m"

/* How each stage status looks. */
static const struct {
    const char *symbol;
    const char *color;
} status_look[] = {
    [STATUS_NOT_RUN] = {"?", ""},      [STATUS_PASS] = {"✓", "\033[32m"},
    [STATUS_WARN] = {"!", "\033[33m"}, [STATUS_FAIL] = {"✗", "\033[31m"},
    [STATUS_SKIP] = {"-", "\033[2m"},
};

/* Prints lead (a symbol or label, colored when asked) then the formatted
 * rest, redacted, as one line. */
__attribute__((format(printf, 4, 5))) static void emit(const struct output *o, const char *color,
                                                       const char *lead, const char *fmt, ...)
{
    char raw[LINE_MAX_BYTES], clean[LINE_MAX_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    redact_text(o->redact, raw, clean, sizeof clean);
    if (o->color && color[0] != '\0')
        fprintf(o->out, "%s%s%s%s\n", color, lead, COLOR_RESET, clean);
    else
        fprintf(o->out, "%s%s\n", lead, clean);
}

void output_stage(const struct output *o, const struct evidence *ev, enum stage_id id)
{
    if (o->quiet || id < 0 || id >= STAGE_COUNT)
        return;
    const struct stage_result *r = &ev->stages[id];
    size_t look = (size_t)r->status < sizeof status_look / sizeof status_look[0] ? r->status : 0;
    const char *text = r->summary[0] ? r->summary : r->skip_reason;
    emit(o, status_look[look].color, status_look[look].symbol, " %-5s %s (%.1f ms)", stage_name(id),
         text, r->duration_ms);
    fflush(o->out);
}

/* Prints a NULL-terminated advice list as numbered lines under a label. */
static void emit_list(const struct output *o, const char *label, const char *const *list, int port)
{
    if (list == NULL || list[0] == NULL)
        return;
    emit(o, "", "  ", "%s", label);
    char line[1024];
    for (size_t i = 0; list[i] != NULL && i < ADVICE_LIST_MAX; i++) {
        advice_render(list[i], port, line, sizeof line);
        emit(o, "", "    ", "%zu. %s", i + 1, line);
    }
}

/* The lead line for one code: "verdict: refused - summary". */
static void emit_head(const struct output *o, const char *label, const char *code,
                      const struct advice *a, int port, const char *color)
{
    char summary[1024] = "";
    if (a != NULL && a->summary != NULL)
        advice_render(a->summary, port, summary, sizeof summary);
    char lead[96];
    snprintf(lead, sizeof lead, "%s: %s", label, code);
    emit(o, color, lead, "%s%s", summary[0] ? " - " : "", summary);
}

static void emit_evidence(const struct output *o, const struct verdict_evidence *e)
{
    for (size_t i = 0; i < e->count; i++)
        emit(o, "", "  seen: ", "%s", e->lines[i]);
}

void output_verdict(const struct output *o, const struct evidence *ev, const struct verdict *v,
                    const char *report_path)
{
    const char *code = verdict_code_name(v->code);
    const struct advice *a = code != NULL ? advice_find(code) : NULL;
    const char *color = v->code == VERDICT_OK ? "\033[1;32m" : "\033[1;31m";
    if (code == NULL)
        code = "none";
    emit_head(o, "verdict", code, a, ev->port, color);
    if (o->quiet) {
        fflush(o->out);
        return;
    }
    emit_evidence(o, &v->evidence);
    if (a != NULL) {
        emit_list(o, v->code == VERDICT_OK ? "status:" : "likely causes, most likely first:",
                  a->causes, ev->port);
        emit_list(o, "what to do:", a->fix, ev->port);
        emit(o, "", "  guide: ", "%s", a->doc);
    }
    for (size_t i = 0; i < v->finding_count && i < FINDING_COUNT; i++) {
        const char *f = finding_code_name(v->findings[i]);
        const struct advice *fa = advice_find(f);
        emit_head(o, "finding", f, fa, ev->port, COLOR_BOLD);
        emit_evidence(o, &v->finding_evidence[i]);
        if (fa != NULL)
            emit(o, "", "  guide: ", "%s", fa->doc);
    }
    if (report_path != NULL)
        emit(o, "", "report: ", "%s", report_path);
    fflush(o->out);
}
