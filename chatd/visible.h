/*
 * visible.h - bytes a client sent, written so a person can see them in
 * the log: \r, \n and \t as such, other bytes outside printable ASCII as
 * \xNN, and \\ and \" escaped so the text can be quoted.
 */
#ifndef CHATD_VISIBLE_H
#define CHATD_VISIBLE_H

#include <stddef.h>

/* Output bytes enough for n input bytes (each at most 4) and the NUL. */
#define VISIBLE_CAP(n) (4 * (n) + 1)

/* Writes data[0..n) made visible into out (cap bytes, always
 * NUL-terminated), stopping before an escape that would not fit.  Returns
 * how many input bytes were written. */
size_t visible_escape(const char *data, size_t n, char *out, size_t cap);

#endif
