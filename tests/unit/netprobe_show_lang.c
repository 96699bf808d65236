/*
 * Unit tests for netprobe --show in the other language (show.c): for
 * every case of the verdict table (tests/support/netprobe_verdict_cases.h)
 * and for the stage lines the verdict cases do not reach (skips, errno
 * lines, the echo and local variants), the evidence is written as a report
 * in one language, read back and shown in the other, and what --show
 * prints must be what printing the original evidence directly in that
 * language prints: the same stage lines, the same "seen:" sentences, and
 * no note that anything is quoted.  Both ways: en report read in es, and
 * es report read in en.  The same for --local reports: their checks and
 * sentences are summarized again from the checks' evidence.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/i18n.h"
#include "netprobe/corroborate.h"
#include "netprobe/output.h"
#include "netprobe/report.h"
#include "netprobe/server/local_check.h"
#include "netprobe/show.h"
#include "netprobe/stages/stage_text.h"
#include "tests/support/netprobe_verdict_cases.h"

#define SHOWN_MAX (64 * 1024)

/* ---- Stage statuses for a case's evidence ----------------------------------- */

static enum stage_status open_status(const struct ev_tcp *t)
{
    size_t open = 0;
    for (size_t i = 0; i < t->attempt_count; i++)
        open += t->attempts[i].state == TCP_STATE_OPEN;
    return open == t->attempt_count ? STATUS_PASS : open > 0 ? STATUS_WARN : STATUS_FAIL;
}

static void set_stage(struct evidence *ev, enum stage_id id, enum stage_status st,
                      enum stage_skip skip)
{
    ev->stages[id].status = st;
    ev->stages[id].skip = skip;
    ev->stages[id].duration_ms = 1.25 + id;
}

/* The statuses a run with this evidence would have had, as the stages and
 * the runner's skip rules give them. */
static void default_statuses(struct evidence *ev)
{
    bool dns_ok = ev->dns.outcome == DNS_LITERAL || ev->dns.outcome == DNS_OK;
    set_stage(ev, STAGE_LOCAL, STATUS_PASS, SKIP_NONE);
    set_stage(ev, STAGE_DNS, dns_ok ? STATUS_PASS : STATUS_FAIL, SKIP_NONE);
    if (ev->icmp.sent > 0)
        set_stage(ev, STAGE_ICMP, ev->icmp.received == ev->icmp.sent ? STATUS_PASS : STATUS_WARN,
                  SKIP_NONE);
    else
        set_stage(ev, STAGE_ICMP, STATUS_SKIP, SKIP_NO_ICMP_OPTION);
    if (!dns_ok)
        set_stage(ev, STAGE_TCP, STATUS_SKIP, SKIP_DNS_FAILED);
    else if (ev->tcp.attempt_count == 0)
        set_stage(ev, STAGE_TCP, STATUS_SKIP, SKIP_NO_TCP_ADDRESS);
    else
        set_stage(ev, STAGE_TCP, open_status(&ev->tcp), SKIP_NONE);
    if (ev->tcp.chosen < 0)
        set_stage(ev, STAGE_APP, STATUS_SKIP, dns_ok ? SKIP_NOT_CONNECTED : SKIP_DNS_FAILED);
    else
        set_stage(ev, STAGE_APP, ev->app.outcome == APP_CHATD ? STATUS_PASS : STATUS_FAIL,
                  SKIP_NONE);
    size_t n = ev->echo.size_count;
    if (ev->app.outcome != APP_CHATD)
        set_stage(ev, STAGE_ECHO, STATUS_SKIP, SKIP_NOT_CHATD);
    else
        set_stage(ev, STAGE_ECHO,
                  n == 0                                     ? STATUS_WARN
                  : ev->echo.sizes[n - 1].outcome != ECHO_OK ? STATUS_FAIL
                                                             : STATUS_PASS,
                  SKIP_NONE);
    ev->echo.sizes_asked = n;
}

/* ---- Stage lines the verdict cases do not reach ------------------------------ */

static void stage_local_cannot_list(struct evidence *ev)
{
    set_stage(ev, STAGE_LOCAL, STATUS_FAIL, SKIP_NONE);
    ev->stages[STAGE_LOCAL].err = EACCES;
}
static void stage_local_no_route(struct evidence *ev)
{
    set_stage(ev, STAGE_LOCAL, STATUS_WARN, SKIP_NONE);
    ev->stages[STAGE_LOCAL].err = ENETUNREACH;
    snprintf(ev->local.target.address, ADDR_TEXT_MAX, "2001:db8::1");
    ev->local.target.family = AF_INET6;
    ev->local.virtualbox_nat = true;
}
static void stage_local_source(struct evidence *ev)
{
    snprintf(ev->local.source_address, ADDR_TEXT_MAX, "192.168.1.20");
    ev->local.source_class = ADDR_PRIVATE;
    ev->local.source_mtu = 1500;
    ev->local.iface_count = 1;
    snprintf(ev->local.ifaces[0].name, sizeof ev->local.ifaces[0].name, "eth0");
    snprintf(ev->local.ifaces[0].address, ADDR_TEXT_MAX, "192.168.1.20");
    ev->local.route.kind = ROUTE_GATEWAY;
    snprintf(ev->local.route.next_hop, ADDR_TEXT_MAX, "192.168.1.1");
    ev->local.virtualbox_vm = true;
}
static void stage_local_v6_on_link(struct evidence *ev)
{
    snprintf(ev->local.target.address, ADDR_TEXT_MAX, "2001:db8::1");
    ev->local.target.family = AF_INET6;
    ev->local.ipv6_default_route = true;
    ev->local.has_default_route = true;
    ev->local.iface_count = 2;
    set_stage(ev, STAGE_LOCAL, STATUS_PASS, SKIP_NONE);
}
static void stage_local_no_default(struct evidence *ev)
{
    ev->local.iface_count = 1;
    set_stage(ev, STAGE_LOCAL, STATUS_WARN, SKIP_NONE);
}
static void stage_dns_names(struct evidence *ev)
{
    snprintf(ev->host, sizeof ev->host, "chat.example.org");
    ev->dns.outcome = DNS_OK;
    snprintf(ev->dns.addrs[1].address, ADDR_TEXT_MAX, "2001:db8::10");
    ev->dns.addrs[1].family = AF_INET6;
    ev->dns.addr_count = 2;
}
/* The name did not resolve, for the reason detail_kind says. */
static void dns_failed(struct evidence *ev, enum dns_outcome o, enum dns_detail why, int num,
                       const char *arg)
{
    set_nxdomain(ev);
    snprintf(ev->host, sizeof ev->host, "chat.example.org");
    ev->dns.outcome = o;
    ev->dns.detail_kind = why;
    ev->dns.detail_num = num;
    snprintf(ev->dns.detail_arg, sizeof ev->dns.detail_arg, "%s", arg);
    default_statuses(ev);
}
static void stage_dns_timeout(struct evidence *ev)
{
    dns_failed(ev, DNS_NO_ANSWER, DNS_DETAIL_TIMEOUT, 1500, "");
}
static void stage_dns_no_family(struct evidence *ev)
{
    dns_failed(ev, DNS_NO_FAMILY, DNS_DETAIL_NO_FAMILY, 6, "203.0.113.10, 198.51.100.4");
    ev->family_pref = 6;
}
static void stage_dns_family_literal(struct evidence *ev)
{
    dns_failed(ev, DNS_OTHER_FAILURE, DNS_DETAIL_FAMILY_LITERAL, 4, "");
    snprintf(ev->host, sizeof ev->host, "2001:db8::10");
    ev->family_pref = 4;
}
static void stage_dns_resolver(struct evidence *ev)
{
    dns_failed(ev, DNS_NXDOMAIN, DNS_DETAIL_RESOLVER, 0, "Name or service not known");
}
static void stage_dns_no_resources(struct evidence *ev)
{
    dns_failed(ev, DNS_OTHER_FAILURE, DNS_DETAIL_NO_RESOURCES, 0, "");
}
static void stage_icmp_cannot(struct evidence *ev)
{
    set_stage(ev, STAGE_ICMP, STATUS_SKIP, SKIP_ICMP_CANNOT);
    ev->stages[STAGE_ICMP].err = EPERM;
}
static void stage_icmp_own_skips(struct evidence *ev)
{
    fail_tcp(ev, TCP_STATE_UNKNOWN, "");
    ev->tcp.attempt_count = 0;
    set_stage(ev, STAGE_ICMP, STATUS_SKIP, SKIP_ICMP_NO_TARGET);
    set_stage(ev, STAGE_TCP, STATUS_SKIP, SKIP_TCP_NO_TARGET);
    set_stage(ev, STAGE_APP, STATUS_SKIP, SKIP_APP_NO_CONN);
    set_stage(ev, STAGE_ECHO, STATUS_SKIP, SKIP_ECHO_NO_CHATD);
}
static void stage_icmp_replies(struct evidence *ev)
{
    ev->icmp = (struct ev_icmp){.method = "dgram", .sent = 4, .received = 3, .rtt_min_ms = 0.5};
    ev->icmp.rtt_avg_ms = 0.75;
    ev->icmp.rtt_max_ms = 1.125;
    ev->icmp.error = (struct ev_icmp_error){true, 3, 1, "198.51.100.1", "host-unreachable"};
    set_stage(ev, STAGE_ICMP, STATUS_WARN, SKIP_NONE);
}
static void stage_icmp_not_sent(struct evidence *ev)
{
    ev->icmp = (struct ev_icmp){.method = "raw", .sent = 4, .not_sent = 4};
    ev->icmp.send_errno = ENETUNREACH;
    set_stage(ev, STAGE_ICMP, STATUS_WARN, SKIP_NONE);
}
static void stage_app_connect_again(struct evidence *ev)
{
    ev->app.outcome = APP_RESET;
    ev->echo.size_count = 0;
    default_statuses(ev);
    ev->stages[STAGE_APP].err = ECONNREFUSED;
}
static void stage_app_closed_said(struct evidence *ev)
{
    ev->app.outcome = APP_CLOSED;
    snprintf(ev->app.chatd_said, sizeof ev->app.chatd_said, "ERR server_full 64 users");
    ev->echo.size_count = 0;
    default_statuses(ev);
}
static void stage_app_reset_banner(struct evidence *ev)
{
    ev->app.outcome = APP_RESET;
    snprintf(ev->app.banner, sizeof ev->app.banner, "go away");
    ev->echo.size_count = 0;
    default_statuses(ev);
}
static void stage_app_nat_warn(struct evidence *ev)
{
    ev->app.client_nat = true;
    ev->app.server_nat = true;
    ev->app.hello.netprobe = 2;
    set_stage(ev, STAGE_APP, STATUS_WARN, SKIP_NONE);
}
static void stage_echo_open_fails(struct evidence *ev)
{
    ev->echo.size_count = 0;
    set_stage(ev, STAGE_ECHO, STATUS_FAIL, SKIP_NONE);
    ev->stages[STAGE_ECHO].err = ETIMEDOUT;
}
static void stage_echo_no_hello(struct evidence *ev)
{
    ev->echo.size_count = 0;
    set_stage(ev, STAGE_ECHO, STATUS_FAIL, SKIP_NONE);
}
static void stage_echo_sizes_refused(struct evidence *ev)
{
    ev->echo.sizes_asked = 6;
    ev->echo.sizes[3].rtt_ms = 12.5;
}
static void stage_echo_search_fails(struct evidence *ev)
{
    set_mtu_search(ev, 0, 576);
    ev->echo.mss_retry_outcome = ECHO_STALLED;
    default_statuses(ev);
}
/* --trace after a drop: the hops after the third went silent. */
static void trace_silence_after_drop(struct evidence *ev)
{
    set_drop(ev);
    default_statuses(ev);
    ev->trace.run = true;
    snprintf(ev->trace.target, ADDR_TEXT_MAX, "203.0.113.10");
    ev->trace.last_answer_hop = 3;
    snprintf(ev->trace.last_answer_from, ADDR_TEXT_MAX, "198.51.100.1");
}
/* --trace and --capture after a drop: a SYN-ACK TTL places the target. */
static void trace_and_capture(struct evidence *ev)
{
    trace_silence_after_drop(ev);
    ev->capture.run = true;
    ev->capture.syns_sent = 2;
    ev->capture.syn_retransmits = 1;
    ev->capture.synack_ttl = 52;
    ev->capture.synack_mss = -1;
    ev->capture.reset_ttl = -1;
    ev->trace.target_hops_guess = verdict_hops_from_ttl(52); /* as modes.c's run_trace() */
}
static void stage_runner_skips(struct evidence *ev)
{
    ev->echo.size_count = 0;
    set_stage(ev, STAGE_ECHO, STATUS_SKIP, SKIP_NO_SIZES);
    set_stage(ev, STAGE_ICMP, STATUS_SKIP, SKIP_NO_PING_ADDRESS);
}

struct stage_case {
    const char *name;
    void (*adjust)(struct evidence *ev); /* after default_statuses() */
};

static const struct stage_case stage_cases[] = {
    {"local: interfaces not listed", stage_local_cannot_list},
    {"local: no route", stage_local_no_route},
    {"local: source and route", stage_local_source},
    {"local: IPv6 on-link gateway", stage_local_v6_on_link},
    {"local: no default route", stage_local_no_default},
    {"dns: a name with two addresses", stage_dns_names},
    {"dns: no answer in time", stage_dns_timeout},
    {"dns: -6 and only IPv4 addresses", stage_dns_no_family},
    {"dns: -4 and an IPv6 literal", stage_dns_family_literal},
    {"dns: the resolver's words", stage_dns_resolver},
    {"dns: the lookup could not start", stage_dns_no_resources},
    {"icmp: cannot ping", stage_icmp_cannot},
    {"the stages' own skips", stage_icmp_own_skips},
    {"icmp: replies and an error", stage_icmp_replies},
    {"icmp: nothing left", stage_icmp_not_sent},
    {"app: second connection refused", stage_app_connect_again},
    {"app: chatd said why it closed", stage_app_closed_said},
    {"app: reset after a banner", stage_app_reset_banner},
    {"app: NAT notes and another protocol version", stage_app_nat_warn},
    {"echo: connection not opened", stage_echo_open_fails},
    {"echo: no hello reply", stage_echo_no_hello},
    {"echo: larger sizes refused by echo_max", stage_echo_sizes_refused},
    {"echo: path MTU search found nothing", stage_echo_search_fails},
    {"the runner's other skips", stage_runner_skips},
    {"trace: silence after hop 3", trace_silence_after_drop},
    {"trace and capture", trace_and_capture},
};

/* ---- Rendering ----------------------------------------------------------------- */

static void speak(const char *lang)
{
    assert_int_equal(i18n_init(lang), 0);
    assert_string_equal(i18n_language(), lang);
}

/* Says every stage line of ev in the current language, as the stages do
 * when they end. */
static void say_stages(struct evidence *ev)
{
    stage_text_dns_detail(ev, ev->dns.detail, sizeof ev->dns.detail);
    for (int id = 0; id < STAGE_COUNT; id++)
        stage_text_fill(ev, (enum stage_id)id, &ev->stages[id]);
}

static const struct trace_result *trace_of(const struct ev_trace *t);

/* A run's end with ev, in the current language: its stage lines into
 * *said, its verdict into *v. */
static void say_run(const struct evidence *ev, struct evidence *said, struct verdict *v)
{
    *said = *ev;
    say_stages(said);
    verdict_decide(said, v);
    corroborate(said, v);
}

/* What a run with ev that wrote path printed (-v), in the current
 * language, into out. */
static void print_direct(const struct evidence *ev, const char *path, char *out, size_t cap)
{
    static struct verdict v;
    static struct evidence said;
    say_run(ev, &said, &v);
    FILE *f = fmemopen(out, cap, "w");
    assert_non_null(f);
    struct output o = {.out = f, .verbose = true};
    for (int id = 0; id < STAGE_COUNT; id++)
        if (said.stages[id].status != STATUS_NOT_RUN)
            output_stage(&o, &said, (enum stage_id)id);
    if (said.trace.run)
        output_trace(&o, trace_of(&said.trace));
    if (v.code != VERDICT_NONE)
        output_verdict(&o, &said, &v, path);
    assert_int_equal(fclose(f), 0);
}

/* The capture summary a run with capture evidence e had (the inverse of
 * modes.c's capture_evidence()). */
static const struct capture_summary *capture_of(const struct ev_capture *e)
{
    static struct capture_summary s;
    memset(&s, 0, sizeof s);
    s.ran = e->run;
    s.syns_sent = e->syns_sent;
    s.syn_retransmits = e->syn_retransmits;
    s.synacks = e->synacks;
    s.synack_mss = e->synack_mss;
    s.synack_window = -1;
    s.resets = e->resets;
    s.icmp_errors = e->icmp_errors;
    s.first_icmp = e->first_icmp;
    s.icmp_ttl = s.target_icmp_ttl = s.echo_ttl = -1;
    s.retransmits = e->retransmits;
    s.forged_reset = e->forged_reset;
    s.synack_ttl = e->synack_ttl;
    s.reset_ttl = e->reset_ttl;
    s.reset_compared_with = e->reset_compared ? "synack" : "";
    snprintf(s.forged_detail, sizeof s.forged_detail, "%s", e->forged_detail);
    return &s;
}

/* The trace result a run with trace evidence t had (modes.c's run_trace()). */
static const struct trace_result *trace_of(const struct ev_trace *t)
{
    static struct trace_result r;
    memset(&r, 0, sizeof r);
    snprintf(r.target, sizeof r.target, "%s", t->target);
    r.reached = t->reached;
    r.last_answer_ttl = t->last_answer_hop;
    snprintf(r.last_answer_from, sizeof r.last_answer_from, "%s", t->last_answer_from);
    r.ended = t->relay_answered ? "relay" : t->reached ? "reached" : "silence";
    return &r;
}

/* Writes a rendered report (freed here) to a new file under $TMPDIR or
 * /tmp, whose name goes to path (PATH_MAX bytes). */
static void write_temp(char *text, char *path)
{
    assert_non_null(text);
    const char *dir = getenv("TMPDIR");
    snprintf(path, PATH_MAX, "%s/netprobe_show_lang.XXXXXX", dir != NULL && dir[0] ? dir : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
    free(text);
}

/* Writes ev's report in the current language to a file; returns its path
 * (static). */
static const char *write_report(const struct evidence *ev)
{
    static char path[PATH_MAX];
    static struct verdict v;
    static struct evidence said;
    say_run(ev, &said, &v);
    struct report_input in = {.ev = &said,
                              .verdict = v.code != VERDICT_NONE ? &v : NULL,
                              .command = "netprobe -v --json report.json",
                              .started_at = "2026-12-04T10:00:00Z",
                              .capture = said.capture.run ? capture_of(&said.capture) : NULL,
                              .trace = said.trace.run ? trace_of(&said.trace) : NULL};
    write_temp(report_render(&in), path);
    return path;
}

/* --show FILE -v, in the current language, into out. */
static void print_shown(const char *path, char *out, size_t cap)
{
    FILE *f = fmemopen(out, cap, "w");
    assert_non_null(f);
    struct output o = {.out = f, .verbose = true};
    assert_int_equal(show_report(path, &o), 0);
    assert_int_equal(fclose(f), 0);
}

/* Fails naming the first line where a and b differ. */
static void fail_first_difference(const char *name, const char *lang, const char *other,
                                  const char *a, const char *b)
{
    size_t line = 1, at = 0, start = 0;
    for (; a[at] != '\0' && a[at] == b[at]; at++)
        if (a[at] == '\n') {
            line++;
            start = at + 1;
        }
    a += start;
    b += start;
    fail_msg("%s (%s report, %s reader), line %zu:\n  printed: %.200s\n  --show:  %.200s", name,
             lang, other, line, a, b);
}

/* ev written in lang, shown in the other: --show prints what printing ev
 * in the other language prints (so no note that anything is quoted). */
static void check_one(const char *name, const struct evidence *ev, const char *lang,
                      const char *other)
{
    static char want[SHOWN_MAX], got[SHOWN_MAX];
    speak(lang);
    const char *path = write_report(ev);
    speak(other);
    print_direct(ev, path, want, sizeof want);
    print_shown(path, got, sizeof got);
    assert_int_equal(unlink(path), 0);
    if (strcmp(want, got) != 0)
        fail_first_difference(name, lang, other, want, got);
    /* The catalogue was found: the two languages print differently. */
    speak(lang);
    print_direct(ev, path, got, sizeof got);
    if (strcmp(want, got) == 0)
        fail_msg("%s: the same text in %s and %s (no catalogue?):\n%s", name, lang, other, got);
}

static void both_ways(const char *name, const struct evidence *ev)
{
    check_one(name, ev, "en", "es");
    check_one(name, ev, "es", "en");
}

/* ---- Tests ----------------------------------------------------------------------- */

static void every_verdict_case_reads_the_same_in_the_other_language(void **state)
{
    (void)state;
    static struct evidence ev;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        healthy(&ev);
        cases[i].setup(&ev);
        default_statuses(&ev);
        both_ways(cases[i].name, &ev);
    }
}

static void every_stage_line_reads_the_same_in_the_other_language(void **state)
{
    (void)state;
    static struct evidence ev;
    for (size_t i = 0; i < sizeof stage_cases / sizeof stage_cases[0]; i++) {
        healthy(&ev);
        default_statuses(&ev);
        stage_cases[i].adjust(&ev);
        both_ways(stage_cases[i].name, &ev);
    }
}

/* A report the evidence does not give back (here: a stage line and a
 * sentence edited by hand) shows those parts as written, with the note,
 * and still says the other parts in the reader's language. */
static void what_does_not_come_back_is_quoted(void **state)
{
    (void)state;
    static struct evidence ev;
    static char got[SHOWN_MAX];
    healthy(&ev);
    set_refused(&ev);
    default_statuses(&ev);
    speak("en");
    const char *path = write_report(&ev);
    FILE *f = fopen(path, "r+");
    assert_non_null(f);
    static char text[SHOWN_MAX];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    char *line = strstr(text, "port 8888: 203.0.113.10 closed/reset");
    char *seen = strstr(text, "TCP to 203.0.113.10 port 8888: closed (reset)");
    assert_non_null(line);
    assert_non_null(seen);
    memcpy(line, "port 8888: edited by hand!!", 27);
    memcpy(seen, "an edited evidence sentence", 27);
    rewind(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
    speak("es");
    print_shown(path, got, sizeof got);
    speak("en");
    assert_int_equal(unlink(path), 0);
    if (strstr(got, "se citan del informe, en su idioma: en)") == NULL ||
        strstr(got, "tcp   port 8888: edited by hand!!") == NULL ||
        strstr(got, "visto: an edited evidence sentence") == NULL ||
        strstr(got, "dns   203.0.113.10 es una direcci") == NULL)
        fail_msg("edited report shown in Spanish:\n%s", got);
}

/* ---- --local --------------------------------------------------------------------- */

static void add_listener(struct server_evidence *ev, const char *address, int pid, bool ok)
{
    struct listener *l = &ev->listeners.items[ev->listeners.count++];
    l->family = strchr(address, ':') != NULL ? AF_INET6 : AF_INET;
    snprintf(l->address, sizeof l->address, "%s", address);
    l->port = ev->port;
    l->bind = listeners_classify(l->family, address);
    l->pid = pid;
    snprintf(l->comm, sizeof l->comm, "%s", pid > 0 ? "chatd" : "");
    struct server_conn_test *t = &ev->tests[ev->test_count++];
    t->family = l->family;
    snprintf(t->address, sizeof t->address, "%s", address);
    t->ok = ok;
    t->err = ok ? 0 : ECONNREFUSED;
    t->ms = 0.25;
}

/* A server with chatd on every address and nft letting the port in. */
static void local_healthy(struct server_evidence *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->port = 8888;
    ev->listeners_ok = true;
    add_listener(ev, "0.0.0.0", 812, true);
    ev->firewall_checked = true;
    ev->fw.available = true;
    snprintf(ev->fw.source, sizeof ev->fw.source, "nft");
    ev->fw.input_chains = 1;
}

static void local_loopback_unknown_process(struct server_evidence *ev)
{
    ev->listeners.count = ev->test_count = 0;
    add_listener(ev, "127.0.0.1", 0, true);
    add_listener(ev, "::1", 0, true);
}
static void local_nothing_listens(struct server_evidence *ev)
{
    ev->listeners.count = ev->test_count = 0;
    ev->firewall_checked = false;
}
static void local_connect_refused(struct server_evidence *ev)
{
    ev->tests[0].ok = false;
    ev->tests[0].err = ECONNREFUSED;
}
static void local_firewall_drops_v6(struct server_evidence *ev)
{
    struct hostfw_hit *h = &ev->fw.hits[ev->fw.hit_count++];
    snprintf(h->family, sizeof h->family, "inet");
    snprintf(h->table, sizeof h->table, "filter");
    snprintf(h->chain, sizeof h->chain, "input");
    h->handle = 7;
    h->action = HOSTFW_DROP;
    snprintf(h->detail, sizeof h->detail, "drop");
    h->families = HOSTFW_IPV6;
    ev->fw.blocks = true;
    ev->fw.blocks_families = HOSTFW_IPV6;
}
static void local_firewall_some_sources(struct server_evidence *ev)
{
    local_firewall_drops_v6(ev);
    ev->fw.hits[0].conditional = true;
    ev->fw.hits[0].families = HOSTFW_IPV4 | HOSTFW_IPV6;
    ev->fw.blocks = false;
    ev->fw.blocks_families = 0;
    ev->fw.may_block = true;
}
static void local_public_not_here(struct server_evidence *ev)
{
    snprintf(ev->public_addr, sizeof ev->public_addr, "203.0.113.7");
    ev->public_source = PUBLIC_OPTION;
}
static void local_public_from_imds(struct server_evidence *ev)
{
    snprintf(ev->public_addr, sizeof ev->public_addr, "203.0.113.7");
    ev->public_source = PUBLIC_IMDS;
    ev->imds_asked = true;
}
static void local_ipv4_only(struct server_evidence *ev)
{
    snprintf(ev->global_ipv6, sizeof ev->global_ipv6, "2001:db8::7");
}
static void local_interface_address(struct server_evidence *ev)
{
    ev->listeners.count = ev->test_count = 0;
    add_listener(ev, "172.31.5.10", 812, true);
}

static void (*const local_cases[])(struct server_evidence *) = {
    local_loopback_unknown_process, local_nothing_listens,
    local_connect_refused,          local_firewall_drops_v6,
    local_firewall_some_sources,    local_public_not_here,
    local_public_from_imds,         local_ipv4_only,
    local_interface_address,
};

/* lc's report written in lang and shown in other prints what printing lc
 * summarized in other prints. */
static void check_local_one(size_t i, const struct local_check *lc, const char *lang,
                            const char *other)
{
    static struct local_check said;
    static struct evidence ev;
    static char want[SHOWN_MAX], got[SHOWN_MAX], path[PATH_MAX];
    speak(lang);
    said = *lc;
    local_check_summarize(&said);
    evidence_init(&ev, "", said.ev.port);
    struct report_input in = {.ev = &ev,
                              .command = "netprobe --local",
                              .mode = "local",
                              .started_at = "2026-12-04T10:00:00Z",
                              .local = &said};
    write_temp(report_render(&in), path);
    speak(other);
    said = *lc;
    local_check_summarize(&said);
    FILE *f = fmemopen(want, sizeof want, "w");
    assert_non_null(f);
    struct output o = {.out = f, .verbose = true};
    output_local(&o, &said);
    assert_int_equal(fclose(f), 0);
    print_shown(path, got, sizeof got);
    speak(lang);
    assert_int_equal(unlink(path), 0);
    if (strcmp(want, got) != 0) {
        char name[32];
        snprintf(name, sizeof name, "local case %zu", i);
        fail_first_difference(name, lang, other, want, got);
    }
}

static void every_local_case_reads_the_same_in_the_other_language(void **state)
{
    (void)state;
    static struct local_check lc;
    for (size_t i = 0; i <= sizeof local_cases / sizeof local_cases[0]; i++) {
        memset(&lc, 0, sizeof lc);
        local_healthy(&lc.ev);
        if (i > 0)
            local_cases[i - 1](&lc.ev);
        check_local_one(i, &lc, "en", "es");
        check_local_one(i, &lc, "es", "en");
    }
}

/* The catalogues of this build (build/share/locale next to build/tests). */
static int find_catalogues(void **state)
{
    (void)state;
    char exe[PATH_MAX], dir[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash == NULL)
        return -1;
    *slash = '\0';
    snprintf(dir, sizeof dir, "%s/../../share/locale", exe);
    return setenv("CHAT_LOCALEDIR", dir, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_verdict_case_reads_the_same_in_the_other_language),
        cmocka_unit_test(every_stage_line_reads_the_same_in_the_other_language),
        cmocka_unit_test(every_local_case_reads_the_same_in_the_other_language),
        cmocka_unit_test(what_does_not_come_back_is_quoted),
    };
    return cmocka_run_group_tests(tests, find_catalogues, NULL);
}
