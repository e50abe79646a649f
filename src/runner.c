/* The runner table, the shared board with its scheduling rule, and the
 * worker loop all modes run. */
#include "pdl/runner.h"
#include "pdl/fetch.h"

#include <string.h>
#include <sys/mman.h>

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

/* Bytes of the mapping: the board, its slots, then the results. */
static size_t board_bytes(unsigned workers, size_t *results_at, size_t count)
{
    size_t head = sizeof(struct pdl_board) + workers * sizeof(struct pdl_slot);

    *results_at = (head + 63) & ~(size_t)63;
    return *results_at + count * sizeof(struct pdl_result);
}

struct pdl_board *pdl_board_create(size_t count, unsigned workers,
                                   enum pdl_schedule schedule, size_t chunk)
{
    size_t at, size = board_bytes(workers, &at, count);
    struct pdl_board *b = mmap(NULL, size, PROT_READ | PROT_WRITE,
                               MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    if (b == MAP_FAILED)
        return NULL;
    b->count = count;
    b->workers = workers;
    b->schedule = schedule;
    b->chunk = chunk ? chunk : 1;
    b->results = (struct pdl_result *)((char *)b + at);
    for (unsigned w = 0; w < workers; w++) {
        size_t first = count * w / workers, last = count * (w + 1) / workers;
        bool sliced = schedule == PDL_SCHED_STATIC;
        atomic_init(&b->slot[w].cur, sliced ? first : 0);
        atomic_init(&b->slot[w].end, sliced ? last : 0);
        atomic_init(&b->slot[w].held, -1);
    }
    return b;
}

void pdl_board_destroy(struct pdl_board *board)
{
    size_t at;

    if (board)
        munmap(board, board_bytes(board->workers, &at, board->count));
}

/* Refills worker's range from the feed or the shared counter; false when
 * all are claimed. */
static bool claim(struct pdl_board *b, struct pdl_slot *s)
{
    size_t first, n;

    if (b->schedule == PDL_SCHED_STATIC)
        return false;
    if (b->feed) {
        if (!b->feed->refill(b->feed->ctx, b->chunk, &first, &n) || n == 0)
            return false;
    } else {
        first = atomic_fetch_add(&b->next, b->chunk);
        if (first >= b->count)
            return false;
        n = b->chunk < b->count - first ? b->chunk : b->count - first;
    }
    atomic_store(&s->end, first + n);
    atomic_store(&s->cur, first);
    return true;
}

size_t pdl_board_grab(struct pdl_board *b, size_t n, size_t *first)
{
    size_t at = atomic_fetch_add(&b->next, n);

    if (at >= b->count)
        return 0;
    if (n > b->count - at)
        n = b->count - at;
    *first = at;
    return n;
}

void pdl_board_record(struct pdl_board *b, size_t task,
                      const struct pdl_result *r)
{
    b->results[task] = *r;
    atomic_fetch_add(&b->done, 1);
    if (!pdl_result_ok(r))
        atomic_fetch_add(&b->failed, 1);
    /* Its bytes were not counted live here; an earlier run's never are. */
    if (r->status != PDL_ST_SKIPPED)
        atomic_fetch_add(&b->bytes, (long long)r->bytes);
}

bool pdl_board_take(struct pdl_board *b, unsigned worker, size_t *task)
{
    struct pdl_slot *s = &b->slot[worker];
    size_t id;

    do {
        if (atomic_load(&b->stop))
            return false;
        if (atomic_load(&s->cur) >= atomic_load(&s->end) && !claim(b, s))
            return false;
        /* Only this worker moves its own cursor. */
        id = atomic_fetch_add(&s->cur, 1);
        /* Tasks settled before the run (--continue) are counted, not run. */
        if (b->results[id].status == PDL_ST_SKIPPED)
            atomic_fetch_add(&b->done, 1);
    } while (b->results[id].status == PDL_ST_SKIPPED);
    atomic_store(&s->held, (long long)id);
    *task = id;
    return true;
}

void pdl_board_limits(struct pdl_board *b, double starts_per_second,
                      unsigned per_host, bool loopback_too)
{
    b->per_host_loopback = loopback_too;
    b->start_gap_ns =
        starts_per_second > 0 ? (int64_t)(1e9 / starts_per_second) : 0;
    b->per_host = per_host;
}

pdl_monotime pdl_board_pace(struct pdl_board *b, pdl_monotime now)
{
    long long next, at;

    if (b->start_gap_ns == 0)
        return now;
    next = atomic_load(&b->next_start);
    do {
        at = next > now ? next : now;
    } while (!atomic_compare_exchange_weak(&b->next_start, &next,
                                           at + b->start_gap_ns));
    return at;
}

bool pdl_board_host_enter(struct pdl_board *b, unsigned key)
{
    atomic_uint *busy = &b->host_busy[key % PDL_HOST_SLOTS];
    unsigned n;

    if (b->per_host == 0 || (key == 0 && !b->per_host_loopback))
        return true;
    n = atomic_load(busy);
    do {
        if (n >= b->per_host)
            return false;
    } while (!atomic_compare_exchange_weak(busy, &n, n + 1));
    return true;
}

void pdl_board_host_leave(struct pdl_board *b, unsigned key)
{
    if (b->per_host == 0 || (key == 0 && !b->per_host_loopback))
        return;
    atomic_fetch_sub(&b->host_busy[key % PDL_HOST_SLOTS], 1);
}

void pdl_board_finish(struct pdl_board *b, unsigned worker, size_t task)
{
    atomic_fetch_add(&b->done, 1);
    if (!pdl_result_ok(&b->results[task]))
        atomic_fetch_add(&b->failed, 1);
    atomic_store(&b->slot[worker].held, -1);
    if (b->feed && b->feed->finished)
        b->feed->finished(b->feed->ctx, task);
}

void pdl_worker_run(const struct pdl_job *job, struct pdl_board *board,
                    unsigned worker)
{
    struct pdl_fetcher *f = pdl_fetcher_create(job, board, worker);
    size_t id;

    if (!f)
        return;
    while (pdl_board_take(board, worker, &id)) {
        pdl_fetch(f, id, &board->results[id]);
        pdl_board_finish(board, worker, id);
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
