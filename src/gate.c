/* The gate: a host table of transfer counts and a pacer of start times, both
 * lock-free so that they work alike between threads and processes. */
#include "pdl/gate.h"
#include "pdl/tasklist.h"

void pdl_gate_init(struct pdl_gate *g, double starts_per_second,
                   unsigned per_host, bool loopback_too)
{
    g->start_gap_ns =
        starts_per_second > 0 ? (int64_t)(1e9 / starts_per_second) : 0;
    atomic_init(&g->next_start, 0);
    g->per_host = per_host;
    g->loopback_too = loopback_too;
    for (unsigned i = 0; i < PDL_HOST_SLOTS; i++)
        atomic_init(&g->host_busy[i], 0);
}

unsigned pdl_gate_key(const struct pdl_gate *g, const char *url)
{
    return g->per_host > 0 ? pdl_url_host_key(url) : 0;
}

static bool capped(const struct pdl_gate *g, unsigned key)
{
    return g->per_host > 0 && (key != 0 || g->loopback_too);
}

static bool host_enter(struct pdl_gate *g, unsigned key)
{
    atomic_uint *busy = &g->host_busy[key % PDL_HOST_SLOTS];
    unsigned n;

    if (!capped(g, key))
        return true;
    n = atomic_load(busy);
    do {
        if (n >= g->per_host)
            return false;
    } while (!atomic_compare_exchange_weak(busy, &n, n + 1));
    return true;
}

/* Claims the next start time --rate allows, spacing starts evenly across
 * all workers. */
static pdl_monotime pace(struct pdl_gate *g, pdl_monotime now)
{
    long long next, at;

    if (g->start_gap_ns == 0)
        return now;
    next = atomic_load(&g->next_start);
    do {
        at = next > now ? next : now;
    } while (!atomic_compare_exchange_weak(&g->next_start, &next,
                                           at + g->start_gap_ns));
    return at;
}

pdl_monotime pdl_gate_admit(struct pdl_gate *g, unsigned key, pdl_monotime now,
                            struct pdl_gate_pass *pass)
{
    if (!pass->entered && !host_enter(g, key))
        return now + PDL_GATE_HOST_RECHECK_NS;
    pass->entered = true;
    /* The start time is claimed once, while holding the host: a start that
     * waits for its turn keeps it. */
    if (!pass->paced)
        pass->paced = pace(g, now);
    if (pass->paced > now)
        return pass->paced;
    *pass = (struct pdl_gate_pass){0};
    return 0;
}

void pdl_gate_leave(struct pdl_gate *g, unsigned key,
                    const struct pdl_gate_pass *pass)
{
    if (pass && !pass->entered)
        return;
    if (capped(g, key))
        atomic_fetch_sub(&g->host_busy[key % PDL_HOST_SLOTS], 1);
}
