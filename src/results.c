/* The results stream and the live counters. */
#include "pdl/results.h"
#include "pdl/util.h"

#include <pthread.h>
#include <stdlib.h>

#define MAX_CONSUMERS 16

struct pdl_results {
    /* lock makes each push one step for every consumer, so that consumers
     * need no locks of their own and see tasks in one order. */
    pthread_mutex_t lock;
    struct pdl_counters *counters;
    struct pdl_consumer c[MAX_CONSUMERS];
    size_t n;
    size_t pushed;
};

struct pdl_results *pdl_results_create(struct pdl_counters *counters)
{
    struct pdl_results *rs = pdl_xcalloc(1, sizeof(*rs));

    pthread_mutex_init(&rs->lock, NULL);
    rs->counters = counters;
    return rs;
}

void pdl_results_destroy(struct pdl_results *rs)
{
    if (!rs)
        return;
    pthread_mutex_destroy(&rs->lock);
    free(rs);
}

void pdl_results_add(struct pdl_results *rs, const struct pdl_consumer *c)
{
    if (rs->n < MAX_CONSUMERS)
        rs->c[rs->n++] = *c;
}

void pdl_results_push(struct pdl_results *rs, const struct pdl_task *t,
                      const struct pdl_result *r)
{
    pthread_mutex_lock(&rs->lock);
    for (size_t i = 0; i < rs->n; i++)
        rs->c[i].take(rs->c[i].ctx, t, r);
    rs->pushed++;
    pthread_mutex_unlock(&rs->lock);
    if (rs->counters)
        pdl_counters_settled(rs->counters, r);
}

void pdl_results_flush(struct pdl_results *rs)
{
    pthread_mutex_lock(&rs->lock);
    for (size_t i = 0; i < rs->n; i++)
        if (rs->c[i].flush)
            rs->c[i].flush(rs->c[i].ctx);
    pthread_mutex_unlock(&rs->lock);
}

size_t pdl_results_count(const struct pdl_results *rs)
{
    return rs->pushed;
}

void pdl_counters_init(struct pdl_counters *c)
{
    atomic_init(&c->done, 0);
    atomic_init(&c->failed, 0);
    atomic_init(&c->skipped, 0);
    atomic_init(&c->bytes, 0);
    atomic_init(&c->inflight, 0);
    atomic_init(&c->max_inflight, 0);
    atomic_init(&c->total, 0);
    atomic_init(&c->ran, 0);
    c->workers = 0;
}

void pdl_counters_worker_ran(struct pdl_counters *c)
{
    atomic_fetch_add(&c->ran, 1);
}

void pdl_counters_begin(struct pdl_counters *c)
{
    unsigned now = atomic_fetch_add(&c->inflight, 1) + 1;
    unsigned max = atomic_load(&c->max_inflight);

    while (now > max &&
           !atomic_compare_exchange_weak(&c->max_inflight, &max, now))
        ;
}

void pdl_counters_end(struct pdl_counters *c)
{
    atomic_fetch_sub(&c->inflight, 1);
}

void pdl_counters_settled(struct pdl_counters *c, const struct pdl_result *r)
{
    atomic_fetch_add(&c->done, 1);
    if (!pdl_result_ok(r))
        atomic_fetch_add(&c->failed, 1);
    if (r->status == PDL_ST_SKIPPED)
        atomic_fetch_add(&c->skipped, 1);
}

void pdl_counters_snapshot(const struct pdl_counters *c,
                           struct pdl_counters_snapshot *s)
{
    long long b = atomic_load(&c->bytes);

    s->done = atomic_load(&c->done);
    s->failed = atomic_load(&c->failed);
    s->skipped = atomic_load(&c->skipped);
    s->bytes = b > 0 ? b : 0;
    s->busy = atomic_load(&c->inflight);
    s->workers = c->workers;
    s->total = atomic_load(&c->total);
}
