#include "common/jsonline.h"

#include <stdlib.h>
#include <string.h>

char *jsonline_print(const cJSON *o, bool pretty)
{
    char *text = pretty ? cJSON_Print(o) : cJSON_PrintUnformatted(o);
    if (text == NULL)
        return NULL;
    size_t n = strlen(text);
    char *line = realloc(text, n + 2);
    if (line == NULL) {
        free(text);
        return NULL;
    }
    memcpy(line + n, "\n", 2);
    return line;
}
