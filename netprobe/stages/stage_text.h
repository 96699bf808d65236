/*
 * stage_text.h - each stage's line, said from its evidence.
 *
 * One place for every stage sentence: the live run calls it when a stage
 * ends (stageio_done), and --show calls it on the evidence read back from
 * a report, so the line comes out in the reader's language.  Pure: it
 * reads the evidence and the current gettext language, nothing else.
 */
#ifndef NETPROBE_STAGES_STAGE_TEXT_H
#define NETPROBE_STAGES_STAGE_TEXT_H

#include "netprobe/evidence.h"

/* Fills out->summary and out->skip_reason for stage id from ev: its
 * status, skip and err (ev->stages[id]) and its part of the evidence.
 * out may be &ev->stages[id]; its other fields are not touched. */
void stage_text_fill(const struct evidence *ev, enum stage_id id, struct stage_result *out);

/* The words for a skip (translated), "" for SKIP_NONE.  A skip by the
 * runner (stage_skip_by_runner) shows as "skipped: WORDS". */
const char *stage_skip_text(enum stage_skip s);
bool stage_skip_by_runner(enum stage_skip s);

/* The dns stage's detail in words, from ev->dns.detail_kind and
 * detail_arg and detail_num; DNS_DETAIL_NONE (a report that did not say)
 * gives the evidence's detail as it is. */
void stage_text_dns_detail(const struct evidence *ev, char *out, size_t cap);

/* The addresses of d as "127.0.0.1, ::1" (the dns stage's line and its
 * -4/-6 detail). */
void stage_text_addresses(const struct ev_dns *d, char *out, size_t cap);

#endif
