/* Each URL's task time in an earlier run, for ordering a run longest
 * first. Held as one array sorted by URL: looked up once per task while
 * the list is sorted, never on a worker's path. */
#include "pdl/durations.h"
#include "pdl/timeline.h"
#include "pdl/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    char *url;
    int64_t ns;
};

struct pdl_durations {
    struct entry *e;
    size_t n, cap;
};

/* Rows that never started (pending, skipped by --continue) took no time
 * there and say nothing about the task's length. */
static void add_row(void *ctx, size_t id, const struct pdl_result *r,
                    const char *url)
{
    struct pdl_durations *d = ctx;

    (void)id;
    if (r->attempts == 0 || !url || !*url)
        return;
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 64;
        d->e = pdl_xrealloc(d->e, d->cap, sizeof(*d->e));
    }
    d->e[d->n].url = pdl_xstrdup(url);
    d->e[d->n].ns = r->end_ns - r->start_ns;
    d->n++;
}

static int cmp_entry(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int c = strcmp(x->url, y->url);

    return c ? c : (x->ns < y->ns) - (x->ns > y->ns); /* longest first */
}

/* Sorts by URL and keeps each URL's longest time. */
static void settle(struct pdl_durations *d)
{
    size_t k = 0;

    qsort(d->e, d->n, sizeof(*d->e), cmp_entry);
    for (size_t i = 0; i < d->n; i++) {
        if (k > 0 && strcmp(d->e[k - 1].url, d->e[i].url) == 0) {
            free(d->e[i].url);
            continue;
        }
        d->e[k++] = d->e[i];
    }
    d->n = k;
}

int pdl_durations_load(const char *path, struct pdl_durations **out, char *err,
                       size_t errsz)
{
    struct pdl_durations *d = pdl_xcalloc(1, sizeof(*d));
    struct pdl_timeline tl;
    char why[256] = "";
    FILE *in = fopen(path, "r");
    int rc;

    *out = NULL;
    if (!in) {
        snprintf(err, errsz, "%s", strerror(errno));
        pdl_durations_destroy(d);
        return PDL_ERR_IO;
    }
    errno = 0;
    rc = pdl_timeline_each(in, &tl, add_row, d, why, sizeof(why));
    if (rc == PDL_ERR_IO)
        snprintf(why, sizeof(why), "%s", strerror(errno ? errno : EIO));
    fclose(in);
    if (rc != PDL_OK) {
        snprintf(err, errsz, "%s", why);
        pdl_durations_destroy(d);
        return rc;
    }
    pdl_timeline_cleanup(&tl);
    settle(d);
    *out = d;
    return PDL_OK;
}

bool pdl_durations_get(const struct pdl_durations *d, const char *url,
                       int64_t *ns)
{
    size_t lo = 0, hi = d ? d->n : 0;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(d->e[mid].url, url);
        if (c == 0) {
            *ns = d->e[mid].ns;
            return true;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

size_t pdl_durations_count(const struct pdl_durations *d)
{
    return d ? d->n : 0;
}

void pdl_durations_destroy(struct pdl_durations *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->e[i].url);
    free(d->e);
    free(d);
}
