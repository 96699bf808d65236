/*
 * i18n.h - messages in the reader's language (gettext, domain "chat").
 *
 * Every string a person reads goes through _() (or N_() where it sits in a
 * static table and is translated when printed).  Codes never do: verdict
 * and finding codes, JSON member names and protocol kinds stay English.
 */
#ifndef COMMON_I18N_H
#define COMMON_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

/* Sets the locale from the environment and finds the catalogues.  lang
 * ("es", "en" or NULL for the environment) overrides LANG/LC_MESSAGES.
 * Spanish works even where no es_* locale is installed (a fresh Debian or
 * EC2 image has only C.UTF-8).  Returns 0, or -1 if lang is not one we
 * ship. */
int i18n_init(const char *lang);

/* The language messages are printed in: "es" or "en". */
const char *i18n_language(void);

#endif
