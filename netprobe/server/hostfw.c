/*
 * hostfw.c - reads this machine's firewall (hostfw.h): runs nft, else
 * iptables-save, and hands the output to its parser.
 */
#include "netprobe/server/hostfw.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/i18n.h"
#include "netprobe/server/command.h"
#include "netprobe/server/hostfw_chain.h"

const char *hostfw_action_name(enum hostfw_action a)
{
    static const char *const names[] = {
        [HOSTFW_ACCEPT] = "accept",
        [HOSTFW_DROP] = "drop",
        [HOSTFW_REJECT] = "reject",
    };
    return (unsigned)a < sizeof names / sizeof names[0] ? names[a] : "?";
}

/* ---- Running the tools ---- */

/* One line of a tool's stderr, for the reason text. */
static void first_line(char *s)
{
    s[strcspn(s, "\n")] = '\0';
}

typedef int (*hostfw_parser)(const char *, int, struct hostfw_result *, char *, size_t);

/* Tries one tool.  Returns true when it produced a usable result. */
static bool try_tool(char *const argv[], hostfw_parser parse, int port, int timeout_ms,
                     struct hostfw_result *out, char *why, size_t whycap)
{
    char *text = NULL, errtext[256], perr[200];
    int rc = command_run(argv, timeout_ms, &text, errtext, sizeof errtext);
    if (rc == 127) {
        /* Debian leaves /usr/sbin out of ordinary users' PATH. */
        char path[64], *sbin_argv[8];
        size_t i;
        snprintf(path, sizeof path, "/usr/sbin/%s", argv[0]);
        sbin_argv[0] = path;
        for (i = 1; i < 7 && argv[i] != NULL; i++)
            sbin_argv[i] = argv[i];
        sbin_argv[i] = NULL;
        free(text);
        rc = command_run(sbin_argv, timeout_ms, &text, errtext, sizeof errtext);
    }
    first_line(errtext);
    if (rc == 127)
        snprintf(why, whycap, _("%s is not installed"), argv[0]);
    else if (rc == COMMAND_TOO_LONG)
        snprintf(why, whycap, _("%s printed more than %u MiB; its rules were not read"), argv[0],
                 COMMAND_OUTPUT_MAX >> 20);
    else if (rc < 0)
        snprintf(why, whycap, _("%s did not finish within %d ms"), argv[0], timeout_ms);
    else if (rc != 0)
        snprintf(why, whycap,
                 geteuid() != 0 ? _("%s failed (exit %d: %.120s); reading firewall rules needs "
                                    "root: sudo netprobe --local")
                                : _("%s failed (exit %d: %.120s)"),
                 argv[0], rc, errtext);
    else if (parse(text, port, out, perr, sizeof perr) < 0)
        snprintf(why, whycap, _("cannot understand %s output: %s"), argv[0], perr);
    free(text);
    return rc == 0 && out->available;
}

void hostfw_read(int port, int timeout_ms, struct hostfw_result *out)
{
    static char *const nft[] = {"nft", "-j", "list", "ruleset", NULL};
    static char *const ipt[] = {"iptables-save", NULL};
    char why_nft[256] = "", why_ipt[256] = "";

    if (try_tool(nft, hostfw_parse_nft, port, timeout_ms, out, why_nft, sizeof why_nft)) {
        /* Rules loaded with iptables-legacy are invisible to nft: when nft
         * shows no input chain, a legacy INPUT chain may still decide. */
        struct hostfw_result legacy;
        if (out->input_chains == 0 &&
            try_tool(ipt, hostfw_parse_iptables, port, timeout_ms, &legacy, why_ipt,
                     sizeof why_ipt) &&
            legacy.hit_count > 0)
            *out = legacy;
        return;
    }
    if (try_tool(ipt, hostfw_parse_iptables, port, timeout_ms, out, why_ipt, sizeof why_ipt))
        return;
    fw_result_init(out, "");
    snprintf(out->reason, sizeof out->reason, "%.120s; %.120s", why_nft, why_ipt);
}
