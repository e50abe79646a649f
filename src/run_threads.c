/* Threads mode: a pool of W pthreads, each with its own curl handle, taking
 * tasks from the run's scheduler. */
#include "pdl/runner.h"

#include <pthread.h>
#include <stdlib.h>

struct thread_arg {
    struct pdl_run *run;
    struct pdl_fetch_config fc;
    struct pdl_work work;
    unsigned worker;
};

static void *thread_main(void *p)
{
    struct thread_arg *a = p;

    pdl_worker_run(&a->fc, &a->run->shared->gate, &a->run->shared->counters,
                   &a->work, a->worker, NULL);
    return NULL;
}

static int run_threads(struct pdl_run *run, void *ctx)
{
    unsigned n = run->workers;
    pthread_t *tids = pdl_xcalloc(n ? n : 1, sizeof(*tids));
    struct thread_arg *args = pdl_xcalloc(n ? n : 1, sizeof(*args));
    unsigned started = 0;
    int rc = PDL_OK;

    (void)ctx;
    run->shared->counters.workers = n;
    for (; started < n; started++) {
        args[started] = (struct thread_arg){run, pdl_run_fetch_config(run),
                                            pdl_run_work(run), started};
        if (pthread_create(&tids[started], NULL, thread_main, &args[started]) !=
            0)
            break;
    }
    /* Without all its threads the run is not what was asked for: stop the
     * ones that did start after their current task and report. */
    if (started < n) {
        atomic_store(&run->shared->stop, 1);
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
    /* A socket and its curl_multi's wake-up pair each. */
    .fds_per_worker = 3,
};
