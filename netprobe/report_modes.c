/*
 * report_modes.c - the modes' results as report members (report_modes.h).
 * cJSON accepts NULL parents, so a failed allocation inside an object only
 * leaves a member out; a failed top-level object is NULL for the caller.
 */
#include "netprobe/report_modes.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/i18n.h"

/* ---- --trace ---------------------------------------------------------------- */

cJSON *report_trace_json(const struct trace_result *r)
{
    cJSON *o = cJSON_CreateObject(), *hops;
    if (o == NULL)
        return NULL;
    cJSON_AddStringToObject(o, "target", r->target);
    cJSON_AddNumberToObject(o, "port", r->port);
    cJSON_AddBoolToObject(o, "reached", r->reached);
    cJSON_AddStringToObject(o, "ended", r->ended != NULL ? r->ended : "not_run");
    if (r->last_answer_ttl > 0) {
        cJSON_AddNumberToObject(o, "last_answer_hop", r->last_answer_ttl);
        cJSON_AddStringToObject(o, "last_answer_from", r->last_answer_from);
    } else {
        cJSON_AddNullToObject(o, "last_answer_hop");
        cJSON_AddNullToObject(o, "last_answer_from");
    }
    hops = cJSON_AddArrayToObject(o, "hops");
    for (size_t i = 0; hops != NULL && i < r->hop_count; i++) {
        const struct trace_hop *h = &r->hops[i];
        cJSON *j = cJSON_CreateObject();
        if (j == NULL)
            break;
        cJSON_AddNumberToObject(j, "ttl", h->ttl);
        cJSON_AddStringToObject(j, "kind", trace_kind_name(h->kind));
        if (h->from[0] != '\0')
            cJSON_AddStringToObject(j, "from", h->from);
        else
            cJSON_AddNullToObject(j, "from");
        cJSON_AddNumberToObject(j, "rtt_ms", h->rtt_ms);
        if (h->kind == TRACE_TIME_EXCEEDED || h->kind == TRACE_UNREACHABLE) {
            cJSON_AddNumberToObject(j, "icmp_type", h->icmp_type);
            cJSON_AddNumberToObject(j, "icmp_code", h->icmp_code);
            cJSON_AddStringToObject(j, "icmp_name", h->icmp_name);
        }
        if (h->kind == TRACE_LOCAL_ERROR)
            cJSON_AddStringToObject(j, "error", strerror(h->err));
        cJSON_AddItemToArray(hops, j);
    }
    return o;
}

/* ---- --capture -------------------------------------------------------------- */

static cJSON *icmp_json(const struct ev_icmp_error *e, int ttl)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    cJSON_AddNumberToObject(o, "type", e->type);
    cJSON_AddNumberToObject(o, "code", e->code);
    cJSON_AddStringToObject(o, "name", e->name);
    cJSON_AddStringToObject(o, "from", e->from);
    cJSON_AddNumberToObject(o, "ttl", ttl);
    return o;
}

/* -1 ("unknown") becomes null in JSON. */
static void add_int_or_null(cJSON *o, const char *k, int v)
{
    if (v < 0)
        cJSON_AddNullToObject(o, k);
    else
        cJSON_AddNumberToObject(o, k, v);
}

cJSON *report_capture_json(const struct capture_summary *s)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    cJSON_AddBoolToObject(o, "ran", s->ran);
    if (!s->ran) {
        cJSON_AddStringToObject(o, "skip_reason", s->skip_reason);
        cJSON_AddBoolToObject(o, "failed", s->failed);
    }
    cJSON_AddStringToObject(o, "interface", s->iface);
    cJSON_AddStringToObject(o, "filter", s->filter);
    cJSON_AddNumberToObject(o, "packets", s->packets);
    cJSON_AddNumberToObject(o, "syns_sent", s->syns_sent);
    cJSON_AddNumberToObject(o, "syn_retransmits", s->syn_retransmits);
    cJSON_AddNumberToObject(o, "synacks", s->synacks);
    add_int_or_null(o, "synack_ttl", s->synack_ttl);
    add_int_or_null(o, "synack_mss", s->synack_mss);
    add_int_or_null(o, "synack_window", s->synack_window);
    cJSON_AddNumberToObject(o, "resets", s->resets);
    add_int_or_null(o, "reset_ttl", s->reset_ttl);
    cJSON_AddNumberToObject(o, "icmp_errors", s->icmp_errors);
    add_int_or_null(o, "target_icmp_ttl", s->target_icmp_ttl);
    if (s->first_icmp.seen)
        cJSON_AddItemToObject(o, "first_icmp", icmp_json(&s->first_icmp, s->icmp_ttl));
    else
        cJSON_AddNullToObject(o, "first_icmp");
    cJSON_AddNumberToObject(o, "retransmits", s->retransmits);
    cJSON_AddNumberToObject(o, "zero_windows", s->zero_windows);
    cJSON_AddNumberToObject(o, "echo_replies", s->echo_replies);
    add_int_or_null(o, "echo_ttl", s->echo_ttl);
    if (s->reset_compared_with != NULL && s->reset_compared_with[0] != '\0')
        cJSON_AddStringToObject(o, "reset_compared_with", s->reset_compared_with);
    else
        cJSON_AddNullToObject(o, "reset_compared_with");
    cJSON_AddBoolToObject(o, "forged_reset", s->forged_reset);
    if (s->forged_reset)
        cJSON_AddStringToObject(o, "forged_detail", s->forged_detail);
    if (s->pcap_path[0] != '\0') {
        cJSON_AddStringToObject(o, "pcap_file", s->pcap_path);
        cJSON_AddNumberToObject(o, "pcap_packets", s->dumped);
    }
    return o;
}

/* ---- --local ---------------------------------------------------------------- */

/* ["ipv4", "ipv6"]: the families in bits (HOSTFW_IPV4, HOSTFW_IPV6). */
static void add_families(cJSON *o, const char *name, unsigned bits)
{
    cJSON *arr = cJSON_AddArrayToObject(o, name);
    if (arr != NULL && (bits & HOSTFW_IPV4))
        cJSON_AddItemToArray(arr, cJSON_CreateString("ipv4"));
    if (arr != NULL && (bits & HOSTFW_IPV6))
        cJSON_AddItemToArray(arr, cJSON_CreateString("ipv6"));
}

cJSON *report_hostfw_json(const struct hostfw_result *r)
{
    cJSON *o = cJSON_CreateObject(), *hits;
    if (o == NULL)
        return NULL;
    cJSON_AddStringToObject(o, "source", r->source);
    cJSON_AddBoolToObject(o, "available", r->available);
    if (!r->available)
        cJSON_AddStringToObject(o, "reason", r->reason);
    cJSON_AddBoolToObject(o, "blocks", r->blocks);
    cJSON_AddBoolToObject(o, "may_block", r->may_block);
    add_families(o, "blocks_families", r->blocks_families);
    cJSON_AddNumberToObject(o, "input_chains", (double)r->input_chains);
    hits = cJSON_AddArrayToObject(o, "rules");
    for (size_t i = 0; hits != NULL && i < r->hit_count; i++) {
        const struct hostfw_hit *h = &r->hits[i];
        cJSON *j = cJSON_CreateObject();
        if (j == NULL)
            break;
        cJSON_AddStringToObject(j, "family", h->family);
        cJSON_AddStringToObject(j, "table", h->table);
        cJSON_AddStringToObject(j, "chain", h->chain);
        if (h->handle >= 0)
            cJSON_AddNumberToObject(j, "handle", (double)h->handle);
        else
            cJSON_AddNullToObject(j, "handle");
        cJSON_AddStringToObject(j, "action", hostfw_action_name(h->action));
        cJSON_AddStringToObject(j, "detail", h->detail);
        cJSON_AddBoolToObject(j, "conditional", h->conditional);
        add_families(j, "families", h->families);
        cJSON_AddItemToArray(hits, j);
    }
    cJSON_AddNumberToObject(o, "rules_not_listed", (double)r->hits_dropped);
    return o;
}

static cJSON *listeners_json(const struct server_evidence *ev)
{
    cJSON *e = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(e, "listeners");
    for (size_t i = 0; arr != NULL && i < ev->listeners.count; i++) {
        const struct listener *l = &ev->listeners.items[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "address", l->address);
        cJSON_AddStringToObject(j, "family", l->family == AF_INET ? "ipv4" : "ipv6");
        cJSON_AddStringToObject(j, "bind", listeners_bind_name(l->bind));
        cJSON_AddNumberToObject(j, "uid", l->uid);
        if (l->pid > 0) {
            cJSON_AddNumberToObject(j, "pid", l->pid);
            cJSON_AddStringToObject(j, "process", l->comm);
        } else {
            cJSON_AddNullToObject(j, "pid");
            cJSON_AddNullToObject(j, "process");
        }
        cJSON_AddItemToArray(arr, j);
    }
    cJSON_AddNumberToObject(e, "not_listed", (double)ev->listeners.dropped);
    if (ev->global_ipv6[0] != '\0')
        cJSON_AddStringToObject(e, "global_ipv6", ev->global_ipv6);
    else
        cJSON_AddNullToObject(e, "global_ipv6");
    if (!ev->listeners_ok)
        cJSON_AddStringToObject(e, "error", ev->listeners_error);
    return e;
}

static cJSON *connect_json(const struct server_evidence *ev)
{
    cJSON *e = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(e, "connections");
    for (size_t i = 0; arr != NULL && i < ev->test_count; i++) {
        const struct server_conn_test *t = &ev->tests[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "address", t->address);
        cJSON_AddBoolToObject(j, "ok", t->ok);
        cJSON_AddNumberToObject(j, "ms", t->ms);
        if (!t->ok) {
            cJSON_AddStringToObject(j, "error", strerror(t->err));
            /* What --show says the error from, in the reader's language. */
            if (t->err > 0)
                cJSON_AddNumberToObject(j, "errno", t->err);
        }
        cJSON_AddItemToArray(arr, j);
    }
    return e;
}

static cJSON *firewall_json(const struct server_evidence *ev)
{
    return ev->firewall_checked ? report_hostfw_json(&ev->fw) : cJSON_CreateObject();
}

static cJSON *public_json(const struct server_evidence *ev)
{
    cJSON *e = cJSON_CreateObject();
    if (ev->public_source == PUBLIC_NONE) {
        if (ev->imds_asked)
            cJSON_AddStringToObject(e, "imds_error", ev->imds_error);
        return e;
    }
    cJSON_AddStringToObject(e, "address", ev->public_addr);
    cJSON_AddBoolToObject(e, "on_interface", ev->public_is_local);
    cJSON_AddStringToObject(e, "source", ev->public_source == PUBLIC_IMDS ? "imds" : "option");
    return e;
}

/* Each check's evidence member, in the order of enum local_check_id. */
static cJSON *(*const CHECK_EVIDENCE[LOCAL_CHECK_COUNT])(const struct server_evidence *) = {
    [LOCAL_CHECK_LISTENERS] = listeners_json,
    [LOCAL_CHECK_CONNECT] = connect_json,
    [LOCAL_CHECK_FIREWALL] = firewall_json,
    [LOCAL_CHECK_PUBLIC] = public_json,
};

static void add_check(cJSON *checks, const struct local_check *lc, enum local_check_id id)
{
    cJSON *evidence = CHECK_EVIDENCE[id](&lc->ev);
    cJSON *c = cJSON_CreateObject();
    if (c == NULL) {
        cJSON_Delete(evidence);
        return;
    }
    cJSON_AddStringToObject(c, "name", local_check_name(id));
    cJSON_AddStringToObject(c, "status", stage_status_name(lc->lines[id].status));
    cJSON_AddStringToObject(c, "summary", lc->lines[id].summary);
    cJSON_AddItemToObject(c, "evidence", evidence != NULL ? evidence : cJSON_CreateObject());
    cJSON_AddItemToArray(checks, c);
}

cJSON *report_local_json(const struct local_check *lc)
{
    cJSON *o = cJSON_CreateObject(), *arr, *checks;
    if (o == NULL)
        return NULL;
    cJSON_AddStringToObject(o, "mode", "local");
    cJSON_AddNumberToObject(o, "port", lc->ev.port);
    cJSON_AddStringToObject(o, "verdict", local_check_code(lc->verdict));
    arr = cJSON_AddArrayToObject(o, "evidence");
    for (size_t i = 0; arr != NULL && i < lc->sentence_count; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(lc->sentences[i]));
    checks = cJSON_AddArrayToObject(o, "checks");
    if (checks == NULL) {
        cJSON_Delete(o);
        return NULL;
    }
    for (int id = 0; id < LOCAL_CHECK_COUNT; id++)
        add_check(checks, lc, (enum local_check_id)id);
    return o;
}

/* ---- --watch ---------------------------------------------------------------- */

static cJSON *source_json(const struct watch_source *s)
{
    cJSON *j = cJSON_CreateObject();
    if (j == NULL)
        return NULL;
    cJSON_AddStringToObject(j, "address", s->address);
    cJSON_AddNumberToObject(j, "syns", s->syns);
    cJSON_AddNumberToObject(j, "synacks_sent", s->synacks_sent);
    cJSON_AddNumberToObject(j, "resets_sent", s->resets_sent);
    cJSON_AddNumberToObject(j, "bytes_received", (double)s->bytes_received);
    cJSON_AddStringToObject(j, "outcome", watch_outcome(s));
    cJSON_AddStringToObject(j, "meaning", watch_meaning(s));
    return j;
}

cJSON *report_watch_json(const struct watch_table *t, const struct watch_opts *o, bool interrupted)
{
    cJSON *j = cJSON_CreateObject(), *arr;
    char summary[256];
    if (j == NULL)
        return NULL;
    cJSON_AddNumberToObject(j, "port", t->port);
    cJSON_AddNumberToObject(j, "duration_s", o->duration_s);
    cJSON_AddBoolToObject(j, "interrupted", interrupted);
    cJSON_AddNumberToObject(j, "packets", t->packets);
    arr = cJSON_AddArrayToObject(j, "sources");
    for (size_t i = 0; arr != NULL && i < t->count; i++)
        cJSON_AddItemToArray(arr, source_json(&t->sources[i]));
    cJSON_AddNumberToObject(j, "sources_not_listed", (double)t->dropped);
    watch_summary(t, summary, sizeof summary);
    cJSON_AddStringToObject(j, "summary", summary);
    if (o->expect_from == NULL) {
        cJSON_AddNullToObject(j, "expected_source");
        return j;
    }
    const struct watch_source *s = watch_find(t, o->expect_from);
    cJSON *e = cJSON_AddObjectToObject(j, "expected_source");
    if (e != NULL) {
        cJSON_AddStringToObject(e, "address", o->expect_from);
        cJSON_AddStringToObject(e, "outcome", watch_outcome(s));
        cJSON_AddStringToObject(e, "meaning", watch_meaning(s));
    }
    return j;
}

/* ---- Redaction of a whole document --------------------------------------- */

static int redact_value(const struct redact *r, cJSON *item)
{
    size_t len = strlen(item->valuestring);
    /* The worst growth is a 2-character secret becoming a placeholder. */
    size_t cap = len * (sizeof r->entries[0].placeholder / 2) + 1;
    char *out = malloc(cap);
    if (out == NULL)
        return -1;
    redact_text(r, item->valuestring, out, cap);
    int rc = 0;
    if (strcmp(out, item->valuestring) != 0 && cJSON_SetValuestring(item, out) == NULL)
        rc = -1;
    free(out);
    return rc;
}

int report_redact_json(const struct redact *r, cJSON *root)
{
    if (root == NULL)
        return 0;
    if (cJSON_IsString(root) && root->valuestring != NULL && redact_value(r, root) < 0)
        return -1;
    for (cJSON *child = root->child; child != NULL; child = child->next)
        if (report_redact_json(r, child) < 0)
            return -1;
    return 0;
}
