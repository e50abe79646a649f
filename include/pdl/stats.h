/* Statistics of a run drawn from its result records (src/stats.c):
 * counts, makespan, concurrency, where the time went, the end-of-run
 * summary and one sentence that reads them. */
#ifndef PDL_STATS_H
#define PDL_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pdl/result.h"

struct pdl_stats {
    size_t tasks;
    size_t ok;
    size_t failed; /* every task not ok, including never started */
    int64_t bytes;
    double wall; /* seconds from the run's start to the last task's end */
    double busy; /* sum of task durations, seconds */
    double concurrency;   /* busy / wall */
    unsigned max_overlap; /* most tasks in flight at one instant */
    double longest;       /* the longest task, seconds */
    /* Where task time went, seconds summed over tasks. */
    double setup;     /* DNS, connect and TLS */
    double waiting;   /* request sent, first byte not yet in */
    double receiving; /* from the first byte to the end */
    double other;     /* tasks that got no response at all */
    double retrying;  /* earlier attempts and back-off before retries */
    /* Task durations of the tasks that ran, seconds. */
    double p50;
    double p95;
    size_t by_status[PDL_ST_COUNT]; /* tasks per outcome */
    /* Connections of the tasks' final attempts: opened for a task, or
     * reused from an earlier one (or shared as an HTTP/2 stream); and the
     * tasks that spoke HTTP/1.0, 1.1, 2 and 3. */
    size_t conns_opened;
    size_t conns_reused;
    size_t by_version[4];
#define PDL_SLOWEST 3
    size_t slowest[PDL_SLOWEST];        /* ids of the longest tasks */
    double slowest_s[PDL_SLOWEST];      /* and their durations */
    char slowest_url[PDL_SLOWEST][512]; /* and URLs ("" if not given) */
    size_t nslowest;
};

/* Computes stats over n results (task i is results[i]), max_overlap
 * exactly. */
void pdl_stats_compute(const struct pdl_result *results, size_t n,
                       struct pdl_stats *st);

/* Task i's record: a pointer into the caller's rows, or to tmp filled. */
typedef const struct pdl_result *pdl_result_at_fn(const void *ctx, size_t i,
                                                  struct pdl_result *tmp);

/* pdl_stats_compute over n records that at gives one at a time, for rows
 * not kept as one array of records. */
void pdl_stats_compute_each(pdl_result_at_fn *at, const void *ctx, size_t n,
                            struct pdl_stats *st);

/* Statistics gathered one record at a time, in memory that does not grow
 * with the records: percentiles from a histogram (within 0.4 %), the
 * slowest tasks kept as they come. max_overlap is left to the caller (it
 * needs all the records, or a live count). */
struct pdl_stats_acc;

struct pdl_stats_acc *pdl_stats_acc_create(void);
void pdl_stats_acc_destroy(struct pdl_stats_acc *a);

/* Adds task id (url may be NULL) settled with r. */
void pdl_stats_acc_add(struct pdl_stats_acc *a, size_t id,
                       const struct pdl_result *r, const char *url);

/* The statistics of what was added so far. */
void pdl_stats_acc_get(const struct pdl_stats_acc *a, struct pdl_stats *st);

/* Writes into buf one sentence that reads st for a person, e.g.
 * "threads x4: 1.01 s, 3.9x faster than one task at a time, 98% of the
 * lower bound; 97% of task time was waiting for the first byte: I/O-bound
 * with every worker busy, more workers would help". One task at a time is
 * estimated as the sum of task times; the lower bound is that sum spread
 * evenly over the workers, or the longest task if longer. More workers are
 * advised only where tasks waited for one and the longest task is not
 * (nearly) the whole run.
 * Returns its length, as snprintf does. */
size_t pdl_stats_sentence(const struct pdl_stats *st, const char *mode,
                          unsigned workers, char *buf, size_t n);

/* Prints the end-of-run summary as a compact table on out, each line
 * starting "pdl: ": counts and bytes, wall and task time, concurrency,
 * latency percentiles, the slowest tasks, connections opened and reused
 * with the HTTP versions spoken, failures by reason, and the
 * sentence of pdl_stats_sentence. workers: those that ran; asked: -w, said
 * beside them when more (0: not known). */
void pdl_summary_print(FILE *out, const struct pdl_stats *st, const char *mode,
                       unsigned workers, unsigned asked);

#endif
