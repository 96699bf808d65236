/* Unit tests for common/color.c: one coloring rule for every program. */
#define _GNU_SOURCE /* posix_openpt and friends */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/color.h"

struct color_case {
    const char *no_color; /* NULL: unset */
    const char *term;     /* NULL: unset */
    bool tty;
    bool want;
};

static const struct color_case color_cases[] = {
    {NULL, "xterm-256color", true, true},
    {NULL, NULL, true, true},
    {"", "xterm", true, true}, /* empty NO_COLOR does not count */
    {"1", "xterm", true, false},
    {"0", "xterm", true, false}, /* any non-empty value counts */
    {NULL, "dumb", true, false},
    {NULL, "xterm", false, false}, /* a pipe or a file */
};

/* A pseudo-terminal, so the tty cases do not depend on how tests run.
 * The master must stay open: without it the slave is hung up and is no
 * longer a terminal to isatty(). */
static int open_tty(int *master)
{
    int fd = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(fd >= 0);
    assert_int_equal(grantpt(fd), 0);
    assert_int_equal(unlockpt(fd), 0);
    int slave = open(ptsname(fd), O_RDWR | O_NOCTTY);
    assert_true(slave >= 0);
    *master = fd;
    return slave;
}

static void set_or_unset(const char *name, const char *value)
{
    if (value == NULL)
        assert_int_equal(unsetenv(name), 0);
    else
        assert_int_equal(setenv(name, value, 1), 0);
}

static void colors_follow_tty_no_color_and_term(void **state)
{
    (void)state;
    int master;
    int tty = open_tty(&master);
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    for (size_t i = 0; i < sizeof color_cases / sizeof color_cases[0]; i++) {
        const struct color_case *c = &color_cases[i];
        print_message("case NO_COLOR=%s TERM=%s tty=%d\n", c->no_color ? c->no_color : "(unset)",
                      c->term ? c->term : "(unset)", c->tty);
        set_or_unset("NO_COLOR", c->no_color);
        set_or_unset("TERM", c->term);
        assert_int_equal(color_wanted(c->tty ? tty : pipefd[1]), c->want);
    }
    close(tty);
    close(master);
    close(pipefd[0]);
    close(pipefd[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(colors_follow_tty_no_color_and_term),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
