/* Serial mode: one worker, in the calling thread, one task after another. */
#include "pdl/runner.h"

#include <stdlib.h>

static int run_serial(const struct pdl_job *job, struct pdl_result *results)
{
    struct pdl_board *board = pdl_xcalloc(1, pdl_board_size(1));

    pdl_board_init(board, job->list->count, 1);
    pdl_worker_run(job, board, results, 0);
    free(board);
    return PDL_OK;
}

const struct pdl_runner pdl_runner_serial = {
    .name = "serial",
    .help = "one task after another in one thread (-w is ignored)",
    .run = run_serial,
};
