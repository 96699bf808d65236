#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "common/i18n.h"

static const char *log_prog = "chat";
static bool log_verbose;

void log_init(const char *progname)
{
    log_prog = progname;
}

void log_set_verbose(bool on)
{
    log_verbose = on;
}

/* One fprintf per message so lines from different threads do not mix. */
static void log_emit(const char *label, bool stamp, const char *fmt, va_list ap)
{
    char msg[2048];
    char when[32] = "";

    vsnprintf(msg, sizeof msg, fmt, ap);
    if (stamp) {
        time_t now = time(NULL);
        struct tm tm;
        if (gmtime_r(&now, &tm) != NULL)
            strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ ", &tm);
    }
    fprintf(stderr, "%s%s: %s%s\n", when, log_prog, label, msg);
}

void warnf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    /* TRANSLATORS: the label before a warning, "chatd: warning: ...". */
    log_emit(_("warning: "), false, fmt, ap);
    va_end(ap);
}

void errorf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    /* TRANSLATORS: the label before an error, "chat: error: ...". */
    log_emit(_("error: "), false, fmt, ap);
    va_end(ap);
}

void infof(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_emit("", false, fmt, ap);
    va_end(ap);
}

void logf_ts(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_emit("", true, fmt, ap);
    va_end(ap);
}

void verbose_f(const char *fmt, ...)
{
    if (!log_verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    log_emit("", true, fmt, ap);
    va_end(ap);
}
