#include "tests/support/report_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/support/harness.h"

/* The whole file in a malloc'd string, or NULL. */
static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    size_t cap = 65536, len = 0;
    char *text = malloc(cap);
    while (text != NULL) {
        len += fread(text + len, 1, cap - len - 1, f);
        if (len < cap - 1)
            break;
        char *bigger = realloc(text, cap * 2);
        if (bigger == NULL) {
            free(text);
            text = NULL;
            break;
        }
        text = bigger;
        cap *= 2;
    }
    fclose(f);
    if (text != NULL)
        text[len] = '\0';
    return text;
}

int report_run(struct report_run *r, const char *const args[], int timeout_ms)
{
    cJSON_Delete(r->report);
    r->report = NULL;
    char path[] = "/tmp/netprobe-report-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    const char *argv[32] = {harness_bin("netprobe"), "--json", path};
    size_t n = 3;
    for (size_t i = 0; args[i] != NULL && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    long long start = harness_now_ms();
    r->status = harness_run(argv, NULL, r->out, sizeof r->out, timeout_ms);
    r->ms = harness_now_ms() - start;
    char *text = read_file(path);
    unlink(path);
    r->report = text != NULL ? cJSON_Parse(text) : NULL;
    printf("netprobe exit %d in %lld ms\n", r->status, r->ms);
    if (r->report == NULL)
        printf("report is not JSON:\n%s\noutput:\n%s\n", text != NULL ? text : "(none)", r->out);
    free(text);
    return 0;
}
