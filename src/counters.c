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
    atomic_init(&c->live_got, 0);
    atomic_init(&c->live_size, 0);
    atomic_init(&c->live_sized, 0);
    atomic_init(&c->workers, 0);
    c->live = false;
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

/* Adds (sign 1) or takes back (sign -1) one sized transfer in flight;
 * the count wraps back as unsigned arithmetic does. */
static void live_add(struct pdl_counters *c, int sign, int64_t got,
                     int64_t size)
{
    atomic_fetch_add_explicit(&c->live_got, (long long)(sign * got),
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&c->live_size, (long long)(sign * size),
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&c->live_sized, (unsigned)sign,
                              memory_order_relaxed);
}

void pdl_counters_sized(struct pdl_counters *c, int64_t got, int64_t size)
{
    live_add(c, 1, got, size);
}

void pdl_counters_unsized(struct pdl_counters *c, int64_t got, int64_t size)
{
    live_add(c, -1, got, size);
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
    s->workers = atomic_load(&c->workers);
    s->total = atomic_load(&c->total);
    /* Read apart, so a transfer may be half in: clamp what cannot be. */
    s->live_sized = atomic_load_explicit(&c->live_sized, memory_order_relaxed);
    s->live_size = atomic_load_explicit(&c->live_size, memory_order_relaxed);
    s->live_got = atomic_load_explicit(&c->live_got, memory_order_relaxed);
    if (s->live_sized == 0 || s->live_size <= 0 || s->live_got < 0) {
        s->live_sized = 0;
        s->live_size = s->live_got = 0;
    } else if (s->live_got > s->live_size) {
        s->live_got = s->live_size;
    }
}
