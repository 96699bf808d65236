/*
 * color.h - whether to color what goes to a file descriptor.
 *
 * One rule for every program: only on a terminal, never when NO_COLOR is
 * set to a non-empty value (https://no-color.org), never on TERM=dumb.
 */
#ifndef COMMON_COLOR_H
#define COMMON_COLOR_H

#include <stdbool.h>

/* True if output to fd may use ANSI colors. */
bool color_wanted(int fd);

#endif
