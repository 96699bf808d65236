/*
 * replies.h - what chat does with each line chatd sends: shows it
 * (rendered, or raw with --raw, always sanitized) and reacts to it (offers
 * the name, answers PING, takes the name from "OK name", notes why the
 * server is closing).
 */
#ifndef CHAT_REPLIES_H
#define CHAT_REPLIES_H

#include "chat/session.h"

/* Handles one line from the server (no LF). */
void replies_line(struct session *s, const char *line);

#endif
