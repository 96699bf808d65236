/*
 * output.c - the lines a person reads.
 */
#include "netprobe/output.h"

#include <stdarg.h>
#include <string.h>

#include "common/i18n.h"
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

/* Prints a NULL-terminated advice list as numbered lines under a label,
 * in the order order gives (NULL: the table's), {host} and {port} filled. */
static void emit_list(const struct output *o, const char *label, const char *const *list,
                      const struct evidence *ev, const struct verdict *order)
{
    if (list == NULL || list[0] == NULL)
        return;
    emit(o, "", "  ", "%s", _(label));
    char line[1024];
    size_t n = 0;
    while (n < ADVICE_LIST_MAX && list[n] != NULL)
        n++;
    for (size_t i = 0; i < verdict_cause_count(order, n); i++) {
        advice_render_target(list[verdict_cause_index(order, i, n)], ev->host, ev->port, line,
                             sizeof line);
        emit(o, "", "    ", "%zu. %s", i + 1, line);
    }
}

/* The lead line for one code: "verdict: refused - summary".  label is
 * N_() and translated here; the code never is. */
static void emit_head(const struct output *o, const char *label, const char *code,
                      const struct advice *a, const struct evidence *ev, const char *color)
{
    char summary[1024] = "";
    if (a != NULL && a->summary != NULL)
        advice_render_target(a->summary, ev->host, ev->port, summary, sizeof summary);
    char lead[96];
    snprintf(lead, sizeof lead, "%s: %s", _(label), code);
    emit(o, color, lead, "%s%s", summary[0] ? " - " : "", summary);
}

static void emit_evidence(const struct output *o, const struct verdict_evidence *e)
{
    for (size_t i = 0; i < e->count; i++)
        emit(o, "", "  ", "%s %s", _("seen:"), e->lines[i]);
}

/* "  guide: docs/troubleshooting[.es].md#CODE", in the reader's language. */
static void emit_guide(const struct output *o, const struct advice *a)
{
    char doc[128];
    emit(o, "", "  ", "%s %s", _("guide:"), advice_doc(a, doc, sizeof doc));
}

void output_verdict(const struct output *o, const struct evidence *ev, const struct verdict *v,
                    const char *report_path)
{
    const char *code = verdict_code_name(v->code);
    const struct advice *a = code != NULL ? advice_find(code) : NULL;
    const char *color = v->code == VERDICT_OK ? "\033[1;32m" : "\033[1;31m";
    if (code == NULL)
        code = "none";
    emit_head(o, N_("verdict"), code, a, ev, color);
    if (o->quiet) {
        fflush(o->out);
        return;
    }
    emit_evidence(o, &v->evidence);
    if (v->capture != CAPTURE_NOT_CHECKED) {
        emit(o, "", "  ", "%s",
             v->capture == CAPTURE_CONFIRMED ? _("capture: confirms this verdict")
                                             : _("capture: does not confirm this verdict"));
        for (size_t i = 0; i < v->capture_evidence.count; i++)
            emit(o, "", "  ", "%s %s", _("captured:"), v->capture_evidence.lines[i]);
    }
    if (a != NULL) {
        emit_list(o,
                  v->code == VERDICT_OK ? N_("status:") : N_("likely causes, most likely first:"),
                  a->causes, ev, v);
        emit_list(o, N_("what to do:"), a->fix, ev, NULL);
        emit_guide(o, a);
    }
    for (size_t i = 0; i < v->finding_count && i < FINDING_COUNT; i++) {
        const char *f = finding_code_name(v->findings[i]);
        const struct advice *fa = advice_find(f);
        emit_head(o, N_("finding"), f, fa, ev, COLOR_BOLD);
        emit_evidence(o, &v->finding_evidence[i]);
        if (fa != NULL)
            emit_guide(o, fa);
    }
    if (report_path != NULL)
        emit(o, "", "", "%s %s", _("report:"), report_path);
    fflush(o->out);
}

/* ---- The other modes ------------------------------------------------------ */

void output_capture_skipped(const struct output *o, const char *why)
{
    if (o->quiet)
        return;
    emit(o, status_look[STATUS_SKIP].color, status_look[STATUS_SKIP].symbol, " %-5s %s", "capture",
         why);
    fflush(o->out);
}

/* What ended the walk (trace.h's r->ended codes), as a sentence: with
 * the last hop that answered (its number, then its address), and without
 * one.  A code not listed here (bad_target) is "not run". */
static const struct {
    const char *ended;
    const char *answered; /* takes the hop's number and address */
    const char *none;
} TRACE_ENDS[] = {
    {"reached", N_("trace: the target answered at hop %d (%s)"), N_("trace: the target answered")},
    {"unreachable", N_("trace: hop %d (%s) answered that the target is unreachable"),
     N_("trace: the target is unreachable")},
    {"silence", N_("trace: the hops after hop %d (%s) did not answer"),
     N_("trace: no hop answered")},
    {"max_hops",
     N_("trace: the target did not answer within the hop limit; the last answer came "
        "from hop %d (%s)"),
     N_("trace: no hop answered within the hop limit")},
    {"local_error", N_("trace: a local error stopped it after hop %d (%s) answered"),
     N_("trace: a local error stopped it before any hop answered")},
};

static void emit_trace_end(const struct output *o, const struct trace_result *r)
{
    for (size_t i = 0; r->ended != NULL && i < sizeof TRACE_ENDS / sizeof TRACE_ENDS[0]; i++) {
        if (strcmp(r->ended, TRACE_ENDS[i].ended) != 0)
            continue;
        if (r->last_answer_ttl > 0)
            emit(o, "", "", _(TRACE_ENDS[i].answered), r->last_answer_ttl, r->last_answer_from);
        else
            emit(o, "", "", "%s", _(TRACE_ENDS[i].none));
        return;
    }
    emit(o, "", "", "%s", _("trace: not run"));
}

void output_trace(const struct output *o, const struct trace_result *r)
{
    if (o->quiet || r == NULL)
        return;
    for (size_t i = 0; i < r->hop_count; i++) {
        const struct trace_hop *h = &r->hops[i];
        emit(o, "", "  hop ", "%2d  %-15s %s (%.1f ms)", h->ttl, h->from[0] ? h->from : "*",
             trace_kind_name(h->kind), h->rtt_ms);
    }
    emit_trace_end(o, r);
    fflush(o->out);
}

void output_local(const struct output *o, const struct local_check *lc)
{
    const char *code = local_check_code(lc->verdict);
    const struct advice *a = advice_find(code);
    struct evidence ev; /* only host and port are read */
    ev.host[0] = '\0';
    ev.port = lc->ev.port;
    for (int id = 0; !o->quiet && id < LOCAL_CHECK_COUNT; id++) {
        enum stage_status s = lc->lines[id].status;
        emit(o, status_look[s].color, status_look[s].symbol, " %-14s %s",
             local_check_name((enum local_check_id)id), lc->lines[id].summary);
    }
    emit_head(o, N_("verdict"), code, a, &ev,
              lc->verdict == SERVER_LOCAL_OK ? "\033[1;32m" : "\033[1;31m");
    if (o->quiet || a == NULL) {
        fflush(o->out);
        return;
    }
    for (size_t i = 0; i < lc->sentence_count; i++)
        emit(o, "", "  ", "%s %s", _("seen:"), lc->sentences[i]);
    emit_list(o, N_("likely causes, most likely first:"), a->causes, &ev, NULL);
    emit_list(o, N_("what to do:"), a->fix, &ev, NULL);
    emit_guide(o, a);
    fflush(o->out);
}

void output_watch(const struct output *o, const struct watch_report *w)
{
    const struct watch_table *t = w->table;
    char summary[256];
    for (size_t i = 0; !o->quiet && i < t->count; i++) {
        const struct watch_source *s = &t->sources[i];
        /* TRANSLATORS: the last %s is an outcome code (answered, refused...). */
        emit(o, "", "  ",
             _("from %s: %d SYN(s) seen, %d SYN-ACK(s) sent, %d reset(s) sent, %llu "
               "payload byte(s): %s"),
             s->address, s->syns, s->synacks_sent, s->resets_sent, s->bytes_received,
             watch_outcome(s));
    }
    watch_summary(t, summary, sizeof summary);
    emit(o, COLOR_BOLD, _("watch: "), "%s", summary);
    if (w->opts->expect_from != NULL) {
        const struct watch_source *s = watch_find(t, w->opts->expect_from);
        emit(o, "", "  ", _("expected %s: %s - %s"), w->opts->expect_from, watch_outcome(s),
             watch_meaning(s));
    }
    fflush(o->out);
}
