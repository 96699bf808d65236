/*
 * Fuzz target: netprobe's reading of `nft -j list ruleset` (hostfw).
 *
 * The first two bytes are the TCP port asked about; the rest is the JSON.
 * Invariants: a failure says where; a success holds a bounded, consistent
 * result (fuzz/support/hostfw_check.c): a "blocks" verdict has a deciding
 * rule or policy behind it, every hit is well-formed; and the same input
 * gives the same result twice.  Work is bounded too: libFuzzer's -timeout
 * (10 s in fuzz/run.sh) turns a rule set that costs minutes into a
 * finding.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz/support/check.h"
#include "fuzz/support/hostfw_check.h" /* and netprobe's hostfw.h */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_cursor c = {data, size};
    int port = fuzz_take_u16(&c);
    char *json = malloc(c.n + 1);
    FUZZ_CHECK(json != NULL, "out of memory");
    memcpy(json, c.p, c.n);
    json[c.n] = '\0';

    static struct hostfw_result first, again;
    char err[256], err2[256];
    int rc = hostfw_parse_nft(json, port, &first, err, sizeof err);
    hostfw_check_result(rc, &first, err, "nft");
    int rc2 = hostfw_parse_nft(json, port, &again, err2, sizeof err2);
    hostfw_check_same(rc, &first, err, rc2, &again, err2);
    free(json);
    return 0;
}
