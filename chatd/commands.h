/*
 * commands.h - the chat protocol: the greeting, names, messages and the
 * command table (docs/protocol.md).  To add a command, add a row and its
 * handler in commands.c (docs/design.md, "Adding a chat command").
 */
#ifndef CHATD_COMMANDS_H
#define CHATD_COMMANDS_H

#include <stddef.h>

#include "chatd/chatd.h"

/* The greeting on connect: NOTICE welcome and ASK name. */
void chat_greet(struct server *s, struct client *c);

/* Handles one complete line from a naming or chatting client.  Returns
 * the bytes of its sanitized text (what the flood limit charges). */
size_t chat_line(struct server *s, struct client *c, char *line, size_t len);

/* Sends the leave notice for a dropped named client (the reap calls it). */
void chat_leave(struct server *s, struct client *c);

/* Number of rows in the command table, and row i as an "OK help" text. */
size_t chat_command_count(void);
void chat_command_help(size_t i, char *out, size_t cap);

#endif
