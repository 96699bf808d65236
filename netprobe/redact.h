/*
 * redact.h - --redact: this machine's private addresses, host name and MAC
 * addresses become stable placeholders ("<private-1>", "<hostname>",
 * "<mac-1>") everywhere in the report and the human output.
 *
 * The map is built from the evidence in a fixed order (host name, then
 * interfaces, then what later stages saw), so the same secret gets the same
 * placeholder in every line of one run.  Public addresses stay: the
 * target's address is what a helper needs to see.
 */
#ifndef NETPROBE_REDACT_H
#define NETPROBE_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#include "netprobe/evidence.h"

#define REDACT_ENTRIES_MAX 48

struct redact_entry {
    char secret[256];
    char placeholder[24];
    bool exact; /* match case too: host names, which may be common words */
};

struct redact {
    struct redact_entry entries[REDACT_ENTRIES_MAX];
    size_t count;
};

/* Collects the secrets of ev into r (replacing what r held).  Entries past
 * REDACT_ENTRIES_MAX are dropped; a machine with that many is rare. */
void redact_init(struct redact *r, const struct evidence *ev);

/* Copies in to out with every secret that stands alone (not part of a
 * longer address or name) replaced by its placeholder.  Truncates to cap;
 * cap must be at least 1. */
void redact_text(const struct redact *r, const char *in, char *out, size_t cap);

#define REDACT_USERS_MAX 4

/* The names this user goes by (USER, LOGNAME, SUDO_USER and the password
 * entry of the real user id), without repeats or names shorter than 2
 * characters; the strings are static or the environment's.  Returns how
 * many were put in users. */
size_t redact_user_names(const char *users[REDACT_USERS_MAX]);

/* The command line for a shared report: in each word, a path keeps only
 * its file name ("/home/maria/report.json" -> "<path>/report.json", also
 * after "--json="), and each of users[0..n) becomes "<user>" wherever it
 * appears.  Writes at most cap bytes (cap >= 1) into out. */
void redact_command(const char *cmd, const char *const *users, size_t n, char *out, size_t cap);

#endif
