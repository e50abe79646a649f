/* The results stream: every settled task, with its record, handed to every
 * consumer (timeline, summary, failed list, live messages) as it settles.
 * Nothing holds all the records. */
#ifndef PDL_RESULTS_H
#define PDL_RESULTS_H

#include "pdl/counters.h"
#include "pdl/result.h"
#include "pdl/tasklist.h"

struct pdl_consumer {
    /* Takes one settled task; called with the stream's lock held, so one
     * call at a time, in the order tasks settle. */
    void (*take)(void *ctx, const struct pdl_task *t,
                 const struct pdl_result *r);
    /* Optional: writes out what take buffered (called with the lock held,
     * from pdl_results_flush). */
    void (*flush)(void *ctx);
    void *ctx;
};

struct pdl_results;

/* Creates a stream that also counts each record in counters (may be
 * NULL). */
struct pdl_results *pdl_results_create(struct pdl_counters *counters);

void pdl_results_destroy(struct pdl_results *rs);

/* Adds a consumer (copied), before the first push. At most 16. */
void pdl_results_add(struct pdl_results *rs, const struct pdl_consumer *c);

/* Hands task t's settled record r to every consumer. Safe from any
 * thread. */
void pdl_results_push(struct pdl_results *rs, const struct pdl_task *t,
                      const struct pdl_result *r);

/* Has every consumer write out what it buffered. Safe from any thread. */
void pdl_results_flush(struct pdl_results *rs);

/* Records pushed so far. */
size_t pdl_results_count(const struct pdl_results *rs);

#endif
