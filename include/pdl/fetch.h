/* Performing one task on a curl easy handle owned by the calling worker.
 * The fetcher neither knows nor cares which mode runs it: blocking modes call
 * pdl_fetch_perform between pdl_fetch_begin and pdl_fetch_end; an event
 * loop drives the same handle between them itself. */
#ifndef PDL_FETCH_H
#define PDL_FETCH_H

#include <curl/curl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "pdl/counters.h"
#include "pdl/job.h"
#include "pdl/result.h"
#include "pdl/tasklist.h"

struct pdl_fetcher;

/* What fetch needs of the run that uses it, and nothing more. */
struct pdl_fetch_config {
    const struct pdl_options *opt;
    int out_dirfd;          /* output folder, -1 if discarding */
    pdl_monotime t0;        /* the run's start: records are offsets from it */
    const atomic_int *stop; /* set: abort the transfer */
    atomic_llong *bytes;    /* body bytes received, counted live; NULL:
                               not counted (nothing watches) */
    /* Where transfers in flight say their size and progress for a display,
     * NULL when nothing watches (no cost then). */
    struct pdl_counters *live;
    /* Nothing reads a record's phase times or connection (no timeline, no
     * summary, no export): skip asking libcurl for them. */
    bool no_details;
};

/* Creates the fetcher of one worker (or one transfer slot), with its own
 * curl handle so that its connections are kept alive from task to task.
 * Must not be shared between threads. cfg is copied; what it points to
 * must outlive the fetcher. Transfers abort soon after *cfg->stop is set.
 * Returns NULL if libcurl could not make a handle. */
struct pdl_fetcher *pdl_fetcher_create(const struct pdl_fetch_config *cfg,
                                       unsigned worker);

void pdl_fetcher_destroy(struct pdl_fetcher *f);

/* One task on the fetcher's handle, for a blocking loop or an event loop.
 * begin records the start in *out and prepares the handle it returns for
 * the first attempt; t (url, name) must stay valid until the task is
 * settled. end takes the attempt's result code, fills *out and settles the
 * file (a temporary file renamed to the task's name only on success; on
 * failure no file is left behind, or with --continue a partial one); it
 * returns -1 when the task is settled, or the milliseconds to wait before
 * pdl_fetch_retry prepares the handle for another attempt (then
 * out->status is still PDL_ST_RUNNING). A failed download is recorded in
 * *out (status, error), never returned. */
CURL *pdl_fetch_begin(struct pdl_fetcher *f, const struct pdl_task *t,
                      struct pdl_result *out);
long pdl_fetch_end(struct pdl_fetcher *f, CURLcode rc, struct pdl_result *out);
CURL *pdl_fetch_retry(struct pdl_fetcher *f, struct pdl_result *out);
/* For a blocking loop: runs the attempt prepared on c (the handle begin or
 * retry returned) to its end and returns its code, for pdl_fetch_end. */
CURLcode pdl_fetch_perform(struct pdl_fetcher *f, CURL *c);

#endif
