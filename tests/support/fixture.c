#include "tests/support/fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* The server the running test started and has not stopped yet. */
static struct harness_server *fixture_live;

void fixture_server_up(struct harness_server *s, const char *const extra[])
{
    assert_int_equal(harness_server_start(s, extra), 0);
    fixture_live = s;
}

int fixture_server_down(struct harness_server *s)
{
    fixture_live = NULL;
    return harness_server_stop(s);
}

int fixture_stop_leftover(void **state)
{
    (void)state;
    if (fixture_live != NULL)
        (void)fixture_server_down(fixture_live);
    return 0;
}
