/* Serial mode: one worker, in the calling thread, one task after another. */
#include "pdl/runner.h"

static int run_serial(struct pdl_run *run, void *ctx)
{
    struct pdl_fetch_config fc = pdl_run_fetch_config(run);
    struct pdl_work work = pdl_run_work(run);

    (void)ctx;
    run->shared->counters.workers = 1;
    pdl_worker_run(&fc, &run->shared->gate, &run->shared->counters, &work, 0,
                   NULL);
    return PDL_OK;
}

const struct pdl_runner pdl_runner_serial = {
    .name = "serial",
    .help = "one task after another in one thread (-w is ignored)",
    .run = run_serial,
    /* Its socket and its curl_multi's wake-up pair. */
    .fds_per_worker = 3,
};
