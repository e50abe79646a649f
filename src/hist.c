/* The latency histogram: log-linear buckets, as HdrHistogram lays them. */
#include "pdl/hist.h"

#include <string.h>

void pdl_hist_init(struct pdl_hist *h)
{
    memset(h, 0, sizeof(*h));
}

/* Bucket of v: exact below PDL_HIST_SUB, else the power of two and the
 * next 7 bits below the leading one. */
static size_t bucket(uint64_t v)
{
    if (v < PDL_HIST_SUB)
        return (size_t)v;
    int e = 63 - __builtin_clzll(v); /* >= 7 */
    size_t i = (size_t)(e - 6) * PDL_HIST_SUB + ((v >> (e - 7)) & 127);
    return i < PDL_HIST_BUCKETS ? i : PDL_HIST_BUCKETS - 1;
}

/* The middle of bucket i. */
static double middle(size_t i)
{
    if (i < PDL_HIST_SUB)
        return (double)i;
    int e = (int)(i / PDL_HIST_SUB) + 6;
    double lo =
        (double)((PDL_HIST_SUB + i % PDL_HIST_SUB) * ((uint64_t)1 << (e - 7)));
    return lo + (double)((uint64_t)1 << (e - 7)) / 2;
}

void pdl_hist_add(struct pdl_hist *h, int64_t us)
{
    if (us < 0)
        us = 0;
    if (h->count == 0 || us < h->min)
        h->min = us;
    if (h->count == 0 || us > h->max)
        h->max = us;
    h->count++;
    h->n[bucket((uint64_t)us)]++;
}

double pdl_hist_quantile(const struct pdl_hist *h, double q)
{
    uint64_t rank, seen = 0;

    if (h->count == 0)
        return 0;
    rank = (uint64_t)(q * (double)h->count + 0.999999);
    if (rank == 0)
        rank = 1;
    if (rank > h->count)
        rank = h->count;
    for (size_t i = 0; i < PDL_HIST_BUCKETS; i++) {
        seen += h->n[i];
        if (seen < rank)
            continue;
        double v = middle(i);
        if (v < (double)h->min)
            v = (double)h->min;
        if (v > (double)h->max)
            v = (double)h->max;
        return v;
    }
    return (double)h->max;
}
