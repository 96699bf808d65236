/*
 * hostfw_iptables.c - `iptables-save` text -> the chain walk (hostfw.h).
 *
 * Work bounds (docs/fuzzing.md): a line is read only up to
 * HOSTFW_IPT_LINE_MAX bytes and split into at most HOSTFW_IPT_WORDS_MAX
 * words; past either the output is refused with the line's number, so the
 * work is linear in the input, which command.c caps at COMMAND_OUTPUT_MAX.
 */
#include "netprobe/server/hostfw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "netprobe/server/hostfw_chain.h"

/* Splits a rule line into words; "double quoted" comments stay one word.
 * Returns the count, or max + 1 when the line has more words than max. */
static size_t ipt_words(char *line, char **words, size_t max)
{
    size_t n = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            break;
        if (n == max)
            return max + 1;
        if (*p == '"') {
            words[n++] = ++p;
            while (*p != '\0' && *p != '"')
                p++;
        } else {
            words[n++] = p;
            while (*p != '\0' && *p != ' ' && *p != '\t')
                p++;
        }
        if (*p != '\0')
            *p++ = '\0';
    }
    return n;
}

/* "8888", "8000:9000" or "22,80,8000:9000" contains port. */
static bool ipt_ports_have(const char *list, int port)
{
    char buf[256];
    char *save = NULL;
    snprintf(buf, sizeof buf, "%s", list);
    for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
        long lo = strtol(t, &t, 10), hi = lo;
        if (*t == ':')
            hi = strtol(t + 1, NULL, 10);
        if (lo <= port && port <= hi)
            return true;
    }
    return false;
}

/* Options that take one argument and narrow the rule in ways we do not
 * model (addresses, source ports, marks...) are "conditional"; these are
 * the ones we understand. */
static void ipt_option(const char *opt, const char *arg, bool negate, int port,
                       const struct fw_direction *dir, struct fw_rule *rule)
{
    if (!strcmp(opt, "-p") || !strcmp(opt, "--protocol")) {
        bool tcp = !strcmp(arg, "tcp") || !strcmp(arg, "6") || !strcmp(arg, "all");
        rule->applies = rule->applies && (tcp != negate);
    } else if (!strcmp(opt, "--dport") || !strcmp(opt, "--destination-port") ||
               !strcmp(opt, "--dports") || !strcmp(opt, "--destination-ports")) {
        rule->names_port = true;
        rule->applies = rule->applies && (ipt_ports_have(arg, port) != negate);
    } else if (!strcmp(opt, dir->ipt_if[0]) || !strcmp(opt, dir->ipt_if[1])) {
        if ((strcmp(arg, "lo") == 0) != negate)
            rule->applies = false;
        else
            rule->conditional = true;
    } else if (!strcmp(opt, "--state") || !strcmp(opt, "--ctstate")) {
        rule->applies = rule->applies && ((strstr(arg, "NEW") != NULL) != negate);
    } else if (!strcmp(opt, "-m") || !strcmp(opt, "--match") || !strcmp(opt, "--comment") ||
               !strcmp(opt, "--syn")) {
        /* a match module's name or a comment: no effect by itself */
    } else if (!strcmp(opt, "-j") || !strcmp(opt, "--jump")) {
        static const struct {
            const char *target;
            enum hostfw_action action;
        } targets[] = {{"ACCEPT", HOSTFW_ACCEPT}, {"DROP", HOSTFW_DROP}, {"REJECT", HOSTFW_REJECT}};
        for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
            if (!strcmp(arg, targets[i].target)) {
                rule->has_verdict = true;
                rule->action = targets[i].action;
                snprintf(rule->detail, sizeof rule->detail, "%s", hostfw_action_name(rule->action));
            }
    } else if (!strcmp(opt, "--reject-with")) {
        snprintf(rule->detail, sizeof rule->detail, "reject with %s", arg);
    } else {
        rule->conditional = true;
    }
}

/* Reads one "-A CHAIN" line into rule.  Returns -1 if it has too many
 * words to be sure which one is the verdict. */
static int ipt_rule(char *line, long number, int port, const struct fw_direction *dir,
                    struct fw_rule *rule)
{
    char *w[HOSTFW_IPT_WORDS_MAX];
    size_t n = ipt_words(line, w, HOSTFW_IPT_WORDS_MAX);
    bool negate = false;
    if (n > HOSTFW_IPT_WORDS_MAX)
        return -1;
    memset(rule, 0, sizeof *rule);
    rule->applies = true;
    rule->handle = number;
    rule->families = HOSTFW_BOTH;    /* the chain narrows it: iptables is IPv4 */
    for (size_t i = 2; i < n; i++) { /* w[0] "-A", w[1] the chain */
        if (!strcmp(w[i], "!")) {
            negate = true;
            continue;
        }
        /* An option's argument never starts with '-' in iptables-save output. */
        const char *arg = i + 1 < n && w[i + 1][0] != '-' ? w[i + 1] : "";
        ipt_option(w[i], arg, negate, port, dir, rule);
        negate = false;
        if (arg[0] != '\0')
            i++;
    }
    return 0;
}

/* The text of iptables-save or ip6tables-save, whose rules are all for
 * one family, for the chain of direction way. */
static int parse_save(const char *text, enum hostfw_direction way, int port, unsigned families,
                      const char *source, struct hostfw_result *out, char *err, size_t errcap)
{
    const struct fw_direction *dir = fw_direction_of(way);
    /* IPv4 rules keep the family "" they always had; IPv6 ones say ip6. */
    struct fw_chain input = {.family = "", .table = "filter", .families = families};
    char policy[32], append[32];
    if (families == HOSTFW_IPV6)
        snprintf(input.family, sizeof input.family, "ip6");
    bool in_filter = false, seen_input = false;
    long number = 0;
    char line[HOSTFW_IPT_LINE_MAX];
    const char *p = text;
    long lineno = 0;

    fw_result_init(out, source);
    snprintf(input.name, sizeof input.name, "%s", dir->ipt_chain);
    snprintf(policy, sizeof policy, ":%s ", dir->ipt_chain);
    snprintf(append, sizeof append, "-A %s ", dir->ipt_chain);
    while (*p != '\0') {
        /* Looks no further than one line buffer for the end of the line. */
        size_t len = strnlen(p, sizeof line);
        const char *nl = memchr(p, '\n', len);
        lineno++;
        if (nl != NULL)
            len = (size_t)(nl - p);
        if (len >= sizeof line) {
            snprintf(err, errcap, _("iptables-save line %ld is longer than %d bytes"), lineno,
                     HOSTFW_IPT_LINE_MAX - 1);
            return -1;
        }
        memcpy(line, p, len);
        line[len] = '\0';
        p += len + (p[len] == '\n');
        if (line[0] == '*')
            in_filter = strcmp(line, "*filter") == 0;
        if (!in_filter)
            continue;
        if (strncmp(line, policy, strlen(policy)) == 0) {
            seen_input = true;
            input.policy_drop = strncmp(line + strlen(policy), "DROP", 4) == 0;
        } else if (strncmp(line, append, strlen(append)) == 0) {
            struct fw_rule rule;
            if (ipt_rule(line, ++number, port, dir, &rule) < 0) {
                snprintf(err, errcap, _("iptables-save line %ld has more than %d words"), lineno,
                         HOSTFW_IPT_WORDS_MAX);
                return -1;
            }
            fw_chain_apply(out, &input, &rule);
        }
    }
    if (seen_input) {
        fw_chain_finish(out, &input);
        out->input_chains = 1;
    }
    out->available = true;
    return 0;
}

int hostfw_parse_iptables(const char *text, int port, struct hostfw_result *out, char *err,
                          size_t errcap)
{
    return parse_save(text, HOSTFW_INCOMING, port, HOSTFW_IPV4, "iptables-save", out, err, errcap);
}

int hostfw_parse_iptables_dir(const char *text, enum hostfw_direction way, int port,
                              struct hostfw_result *out, char *err, size_t errcap)
{
    return parse_save(text, way, port, HOSTFW_IPV4, "iptables-save", out, err, errcap);
}

int hostfw_parse_ip6tables(const char *text, int port, struct hostfw_result *out, char *err,
                           size_t errcap)
{
    return hostfw_parse_ip6tables_dir(text, HOSTFW_INCOMING, port, out, err, errcap);
}

int hostfw_parse_ip6tables_dir(const char *text, enum hostfw_direction way, int port,
                               struct hostfw_result *out, char *err, size_t errcap)
{
    return parse_save(text, way, port, HOSTFW_IPV6, "ip6tables-save", out, err, errcap);
}
