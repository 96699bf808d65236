/*
 * guide.h - where the printed "guide:" reference points: the installed
 * copy of the troubleshooting guide when there is one (make install puts
 * it in DOCDIR), else the path in the source tree.
 */
#ifndef NETPROBE_GUIDE_H
#define NETPROBE_GUIDE_H

#include <stddef.h>

/* DOCDIR as the Makefile passes it; a build without it has no install. */
#ifndef DOCDIR
#define DOCDIR ""
#endif

/* Turns doc ("docs/troubleshooting.es.md#refused", as advice_doc() gives
 * it) into "DOCDIR/troubleshooting.es.md#refused" when that file exists
 * and is readable under docdir, else copies doc unchanged.  Writes at
 * most cap bytes into out and returns out. */
const char *guide_ref(const char *docdir, const char *doc, char *out, size_t cap);

#endif
