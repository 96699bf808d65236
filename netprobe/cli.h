/*
 * cli - netprobe's command line: the options, their checks and the usage
 * text.  A bad value is never fatal here: the first usage error is kept in
 * struct cli and parsing goes on, so that --json is known even then and
 * main() can still write the report.
 */
#ifndef NETPROBE_CLI_H
#define NETPROBE_CLI_H

#include <stdbool.h>

#include "netprobe/stages/runner.h"

enum mode { MODE_CLIENT, MODE_LOCAL, MODE_WATCH };

struct cli {
    struct probe_opts probe;
    const char *json_path; /* NULL: no report file */
    bool redact, quiet, help, version;
    enum mode mode;
    bool local, watch;     /* as given: both is a usage error */
    bool capture, trace;   /* --capture (or --pcap), --trace */
    const char *pcap_path; /* --pcap FILE */
    const char *public_addr, *from, *iface;
    double duration_s; /* --duration, 0 when not given */
    char error[512];   /* the first usage error, "" if none */
};

/* Fills c from argv (c's strings point into argv).  Returns 0, or -1 on a
 * usage error, whose message is then in c->error. */
int cli_parse(struct cli *c, int argc, char *argv[]);

/* The value of --lang before the options are parsed; NULL if not given. */
const char *cli_lang_option(int argc, char *argv[]);

/* The --help text, translated. */
const char *cli_usage(void);

/* The mode's name in the JSON report: "client", "local" or "watch". */
const char *cli_mode_name(enum mode m);

/* True when --json - asked for the report alone on standard output. */
bool cli_json_to_stdout(const struct cli *c);

#endif
