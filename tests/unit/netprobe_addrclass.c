/* Unit tests for netprobe/addrclass.c: which kind of address is which. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "netprobe/addrclass.h"

struct class_case {
    const char *address;
    enum addr_class cls;
};

static const struct class_case class_cases[] = {
    {"127.0.0.1", ADDR_LOOPBACK},
    {"127.255.255.254", ADDR_LOOPBACK},
    {"10.0.2.15", ADDR_PRIVATE},
    {"10.255.255.255", ADDR_PRIVATE},
    {"172.16.0.1", ADDR_PRIVATE},
    {"172.31.5.9", ADDR_PRIVATE},
    {"172.32.0.1", ADDR_PUBLIC}, /* just past 172.16/12 */
    {"172.15.255.255", ADDR_PUBLIC},
    {"192.168.1.10", ADDR_PRIVATE},
    {"192.169.0.1", ADDR_PUBLIC},
    {"100.64.0.1", ADDR_CGNAT},
    {"100.127.255.254", ADDR_CGNAT},
    {"100.128.0.1", ADDR_PUBLIC}, /* just past 100.64/10 */
    {"169.254.169.254", ADDR_LINK_LOCAL},
    {"192.0.2.7", ADDR_DOCUMENTATION},
    {"198.51.100.20", ADDR_DOCUMENTATION},
    {"203.0.113.7", ADDR_DOCUMENTATION},
    {"13.58.224.87", ADDR_PUBLIC},
    {"8.8.8.8", ADDR_PUBLIC},
    {"0.0.0.0", ADDR_UNKNOWN},
    {"224.0.0.1", ADDR_UNKNOWN},
    {"::1", ADDR_LOOPBACK},
    {"::", ADDR_UNKNOWN},
    {"fc00::1", ADDR_PRIVATE},
    {"fd12:3456::1", ADDR_PRIVATE},
    {"fe80::1", ADDR_LINK_LOCAL},
    {"febf::1", ADDR_LINK_LOCAL},
    {"fec0::1", ADDR_UNKNOWN}, /* just past fe80::/10 */
    {"2001:db8::7", ADDR_DOCUMENTATION},
    {"2001:db9::7", ADDR_PUBLIC},
    {"2600:1f18::1", ADDR_PUBLIC},
    {"::ffff:10.0.2.15", ADDR_PRIVATE},
    {"::ffff:203.0.113.7", ADDR_DOCUMENTATION},
    {"::ffff:127.0.0.1", ADDR_LOOPBACK},
    {"ff02::1", ADDR_UNKNOWN},
    {"not-an-address", ADDR_UNKNOWN},
    {"", ADDR_UNKNOWN},
    {"10.0.0", ADDR_UNKNOWN},
};

static void every_address_gets_its_class(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof class_cases / sizeof class_cases[0]; i++) {
        enum addr_class got = addrclass_of(class_cases[i].address);
        if (got != class_cases[i].cls)
            fail_msg("%s: got %s, want %s", class_cases[i].address, addr_class_name(got),
                     addr_class_name(class_cases[i].cls));
    }
}

static void null_is_unknown(void **state)
{
    (void)state;
    assert_int_equal(addrclass_of(NULL), ADDR_UNKNOWN);
}

struct prefix_case {
    const char *address, *prefix;
    int len;
    bool in;
};

static const struct prefix_case prefix_cases[] = {
    {"10.0.2.15", "10.0.2.0", 24, true},   {"10.0.3.15", "10.0.2.0", 24, false},
    {"10.0.2.15", "0.0.0.0", 0, true},     {"10.0.2.15", "10.0.2.15", 32, true},
    {"10.0.2.16", "10.0.2.15", 32, false}, {"fe80::1", "10.0.2.0", 24, false},
    {"10.0.2.15", "10.0.2.0", 33, false},
};

static void v4_prefix_membership(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof prefix_cases / sizeof prefix_cases[0]; i++) {
        const struct prefix_case *c = &prefix_cases[i];
        if (addrclass_in_v4(c->address, c->prefix, c->len) != c->in)
            fail_msg("%s in %s/%d: want %d", c->address, c->prefix, c->len, c->in);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_address_gets_its_class),
        cmocka_unit_test(null_is_unknown),
        cmocka_unit_test(v4_prefix_membership),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
