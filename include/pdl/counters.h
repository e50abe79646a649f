/* Live figures of a run, for the progress display and the signal watcher:
 * written by whoever settles tasks, read through a snapshot. They decide
 * nothing. Plain atomics, so they live in memory shared with forked
 * workers. */
#ifndef PDL_COUNTERS_H
#define PDL_COUNTERS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdl/result.h"

struct pdl_counters {
    atomic_size_t done;    /* tasks settled, whatever their outcome */
    atomic_size_t failed;  /* of those, not ok */
    atomic_size_t skipped; /* of those, settled by an earlier run */
    atomic_llong bytes;    /* body bytes received so far, live */
    atomic_uint inflight;  /* transfers under way now */
    atomic_uint max_inflight;
    atomic_ullong total; /* tasks in the lists, when known; 0 if not */
    /* Workers the mode started: atomic, since a mode sets it once running
     * while the display may already read it. */
    atomic_uint workers;
    atomic_uint ran; /* of those, workers that took a task */
    /* Transfers in flight that said how big they are, fed only when live
     * is set (a display watches): what they hold so far (a resumed part
     * included), what they will hold, and how many they are. Transfers
     * whose whole body comes in one read are left out: they end before
     * anyone could look. */
    bool live;
    atomic_llong live_got;
    atomic_llong live_size;
    atomic_uint live_sized;
};

struct pdl_counters_snapshot {
    size_t done, failed, skipped;
    int64_t bytes;
    unsigned busy, workers;
    uint64_t total;              /* 0: not known (yet) */
    int64_t live_got, live_size; /* of the sized transfers in flight */
    unsigned live_sized;
};

void pdl_counters_init(struct pdl_counters *c);

/* A worker took its first task. */
void pdl_counters_worker_ran(struct pdl_counters *c);

/* A task starts or ends its time in flight (retries' waits included). */
void pdl_counters_begin(struct pdl_counters *c);
void pdl_counters_end(struct pdl_counters *c);

/* A transfer in flight said its size (size bytes in all, got of them
 * there already) or stops counting in flight with got bytes. Only where
 * c->live is set. */
void pdl_counters_sized(struct pdl_counters *c, int64_t got, int64_t size);
void pdl_counters_unsized(struct pdl_counters *c, int64_t got, int64_t size);

/* n more bytes for a sized transfer in flight: one relaxed add, no lock,
 * as it runs for every read of a body. */
static inline void pdl_counters_got(struct pdl_counters *c, int64_t n)
{
    atomic_fetch_add_explicit(&c->live_got, (long long)n, memory_order_relaxed);
}

/* Counts a settled task by its outcome. */
void pdl_counters_settled(struct pdl_counters *c, const struct pdl_result *r);

void pdl_counters_snapshot(const struct pdl_counters *c,
                           struct pdl_counters_snapshot *s);

#endif
