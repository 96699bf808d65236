/*
 * hostfw_nft.c - `nft -j list ruleset` -> the chain walk (hostfw.h).
 *
 * Every JSON field is type-checked before use; the set lookup is bounded in
 * depth and in total work, so a hostile or odd rule set costs at most
 * HOSTFW_NFT_STEPS_MAX steps.
 */
#include "netprobe/server/hostfw.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "common/i18n.h"
#include "netprobe/server/hostfw_chain.h"

/* HOSTFW_NFT_STEPS_MAX (hostfw.h) counts the steps the set lookups of one
 * rule set may take: a set, an element or a list entry visited, or an item
 * scanned for a set's name.  Real rule sets take a few thousand; a set
 * whose elements refer to itself many times would otherwise cost k^4 steps
 * within the depth bound. */

/* nft handles are 64-bit counters; past 2^53 a double is no longer exact. */
#define HOSTFW_NFT_HANDLE_MAX 9007199254740992.0

struct nft_ctx {
    const cJSON *items; /* the "nftables" array */
    int port;
    const struct fw_direction *dir;
    char *err;
    size_t errcap;
    long steps_left; /* HOSTFW_NFT_STEPS_MAX, counted down by the set lookups */
};

/* Takes one step of the lookup budget; false once it is spent. */
static bool nft_step(struct nft_ctx *x)
{
    if (x->steps_left <= 0)
        return false;
    x->steps_left--;
    return true;
}

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

static bool value_has_port(struct nft_ctx *x, const cJSON *rule, const cJSON *v, int depth);

/* Elements of the named set "@name" in the rule's table. */
static bool named_set_has_port(struct nft_ctx *x, const cJSON *rule, const char *name, int depth)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, x->items)
    {
        if (!nft_step(x))
            return false;
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
static bool value_has_port(struct nft_ctx *x, const cJSON *rule, const cJSON *v, int depth)
{
    const cJSON *e;
    if (v == NULL || depth > HOSTFW_NFT_DEPTH_MAX || !nft_step(x))
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
static int nft_match(struct nft_ctx *x, const cJSON *jrule, const cJSON *m, struct fw_rule *rule)
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
        if (cJSON_IsObject(payload)) /* "ip protocol tcp", "ip6 nexthdr tcp": one family */
            rule->families &= jis(payload, "protocol", "ip6") ? HOSTFW_IPV6 : HOSTFW_IPV4;
    } else if (cJSON_IsObject(meta) &&
               (jis(meta, "key", x->dir->nft_if[0]) || jis(meta, "key", x->dir->nft_if[1]))) {
        in = value_has_word(right, "lo");
        if (in != negate)
            rule->applies = false; /* only loopback traffic */
        else
            rule->conditional = true; /* one interface: we cannot tell which the client uses */
    } else if (cJSON_IsObject(meta) && jis(meta, "key", "nfproto")) {
        unsigned fams = (value_has_word(right, "ipv4") ? HOSTFW_IPV4 : 0u) |
                        (value_has_word(right, "ipv6") ? HOSTFW_IPV6 : 0u);
        rule->families &= negate ? HOSTFW_BOTH & ~fams : fams; /* a family, not a source */
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

/* Collects the filter base chains on the direction's hook (families that
 * see IPv4/IPv6 traffic). */
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
        if (!jis(c, "hook", x->dir->nft_hook) || !jis(c, "type", "filter"))
            continue;
        if (strcmp(fam, "inet") && strcmp(fam, "ip") && strcmp(fam, "ip6"))
            continue;
        if (*n >= HOSTFW_CHAINS_MAX)
            return nft_error(x, i - 1, "chain is an input chain past the 32 netprobe follows");
        struct fw_chain *fc = &chains[(*n)++];
        memset(fc, 0, sizeof *fc);
        snprintf(fc->family, sizeof fc->family, "%s", fam);
        snprintf(fc->table, sizeof fc->table, "%s", tab);
        snprintf(fc->name, sizeof fc->name, "%s", name);
        fc->policy_drop = jis(c, "policy", "drop");
        fc->families = !strcmp(fam, "ip")    ? HOSTFW_IPV4
                       : !strcmp(fam, "ip6") ? HOSTFW_IPV6
                                             : HOSTFW_BOTH;
    }
    return 0;
}

static int nft_rule(struct nft_ctx *x, int index, const cJSON *jrule, struct fw_rule *rule)
{
    const cJSON *expr = cJSON_GetObjectItemCaseSensitive(jrule, "expr");
    const cJSON *handle = cJSON_GetObjectItemCaseSensitive(jrule, "handle");
    const cJSON *stmt;
    if (!cJSON_IsArray(expr))
        return nft_error(x, index, "rule.expr is not an array");
    memset(rule, 0, sizeof *rule);
    rule->applies = true;
    rule->families = HOSTFW_BOTH;
    rule->handle = 0; /* absent or unusable: not known */
    if (cJSON_IsNumber(handle) && handle->valuedouble >= 0 &&
        handle->valuedouble <= HOSTFW_NFT_HANDLE_MAX && handle->valuedouble <= (double)LONG_MAX)
        rule->handle = (long)handle->valuedouble;
    cJSON_ArrayForEach(stmt, expr)
    {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(stmt, "match");
        if (!cJSON_IsObject(stmt))
            return nft_error(x, index, "rule.expr has a statement that is not an object");
        if (m != NULL && (!cJSON_IsObject(m) || nft_match(x, jrule, m, rule) < 0))
            return nft_error(x, index, "rule.expr has a match without op, left and right");
        if (x->steps_left <= 0)
            return nft_error(x, index, "rule.expr refers to sets too large to follow");
        if (m == NULL)
            nft_verdict(stmt, rule);
    }
    return 0;
}

int hostfw_parse_nft(const char *json, int port, struct hostfw_result *out, char *err,
                     size_t errcap)
{
    return hostfw_parse_nft_dir(json, HOSTFW_INCOMING, port, out, err, errcap);
}

int hostfw_parse_nft_dir(const char *json, enum hostfw_direction dir, int port,
                         struct hostfw_result *out, char *err, size_t errcap)
{
    struct fw_chain chains[HOSTFW_CHAINS_MAX];
    size_t nchains = 0;
    const char *where = NULL;
    const cJSON *item;
    int index = 0, rc = 0;

    fw_result_init(out, "nft");
    cJSON *root = cJSON_ParseWithOpts(json, &where, true);
    if (root == NULL) {
        snprintf(err, errcap, _("nft output is not valid JSON (near byte %ld)"),
                 where != NULL ? (long)(where - json) : -1L);
        return -1;
    }
    struct nft_ctx x = {cJSON_GetObjectItemCaseSensitive(root, "nftables"),
                        port,
                        fw_direction_of(dir),
                        err,
                        errcap,
                        HOSTFW_NFT_STEPS_MAX};
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
            fw_chain_apply(out, c, &rule);
    }
    cJSON_Delete(root);
    if (rc < 0)
        return -1;
    for (size_t i = 0; i < nchains; i++)
        fw_chain_finish(out, &chains[i]);
    out->input_chains = nchains;
    out->available = true;
    return 0;
}
