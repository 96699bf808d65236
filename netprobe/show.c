/*
 * show.c - a saved report, printed again (show.h).
 *
 * A report is said again from its evidence: the stage lines by
 * stage_text_fill(), the verdict's and findings' sentences by
 * verdict_decide() and corroborate(), the same functions the run used.
 * Each part is first said in the report's own language and compared with
 * the text the report holds; only a part that comes out the same is
 * trusted to come out right in the reader's language.  Any other part (a
 * report of an older or newer netprobe that lacks a member, a hand-edited
 * file) is quoted as written, and a note says so when the languages
 * differ: a confident wrong rendering is worse than a quote.
 * --local reports get the same treatment through local_check_summarize();
 * --watch reports hold only figures and codes, so they need none.
 */
#include "netprobe/show.h"

#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/utf8.h"
#include "netprobe/corroborate.h"
#include "netprobe/report_read.h"
#include "netprobe/stages/stage_text.h"

#define EXIT_SHOWN 0
#define EXIT_NOT_A_REPORT 2

/* The parts of a report quoted as written rather than said again. */
struct show_quotes {
    bool stage[STAGE_COUNT];
    bool verdict; /* the verdict's evidence sentences */
    bool finding[FINDING_COUNT];
    bool local_sentences; /* --local: the verdict's evidence sentences */
    bool local_line[LOCAL_CHECK_COUNT];
};

/* ---- Saying the report again ---------------------------------------------- */

/* Sanitizes text in place as report_read sanitizes what it reads, so that
 * a sentence said again compares with (and prints like) a sentence read. */
static void sanitize(char *text, size_t cap)
{
    char clean[1024];
    utf8_sanitize(text, strlen(text), clean, cap < sizeof clean ? cap : sizeof clean);
    memcpy(text, clean, strlen(clean) + 1);
}

/* Does stage id, said again from ev, read as the report has it? */
static bool stage_says_same(const struct evidence *ev, enum stage_id id)
{
    struct stage_result r = ev->stages[id];
    stage_text_fill(ev, id, &r);
    sanitize(r.summary, sizeof r.summary);
    sanitize(r.skip_reason, sizeof r.skip_reason);
    return strcmp(r.summary, ev->stages[id].summary) == 0 &&
           strcmp(r.skip_reason, ev->stages[id].skip_reason) == 0;
}

static bool sentences_same(struct verdict_evidence said, const struct verdict_evidence *stored)
{
    if (said.count != stored->count)
        return false;
    for (size_t i = 0; i < said.count; i++) {
        sanitize(said.lines[i], sizeof said.lines[i]);
        if (strcmp(said.lines[i], stored->lines[i]) != 0)
            return false;
    }
    return true;
}

static bool findings_same(const struct verdict *said, const struct verdict *stored)
{
    if (said->finding_count != stored->finding_count)
        return false;
    for (size_t i = 0; i < said->finding_count && i < FINDING_COUNT; i++)
        if (said->findings[i] != stored->findings[i])
            return false;
    return true;
}

/* The dns stage's detail said again in the current language (the stage
 * line and the verdict quote it), when the report says what it is. */
static void say_dns_detail(struct evidence *ev)
{
    if (ev->dns.detail_kind == DNS_DETAIL_NONE)
        return;
    stage_text_dns_detail(ev, ev->dns.detail, sizeof ev->dns.detail);
    sanitize(ev->dns.detail, sizeof ev->dns.detail);
}

/* In the report's language: which parts come out as the report has them.
 * v is scratch space for the verdict said again. */
static void check_parts(struct report_doc *d, struct verdict *v, struct show_quotes *q)
{
    say_dns_detail(&d->ev); /* a detail that differs fails the dns line and the verdict */
    for (int id = 0; id < STAGE_COUNT; id++)
        q->stage[id] = !stage_says_same(&d->ev, (enum stage_id)id);
    if (!d->has_verdict)
        return;
    verdict_decide(&d->ev, v);
    corroborate(&d->ev, v); /* as the run did after --trace and --capture */
    q->verdict = v->code != d->verdict.code || !sentences_same(v->evidence, &d->verdict.evidence) ||
                 v->capture != d->verdict.capture ||
                 !sentences_same(v->capture_evidence, &d->verdict.capture_evidence);
    bool same_set = findings_same(v, &d->verdict);
    for (size_t i = 0; i < d->verdict.finding_count && i < FINDING_COUNT; i++)
        q->finding[i] =
            !same_set || !sentences_same(v->finding_evidence[i], &d->verdict.finding_evidence[i]);
}

/* --local: lc summarized again from its evidence (scratch, the same size). */
static void summarize_again(const struct local_check *stored, struct local_check *lc)
{
    lc->ev = stored->ev;
    local_check_summarize(lc);
    for (size_t i = 0; i < lc->sentence_count; i++)
        sanitize(lc->sentences[i], sizeof lc->sentences[i]);
    for (int id = 0; id < LOCAL_CHECK_COUNT; id++)
        sanitize(lc->lines[id].summary, sizeof lc->lines[id].summary);
}

/* In the report's language: which of --local's parts come out as the
 * report has them (its verdict first: the sentences depend on it). */
static void check_local(const struct local_check *stored, struct local_check *lc,
                        struct show_quotes *q)
{
    summarize_again(stored, lc);
    bool same = lc->verdict == stored->verdict && lc->sentence_count == stored->sentence_count;
    for (size_t i = 0; same && i < lc->sentence_count; i++)
        same = strcmp(lc->sentences[i], stored->sentences[i]) == 0;
    q->local_sentences = !same;
    for (int id = 0; id < LOCAL_CHECK_COUNT; id++)
        q->local_line[id] = lc->verdict != stored->verdict ||
                            lc->lines[id].status != stored->lines[id].status ||
                            strcmp(lc->lines[id].summary, stored->lines[id].summary) != 0;
}

/* In the reader's language: --local's parts that passed check_local(). */
static void say_local(struct local_check *stored, struct local_check *lc,
                      const struct show_quotes *q)
{
    summarize_again(stored, lc);
    if (!q->local_sentences) {
        memcpy(stored->sentences, lc->sentences, sizeof stored->sentences);
        stored->sentence_count = lc->sentence_count;
    }
    for (int id = 0; id < LOCAL_CHECK_COUNT; id++)
        if (!q->local_line[id])
            stored->lines[id] = lc->lines[id];
}

/* Every sentence of v, sanitized (those read already are; idempotent). */
static void sanitize_verdict(struct verdict *v)
{
    struct verdict_evidence *all[2 + FINDING_COUNT] = {&v->evidence, &v->capture_evidence};
    for (size_t i = 0; i < FINDING_COUNT; i++)
        all[2 + i] = &v->finding_evidence[i];
    for (size_t k = 0; k < 2 + FINDING_COUNT; k++)
        for (size_t i = 0; i < all[k]->count && i < VERDICT_EVIDENCE_MAX; i++)
            sanitize(all[k]->lines[i], sizeof all[k]->lines[i]);
}

/* In the reader's language: the parts that passed check_parts(). */
static void say_parts(struct report_doc *d, struct verdict *v, const struct show_quotes *q)
{
    say_dns_detail(&d->ev);
    for (int id = 0; id < STAGE_COUNT; id++) {
        struct stage_result *r = &d->ev.stages[id];
        if (q->stage[id])
            continue;
        stage_text_fill(&d->ev, (enum stage_id)id, r);
        sanitize(r->summary, sizeof r->summary);
        sanitize(r->skip_reason, sizeof r->skip_reason);
    }
    if (!d->has_verdict)
        return;
    verdict_decide(&d->ev, v);
    corroborate(&d->ev, v);
    if (!q->verdict) {
        d->verdict.evidence = v->evidence;
        d->verdict.capture_evidence = v->capture_evidence;
        /* Not in the report, and what the summary's wording and the relay
         * note rest on: the families of the failed attempts and the relay
         * judgement, made from the same evidence as the sentences that
         * matched. */
        d->verdict.families = v->families;
        d->verdict.behind_relay = v->behind_relay;
    }
    for (size_t i = 0; i < d->verdict.finding_count && i < FINDING_COUNT; i++)
        if (!q->finding[i])
            d->verdict.finding_evidence[i] = v->finding_evidence[i];
    sanitize_verdict(&d->verdict);
}

/* Says a client or --local report again in the reader's language, where
 * its evidence allows (the file comment).  q starts all quoted and keeps
 * what could not be said again.  gettext is switched to the report's
 * language and back (i18n_init()); a language this netprobe does not ship
 * leaves everything quoted. */
static void say_again(struct report_doc *d, const char *reader, struct show_quotes *q)
{
    /* Large: kept off the stack. */
    struct verdict *v = calloc(1, sizeof *v);
    struct local_check *lc = calloc(1, sizeof *lc);
    if (v != NULL && lc != NULL && i18n_init(d->language) == 0) {
        if (d->has_local)
            check_local(&d->local, lc, q);
        else
            check_parts(d, v, q);
        /* The reader's language was one of ours: switching back works. */
        (void)i18n_init(reader);
        if (d->has_local)
            say_local(&d->local, lc, q);
        else
            say_parts(d, v, q);
    }
    free(v); /* best effort: without memory the quotes stand */
    free(lc);
}

static void quote_all(struct show_quotes *q)
{
    for (int id = 0; id < STAGE_COUNT; id++)
        q->stage[id] = true;
    q->verdict = true;
    for (int i = 0; i < FINDING_COUNT; i++)
        q->finding[i] = true;
    q->local_sentences = true;
    for (int id = 0; id < LOCAL_CHECK_COUNT; id++)
        q->local_line[id] = true;
}

/* Is any part printed from the report's own words? */
static bool quotes_any(const struct report_doc *d, const struct show_quotes *q)
{
    /* A capture's reason for not running and netprobe's own error are
     * always quoted. */
    if (d->capture_skipped || d->error[0] != '\0')
        return true;
    if (d->has_local) {
        for (int id = 0; id < LOCAL_CHECK_COUNT; id++)
            if (q->local_line[id] && d->local.lines[id].status != STATUS_NOT_RUN)
                return true;
        return q->local_sentences && d->local.sentence_count > 0;
    }
    for (int id = 0; id < STAGE_COUNT; id++)
        if (q->stage[id] && d->ev.stages[id].status != STATUS_NOT_RUN)
            return true;
    if (!d->has_verdict)
        return false;
    if (q->verdict && (d->verdict.evidence.count > 0 || d->verdict.capture_evidence.count > 0))
        return true;
    for (size_t i = 0; i < d->verdict.finding_count && i < FINDING_COUNT; i++)
        if (q->finding[i] && d->verdict.finding_evidence[i].count > 0)
            return true;
    return false;
}

/* ---- Printing --------------------------------------------------------------- */

/* The client run's lines, in the order the run printed them. */
static void show_client(const struct report_doc *d, const char *path, const struct output *o)
{
    for (int id = 0; id < STAGE_COUNT; id++)
        if (d->ev.stages[id].status != STATUS_NOT_RUN)
            output_stage(o, &d->ev, (enum stage_id)id);
    if (d->capture_skipped)
        output_capture_skipped(o, d->capture_skip_reason);
    if (d->has_trace)
        output_trace(o, &d->trace);
    if (d->has_verdict)
        output_verdict(o, &d->ev, &d->verdict, path);
    else if (d->verdict_code[0] != '\0')
        output_note(o,
                    _("verdict %s is not known to this netprobe; read the report with a "
                      "newer netprobe"),
                    d->verdict_code);
}

int show_report(const char *path, const struct output *o)
{
    char why[640], reader[8];
    struct report_doc *d = malloc(sizeof *d); /* large: keep it off the stack */
    if (d == NULL) {
        errorf("%s", _("cannot show the report: out of memory"));
        return EXIT_NOT_A_REPORT;
    }
    if (report_read(path, d, why, sizeof why) != REPORT_READ_OK) {
        errorf("%s: %s", path, why);
        free(d);
        return EXIT_NOT_A_REPORT;
    }
    snprintf(reader, sizeof reader, "%s", i18n_language());
    bool other = d->language[0] != '\0' && strcmp(d->language, reader) != 0;
    struct show_quotes q;
    quote_all(&q);
    /* In the same language too: what the report does not keep (the
     * families a verdict is about, the relay note) comes back with it. */
    if (!d->has_watch)
        say_again(d, reader, &q);
    if (d->label[0] != '\0')
        output_note(o, _("label: %s"), d->label);
    if (other && quotes_any(d, &q))
        output_note(o,
                    _("(the stage lines and the evidence are quoted from the report, in its "
                      "language: %s)"),
                    d->language);
    if (d->has_local)
        output_local(o, &d->local);
    else if (d->has_watch)
        output_watch(o, &d->watch_report);
    else
        show_client(d, path, o);
    if (d->error[0] != '\0')
        output_note(o, _("error: %s"), d->error);
    free(d);
    return EXIT_SHOWN;
}
