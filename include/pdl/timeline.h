/* The timeline: the versioned TSV that every mode writes alike, reading it
 * back, and the statistics drawn from it. */
#ifndef PDL_TIMELINE_H
#define PDL_TIMELINE_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "pdl/result.h"

/* Version 3 added rank and host (where the mpi mode ran each task; rank 0
 * and this host in other modes); version 2 added attempt_start and error.
 * Versions 1 and 2 are still read. */
#define PDL_TIMELINE_VERSION 3
#define PDL_TIMELINE_HEADER_V1                                                 \
    "id\tworker\tstart\tend\tdns\tconnect\ttls\tttfb\tbytes\thttp\tstatus\t"   \
    "attempts\turl"
#define PDL_TIMELINE_HEADER_V2                                                 \
    "id\tworker\tstart\tend\tdns\tconnect\ttls\tttfb\tbytes\thttp\tstatus\t"   \
    "attempts\tattempt_start\turl\terror"
#define PDL_TIMELINE_HEADER PDL_TIMELINE_HEADER_V2 "\trank\thost"

/* The run as a whole, written as the metadata line. */
struct pdl_run_info {
    char mode[32];
    unsigned workers;
    char started[32]; /* UTC, ISO 8601, to the second */
    double epoch;     /* the run's start in seconds since 1970, to the us */
    char host[64];
    char version[16];
    /* An mpi run (rank_hosts set): its ranks, the host of each (not owned),
     * the bound on the error of aligning their clocks with rank 0's, and
     * the messages exchanged between ranks. */
    unsigned ranks;
    const char *const *rank_hosts;
    double clock_error; /* seconds */
    unsigned long long messages;
    double messages_per_task; /* to hand tasks out and results back */
};

/* Fills info for a run starting now on this host. */
void pdl_run_info_init(struct pdl_run_info *info, const char *mode,
                       unsigned workers);

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
    /* Task durations of the tasks that ran, seconds. */
    double p50;
    double p95;
    size_t by_status[PDL_ST_COUNT]; /* tasks per outcome */
#define PDL_SLOWEST 3
    size_t slowest[PDL_SLOWEST];   /* indices of the longest tasks */
    double slowest_s[PDL_SLOWEST]; /* and their durations */
    size_t nslowest;
};

/* Computes stats over n results. */
void pdl_stats_compute(const struct pdl_result *results, size_t n,
                       struct pdl_stats *st);

/* Writes into buf one sentence that reads st for a person, e.g.
 * "threads x4: 1.01 s, 3.9x faster than one task at a time, 98% of ideal;
 * 97% of task time was waiting for the first byte: I/O-bound, more workers
 * would help". One task at a time is estimated as the sum of task times;
 * ideal is that sum spread evenly over the workers, or the longest task if
 * longer.
 * Returns its length, as snprintf does. */
size_t pdl_stats_sentence(const struct pdl_stats *st, const char *mode,
                          unsigned workers, char *buf, size_t n);

/* Prints the end-of-run summary as a compact table on out, each line
 * starting "pdl: ": counts and bytes, wall and task time, concurrency,
 * latency percentiles, the slowest tasks, failures by reason, and the
 * sentence of pdl_stats_sentence. urls[i] names task i. */
void pdl_summary_print(FILE *out, const struct pdl_stats *st, const char *mode,
                       unsigned workers, const char *const *urls);

/* Writes the timeline of n tasks (urls[i] for results[i]). Returns PDL_OK or
 * PDL_ERR_IO with errno set. */
int pdl_timeline_write(FILE *out, const struct pdl_run_info *info,
                       const struct pdl_result *results,
                       const char *const *urls, size_t n);

/* A timeline read back: rows in file order. */
struct pdl_timeline {
    struct pdl_run_info info;
    size_t count;
    struct pdl_result *results;
    size_t *ids; /* the id column of each row */
    char **urls;
    char **hosts;  /* host of each rank, from the rows and the metadata; */
    size_t nhosts; /* info.rank_hosts if the run was an mpi run */
};

/* Reads a timeline written by pdl_timeline_write. On PDL_ERR_FORMAT, err
 * says which line and why; on PDL_ERR_IO errno is set. Either way tl holds
 * nothing that needs cleanup. */
int pdl_timeline_read(FILE *in, struct pdl_timeline *tl, char *err,
                      size_t errsz);

void pdl_timeline_cleanup(struct pdl_timeline *tl);

#endif
