/* Performing one task on a curl easy handle owned by the calling worker.
 * The fetcher neither knows nor cares which mode runs it: blocking modes call
 * pdl_fetch; an event loop drives the same handle between pdl_fetch_begin
 * and pdl_fetch_end itself. */
#ifndef PDL_FETCH_H
#define PDL_FETCH_H

#include <curl/curl.h>
#include <stddef.h>

#include "pdl/job.h"
#include "pdl/result.h"

struct pdl_board;
struct pdl_fetcher;

/* Creates the fetcher of one worker (or one transfer slot), with its own
 * curl handle so that its connections are kept alive from task to task.
 * Must not be shared between threads. Transfers abort soon after
 * board->stop is set. Returns NULL if libcurl could not make a handle. */
struct pdl_fetcher *pdl_fetcher_create(const struct pdl_job *job,
                                       struct pdl_board *board,
                                       unsigned worker);

void pdl_fetcher_destroy(struct pdl_fetcher *f);

/* Downloads task id and fills *out completely. A failed download is recorded
 * in *out (status, error), never returned: this cannot fail as a call. The
 * body goes to a temporary file renamed to the task's name only on success;
 * on failure no file is left behind. */
void pdl_fetch(struct pdl_fetcher *f, size_t id, struct pdl_result *out);

/* The parts of pdl_fetch, for an event loop. begin records the start in
 * *out (so a crash still leaves when the task began) and prepares the
 * handle it returns for the first attempt. end takes the attempt's result
 * code, fills *out and settles the file; it returns -1 when the task is
 * settled, or the milliseconds to wait before pdl_fetch_retry prepares the
 * handle for another attempt (then *out->status is still PDL_ST_RUNNING). */
CURL *pdl_fetch_begin(struct pdl_fetcher *f, size_t id, struct pdl_result *out);
long pdl_fetch_end(struct pdl_fetcher *f, CURLcode rc, struct pdl_result *out);
CURL *pdl_fetch_retry(struct pdl_fetcher *f, struct pdl_result *out);

#endif
