/*
 * command.h - runs a helper program (nft, iptables-save) with its output
 * captured and a time bound, so a hung tool never hangs netprobe.
 */
#ifndef NETPROBE_SERVER_COMMAND_H
#define NETPROBE_SERVER_COMMAND_H

#include <stddef.h>

#define COMMAND_OUTPUT_MAX (8u << 20) /* bytes of standard output kept */

/* Runs argv (searched in PATH, LC_ALL=C, stdin /dev/null) with standard
 * output captured into *out (malloc'd, NUL-terminated, the caller frees)
 * and standard error into errtext, within timeout_ms.  Returns the exit
 * status, 127 if it could not be started, or -1 on timeout (the child is
 * killed). */
int command_run(char *const argv[], int timeout_ms, char **out, char *errtext, size_t errcap);

#endif
