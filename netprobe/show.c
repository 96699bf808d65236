/*
 * show.c - a saved report, printed again (show.h).
 */
#include "netprobe/show.h"

#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/log.h"
#include "netprobe/report_read.h"

#define EXIT_SHOWN 0
#define EXIT_NOT_A_REPORT 2

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
    char why[640];
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
    if (d->label[0] != '\0')
        output_note(o, _("label: %s"), d->label);
    /* The sentences are quoted, not re-made: say so when they are in
     * another language than the rest. */
    if (d->language[0] != '\0' && strcmp(d->language, i18n_language()) != 0)
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
