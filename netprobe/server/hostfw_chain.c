/*
 * hostfw_chain.c - the chain walk (hostfw_chain.h).
 */
#include "netprobe/server/hostfw_chain.h"

#include <stdio.h>
#include <string.h>

static void add_hit(struct hostfw_result *r, const struct fw_chain *c, long handle,
                    enum hostfw_action action, const char *detail, bool conditional,
                    unsigned families)
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
    h->families = families;
}

/* Applies one rule to the chain's walk.  A rule that names the port is
 * evidence even when conditional; a blanket drop ("reject everything
 * else") decides too, which is how RHEL's default INPUT chain ends. */
void fw_chain_apply(struct hostfw_result *r, struct fw_chain *c, const struct fw_rule *rule)
{
    bool blocking = rule->action != HOSTFW_ACCEPT;
    unsigned families = rule->families & c->families & ~c->decided;
    if (families == 0 || !rule->applies || !rule->has_verdict)
        return;
    if (!rule->names_port && (rule->conditional || !blocking))
        return; /* e.g. "ip saddr X accept", "iif eth1 drop" */
    add_hit(r, c, rule->handle, rule->action, rule->detail, rule->conditional, families);
    if (rule->conditional) {
        r->may_block = r->may_block || blocking;
        return;
    }
    c->decided |= families;
    if (blocking) {
        r->blocks = true;
        r->blocks_families |= families;
    }
}

void fw_chain_finish(struct hostfw_result *r, struct fw_chain *c)
{
    unsigned families = c->families & ~c->decided;
    if (families == 0 || !c->policy_drop)
        return;
    add_hit(r, c, -1, HOSTFW_DROP, "policy drop", false, families);
    c->decided |= families;
    r->blocks = true;
    r->blocks_families |= families;
}

/* A rule naming loopback as its interface never meets a connection to or
 * from another machine, in either direction. */
static const struct fw_direction directions[] = {
    [HOSTFW_INCOMING] = {"input", "INPUT", {"iif", "iifname"}, {"-i", "--in-interface"}},
    [HOSTFW_OUTGOING] = {"output", "OUTPUT", {"oif", "oifname"}, {"-o", "--out-interface"}},
};

const struct fw_direction *fw_direction_of(enum hostfw_direction dir)
{
    return &directions[dir == HOSTFW_OUTGOING ? HOSTFW_OUTGOING : HOSTFW_INCOMING];
}

void fw_result_init(struct hostfw_result *r, const char *source)
{
    memset(r, 0, sizeof *r);
    snprintf(r->source, sizeof r->source, "%s", source);
}
