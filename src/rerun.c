/* The failed list and --continue: both turn one run's outcome into the
 * input of the next. */
#include "pdl/rerun.h"
#include "pdl/timeline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int pdl_failed_write(FILE *out, const struct pdl_tasklist *list,
                     const struct pdl_result *results)
{
    fputs("# pdl: the URLs that failed; run them again with: pdl FILE\n", out);
    for (size_t i = 0; i < list->count; i++) {
        const struct pdl_result *r = &results[i];
        if (pdl_result_ok(r))
            continue;
        fprintf(out, "# %s: %s\n%s\n",
                pdl_status_token((enum pdl_status)r->status),
                r->error[0] ? r->error : "not finished", list->tasks[i].url);
    }
    if (fflush(out) != 0 || ferror(out))
        return PDL_ERR_IO;
    return PDL_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The URLs the timeline records as done, sorted for bsearch. */
static char **done_urls(struct pdl_timeline *tl, size_t *n)
{
    char **urls = pdl_xcalloc(tl->count, sizeof(char *));

    *n = 0;
    for (size_t i = 0; i < tl->count; i++)
        if (pdl_result_ok(&tl->results[i]))
            urls[(*n)++] = tl->urls[i];
    qsort(urls, *n, sizeof(char *), cmp_str);
    return urls;
}

size_t pdl_rerun_skip_done(const char *path, const struct pdl_tasklist *list,
                           int dirfd, struct pdl_result *results, char *err,
                           size_t errsz)
{
    struct pdl_timeline tl;
    FILE *in = fopen(path, "r");
    size_t n, skipped = 0;
    char why[256];
    struct stat st;

    if (!in && errno == ENOENT)
        return 0;
    if (!in || pdl_timeline_read(in, &tl, why, sizeof(why)) != PDL_OK) {
        snprintf(err, errsz, "%s: %s", path, in ? why : strerror(errno));
        if (in)
            fclose(in);
        return (size_t)-1;
    }
    fclose(in);
    char **urls = done_urls(&tl, &n);
    for (size_t i = 0; i < list->count; i++) {
        const struct pdl_task *t = &list->tasks[i];
        if (!bsearch(&t->url, urls, n, sizeof(char *), cmp_str))
            continue;
        /* With --discard there is no file to look for: done is done. */
        if (dirfd >= 0 &&
            (fstatat(dirfd, t->name, &st, 0) != 0 || !S_ISREG(st.st_mode)))
            continue;
        results[i].status = PDL_ST_SKIPPED;
        skipped++;
    }
    free(urls);
    pdl_timeline_cleanup(&tl);
    return skipped;
}
