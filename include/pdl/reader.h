/* The streaming list reader: URL lists (files or stdin) turned into tasks one
 * at a time, as a run goes, in bounded memory. Ranges and sets in a URL are
 * expanded by index, never materialised; bad lines are reported by
 * file:line as the reader reaches them. */
#ifndef PDL_READER_H
#define PDL_READER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pdl/tasklist.h"

/* One task as the reader hands it out. url and name point into memory the
 * reader (or a copy made with pdl_task_copy) owns, valid until the next
 * call that fills the same struct. */
struct pdl_task_ref {
    uint64_t id;        /* 0-based, in list order across all lists */
    const char *url;    /* never NULL */
    const char *name;   /* given with "out=" under the URL; NULL if not */
    const char *source; /* the list's name, "(stdin)" for "-" */
    long line;          /* 1-based line in that list */
    const char *opts;   /* header= and checksum= lines, '\n'-ended; NULL */
};

/* Where a reader stands, so that another reader can start there: the
 * static schedule cuts the list into slices with these. */
struct pdl_reader_mark {
    size_t source;  /* index of the list */
    int64_t offset; /* byte offset of the line that holds the next task */
    long line;      /* number of the line before that offset */
    uint64_t sub;   /* next expansion of that line's pattern */
    uint64_t id;    /* id of the next task */
};

struct pdl_reader;

/* Creates a reader over the lists named in paths ("-" is stdin), read in
 * order. Opens every list now: a list that cannot be opened is reported on
 * diag as "pdl: PATH: reason" and NULL is returned. glob expands ranges and
 * sets. diag (may be NULL) receives each bad line as
 * `pdl: LIST:LINE: why: "text"`. */
struct pdl_reader *pdl_reader_create(const char *const *paths, size_t n,
                                     bool glob, FILE *diag);

/* A reader over one stream already open (not closed by the reader), named
 * name in messages; not seekable. */
struct pdl_reader *pdl_reader_from_stream(FILE *in, const char *name, bool glob,
                                          FILE *diag);

/* Frees r and closes its lists (never stdin). Accepts NULL. */
void pdl_reader_destroy(struct pdl_reader *r);

/* Hands out the next task into *t. Returns 1, 0 at the end of the lists, or
 * -1 if a list could not be read (reported on diag, and the reader then
 * stands at its end). */
int pdl_reader_next(struct pdl_reader *r, struct pdl_task_ref *t);

/* Makes waits for input on a pipe or terminal end when *stop is set (the
 * reader then stands at its end, and pdl_reader_cut says so). */
void pdl_reader_stop_on(struct pdl_reader *r, const atomic_int *stop);

/* True if reading stopped before the end of the lists. */
bool pdl_reader_cut(const struct pdl_reader *r);

/* Reads to the end of the lists, reporting their bad lines, without
 * expanding patterns (the static schedule reports a list's bad lines once,
 * before its workers read their slices). */
void pdl_reader_skim(struct pdl_reader *r);

/* Lines reported and skipped so far. */
size_t pdl_reader_bad(const struct pdl_reader *r);

/* True if every list is a regular file, so that the lists can be read
 * again from any mark (pdl_reader_seek) and counted ahead. */
bool pdl_reader_seekable(const struct pdl_reader *r);

/* Where r stands now. */
void pdl_reader_mark(const struct pdl_reader *r, struct pdl_reader_mark *m);

/* Creates a second reader over the same lists, standing at m, reporting
 * nothing (the first reader reports). Only for seekable readers; NULL
 * otherwise. */
struct pdl_reader *pdl_reader_clone_at(const struct pdl_reader *r,
                                       const struct pdl_reader_mark *m);

/* Reads a stream that is not a regular file (stdin) to its end into an
 * unlinked temporary file, so that the reader becomes seekable: the static
 * schedule must see the whole list before it can cut it. Returns 0 or -1
 * (errno set). */
int pdl_reader_spool(struct pdl_reader *r);

/* Counts the tasks of the lists from where r stands to the end, without
 * changing r, and fills marks[k] for k = 0..nmarks-1 with the place of task
 * number first + total * k / nmarks, when nmarks > 0 (two passes). Only for
 * seekable readers. Returns the count, or UINT64_MAX on a read error. */
uint64_t pdl_reader_census(const struct pdl_reader *r,
                           struct pdl_reader_mark *marks, size_t nmarks);

/* Counts every task of the lists from their start, on a reader of its own,
 * while r may be in use by another thread (only what never changes of r is
 * read). Seekable readers only. Returns UINT64_MAX on a read error or when
 * *stop (may be NULL) is set meanwhile. */
uint64_t pdl_reader_count_all(const struct pdl_reader *r,
                              const atomic_int *stop);

/* Most tasks one URL pattern may expand to: a typo in a range must not start
 * a run of a billion tasks. */
#define PDL_PATTERN_MAX (UINT64_C(1000000000))

#endif
