/* The runner table, the run's shared area, and the loop every blocking
 * worker runs: take, wait at the gate, fetch (with retries), settle. */
#include "pdl/runner.h"
#include "pdl/request.h"
#include "pdl/rerun.h"

#include <string.h>
#include <sys/mman.h>
#include <time.h>

const struct pdl_runner *const pdl_runners[] = {
    &pdl_runner_serial, &pdl_runner_threads, &pdl_runner_processes,
    &pdl_runner_async,  &pdl_runner_mpi,     NULL,
};

const struct pdl_runner *pdl_runner_find(const char *name)
{
    for (size_t i = 0; pdl_runners[i]; i++)
        if (strcmp(pdl_runners[i]->name, name) == 0)
            return pdl_runners[i];
    return NULL;
}

struct pdl_shared *pdl_shared_create(void)
{
    struct pdl_shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
                                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    if (sh == MAP_FAILED)
        return NULL;
    atomic_init(&sh->stop, 0);
    pdl_counters_init(&sh->counters);
    pdl_gate_init(&sh->gate, 0, 0, false);
    return sh;
}

void pdl_shared_destroy(struct pdl_shared *sh)
{
    if (sh)
        munmap(sh, sizeof(*sh));
}

/* Done by an earlier run: its file is there (never in -x folders:
 * --continue refuses them, but the path is made the one way anyway). */
static void note_done_file(const struct pdl_run *run, const struct pdl_task *t,
                           struct pdl_result *r)
{
    char path[PDL_PATH_MAX + PDL_NAME_MAX + 1];

    if (t->name && run->out_dirfd >= 0 &&
        pdl_request_path(run->opt, t, t->name, path, sizeof(path)) == PDL_OK)
        snprintf(r->file, sizeof(r->file), "%.*s", (int)sizeof(r->file) - 1,
                 path);
}

bool pdl_run_take(struct pdl_run *run, unsigned worker, struct pdl_task *t)
{
    if (run->feed)
        return !atomic_load(&run->shared->stop) &&
               run->feed->take(run->feed->ctx, worker, t);
    for (;;) {
        if (atomic_load(&run->shared->stop))
            return false;
        if (!(worker == PDL_WORKER_ANY ? pdl_sched_take_any(run->sched, t)
                                       : pdl_sched_take(run->sched, worker, t)))
            return false;
        struct pdl_result r = {.status = PDL_ST_SKIPPED};
        bool done = run->done && pdl_done_has(run->done, t, run->out_dirfd);
        if (!done && !pdl_request_exists(run->opt, run->out_dirfd, t, &r))
            return true;
        if (done)
            note_done_file(run, t, &r);
        pdl_run_settle(run, t, &r);
        pdl_task_clear(t);
    }
}

void pdl_run_settle(struct pdl_run *run, const struct pdl_task *t,
                    const struct pdl_result *r)
{
    if (run->feed)
        run->feed->settle(run->feed->ctx, t, r);
    else
        pdl_results_push(run->results, t, r);
}

/* Bytes are counted as they come only for a display: a shared counter
 * touched on every read costs the fast runs without one. */
struct pdl_fetch_config pdl_run_fetch_config(const struct pdl_run *run)
{
    struct pdl_counters *c = &run->shared->counters;

    return (struct pdl_fetch_config){.opt = run->opt,
                                     .out_dirfd = run->out_dirfd,
                                     .t0 = run->t0,
                                     .stop = &run->shared->stop,
                                     .bytes = c->live ? &c->bytes : NULL,
                                     .live = c->live ? c : NULL,
                                     .no_details = run->no_details};
}

static bool work_take(void *ctx, unsigned worker, struct pdl_task *t)
{
    return pdl_run_take(ctx, worker, t);
}

static void work_settle(void *ctx, unsigned worker, const struct pdl_task *t,
                        const struct pdl_result *r)
{
    (void)worker;
    pdl_run_settle(ctx, t, r);
}

struct pdl_work pdl_run_work(struct pdl_run *run)
{
    return (struct pdl_work){work_take, work_settle, run};
}

void pdl_worker_state_init(struct pdl_worker_state *st)
{
    atomic_init(&st->task, -1);
    atomic_init(&st->host, -1);
}

bool pdl_nap_until(const atomic_int *stop, pdl_monotime at)
{
    /* Short steps, so that a stop is seen within 100 ms. */
    for (;;) {
        if (atomic_load(stop))
            return false;
        pdl_monotime now = pdl_now();
        if (now >= at)
            return true;
        int64_t step = at - now < 100000000 ? at - now : 100000000;
        struct timespec ts = {step / 1000000000, step % 1000000000};
        nanosleep(&ts, NULL);
    }
}

/* Waits until the task may start: a transfer of its host, then its turn
 * under --rate. False if the run was stopped meanwhile (nothing held). */
static bool admit(struct pdl_gate *gate, unsigned key, const atomic_int *stop,
                  struct pdl_worker_state *state)
{
    struct pdl_gate_pass pass = {0};
    pdl_monotime at;

    while ((at = pdl_gate_admit(gate, key, pdl_now(), &pass)) != 0) {
        if (pass.entered && state)
            atomic_store(&state->host, (int)key);
        if (!pdl_nap_until(stop, at)) {
            pdl_gate_leave(gate, key, &pass);
            if (state)
                atomic_store(&state->host, -1);
            return false;
        }
    }
    if (state)
        atomic_store(&state->host, (int)key);
    return true;
}

static void leave(struct pdl_gate *gate, unsigned key,
                  struct pdl_worker_state *state)
{
    pdl_gate_leave(gate, key, NULL);
    if (state)
        atomic_store(&state->host, -1);
}

/* Performs task t into *r, retrying transient failures. */
static void fetch_one(struct pdl_fetcher *f, const struct pdl_fetch_config *fc,
                      struct pdl_gate *gate, struct pdl_counters *counters,
                      const struct pdl_task *t, struct pdl_result *r,
                      unsigned worker, struct pdl_worker_state *state)
{
    unsigned key = pdl_gate_key(gate, t->url);
    long wait;

    /* Stopped before it began: the task was not run. */
    pdl_result_empty(r);
    r->status = PDL_ST_PENDING;
    r->worker = (int)worker;
    if (!admit(gate, key, fc->stop, state))
        return;
    if (state)
        atomic_store(&state->task, (long long)t->id);
    pdl_counters_begin(counters);
    CURL *c = pdl_fetch_begin(f, t, r);
    for (;;) {
        wait = pdl_fetch_end(f, pdl_fetch_perform(f, c), r);
        leave(gate, key, state);
        if (wait < 0)
            break;
        if (!pdl_nap_until(fc->stop, pdl_now() + wait * 1000000) ||
            !admit(gate, key, fc->stop, state)) {
            pdl_result_fail(r, PDL_ST_INTERRUPTED,
                            "interrupted while waiting to retry");
            break;
        }
        c = pdl_fetch_retry(f, r);
    }
    pdl_counters_end(counters);
}

void pdl_worker_run(const struct pdl_fetch_config *fc, struct pdl_gate *gate,
                    struct pdl_counters *counters, const struct pdl_work *work,
                    unsigned worker, struct pdl_worker_state *state)
{
    struct pdl_fetcher *f = pdl_fetcher_create(fc, worker);
    struct pdl_task t = {0};
    /* Zeroed once: each task empties only its texts' first bytes. */
    struct pdl_result r = {0};

    if (!f)
        return;
    for (bool first = true; work->take(work->ctx, worker, &t); first = false) {
        if (first)
            pdl_counters_worker_ran(counters);
        fetch_one(f, fc, gate, counters, &t, &r, worker, state);
        work->settle(work->ctx, worker, &t, &r);
        if (state)
            atomic_store(&state->task, -1);
        pdl_task_clear(&t);
    }
    pdl_fetcher_destroy(f);
}
