#include "netprobe/addrclass.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

struct v4_range {
    uint32_t net;
    int len;
    enum addr_class cls;
};

struct v6_range {
    uint8_t net[16];
    int len;
    enum addr_class cls;
};

#define V4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

/* Searched in order; the first match wins, anything else is public. */
static const struct v4_range V4_RANGES[] = {
    {V4(0, 0, 0, 0), 8, ADDR_UNKNOWN}, /* "this network", unspecified */
    {V4(127, 0, 0, 0), 8, ADDR_LOOPBACK},
    {V4(10, 0, 0, 0), 8, ADDR_PRIVATE}, /* RFC 1918 */
    {V4(172, 16, 0, 0), 12, ADDR_PRIVATE},
    {V4(192, 168, 0, 0), 16, ADDR_PRIVATE},
    {V4(100, 64, 0, 0), 10, ADDR_CGNAT},        /* RFC 6598 */
    {V4(169, 254, 0, 0), 16, ADDR_LINK_LOCAL},  /* RFC 3927 */
    {V4(192, 0, 2, 0), 24, ADDR_DOCUMENTATION}, /* RFC 5737 */
    {V4(198, 51, 100, 0), 24, ADDR_DOCUMENTATION},
    {V4(203, 0, 113, 0), 24, ADDR_DOCUMENTATION},
    {V4(224, 0, 0, 0), 3, ADDR_UNKNOWN}, /* multicast and reserved */
};

/* Searched in order; an address in none of them is unknown. */
static const struct v6_range V6_RANGES[] = {
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, ADDR_LOOPBACK},
    {{0xfc}, 7, ADDR_PRIVATE}, /* unique local, RFC 4193 */
    {{0xfe, 0x80}, 10, ADDR_LINK_LOCAL},
    {{0x20, 0x01, 0x0d, 0xb8}, 32, ADDR_DOCUMENTATION}, /* RFC 3849 */
    {{0x20}, 3, ADDR_PUBLIC},                           /* global unicast */
};

static bool v4_in(uint32_t a, uint32_t net, int len)
{
    uint32_t mask = len == 0 ? 0 : 0xffffffffu << (32 - len);
    return (a & mask) == (net & mask);
}

static bool v6_in(const uint8_t *a, const uint8_t *net, int len)
{
    int full = len / 8, rest = len % 8;
    if (memcmp(a, net, (size_t)full) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (a[full] & mask) == (net[full] & mask);
}

static enum addr_class classify_v4(uint32_t a)
{
    for (size_t i = 0; i < sizeof V4_RANGES / sizeof V4_RANGES[0]; i++)
        if (v4_in(a, V4_RANGES[i].net, V4_RANGES[i].len))
            return V4_RANGES[i].cls;
    return ADDR_PUBLIC;
}

static enum addr_class classify_v6(const struct in6_addr *a)
{
    if (IN6_IS_ADDR_V4MAPPED(a)) {
        uint32_t v4;
        memcpy(&v4, &a->s6_addr[12], sizeof v4);
        return classify_v4(ntohl(v4));
    }
    for (size_t i = 0; i < sizeof V6_RANGES / sizeof V6_RANGES[0]; i++)
        if (v6_in(a->s6_addr, V6_RANGES[i].net, V6_RANGES[i].len))
            return V6_RANGES[i].cls;
    return ADDR_UNKNOWN;
}

enum addr_class addrclass_of(const char *text)
{
    struct in_addr v4;
    struct in6_addr v6;
    if (text == NULL)
        return ADDR_UNKNOWN;
    if (inet_pton(AF_INET, text, &v4) == 1)
        return classify_v4(ntohl(v4.s_addr));
    if (inet_pton(AF_INET6, text, &v6) == 1)
        return classify_v6(&v6);
    return ADDR_UNKNOWN;
}

bool addrclass_in_v4(const char *text, const char *prefix, int len)
{
    struct in_addr a, p;
    if (len < 0 || len > 32 || inet_pton(AF_INET, text, &a) != 1 ||
        inet_pton(AF_INET, prefix, &p) != 1)
        return false;
    return v4_in(ntohl(a.s_addr), ntohl(p.s_addr), len);
}
