/*
 * redact.c - the secret -> placeholder map and its application to text.
 */
#include "netprobe/redact.h"

#include <ctype.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "netprobe/addrclass.h"

enum secret_kind { SECRET_HOSTNAME, SECRET_PRIVATE, SECRET_MAC };

/* Placeholder formats, indexed by kind; "%d" is the running number. */
static const char *const placeholder_fmt[] = {
    [SECRET_HOSTNAME] = "<hostname>",
    [SECRET_PRIVATE] = "<private-%d>",
    [SECRET_MAC] = "<mac-%d>",
};

struct collector {
    struct redact *r;
    int numbers[3]; /* last number used per kind */
};

/* Adds secret once (compared ignoring case); ignores empty text. */
static void add(struct collector *c, enum secret_kind kind, const char *secret)
{
    struct redact *r = c->r;
    if (secret[0] == '\0' || r->count == REDACT_ENTRIES_MAX)
        return;
    for (size_t i = 0; i < r->count; i++)
        if (strcasecmp(r->entries[i].secret, secret) == 0)
            return;
    struct redact_entry *e = &r->entries[r->count++];
    snprintf(e->secret, sizeof e->secret, "%s", secret);
    snprintf(e->placeholder, sizeof e->placeholder, placeholder_fmt[kind], ++c->numbers[kind]);
    /* A host name such as "vm" or "ubuntu" is also a word in our advice
     * ("a VirtualBox VM"); only its exact spelling is this machine. */
    e->exact = kind == SECRET_HOSTNAME;
}

/* Private, carrier-grade NAT and link-local addresses identify a network;
 * loopback identifies nothing and public addresses are the point. */
static void add_if_private(struct collector *c, const char *addr)
{
    enum addr_class k = addrclass_of(addr);
    if (k == ADDR_PRIVATE || k == ADDR_CGNAT || k == ADDR_LINK_LOCAL)
        add(c, SECRET_PRIVATE, addr);
}

static void add_mac(struct collector *c, const char *mac)
{
    if (strcmp(mac, "00:00:00:00:00:00") != 0) /* loopback's "MAC" */
        add(c, SECRET_MAC, mac);
}

void redact_init(struct redact *r, const struct evidence *ev)
{
    struct collector c = {.r = r};
    memset(r, 0, sizeof *r);
    add(&c, SECRET_HOSTNAME, ev->local.hostname);
    size_t n = ev->local.iface_count < EV_IFACES_MAX ? ev->local.iface_count : EV_IFACES_MAX;
    for (size_t i = 0; i < n; i++) {
        add_if_private(&c, ev->local.ifaces[i].address);
        add_mac(&c, ev->local.ifaces[i].mac);
    }
    add_if_private(&c, ev->local.source_address);
    add_if_private(&c, ev->local.gateway);
    add_if_private(&c, ev->local.route.next_hop);
    n = ev->tcp.attempt_count < EV_ADDRS_MAX ? ev->tcp.attempt_count : EV_ADDRS_MAX;
    for (size_t i = 0; i < n; i++)
        add_if_private(&c, ev->tcp.attempts[i].source_address);
    /* What a server saw of us, when it is private, is ours (or our LAN's). */
    if (ev->app.outcome == APP_CHATD)
        add_if_private(&c, ev->app.hello.peer.address);
}

/* Characters that continue an address, MAC or host name. */
static bool word_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '.' || ch == ':' || ch == '-' || ch == '_';
}

/* True when s (just past a match) continues the matched word: "10.0.0.1"
 * is not alone in "10.0.0.12" or "10.0.0.1.5", but is in "10.0.0.1." at
 * the end of a sentence and in "10.0.0.1:8888" (a port after IPv4). */
static bool continues(const char *secret, const char *s)
{
    if (isalnum((unsigned char)s[0]) || s[0] == '_' || s[0] == '-')
        return true;
    if (s[0] == '.')
        return isdigit((unsigned char)s[1]);
    if (s[0] == ':' && strchr(secret, ':') != NULL) /* IPv6 or MAC */
        return isxdigit((unsigned char)s[1]) || s[1] == ':';
    return false;
}

/* The entry matching alone at in[i], or NULL. */
static const struct redact_entry *match_at(const struct redact *r, const char *in, size_t i)
{
    if (i > 0 && word_char(in[i - 1]))
        return NULL;
    for (size_t k = 0; k < r->count; k++) {
        const struct redact_entry *e = &r->entries[k];
        size_t len = strlen(e->secret);
        int differs =
            e->exact ? strncmp(in + i, e->secret, len) : strncasecmp(in + i, e->secret, len);
        if (differs == 0 && !continues(e->secret, in + i + len))
            return e;
    }
    return NULL;
}

void redact_text(const struct redact *r, const char *in, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; in[i] != '\0' && o + 1 < cap;) {
        const struct redact_entry *e = r != NULL ? match_at(r, in, i) : NULL;
        if (e == NULL) {
            out[o++] = in[i++];
            continue;
        }
        for (const char *p = e->placeholder; *p != '\0' && o + 1 < cap; p++)
            out[o++] = *p;
        i += strlen(e->secret);
    }
    out[o] = '\0';
}

/* Redacts one string value in place. */

/* ---- The command line ------------------------------------------------------ */

static void add_user(const char *users[REDACT_USERS_MAX], size_t *n, const char *name)
{
    if (name == NULL || strlen(name) < 2 || *n == REDACT_USERS_MAX)
        return;
    for (size_t i = 0; i < *n; i++)
        if (strcmp(users[i], name) == 0)
            return;
    users[(*n)++] = name;
}

size_t redact_user_names(const char *users[REDACT_USERS_MAX])
{
    size_t n = 0;
    add_user(users, &n, getenv("USER"));
    add_user(users, &n, getenv("LOGNAME"));
    add_user(users, &n, getenv("SUDO_USER")); /* sudo netprobe: the student */
    const struct passwd *pw = getpwuid(getuid());
    add_user(users, &n, pw != NULL ? pw->pw_name : NULL);
    return n;
}

/* Appends len bytes of s to out (o used of cap), truncating. */
static size_t put(char *out, size_t o, size_t cap, const char *s, size_t len)
{
    for (size_t i = 0; i < len && o + 1 < cap; i++)
        out[o++] = s[i];
    return o;
}

/* One word with its directories replaced: "--json=/a/b/r.json" ->
 * "--json=<path>/r.json". */
static size_t put_word(char *out, size_t o, size_t cap, const char *w, size_t len)
{
    const char *slash = memchr(w, '/', len);
    if (slash == NULL)
        return put(out, o, cap, w, len);
    const char *eq = memchr(w, '=', (size_t)(slash - w));
    size_t keep = eq != NULL ? (size_t)(eq - w) + 1 : 0; /* "--json=" */
    const char *last = w + len;
    while (last > w && last[-1] != '/')
        last--;
    o = put(out, o, cap, w, keep);
    o = put(out, o, cap, "<path>/", 7);
    return put(out, o, cap, last, (size_t)(w + len - last));
}

/* Replaces each user name in text (in place, cap bytes) with "<user>". */
static void replace_users(char *text, size_t cap, const char *const *users, size_t n)
{
    static const char PLACEHOLDER[] = "<user>";
    for (size_t u = 0; u < n; u++) {
        size_t ulen = strlen(users[u]);
        char *hit = text;
        while (ulen > 0 && (hit = strstr(hit, users[u])) != NULL) {
            size_t tail = strlen(hit + ulen), plen = strlen(PLACEHOLDER);
            size_t at = (size_t)(hit - text);
            if (at + plen + tail + 1 > cap)
                tail = cap > at + plen + 1 ? cap - at - plen - 1 : 0;
            if (at + plen + 1 > cap)
                break;
            memmove(hit + plen, hit + ulen, tail);
            hit[plen + tail] = '\0';
            memcpy(hit, PLACEHOLDER, plen);
            hit += plen;
        }
    }
}

void redact_command(const char *cmd, const char *const *users, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = cmd; *p != '\0';) {
        size_t len = strcspn(p, " ");
        o = put_word(out, o, cap, p, len);
        p += len;
        if (*p == ' ') {
            o = put(out, o, cap, " ", 1);
            p++;
        }
    }
    out[o] = '\0';
    replace_users(out, cap, users, n);
}
