/* The failed list and --continue: both turn one run's outcome into the
 * input of the next. */
#include "pdl/rerun.h"
#include "pdl/output.h"
#include "pdl/timeline.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct pdl_failed_writer {
    FILE *out;
    int err;
};

struct pdl_failed_writer *pdl_failed_start(FILE *out)
{
    struct pdl_failed_writer *w = pdl_xcalloc(1, sizeof(*w));

    w->out = out;
    fputs("# pdl: the URLs that failed; run them again with: pdl FILE\n", out);
    return w;
}

void pdl_failed_add(struct pdl_failed_writer *w, const struct pdl_task *t,
                    const struct pdl_result *r)
{
    char why[2 * PDL_ERROR_MAX];
    size_t k = 0;

    if (pdl_result_ok(r))
        return;
    /* The reason stays on its comment line. */
    for (const char *e = r->error[0] ? r->error : "not finished";
         *e && k + 1 < sizeof(why); e++)
        why[k++] = (*e == '\n' || *e == '\r') ? ' ' : *e;
    why[k] = '\0';
    fprintf(w->out, "# %s: %s\n%s\n",
            pdl_status_token((enum pdl_status)r->status), why, t->url);
    if (t->name)
        fprintf(w->out, "  out=%s\n", t->name);
    /* Its header= and checksum= lines, so that a rerun sends and checks
     * the same. */
    for (const char *p = t->opts; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(w->out, "  %.*s\n", (int)n, p);
        p += n + (nl != NULL);
    }
    if (!w->err && ferror(w->out))
        w->err = errno ? errno : EIO;
}

int pdl_failed_flush(struct pdl_failed_writer *w)
{
    if (!w->err && fflush(w->out) != 0)
        w->err = errno ? errno : EIO;
    if (w->err)
        errno = w->err;
    return w->err ? PDL_ERR_IO : PDL_OK;
}

int pdl_failed_end(struct pdl_failed_writer *w)
{
    int err = w->err;

    if (!err && (fflush(w->out) != 0 || ferror(w->out)))
        err = errno ? errno : EIO;
    free(w);
    if (err)
        errno = err;
    return err ? PDL_ERR_IO : PDL_OK;
}

int pdl_failed_write(FILE *out, const struct pdl_tasklist *list,
                     const struct pdl_result *results)
{
    struct pdl_failed_writer *w = pdl_failed_start(out);

    for (size_t i = 0; i < list->count; i++)
        pdl_failed_add(w, &list->tasks[i], &results[i]);
    return pdl_failed_end(w);
}

struct pdl_done {
    uint64_t *fp; /* sorted */
    size_t n, cap;
    char **partials; /* dead runs' partial timelines read */
    size_t npartials;
    char lists[PDL_LISTS_MAX]; /* the timeline's lists= key */
    atomic_size_t matched;     /* tasks of this run found by URL */
};

static uint64_t fingerprint(const char *url)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a, then a final mix */

    for (; *url; url++)
        h = (h ^ (unsigned char)*url) * 1099511628211u;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    h ^= h >> 33;
    return h;
}

static void add_row(void *ctx, size_t id, const struct pdl_result *r,
                    const char *url)
{
    struct pdl_done *d = ctx;

    (void)id;
    if (!pdl_result_ok(r))
        return;
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 1024;
        d->fp = pdl_xrealloc(d->fp, d->cap, sizeof(*d->fp));
    }
    d->fp[d->n++] = fingerprint(url);
}

/* Adds the done rows of the timeline at path. 1 if read, 0 if missing,
 * -1 (err set) if unreadable. */
static int add_timeline(struct pdl_done *d, const char *path, char *err,
                        size_t errsz)
{
    struct pdl_timeline tl;
    char why[256];
    FILE *in = fopen(path, "r");
    int rc;

    if (!in && errno == ENOENT)
        return 0;
    if (!in) {
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        return -1;
    }
    rc = pdl_timeline_each(in, &tl, add_row, d, why, sizeof(why));
    if (rc == PDL_ERR_IO)
        snprintf(why, sizeof(why), "%s", strerror(errno ? errno : EIO));
    fclose(in);
    if (rc != PDL_OK) {
        snprintf(err, errsz, "%s: %s", path, why);
        return -1;
    }
    /* The lists of the first timeline that names them (the one named
     * first, then the partials of killed runs beside it). */
    if (!d->lists[0])
        snprintf(d->lists, sizeof(d->lists), "%s", tl.info.lists);
    pdl_timeline_cleanup(&tl);
    return 1;
}

/* The PID of a "BASE.part-PID" name, or 0. */
static long part_pid(const char *name, const char *base)
{
    size_t n = strlen(base);
    char *end;

    if (strncmp(name, base, n) != 0 || strncmp(name + n, ".part-", 6) != 0)
        return 0;
    long pid = strtol(name + n + 6, &end, 10);
    return (*end == '\0' && pid > 0) ? pid : 0;
}

/* Adds the partial timelines of dead runs beside path. */
static int add_partials(struct pdl_done *d, const char *path, size_t *from,
                        char *err, size_t errsz)
{
    char *dcopy = pdl_xstrdup(path), *bcopy = pdl_xstrdup(path);
    const char *dir = dirname(dcopy), *base = basename(bcopy);
    DIR *dh = opendir(dir);
    struct dirent *e;
    int rc = 0;

    while (dh && rc == 0 && (e = readdir(dh))) {
        long pid = part_pid(e->d_name, base);
        if (pid == 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        char *p = pdl_xmalloc(n);
        snprintf(p, n, "%s/%s", dir, e->d_name);
        int got = add_timeline(d, p, err, errsz);
        if (got > 0) {
            d->partials =
                pdl_xrealloc(d->partials, d->npartials + 1, sizeof(char *));
            d->partials[d->npartials++] = p;
            (*from)++;
        } else {
            free(p);
        }
        /* A partial timeline that cannot be read is only skipped. */
        err[0] = '\0';
    }
    if (dh)
        closedir(dh);
    free(dcopy);
    free(bcopy);
    return rc;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

struct pdl_done *pdl_done_load(const char *path, size_t *from, char *err,
                               size_t errsz)
{
    struct pdl_done *d = pdl_xcalloc(1, sizeof(*d));
    int got = add_timeline(d, path, err, errsz);

    *from = got > 0;
    if (got < 0 || add_partials(d, path, from, err, errsz) != 0) {
        pdl_done_destroy(d);
        return NULL;
    }
    if (d->n > 0)
        qsort(d->fp, d->n, sizeof(*d->fp), cmp_u64);
    return d;
}

void pdl_done_destroy(struct pdl_done *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->npartials; i++)
        free(d->partials[i]);
    free(d->partials);
    free(d->fp);
    free(d);
}

size_t pdl_done_count(const struct pdl_done *d)
{
    return d->n;
}

size_t pdl_done_partials(const struct pdl_done *d)
{
    return d->npartials;
}

bool pdl_done_has(struct pdl_done *d, const struct pdl_task *t, int dirfd)
{
    uint64_t fp = fingerprint(t->url);
    struct stat st;

    if (d->n == 0 || !bsearch(&fp, d->fp, d->n, sizeof(fp), cmp_u64))
        return false;
    atomic_fetch_add_explicit(&d->matched, 1, memory_order_relaxed);
    /* With --discard there is no file to look for: done is done. */
    return dirfd < 0 || (t->name && fstatat(dirfd, t->name, &st, 0) == 0 &&
                         S_ISREG(st.st_mode));
}

size_t pdl_done_matched(const struct pdl_done *d)
{
    return atomic_load_explicit(&d->matched, memory_order_relaxed);
}

const char *pdl_done_lists(const struct pdl_done *d)
{
    return d->lists;
}

void pdl_done_forget_partials(const struct pdl_done *d)
{
    for (size_t i = 0; d && i < d->npartials; i++)
        unlink(d->partials[i]);
}
