/*
 * jsonline.h - a cJSON document as text that ends in a newline.
 *
 * The hello reply is one protocol line and a report is one file; both want
 * cJSON's text plus "\n" in a buffer the caller frees.
 */
#ifndef COMMON_JSONLINE_H
#define COMMON_JSONLINE_H

#include <cjson/cJSON.h>
#include <stdbool.h>

/* Prints o (indented when pretty, else on one line) followed by "\n" into
 * a malloc'd string.  NULL if memory ran out. */
char *jsonline_print(const cJSON *o, bool pretty);

#endif
