/*
 * Fuzz target: netprobe's reading of a saved report (report_read.c), what
 * --show and --summary do with a file someone sent them.
 *
 * Invariants: the status is one of the four and a refusal has a reason; a
 * report read holds only showable text (no escape sequence reaches the
 * reader's terminal), counts within their arrays, enums within range, a
 * trace's `ended` from the known names and the watch report pointing into
 * the document; the same input reads the same twice.  The evidence read
 * back is what --show says the stage lines and the verdict from
 * (stage_text_fill(), verdict_decide(), corroborate()): they run on it
 * under the sanitizers.  (show.c sanitizes what they say, as a "%.120s"
 * may cut a character read from the file.)
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz/support/check.h"
#include "netprobe/corroborate.h"
#include "netprobe/report_read.h"
#include "netprobe/stages/stage_text.h"

static struct report_doc first, again;

static void check_text(const char *s, size_t cap, const char *what)
{
    size_t n = strnlen(s, cap);
    FUZZ_CHECK(n < cap, "%s is not NUL-terminated", what);
    fuzz_check_shown_text(s, n, what);
}

static void check_client(const struct report_doc *d)
{
    for (int id = 0; id < STAGE_COUNT; id++) {
        FUZZ_CHECK(d->ev.stages[id].status <= STATUS_SKIP, "stage %d status", id);
        check_text(d->ev.stages[id].summary, EV_TEXT_MAX, "a stage summary");
    }
    const struct verdict *v = &d->verdict;
    FUZZ_CHECK(!d->has_verdict || (v->code >= VERDICT_OK && v->code < VERDICT_COUNT), "code %d",
               (int)v->code);
    FUZZ_CHECK(v->evidence.count <= VERDICT_EVIDENCE_MAX, "evidence %zu", v->evidence.count);
    for (size_t i = 0; i < v->evidence.count; i++)
        check_text(v->evidence.lines[i], VERDICT_SENTENCE_MAX, "an evidence sentence");
    FUZZ_CHECK(v->finding_count <= FINDING_COUNT, "findings %zu", v->finding_count);
    for (size_t i = 0; i < v->finding_count; i++)
        FUZZ_CHECK(v->findings[i] < FINDING_COUNT, "finding %d", (int)v->findings[i]);
    FUZZ_CHECK(v->cause_named <= 8, "cause_named %u", v->cause_named);
    FUZZ_CHECK(v->lead < CAUSE_KIND_COUNT, "lead %d", (int)v->lead);
    FUZZ_CHECK(d->ev.dns.addr_count <= EV_ADDRS_MAX, "addresses %zu", d->ev.dns.addr_count);
}

/* The stages' evidence: counts within their arrays, codes within their
 * enums, and what --show says from it. */
static void check_evidence(const struct report_doc *d)
{
    static struct verdict v;
    const struct evidence *ev = &d->ev;
    FUZZ_CHECK(ev->local.iface_count <= EV_IFACES_MAX, "interfaces %zu", ev->local.iface_count);
    FUZZ_CHECK(ev->tcp.attempt_count <= EV_ADDRS_MAX, "attempts %zu", ev->tcp.attempt_count);
    FUZZ_CHECK(ev->tcp.chosen >= -1 && ev->tcp.chosen < (int)ev->tcp.attempt_count, "chosen %d",
               ev->tcp.chosen);
    FUZZ_CHECK(ev->echo.size_count <= EV_SIZES_MAX, "sizes %zu", ev->echo.size_count);
    FUZZ_CHECK(ev->app.hello.listen_count <= HELLO_LISTEN_MAX, "listen %zu",
               ev->app.hello.listen_count);
    FUZZ_CHECK(ev->app.outcome <= APP_RESET && ev->dns.outcome <= DNS_NO_FAMILY &&
                   ev->app.split <= SILENCE_RELAY && ev->local.route.kind <= ROUTE_GATEWAY,
               "an evidence code out of its enum");
    check_text(ev->app.banner, EV_TEXT_MAX, "a banner");
    check_text(ev->app.chatd_said, EV_TEXT_MAX, "chatd's words");
    check_text(ev->app.hello.hostname, sizeof ev->app.hello.hostname, "a hello's host name");
    check_text(ev->dns.detail, EV_TEXT_MAX, "the resolver's words");
    for (int id = 0; id < STAGE_COUNT; id++) {
        struct stage_result r = ev->stages[id];
        FUZZ_CHECK(r.skip < SKIP_COUNT, "stage %d skip %d", id, (int)r.skip);
        stage_text_fill(ev, (enum stage_id)id, &r);
        FUZZ_CHECK(strnlen(r.summary, EV_TEXT_MAX) < EV_TEXT_MAX, "a line said again, unended");
    }
    verdict_decide(ev, &v);
    corroborate(ev, &v);
    FUZZ_CHECK(v.capture_evidence.count <= VERDICT_EVIDENCE_MAX, "capture evidence %zu",
               v.capture_evidence.count);
    FUZZ_CHECK(v.evidence.count <= VERDICT_EVIDENCE_MAX, "evidence said again %zu",
               v.evidence.count);
    static struct local_check lc; /* --local's checks, summarized again */
    lc.ev = d->local.ev;
    FUZZ_CHECK(lc.ev.listeners.count <= LISTENERS_MAX && lc.ev.test_count <= LISTENERS_MAX &&
                   lc.ev.fw.hit_count <= HOSTFW_HITS_MAX,
               "a --local count beyond its array");
    local_check_summarize(&lc);
    FUZZ_CHECK(lc.sentence_count <= LOCAL_CHECK_SENTENCES_MAX, "local sentences said again");
}

static void check_modes(const struct report_doc *d)
{
    FUZZ_CHECK(!d->has_trace || d->trace.ended != NULL, "a trace without ended");
    FUZZ_CHECK(d->trace.hop_count <= TRACE_HOPS_MAX, "hops %zu", d->trace.hop_count);
    for (size_t i = 0; i < d->trace.hop_count; i++)
        check_text(d->trace.hops[i].from, ADDR_TEXT_MAX, "a hop's address");
    FUZZ_CHECK(d->local.sentence_count <= LOCAL_CHECK_SENTENCES_MAX, "local sentences");
    for (int id = 0; id < LOCAL_CHECK_COUNT; id++)
        check_text(d->local.lines[id].summary, LOCAL_CHECK_SENTENCE_MAX, "a check line");
    FUZZ_CHECK(d->watch.count <= WATCH_SOURCES_MAX, "sources %zu", d->watch.count);
    for (size_t i = 0; i < d->watch.count; i++)
        check_text(d->watch.sources[i].address, ADDR_TEXT_MAX, "a source address");
    FUZZ_CHECK(!d->has_watch ||
                   (d->watch_report.table == &d->watch && d->watch_report.opts == &d->watch_opts),
               "the watch report points outside the document");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[512] = "", why2[512] = "";
    enum report_read_status st = report_parse((const char *)data, size, &first, why, sizeof why);
    FUZZ_CHECK(st == REPORT_READ_OK || st == REPORT_READ_NOT_REPORT ||
                   st == REPORT_READ_BAD_VERSION,
               "status %d", (int)st);
    if (st != REPORT_READ_OK) {
        FUZZ_CHECK(why[0] != '\0', "a refusal without a reason");
        return 0;
    }
    check_text(first.label, sizeof first.label, "the label");
    check_text(first.error, sizeof first.error, "the error");
    check_text(first.ev.host, sizeof first.ev.host, "the host");
    check_client(&first);
    check_evidence(&first);
    check_modes(&first);
    FUZZ_CHECK(report_parse((const char *)data, size, &again, why2, sizeof why2) == st,
               "a second read differs");
    FUZZ_CHECK(strcmp(first.label, again.label) == 0 &&
                   strcmp(first.verdict_code, again.verdict_code) == 0 &&
                   first.verdict.finding_count == again.verdict.finding_count,
               "a second read differs");
    return 0;
}
