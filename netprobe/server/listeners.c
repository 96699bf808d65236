#include "netprobe/server/listeners.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/i18n.h"

#define TCP_STATE_LISTEN 0x0A

const char *listeners_bind_name(enum listener_bind b)
{
    static const char *const names[] = {
        [LISTEN_BIND_ANY] = "any",
        [LISTEN_BIND_LOOPBACK] = "loopback",
        [LISTEN_BIND_SPECIFIC] = "specific",
    };
    return (unsigned)b < sizeof names / sizeof names[0] ? names[b] : "?";
}

enum listener_bind listeners_classify(int family, const char *address)
{
    struct in6_addr a6;
    struct in_addr a4;
    if (family == AF_INET && inet_pton(AF_INET, address, &a4) == 1) {
        uint32_t h = ntohl(a4.s_addr);
        if (h == 0)
            return LISTEN_BIND_ANY;
        return (h >> 24) == 127 ? LISTEN_BIND_LOOPBACK : LISTEN_BIND_SPECIFIC;
    }
    if (family == AF_INET6 && inet_pton(AF_INET6, address, &a6) == 1) {
        if (IN6_IS_ADDR_UNSPECIFIED(&a6))
            return LISTEN_BIND_ANY;
        return IN6_IS_ADDR_LOOPBACK(&a6) ? LISTEN_BIND_LOOPBACK : LISTEN_BIND_SPECIFIC;
    }
    return LISTEN_BIND_SPECIFIC;
}

/* The kernel prints each 32-bit word of the address with %08X in host
 * byte order, so converting word by word with the same byte order gives
 * the address back.  Recorded text is therefore only portable between
 * machines of the same endianness (all the ones we teach on). */
static int hex_to_addr(const char *hex, int family, char out[ADDR_TEXT_MAX])
{
    uint32_t words[4];
    size_t nwords = family == AF_INET ? 1 : 4;
    char chunk[9];

    if (strlen(hex) != nwords * 8)
        return -1;
    for (size_t i = 0; i < nwords; i++) {
        char *end;
        memcpy(chunk, hex + i * 8, 8);
        chunk[8] = '\0';
        words[i] = (uint32_t)strtoul(chunk, &end, 16);
        if (*end != '\0')
            return -1;
    }
    return inet_ntop(family, words, out, ADDR_TEXT_MAX) != NULL ? 0 : -1;
}

/* One line after the header.  Returns 1 for a LISTEN socket on port (l
 * filled), 0 for any other socket, -1 if the line is not what the kernel
 * writes. */
static int parse_line(const char *line, int family, int port, struct listener *l)
{
    char local[40];
    unsigned lport, state, uid;
    unsigned long inode;

    if (sscanf(line, " %*u: %39[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x %*x:%*x %*x:%*x %*x %u %*d %lu",
               local, &lport, &state, &uid, &inode) != 5)
        return -1;
    if (lport > 65535)
        return -1; /* the kernel prints 4 hex digits; more is not its table */
    if (state != TCP_STATE_LISTEN || (port != 0 && (int)lport != port))
        return 0;
    memset(l, 0, sizeof *l);
    if (hex_to_addr(local, family, l->address) < 0)
        return -1;
    l->family = family;
    l->port = (int)lport;
    l->bind = listeners_classify(family, l->address);
    l->inode = inode;
    l->uid = uid;
    return 1;
}

/* The end of the line at p, looking no further than max bytes: a line
 * that long is refused anyway, so the rest of it is never read. */
static const char *line_end(const char *p, size_t max)
{
    size_t n = strnlen(p, max);
    const char *nl = memchr(p, '\n', n);
    return nl != NULL ? nl : p + n;
}

int listeners_parse(const char *text, int family, int port, struct listener_list *out, char *err,
                    size_t errcap)
{
    char line[LISTENERS_LINE_MAX];
    const char *p = text, *end;
    int added = 0, lineno = 0;

    while (*p != '\0') {
        struct listener l;
        size_t len;
        end = line_end(p, sizeof line);
        len = (size_t)(end - p);
        lineno++;
        if (len >= sizeof line) {
            snprintf(err, errcap, _("line %d of the socket table is too long"), lineno);
            return -1;
        }
        memcpy(line, p, len);
        line[len] = '\0';
        p = end + (*end == '\n');
        if (lineno == 1)
            continue; /* the column header */
        int r = parse_line(line, family, port, &l);
        if (r < 0) {
            snprintf(err, errcap, _("line %d of the socket table is malformed: \"%.80s\""), lineno,
                     line);
            return -1;
        }
        if (r == 0)
            continue;
        if (out->count < LISTENERS_MAX) {
            out->items[out->count++] = l;
            added++;
        } else {
            out->dropped++;
        }
    }
    return added;
}

/* Reads a whole /proc file (whose size stat() cannot tell) into a new
 * NUL-terminated buffer.  Returns NULL with errno set. */
static char *read_file(const char *path)
{
    size_t cap = 16384, len = 0;
    char *buf = malloc(cap);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || buf == NULL) {
        int e = fd < 0 ? errno : ENOMEM;
        free(buf);
        if (fd >= 0)
            close(fd);
        errno = e;
        return NULL;
    }
    for (;;) {
        if (len + 1 >= cap) {
            char *bigger = cap < LISTENERS_FILE_MAX ? realloc(buf, cap * 2) : NULL;
            if (bigger == NULL) {
                free(buf);
                close(fd);
                errno = EFBIG;
                return NULL;
            }
            buf = bigger;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = errno;
            close(fd);
            if (n < 0) {
                free(buf);
                errno = e;
                return NULL;
            }
            buf[len] = '\0';
            return buf;
        }
        len += (size_t)n;
    }
}

/* Sets pid/comm of every listener whose inode one of pid's descriptors
 * refers to.  Unreadable fd directories (other users) are skipped. */
static void map_pid(const char *proc, int pid, struct listener_list *out)
{
    char path[300], link[64], comm_path[300];
    struct dirent *de;
    DIR *d;

    snprintf(path, sizeof path, "%s/%d/fd", proc, pid);
    d = opendir(path);
    if (d == NULL)
        return; /* best-effort: EACCES for others' processes, ENOENT if it exited */
    while ((de = readdir(d)) != NULL) {
        char fdpath[600];
        unsigned long inode;
        snprintf(fdpath, sizeof fdpath, "%s/%s", path, de->d_name);
        ssize_t n = readlink(fdpath, link, sizeof link - 1);
        if (n <= 0)
            continue;
        link[n] = '\0';
        if (sscanf(link, "socket:[%lu]", &inode) != 1)
            continue;
        for (size_t i = 0; i < out->count; i++) {
            struct listener *l = &out->items[i];
            if (l->inode != inode || l->pid != 0)
                continue;
            l->pid = pid;
            snprintf(comm_path, sizeof comm_path, "%s/%d/comm", proc, pid);
            char *comm = read_file(comm_path);
            if (comm != NULL) {
                comm[strcspn(comm, "\n")] = '\0';
                snprintf(l->comm, sizeof l->comm, "%s", comm);
                free(comm);
            }
        }
    }
    closedir(d);
}

static void map_pids(const char *proc, struct listener_list *out)
{
    struct dirent *de;
    DIR *d = opendir(proc);
    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(de->d_name, &end, 10);
        if (*end == '\0' && pid > 0 && pid <= INT32_MAX)
            map_pid(proc, (int)pid, out);
    }
    closedir(d);
}

int listeners_read(const char *proc, int port, struct listener_list *out, char *err, size_t errcap)
{
    static const struct {
        const char *file;
        int family;
        bool optional; /* tcp6 is absent when IPv6 is disabled */
    } tables[] = {{"net/tcp", AF_INET, false}, {"net/tcp6", AF_INET6, true}};
    char path[300];

    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", proc, tables[i].file);
        char *text = read_file(path);
        if (text == NULL) {
            if (errno == ENOENT && tables[i].optional)
                continue;
            if (errno == EFBIG) {
                snprintf(err, errcap, _("%s is larger than %u MiB; it was not read"), path,
                         LISTENERS_FILE_MAX >> 20);
                return -1;
            }
            snprintf(err, errcap, _("cannot read %s: %s"), path, strerror(errno));
            return -1;
        }
        int r = listeners_parse(text, tables[i].family, port, out, err, errcap);
        free(text);
        if (r < 0)
            return -1;
    }
    if (out->count > 0)
        map_pids(proc, out);
    return 0;
}
