/*
 * log.h - messages for people, on stderr.
 *
 * warnf() and errorf() prefix the program name (set once by log_init) and
 * end the line; logf_ts() adds a UTC timestamp for server logs.  The format
 * attribute lets the compiler check every call.
 */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdbool.h>

/* Sets the name printed before each message (e.g. "chatd"). */
void log_init(const char *progname);

/* Enables or disables verbose_f() messages. */
void log_set_verbose(bool on);

/* "PROG: warning: ..." */
void warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "PROG: error: ..." */
void errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "PROG: ..." plain information. */
void infof(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "2026-11-24T01:02:03Z PROG: ..." for server event logs. */
void logf_ts(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Like logf_ts(), only when verbose. */
void verbose_f(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
