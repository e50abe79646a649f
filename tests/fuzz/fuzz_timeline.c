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
        pdl_timeline_write(out, &tl.info, tl.results,
                           (const char *const *)tl.urls, tl.count);
        pdl_timeline_cleanup(&tl);
    } else if (err[0] == '\0') {
        abort();
    }
    fclose(in);
    fclose(out);
    return 0;
}
