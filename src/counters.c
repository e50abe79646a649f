/* The live counters: plain atomics that whoever settles tasks writes and the
 * progress display and the signal watcher read through a snapshot. */
#include "pdl/counters.h"

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
