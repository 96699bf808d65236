#include "chat/tty.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "common/i18n.h"

static tty_line_fn tty_on_line;
static bool tty_active;
static size_t tty_limit;  /* longest line Enter accepts, 0: any */
static char *tty_pending; /* text to put back into the next edit line */

/* readline's startup hook: runs as each new edit line starts, after the
 * line callback, which is the moment to put back a line we kept. */
static int tty_restore(void)
{
    if (tty_pending != NULL) {
        rl_insert_text(tty_pending);
        free(tty_pending);
        tty_pending = NULL;
    }
    return 0;
}

/* Enter: accepts the line unless it is longer than the server takes; then
 * the text stays where it is, to be shortened. */
static int tty_accept(int count, int key)
{
    if (tty_limit == 0 || (size_t)rl_end <= tty_limit)
        return rl_newline(count, key);
    char msg[256];
    snprintf(msg, sizeof msg,
             _("!! this line is %d bytes; the server takes at most %zu. It was not sent: shorten "
               "it (it is still here to edit)"),
             rl_end, tty_limit);
    tty_print(msg);
    return 0;
}

void tty_set_limit(size_t max)
{
    tty_limit = max;
}

void tty_keep(const char *line)
{
    if (!tty_active)
        return;
    free(tty_pending);
    tty_pending = strdup(line); /* best effort: without memory the line is lost */
}

/* readline hands over a malloc'd line; history keeps its own copy. */
static void tty_handler(char *line)
{
    if (line != NULL && line[0] != '\0')
        add_history(line);
    tty_on_line(line);
    free(line);
}

int tty_start(const char *prompt, tty_line_fn on_line)
{
    tty_on_line = on_line;
    rl_readline_name = "chat";
    /* chat handles SIGINT, SIGTERM and SIGWINCH itself (poll() must see
     * them), so readline must not install its own handlers. */
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    rl_startup_hook = tty_restore;
    rl_callback_handler_install(prompt, tty_handler);
    /* After the install, which reads ~/.inputrc: Enter in every keymap. */
    Keymap maps[] = {emacs_standard_keymap, vi_insertion_keymap, vi_movement_keymap};
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++) {
        rl_bind_key_in_map('\r', tty_accept, maps[i]);
        rl_bind_key_in_map('\n', tty_accept, maps[i]);
    }
    tty_active = true;
    return 0;
}

void tty_set_prompt(const char *prompt)
{
    if (!tty_active)
        return;
    rl_set_prompt(prompt);
    rl_redisplay();
}

void tty_read(void)
{
    if (tty_active)
        rl_callback_read_char();
}

void tty_print(const char *text)
{
    if (!tty_active) {
        printf("%s\n", text);
        fflush(stdout);
        return;
    }
    int point = rl_point;
    char *saved = rl_copy_text(0, rl_end);
    rl_save_prompt();
    rl_replace_line("", 0);
    rl_redisplay();
    printf("%s\n", text);
    fflush(stdout);
    rl_restore_prompt();
    rl_replace_line(saved != NULL ? saved : "", 0);
    rl_point = point;
    rl_redisplay();
    free(saved);
}

void tty_resize(void)
{
    if (tty_active)
        rl_resize_terminal();
}

void tty_stop(void)
{
    if (!tty_active)
        return;
    tty_active = false;
    rl_callback_handler_remove();
    free(tty_pending);
    tty_pending = NULL;
    /* Leave the cursor on a fresh line for the shell's prompt. */
    printf("\n");
    fflush(stdout);
}
