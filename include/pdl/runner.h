/* The one interface every mode implements. A mode decides only how tasks are
 * spread over workers; every worker runs the same loop over the same shared
 * board, and every task is performed by pdl_fetch. */
#ifndef PDL_RUNNER_H
#define PDL_RUNNER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "pdl/job.h"
#include "pdl/result.h"

struct pdl_runner {
    const char *name;
    const char *help; /* one line for --help */
    /* Runs every task of job, filling results[i] (zeroed by the caller) for
     * task i. Returns PDL_OK, or PDL_ERR_SYSTEM if the mode could not start
     * its workers; tasks that never ran keep status PDL_ST_PENDING. */
    int (*run)(const struct pdl_job *job, struct pdl_result *results);
};

extern const struct pdl_runner pdl_runner_serial;
extern const struct pdl_runner pdl_runner_threads;
extern const struct pdl_runner pdl_runner_processes;

/* Every mode, in the order --help lists them, NULL-terminated. */
extern const struct pdl_runner *const pdl_runners[];

/* The runner called name, or NULL. */
const struct pdl_runner *pdl_runner_find(const char *name);

/* The shared state of one run: which task comes next and which task each
 * worker holds. Lock-free, so it works between threads and, placed in
 * shared memory, between processes. */
struct pdl_board {
    atomic_size_t next; /* next task id to hand out */
    size_t count;
    atomic_int stop; /* when set, no further task is handed out */
    unsigned workers;
    atomic_llong held[]; /* task each worker runs, -1 when idle */
};

/* Bytes needed for a board of that many workers. */
size_t pdl_board_size(unsigned workers);

/* Prepares board (of pdl_board_size(workers) bytes) for count tasks. */
void pdl_board_init(struct pdl_board *board, size_t count, unsigned workers);

/* Claims the next task for worker into *task and records it as held.
 * Returns false when no task is left or the run was stopped. */
bool pdl_board_take(struct pdl_board *board, unsigned worker, size_t *task);

/* The loop every worker runs, in every mode: take a task, fetch it into
 * results, until the board is empty. */
void pdl_worker_run(const struct pdl_job *job, struct pdl_board *board,
                    struct pdl_result *results, unsigned worker);

/* How many workers a mode should start: no more than there are tasks. */
unsigned pdl_workers_needed(const struct pdl_job *job);

#endif
