/*
 * guide.c - the installed guide, else the source tree's (guide.h).
 */
#include "netprobe/guide.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SOURCE_PREFIX "docs/"

const char *guide_ref(const char *docdir, const char *doc, char *out, size_t cap)
{
    if (cap == 0)
        return "";
    snprintf(out, cap, "%s", doc);
    if (docdir == NULL || docdir[0] == '\0' || strncmp(doc, SOURCE_PREFIX, 5) != 0)
        return out;
    const char *name = doc + strlen(SOURCE_PREFIX);
    const char *anchor = strchr(name, '#');
    size_t name_len = anchor != NULL ? (size_t)(anchor - name) : strlen(name);
    char file[1024];
    int n = snprintf(file, sizeof file, "%s/%.*s", docdir, (int)name_len, name);
    /* A path too long to check is not claimed to exist. */
    if (n < 0 || (size_t)n >= sizeof file || access(file, R_OK) != 0)
        return out;
    snprintf(out, cap, "%s/%s", docdir, name);
    return out;
}
