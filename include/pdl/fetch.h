/* Performing one task on a curl easy handle owned by the calling worker.
 * The fetcher neither knows nor cares which mode runs it. */
#ifndef PDL_FETCH_H
#define PDL_FETCH_H

#include <stddef.h>

#include "pdl/job.h"
#include "pdl/result.h"

struct pdl_fetcher;

/* Creates the fetcher of one worker, with its own curl handle so that its
 * connections are kept alive from task to task. Must not be shared between
 * threads. Returns NULL if libcurl could not make a handle. */
struct pdl_fetcher *pdl_fetcher_create(const struct pdl_job *job,
                                       unsigned worker);

/* Downloads task id and fills *out completely. A failed download is recorded
 * in *out (status, error), never returned: this cannot fail as a call. The
 * body goes to a temporary file renamed to the task's name only on success;
 * on failure no file is left behind. */
void pdl_fetch(struct pdl_fetcher *f, size_t id, struct pdl_result *out);

void pdl_fetcher_destroy(struct pdl_fetcher *f);

#endif
