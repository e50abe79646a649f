/* libFuzzer target: file names derived from any URL never leave the output
 * folder and stay within the length limit. */
#include "pdl/tasklist.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *url = malloc(size + 1);
    char name[PDL_NAME_MAX + 1];

    if (!url)
        return 0;
    memcpy(url, data, size);
    url[size] = '\0';
    pdl_name_from_url(url, name, sizeof(name));
    size_t len = strlen(name);
    if (len == 0 || len > PDL_NAME_MAX || strchr(name, '/') || name[0] == '.' ||
        strcmp(name, "..") == 0)
        abort();
    for (size_t i = 0; i < len; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                    "0123456789._+=,@-",
                    name[i]))
            abort();
    free(url);
    return 0;
}
