/* Unit tests for netprobe/stages/host_setup.c's pure parts: VirtualBox hints and the
 * default route from /proc/net/route. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "netprobe/stages/host_setup.h"

struct vbox_case {
    const char *what;
    const char *address, *gateway, *mac, *dmi;
    bool nat, vm;
};

static const struct vbox_case vbox_cases[] = {
    {"VirtualBox NAT", "10.0.2.15", "10.0.2.2", "08:00:27:ab:cd:ef", NULL, true, true},
    {"NAT, MAC changed by hand", "10.0.2.15", "10.0.2.2", "52:54:00:12:34:56", NULL, true, false},
    {"bridged VirtualBox VM", "192.168.1.40", "192.168.1.1", "08:00:27:ab:cd:ef", NULL, false,
     true},
    {"upper-case MAC", "192.168.1.40", "192.168.1.1", "08:00:27:AB:CD:EF", NULL, false, true},
    {"VM known by DMI only", "192.168.1.40", "192.168.1.1", "52:54:00:12:34:56", "VirtualBox\n",
     false, true},
    {"10.0.2.x with another gateway", "10.0.2.15", "10.0.2.1", "52:54:00:12:34:56", NULL, false,
     false},
    {"gateway 10.0.2.2 from elsewhere", "10.0.3.15", "10.0.2.2", "", NULL, false, false},
    {"a laptop", "192.168.1.40", "192.168.1.1", "3c:22:fb:00:11:22", "XPS 13 9310", false, false},
    {"no gateway", "10.0.2.15", "", "", NULL, false, false},
};

static void virtualbox_is_told_from_address_gateway_and_mac(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof vbox_cases / sizeof vbox_cases[0]; i++) {
        const struct vbox_case *c = &vbox_cases[i];
        struct ev_local l;
        memset(&l, 0, sizeof l);
        l.iface_count = 2;
        snprintf(l.ifaces[0].name, sizeof l.ifaces[0].name, "lo");
        snprintf(l.ifaces[0].address, sizeof l.ifaces[0].address, "127.0.0.1");
        snprintf(l.ifaces[1].name, sizeof l.ifaces[1].name, "enp0s3");
        snprintf(l.ifaces[1].address, sizeof l.ifaces[1].address, "%s", c->address);
        snprintf(l.ifaces[1].mac, sizeof l.ifaces[1].mac, "%s", c->mac);
        snprintf(l.gateway, sizeof l.gateway, "%s", c->gateway);
        snprintf(l.source_address, sizeof l.source_address, "%s", c->address);
        host_setup_hints(&l, c->dmi);
        if (l.virtualbox_nat != c->nat || l.virtualbox_vm != c->vm)
            fail_msg("%s: nat %d vm %d, want nat %d vm %d", c->what, l.virtualbox_nat,
                     l.virtualbox_vm, c->nat, c->vm);
    }
}

static void source_address_is_classified(void **state)
{
    (void)state;
    struct ev_local l;
    memset(&l, 0, sizeof l);
    snprintf(l.source_address, sizeof l.source_address, "100.72.1.2");
    host_setup_hints(&l, NULL);
    assert_int_equal(l.source_class, ADDR_CGNAT);
}

static const char ROUTES[] =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
    "enp0s3\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
    "enp0s3\t00000000\t0202000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n";

static void default_gateway_is_read_from_the_route_table(void **state)
{
    (void)state;
    struct ev_local l;
    memset(&l, 0, sizeof l);
    FILE *f = fmemopen((void *)ROUTES, sizeof ROUTES - 1, "r");
    assert_non_null(f);
    assert_int_equal(host_setup_read_routes(&l, f), 0);
    fclose(f);
    assert_true(l.has_default_route);
    assert_string_equal(l.gateway, "10.0.2.2");
}

static const char NO_DEFAULT[] =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
    "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";

static void no_default_route_is_noticed(void **state)
{
    (void)state;
    struct ev_local l;
    memset(&l, 0, sizeof l);
    FILE *f = fmemopen((void *)NO_DEFAULT, sizeof NO_DEFAULT - 1, "r");
    assert_non_null(f);
    assert_int_equal(host_setup_read_routes(&l, f), 0);
    fclose(f);
    assert_false(l.has_default_route);
    assert_string_equal(l.gateway, "");
}

/* /proc/net/ipv6_route of the lab's bridged VM: its default route via
 * 2001:db8:1::1, and the kernel's unreachable default parked on lo. */
static const char V6_ROUTES[] =
    "20010db8000100000000000000000000 40 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 00000100 00000001 00000000 00000001  eth0\n"
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
    "20010db8000100000000000000000001 00000400 00000002 00000000 00000003  eth0\n"
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n";

/* A machine without IPv6: only the unreachable default on lo. */
static const char V6_NONE[] =
    "00000000000000000000000000000001 80 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 00000000 00000003 00000000 80200001       lo\n"
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n";

static void ipv6_default_route_and_next_hop_are_read(void **state)
{
    (void)state;
    struct {
        const char *table;
        bool found;
        const char *gateway;
    } cases[] = {{V6_ROUTES, true, "2001:db8:1::1"}, {V6_NONE, false, ""}, {"", false, ""}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ev_local l;
        memset(&l, 0, sizeof l);
        snprintf(l.ipv6_gateway, sizeof l.ipv6_gateway, "stale");
        FILE *f = fmemopen((void *)cases[i].table, strlen(cases[i].table) + 1, "r");
        assert_non_null(f);
        host_setup_read_v6_routes(&l, f);
        fclose(f);
        assert_int_equal(l.ipv6_default_route, cases[i].found);
        assert_string_equal(l.ipv6_gateway, cases[i].gateway);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(virtualbox_is_told_from_address_gateway_and_mac),
        cmocka_unit_test(source_address_is_classified),
        cmocka_unit_test(default_gateway_is_read_from_the_route_table),
        cmocka_unit_test(no_default_route_is_noticed),
        cmocka_unit_test(ipv6_default_route_and_next_hop_are_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
