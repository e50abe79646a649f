/* libFuzzer target: a sidecar record that parses formats back to a record
 * that parses to the same fields. */
#include "pdl/resume.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    char *again;
    struct pdl_partial_meta m, back;
    long len;

    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (pdl_partial_meta_parse(text, size, &m)) {
        again = malloc(size + 1);
        len = pdl_partial_meta_format(&m, again, size + 1);
        if (len < 0 || !pdl_partial_meta_parse(again, (size_t)len, &back) ||
            strcmp(back.url, m.url) || strcmp(back.etag, m.etag) ||
            strcmp(back.modified, m.modified) || back.total != m.total)
            abort();
        free(again);
    }
    free(text);
    return 0;
}
