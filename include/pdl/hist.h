/* A histogram of durations in bounded memory, for latency percentiles of
 * runs of any length: values in microseconds, 128 exact buckets below 128
 * us, then 128 buckets per power of two, so that a quantile read back is
 * within 0.4 % of the true value (half a bucket's width), whatever the
 * count. About 46 KiB. */
#ifndef PDL_HIST_H
#define PDL_HIST_H

#include <stddef.h>
#include <stdint.h>

#define PDL_HIST_SUB 128 /* buckets per power of two */
#define PDL_HIST_BUCKETS (PDL_HIST_SUB * 46)

struct pdl_hist {
    uint64_t count;
    int64_t min, max; /* exact, us */
    uint64_t n[PDL_HIST_BUCKETS];
};

void pdl_hist_init(struct pdl_hist *h);

/* Adds one value (negative values count as 0). */
void pdl_hist_add(struct pdl_hist *h, int64_t us);

/* The q-quantile (0 <= q <= 1) by nearest rank, in microseconds: the
 * middle of the bucket that holds it, clamped to the exact min and max.
 * 0 if the histogram is empty. */
double pdl_hist_quantile(const struct pdl_hist *h, double q);

#endif
