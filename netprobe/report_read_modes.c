/*
 * report_read_modes.c - --local and --watch reports read back
 * (report_read_modes.h): the readers of report_modes.c's writers.
 */
#include "netprobe/report_read_modes.h"

#include <limits.h>
#include <string.h>

#include "netprobe/report_json.h"

static int local_verdict_by_name(const char *s)
{
    LOOKUP(local_check_code, enum server_verdict, SERVER_VERDICT_COUNT, s);
}
static int local_check_by_name(const char *s)
{
    LOOKUP(local_check_name, enum local_check_id, LOCAL_CHECK_COUNT, s);
}
static int bind_by_name(const char *s)
{
    LOOKUP(listeners_bind_name, enum listener_bind, LISTEN_BIND_SPECIFIC + 1, s);
}
static int action_by_name(const char *s)
{
    LOOKUP(hostfw_action_name, enum hostfw_action, HOSTFW_REJECT + 1, s);
}

/* ---- --local's evidence, from the checks' evidence members, so that
 * --show can summarize it again (local_check_summarize()) ---- */

/* ["ipv4", "ipv6"] as HOSTFW_IPV4 | HOSTFW_IPV6. */
static unsigned get_families(const cJSON *o, const char *name)
{
    unsigned bits = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, get_arr(o, name))
    {
        if (cJSON_IsString(f) && strcmp(f->valuestring, "ipv4") == 0)
            bits |= HOSTFW_IPV4;
        else if (cJSON_IsString(f) && strcmp(f->valuestring, "ipv6") == 0)
            bits |= HOSTFW_IPV6;
    }
    return bits;
}

static void read_listeners_ev(const cJSON *e, struct server_evidence *ev)
{
    const cJSON *j;
    struct listener_list *ls = &ev->listeners;
    cJSON_ArrayForEach(j, get_arr(e, "listeners"))
    {
        if (ls->count == LISTENERS_MAX || !cJSON_IsObject(j))
            break;
        struct listener *l = &ls->items[ls->count++];
        char fam[8] = "";
        get_str(j, "address", l->address, sizeof l->address);
        get_str(j, "family", fam, sizeof fam);
        l->family = strcmp(fam, "ipv6") == 0 ? AF_INET6 : AF_INET;
        l->bind = (enum listener_bind)get_code(j, "bind", bind_by_name, LISTEN_BIND_SPECIFIC);
        l->uid = (unsigned)get_count(j, "uid");
        l->pid = get_int(j, "pid", 1, INT_MAX, 0);
        get_str(j, "process", l->comm, sizeof l->comm);
    }
    ls->dropped = (size_t)get_count(e, "not_listed");
    get_str(e, "global_ipv6", ev->global_ipv6, sizeof ev->global_ipv6);
    ev->listeners_ok = cJSON_GetObjectItemCaseSensitive(e, "error") == NULL;
    get_str(e, "error", ev->listeners_error, sizeof ev->listeners_error);
}

static void read_connect_ev(const cJSON *e, struct server_evidence *ev)
{
    const cJSON *j;
    cJSON_ArrayForEach(j, get_arr(e, "connections"))
    {
        if (ev->test_count == LISTENERS_MAX || !cJSON_IsObject(j))
            break;
        struct server_conn_test *t = &ev->tests[ev->test_count++];
        get_str(j, "address", t->address, sizeof t->address);
        t->family = strchr(t->address, ':') != NULL ? AF_INET6 : AF_INET;
        t->ok = get_bool(j, "ok");
        t->ms = get_num(j, "ms", 0);
        t->err = get_int(j, "errno", 1, INT_MAX, 0);
    }
}

static void read_firewall_ev(const cJSON *e, struct server_evidence *ev)
{
    struct hostfw_result *fw = &ev->fw;
    const cJSON *j;
    ev->firewall_checked = cJSON_GetArraySize(e) > 0; /* {} when not checked */
    get_str(e, "source", fw->source, sizeof fw->source);
    fw->available = get_bool(e, "available");
    get_str(e, "reason", fw->reason, sizeof fw->reason);
    fw->blocks = get_bool(e, "blocks");
    fw->may_block = get_bool(e, "may_block");
    fw->blocks_families = get_families(e, "blocks_families");
    fw->input_chains = (size_t)get_count(e, "input_chains");
    cJSON_ArrayForEach(j, get_arr(e, "rules"))
    {
        if (fw->hit_count == HOSTFW_HITS_MAX || !cJSON_IsObject(j))
            break;
        struct hostfw_hit *h = &fw->hits[fw->hit_count++];
        get_str(j, "family", h->family, sizeof h->family);
        get_str(j, "table", h->table, sizeof h->table);
        get_str(j, "chain", h->chain, sizeof h->chain);
        h->handle = get_int(j, "handle", 0, INT_MAX, -1);
        h->action = (enum hostfw_action)get_code(j, "action", action_by_name, HOSTFW_DROP);
        get_str(j, "detail", h->detail, sizeof h->detail);
        h->conditional = get_bool(j, "conditional");
        h->families = get_families(j, "families");
    }
    fw->hits_dropped = (size_t)get_count(e, "rules_not_listed");
}

static void read_public_ev(const cJSON *e, struct server_evidence *ev)
{
    char source[16] = "";
    get_str(e, "source", source, sizeof source);
    ev->public_source = strcmp(source, "imds") == 0     ? PUBLIC_IMDS
                        : strcmp(source, "option") == 0 ? PUBLIC_OPTION
                                                        : PUBLIC_NONE;
    get_str(e, "address", ev->public_addr, sizeof ev->public_addr);
    ev->public_is_local = get_bool(e, "on_interface");
    ev->imds_asked = cJSON_GetObjectItemCaseSensitive(e, "imds_error") != NULL;
    get_str(e, "imds_error", ev->imds_error, sizeof ev->imds_error);
}

typedef void (*check_reader)(const cJSON *e, struct server_evidence *ev);

static const check_reader check_readers[LOCAL_CHECK_COUNT] = {
    [LOCAL_CHECK_LISTENERS] = read_listeners_ev,
    [LOCAL_CHECK_CONNECT] = read_connect_ev,
    [LOCAL_CHECK_FIREWALL] = read_firewall_ev,
    [LOCAL_CHECK_PUBLIC] = read_public_ev,
};

void report_read_local(const cJSON *root, struct report_doc *d)
{
    const cJSON *lo = get_obj(root, "local_check"), *c;
    struct local_check *lc = &d->local;
    char code[REPORT_CODE_MAX] = "";
    get_str(lo, "verdict", code, sizeof code);
    int v = local_verdict_by_name(code);
    if (lo == NULL || v < 0)
        return;
    d->has_local = true;
    lc->verdict = (enum server_verdict)v;
    lc->ev.port = get_int(lo, "port", 1, 65535, d->ev.port);
    lc->sentence_count = get_lines(lo, "evidence", &lc->sentences[0][0], LOCAL_CHECK_SENTENCE_MAX,
                                   LOCAL_CHECK_SENTENCES_MAX);
    for (int id = 0; id < LOCAL_CHECK_COUNT; id++)
        lc->lines[id].status = STATUS_NOT_RUN;
    cJSON_ArrayForEach(c, get_arr(lo, "checks"))
    {
        char name[32] = "", status[16] = "";
        get_str(c, "name", name, sizeof name);
        get_str(c, "status", status, sizeof status);
        int id = local_check_by_name(name), st = status_by_name(status);
        if (id < 0)
            continue;
        lc->lines[id].status = st >= 0 ? (enum stage_status)st : STATUS_NOT_RUN;
        get_str(c, "summary", lc->lines[id].summary, sizeof lc->lines[id].summary);
        if (get_obj(c, "evidence") != NULL)
            check_readers[id](get_obj(c, "evidence"), &lc->ev);
    }
}

void report_read_watch(const cJSON *root, struct report_doc *d)
{
    const cJSON *w = get_obj(root, "watch"), *s;
    if (w == NULL)
        return;
    d->has_watch = true;
    watch_table_init(&d->watch, get_int(w, "port", 1, 65535, d->ev.port));
    unsigned long long packets = get_count(w, "packets");
    d->watch.packets = packets <= UINT_MAX ? (unsigned)packets : UINT_MAX;
    d->watch.dropped = (size_t)get_int(w, "sources_not_listed", 0, 1 << 30, 0);
    cJSON_ArrayForEach(s, get_arr(w, "sources"))
    {
        if (d->watch.count == WATCH_SOURCES_MAX)
            break;
        struct watch_source *src = &d->watch.sources[d->watch.count++];
        get_str(s, "address", src->address, sizeof src->address);
        src->syns = get_int(s, "syns", 0, 1 << 30, 0);
        src->synacks_sent = get_int(s, "synacks_sent", 0, 1 << 30, 0);
        src->resets_sent = get_int(s, "resets_sent", 0, 1 << 30, 0);
        src->bytes_received = get_count(s, "bytes_received");
    }
    d->watch_opts.port = d->watch.port;
    d->watch_opts.duration_s = get_num(w, "duration_s", 0);
    get_str(get_obj(w, "expected_source"), "address", d->watch_from, sizeof d->watch_from);
    d->watch_opts.expect_from = d->watch_from[0] ? d->watch_from : NULL;
    d->watch_report = (struct watch_report){&d->watch, &d->watch_opts, get_bool(w, "interrupted")};
}
