/* Threads mode: a pool of W pthreads, each with its own curl handle, taking
 * tasks from one shared board. */
#include "pdl/runner.h"

#include <pthread.h>
#include <stdlib.h>

struct thread_arg {
    const struct pdl_job *job;
    struct pdl_board *board;
    unsigned worker;
};

static void *thread_main(void *p)
{
    struct thread_arg *a = p;

    pdl_worker_run(a->job, a->board, a->worker);
    return NULL;
}

static int run_threads(const struct pdl_job *job, struct pdl_board *board)
{
    unsigned n = pdl_workers_needed(job);
    pthread_t *tids = pdl_xcalloc(n, sizeof(*tids));
    struct thread_arg *args = pdl_xcalloc(n, sizeof(*args));
    unsigned started = 0;
    int rc = PDL_OK;

    for (; started < n; started++) {
        args[started] = (struct thread_arg){job, board, started};
        if (pthread_create(&tids[started], NULL, thread_main, &args[started]) !=
            0)
            break;
    }
    /* Without all its threads the run is not what was asked for: stop the
     * ones that did start after their current task and report. */
    if (started < n) {
        atomic_store(&board->stop, 1);
        rc = PDL_ERR_SYSTEM;
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    free(args);
    free(tids);
    return rc;
}

const struct pdl_runner pdl_runner_threads = {
    .name = "threads",
    .help = "a pool of W threads sharing one task queue (default)",
    .run = run_threads,
};
