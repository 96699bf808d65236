/*
 * netprobe - staged checks from this machine to a chatd, ending in one
 * verdict that names the fault and what to do about it.
 *
 * main() parses the options (cli) and hands the run to its mode (modes),
 * which wires the rest: stages/ (the probe), verdict (the rules),
 * corroborate (--trace, --capture), output (for people), report (JSON),
 * redact; wire/ (packets: capture, trace) and server/ (--local, --watch).
 * docs/design.md has the map.
 * Exit status: 0 verdict ok, 1 a fault was found, 2 usage error,
 * 3 netprobe itself failed.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/color.h"
#include "common/i18n.h"
#include "common/limits.h"
#include "common/log.h"
#include "netprobe/cli.h"
#include "netprobe/modes.h"
#include "netprobe/report.h"

int main(int argc, char *argv[])
{
    static struct cli cli;
    static struct run run; /* large: keep it off the stack */
    /* Before anything prints; a bad --lang falls back to the environment's
     * language and is reported as a usage error by cli_parse. */
    if (i18n_init(cli_lang_option(argc, argv)) < 0)
        i18n_init(NULL);
    log_init("netprobe");
    signal(SIGPIPE, SIG_IGN); /* a closed socket or pipe is an error, not death */
    report_timestamp(run.started_at);
    run.command = report_command(argc, argv);
    int parsed = cli_parse(&cli, argc, argv);
    run.cli = &cli;
    if (parsed > 0) { /* --help or --version was printed */
        free(run.command);
        return EXIT_OK;
    }
    run.out = (struct output){
        .out = stdout,
        .color = color_wanted(STDOUT_FILENO),
        .quiet = cli.quiet || (cli_json_to_stdout(&cli) && cli.mode != MODE_SUMMARY),
        .verbose = cli.verbose,
        .redact = cli.redact ? &run.redact : NULL,
    };
    int status = parsed < 0 ? modes_usage_error(&run) : modes_run(&run);
    modes_free(&run);
    return status;
}
