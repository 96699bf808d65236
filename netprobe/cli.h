/*
 * cli - netprobe's command line: the option table (common/opt.h), the
 * checks of each value, which options go with which mode, and --help made
 * from the same table.  A bad value is never fatal here: the usage error
 * is kept in struct cli and --json is still found, so that main() can
 * write the report of that error.
 */
#ifndef NETPROBE_CLI_H
#define NETPROBE_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "netprobe/stages/runner.h"

/* The probes (client, --local, --watch) and the two readers of reports
 * (--show, --summary), which probe nothing. */
enum mode { MODE_CLIENT, MODE_LOCAL, MODE_WATCH, MODE_SHOW, MODE_SUMMARY };

/* Files and folders --summary reads at most (more is a usage error). */
#define CLI_PATHS_MAX 4096

struct cli {
    struct probe_opts probe;
    const char *json_path; /* NULL: no report file */
    bool redact, quiet, verbose;
    const char *label; /* --label TEXT, stored in the report; NULL if none */
    enum mode mode;
    bool local, watch;                /* as given: both is a usage error */
    const char *show_path;            /* --show FILE */
    bool summary;                     /* --summary FILE|DIR... */
    const char *paths[CLI_PATHS_MAX]; /* --summary's files and folders */
    size_t path_count;
    bool capture, trace;   /* --capture (or --pcap), --trace */
    const char *pcap_path; /* --pcap FILE */
    const char *public_addr, *from, *iface;
    double duration_s; /* --duration, 0 when not given */
    char host[256];    /* HOST as given, without :PORT and white space */
    char error[512];   /* the first usage error, "" if none */
};

/* Fills c from argv (c's strings point into argv).  Returns 0; 1 when
 * --help or --version was printed on standard output (exit 0); or -1 on a
 * usage error, whose message is then in c->error. */
int cli_parse(struct cli *c, int argc, char *argv[]);

/* The value of --lang before the options are parsed; NULL if not given. */
const char *cli_lang_option(int argc, char *argv[]);

/* Prints --help, made from the option table, translated. */
void cli_help(FILE *out);

/* The mode's name in the JSON report: "client", "local" or "watch" (and
 * "show", "summary" for the readers, which write no probe report). */
const char *cli_mode_name(enum mode m);

/* True when --json - asked for the report alone on standard output. */
bool cli_json_to_stdout(const struct cli *c);

#endif
