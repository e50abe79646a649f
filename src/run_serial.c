/* Serial mode: one worker, in the calling thread, one task after another. */
#include "pdl/runner.h"

static int run_serial(const struct pdl_job *job, struct pdl_board *board)
{
    if (job->list->count > 0)
        pdl_worker_run(job, board, 0);
    return PDL_OK;
}

const struct pdl_runner pdl_runner_serial = {
    .name = "serial",
    .help = "one task after another in one thread (-w is ignored)",
    .run = run_serial,
};
