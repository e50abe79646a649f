/* The results stream: every settled record to every consumer. */
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
