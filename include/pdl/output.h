/* pdl's own output files (timeline, failed list, JSON, exports, charts'
 * data): each written under a temporary name beside it and renamed when
 * complete, so that an earlier run's copy is replaced only by a whole one;
 * "-" is standard output. Every failure is reported once, naming the file. */
#ifndef PDL_OUTPUT_H
#define PDL_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

struct pdl_output {
    const char *path; /* not owned */
    char *tmp;        /* owned; NULL for stdout */
    FILE *f;
    bool failed; /* reported already */
};

/* The temporary name of path for this process: "PATH.part-PID". */
char *pdl_output_tmpname(const char *path);

/* Opens o for path ("-": stdout). On failure reports "pdl: PATH: reason" on
 * diag and returns -1. */
int pdl_output_open(struct pdl_output *o, const char *path, FILE *diag);

/* Finishes o: with keep, flushes, closes and renames it into place; without,
 * removes it. Returns 0, or -1 after reporting on diag why it could not be
 * written (unless reported before). */
int pdl_output_close(struct pdl_output *o, bool keep, FILE *diag);

/* Before a run: can path be written at all (its folder exists and is
 * writable, and it is not a folder)? Reports and returns -1 if not. */
int pdl_output_check(const char *path, FILE *diag);

#endif
