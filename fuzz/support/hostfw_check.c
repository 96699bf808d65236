#include "fuzz/support/hostfw_check.h"

#include <string.h>

#include "fuzz/support/check.h"

static void check_text(const char *s, size_t cap, const char *what)
{
    FUZZ_CHECK(strnlen(s, cap) < cap, "%s not terminated", what);
}

static void check_hit(const struct hostfw_hit *h, bool nft)
{
    static const char *const families[] = {"inet", "ip", "ip6"};
    bool known = false;
    check_text(h->family, sizeof h->family, "family");
    check_text(h->table, sizeof h->table, "table");
    check_text(h->chain, sizeof h->chain, "chain");
    check_text(h->detail, sizeof h->detail, "detail");
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        known = known || strcmp(h->family, families[i]) == 0;
    FUZZ_CHECK(nft ? known : h->family[0] == '\0', "family \"%s\"", h->family);
    FUZZ_CHECK(h->action == HOSTFW_ACCEPT || h->action == HOSTFW_DROP || h->action == HOSTFW_REJECT,
               "action %d", (int)h->action);
    FUZZ_CHECK(h->detail[0] != '\0', "a hit without detail");
    /* -1 means "the chain's policy" in the report: no rule may claim it. */
    bool policy = strcmp(h->detail, "policy drop") == 0;
    FUZZ_CHECK(policy == (h->handle == -1), "handle %ld for \"%s\"", h->handle, h->detail);
    FUZZ_CHECK(!policy || (h->action == HOSTFW_DROP && !h->conditional), "odd policy hit");
}

void hostfw_check_result(int rc, const struct hostfw_result *r, const char *err, const char *source)
{
    FUZZ_CHECK(rc == 0 || rc == -1, "rc %d", rc);
    if (rc < 0) {
        FUZZ_CHECK(strnlen(err, 256) > 0 && strnlen(err, 256) < 256, "failure without reason");
        return;
    }
    FUZZ_CHECK(r->available && strcmp(r->source, source) == 0, "source \"%s\"", r->source);
    FUZZ_CHECK(r->hit_count <= HOSTFW_HITS_MAX, "%zu hits", r->hit_count);
    bool deciding_block = false, conditional_block = false;
    for (size_t i = 0; i < r->hit_count; i++) {
        const struct hostfw_hit *h = &r->hits[i];
        check_hit(h, strcmp(source, "nft") == 0);
        bool blocking = h->action != HOSTFW_ACCEPT;
        deciding_block = deciding_block || (blocking && !h->conditional);
        conditional_block = conditional_block || (blocking && h->conditional);
    }
    bool more = r->hits_dropped > 0;
    FUZZ_CHECK(!r->blocks || deciding_block || more, "blocks without a deciding hit");
    FUZZ_CHECK(!deciding_block || r->blocks, "a deciding drop, yet not blocks");
    FUZZ_CHECK(!r->may_block || conditional_block || more, "may_block without a conditional hit");
}

static bool hit_equal(const struct hostfw_hit *a, const struct hostfw_hit *b)
{
    return !strcmp(a->family, b->family) && !strcmp(a->table, b->table) &&
           !strcmp(a->chain, b->chain) && a->handle == b->handle && a->action == b->action &&
           !strcmp(a->detail, b->detail) && a->conditional == b->conditional;
}

void hostfw_check_same(int rc1, const struct hostfw_result *a, const char *err1, int rc2,
                       const struct hostfw_result *b, const char *err2)
{
    FUZZ_CHECK(rc1 == rc2, "rc %d then %d", rc1, rc2);
    if (rc1 < 0) {
        FUZZ_CHECK(strcmp(err1, err2) == 0, "reasons differ");
        return;
    }
    bool same = a->available == b->available && a->blocks == b->blocks &&
                a->may_block == b->may_block && a->input_chains == b->input_chains &&
                a->hit_count == b->hit_count && a->hits_dropped == b->hits_dropped;
    for (size_t i = 0; same && i < a->hit_count; i++)
        same = hit_equal(&a->hits[i], &b->hits[i]);
    FUZZ_CHECK(same, "the same input read twice gave different results");
}
