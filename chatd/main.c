/* chatd - the chat server.  main() parses the options and runs the server. */
#include <stdio.h>

#include "chatd/options.h"
#include "chatd/server.h"
#include "common/i18n.h"
#include "common/log.h"

int main(int argc, char *argv[])
{
    struct chatd_options opt;
    char err[256];

    /* Before anything prints: log lines and the text parts of protocol
     * lines follow the server's locale (kinds and codes stay English). */
    i18n_init(NULL);
    log_init("chatd");
    switch (options_parse(argc, argv, &opt, stdout, err, sizeof err)) {
    case OPTIONS_EXIT:
        return 0;
    case OPTIONS_USAGE:
        errorf("%s", err);
        return 2;
    case OPTIONS_RUN:
        break;
    }
    log_set_verbose(opt.verbose);
    return server_run(&opt);
}
