/*
 * command.h - runs a helper program (nft, iptables-save) with its output
 * captured and a time bound, so a hung tool never hangs netprobe.
 */
#ifndef NETPROBE_SERVER_COMMAND_H
#define NETPROBE_SERVER_COMMAND_H

#include <stddef.h>

/* Bytes of standard output read; a tool that prints more is stopped and
 * command_run() returns COMMAND_TOO_LONG, so no parser sees cut output. */
#define COMMAND_OUTPUT_MAX (8u << 20)
#define COMMAND_TOO_LONG (-2)

/* Runs argv (searched in PATH, LC_ALL=C, stdin /dev/null) with standard
 * output captured into *out (malloc'd, NUL-terminated, the caller frees)
 * and standard error into errtext, within timeout_ms.  Returns the exit
 * status, 127 if it could not be started, -1 on timeout or COMMAND_TOO_LONG
 * past COMMAND_OUTPUT_MAX bytes of output (the child is killed in both). */
int command_run(char *const argv[], int timeout_ms, char **out, char *errtext, size_t errcap);

#endif
