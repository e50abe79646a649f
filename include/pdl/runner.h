/* The one interface every mode implements. A mode decides only how tasks are
 * spread over workers; every worker takes tasks from the same shared board
 * by the same scheduling rule, and every task is performed by pdl_fetch. */
#ifndef PDL_RUNNER_H
#define PDL_RUNNER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "pdl/job.h"
#include "pdl/result.h"

struct pdl_board;

struct pdl_runner {
    const char *name;
    const char *help; /* one line for --help */
    /* Set when this build cannot run the mode: why, for --mode's error (the
     * mpi mode without MPI). run is then never called. */
    const char *unavailable;
    /* Runs the tasks of job, filling board->results[i] for task i, until
     * the board is empty or stopped. Returns PDL_OK, or PDL_ERR_SYSTEM if the
     * mode could not start its workers; tasks that never ran keep status
     * PDL_ST_PENDING. */
    int (*run)(const struct pdl_job *job, struct pdl_board *board);
};

extern const struct pdl_runner pdl_runner_serial;
extern const struct pdl_runner pdl_runner_threads;
extern const struct pdl_runner pdl_runner_processes;
extern const struct pdl_runner pdl_runner_async;
extern const struct pdl_runner pdl_runner_mpi;

/* Every mode, in the order --help lists them, NULL-terminated. */
extern const struct pdl_runner *const pdl_runners[];

/* The runner called name, or NULL. */
const struct pdl_runner *pdl_runner_find(const char *name);

/* What one worker holds: a claimed range of tasks [cur, end) and the task
 * in progress. Kept on the board, not in the worker, so that a replacement
 * for a dead worker process carries on where it stopped. */
struct pdl_slot {
    atomic_size_t cur;
    atomic_size_t end;
    atomic_llong held; /* task in progress, -1 when idle */
};

/* Where a board's tasks come from when they are not all handed out from its
 * own counter: the mpi mode's ranks other than 0 get ranges of task ids from
 * rank 0, and rank 0 shares its counter with them. Both hooks are called by
 * the workers of the board, from whichever thread runs them, with nothing
 * locked; they must be safe to call from several threads at once. */
struct pdl_board_feed {
    /* Gives the calling worker its next range of at most want tasks,
     * [*first, *first + *n) with *n > 0; may block until tasks arrive.
     * False when there are no more for this board. */
    bool (*refill)(void *ctx, size_t want, size_t *first, size_t *n);
    /* Told that task ended, its record complete in results[task]; NULL if
     * nobody needs telling. */
    void (*finished)(void *ctx, size_t task);
    void *ctx;
};

/* Hosts are counted in a fixed table: two hosts that share an entry share a
 * cap, which errs on the polite side. */
#define PDL_HOST_SLOTS 1024

/* The shared state of one run: scheduling, progress counters and results.
 * Lock-free, and mapped shared, so it works alike between threads and
 * between forked processes; a signal handler may set stop. */
struct pdl_board {
    size_t count; /* tasks */
    unsigned workers;
    enum pdl_schedule schedule;
    size_t chunk;            /* tasks claimed at a time (dynamic) */
    atomic_size_t next;      /* first task not yet claimed (dynamic) */
    atomic_int stop;         /* set: hand out nothing more, abort transfers */
    atomic_size_t done;      /* tasks finished, whatever their outcome */
    atomic_size_t failed;    /* of those, not ok */
    atomic_llong bytes;      /* body bytes received so far, live */
    int64_t start_gap_ns;    /* --rate: least time between starts; 0 none */
    atomic_llong next_start; /* monotime from which the next may start */
    unsigned per_host;       /* --per-host: transfers per host; 0 none */
    bool per_host_loopback;  /* the cap applies to loopback hosts too */
    atomic_uint host_busy[PDL_HOST_SLOTS]; /* transfers per host entry */
    const struct pdl_board_feed *feed;     /* NULL: tasks come from next */
    struct pdl_result *results; /* count records, in the same mapping */
    struct pdl_slot slot[];     /* one per worker */
};

/* Creates a zeroed board and result array for count tasks and workers
 * workers, in memory shared with children forked later. Returns NULL if the
 * memory could not be mapped. */
struct pdl_board *pdl_board_create(size_t count, unsigned workers,
                                   enum pdl_schedule schedule, size_t chunk);

void pdl_board_destroy(struct pdl_board *board);

/* Applies --rate and --per-host to the board (before the run starts). */
void pdl_board_limits(struct pdl_board *board, double starts_per_second,
                      unsigned per_host, bool loopback_too);

/* Claims the next start time --rate allows, spacing starts evenly across
 * all workers, threads or processes; returns when this start may happen
 * (now, if there is no rate). */
pdl_monotime pdl_board_pace(struct pdl_board *board, pdl_monotime now);

/* Takes one of the --per-host transfers of host entry key (from
 * pdl_url_host_key; 0, loopback, is capped only if loopback_too). False if
 * all are taken. */
bool pdl_board_host_enter(struct pdl_board *board, unsigned key);
void pdl_board_host_leave(struct pdl_board *board, unsigned key);

/* Claims the next task for worker into *task and records it as held.
 * Dynamic: ranges of chunk tasks from one shared counter, in list order.
 * Static: worker w owns the w-th of workers contiguous slices, decided up
 * front. Returns false when the worker has no task left or the run was
 * stopped. */
bool pdl_board_take(struct pdl_board *board, unsigned worker, size_t *task);

/* Records the end of the task worker held, outcome in results[task], and
 * tells the feed if there is one. */
void pdl_board_finish(struct pdl_board *board, unsigned worker, size_t task);

/* Takes up to n tasks from the shared counter, for a feed or for workers
 * elsewhere (other ranks of the mpi mode): the range [*first, *first +
 * return value), 0 when none are left. */
size_t pdl_board_grab(struct pdl_board *board, size_t n, size_t *first);

/* Records the outcome r of task, performed elsewhere, into results[task] and
 * counts it and its bytes, as a local worker's transfer and
 * pdl_board_finish do. */
void pdl_board_record(struct pdl_board *board, size_t task,
                      const struct pdl_result *r);

/* The loop every worker runs, in every mode: take a task, fetch it, until
 * the board has nothing left for this worker. */
void pdl_worker_run(const struct pdl_job *job, struct pdl_board *board,
                    unsigned worker);

/* How many workers a mode starts for job: no more than there are tasks. */
unsigned pdl_workers_needed(const struct pdl_job *job);

#endif
