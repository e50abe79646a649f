/* Modes as rows of one table, and what every mode shares: the run (its
 * scheduler, gate, counters and results stream) and the worker loop of the
 * blocking modes. A mode decides only how workers start and how their
 * results come back; every task is taken through pdl_run_take and performed
 * by fetch. */
#ifndef PDL_RUNNER_H
#define PDL_RUNNER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdl/counters.h"
#include "pdl/fetch.h"
#include "pdl/gate.h"
#include "pdl/job.h"
#include "pdl/result.h"
#include "pdl/results.h"
#include "pdl/sched.h"
#include "pdl/timeline.h"

/* What a run's workers share, in memory that forked workers share too: the
 * stop flag a signal handler sets, the live counters and the gate. */
struct pdl_shared {
    atomic_int stop; /* set: hand out nothing more, abort transfers */
    struct pdl_counters counters;
    struct pdl_gate gate;
};

/* Maps a zeroed shared area. Returns NULL (errno set) if it could not. */
struct pdl_shared *pdl_shared_create(void);
void pdl_shared_destroy(struct pdl_shared *sh);

/* Tasks an earlier run finished (--continue); see rerun.h. */
struct pdl_done;

/* Where a run's tasks come from and its records go when not from its own
 * scheduler and results stream: an mpi rank other than 0 takes the tasks
 * rank 0 granted it and sends the records back. take may block until
 * tasks come; both are called from whichever thread runs a worker. */
struct pdl_run_feed {
    bool (*take)(void *ctx, unsigned worker, struct pdl_task *t);
    void (*settle)(void *ctx, const struct pdl_task *t,
                   const struct pdl_result *r);
    void *ctx;
};

/* A worker index for pdl_run_take that stands for no local worker: a
 * worker elsewhere (another mpi rank), served from the shared queue. */
#define PDL_WORKER_ANY UINT32_MAX

/* One run, as the modes see it. */
struct pdl_run {
    const struct pdl_options *opt;
    int out_dirfd;    /* output folder, -1 if discarding */
    pdl_monotime t0;  /* the run's start */
    unsigned workers; /* to start: -w, or fewer if the list is shorter */
    struct pdl_sched *sched;
    struct pdl_shared *shared;
    struct pdl_results *results;
    struct pdl_done *done;           /* NULL without --continue */
    const struct pdl_run_feed *feed; /* NULL: the scheduler and results */
    /* The run's description, which the timeline's rows name their hosts
     * from: a mode with ranks on several hosts fills in ranks and
     * rank_hosts before its first record settles. */
    struct pdl_run_info *info;
    /* Nothing reads the records' phase times and connections (see
     * pdl_fetch_config): false unless the caller knows. */
    bool no_details;
};

/* The next task for worker (or PDL_WORKER_ANY), into *t (the caller's,
 * cleared with pdl_task_clear): tasks an earlier run finished are settled
 * as skipped on the way. False once the run is stopped or no task is left
 * for worker. */
bool pdl_run_take(struct pdl_run *run, unsigned worker, struct pdl_task *t);

/* Settles task t with its final record r: into the results stream. */
void pdl_run_settle(struct pdl_run *run, const struct pdl_task *t,
                    const struct pdl_result *r);

/* What fetch needs of the run. */
struct pdl_fetch_config pdl_run_fetch_config(const struct pdl_run *run);

/* Where a blocking worker takes its tasks and leaves its results: the run
 * itself (threads, serial), or a channel to it (a forked worker). */
struct pdl_work {
    bool (*take)(void *ctx, unsigned worker, struct pdl_task *t);
    void (*settle)(void *ctx, unsigned worker, const struct pdl_task *t,
                   const struct pdl_result *r);
    void *ctx;
};

/* The work of a run for workers in this process. */
struct pdl_work pdl_run_work(struct pdl_run *run);

/* What one worker holds right now, kept where its parent can read it if
 * the worker dies (shared memory): the task it runs and its host's gate
 * entry. */
struct pdl_worker_state {
    atomic_llong task; /* id of the task started, -1 if none */
    atomic_int host;   /* gate host key held, -1 if none */
};

void pdl_worker_state_init(struct pdl_worker_state *st);

/* The loop every blocking worker runs: take a task, wait at the gate,
 * fetch it (retrying transient failures after a backoff), settle it, until
 * there is none left or the run is stopped. state may be NULL. */
void pdl_worker_run(const struct pdl_fetch_config *fc, struct pdl_gate *gate,
                    struct pdl_counters *counters, const struct pdl_work *work,
                    unsigned worker, struct pdl_worker_state *state);

/* Sleeps until the monotime at, in short steps; false if stop was set
 * meanwhile. */
bool pdl_nap_until(const atomic_int *stop, pdl_monotime at);

struct pdl_runner {
    const char *name;
    const char *help; /* one line for --help */
    /* Set when this build cannot run the mode: why, for --mode's error (the
     * mpi mode without MPI). Nothing else is then called. */
    const char *unavailable;
    /* Descriptors one worker holds in this process, at least, while it
     * transfers: a run of W asks for PDL_FDS_BASE + W x this (fdlimit.h). */
    unsigned fds_per_worker;
    /* Optional, first of all (before the lists are read): sets up what the
     * mode needs in *ctx. In a process that only serves another (an mpi
     * rank other than 0) it serves, and returns the exit status, >= 0;
     * else -1, and the run goes on. May change argc and argv. */
    int (*setup)(int *argc, char ***argv, const struct pdl_options *opt,
                 void **ctx);
    /* Runs the tasks of run until the scheduler has none left or the run is
     * stopped. Returns PDL_OK, or PDL_ERR_SYSTEM if the mode could not
     * start its workers. */
    int (*run)(struct pdl_run *run, void *ctx);
    /* Optional: adds what the mode knows to the run's description (the
     * mpi mode's ranks and hosts), after run. */
    void (*describe)(void *ctx, struct pdl_run_info *info);
    /* Optional: the workers the run had in all, when a mode has more than
     * the W of one process (the ranks of the mpi mode). */
    unsigned (*total_workers)(void *ctx, unsigned workers);
    /* Optional: frees ctx; last of all. */
    void (*teardown)(void *ctx);
};

extern const struct pdl_runner pdl_runner_serial;
extern const struct pdl_runner pdl_runner_threads;
extern const struct pdl_runner pdl_runner_processes;
extern const struct pdl_runner pdl_runner_async;

/* The event loops async mode runs for W workers (not on an mpi rank, which
 * runs one): one for every 16 workers, at most one per CPU this process may
 * use; one with --http2 or --http2-prior-knowledge, whose streams must
 * share the connections of one curl_multi. */
unsigned pdl_async_loops(const struct pdl_options *opt, unsigned workers);
/* In pdl, the mpi mode's row only becomes pdl-mpi, the binary that alone
 * links MPI (run_mpi_relay.c); pdl-mpi runs the mode's own row. */
extern const struct pdl_runner pdl_runner_mpi;
extern const struct pdl_runner pdl_runner_mpi_ranks;
#define PDL_MPI_HELP                                                           \
    "under mpirun: rank 0 hands out tasks, each rank runs W at once"

/* Every mode, in the order --help lists them, NULL-terminated. */
extern const struct pdl_runner *const pdl_runners[];

/* The runner called name, or NULL. */
const struct pdl_runner *pdl_runner_find(const char *name);

#endif
