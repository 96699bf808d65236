/*
 * common_guard.h - bytes that end at an unreadable page, for the tests of
 * work bounds: a parser that promises to stop after N bytes is handed a
 * length far past the end of its readable input; reading one byte more
 * than it promised kills the test with SIGSEGV.
 */
#ifndef TESTS_UNIT_COMMON_GUARD_H
#define TESTS_UNIT_COMMON_GUARD_H

#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct guard {
    char *map;
    size_t map_len;
};

/* Returns a pointer to n readable bytes filled with fill, directly followed
 * by a PROT_NONE page; NULL on failure. */
static inline char *guard_alloc(struct guard *g, size_t n, int fill)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t data_pages = (n + page - 1) / page;
    g->map_len = (data_pages + 1) * page;
    g->map = mmap(NULL, g->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g->map == MAP_FAILED)
        return NULL;
    char *guard_page = g->map + data_pages * page;
    if (mprotect(guard_page, page, PROT_NONE) < 0)
        return NULL;
    memset(guard_page - n, fill, n);
    return guard_page - n;
}

static inline void guard_free(struct guard *g)
{
    munmap(g->map, g->map_len);
}

#endif
