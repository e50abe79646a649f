/* libFuzzer target: the Content-Range parser accepts only what describes a
 * real range (or an unsatisfied one), and the verdict on any 206 or 416
 * built from it appends only an exact continuation. */
#include "pdl/resume.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_verdict(const char *value, int64_t have)
{
    struct pdl_reply reply = {.http = 206, .content_range = value};
    int64_t first, last, total;
    enum pdl_resume_verdict v = pdl_resume_judge(NULL, have, &reply);

    if (v != PDL_RESUME_APPEND)
        return;
    if (!pdl_content_range_parse(value, &first, &last, &total) ||
        first != have || last != total - 1)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *value = malloc(size + 1);
    int64_t first, last, total;

    if (!value)
        return 0;
    memcpy(value, data, size);
    value[size] = '\0';
    if (pdl_content_range_parse(value, &first, &last, &total)) {
        if (first < 0 ? (last != -1 || total < 0)
                      : (last < first || (total >= 0 && last >= total)))
            abort();
    } else if (first != -1 || last != -1 || total != -1) {
        abort();
    }
    check_verdict(value, first > 0 ? first : 1);
    free(value);
    return 0;
}
