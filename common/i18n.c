#include "common/i18n.h"

#include <limits.h>
#include <stdbool.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

static const char I18N_DOMAIN[] = "chat";
static char i18n_lang[3] = "en";

/* The language the environment asks for, as gettext reads it. */
static const char *env_language(void)
{
    static const char *const vars[] = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v != NULL && v[0] != '\0')
            return v;
    }
    return "";
}

/* True if dir holds our Spanish catalogue. */
static int has_catalog(const char *dir)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/es/LC_MESSAGES/%s.mo", dir, I18N_DOMAIN);
    return n > 0 && (size_t)n < sizeof path && access(path, R_OK) == 0;
}

/* Where the catalogues are: $CHAT_LOCALEDIR, the install prefix, or next
 * to the executable (installed tree or this project's build tree). */
static void bind_catalogs(void)
{
    const char *env = getenv("CHAT_LOCALEDIR");
    if (env != NULL && has_catalog(env)) {
        bindtextdomain(I18N_DOMAIN, env);
        return;
    }
    if (!has_catalog(LOCALEDIR)) {
        char exe[PATH_MAX], dir[PATH_MAX + 32];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n > 0) {
            exe[n] = '\0';
            char *slash = strrchr(exe, '/');
            if (slash != NULL)
                *slash = '\0';
            static const char *const rel[] = {"/../share/locale", "/../build/share/locale"};
            for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
                snprintf(dir, sizeof dir, "%s%s", exe, rel[i]);
                if (has_catalog(dir)) {
                    bindtextdomain(I18N_DOMAIN, dir);
                    return;
                }
            }
        }
    }
    bindtextdomain(I18N_DOMAIN, LOCALEDIR);
}

int i18n_init(const char *lang)
{
    if (lang != NULL && strcmp(lang, "es") != 0 && strcmp(lang, "en") != 0)
        return -1;
    const char *want = lang != NULL ? lang : env_language();
    bool spanish = want[0] == 'e' && want[1] == 's';

    /* gettext ignores LANGUAGE in the "C" locale, and setlocale() fails
     * for a locale that is not installed; C.UTF-8 is always there. */
    if (setlocale(LC_ALL, "") == NULL || lang != NULL) {
        if (setlocale(LC_ALL, "C.UTF-8") == NULL)
            setlocale(LC_ALL, "C");
    }
    if (lang != NULL || spanish) {
        /* Best effort: if setenv fails we stay in English. */
        setenv("LANGUAGE", spanish ? "es" : "en", 1);
    }
    /* Numbers stay in the C form everywhere: options such as --timeout 1.5
     * are parsed with strtod, and reports and logs are read by programs. */
    setlocale(LC_NUMERIC, "C");
    const char *cur = setlocale(LC_MESSAGES, NULL);
    if (spanish && cur != NULL && strcmp(cur, "C") == 0)
        setlocale(LC_ALL, "C.UTF-8");
    bind_catalogs();
    bind_textdomain_codeset(I18N_DOMAIN, "UTF-8");
    textdomain(I18N_DOMAIN);
    snprintf(i18n_lang, sizeof i18n_lang, "%s", spanish ? "es" : "en");
    return 0;
}

const char *i18n_language(void)
{
    return i18n_lang;
}
