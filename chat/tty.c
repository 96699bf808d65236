#include "chat/tty.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/history.h>
#include <readline/readline.h>

static tty_line_fn tty_on_line;
static bool tty_active;

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
    rl_callback_handler_install(prompt, tty_handler);
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
    /* Leave the cursor on a fresh line for the shell's prompt. */
    printf("\n");
    fflush(stdout);
}
