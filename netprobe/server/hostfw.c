#define _GNU_SOURCE /* pipe2 */

#include "netprobe/server/hostfw.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/i18n.h"

#define HOSTFW_CHAINS_MAX 32         /* input base chains followed */
#define HOSTFW_OUTPUT_MAX (8u << 20) /* bytes of nft/iptables output read */

const char *hostfw_action_name(enum hostfw_action a)
{
    static const char *const names[] = {
        [HOSTFW_ACCEPT] = "accept",
        [HOSTFW_DROP] = "drop",
        [HOSTFW_REJECT] = "reject",
    };
    return (unsigned)a < sizeof names / sizeof names[0] ? names[a] : "?";
}

/* ---- The chain walk shared by both parsers. ----
 *
 * A rule is boiled down to: does it apply to a new TCP connection to the
 * port from another machine, is it narrowed by something we do not model,
 * does it name the port, and what does it do. */
struct fw_rule {
    bool applies;
    bool conditional;
    bool names_port;
    bool has_verdict;
    enum hostfw_action action;
    char detail[96];
    long handle;
};

struct fw_chain {
    char family[8], table[64], name[64];
    bool policy_drop;
    bool decided;
};

static void add_hit(struct hostfw_result *r, const struct fw_chain *c, long handle,
                    enum hostfw_action action, const char *detail, bool conditional)
{
    if (r->hit_count >= HOSTFW_HITS_MAX) {
        r->hits_dropped++;
        return;
    }
    struct hostfw_hit *h = &r->hits[r->hit_count++];
    snprintf(h->family, sizeof h->family, "%s", c->family);
    snprintf(h->table, sizeof h->table, "%s", c->table);
    snprintf(h->chain, sizeof h->chain, "%s", c->name);
    h->handle = handle;
    h->action = action;
    snprintf(h->detail, sizeof h->detail, "%s", detail);
    h->conditional = conditional;
}

/* Applies one rule to the chain's walk.  A rule that names the port is
 * evidence even when conditional; a blanket drop ("reject everything
 * else") decides too, which is how RHEL's default INPUT chain ends. */
static void chain_apply(struct hostfw_result *r, struct fw_chain *c, const struct fw_rule *rule)
{
    bool blocking = rule->action != HOSTFW_ACCEPT;
    if (c->decided || !rule->applies || !rule->has_verdict)
        return;
    if (!rule->names_port && (rule->conditional || !blocking))
        return; /* e.g. "ip saddr X accept", "iif eth1 drop" */
    add_hit(r, c, rule->handle, rule->action, rule->detail, rule->conditional);
    if (rule->conditional) {
        r->may_block = r->may_block || blocking;
        return;
    }
    c->decided = true;
    r->blocks = r->blocks || blocking;
}

static void chain_finish(struct hostfw_result *r, struct fw_chain *c)
{
    if (c->decided || !c->policy_drop)
        return;
    add_hit(r, c, -1, HOSTFW_DROP, "policy drop", false);
    c->decided = true;
    r->blocks = true;
}

static void result_init(struct hostfw_result *r, const char *source)
{
    memset(r, 0, sizeof *r);
    snprintf(r->source, sizeof r->source, "%s", source);
}

/* ---- nft -j ---- */

struct nft_ctx {
    const cJSON *items; /* the "nftables" array */
    int port;
    char *err;
    size_t errcap;
};

/* The string member k of o, or NULL if absent or not a string. */
static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool jis(const cJSON *o, const char *k, const char *want)
{
    const char *s = jstr(o, k);
    return s != NULL && strcmp(s, want) == 0;
}

static bool value_has_port(const struct nft_ctx *x, const cJSON *rule, const cJSON *v, int depth);

/* Elements of the named set "@name" in the rule's table. */
static bool named_set_has_port(const struct nft_ctx *x, const cJSON *rule, const char *name,
                               int depth)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, x->items)
    {
        const cJSON *set = cJSON_GetObjectItemCaseSensitive(item, "set");
        if (!cJSON_IsObject(set) || !jis(set, "name", name))
            continue;
        const char *fam = jstr(rule, "family"), *tab = jstr(rule, "table");
        if (fam == NULL || tab == NULL || !jis(set, "family", fam) || !jis(set, "table", tab))
            continue;
        return value_has_port(x, rule, cJSON_GetObjectItemCaseSensitive(set, "elem"), depth + 1);
    }
    return false;
}

/* Whether a match's right-hand side (number, range, set, "@set", list,
 * {"elem": {"val": ...}}) contains the port.  depth bounds nesting. */
static bool value_has_port(const struct nft_ctx *x, const cJSON *rule, const cJSON *v, int depth)
{
    const cJSON *e;
    if (v == NULL || depth > 8)
        return false;
    if (cJSON_IsNumber(v))
        return v->valuedouble == x->port;
    if (cJSON_IsString(v))
        return v->valuestring[0] == '@' && named_set_has_port(x, rule, v->valuestring + 1, depth);
    if (cJSON_IsArray(v)) {
        cJSON_ArrayForEach(e, v) if (value_has_port(x, rule, e, depth + 1)) return true;
        return false;
    }
    if (!cJSON_IsObject(v))
        return false;
    const cJSON *range = cJSON_GetObjectItemCaseSensitive(v, "range");
    if (cJSON_IsArray(range) && cJSON_GetArraySize(range) == 2) {
        const cJSON *lo = cJSON_GetArrayItem(range, 0), *hi = cJSON_GetArrayItem(range, 1);
        return cJSON_IsNumber(lo) && cJSON_IsNumber(hi) && lo->valuedouble <= x->port &&
               x->port <= hi->valuedouble;
    }
    const cJSON *elem = cJSON_GetObjectItemCaseSensitive(v, "elem");
    if (cJSON_IsObject(elem))
        return value_has_port(x, rule, cJSON_GetObjectItemCaseSensitive(elem, "val"), depth + 1);
    return value_has_port(x, rule, cJSON_GetObjectItemCaseSensitive(v, "set"), depth + 1);
}

/* Whether a string right-hand side (or list of them) contains want. */
static bool value_has_word(const cJSON *v, const char *want)
{
    const cJSON *e;
    if (cJSON_IsString(v))
        return strcmp(v->valuestring, want) == 0;
    if (cJSON_IsArray(v)) {
        cJSON_ArrayForEach(e, v) if (value_has_word(e, want)) return true;
    }
    if (cJSON_IsObject(v))
        return value_has_word(cJSON_GetObjectItemCaseSensitive(v, "set"), want);
    return false;
}

/* Folds one "match" expression into rule.  Returns -1 if it is malformed. */
static int nft_match(const struct nft_ctx *x, const cJSON *jrule, const cJSON *m,
                     struct fw_rule *rule)
{
    const cJSON *left = cJSON_GetObjectItemCaseSensitive(m, "left");
    const cJSON *right = cJSON_GetObjectItemCaseSensitive(m, "right");
    const char *op = jstr(m, "op");
    if (!cJSON_IsObject(left) || right == NULL || op == NULL)
        return -1;
    bool negate = strcmp(op, "!=") == 0;
    const cJSON *payload = cJSON_GetObjectItemCaseSensitive(left, "payload");
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(left, "meta");
    const cJSON *ct = cJSON_GetObjectItemCaseSensitive(left, "ct");
    bool in;

    if (cJSON_IsObject(payload) && jis(payload, "field", "dport") &&
        (jis(payload, "protocol", "tcp") || jis(payload, "protocol", "th"))) {
        in = value_has_port(x, jrule, right, 0);
        rule->names_port = true;
        rule->applies = rule->applies && (in != negate);
    } else if (cJSON_IsObject(payload) && jstr(payload, "protocol") != NULL &&
               (jis(payload, "protocol", "udp") || jis(payload, "protocol", "udplite") ||
                jis(payload, "protocol", "sctp") || jis(payload, "protocol", "icmp") ||
                jis(payload, "protocol", "icmpv6"))) {
        rule->applies = false; /* a header TCP packets do not have */
    } else if ((cJSON_IsObject(meta) && jis(meta, "key", "l4proto")) ||
               (cJSON_IsObject(payload) &&
                (jis(payload, "field", "protocol") || jis(payload, "field", "nexthdr")))) {
        in = value_has_word(right, "tcp") || (cJSON_IsNumber(right) && right->valuedouble == 6);
        rule->applies = rule->applies && (in != negate);
    } else if (cJSON_IsObject(meta) && (jis(meta, "key", "iif") || jis(meta, "key", "iifname"))) {
        in = value_has_word(right, "lo");
        if (in != negate)
            rule->applies = false; /* only loopback traffic */
        else
            rule->conditional = true; /* one interface: we cannot tell which the client uses */
    } else if (cJSON_IsObject(ct) && jis(ct, "key", "state")) {
        in = value_has_word(right, "new");
        rule->applies = rule->applies && (in != negate);
    } else {
        rule->conditional = true; /* source address, rate limits, marks, ... */
    }
    return 0;
}

/* Folds a verdict statement into rule (first verdict wins). */
static void nft_verdict(const cJSON *stmt, struct fw_rule *rule)
{
    const cJSON *rej = cJSON_GetObjectItemCaseSensitive(stmt, "reject");
    if (rule->has_verdict)
        return;
    if (cJSON_GetObjectItemCaseSensitive(stmt, "accept") != NULL) {
        rule->action = HOSTFW_ACCEPT;
        snprintf(rule->detail, sizeof rule->detail, "accept");
    } else if (cJSON_GetObjectItemCaseSensitive(stmt, "drop") != NULL) {
        rule->action = HOSTFW_DROP;
        snprintf(rule->detail, sizeof rule->detail, "drop");
    } else if (rej != NULL) {
        const char *type = cJSON_IsObject(rej) ? jstr(rej, "type") : NULL;
        const char *what = cJSON_IsObject(rej) ? jstr(rej, "expr") : NULL;
        rule->action = HOSTFW_REJECT;
        snprintf(rule->detail, sizeof rule->detail, "reject%s%s%s%s", type ? " with " : "",
                 type ? type : "", what ? " " : "", what ? what : "");
    } else {
        return; /* counter, log, jump (not followed), ... */
    }
    rule->has_verdict = true;
}

static struct fw_chain *find_chain(struct fw_chain *chains, size_t n, const cJSON *jrule)
{
    const char *fam = jstr(jrule, "family"), *tab = jstr(jrule, "table"),
               *name = jstr(jrule, "chain");
    for (size_t i = 0; fam && tab && name && i < n; i++)
        if (!strcmp(chains[i].family, fam) && !strcmp(chains[i].table, tab) &&
            !strcmp(chains[i].name, name))
            return &chains[i];
    return NULL;
}

static int nft_error(const struct nft_ctx *x, int index, const char *what)
{
    snprintf(x->err, x->errcap, "nftables[%d].%s", index, what);
    return -1;
}

/* Collects the filter base chains on the input hook (families that see
 * IPv4/IPv6 traffic). */
static int nft_chains(const struct nft_ctx *x, struct fw_chain *chains, size_t *n)
{
    const cJSON *item;
    int i = 0;
    cJSON_ArrayForEach(item, x->items)
    {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(item, "chain");
        i++;
        if (c == NULL)
            continue;
        if (!cJSON_IsObject(c))
            return nft_error(x, i - 1, "chain is not an object");
        const char *fam = jstr(c, "family"), *tab = jstr(c, "table"), *name = jstr(c, "name");
        if (fam == NULL || tab == NULL || name == NULL)
            return nft_error(x, i - 1, "chain lacks a string family, table or name");
        if (!jis(c, "hook", "input") || !jis(c, "type", "filter"))
            continue;
        if (strcmp(fam, "inet") && strcmp(fam, "ip") && strcmp(fam, "ip6"))
            continue;
        if (*n >= HOSTFW_CHAINS_MAX)
            continue;
        struct fw_chain *fc = &chains[(*n)++];
        memset(fc, 0, sizeof *fc);
        snprintf(fc->family, sizeof fc->family, "%s", fam);
        snprintf(fc->table, sizeof fc->table, "%s", tab);
        snprintf(fc->name, sizeof fc->name, "%s", name);
        fc->policy_drop = jis(c, "policy", "drop");
    }
    return 0;
}

static int nft_rule(const struct nft_ctx *x, int index, const cJSON *jrule, struct fw_rule *rule)
{
    const cJSON *expr = cJSON_GetObjectItemCaseSensitive(jrule, "expr");
    const cJSON *handle = cJSON_GetObjectItemCaseSensitive(jrule, "handle");
    const cJSON *stmt;
    if (!cJSON_IsArray(expr))
        return nft_error(x, index, "rule.expr is not an array");
    memset(rule, 0, sizeof *rule);
    rule->applies = true;
    rule->handle = cJSON_IsNumber(handle) ? (long)handle->valuedouble : 0;
    cJSON_ArrayForEach(stmt, expr)
    {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(stmt, "match");
        if (!cJSON_IsObject(stmt))
            return nft_error(x, index, "rule.expr has a statement that is not an object");
        if (m != NULL && (!cJSON_IsObject(m) || nft_match(x, jrule, m, rule) < 0))
            return nft_error(x, index, "rule.expr has a match without op, left and right");
        if (m == NULL)
            nft_verdict(stmt, rule);
    }
    return 0;
}

int hostfw_parse_nft(const char *json, int port, struct hostfw_result *out, char *err,
                     size_t errcap)
{
    struct fw_chain chains[HOSTFW_CHAINS_MAX];
    size_t nchains = 0;
    const char *where = NULL;
    const cJSON *item;
    int index = 0, rc = 0;

    result_init(out, "nft");
    cJSON *root = cJSON_ParseWithOpts(json, &where, true);
    if (root == NULL) {
        snprintf(err, errcap, _("nft output is not valid JSON (near byte %ld)"),
                 where != NULL ? (long)(where - json) : -1L);
        return -1;
    }
    struct nft_ctx x = {cJSON_GetObjectItemCaseSensitive(root, "nftables"), port, err, errcap};
    if (!cJSON_IsArray(x.items)) {
        snprintf(err, errcap, "%s", _("nft output has no \"nftables\" array"));
        cJSON_Delete(root);
        return -1;
    }
    rc = nft_chains(&x, chains, &nchains);
    cJSON_ArrayForEach(item, x.items)
    {
        const cJSON *jrule = cJSON_GetObjectItemCaseSensitive(item, "rule");
        struct fw_rule rule;
        struct fw_chain *c;
        if (rc < 0)
            break;
        index++;
        if (jrule == NULL)
            continue;
        if (!cJSON_IsObject(jrule)) {
            rc = nft_error(&x, index - 1, "rule is not an object");
            break;
        }
        if ((c = find_chain(chains, nchains, jrule)) == NULL)
            continue; /* another hook, or a user chain (jumps are not followed) */
        if ((rc = nft_rule(&x, index - 1, jrule, &rule)) == 0)
            chain_apply(out, c, &rule);
    }
    cJSON_Delete(root);
    if (rc < 0)
        return -1;
    for (size_t i = 0; i < nchains; i++)
        chain_finish(out, &chains[i]);
    out->input_chains = nchains;
    out->available = true;
    return 0;
}

/* ---- iptables-save ---- */

/* Splits a rule line into words; "double quoted" comments stay one word. */
static size_t ipt_words(char *line, char **words, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            break;
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
                       struct fw_rule *rule)
{
    if (!strcmp(opt, "-p") || !strcmp(opt, "--protocol")) {
        bool tcp = !strcmp(arg, "tcp") || !strcmp(arg, "6") || !strcmp(arg, "all");
        rule->applies = rule->applies && (tcp != negate);
    } else if (!strcmp(opt, "--dport") || !strcmp(opt, "--destination-port") ||
               !strcmp(opt, "--dports") || !strcmp(opt, "--destination-ports")) {
        rule->names_port = true;
        rule->applies = rule->applies && (ipt_ports_have(arg, port) != negate);
    } else if (!strcmp(opt, "-i") || !strcmp(opt, "--in-interface")) {
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

static void ipt_rule(char *line, long number, int port, struct fw_rule *rule)
{
    char *w[64];
    size_t n = ipt_words(line, w, 64);
    bool negate = false;
    memset(rule, 0, sizeof *rule);
    rule->applies = true;
    rule->handle = number;
    for (size_t i = 2; i < n; i++) { /* w[0] "-A", w[1] the chain */
        if (!strcmp(w[i], "!")) {
            negate = true;
            continue;
        }
        /* An option's argument never starts with '-' in iptables-save output. */
        const char *arg = i + 1 < n && w[i + 1][0] != '-' ? w[i + 1] : "";
        ipt_option(w[i], arg, negate, port, rule);
        negate = false;
        if (arg[0] != '\0')
            i++;
    }
}

int hostfw_parse_iptables(const char *text, int port, struct hostfw_result *out, char *err,
                          size_t errcap)
{
    struct fw_chain input = {.family = "", .table = "filter", .name = "INPUT"};
    bool in_filter = false, seen_input = false;
    long number = 0;
    char line[4096];
    const char *p = text;

    result_init(out, "iptables-save");
    while (*p != '\0') {
        size_t len = strcspn(p, "\n");
        if (len >= sizeof line) {
            snprintf(err, errcap, _("iptables-save line of %zu bytes is too long"), len);
            return -1;
        }
        memcpy(line, p, len);
        line[len] = '\0';
        p += len + (p[len] == '\n');
        if (line[0] == '*')
            in_filter = strcmp(line, "*filter") == 0;
        if (!in_filter)
            continue;
        if (strncmp(line, ":INPUT ", 7) == 0) {
            seen_input = true;
            input.policy_drop = strncmp(line + 7, "DROP", 4) == 0;
        } else if (strncmp(line, "-A INPUT ", 9) == 0) {
            struct fw_rule rule;
            ipt_rule(line, ++number, port, &rule);
            chain_apply(out, &input, &rule);
        }
    }
    if (seen_input) {
        chain_finish(out, &input);
        out->input_chains = 1;
    }
    out->available = true;
    return 0;
}

/* ---- Running the tools ---- */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs argv with stdout (and stderr, kept apart) captured, within
 * timeout_ms.  Returns the exit status, 127 if it could not be started,
 * or -1 on timeout (the child is killed). *out is malloc'd. */
static int run_capture(char *const argv[], int timeout_ms, char **out, char *errtext, size_t errcap)
{
    int po[2], pe[2], status = 0;
    size_t len = 0, cap = 65536, elen = 0;
    pid_t pid;
    posix_spawn_file_actions_t fa;

    *out = NULL;
    errtext[0] = '\0';
    if (pipe2(po, O_CLOEXEC) < 0)
        return 127;
    if (pipe2(pe, O_CLOEXEC) < 0) {
        close(po[0]);
        close(po[1]);
        return 127;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, (char *[]){"LC_ALL=C", NULL});
    posix_spawn_file_actions_destroy(&fa);
    close(po[1]);
    close(pe[1]);
    char *buf = rc == 0 ? malloc(cap) : NULL;
    if (buf == NULL) {
        close(po[0]);
        close(pe[0]);
        if (rc == 0) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
        }
        return 127;
    }
    long long deadline = now_ms() + timeout_ms;
    struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        long long left = deadline - now_ms();
        if (left <= 0 || poll(fds, 2, (int)left) < 0) {
            if (left > 0 && errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || fds[i].revents == 0)
                continue;
            char tmp[4096];
            ssize_t n = read(fds[i].fd, tmp, sizeof tmp);
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                continue;
            }
            if (i == 1) {
                size_t k = elen + (size_t)n < errcap ? (size_t)n : errcap - 1 - elen;
                memcpy(errtext + elen, tmp, k);
                elen += k;
                errtext[elen] = '\0';
                continue;
            }
            if (len + (size_t)n + 1 > cap) {
                char *bigger = cap < HOSTFW_OUTPUT_MAX ? realloc(buf, cap * 2) : NULL;
                if (bigger == NULL)
                    continue; /* past the cap: the rest is dropped, parsing will say so */
                buf = bigger;
                cap *= 2;
            }
            memcpy(buf + len, tmp, (size_t)n);
            len += (size_t)n;
        }
    }
    buf[len] = '\0';
    bool timed_out = fds[0].fd >= 0 || fds[1].fd >= 0;
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    if (timed_out)
        kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    *out = buf;
    if (timed_out)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

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
    int rc = run_capture(argv, timeout_ms, &text, errtext, sizeof errtext);
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
        rc = run_capture(sbin_argv, timeout_ms, &text, errtext, sizeof errtext);
    }
    first_line(errtext);
    if (rc == 127)
        snprintf(why, whycap, _("%s is not installed"), argv[0]);
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
    result_init(out, "");
    snprintf(out->reason, sizeof out->reason, "%.120s; %.120s", why_nft, why_ipt);
}
