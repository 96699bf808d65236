/*
 * fixture.h - a chatd per test that is stopped even when the test fails.
 *
 * A failed cmocka assertion jumps out of the test, past its own cleanup;
 * a test that starts its server with fixture_server_up() and names
 * fixture_stop_leftover() as its teardown leaves no chatd behind.
 */
#ifndef TESTS_FIXTURE_H
#define TESTS_FIXTURE_H

#include "tests/support/harness.h"

/* Starts chatd (harness_server_start) and asserts that it started. */
void fixture_server_up(struct harness_server *s, const char *const extra[]);

/* Stops it (harness_server_stop) and returns its exit status. */
int fixture_server_down(struct harness_server *s);

/* cmocka teardown: stops a server the test left running.  Returns 0. */
int fixture_stop_leftover(void **state);

#endif
