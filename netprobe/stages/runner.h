/*
 * runner.h - the runner: calls the stages of stages.h in order, runs icmp
 * alongside the TCP stages, and skips a stage (with the reason) when an
 * earlier one makes it pointless.
 */
#ifndef NETPROBE_STAGES_RUNNER_H
#define NETPROBE_STAGES_RUNNER_H

#include "netprobe/evidence.h"
#include "netprobe/stages/stages.h"

/* Called once per stage when it finished or was skipped.  Calls never
 * overlap (the runner serialises them), but may come from the icmp thread.
 * ev may be read only for stage id and the stages before it. */
typedef void (*runner_stage_done_fn)(const struct evidence *ev, enum stage_id id, void *arg);

/* Fills o with the defaults: port 8888, any family, the default timeout,
 * ICMP on, echo sizes 16 1024 1400 4096 16384 65536. */
void runner_opts_defaults(struct probe_opts *o);

/* Runs every stage for o into ev (evidence_init() first).  done may be
 * NULL.  Every stage ends with a status: run, or skipped with a reason.
 * Each stage's duration_ms is the wall time the runner measured around it. */
void runner_run(struct evidence *ev, const struct probe_opts *o, runner_stage_done_fn done,
                void *arg);

/* Called by runner_run_hooked() around the network stages (--capture starts
 * before icmp and tcp, and stops after echo and icmp, so it sees the echo
 * replies too).  Either may be NULL.  They run in the runner's thread;
 * after_echo may read ev->icmp. */
struct runner_hooks {
    void (*before_tcp)(struct evidence *ev, void *arg);
    void (*after_echo)(struct evidence *ev, void *arg);
    void *arg;
};

/* runner_run() with hooks (NULL: none). */
void runner_run_hooked(struct evidence *ev, const struct probe_opts *o, runner_stage_done_fn done,
                       void *arg, const struct runner_hooks *hooks);

#endif
