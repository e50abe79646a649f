/* The runner table, the shared board, and the worker loop all modes run. */
#include "pdl/runner.h"
#include "pdl/fetch.h"

#include <string.h>

const struct pdl_runner *const pdl_runners[] = {
    &pdl_runner_serial,
    &pdl_runner_threads,
    &pdl_runner_processes,
    NULL,
};

const struct pdl_runner *pdl_runner_find(const char *name)
{
    for (size_t i = 0; pdl_runners[i]; i++)
        if (strcmp(pdl_runners[i]->name, name) == 0)
            return pdl_runners[i];
    return NULL;
}

size_t pdl_board_size(unsigned workers)
{
    return sizeof(struct pdl_board) + workers * sizeof(atomic_llong);
}

void pdl_board_init(struct pdl_board *board, size_t count, unsigned workers)
{
    atomic_init(&board->next, 0);
    board->count = count;
    atomic_init(&board->stop, 0);
    board->workers = workers;
    for (unsigned w = 0; w < workers; w++)
        atomic_init(&board->held[w], -1);
}

bool pdl_board_take(struct pdl_board *board, unsigned worker, size_t *task)
{
    size_t id;

    if (atomic_load(&board->stop))
        return false;
    id = atomic_fetch_add(&board->next, 1);
    if (id >= board->count)
        return false;
    atomic_store(&board->held[worker], (long long)id);
    *task = id;
    return true;
}

void pdl_worker_run(const struct pdl_job *job, struct pdl_board *board,
                    struct pdl_result *results, unsigned worker)
{
    struct pdl_fetcher *f = pdl_fetcher_create(job, worker);
    size_t id;

    if (!f)
        return;
    while (pdl_board_take(board, worker, &id)) {
        /* Marked first so that, if this worker dies, the parent knows when
         * the task began. */
        results[id].worker = (int32_t)worker;
        results[id].start_ns = pdl_now() - job->t0;
        results[id].status = PDL_ST_RUNNING;
        pdl_fetch(f, id, &results[id]);
        atomic_store(&board->held[worker], -1);
    }
    pdl_fetcher_destroy(f);
}

unsigned pdl_workers_needed(const struct pdl_job *job)
{
    size_t n = job->list->count;
    unsigned w = job->opt->workers;

    if (n == 0)
        return 0;
    return n < w ? (unsigned)n : w;
}
