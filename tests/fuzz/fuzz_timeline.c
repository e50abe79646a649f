/* libFuzzer target: reading any bytes as a timeline either fails with a
 * message or yields rows that write back out. */
#include "pdl/timeline.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pdl_timeline tl;
    char err[256];
    FILE *in = fmemopen((void *)data, size, "r");
    FILE *out = fopen("/dev/null", "w");

    if (!in || !out)
        abort();
    if (pdl_timeline_read(in, &tl, err, sizeof(err)) == PDL_OK) {
        struct pdl_timeline_writer *w =
            pdl_timeline_writer_start(out, &tl.info);
        struct pdl_result tmp;
        for (size_t i = 0; i < tl.count; i++) {
            struct pdl_task t = {.id = tl.ids[i], .url = tl.urls[i]};
            pdl_timeline_writer_row(w, &t, pdl_timeline_at(&tl, i, &tmp));
        }
        pdl_timeline_writer_end(w, &tl.info, &(struct pdl_stats){0});
        pdl_timeline_cleanup(&tl);
    } else if (err[0] == '\0') {
        abort();
    }
    fclose(in);
    fclose(out);
    return 0;
}
