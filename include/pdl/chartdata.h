/* A timeline read for the charts, streaming through pdl_timeline_each:
 * summed for the titles, and for timelines too large to draw task by task,
 * binned over time into a small data file for plots/overview.gp. Memory
 * grows with the bins and the workers, never with the rows. */
#ifndef PDL_CHARTDATA_H
#define PDL_CHARTDATA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What one pass over a timeline found. Rows may come in any order (version 4
 * writes them as tasks end). A task "ran" unless its status is not-run or
 * skipped. */
struct pdl_chart_scan {
    size_t rows;
    size_t ran;
    size_t failed;           /* status neither ok nor skipped */
    unsigned ranks;          /* highest rank + 1 (1 before version 3) */
    unsigned lanes_per_rank; /* highest worker + 1 */
    unsigned workers_ran;    /* distinct (rank, worker) of tasks that ran */
    double max_end;          /* seconds: the makespan */
    double busy;             /* sum of the durations of tasks that ran */
    double longest;          /* the longest of them */
    int64_t bytes;
    /* From the metadata line; empty or 0 when absent. */
    char mode[32];
    char host[64];
    char started[32];
    unsigned meta_workers;
};

/* The lower bound of any makespan for sc's tasks on the workers that ran
 * them: max(busy / workers_ran, longest); 0 if nothing ran. */
double pdl_chart_lower_bound(const struct pdl_chart_scan *sc);

/* Reads the timeline at path once, through pdl_timeline_each (so any
 * version it reads, checked as strictly), and fills sc. Returns PDL_OK;
 * PDL_ERR_IO with errno set (err says why); or PDL_ERR_FORMAT with err
 * saying "line N: why". */
int pdl_chart_scan_file(const char *path, struct pdl_chart_scan *sc, char *err,
                        size_t errsz);

/* Reads the timeline at path again (sc from pdl_chart_scan_file) and writes
 * to out a gnuplot script that defines the OV_* values and the datablocks
 * $BINS (time bins), $HEAT (lane groups by time bins) and $LAT (duration
 * histogram) that plots/overview.gp draws. Returns PDL_OK, or PDL_ERR_IO /
 * PDL_ERR_FORMAT with err set as above. */
int pdl_chart_aggregate(const char *path, const struct pdl_chart_scan *sc,
                        FILE *out, char *err, size_t errsz);

#endif
