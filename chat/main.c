/*
 * chat - the chatd client.  main() parses options, connects, and hands the
 * socket to the session; the modules do the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "chat/client.h"
#include "chat/connect.h"
#include "chat/opts.h"
#include "common/color.h"
#include "common/i18n.h"
#include "common/limits.h"
#include "common/log.h"

/* Colors only where common/color.h allows them, and not with --no-color
 * or --raw (raw output is the protocol, byte for byte). */
static bool want_color(const struct chat_opts *o)
{
    return !o->no_color && !o->raw && color_wanted(STDOUT_FILENO);
}

/* CHAT_HEARTBEAT_SEC in the environment shortens the heartbeat (tests use
 * it); a bad value is reported and ignored. */
static long long heartbeat_ms(void)
{
    const char *s = getenv("CHAT_HEARTBEAT_SEC");
    if (s == NULL || s[0] == '\0')
        return CHAT_HEARTBEAT_SEC * 1000LL;
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (*end != '\0' || v < 1 || v > 3600) {
        warnf(_("ignoring CHAT_HEARTBEAT_SEC=\"%s\": give whole seconds from 1 to 3600"), s);
        return CHAT_HEARTBEAT_SEC * 1000LL;
    }
    return v * 1000LL;
}

int main(int argc, char **argv)
{
    struct chat_opts o;
    char err[2048];

    /* Before anything prints: every message below is in the reader's language. */
    i18n_init(NULL);
    log_init("chat");
    if (opts_parse(argc, argv, &o, err, sizeof err) < 0) {
        errorf("%s", err);
        return CHAT_EXIT_USAGE;
    }
    if (o.help) {
        opts_usage(stdout);
        return CHAT_EXIT_OK;
    }
    if (o.version) {
        printf("chat %s\n", CHAT_VERSION);
        return CHAT_EXIT_OK;
    }
    struct client_config cfg = {&o, isatty(STDIN_FILENO) == 1, want_color(&o), heartbeat_ms(), {0}};
    /* A peer that stops acknowledging is dropped by the kernel after the
     * heartbeat would have given up anyway. */
    cfg.connect = (struct connect_params){
        .timeout_sec = o.timeout_sec,
        .user_timeout_ms = (unsigned)(cfg.heartbeat_ms * (CHAT_HEARTBEAT_MISSES + 1)),
        .stagger_ms = CHAT_CONNECT_STAGGER_MS};
    struct connect_error e;
    struct connect_log log;
    int fd = connect_dial(o.host, o.port, &cfg.connect, &e, &log);
    if (fd < 0) {
        connect_explain(&e, &log, o.host, o.port, o.timeout_sec, err, sizeof err);
        errorf("%s", err);
        return CHAT_EXIT_FAIL;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    return client_run(fd, &cfg);
}
