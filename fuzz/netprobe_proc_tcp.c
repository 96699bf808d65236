/*
 * Fuzz target: netprobe's reading of /proc/net/tcp and /proc/net/tcp6
 * (listeners_parse).
 *
 * The first byte chooses the family (tcp or tcp6) and the port asked
 * about (any, 8888, or one of the next two bytes); the rest is the file.
 * The same text is parsed twice into one list, as listeners_read() does
 * with tcp and tcp6.  Invariants: a failure says which line; a success
 * adds exactly what it reports, never past LISTENERS_MAX (more are
 * counted); every listener is of the asked family and port (a 16-bit one
 * when any port is asked), its address is valid text of that family and
 * its binding is what listeners_classify() says of it; no process is
 * guessed by parsing.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/support/check.h"
/* netprobe is moving its modules into sub-folders (wire/, server/): this
 * builds with either layout until the move has landed everywhere. */
#include "netprobe/server/listeners.h"

static void check_listener(const struct listener *l, int family, int port)
{
    unsigned char raw[16];
    FUZZ_CHECK(l->family == family, "family %d, asked %d", l->family, family);
    FUZZ_CHECK(port == 0 ? l->port >= 0 && l->port <= 65535 : l->port == port, "port %d, asked %d",
               l->port, port);
    FUZZ_CHECK(inet_pton(family, l->address, raw) == 1, "address \"%.64s\"", l->address);
    FUZZ_CHECK(l->bind == listeners_classify(family, l->address), "binding of %s", l->address);
    FUZZ_CHECK(l->pid == 0 && l->comm[0] == '\0', "a process guessed while parsing");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_cursor c = {data, size};
    uint8_t choice = fuzz_take_u8(&c);
    int family = (choice & 1) ? AF_INET6 : AF_INET;
    int port = (choice & 6) == 0 ? 0 : (choice & 6) == 2 ? 8888 : fuzz_take_u16(&c);
    char *text = malloc(c.n + 1);
    FUZZ_CHECK(text != NULL, "out of memory");
    memcpy(text, c.p, c.n);
    text[c.n] = '\0';

    static struct listener_list list;
    memset(&list, 0, sizeof list);
    for (int round = 0; round < 2; round++) {
        char err[256] = "";
        size_t before = list.count, dropped = list.dropped;
        int added = listeners_parse(text, family, port, &list, err, sizeof err);
        FUZZ_CHECK(added >= -1, "returned %d", added);
        if (added < 0) {
            FUZZ_CHECK(strnlen(err, sizeof err) > 0 && strstr(err, "line") != NULL,
                       "failure without the line: \"%s\"", err);
            break;
        }
        FUZZ_CHECK(list.count == before + (size_t)added, "added %d, count %zu -> %zu", added,
                   before, list.count);
        FUZZ_CHECK(list.count <= LISTENERS_MAX, "count %zu", list.count);
        FUZZ_CHECK(list.dropped >= dropped, "dropped went down");
        FUZZ_CHECK(list.dropped == dropped || list.count == LISTENERS_MAX,
                   "dropped listeners while there was room");
    }
    for (size_t i = 0; i < list.count; i++)
        check_listener(&list.items[i], family, port);
    free(text);
    return 0;
}
