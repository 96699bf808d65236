/*
 * report_read.c - a saved report back into plain structs (report_read.h).
 *
 * The readers below mirror the writers in report.c member for member;
 * report_read_modes.c reads what report_modes.c writes.  The getters
 * (report_json.h) check each member's JSON type and leave the field as it
 * was when the type is wrong or the member is absent.
 */
#include "netprobe/report_read.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/i18n.h"
#include "netprobe/advice.h"
#include "netprobe/report_json.h"
#include "netprobe/report_read_modes.h"

#define SCHEMA_FAMILY "netprobe.report/"

/* ---- Names back to enums -------------------------------------------------- */

static int stage_by_name(const char *s)
{
    LOOKUP(stage_name, enum stage_id, STAGE_COUNT, s);
}
static int verdict_by_name(const char *s)
{
    LOOKUP(verdict_code_name, enum verdict_code, VERDICT_COUNT, s);
}
static int finding_by_name(const char *s)
{
    LOOKUP(finding_code_name, enum finding_code, FINDING_COUNT, s);
}
static int trace_kind_by_name(const char *s)
{
    LOOKUP(trace_kind_name, enum trace_kind, TRACE_LOCAL_ERROR + 1, s);
}
static int skip_by_name(const char *s)
{
    LOOKUP(stage_skip_name, enum stage_skip, SKIP_COUNT, s);
}
static int dns_detail_by_name(const char *s)
{
    LOOKUP(dns_detail_name, enum dns_detail, DNS_DETAIL_COUNT, s);
}
static int route_kind_by_name(const char *s)
{
    LOOKUP(route_kind_name, enum route_kind, ROUTE_GATEWAY + 1, s);
}
static int addr_class_by_name(const char *s)
{
    LOOKUP(addr_class_name, enum addr_class, ADDR_PUBLIC + 1, s);
}
static int dns_outcome_by_name(const char *s)
{
    LOOKUP(dns_outcome_name, enum dns_outcome, DNS_NO_FAMILY + 1, s);
}
static int tcp_state_by_name(const char *s)
{
    LOOKUP(tcp_state_name, enum tcp_state, TCP_STATE_ERROR + 1, s);
}
static int app_outcome_by_name(const char *s)
{
    LOOKUP(app_outcome_name, enum app_outcome, APP_RESET + 1, s);
}
static int echo_outcome_by_name(const char *s)
{
    LOOKUP(echo_outcome_name, enum echo_outcome, ECHO_CLOSED + 1, s);
}
static int split_by_name(const char *s)
{
    LOOKUP(silence_split_name, enum silence_split, SILENCE_RELAY + 1, s);
}

/* trace_result.ended points at a static name; an unknown one reads as
 * not_run rather than pointing into the freed document. */
static const char *trace_ended(const char *s)
{
    static const char *const ENDED[] = {"reached",  "unreachable", "silence",
                                        "max_hops", "local_error", "not_run"};
    for (size_t i = 0; i < sizeof ENDED / sizeof ENDED[0]; i++)
        if (strcmp(s, ENDED[i]) == 0)
            return ENDED[i];
    return "not_run";
}

/* ---- Client members --------------------------------------------------------- */

static void read_target(const cJSON *root, struct report_doc *d)
{
    const cJSON *t = get_obj(root, "target");
    get_str(t, "host", d->ev.host, sizeof d->ev.host);
    d->ev.port = get_int(t, "port", 1, 65535, d->ev.port);
    int pref = get_int(t, "family_pref", 0, 6, 0);
    d->ev.family_pref = pref == 4 || pref == 6 ? pref : 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, get_arr(t, "addresses"))
    {
        if (d->ev.dns.addr_count == EV_ADDRS_MAX || !cJSON_IsObject(a))
            break;
        struct ev_address *e = &d->ev.dns.addrs[d->ev.dns.addr_count++];
        get_str(a, "address", e->address, sizeof e->address);
        char fam[8] = "";
        get_str(a, "family", fam, sizeof fam);
        e->family = strcmp(fam, "ipv6") == 0 ? AF_INET6 : AF_INET;
    }
    get_str(get_obj(root, "local"), "hostname", d->ev.local.hostname, sizeof d->ev.local.hostname);
    d->ev.timeout_ms = get_num(root, "timeout_ms", d->ev.timeout_ms);
}

/* ---- Stage evidence, one reader per writer in report.c ------------------- */

static void read_address(const cJSON *a, struct ev_address *e)
{
    char fam[8] = "";
    get_str(a, "address", e->address, sizeof e->address);
    get_str(a, "family", fam, sizeof fam);
    e->family = strcmp(fam, "ipv6") == 0 ? AF_INET6 : AF_INET;
}

static void read_icmp_error(const cJSON *o, const char *name, struct ev_icmp_error *e)
{
    const cJSON *err = get_obj(o, name);
    if (err == NULL)
        return;
    e->seen = true;
    e->type = get_int(err, "type", 0, 255, 0);
    e->code = get_int(err, "code", 0, 255, 0);
    get_str(err, "from", e->from, sizeof e->from);
    get_str(err, "name", e->name, sizeof e->name);
}

static void read_local_ev(const cJSON *o, struct evidence *ev)
{
    struct ev_local *l = &ev->local;
    const cJSON *f;
    l->iface_count = 0;
    cJSON_ArrayForEach(f, get_arr(o, "interfaces"))
    {
        if (l->iface_count == EV_IFACES_MAX || !cJSON_IsObject(f))
            break;
        struct ev_iface *i = &l->ifaces[l->iface_count++];
        get_str(f, "name", i->name, sizeof i->name);
        get_str(f, "address", i->address, sizeof i->address);
        i->prefix_len = get_int(f, "prefix_len", 0, 128, 0);
        get_str(f, "mac", i->mac, sizeof i->mac);
        i->mtu = get_int(f, "mtu", 0, INT_MAX, 0);
    }
    get_str(o, "gateway", l->gateway, sizeof l->gateway);
    l->route.kind = (enum route_kind)get_code(o, "route", route_kind_by_name, ROUTE_UNKNOWN);
    get_str(o, "next_hop", l->route.next_hop, sizeof l->route.next_hop);
    l->has_default_route = get_bool(o, "has_default_route");
    get_str(o, "source_address", l->source_address, sizeof l->source_address);
    l->source_class =
        (enum addr_class)get_code(o, "source_class", addr_class_by_name, ADDR_UNKNOWN);
    l->source_mtu = get_int(o, "source_mtu", 0, INT_MAX, 0);
    l->virtualbox_nat = get_bool(o, "virtualbox_nat");
    l->virtualbox_vm = get_bool(o, "virtualbox_vm");
    const cJSON *caps = get_obj(o, "capabilities");
    l->can_raw_socket = get_bool(caps, "raw_socket");
    l->can_ping_socket = get_bool(caps, "ping_socket");
    l->can_capture = get_bool(caps, "capture");
    if (get_obj(o, "target") != NULL)
        read_address(get_obj(o, "target"), &l->target);
    get_str(o, "ipv6_gateway", l->ipv6_gateway, sizeof l->ipv6_gateway);
    l->ipv6_default_route = get_bool(o, "ipv6_default_route");
    get_str(o, "nat_address", l->nat_address, sizeof l->nat_address);
}

static void read_dns_ev(const cJSON *o, struct evidence *ev)
{
    struct ev_dns *d = &ev->dns;
    const cJSON *a;
    d->outcome = (enum dns_outcome)get_code(o, "outcome", dns_outcome_by_name, DNS_OTHER_FAILURE);
    get_str(o, "detail", d->detail, sizeof d->detail);
    d->detail_kind =
        (enum dns_detail)get_code(o, "detail_code", dns_detail_by_name, DNS_DETAIL_NONE);
    get_str(o, "detail_arg", d->detail_arg, sizeof d->detail_arg);
    d->detail_num = get_int(o, "detail_num", 0, INT_MAX, 0);
    d->addr_count = 0; /* the same list as target.addresses: read once */
    cJSON_ArrayForEach(a, get_arr(o, "addresses"))
    {
        if (d->addr_count == EV_ADDRS_MAX || !cJSON_IsObject(a))
            break;
        read_address(a, &d->addrs[d->addr_count++]);
    }
}

static void read_icmp_ev(const cJSON *o, struct evidence *ev)
{
    struct ev_icmp *c = &ev->icmp;
    get_str(o, "method", c->method, sizeof c->method);
    c->sent = get_int(o, "sent", 0, INT_MAX, 0);
    c->received = get_int(o, "received", 0, INT_MAX, 0);
    c->rtt_min_ms = get_num(o, "rtt_min_ms", 0);
    c->rtt_avg_ms = get_num(o, "rtt_avg_ms", 0);
    c->rtt_max_ms = get_num(o, "rtt_max_ms", 0);
    read_icmp_error(o, "error", &c->error);
    c->reply_ttl = get_int(o, "reply_ttl", 1, 255, 0);
    c->not_sent = get_int(o, "not_sent", 0, INT_MAX, 0);
    c->send_errno = get_int(o, "send_errno", 0, INT_MAX, 0);
}

static void read_tcp_attempt(const cJSON *o, struct ev_tcp_attempt *a)
{
    read_address(o, &a->target);
    a->state = (enum tcp_state)get_code(o, "state", tcp_state_by_name, TCP_STATE_UNKNOWN);
    get_str(o, "reason", a->reason, sizeof a->reason);
    a->rtt_ms = get_num(o, "rtt_ms", 0);
    a->syns_sent = get_int(o, "syns_sent", 0, INT_MAX, 0);
    a->local_errno = get_int(o, "local_errno", 0, INT_MAX, 0);
    read_icmp_error(o, "icmp", &a->icmp);
    get_str(o, "source_address", a->source_address, sizeof a->source_address);
    a->source_port = get_int(o, "source_port", 0, 65535, 0);
}

static void read_tcp_ev(const cJSON *o, struct evidence *ev)
{
    struct ev_tcp *t = &ev->tcp;
    const cJSON *a;
    t->deadline_ms = get_num(o, "deadline_ms", 0);
    t->attempt_count = 0;
    cJSON_ArrayForEach(a, get_arr(o, "attempts"))
    {
        if (t->attempt_count == EV_ADDRS_MAX || !cJSON_IsObject(a))
            break;
        read_tcp_attempt(a, &t->attempts[t->attempt_count++]);
    }
    int chosen = get_int(o, "chosen", -1, EV_ADDRS_MAX - 1, -1);
    t->chosen = (size_t)chosen < t->attempt_count ? chosen : -1;
    const cJSON *fw = get_obj(o, "local_firewall");
    t->local_fw.read = get_bool(fw, "read");
    t->local_fw.blocks = get_bool(fw, "blocks");
    t->local_fw.may_block = get_bool(fw, "may_block");
    get_str(fw, "rule", t->local_fw.rule, sizeof t->local_fw.rule);
    get_str(fw, "why_unread", t->local_fw.why_unread, sizeof t->local_fw.why_unread);
}

static void read_endpoint(const cJSON *o, struct hello_endpoint *e)
{
    get_str(o, "address", e->address, sizeof e->address);
    e->port = get_int(o, "port", 0, 65535, 0);
}

static void read_hello(const cJSON *s, struct hello_info *h)
{
    const cJSON *e;
    h->netprobe = get_int(s, "netprobe", 1, INT_MAX, 1);
    get_str(s, "server", h->server, sizeof h->server);
    get_str(s, "version", h->version, sizeof h->version);
    get_str(s, "hostname", h->hostname, sizeof h->hostname);
    get_str(s, "mode", h->mode, sizeof h->mode);
    read_endpoint(get_obj(s, "peer"), &h->peer);
    read_endpoint(get_obj(s, "local"), &h->local);
    h->listen_count = 0;
    cJSON_ArrayForEach(e, get_arr(s, "listen"))
    {
        if (h->listen_count == HELLO_LISTEN_MAX || !cJSON_IsObject(e))
            break;
        read_endpoint(e, &h->listen[h->listen_count++]);
    }
    h->echo_max = get_int(s, "echo_max", 0, INT_MAX, 0);
}

static void read_app_ev(const cJSON *o, struct evidence *ev)
{
    struct ev_app *a = &ev->app;
    a->outcome = (enum app_outcome)get_code(o, "outcome", app_outcome_by_name, APP_NOT_RUN);
    if (get_obj(o, "server") != NULL)
        read_hello(get_obj(o, "server"), &a->hello);
    get_str(o, a->outcome == APP_CLOSED || a->outcome == APP_RESET ? "before_close" : "banner",
            a->banner, sizeof a->banner);
    const cJSON *acked = cJSON_GetObjectItemCaseSensitive(o, "bytes_acked");
    a->bytes_acked_known = cJSON_IsBool(acked);
    a->bytes_acked = cJSON_IsTrue(acked);
    a->client_nat = get_bool(o, "client_nat");
    a->server_nat = get_bool(o, "server_nat");
    get_str(o, "chatd_said", a->chatd_said, sizeof a->chatd_said);
    a->chatd_greeted = get_bool(o, "chatd_greeted");
    const cJSON *sp = get_obj(o, "split");
    if (sp == NULL)
        return;
    a->split = (enum silence_split)get_code(sp, "result", split_by_name, SILENCE_NOT_RUN);
    a->fill_sent = (size_t)get_count(sp, "sent");
    a->fill_acked = (size_t)get_count(sp, "acked");
    a->peer_window = get_int(sp, "window", 0, INT_MAX, -1);
}

static void read_echo_ev(const cJSON *o, struct evidence *ev)
{
    struct ev_echo *e = &ev->echo;
    const cJSON *s;
    e->size_count = 0;
    cJSON_ArrayForEach(s, get_arr(o, "sizes"))
    {
        if (e->size_count == EV_SIZES_MAX || !cJSON_IsObject(s))
            break;
        struct ev_echo_size *z = &e->sizes[e->size_count++];
        z->size = (size_t)get_count(s, "size");
        z->outcome = (enum echo_outcome)get_code(s, "outcome", echo_outcome_by_name, ECHO_NOT_RUN);
        z->rtt_ms = get_num(s, "rtt_ms", 0);
        z->bytes_back = (size_t)get_count(s, "bytes_back");
    }
    const cJSON *r = get_obj(o, "mss_retry"), *m = get_obj(o, "mtu_search");
    e->mss_retry_run = r != NULL;
    e->mss_retry_mss = get_int(r, "mss", 0, INT_MAX, 0);
    e->mss_retry_outcome =
        (enum echo_outcome)get_code(r, "outcome", echo_outcome_by_name, ECHO_NOT_RUN);
    e->path_mss = get_int(o, "path_mss", 0, INT_MAX, 0);
    e->path_mtu = get_int(o, "path_mtu", 0, INT_MAX, 0);
    e->mtu_search_run = m != NULL;
    e->mtu_probes = get_int(m, "probes", 0, INT_MAX, 0);
    e->mtu_floor = get_int(m, "floor", 0, INT_MAX, 0);
    e->mtu_pass = get_int(m, "pass", 0, INT_MAX, 0);
    e->mtu_fail = get_int(m, "fail", 0, INT_MAX, 0);
    e->mtu_out_of_time = get_bool(m, "out_of_time");
    e->mtu_ms = get_num(m, "duration_ms", 0);
    e->sizes_asked = (size_t)get_count(o, "sizes_asked");
    get_str(o, "chatd_said", e->chatd_said, sizeof e->chatd_said);
}

typedef void (*evidence_reader)(const cJSON *o, struct evidence *ev);

static const evidence_reader stage_readers[STAGE_COUNT] = {
    [STAGE_LOCAL] = read_local_ev, [STAGE_DNS] = read_dns_ev, [STAGE_ICMP] = read_icmp_ev,
    [STAGE_TCP] = read_tcp_ev,     [STAGE_APP] = read_app_ev, [STAGE_ECHO] = read_echo_ev,
};

/* A stage's evidence, when the report has it ({} for a stage that did not
 * run). */
static void read_stage_evidence(const cJSON *s, int id, struct evidence *ev)
{
    const cJSON *e = get_obj(s, "evidence");
    if (e != NULL && cJSON_GetArraySize(e) > 0)
        stage_readers[id](e, ev);
}

static void read_stages(const cJSON *root, struct report_doc *d)
{
    const cJSON *s;
    cJSON_ArrayForEach(s, get_arr(root, "stages"))
    {
        char name[16] = "", status[16] = "";
        get_str(s, "name", name, sizeof name);
        get_str(s, "status", status, sizeof status);
        int id = stage_by_name(name), st = status_by_name(status);
        if (id < 0 || st < 0)
            continue;
        struct stage_result *r = &d->ev.stages[id];
        r->status = (enum stage_status)st;
        r->duration_ms = get_num(s, "duration_ms", 0);
        get_str(s, "summary", r->summary, sizeof r->summary);
        get_str(s, "skip_reason", r->skip_reason, sizeof r->skip_reason);
        r->skip = (enum stage_skip)get_code(s, "skip_code", skip_by_name, SKIP_NONE);
        r->err = get_int(s, "errno", 1, INT_MAX, 0);
        read_stage_evidence(s, id, &d->ev);
    }
}

static void read_evidence(const cJSON *o, const char *name, struct verdict_evidence *e)
{
    e->count = get_lines(o, name, &e->lines[0][0], VERDICT_SENTENCE_MAX, VERDICT_EVIDENCE_MAX);
}

static void read_findings(const cJSON *root, struct verdict *v)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, get_arr(root, "findings"))
    {
        char code[REPORT_CODE_MAX] = "";
        get_str(f, "code", code, sizeof code);
        int id = finding_by_name(code);
        if (id < 0 || v->finding_count == FINDING_COUNT)
            continue; /* a code from a newer netprobe: nothing to say about it */
        v->findings[v->finding_count] = (enum finding_code)id;
        read_evidence(f, "evidence", &v->finding_evidence[v->finding_count++]);
    }
}

/* How the run ordered and qualified the advice (report.c): the cause the
 * evidence named, the kind that came first, the kinds ruled out, the
 * qualifier.  Unknown names are ignored and an unknown qualifier is
 * dropped: a reader shows only its own texts. */
static void read_cause_order(const cJSON *vo, struct verdict *v)
{
    char name[32];
    get_str(vo, "cause_lead", name, sizeof name);
    enum cause_kind lead = cause_kind_by_name(name);
    v->cause_named = (unsigned)(get_int(vo, "cause_first", 0, ADVICE_LIST_MAX - 1, -1) + 1);
    v->cause_mask = (unsigned)get_int(vo, "cause_mask", 0, (1 << ADVICE_LIST_MAX) - 1, 0);
    v->lead = lead < CAUSE_KIND_COUNT ? lead : CAUSE_ANY;
    const cJSON *out = get_arr(vo, "ruled_out"), *item;
    cJSON_ArrayForEach(item, out)
    {
        enum cause_kind k =
            cJSON_IsString(item) ? cause_kind_by_name(item->valuestring) : CAUSE_KIND_COUNT;
        if (k > CAUSE_ANY && k < CAUSE_KIND_COUNT)
            v->ruled_out |= 1u << k;
    }
    char text[512];
    get_str(vo, "qualifier", text, sizeof text);
    v->qualifier = verdict_qualifier_find(text);
}

static void read_verdict(const cJSON *root, struct report_doc *d)
{
    const cJSON *vo = get_obj(root, "verdict");
    struct verdict *v = &d->verdict;
    get_str(vo, "code", d->verdict_code, sizeof d->verdict_code);
    char *first = d->first_cause;
    get_lines(vo, "causes", first, sizeof d->first_cause, 1);
    int code = verdict_by_name(d->verdict_code);
    if (vo == NULL || code < 0 || strcmp(d->mode, "client") != 0)
        return;
    d->has_verdict = true;
    v->code = (enum verdict_code)code;
    read_evidence(vo, "evidence", &v->evidence);
    read_cause_order(vo, v);
    const cJSON *confirmed = cJSON_GetObjectItemCaseSensitive(vo, "confirmed_by_capture");
    if (cJSON_IsBool(confirmed)) {
        v->capture = cJSON_IsTrue(confirmed) ? CAPTURE_CONFIRMED : CAPTURE_NOT_CONFIRMED;
        read_evidence(vo, "capture_evidence", &v->capture_evidence);
    }
    read_findings(root, v);
}

/* What the verdict read of a capture that ran (modes.c's
 * capture_evidence()), so that --show can corroborate again. */
static void read_capture_ev(const cJSON *c, struct ev_capture *e)
{
    e->run = true;
    e->syns_sent = get_int(c, "syns_sent", 0, INT_MAX, 0);
    e->syn_retransmits = get_int(c, "syn_retransmits", 0, INT_MAX, 0);
    e->synacks = get_int(c, "synacks", 0, INT_MAX, 0);
    e->synack_mss = get_int(c, "synack_mss", 0, 65535, -1);
    e->resets = get_int(c, "resets", 0, INT_MAX, 0);
    e->icmp_errors = get_int(c, "icmp_errors", 0, INT_MAX, 0);
    read_icmp_error(c, "first_icmp", &e->first_icmp);
    e->retransmits = get_int(c, "retransmits", 0, INT_MAX, 0);
    e->forged_reset = get_bool(c, "forged_reset");
    get_str(c, "forged_detail", e->forged_detail, sizeof e->forged_detail);
    e->synack_ttl = get_int(c, "synack_ttl", 0, 255, -1);
    e->reset_ttl = get_int(c, "reset_ttl", 0, 255, -1);
    char with[32] = "";
    get_str(c, "reset_compared_with", with, sizeof with);
    e->reset_compared = with[0] != '\0';
}

static void read_capture(const cJSON *root, struct report_doc *d)
{
    const cJSON *c = get_obj(root, "capture");
    if (c == NULL)
        return;
    if (get_bool(c, "ran")) {
        read_capture_ev(c, &d->ev.capture);
        return;
    }
    d->capture_skipped = true;
    get_str(c, "skip_reason", d->capture_skip_reason, sizeof d->capture_skip_reason);
}

/* What the verdict read of the trace (modes.c's run_trace()), so that
 * --show can corroborate again; the hop guess from the capture's TTLs as
 * the run made it. */
static void trace_evidence(const cJSON *root, struct report_doc *d)
{
    const struct trace_result *r = &d->trace;
    int icmp_ttl = get_int(get_obj(root, "capture"), "target_icmp_ttl", 1, 255, -1);
    const struct ev_capture *c = &d->ev.capture;
    struct ev_trace *t = &d->ev.trace;
    t->run = true;
    t->reached = r->reached;
    t->last_answer_hop = r->last_answer_ttl;
    snprintf(t->last_answer_from, sizeof t->last_answer_from, "%s", r->last_answer_from);
    snprintf(t->target, sizeof t->target, "%s", r->target);
    int ttl = !c->run || t->relay_answered ? -1
              : c->synack_ttl > 0          ? c->synack_ttl
              : icmp_ttl > 0               ? icmp_ttl
              : !c->forged_reset           ? c->reset_ttl
                                           : -1;
    t->target_hops_guess = verdict_hops_from_ttl(ttl);
}

static void read_trace(const cJSON *root, struct report_doc *d)
{
    const cJSON *t = get_obj(root, "trace"), *h;
    struct trace_result *r = &d->trace;
    char ended[16] = "";
    if (t == NULL)
        return;
    d->has_trace = true;
    get_str(t, "target", r->target, sizeof r->target);
    r->port = get_int(t, "port", 0, 65535, 0);
    r->reached = get_bool(t, "reached");
    get_str(t, "ended", ended, sizeof ended);
    r->ended = trace_ended(ended);
    d->ev.trace.relay_answered = strcmp(ended, "relay") == 0;
    r->last_answer_ttl = get_int(t, "last_answer_hop", 0, 255, 0);
    get_str(t, "last_answer_from", r->last_answer_from, sizeof r->last_answer_from);
    cJSON_ArrayForEach(h, get_arr(t, "hops"))
    {
        if (r->hop_count == TRACE_HOPS_MAX)
            break;
        struct trace_hop *hop = &r->hops[r->hop_count++];
        char kind[24] = "";
        get_str(h, "kind", kind, sizeof kind);
        int k = trace_kind_by_name(kind);
        hop->kind = k >= 0 ? (enum trace_kind)k : TRACE_SILENT;
        hop->ttl = get_int(h, "ttl", 0, 255, 0);
        get_str(h, "from", hop->from, sizeof hop->from);
        hop->rtt_ms = get_num(h, "rtt_ms", 0);
        get_str(h, "icmp_name", hop->icmp_name, sizeof hop->icmp_name);
    }
    trace_evidence(root, d);
}

/* ---- The document ------------------------------------------------------------ */

/* Is root a netprobe report of the version this netprobe reads? */
static enum report_read_status check_schema(const cJSON *root, char *why, size_t whycap)
{
    char schema[64] = "", tool[32] = "";
    get_str(root, "schema", schema, sizeof schema);
    get_str(get_obj(root, "tool"), "name", tool, sizeof tool);
    if (strncmp(schema, SCHEMA_FAMILY, strlen(SCHEMA_FAMILY)) != 0 ||
        strcmp(tool, "netprobe") != 0) {
        snprintf(why, whycap, "%s",
                 _("not a netprobe report: it has no \"schema\": \"netprobe.report/1\" and "
                   "\"tool\": {\"name\": \"netprobe\"}; give the file netprobe --json wrote"));
        return REPORT_READ_NOT_REPORT;
    }
    if (strcmp(schema, REPORT_SCHEMA) != 0) {
        snprintf(why, whycap,
                 _("unknown report version \"%s\": this netprobe reads %s; read it with the "
                   "netprobe that wrote it, or a newer one"),
                 schema, REPORT_SCHEMA);
        return REPORT_READ_BAD_VERSION;
    }
    return REPORT_READ_OK;
}

static void read_all(const cJSON *root, struct report_doc *d)
{
    get_str(root, "mode", d->mode, sizeof d->mode);
    get_str(root, "started_at", d->started_at, sizeof d->started_at);
    get_str(root, "language", d->language, sizeof d->language);
    get_str(root, "label", d->label, sizeof d->label);
    get_str(root, "error", d->error, sizeof d->error);
    read_target(root, d);
    read_stages(root, d);
    read_verdict(root, d);
    read_capture(root, d);
    read_trace(root, d);
    report_read_local(root, d);
    report_read_watch(root, d);
}

enum report_read_status report_parse(const char *text, size_t len, struct report_doc *d, char *why,
                                     size_t whycap)
{
    memset(d, 0, sizeof *d);
    snprintf(d->mode, sizeof d->mode, "client");
    evidence_init(&d->ev, "", 0);
    d->verdict.code = VERDICT_NONE;
    d->verdict.lead = CAUSE_ANY;
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!cJSON_IsObject(root)) {
        const char *at = cJSON_GetErrorPtr();
        snprintf(why, whycap,
                 _("not a netprobe report: not a JSON object (%s at byte %zu); give "
                   "the file netprobe --json wrote"),
                 root == NULL ? _("a syntax error") : _("another JSON value"),
                 root == NULL && at != NULL && at >= text ? (size_t)(at - text) : (size_t)0);
        cJSON_Delete(root);
        return REPORT_READ_NOT_REPORT;
    }
    enum report_read_status st = check_schema(root, why, whycap);
    if (st == REPORT_READ_OK)
        read_all(root, d);
    cJSON_Delete(root);
    return st;
}

/* Reads at most REPORT_READ_MAX_BYTES + 1 of f into a malloc'd buffer. */
static char *slurp(FILE *f, size_t *len)
{
    size_t cap = 16384, n = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap || n > REPORT_READ_MAX_BYTES)
            break;
        char *bigger = realloc(buf, cap * 2);
        if (bigger == NULL) {
            free(buf);
            return NULL;
        }
        buf = bigger;
        cap *= 2;
    }
    *len = n;
    return buf;
}

enum report_read_status report_read(const char *path, struct report_doc *d, char *why,
                                    size_t whycap)
{
    size_t len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(why, whycap, _("cannot read %s: %s"), path, strerror(errno));
        return REPORT_READ_UNREADABLE;
    }
    char *text = slurp(f, &len);
    bool failed = ferror(f);
    fclose(f);
    if (text == NULL || failed) {
        snprintf(why, whycap, _("cannot read %s: %s"), path,
                 text == NULL ? _("out of memory") : _("read error"));
        free(text);
        return REPORT_READ_UNREADABLE;
    }
    if (len > REPORT_READ_MAX_BYTES) {
        free(text);
        snprintf(why, whycap,
                 _("not a netprobe report: larger than %u MiB (a report is a few "
                   "KiB)"),
                 REPORT_READ_MAX_BYTES >> 20);
        return REPORT_READ_NOT_REPORT;
    }
    enum report_read_status st = report_parse(text, len, d, why, whycap);
    free(text);
    return st;
}
