/* Running again what did not finish: the failed list (a URL list of the
 * failures, in the input format, each with the name it was to be saved
 * under) and --continue (skipping what earlier runs completed). */
#ifndef PDL_RERUN_H
#define PDL_RERUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "pdl/result.h"
#include "pdl/tasklist.h"

/* The failed list, written as tasks settle. */
struct pdl_failed_writer;

/* Starts a failed list on out (not owned): a comment line saying how to run
 * it. */
struct pdl_failed_writer *pdl_failed_start(FILE *out);

/* Adds task t if r is not ok: a comment line with its status and reason,
 * the URL, and an indented "out=NAME" line when t has a name, so that
 * `pdl FILE` saves it under the same name. */
void pdl_failed_add(struct pdl_failed_writer *w, const struct pdl_task *t,
                    const struct pdl_result *r);

/* Writes out what is buffered; keeps the first error. Returns PDL_OK or
 * PDL_ERR_IO (errno set). */
int pdl_failed_flush(struct pdl_failed_writer *w);

/* Frees w. Returns PDL_OK, or PDL_ERR_IO (errno set) if a write failed. */
int pdl_failed_end(struct pdl_failed_writer *w);

/* Writes every task that is not ok, as pdl_failed_add does. */
int pdl_failed_write(FILE *out, const struct pdl_tasklist *list,
                     const struct pdl_result *results);

/* What earlier runs finished (--continue): the URLs their timelines record
 * as done, as 64-bit fingerprints (8 bytes a task, not the URLs). */
struct pdl_done;

/* Reads the timeline at path, and the partial timelines that runs killed
 * before they could finish it left beside it ("PATH.part-PID" of a process
 * that is gone). A missing timeline gives an empty set. Returns NULL with
 * err set if a timeline cannot be read or is malformed. *from says how many
 * timelines were read. */
struct pdl_done *pdl_done_load(const char *path, size_t *from, char *err,
                               size_t errsz);

void pdl_done_destroy(struct pdl_done *d);

/* Tasks in the set. */
size_t pdl_done_count(const struct pdl_done *d);

/* Partial timelines of killed runs among those read. */
size_t pdl_done_partials(const struct pdl_done *d);

/* True if t's URL is in d and, when dirfd >= 0, its file is in that
 * folder. Counts the tasks whose URL is in d (pdl_done_matched); safe to
 * call from several threads. */
bool pdl_done_has(struct pdl_done *d, const struct pdl_task *t, int dirfd);

/* Tasks pdl_done_has found in d by URL, file there or not. */
size_t pdl_done_matched(const struct pdl_done *d);

/* The lists= key of the timeline read (as pdl_run_info keeps it; "" when
 * it had none: an older version, or no timeline). */
const char *pdl_done_lists(const struct pdl_done *d);

/* Removes the partial timelines of dead runs that pdl_done_load read,
 * once this run's own timeline holds what they said. */
void pdl_done_forget_partials(const struct pdl_done *d);

#endif
