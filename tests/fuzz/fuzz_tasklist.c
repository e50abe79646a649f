/* libFuzzer target: the URL-list parser, globbing and name planning on any
 * input. Every task must be an http(s) URL and every name safe. */
#include "pdl/tasklist.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_name(const char *name)
{
    size_t len = strlen(name);

    if (len == 0 || len > PDL_NAME_MAX + 24 || strchr(name, '/') ||
        name[0] == '.')
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pdl_tasklist list;
    FILE *in = fmemopen((void *)data, size, "r");
    FILE *diag = fopen("/dev/null", "w");

    if (!in || !diag)
        abort();
    pdl_tasklist_init(&list);
    list.glob = true;
    /* A pattern may stand for 10^8 URLs; the parser's work on each is the
     * same, and 10^7 of them would pass libFuzzer's memory limit. */
    list.max = 100000;
    pdl_tasklist_read(&list, in, "fuzz", diag);
    pdl_tasklist_plan_names(&list);
    for (size_t i = 0; i < list.count; i++) {
        if (!pdl_url_is_http(list.tasks[i].url))
            abort();
        check_name(list.tasks[i].name);
    }
    pdl_tasklist_cleanup(&list);
    fclose(in);
    fclose(diag);
    return 0;
}
