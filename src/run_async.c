/* Async mode: one thread drives curl_multi with at most W transfers in
 * flight, starting the next task the moment one ends. The worker column of
 * the timeline is the transfer slot. Only W handles exist, however long the
 * list. */
#include "pdl/fetch.h"
#include "pdl/runner.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdlib.h>

struct slot {
    struct pdl_fetcher *fetcher;
    size_t task;
    bool busy;             /* a transfer of it is in the multi handle */
    pdl_monotime retry_at; /* waiting to try task again; 0 if not */
};

struct loop {
    const struct pdl_job *job;
    struct pdl_board *board;
    CURLM *multi;
    struct slot *slot;
    unsigned n;
    unsigned busy;    /* slots with a transfer in flight */
    unsigned waiting; /* slots waiting to retry */
};

static void start_next(struct loop *l, unsigned s);

/* Settles the attempt that slot s ran and decides what the slot does next:
 * wait to try the same task again, or take the next one. */
static void settle(struct loop *l, unsigned s, CURLcode rc)
{
    struct slot *sl = &l->slot[s];
    long wait = pdl_fetch_end(sl->fetcher, rc, &l->board->results[sl->task]);

    if (wait >= 0) {
        sl->retry_at = pdl_now() + (pdl_monotime)wait * 1000000 + 1;
        l->waiting++;
        return;
    }
    pdl_board_finish(l->board, s, sl->task);
    start_next(l, s);
}

static void launch(struct loop *l, unsigned s, CURL *h)
{
    struct slot *sl = &l->slot[s];

    curl_easy_setopt(h, CURLOPT_PRIVATE, (void *)(uintptr_t)s);
    if (curl_multi_add_handle(l->multi, h) != CURLM_OK) {
        settle(l, s, CURLE_OUT_OF_MEMORY);
        return;
    }
    sl->busy = true;
    l->busy++;
}

/* Gives slot s its next task, if the board has one. */
static void start_next(struct loop *l, unsigned s)
{
    struct slot *sl = &l->slot[s];
    size_t id;

    if (!pdl_board_take(l->board, s, &id))
        return;
    sl->task = id;
    launch(l, s, pdl_fetch_begin(sl->fetcher, id, &l->board->results[id]));
}

/* A retry that will not happen: the run was stopped while it waited. */
static void settle_stopped(struct loop *l, unsigned s)
{
    size_t id = l->slot[s].task;

    pdl_result_fail(&l->board->results[id], PDL_ST_INTERRUPTED,
                    "interrupted while waiting to retry");
    pdl_board_finish(l->board, s, id);
}

/* Starts the retries that are due; returns the ms until the next one, or
 * 1000 if none waits (a stop is still seen within a second). */
static int run_due(struct loop *l)
{
    pdl_monotime now = pdl_now(), next = 0;
    int ms;

    for (unsigned s = 0; s < l->n; s++) {
        struct slot *sl = &l->slot[s];
        if (!sl->retry_at)
            continue;
        if (atomic_load(&l->board->stop) || sl->retry_at <= now) {
            sl->retry_at = 0;
            l->waiting--;
            if (atomic_load(&l->board->stop))
                settle_stopped(l, s);
            else
                launch(l, s, pdl_fetch_retry(sl->fetcher,
                                             &l->board->results[sl->task]));
        } else if (!next || sl->retry_at < next) {
            next = sl->retry_at;
        }
    }
    ms = next ? (int)((next - now) / 1000000) + 1 : 1000;
    return ms < 1000 ? ms : 1000;
}

/* Settles every transfer that ended and refills its slot. */
static void reap(struct loop *l)
{
    CURLMsg *m;
    int left;

    while ((m = curl_multi_info_read(l->multi, &left))) {
        uintptr_t s = 0;
        if (m->msg != CURLMSG_DONE)
            continue;
        CURL *h = m->easy_handle;
        CURLcode rc = m->data.result;
        curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&s);
        curl_multi_remove_handle(l->multi, h);
        l->slot[s].busy = false;
        l->busy--;
        settle(l, (unsigned)s, rc);
    }
}

static int drive(struct loop *l)
{
    int running = 0;

    for (unsigned s = 0; s < l->n; s++)
        start_next(l, s);
    while (l->busy > 0 || l->waiting > 0) {
        if (curl_multi_perform(l->multi, &running) != CURLM_OK)
            return PDL_ERR_CURL;
        reap(l);
        int timeout = run_due(l);
        if (l->busy == 0 && l->waiting == 0)
            break;
        /* Wakes at least once a second so that a stop is seen even on a
         * silent connection (the progress callback aborts it). */
        if (curl_multi_poll(l->multi, NULL, 0, timeout, NULL) != CURLM_OK)
            return PDL_ERR_CURL;
    }
    return PDL_OK;
}

static int run_async(const struct pdl_job *job, struct pdl_board *board)
{
    struct loop l = {.job = job, .board = board,
                     .n = pdl_workers_needed(job)};
    int rc = PDL_OK;

    if (l.n == 0)
        return PDL_OK;
    l.multi = curl_multi_init();
    if (!l.multi)
        return PDL_ERR_CURL;
    curl_multi_setopt(l.multi, CURLMOPT_MAXCONNECTS, (long)l.n);
    l.slot = pdl_xcalloc(l.n, sizeof(*l.slot));
    for (unsigned s = 0; s < l.n && rc == PDL_OK; s++) {
        l.slot[s].fetcher = pdl_fetcher_create(job, board, s);
        if (!l.slot[s].fetcher)
            rc = PDL_ERR_CURL;
    }
    if (rc == PDL_OK)
        rc = drive(&l);
    for (unsigned s = 0; s < l.n; s++)
        pdl_fetcher_destroy(l.slot[s].fetcher);
    free(l.slot);
    curl_multi_cleanup(l.multi);
    return rc;
}

const struct pdl_runner pdl_runner_async = {
    .name = "async",
    .help = "one thread, curl_multi, at most W transfers in flight",
    .run = run_async,
};
