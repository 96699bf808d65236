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

typedef int (*hostfw_parser)(const char *, enum hostfw_direction, int, struct hostfw_result *,
                             char *, size_t);

/* Tries one tool.  Returns true when it produced a usable result. */
static bool try_tool(char *const argv[], hostfw_parser parse, enum hostfw_direction dir, int port,
                     int timeout_ms, struct hostfw_result *out, char *why, size_t whycap)
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
    else if (parse(text, dir, port, out, perr, sizeof perr) < 0)
        snprintf(why, whycap, _("cannot understand %s output: %s"), argv[0], perr);
    free(text);
    return rc == 0 && out->available;
}

void hostfw_merge(struct hostfw_result *out, const struct hostfw_result *v6)
{
    for (size_t i = 0; i < v6->hit_count; i++) {
        if (out->hit_count < HOSTFW_HITS_MAX)
            out->hits[out->hit_count++] = v6->hits[i];
        else
            out->hits_dropped++;
    }
    out->hits_dropped += v6->hits_dropped;
    out->blocks = out->blocks || v6->blocks;
    out->may_block = out->may_block || v6->may_block;
    out->blocks_families |= v6->blocks_families;
    out->input_chains += v6->input_chains;
    snprintf(out->source, sizeof out->source, "%s", "ip(6)tables");
}

/* iptables-save, then ip6tables-save added to it when it runs: without
 * nft, IPv6 rules are only there.  True when iptables-save was read. */
static bool read_save(enum hostfw_direction dir, int port, int timeout_ms,
                      struct hostfw_result *out, char *why, size_t whycap)
{
    static char *const ipt[] = {"iptables-save", NULL};
    static char *const ip6t[] = {"ip6tables-save", NULL};
    struct hostfw_result v6;
    char why6[256];
    if (!try_tool(ipt, hostfw_parse_iptables_dir, dir, port, timeout_ms, out, why, whycap))
        return false;
    /* Best effort: a machine without ip6tables-save has no IPv6 rules of
     * this kind to miss. */
    if (try_tool(ip6t, hostfw_parse_ip6tables_dir, dir, port, timeout_ms, &v6, why6,
                 sizeof why6) &&
        v6.input_chains > 0)
        hostfw_merge(out, &v6);
    return true;
}

void hostfw_read(int port, int timeout_ms, struct hostfw_result *out)
{
    hostfw_read_dir(HOSTFW_INCOMING, port, timeout_ms, out);
}

void hostfw_read_dir(enum hostfw_direction dir, int port, int timeout_ms, struct hostfw_result *out)
{
    static char *const nft[] = {"nft", "-j", "list", "ruleset", NULL};
    char why_nft[256] = "", why_ipt[256] = "";

    if (try_tool(nft, hostfw_parse_nft_dir, dir, port, timeout_ms, out, why_nft, sizeof why_nft)) {
        /* Rules loaded with iptables-legacy are invisible to nft: when nft
         * shows no chain on the hook, a legacy chain may still decide. */
        struct hostfw_result legacy;
        if (out->input_chains == 0 &&
            read_save(dir, port, timeout_ms, &legacy, why_ipt, sizeof why_ipt) &&
            legacy.hit_count > 0)
            *out = legacy;
        return;
    }
    if (read_save(dir, port, timeout_ms, out, why_ipt, sizeof why_ipt))
        return;
    fw_result_init(out, "");
    snprintf(out->reason, sizeof out->reason, "%.120s; %.120s", why_nft, why_ipt);
}
