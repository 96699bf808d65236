/*
 * report.c - evidence + verdict + advice -> the JSON report.
 *
 * Every member the schema lists is written, always, in the schema's order.
 * Numbers go through ms() or ms_or_null() so NaN or a negative time never
 * reaches the document.  A failed cJSON call only sets b->oom: cJSON
 * accepts NULL parents, so building continues harmlessly and the result is
 * thrown away at the end.
 */
#include "netprobe/report.h"

#include "common/jsonline.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "common/i18n.h"
#include "common/limits.h"
#include "netprobe/advice.h"
#include "netprobe/families.h"
#include "netprobe/report_modes.h"

struct builder {
    const struct report_input *in;
    bool oom;
};

/* ---- Small typed setters ---------------------------------------------- */

static cJSON *check(struct builder *b, cJSON *item)
{
    if (item == NULL)
        b->oom = true;
    return item;
}

static void put_str(struct builder *b, cJSON *o, const char *name, const char *s)
{
    check(b, cJSON_AddStringToObject(o, name, s != NULL ? s : ""));
}

static void put_int(struct builder *b, cJSON *o, const char *name, long v)
{
    check(b, cJSON_AddNumberToObject(o, name, (double)v));
}

static void put_bool(struct builder *b, cJSON *o, const char *name, bool v)
{
    check(b, cJSON_AddBoolToObject(o, name, v));
}

static void put_null(struct builder *b, cJSON *o, const char *name)
{
    check(b, cJSON_AddNullToObject(o, name));
}

/* A time in ms: finite and not negative, else 0. */
static void put_ms(struct builder *b, cJSON *o, const char *name, double v)
{
    check(b, cJSON_AddNumberToObject(o, name, isfinite(v) && v > 0 ? v : 0));
}

/* A time that was measured (known), else null. */
static void put_ms_or_null(struct builder *b, cJSON *o, const char *name, bool known, double v)
{
    if (known && isfinite(v) && v >= 0)
        put_ms(b, o, name, v);
    else
        put_null(b, o, name);
}

static cJSON *put_obj(struct builder *b, cJSON *o, const char *name)
{
    return check(b, cJSON_AddObjectToObject(o, name));
}

static cJSON *put_arr(struct builder *b, cJSON *o, const char *name)
{
    return check(b, cJSON_AddArrayToObject(o, name));
}

/* Appends a new object to array a. */
static cJSON *push_obj(struct builder *b, cJSON *a)
{
    cJSON *o = check(b, cJSON_CreateObject());
    if (o != NULL && !cJSON_AddItemToArray(a, o)) {
        cJSON_Delete(o);
        b->oom = true;
        return NULL;
    }
    return o;
}

static void push_str(struct builder *b, cJSON *a, const char *s)
{
    cJSON *item = check(b, cJSON_CreateString(s));
    if (item != NULL && !cJSON_AddItemToArray(a, item)) {
        cJSON_Delete(item);
        b->oom = true;
    }
}

static const char *family_name(int family, const char *address)
{
    if (family == AF_INET6 || (family != AF_INET && strchr(address, ':') != NULL))
        return "ipv6";
    return "ipv4";
}

static void put_address(struct builder *b, cJSON *arr, const struct ev_address *a)
{
    cJSON *o = push_obj(b, arr);
    put_str(b, o, "address", a->address);
    put_str(b, o, "family", family_name(a->family, a->address));
}

static void put_endpoint(struct builder *b, cJSON *o, const char *name,
                         const struct hello_endpoint *e)
{
    cJSON *e_obj = put_obj(b, o, name);
    put_str(b, e_obj, "address", e->address);
    put_int(b, e_obj, "port", e->port >= 0 && e->port <= 65535 ? e->port : 0);
}

static void put_icmp_error(struct builder *b, cJSON *o, const char *name,
                           const struct ev_icmp_error *e)
{
    if (!e->seen) {
        put_null(b, o, name);
        return;
    }
    cJSON *err = put_obj(b, o, name);
    put_int(b, err, "type", e->type & 0xff);
    put_int(b, err, "code", e->code & 0xff);
    put_str(b, err, "from", e->from);
    put_str(b, err, "name", e->name);
}

static long count(long v)
{
    return v > 0 ? v : 0;
}

/* ---- Stage evidence, one function per stage ------------------------------ */

static void local_evidence(struct builder *b, cJSON *o, const struct evidence *ev)
{
    const struct ev_local *l = &ev->local;
    cJSON *ifs = put_arr(b, o, "interfaces");
    for (size_t i = 0; i < l->iface_count && i < EV_IFACES_MAX; i++) {
        cJSON *f = push_obj(b, ifs);
        put_str(b, f, "name", l->ifaces[i].name[0] ? l->ifaces[i].name : "?");
        put_str(b, f, "address", l->ifaces[i].address);
        put_int(b, f, "prefix_len", l->ifaces[i].prefix_len);
        put_str(b, f, "mac", l->ifaces[i].mac);
        put_int(b, f, "mtu", count(l->ifaces[i].mtu));
    }
    put_str(b, o, "gateway", l->gateway);
    put_str(b, o, "route", route_kind_name(l->route.kind));
    put_str(b, o, "next_hop", l->route.next_hop);
    put_bool(b, o, "has_default_route", l->has_default_route);
    put_str(b, o, "source_address", l->source_address);
    put_str(b, o, "source_class", addr_class_name(l->source_class));
    put_int(b, o, "source_mtu", count(l->source_mtu));
    put_bool(b, o, "virtualbox_nat", l->virtualbox_nat);
    put_bool(b, o, "virtualbox_vm", l->virtualbox_vm);
    cJSON *caps = put_obj(b, o, "capabilities");
    put_bool(b, caps, "raw_socket", l->can_raw_socket);
    put_bool(b, caps, "ping_socket", l->can_ping_socket);
    put_bool(b, caps, "capture", l->can_capture);
    /* What the stage's line needs besides (stage_text.c). */
    if (l->target.family != 0) {
        cJSON *t = put_obj(b, o, "target");
        put_str(b, t, "address", l->target.address);
        put_str(b, t, "family", family_name(l->target.family, l->target.address));
    } else {
        put_null(b, o, "target");
    }
    put_str(b, o, "ipv6_gateway", l->ipv6_gateway);
    put_bool(b, o, "ipv6_default_route", l->ipv6_default_route);
    put_str(b, o, "nat_address", l->nat_address);
}

static void dns_evidence(struct builder *b, cJSON *o, const struct evidence *ev)
{
    put_str(b, o, "outcome", dns_outcome_name(ev->dns.outcome));
    put_str(b, o, "detail", ev->dns.detail);
    /* What the detail is said from (stage_text_dns_detail()). */
    put_str(b, o, "detail_code", dns_detail_name(ev->dns.detail_kind));
    put_str(b, o, "detail_arg", ev->dns.detail_arg);
    put_int(b, o, "detail_num", ev->dns.detail_num);
    cJSON *arr = put_arr(b, o, "addresses");
    for (size_t i = 0; i < ev->dns.addr_count && i < EV_ADDRS_MAX; i++)
        put_address(b, arr, &ev->dns.addrs[i]);
}

static void icmp_evidence(struct builder *b, cJSON *o, const struct evidence *ev)
{
    const struct ev_icmp *c = &ev->icmp;
    bool replied = c->received > 0;
    put_str(b, o, "method", c->method);
    put_int(b, o, "sent", count(c->sent));
    put_int(b, o, "received", count(c->received));
    if (c->sent > 0 && c->received <= c->sent)
        put_ms(b, o, "loss_pct", 100.0 * (double)(c->sent - count(c->received)) / c->sent);
    put_ms_or_null(b, o, "rtt_min_ms", replied, c->rtt_min_ms);
    put_ms_or_null(b, o, "rtt_avg_ms", replied, c->rtt_avg_ms);
    put_ms_or_null(b, o, "rtt_max_ms", replied, c->rtt_max_ms);
    put_icmp_error(b, o, "error", &c->error);
    if (c->reply_ttl > 0 && c->reply_ttl <= 255)
        put_int(b, o, "reply_ttl", c->reply_ttl);
    else
        put_null(b, o, "reply_ttl");
    put_int(b, o, "not_sent", count(c->not_sent));
    put_int(b, o, "send_errno", c->not_sent > 0 ? count(c->send_errno) : 0);
}

static void tcp_attempt(struct builder *b, cJSON *arr, const struct ev_tcp_attempt *a)
{
    cJSON *o = push_obj(b, arr);
    put_str(b, o, "address", a->target.address);
    put_str(b, o, "family", family_name(a->target.family, a->target.address));
    put_str(b, o, "state", tcp_state_name(a->state));
    put_str(b, o, "reason", a->reason);
    put_ms(b, o, "rtt_ms", a->rtt_ms);
    put_int(b, o, "syns_sent", count(a->syns_sent));
    put_int(b, o, "local_errno", count(a->local_errno));
    if (a->state == TCP_STATE_ERROR && a->local_errno > 0)
        put_str(b, o, "error", strerror(a->local_errno));
    put_icmp_error(b, o, "icmp", &a->icmp);
    put_str(b, o, "source_address", a->source_address);
    put_int(b, o, "source_port",
            a->source_port >= 0 && a->source_port <= 65535 ? a->source_port : 0);
}

static void tcp_evidence(struct builder *b, cJSON *o, const struct evidence *ev)
{
    put_ms(b, o, "deadline_ms", ev->tcp.deadline_ms > 0 ? ev->tcp.deadline_ms : ev->timeout_ms);
    int chosen = ev->tcp.chosen;
    put_int(b, o, "chosen", chosen >= 0 && (size_t)chosen < ev->tcp.attempt_count ? chosen : -1);
    cJSON *arr = put_arr(b, o, "attempts");
    for (size_t i = 0; i < ev->tcp.attempt_count && i < EV_ADDRS_MAX; i++)
        tcp_attempt(b, arr, &ev->tcp.attempts[i]);
    /* Read only when no handshake completed (tcp.c). */
    const struct ev_local_fw *fw = &ev->tcp.local_fw;
    if (fw->read || fw->why_unread[0] != '\0') {
        cJSON *l = put_obj(b, o, "local_firewall");
        put_bool(b, l, "read", fw->read);
        put_bool(b, l, "blocks", fw->blocks);
        put_bool(b, l, "may_block", fw->may_block);
        put_str(b, l, "rule", fw->rule);
        put_str(b, l, "why_unread", fw->why_unread);
    }
}

static void hello_object(struct builder *b, cJSON *o, const struct hello_info *h)
{
    cJSON *s = put_obj(b, o, "server");
    put_int(b, s, "netprobe", h->netprobe > 0 ? h->netprobe : 1);
    put_str(b, s, "server", h->server);
    put_str(b, s, "version", h->version);
    put_str(b, s, "hostname", h->hostname);
    put_str(b, s, "mode", strcmp(h->mode, "diag") == 0 ? "diag" : "chat");
    put_endpoint(b, s, "peer", &h->peer);
    put_endpoint(b, s, "local", &h->local);
    cJSON *arr = put_arr(b, s, "listen");
    for (size_t i = 0; i < h->listen_count && i < HELLO_LISTEN_MAX; i++) {
        cJSON *e = push_obj(b, arr);
        put_str(b, e, "address", h->listen[i].address);
        put_int(b, e, "port", h->listen[i].port);
    }
    put_int(b, s, "echo_max", count(h->echo_max));
}

static void app_evidence(struct builder *b, cJSON *o, const struct evidence *ev)
{
    const struct ev_app *a = &ev->app;
    put_str(b, o, "outcome", app_outcome_name(a->outcome));
    if (a->outcome == APP_CHATD)
        hello_object(b, o, &a->hello);
    else
        put_null(b, o, "server");
    put_str(b, o, "banner", a->outcome == APP_OTHER ? a->banner : "");
    /* What a server sent before it closed: the app line quotes it. */
    put_str(b, o, "before_close",
            a->outcome == APP_CLOSED || a->outcome == APP_RESET ? a->banner : "");
    if (a->outcome == APP_SILENT && a->bytes_acked_known)
        put_bool(b, o, "bytes_acked", a->bytes_acked);
    else
        put_null(b, o, "bytes_acked");
    put_bool(b, o, "client_nat", a->client_nat);
    put_bool(b, o, "server_nat", a->server_nat);
    put_str(b, o, "chatd_said", a->chatd_said);
    put_bool(b, o, "chatd_greeted", a->chatd_greeted);
    if (a->outcome == APP_SILENT && a->split != SILENCE_NOT_RUN) {
        cJSON *sp = put_obj(b, o, "split");
        put_str(b, sp, "result", silence_split_name(a->split));
        put_int(b, sp, "sent", (long)a->fill_sent);
        put_int(b, sp, "acked", (long)a->fill_acked);
        if (a->peer_window >= 0)
            put_int(b, sp, "window", a->peer_window);
        else
            put_null(b, sp, "window");
    } else {
        put_null(b, o, "split");
    }
}

/* The size the MTU check repeated: the first one that stalled. */
static size_t retry_size(const struct ev_echo *e)
{
    for (size_t i = 0; i < e->size_count && i < EV_SIZES_MAX; i++)
        if (e->sizes[i].outcome == ECHO_STALLED)
            return e->sizes[i].size;
    return e->size_count > 0 ? e->sizes[e->size_count - 1].size : 1;
}

static void echo_evidence(struct builder *b, cJSON *o, const struct evidence *ev)
{
    const struct ev_echo *e = &ev->echo;
    cJSON *arr = put_arr(b, o, "sizes");
    for (size_t i = 0; i < e->size_count && i < EV_SIZES_MAX; i++) {
        cJSON *s = push_obj(b, arr);
        put_int(b, s, "size", (long)e->sizes[i].size);
        put_str(b, s, "outcome", echo_outcome_name(e->sizes[i].outcome));
        put_ms_or_null(b, s, "rtt_ms", e->sizes[i].outcome == ECHO_OK, e->sizes[i].rtt_ms);
        put_int(b, s, "bytes_back", (long)e->sizes[i].bytes_back);
    }
    if (e->mss_retry_run) {
        cJSON *r = put_obj(b, o, "mss_retry");
        put_int(b, r, "size", (long)retry_size(e));
        put_int(b, r, "mss", e->mss_retry_mss > 0 ? e->mss_retry_mss : 1);
        put_str(b, r, "outcome", echo_outcome_name(e->mss_retry_outcome));
    } else {
        put_null(b, o, "mss_retry");
    }
    put_int(b, o, "path_mss", count(e->path_mss));
    put_int(b, o, "path_mtu", count(e->path_mtu));
    if (e->mtu_search_run) {
        cJSON *m = put_obj(b, o, "mtu_search");
        put_int(b, m, "probes", count(e->mtu_probes));
        put_int(b, m, "floor", count(e->mtu_floor));
        put_int(b, m, "pass", count(e->mtu_pass));
        put_int(b, m, "fail", count(e->mtu_fail));
        put_bool(b, m, "out_of_time", e->mtu_out_of_time);
        put_ms(b, m, "duration_ms", e->mtu_ms);
    } else {
        put_null(b, o, "mtu_search");
    }
    put_int(b, o, "sizes_asked", (long)e->sizes_asked);
    put_str(b, o, "chatd_said", e->chatd_said);
}

typedef void (*evidence_fn)(struct builder *b, cJSON *o, const struct evidence *ev);

static const evidence_fn stage_evidence[STAGE_COUNT] = {
    [STAGE_LOCAL] = local_evidence, [STAGE_DNS] = dns_evidence, [STAGE_ICMP] = icmp_evidence,
    [STAGE_TCP] = tcp_evidence,     [STAGE_APP] = app_evidence, [STAGE_ECHO] = echo_evidence,
};

static bool stage_ran(enum stage_status s)
{
    return s == STATUS_PASS || s == STATUS_WARN || s == STATUS_FAIL;
}

static bool client_mode(const struct report_input *in)
{
    return in->mode == NULL || strcmp(in->mode, "client") == 0;
}

/* All six stages; after an error only those reached (a prefix). */
static void put_stages(struct builder *b, cJSON *root)
{
    const struct evidence *ev = b->in->ev;
    cJSON *arr = put_arr(b, root, "stages");
    if (!client_mode(b->in))
        return; /* --local and --watch run no stages */
    for (int id = 0; id < STAGE_COUNT; id++) {
        const struct stage_result *r = &ev->stages[id];
        if (b->in->error != NULL && r->status == STATUS_NOT_RUN)
            break;
        cJSON *s = push_obj(b, arr);
        put_str(b, s, "name", stage_name(id));
        put_str(b, s, "status", stage_status_name(r->status));
        put_ms(b, s, "duration_ms", r->duration_ms);
        put_str(b, s, "summary", r->summary);
        if (r->status == STATUS_SKIP)
            put_str(b, s, "skip_reason", r->skip_reason[0] ? r->skip_reason : "skipped");
        /* What the line was said from besides the evidence (stage_text.h),
         * so that --show can say it again in the reader's language. */
        if (r->status == STATUS_SKIP && r->skip != SKIP_NONE)
            put_str(b, s, "skip_code", stage_skip_name(r->skip));
        if (r->err > 0)
            put_int(b, s, "errno", r->err);
        cJSON *e = put_obj(b, s, "evidence");
        if (stage_ran(r->status))
            stage_evidence[id](b, e, ev);
    }
}

/* What each address family did (families.h): client mode only, both
 * families always, so a reader never has to infer a missing one. */
static void put_families(struct builder *b, cJSON *root)
{
    const struct evidence *ev = b->in->ev;
    struct family_result fam[FAMILY_COUNT];
    if (!client_mode(b->in))
        return;
    families_summarise(ev, fam);
    cJSON *arr = put_arr(b, root, "families");
    for (int f = 0; f < FAMILY_COUNT; f++) {
        const struct family_result *r = &fam[f];
        const struct ev_tcp_attempt *a = r->attempt >= 0 ? &ev->tcp.attempts[r->attempt] : NULL;
        cJSON *o = push_obj(b, arr);
        put_str(b, o, "family", family_code(r->family));
        put_int(b, o, "addresses", (long)r->addresses);
        put_int(b, o, "attempts", (long)r->attempts);
        put_str(b, o, "outcome", family_outcome_name(r->outcome));
        if (a == NULL) {
            put_null(b, o, "address");
            put_null(b, o, "state");
            put_null(b, o, "reason");
            put_null(b, o, "syns_sent");
        } else {
            put_str(b, o, "address", a->target.address);
            put_str(b, o, "state", tcp_state_name(a->state));
            put_str(b, o, "reason", a->reason);
            put_int(b, o, "syns_sent", a->syns_sent);
        }
        put_bool(b, o, "used", r->used);
    }
}

/* ---- Verdict and findings ------------------------------------------------ */

/* An advice text with {host} and {port} filled, and the words for the
 * families a verdict is about ({address}, {anywhere}; 0: none). */
static void render(struct builder *b, const char *text, unsigned families, char *out, size_t cap)
{
    advice_render_family(text, b->in->ev->host, b->in->ev->port, families, out, cap);
}

/* Adds a's causes or fix steps with {host}, {port} and the words for
 * families filled in, in the order advice_order() gives for v (NULL: the
 * table's), then extra (a relay note's line, or NULL); a missing or empty
 * list becomes one line pointing at the guide, because the schema
 * (rightly) wants at least one cause and one step. */
static void put_advice_list(struct builder *b, cJSON *o, const char *name, const struct advice *a,
                            enum advice_list which, const struct verdict *v, unsigned families,
                            const char *extra,
                            const char *fallback)
{
    cJSON *arr = put_arr(b, o, name);
    char line[1024];
    size_t idx[ADVICE_LIST_MAX];
    size_t n = a != NULL ? advice_order(a, v, which, idx) : 0;
    const char *const *list = a == NULL ? NULL : which == ADVICE_CAUSES ? a->causes : a->fix;
    for (size_t i = 0; i < n; i++) {
        render(b, list[idx[i]], families, line, sizeof line);
        push_str(b, arr, line[0] ? line : fallback);
    }
    if (n == 0)
        push_str(b, arr, fallback);
    if (extra != NULL) {
        render(b, extra, families, line, sizeof line);
        push_str(b, arr, line);
    }
}

/* Writes {code, summary, evidence, causes, fix, doc} for one code; the
 * evidence comes from why (NULL: none), or from lines (count of them). */
static void put_coded(struct builder *b, cJSON *o, const char *code,
                      const struct verdict_evidence *why,
                      const char (*lines)[LOCAL_CHECK_SENTENCE_MAX], size_t count,
                      const struct verdict *order, unsigned families)
{
    const struct advice *a = advice_find(code);
    char text[1024], doc[128];
    put_str(b, o, "code", code);
    render(b, a != NULL && a->summary != NULL ? a->summary : code, families, text, sizeof text);
    if (order != NULL && order->qualifier != NULL) {
        /* The evidence qualifies the code's usual reading (verdict.h). */
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used, " %s", _(order->qualifier));
    }
    put_str(b, o, "summary", text[0] ? text : code);
    cJSON *arr = put_arr(b, o, "evidence");
    for (size_t i = 0; why != NULL && i < why->count; i++)
        push_str(b, arr, why->lines[i]);
    for (size_t i = 0; i < count; i++)
        if (lines[i][0] != '\0')
            push_str(b, arr, lines[i]);
    const struct advice_note *note =
        order != NULL && order->behind_relay ? advice_relay_note(code) : NULL;
    put_advice_list(b, o, "causes", a, ADVICE_CAUSES, order, families,
                    note != NULL ? note->cause : NULL,
                    _("see the troubleshooting guide for this code"));
    put_advice_list(b, o, "fix", a, ADVICE_FIX, order, families, note != NULL ? note->fix : NULL,
                    _("follow the troubleshooting guide for this code"));
    /* The guide in the language of the texts above; the anchor is the code. */
    if (a != NULL)
        advice_doc(a, doc, sizeof doc);
    else
        snprintf(doc, sizeof doc, "docs/troubleshooting%s.md#%s",
                 strcmp(i18n_language(), "es") == 0 ? ".es" : "", code);
    put_str(b, o, "doc", doc);
}

/* --capture's judgement of the verdict: present only when a capture ran. */
static void put_capture_check(struct builder *b, cJSON *o, const struct verdict *v)
{
    if (v->capture == CAPTURE_NOT_CHECKED)
        return;
    put_bool(b, o, "confirmed_by_capture", v->capture == CAPTURE_CONFIRMED);
    cJSON *arr = put_arr(b, o, "capture_evidence");
    for (size_t i = 0; i < v->capture_evidence.count; i++)
        push_str(b, arr, v->capture_evidence.lines[i]);
}

/* --local: the server verdict, its sentences from the check. */
static void put_local_verdict(struct builder *b, cJSON *root)
{
    const struct local_check *lc = b->in->local;
    put_coded(b, put_obj(b, root, "verdict"), local_check_code(lc->verdict), NULL, lc->sentences,
              lc->sentence_count, NULL, 0);
    put_arr(b, root, "findings");
}

static void put_verdict(struct builder *b, cJSON *root)
{
    const struct verdict *v = b->in->verdict;
    cJSON *findings;
    if (b->in->local != NULL && b->in->error == NULL) {
        put_local_verdict(b, root);
        return;
    }
    if (v == NULL || verdict_code_name(v->code) == NULL) {
        put_null(b, root, "verdict");
        findings = put_arr(b, root, "findings");
        (void)findings;
        return;
    }
    cJSON *vo = put_obj(b, root, "verdict");
    put_coded(b, vo, verdict_code_name(v->code), &v->evidence, NULL, 0, v, v->families);
    /* What a reader (--show, --summary) needs to show the causes and the
     * summary as this run did, in its own language. */
    if (v->lead != CAUSE_ANY)
        put_str(b, vo, "cause_lead", cause_kind_name(v->lead));
    if (v->ruled_out != 0) {
        cJSON *out = put_arr(b, vo, "ruled_out");
        for (int k = CAUSE_ANY + 1; k < CAUSE_KIND_COUNT; k++)
            if (verdict_rules_out(v, (enum cause_kind)k))
                push_str(b, out, cause_kind_name((enum cause_kind)k));
    }
    if (v->cause_named > 0)
        put_int(b, vo, "cause_first", (int)v->cause_named - 1);
    if (v->cause_mask != 0)
        put_int(b, vo, "cause_mask", (long)v->cause_mask);
    if (v->qualifier != NULL)
        put_str(b, vo, "qualifier", v->qualifier);
    put_capture_check(b, vo, v);
    findings = put_arr(b, root, "findings");
    for (size_t i = 0; i < v->finding_count && i < FINDING_COUNT; i++)
        put_coded(b, push_obj(b, findings), finding_code_name(v->findings[i]),
                  &v->finding_evidence[i], NULL, 0, NULL, 0);
}

/* ---- The document -------------------------------------------------------- */

static void put_target_and_local(struct builder *b, cJSON *root)
{
    const struct evidence *ev = b->in->ev;
    cJSON *t = put_obj(b, root, "target");
    put_str(b, t, "host", ev->host);
    put_int(b, t, "port", ev->port >= 1 && ev->port <= 65535 ? ev->port : CHAT_DEFAULT_PORT);
    put_int(b, t, "family_pref",
            ev->family_pref == 4 || ev->family_pref == 6 ? ev->family_pref : 0);
    cJSON *arr = put_arr(b, t, "addresses");
    for (size_t i = 0; i < ev->dns.addr_count && i < EV_ADDRS_MAX; i++)
        put_address(b, arr, &ev->dns.addrs[i]);

    cJSON *l = put_obj(b, root, "local");
    put_str(b, l, "hostname", ev->local.hostname);
    put_str(b, l, "source_address", ev->local.source_address);
    put_str(b, l, "source_class", addr_class_name(ev->local.source_class));
    put_bool(b, l, "virtualbox_vm", ev->local.virtualbox_vm);
    put_bool(b, l, "virtualbox_nat", ev->local.virtualbox_nat);
}

/* A mode's member, built by report_modes.c, added under name. */
static void put_member(struct builder *b, cJSON *root, const char *name, cJSON *item)
{
    if (check(b, item) != NULL && !cJSON_AddItemToObject(root, name, item)) {
        cJSON_Delete(item);
        b->oom = true;
    }
}

static void put_modes(struct builder *b, cJSON *root)
{
    const struct report_input *in = b->in;
    if (in->capture != NULL)
        put_member(b, root, "capture", report_capture_json(in->capture));
    if (in->trace != NULL)
        put_member(b, root, "trace", report_trace_json(in->trace));
    if (in->local != NULL)
        put_member(b, root, "local_check", report_local_json(in->local));
    if (in->watch != NULL)
        put_member(b, root, "watch",
                   report_watch_json(in->watch->table, in->watch->opts, in->watch->interrupted));
}

/* "command", with paths and user names taken out under --redact (a
 * report path such as /home/maria.garcia/report.json names the student). */
static void put_command(struct builder *b, cJSON *root)
{
    const char *cmd = b->in->command != NULL && b->in->command[0] ? b->in->command : "netprobe";
    if (b->in->redact == NULL) {
        put_str(b, root, "command", cmd);
        return;
    }
    const char *users[REDACT_USERS_MAX];
    size_t n = redact_user_names(users), cap = strlen(cmd) * 4 + 64;
    char *clean = malloc(cap);
    if (clean == NULL) {
        b->oom = true;
        return;
    }
    redact_command(cmd, users, n, clean, cap);
    put_str(b, root, "command", clean);
    free(clean);
}

static cJSON *build(struct builder *b)
{
    const struct report_input *in = b->in;
    cJSON *root = check(b, cJSON_CreateObject());
    put_str(b, root, "schema", REPORT_SCHEMA);
    cJSON *tool = put_obj(b, root, "tool");
    put_str(b, tool, "name", "netprobe");
    put_str(b, tool, "version", CHAT_VERSION);
    put_str(b, root, "started_at", in->started_at);
    put_command(b, root);
    if (in->label != NULL)
        put_str(b, root, "label", in->label);
    else
        put_null(b, root, "label");
    put_str(b, root, "language", i18n_language());
    put_bool(b, root, "redacted", in->redact != NULL);
    put_str(b, root, "mode", in->mode != NULL ? in->mode : "client");
    put_ms(b, root, "timeout_ms", in->ev->timeout_ms);
    put_target_and_local(b, root);
    put_stages(b, root);
    put_families(b, root);
    put_verdict(b, root);
    put_modes(b, root);
    if (in->error != NULL)
        put_str(b, root, "error", in->error[0] ? in->error : "netprobe failed");
    return root;
}

char *report_render(const struct report_input *in)
{
    struct builder b = {.in = in};
    cJSON *root = build(&b);
    if (!b.oom && in->redact != NULL && report_redact_json(in->redact, root) < 0)
        b.oom = true;
    char *text = b.oom ? NULL : jsonline_print(root, true);
    cJSON_Delete(root);
    return text;
}

void report_timestamp(char out[REPORT_TIME_MAX])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (gmtime_r(&ts.tv_sec, &tm) == NULL) {
        snprintf(out, REPORT_TIME_MAX, "1970-01-01T00:00:00Z");
        return;
    }
    char day[20]; /* 2026-11-24T01:02:03 */
    if (strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        day[0] = '\0';
    int ms = (int)(ts.tv_nsec / 1000000) % 1000;
    snprintf(out, REPORT_TIME_MAX, "%s.%03dZ", day, ms);
}

char *report_command(int argc, char *const argv[])
{
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *s = malloc(len);
    if (s == NULL)
        return NULL;
    s[0] = '\0';
    for (int i = 0; i < argc; i++) {
        if (i > 0)
            strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

int report_write(const char *path, const char *text, char *err, size_t errcap)
{
    bool to_stdout = strcmp(path, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(path, "w");
    if (f == NULL) {
        snprintf(err, errcap, _("cannot open %s for writing: %s"), path, strerror(errno));
        return -1;
    }
    bool ok = fputs(text, f) >= 0;
    ok = (to_stdout ? fflush(f) == 0 : fclose(f) == 0) && ok;
    if (!ok) {
        snprintf(err, errcap, _("cannot write the report to %s: %s"), to_stdout ? "stdout" : path,
                 strerror(errno));
        return -1;
    }
    return 0;
}
