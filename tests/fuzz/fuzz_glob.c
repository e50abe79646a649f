/* libFuzzer target: URL patterns parse or fail cleanly, and the first and
 * last expansions of any valid pattern can be written. */
#include "pdl/glob.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *pat = malloc(size + 1);
    char err[128], buf[256];

    if (!pat)
        return 0;
    memcpy(pat, data, size);
    pat[size] = '\0';
    struct pdl_glob *g = pdl_glob_create(pat, err, sizeof(err));
    if (g) {
        uint64_t n = pdl_glob_count(g);
        if (n == 0)
            abort();
        pdl_glob_nth(g, 0, buf, sizeof(buf));
        pdl_glob_nth(g, n - 1, buf, sizeof(buf));
        pdl_glob_nth(g, n / 2, buf, sizeof(buf));
    }
    pdl_glob_destroy(g);
    free(pat);
    return 0;
}
