/*
 * Unit tests for netprobe/listeners.c: recorded /proc/net/tcp and tcp6
 * text (tests/data/) and a fake /proc tree for the inode -> process map.
 * Run from the repository root (tests/run.sh does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common_guard.h"
#include "netprobe/server/listeners.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        fail_msg("cannot open %s (run the test from the repository root)", path);
    char *buf = calloc(1, 65536);
    assert_non_null(buf);
    size_t n = fread(buf, 1, 65535, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

struct want {
    int family;
    const char *address;
    enum listener_bind bind;
    unsigned long inode;
    unsigned uid;
};

static void check_list(const struct listener_list *l, const struct want *w, size_t n)
{
    assert_int_equal(l->count, n);
    for (size_t i = 0; i < n; i++) {
        print_message("listener %zu: %s\n", i, l->items[i].address);
        assert_int_equal(l->items[i].family, w[i].family);
        assert_string_equal(l->items[i].address, w[i].address);
        assert_int_equal(l->items[i].bind, w[i].bind);
        assert_int_equal(l->items[i].inode, w[i].inode);
        assert_int_equal(l->items[i].uid, w[i].uid);
        assert_int_equal(l->items[i].port, 8888);
    }
}

static void ipv4_listeners_on_the_port_are_found_and_others_ignored(void **state)
{
    (void)state;
    static const struct want want[] = {
        {AF_INET, "0.0.0.0", LISTEN_BIND_ANY, 41001, 1000},
        {AF_INET, "127.0.0.1", LISTEN_BIND_LOOPBACK, 41002, 1000},
        {AF_INET, "172.31.5.10", LISTEN_BIND_SPECIFIC, 41003, 0},
    };
    struct listener_list l = {0};
    char err[200] = "";
    char *text = slurp("tests/data/proc_net_tcp.txt");
    /* Established and TIME_WAIT sockets on 8888 and the listener on 22 are not listed. */
    assert_int_equal(listeners_parse(text, AF_INET, 8888, &l, err, sizeof err), 3);
    free(text);
    check_list(&l, want, 3);
}

static void ipv6_listeners_are_found(void **state)
{
    (void)state;
    static const struct want want[] = {
        {AF_INET6, "::", LISTEN_BIND_ANY, 42001, 1000},
        {AF_INET6, "::1", LISTEN_BIND_LOOPBACK, 42002, 1000},
        {AF_INET6, "2001:db8::5", LISTEN_BIND_SPECIFIC, 42003, 1000},
    };
    struct listener_list l = {0};
    char err[200] = "";
    char *text = slurp("tests/data/proc_net_tcp6.txt");
    assert_int_equal(listeners_parse(text, AF_INET6, 8888, &l, err, sizeof err), 3);
    free(text);
    check_list(&l, want, 3);
}

static void port_zero_lists_every_listener(void **state)
{
    (void)state;
    struct listener_list l = {0};
    char err[200] = "";
    char *text = slurp("tests/data/proc_net_tcp.txt");
    assert_int_equal(listeners_parse(text, AF_INET, 0, &l, err, sizeof err), 4);
    free(text);
    assert_int_equal(l.items[3].port, 22);
}

static void malformed_line_is_an_error_naming_the_line(void **state)
{
    (void)state;
    struct listener_list l = {0};
    char err[200] = "";
    char *text = slurp("tests/data/proc_net_tcp_malformed.txt");
    assert_int_equal(listeners_parse(text, AF_INET, 8888, &l, err, sizeof err), -1);
    free(text);
    assert_non_null(strstr(err, "line 3"));
}

/* Regression (fuzz/netprobe_proc_tcp.c): a port of five hex digits was
 * taken as port 142216 instead of refusing the line. */
static void a_port_past_16_bits_is_malformed(void **state)
{
    (void)state;
    struct listener_list l = {0};
    char err[200] = "";
    const char *text = "  sl  local_address rem_address   st\n"
                       "   0: 00000000:22B88 00000000:0000 0A 00000000:00000000 00:00000000 "
                       "00000000  1000        0 41002 1 0000000000000000 100 0 0 10 0\n";
    assert_int_equal(listeners_parse(text, AF_INET, 0, &l, err, sizeof err), -1);
    assert_non_null(strstr(err, "line 2"));
    assert_int_equal(l.count, 0);
}

static void header_only_table_has_no_listeners(void **state)
{
    (void)state;
    struct listener_list l = {0};
    char err[200] = "";
    assert_int_equal(
        listeners_parse("  sl  local_address rem_address\n", AF_INET, 8888, &l, err, sizeof err),
        0);
    assert_int_equal(l.count, 0);
}

static void bind_classes_follow_the_address(void **state)
{
    (void)state;
    static const struct {
        int family;
        const char *addr;
        enum listener_bind bind;
    } rows[] = {
        {AF_INET, "0.0.0.0", LISTEN_BIND_ANY},        {AF_INET, "127.0.0.53", LISTEN_BIND_LOOPBACK},
        {AF_INET, "10.0.2.15", LISTEN_BIND_SPECIFIC}, {AF_INET6, "::", LISTEN_BIND_ANY},
        {AF_INET6, "::1", LISTEN_BIND_LOOPBACK},      {AF_INET6, "fe80::1", LISTEN_BIND_SPECIFIC},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_int_equal(listeners_classify(rows[i].family, rows[i].addr), rows[i].bind);
    assert_string_equal(listeners_bind_name(LISTEN_BIND_LOOPBACK), "loopback");
}

/* A fake /proc: net/tcp from tests/data, no net/tcp6 (IPv6 disabled), and
 * process 4242 "chatd" holding socket inode 41001 as fd 3. */
static void inodes_map_to_the_owning_process(void **state)
{
    (void)state;
    char root[] = "/tmp/netprobe_listeners_XXXXXX";
    char path[256];
    struct listener_list l;
    char err[200] = "";
    assert_non_null(mkdtemp(root));
    snprintf(path, sizeof path, "%s/net", root);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/net/tcp", root);
    char *text = slurp("tests/data/proc_net_tcp.txt");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(text);
    snprintf(path, sizeof path, "%s/4242", root);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/4242/fd", root);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/4242/fd/3", root);
    assert_int_equal(symlink("socket:[41001]", path), 0);
    snprintf(path, sizeof path, "%s/4242/comm", root);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("chatd\n", f);
    fclose(f);

    int r = listeners_read(root, 8888, &l, err, sizeof err);

    snprintf(path, sizeof path, "rm -rf '%s'", root);
    assert_int_equal(system(path), 0);
    assert_int_equal(r, 0);
    assert_int_equal(l.count, 3);
    assert_int_equal(l.items[0].pid, 4242);
    assert_string_equal(l.items[0].comm, "chatd");
    assert_int_equal(l.items[1].pid, 0); /* nobody we can see owns 41002 */
    assert_string_equal(l.items[1].comm, "");
}

static void missing_proc_is_an_error_naming_the_file(void **state)
{
    (void)state;
    struct listener_list l;
    char err[200] = "";
    assert_int_equal(listeners_read("/nonexistent-proc", 8888, &l, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent-proc/net/tcp"));
}

/* ---- Work bounds (docs/fuzzing.md): each at its limit and one past. ---- */

#define HEADER "  sl  local_address rem_address   st\n"
#define LISTEN_LINE(port)                                                                          \
    "   0: 00000000:" port " 00000000:0000 0A 00000000:00000000 00:00000000 "                      \
    "00000000  1000        0 41002 1 0000000000000000 100 0 0 10 0"

/* A line of LISTENERS_LINE_MAX - 1 bytes (a real one padded with blanks)
 * is read; one byte more is an error naming the line. */
static void a_line_past_the_bound_is_an_error(void **state)
{
    (void)state;
    for (size_t extra = 0; extra <= 1; extra++) {
        char text[2 * LISTENERS_LINE_MAX], err[200] = "";
        struct listener_list l = {0};
        size_t n = snprintf(text, sizeof text, HEADER LISTEN_LINE("22B8"));
        size_t want = strlen(HEADER) + LISTENERS_LINE_MAX - 1 + extra;
        memset(text + n, ' ', want - n);
        strcpy(text + want, "\n");
        int r = listeners_parse(text, AF_INET, 8888, &l, err, sizeof err);
        assert_int_equal(r, extra ? -1 : 1);
        if (extra)
            assert_non_null(strstr(err, "line 2 of the socket table is too long"));
    }
}

/* An endless line is refused after one line buffer: the text has no NUL
 * and ends at an unmapped page, so reading to its end kills the test. */
static void an_endless_line_is_refused_without_reading_it_all(void **state)
{
    (void)state;
    struct guard g;
    char *text = guard_alloc(&g, 16384, 'x'), err[200] = "";
    struct listener_list l = {0};
    assert_non_null(text);
    memcpy(text, HEADER, strlen(HEADER));
    assert_int_equal(listeners_parse(text, AF_INET, 0, &l, err, sizeof err), -1);
    assert_non_null(strstr(err, "line 2 of the socket table is too long"));
    guard_free(&g);
}

/* LISTENERS_MAX listeners are kept; the next ones are counted only. */
static void listeners_past_the_bound_are_counted_not_kept(void **state)
{
    (void)state;
    size_t rows = LISTENERS_MAX + 2, cap = strlen(HEADER) + rows * 200;
    char *text = malloc(cap), err[200] = "";
    struct listener_list l = {0};
    assert_non_null(text);
    size_t n = (size_t)snprintf(text, cap, HEADER);
    for (size_t i = 0; i < rows; i++)
        n += (size_t)snprintf(text + n, cap - n, LISTEN_LINE("22B8") "\n");
    assert_int_equal(listeners_parse(text, AF_INET, 8888, &l, err, sizeof err), LISTENERS_MAX);
    assert_int_equal(l.count, LISTENERS_MAX);
    assert_int_equal(l.dropped, 2);
    free(text);
}

/* A socket table of LISTENERS_FILE_MAX bytes (a sparse file: no disk
 * used) is refused with its size, not read into an ever larger buffer. */
static void a_table_past_the_file_bound_is_an_error(void **state)
{
    (void)state;
    char root[] = "/tmp/netprobe_listeners_XXXXXX", path[300], err[300] = "";
    struct listener_list l;
    assert_non_null(mkdtemp(root));
    snprintf(path, sizeof path, "%s/net", root);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/net/tcp", root);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, LISTENERS_FILE_MAX), 0);
    close(fd);
    int r = listeners_read(root, 8888, &l, err, sizeof err);
    unlink(path);
    snprintf(path, sizeof path, "%s/net", root);
    rmdir(path);
    rmdir(root);
    assert_int_equal(r, -1);
    assert_non_null(strstr(err, "is larger than 64 MiB"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ipv4_listeners_on_the_port_are_found_and_others_ignored),
        cmocka_unit_test(ipv6_listeners_are_found),
        cmocka_unit_test(port_zero_lists_every_listener),
        cmocka_unit_test(malformed_line_is_an_error_naming_the_line),
        cmocka_unit_test(a_port_past_16_bits_is_malformed),
        cmocka_unit_test(header_only_table_has_no_listeners),
        cmocka_unit_test(bind_classes_follow_the_address),
        cmocka_unit_test(inodes_map_to_the_owning_process),
        cmocka_unit_test(missing_proc_is_an_error_naming_the_file),
        cmocka_unit_test(a_line_past_the_bound_is_an_error),
        cmocka_unit_test(an_endless_line_is_refused_without_reading_it_all),
        cmocka_unit_test(listeners_past_the_bound_are_counted_not_kept),
        cmocka_unit_test(a_table_past_the_file_bound_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
