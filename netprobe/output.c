/*
 * output.c - the lines a person reads.
 */
#include "netprobe/output.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/i18n.h"
#include "netprobe/advice.h"
#include "netprobe/families.h"
#include "netprobe/guide.h"

_Static_assert(FAMILY_BIT(FAMILY_IPV4) == ADVICE_FAMILY_IPV4 &&
                   FAMILY_BIT(FAMILY_IPV6) == ADVICE_FAMILY_IPV6,
               "advice.h and families.h name the families with the same bits");

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

/* Prints a's causes or fix steps, {host}, {port} and the words for
 * families filled (advice_render_family), in the order advice_order()
 * gives for v (NULL: the table's), then extra (a relay note's line, or
 * NULL).  Verbose: numbered lines under label.  Otherwise the first item
 * alone after short_label: the rest is one -v away.  Returns how many
 * lines there are in all (extra included). */
static size_t emit_list(const struct output *o, const char *label, const char *short_label,
                        const struct advice *a, enum advice_list which, const struct evidence *ev,
                        const struct verdict *v, unsigned families, const char *extra)
{
    const char *const *list = which == ADVICE_CAUSES ? a->causes : a->fix;
    size_t idx[ADVICE_LIST_MAX];
    size_t n = advice_order(a, v, which, idx);
    char line[1024];
    if (n == 0)
        return 0;
    if (!o->verbose) {
        advice_render_family(list[idx[0]], ev->host, ev->port, families, line, sizeof line);
        emit(o, "", "  ", "%s %s", _(short_label), line);
        return n + (extra != NULL);
    }
    emit(o, "", "  ", "%s", _(label));
    for (size_t i = 0; i < n; i++) {
        advice_render_family(list[idx[i]], ev->host, ev->port, families, line, sizeof line);
        emit(o, "", "    ", "%zu. %s", i + 1, line);
    }
    if (extra != NULL) {
        advice_render_family(extra, ev->host, ev->port, families, line, sizeof line);
        emit(o, "", "    ", "%zu. %s", n + 1, line);
    }
    return n + (extra != NULL);
}

/* The causes and the fix of a, in the order v's evidence gives; by
 * default the first of each, and a hint when -v would show more. */
static void emit_advice(const struct output *o, const struct advice *a, const struct evidence *ev,
                        const struct verdict *v, const struct advice_note *note,
                        unsigned families, bool ok)
{
    size_t causes = emit_list(o, ok ? N_("status:") : N_("likely causes, most likely first:"),
                              ok ? N_("status:") : N_("most likely cause:"), a, ADVICE_CAUSES, ev,
                              v, families, note != NULL ? note->cause : NULL);
    size_t steps = emit_list(o, N_("what to do:"), N_("what to do first:"), a, ADVICE_FIX, ev, v,
                             families, note != NULL ? note->fix : NULL);
    bool more_causes = causes > 1, more_steps = steps > 1;
    if (o->verbose || (!more_causes && !more_steps))
        return;
    emit(o, "", "  ", "%s",
         more_causes && more_steps ? _("more causes and steps: add -v")
         : more_causes             ? _("more causes: add -v")
                                   : _("more steps: add -v"));
}

/* The lead line for one code: "verdict: refused - summary".  label is
 * N_() and translated here; the code never is. */
static void emit_head(const struct output *o, const char *label, const char *code,
                      const struct advice *a, const struct evidence *ev, const char *color,
                      unsigned families, const char *qualifier)
{
    char summary[1024] = "";
    if (a != NULL && a->summary != NULL)
        advice_render_family(a->summary, ev->host, ev->port, families, summary, sizeof summary);
    if (qualifier != NULL) {
        size_t used = strlen(summary);
        snprintf(summary + used, sizeof summary - used, "%s%s", used > 0 ? " " : "", _(qualifier));
    }
    char lead[96];
    snprintf(lead, sizeof lead, "%s: %s", _(label), code);
    emit(o, color, lead, "%s%s", summary[0] ? " - " : "", summary);
}

static void emit_evidence(const struct output *o, const struct verdict_evidence *e)
{
    for (size_t i = 0; i < e->count; i++)
        emit(o, "", "  ", "%s %s", _("seen:"), e->lines[i]);
}

/* "  guide: docs/troubleshooting[.es].md#CODE", in the reader's language,
 * the installed copy when there is one. */
static void emit_guide(const struct output *o, const struct advice *a)
{
    char doc[128], ref[1200];
    emit(o, "", "  ", "%s %s", _("guide:"),
         guide_ref(DOCDIR, advice_doc(a, doc, sizeof doc), ref, sizeof ref));
}

/* A context finding (advice_is_context): one line, its summary without
 * the final full stop, then "nothing to change"; -v adds what was seen. */
static void emit_context(const struct output *o, const char *code, const struct advice *a,
                         const struct evidence *ev, const struct verdict_evidence *seen)
{
    char summary[1024] = "";
    if (a != NULL && a->summary != NULL)
        advice_render_target(a->summary, ev->host, ev->port, summary, sizeof summary);
    size_t len = strlen(summary);
    if (len > 0 && summary[len - 1] == '.')
        summary[len - 1] = '\0';
    /* TRANSLATORS: "note: client_nat - <what it is>; nothing to change". */
    emit(o, "", "", _("note: %s - %s; nothing to change"), code, summary);
    if (o->verbose)
        emit_evidence(o, seen);
}

static void emit_findings(const struct output *o, const struct evidence *ev,
                          const struct verdict *v)
{
    for (size_t i = 0; i < v->finding_count && i < FINDING_COUNT; i++) {
        const char *f = finding_code_name(v->findings[i]);
        const struct advice *fa = advice_find(f);
        if (advice_is_context(f)) {
            emit_context(o, f, fa, ev, &v->finding_evidence[i]);
            continue;
        }
        emit_head(o, N_("finding"), f, fa, ev, COLOR_BOLD, 0, NULL);
        emit_evidence(o, &v->finding_evidence[i]);
        if (fa != NULL)
            emit_guide(o, fa);
    }
}

/* Where the report is, or the command that writes one. */
static void emit_report(const struct output *o, const struct evidence *ev, const char *path)
{
    if (path != NULL) {
        emit(o, "", "", "%s %s", _("report:"), path);
        return;
    }
    /* TRANSLATORS: keep the command as it is; %s is the host, %d the port. */
    emit(o, "", "",
         _("no report saved; for a bug report save one with: netprobe --json "
           "report.json %s %d"),
         ev->host, ev->port);
}

/* What one family did, in words: "connected: 203.0.113.10 open/syn-ack,
 * used for the next stages". */
static void family_words(const struct evidence *ev, const struct family_result *r, char *out,
                         size_t cap)
{
    const struct ev_tcp_attempt *a = r->attempt >= 0 ? &ev->tcp.attempts[r->attempt] : NULL;
    switch (r->outcome) {
    case FAMILY_NO_ADDRESS:
        /* A resolved name lacks that record; a literal is of one family. */
        snprintf(out, cap, "%s",
                 ev->dns.outcome != DNS_OK  ? _("no address of this family")
                 : r->family == FAMILY_IPV4 ? _("the name has no A record")
                                            : _("the name has no AAAA record"));
        break;
    case FAMILY_NOT_TRIED:
        if (ev->family_pref == 4 || ev->family_pref == 6)
            /* TRANSLATORS: %d is 4 or 6 (the option -4 or -6). */
            snprintf(out, cap, _("not tried: -%d leaves it out"), ev->family_pref);
        else
            snprintf(out, cap, "%s", _("not tried: the tcp stage did not run"));
        break;
    case FAMILY_NOT_SENT:
        /* TRANSLATORS: ADDRESS state/reason; nothing left this machine. */
        snprintf(out, cap, _("not tested: %s %s/%s, no SYN left this machine"), a->target.address,
                 tcp_state_name(a->state), a->reason);
        break;
    case FAMILY_FAILED:
        snprintf(out, cap, _("failed: %s %s/%s after %d SYN(s)"), a->target.address,
                 tcp_state_name(a->state), a->reason, a->syns_sent);
        break;
    case FAMILY_CONNECTED:
        snprintf(out, cap,
                 r->used ? _("connected: %s %s/%s, used for the next stages")
                         : _("connected: %s %s/%s"),
                 a->target.address, tcp_state_name(a->state), a->reason);
        break;
    }
}

/* One line per family, when the run has two to tell apart (the name has
 * both) or when a family never left this machine: which worked, which
 * failed and how. */
static void emit_families(const struct output *o, const struct evidence *ev)
{
    struct family_result fam[FAMILY_COUNT];
    char words[320];
    families_summarise(ev, fam);
    bool both = fam[FAMILY_IPV4].addresses > 0 && fam[FAMILY_IPV6].addresses > 0;
    bool unsent =
        fam[FAMILY_IPV4].outcome == FAMILY_NOT_SENT || fam[FAMILY_IPV6].outcome == FAMILY_NOT_SENT;
    if (o->quiet || (!both && !unsent))
        return;
    for (int f = 0; f < FAMILY_COUNT; f++) {
        family_words(ev, &fam[f], words, sizeof words);
        emit(o, "", "", "%s: %s", family_label((enum family_index)f), words);
    }
}

void output_verdict(const struct output *o, const struct evidence *ev, const struct verdict *v,
                    const char *report_path)
{
    const char *code = verdict_code_name(v->code);
    const struct advice *a = code != NULL ? advice_find(code) : NULL;
    const char *color = v->code == VERDICT_OK ? "\033[1;32m" : "\033[1;31m";
    if (code == NULL)
        code = "none";
    emit_families(o, ev);
    emit_head(o, N_("verdict"), code, a, ev, color, v->families, v->qualifier);
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
        const struct advice_note *note = v->behind_relay ? advice_relay_note(code) : NULL;
        emit_advice(o, a, ev, v, note, v->families, v->code == VERDICT_OK);
        emit_guide(o, a);
    }
    emit_findings(o, ev, v);
    emit_report(o, ev, report_path);
    fflush(o->out);
}

void output_note(const struct output *o, const char *fmt, ...)
{
    char line[LINE_MAX_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    emit(o, "", "", "%s", line);
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
              lc->verdict == SERVER_LOCAL_OK ? "\033[1;32m" : "\033[1;31m", 0, NULL);
    if (o->quiet || a == NULL) {
        fflush(o->out);
        return;
    }
    for (size_t i = 0; i < lc->sentence_count; i++)
        emit(o, "", "  ", "%s %s", _("seen:"), lc->sentences[i]);
    emit_advice(o, a, &ev, NULL, NULL, 0, false);
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

/* ---- --summary -------------------------------------------------------------- */

/* "2026-12-04T13:08:01.154Z" -> "2026-12-04 13:08" (UTC, to the minute:
 * enough to tell two runs of one student apart). */
static void short_time(const char *iso, char *out, size_t cap)
{
    snprintf(out, cap, "%.16s", iso[0] ? iso : "?");
    if (strlen(out) > 10 && out[10] == 'T')
        out[10] = ' ';
}

/* Cuts text to at most max bytes, on a UTF-8 character boundary, with
 * "..." when it was cut (a cause is a sentence; the row stays one line). */
static void clip(char *text, size_t max)
{
    if (strlen(text) <= max)
        return;
    size_t end = max - 3;
    while (end > 0 && ((unsigned char)text[end] & 0xc0) == 0x80)
        end--;
    memcpy(text + end, "...", 4);
}

/* text padded with spaces to width characters (not bytes: a label such
 * as "Ana Pérez" has more bytes than letters), into out. */
static void pad(const char *text, size_t width, char *out, size_t cap)
{
    size_t chars = 0;
    for (const char *p = text; *p != '\0'; p++)
        if (((unsigned char)*p & 0xc0) != 0x80)
            chars++;
    snprintf(out, cap, "%s%*s", text, chars < width ? (int)(width - chars) : 0, "");
}

static void summary_line(const struct output *o, const struct summary_row *r)
{
    char when[32], target[300], cause[SUMMARY_TEXT_MAX], findings[256] = "";
    char label[REPORT_LABEL_MAX + 32];
    short_time(r->started_at, when, sizeof when);
    if (strcmp(r->mode, "client") == 0)
        snprintf(target, sizeof target, "%s %d", r->host[0] ? r->host : "?", r->port);
    else
        snprintf(target, sizeof target, "--%s %d", r->mode, r->port);
    snprintf(cause, sizeof cause, "%s", r->first_cause);
    clip(cause, 90);
    size_t used = 0;
    for (size_t i = 0; i < r->finding_count && used < sizeof findings; i++)
        used += (size_t)snprintf(findings + used, sizeof findings - used, "%s%s", i ? "," : " +",
                                 r->findings[i]);
    pad(r->label[0] ? r->label : "-", 20, label, sizeof label);
    emit(o, "", "", "%s  %s  %-22s  %-16s %s%s  (%s)", when, label, target, r->verdict, cause,
         findings, r->path);
}

void output_summary(const struct output *o, const struct summary *s)
{
    char when[32], label[64];
    pad(_("time (UTC)"), 16, when, sizeof when);
    pad(_("label"), 20, label, sizeof label);
    if (s->reports > 0)
        /* TRANSLATORS: the column heads of --summary's rows. */
        emit(o, COLOR_BOLD, "", "%s  %s  %-22s  %-16s %s", when, label, _("target"), _("verdict"),
             _("most likely cause, +findings that need action  (file)"));
    for (size_t i = 0; i < s->count; i++)
        if (s->rows[i].is_report)
            summary_line(o, &s->rows[i]);
    if (s->not_reports > 0)
        /* TRANSLATORS: %zu is a number of files. */
        emit(o, COLOR_BOLD, "", _("not summarised (%zu):"), s->not_reports);
    for (size_t i = 0; i < s->count; i++)
        if (!s->rows[i].is_report)
            emit(o, "", "  ", "%s: %s", s->rows[i].path, s->rows[i].why);
    /* TRANSLATORS: "verdicts in 40 report(s), most common first:". */
    emit(o, COLOR_BOLD, "", _("verdicts in %zu report(s), most common first:"), s->reports);
    for (size_t i = 0; i < s->count_kinds; i++)
        emit(o, "", "  ", "%4zu  %s", s->counts[i].count, s->counts[i].verdict);
    fflush(o->out);
}
