/*
 * Unit tests for netprobe/redact.c: which secrets are collected, which
 * placeholder each gets, and where a secret counts as standing alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netprobe/report_modes.h"
#include "netprobe/redact.h"

static void add_iface(struct ev_local *l, const char *name, const char *addr, const char *mac)
{
    struct ev_iface *f = &l->ifaces[l->iface_count++];
    snprintf(f->name, sizeof f->name, "%s", name);
    snprintf(f->address, sizeof f->address, "%s", addr);
    snprintf(f->mac, sizeof f->mac, "%s", mac);
}

/* A VirtualBox VM in NAT mode with a second, bridged interface. */
static void lab_machine(struct evidence *ev)
{
    evidence_init(ev, "203.0.113.10", 8888);
    struct ev_local *l = &ev->local;
    snprintf(l->hostname, sizeof l->hostname, "lab-pc");
    add_iface(l, "lo", "127.0.0.1", "00:00:00:00:00:00");
    add_iface(l, "enp0s3", "10.0.2.15", "08:00:27:aa:bb:cc");                /* private-1, mac-1 */
    add_iface(l, "enp0s8", "192.168.1.20", "08:00:27:dd:ee:ff");             /* private-2, mac-2 */
    add_iface(l, "enp0s8", "fe80::a00:27ff:fedd:eeff", "08:00:27:dd:ee:ff"); /* private-3 */
    add_iface(l, "tun0", "100.64.3.4", "");                                  /* private-4 */
    add_iface(l, "enp0s9", "198.51.100.20", "");                             /* public: kept */
    snprintf(l->source_address, sizeof l->source_address, "10.0.2.15");
    snprintf(l->gateway, sizeof l->gateway, "10.0.2.2"); /* private-5 */
    ev->app.outcome = APP_CHATD;
    snprintf(ev->app.hello.peer.address, ADDR_TEXT_MAX, "203.0.113.7"); /* public: kept */
}

struct text_case {
    const char *in;
    const char *out;
};

static const struct text_case text_cases[] = {
    {"10.0.2.15", "<private-1>"},
    {"source 10.0.2.15 on enp0s3", "source <private-1> on enp0s3"},
    {"from 10.0.2.15:8888", "from <private-1>:8888"},
    {"at 10.0.2.15.", "at <private-1>."},
    {"\"10.0.2.15\",\"10.0.2.2\"", "\"<private-1>\",\"<private-5>\""},
    {"10.0.2.151", "10.0.2.151"},
    {"110.0.2.15", "110.0.2.15"},
    {"10.0.2.15.3", "10.0.2.15.3"},
    {"192.168.1.20 and 100.64.3.4", "<private-2> and <private-4>"},
    {"fe80::a00:27ff:fedd:eeff", "<private-3>"},
    {"fe80::a00:27ff:fedd:eeff:1", "fe80::a00:27ff:fedd:eeff:1"},
    {"MAC 08:00:27:AA:BB:CC", "MAC <mac-1>"},
    {"08:00:27:dd:ee:ff/08:00:27:aa:bb:cc", "<mac-2>/<mac-1>"},
    {"lab-pc says hi", "<hostname> says hi"},
    {"LAB-PC is not lab-pc", "LAB-PC is not <hostname>"}, /* exact spelling only */
    {"lab-pc.local", "<hostname>.local"},
    {"lab-pc2 my-lab-pc lab-pcs", "lab-pc2 my-lab-pc lab-pcs"},
    {"target 203.0.113.10, seen as 203.0.113.7", "target 203.0.113.10, seen as 203.0.113.7"},
    {"198.51.100.20 127.0.0.1 00:00:00:00:00:00", "198.51.100.20 127.0.0.1 00:00:00:00:00:00"},
    {"", ""},
};

static void text_is_redacted_where_secrets_stand_alone(void **state)
{
    (void)state;
    struct evidence ev;
    struct redact r;
    lab_machine(&ev);
    redact_init(&r, &ev);
    for (size_t i = 0; i < sizeof text_cases / sizeof text_cases[0]; i++) {
        char out[256];
        redact_text(&r, text_cases[i].in, out, sizeof out);
        print_message("case \"%s\" -> \"%s\"\n", text_cases[i].in, out);
        assert_string_equal(out, text_cases[i].out);
    }
}

static void placeholders_are_stable_across_builds(void **state)
{
    (void)state;
    struct evidence ev;
    struct redact a, b;
    lab_machine(&ev);
    redact_init(&a, &ev);
    /* Later stages add secrets; earlier placeholders must not move. */
    ev.tcp.attempt_count = 1;
    snprintf(ev.tcp.attempts[0].source_address, ADDR_TEXT_MAX, "172.16.9.9");
    redact_init(&b, &ev);
    assert_int_equal(b.count, a.count + 1);
    assert_memory_equal(a.entries, b.entries, a.count * sizeof a.entries[0]);
    assert_string_equal(b.entries[a.count].placeholder, "<private-6>");
}

static void output_is_truncated_not_overflowed(void **state)
{
    (void)state;
    struct evidence ev;
    struct redact r;
    lab_machine(&ev);
    redact_init(&r, &ev);
    char out[8];
    memset(out, 'x', sizeof out);
    redact_text(&r, "10.0.2.15 lab-pc", out, 6);
    assert_string_equal(out, "<priv");
    assert_int_equal(out[6], 'x');
    redact_text(NULL, "10.0.2.15", out, sizeof out);
    assert_string_equal(out, "10.0.2.");
}

static void json_strings_are_redacted_at_every_depth(void **state)
{
    (void)state;
    struct evidence ev;
    struct redact r;
    lab_machine(&ev);
    redact_init(&r, &ev);
    cJSON *root = cJSON_Parse("{\"a\":\"lab-pc\",\"b\":[{\"c\":\"via 10.0.2.2\"}],"
                              "\"n\":10,\"k\":\"203.0.113.10\"}");
    assert_non_null(root);
    assert_int_equal(report_redact_json(&r, root), 0);
    char *text = cJSON_PrintUnformatted(root);
    assert_non_null(text);
    assert_string_equal(text, "{\"a\":\"<hostname>\",\"b\":[{\"c\":\"via <private-5>\"}],"
                              "\"n\":10,\"k\":\"203.0.113.10\"}");
    free(text);
    cJSON_Delete(root);
}

/* --redact's command: paths keep only their file name, the user's names
 * go wherever they appear, and everything else stays as typed. */
static const struct {
    const char *in, *out;
} command_cases[] = {
    {"netprobe 203.0.113.10 8888", "netprobe 203.0.113.10 8888"},
    {"/home/maria.garcia/chat/bin/netprobe --json /home/maria.garcia/report.json 203.0.113.10",
     "<path>/netprobe --json <path>/report.json 203.0.113.10"},
    {"./bin/netprobe --json=/tmp/maria.garcia-r.json h",
     "<path>/netprobe --json=<path>/<user>-r.json h"},
    {"netprobe --label maria.garcia h", "netprobe --label <user> h"},
    {"netprobe --json report.json h 8888", "netprobe --json report.json h 8888"},
    {"netprobe --json /report.json h", "netprobe --json <path>/report.json h"},
    {"", ""},
};

static void command_loses_paths_and_user_names(void **state)
{
    (void)state;
    const char *users[] = {"maria.garcia", "ma"};
    char out[512];
    for (size_t i = 0; i < sizeof command_cases / sizeof command_cases[0]; i++) {
        redact_command(command_cases[i].in, users, 1, out, sizeof out);
        assert_string_equal(out, command_cases[i].out);
    }
    /* A short buffer truncates, never overflows. */
    char small[12];
    redact_command(command_cases[1].in, users, 1, small, sizeof small);
    assert_int_equal(strlen(small), sizeof small - 1);
}

/* The user names come from the environment and the password entry, each
 * once, none shorter than 2 characters. */
static void user_names_are_collected_once(void **state)
{
    (void)state;
    const char *users[REDACT_USERS_MAX];
    assert_int_equal(setenv("USER", "maria", 1), 0);
    assert_int_equal(setenv("LOGNAME", "maria", 1), 0);
    assert_int_equal(setenv("SUDO_USER", "x", 1), 0);
    size_t n = redact_user_names(users);
    assert_true(n >= 1 && n <= 2); /* maria, and the password entry's name if another */
    assert_string_equal(users[0], "maria");
    for (size_t i = 0; i < n; i++)
        assert_true(strlen(users[i]) >= 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_is_redacted_where_secrets_stand_alone),
        cmocka_unit_test(placeholders_are_stable_across_builds),
        cmocka_unit_test(output_is_truncated_not_overflowed),
        cmocka_unit_test(json_strings_are_redacted_at_every_depth),
        cmocka_unit_test(command_loses_paths_and_user_names),
        cmocka_unit_test(user_names_are_collected_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
