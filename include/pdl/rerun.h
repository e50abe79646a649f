/* Running again what did not finish: the failed list (a URL list of the
 * failures, in the input format) and --continue (skipping what an earlier
 * run completed). */
#ifndef PDL_RERUN_H
#define PDL_RERUN_H

#include <stddef.h>
#include <stdio.h>

#include "pdl/result.h"
#include "pdl/tasklist.h"

/* Writes every task that is not ok as a URL line, preceded by a comment
 * line with its status and reason, so that `pdl FILE` runs exactly those
 * again. Returns PDL_OK or PDL_ERR_IO (errno set). */
int pdl_failed_write(FILE *out, const struct pdl_tasklist *list,
                     const struct pdl_result *results);

/* Marks PDL_ST_SKIPPED in results every task that the earlier timeline at
 * path records as ok and whose file is in the folder dirfd, and returns how
 * many. A missing timeline skips nothing and is no error; an unreadable or
 * malformed one returns (size_t)-1 with err saying why. */
size_t pdl_rerun_skip_done(const char *path, const struct pdl_tasklist *list,
                           int dirfd, struct pdl_result *results, char *err,
                           size_t errsz);

#endif
