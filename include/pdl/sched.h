/* The scheduler: the only place that knows which task comes next. It reads
 * the lists as the run goes (through the streaming reader), deals tasks to
 * workers by the dynamic or static rule, chunk tasks at a time, and gives
 * each task its file name in list order. Safe to call from several threads;
 * workers in other processes or on other ranks are served by their mode,
 * which calls it on their behalf. */
#ifndef PDL_SCHED_H
#define PDL_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "pdl/durations.h"
#include "pdl/job.h"
#include "pdl/reader.h"
#include "pdl/tasklist.h"

struct pdl_sched_config {
    enum pdl_schedule schedule;
    unsigned chunk;   /* tasks taken at a time (dynamic); 0 means 1 */
    unsigned workers; /* static: slices; dynamic: local queues */
    bool names;       /* plan file names (false with --discard) */
    /* Longest first (dynamic only): tasks these recorded durations hold
     * are held back until the lists end, then handed out longest first;
     * the others go first, in list order, as they are read. NULL: list
     * order. Owned by the scheduler from pdl_sched_create on (freed by
     * pdl_sched_destroy, or by pdl_sched_create if it fails). */
    struct pdl_durations *durations;
};

struct pdl_sched;

/* Creates a scheduler that takes over reader r (freed with it, also on
 * failure). namer (not owned; may be NULL when names is false) gives out
 * the names. The static schedule counts the lists first (stdin is spooled
 * to a temporary file for that) to cut them into workers slices. Returns
 * NULL with err set if that could not be done. */
struct pdl_sched *pdl_sched_create(struct pdl_reader *r,
                                   const struct pdl_sched_config *cfg,
                                   struct pdl_namer *namer, char *err,
                                   size_t errsz);

void pdl_sched_destroy(struct pdl_sched *s);

/* Hands worker (0..workers-1) its next task into *t (which it owns and
 * clears with pdl_task_clear). Dynamic: from the worker's chunk, refilled
 * from the list; static: from the worker's own slice. False when there is
 * no task left for this worker. */
bool pdl_sched_take(struct pdl_sched *s, unsigned worker, struct pdl_task *t);

/* Hands out the next task of the shared queue, for a worker elsewhere (an
 * mpi rank): dynamic only; false for the static schedule or at the end. */
bool pdl_sched_take_any(struct pdl_sched *s, struct pdl_task *t);

/* Puts a task that worker took but never started back at the front of its
 * queue, where the worker (or its replacement) takes it next. t is moved
 * from: it is cleared. */
void pdl_sched_give_back(struct pdl_sched *s, unsigned worker,
                         struct pdl_task *t);

/* After a stop: hands out, one at a time, every task no worker was given
 * (queued, given back, and the rest of the lists if they can be read
 * without waiting: files, not stdin). False when there are none left. */
bool pdl_sched_drain(struct pdl_sched *s, struct pdl_task *t);

/* True if the lists' end was reached, or the rest could not be drained
 * (stdin), so that tasks may remain that were never read. */
bool pdl_sched_unread(const struct pdl_sched *s);

/* Reads ahead until n tasks are waiting to be handed out, or the lists
 * end; returns how many are waiting (at most n). A mode starts no more
 * workers than that. */
uint64_t pdl_sched_prefetch(struct pdl_sched *s, uint64_t n);

/* Tasks the lists hold in all, when known (static counts them), else
 * UINT64_MAX. */
uint64_t pdl_sched_total(const struct pdl_sched *s);

/* The reader the scheduler reads (for counting ahead with
 * pdl_reader_count_all). */
const struct pdl_reader *pdl_sched_reader(const struct pdl_sched *s);

/* Lines of the lists reported and skipped so far. */
size_t pdl_sched_bad(const struct pdl_sched *s);

#endif
