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

/* The two halves of pdl_fetch, for an event loop. begin records the start
 * in *out (so a crash still leaves when the task began) and prepares the
 * handle it returns; end takes the transfer's result code, fills *out and
 * settles the file. */
CURL *pdl_fetch_begin(struct pdl_fetcher *f, size_t id, struct pdl_result *out);
void pdl_fetch_end(struct pdl_fetcher *f, CURLcode rc, struct pdl_result *out);

#endif
