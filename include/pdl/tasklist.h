/* The URL list: reading lists of URLs (files or stdin) into tasks, and giving
 * each task the name its body is saved under. */
#ifndef PDL_TASKLIST_H
#define PDL_TASKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Longest accepted line, in bytes; longer lines are reported and skipped
 * without ever being held in memory whole. */
#define PDL_LINE_MAX 65536

/* Longest file name pdl derives, in bytes: leaves room under NAME_MAX (255)
 * for a collision counter and the temporary suffix. */
#define PDL_NAME_MAX 200

/* Most bytes of the header= and checksum= lines under one URL. */
#define PDL_OPTS_MAX 16384

struct pdl_task {
    uint64_t id;        /* 0-based, in list order */
    char *url;          /* owned */
    char *name;         /* output file name, owned; NULL until planned */
    const char *source; /* list it came from, owned by the list */
    long line;          /* 1-based line in that list */
    /* The option lines under its URL other than out=, as "key=value"
     * lines each ended by '\n' (header=..., checksum=sha256:...), owned;
     * NULL if none. One string, so that it travels as one field. */
    char *opts;
};

struct pdl_tasklist {
    struct pdl_task *tasks;
    size_t count;
    size_t cap;
    char **sources; /* names of the lists read, for task->source */
    size_t nsources;
    size_t bad; /* lines reported and skipped */
    bool glob;  /* expand [1-10] and {a,b} in URLs, as curl does */
    size_t max; /* most tasks pdl_tasklist_read keeps; 0: PDL_TASKS_MAX */
};

/* Most tasks one list may expand to: a typo in a range must not eat the
 * machine's memory. */
#define PDL_TASKS_MAX 10000000

enum pdl_line_kind { PDL_LINE_SKIP, PDL_LINE_URL, PDL_LINE_BAD };

/* Classifies one raw line (without its '\n', len bytes, may hold NUL bytes;
 * line[len] must be writable): blank or '#' comment lines are skipped;
 * otherwise surrounding white space and a trailing '\r' are trimmed, and
 * *url points at the URL, terminated in place inside line, or *why says why
 * the line is bad (and line is left as it was). */
enum pdl_line_kind pdl_line_parse(char *line, size_t len, char **url,
                                  const char **why);

/* True if url is an absolute http:// or https:// URL with a host. */
bool pdl_url_is_http(const char *url);

/* A key for url's host (case-insensitive, port ignored) in 1..1023 for
 * per-host limits, or 0 for loopback hosts (localhost, 127.0.0.0/8, ::1),
 * which are never limited: local benchmarks measure pdl, not politeness. */
unsigned pdl_url_host_key(const char *url);

void pdl_tasklist_init(struct pdl_tasklist *list);
void pdl_tasklist_cleanup(struct pdl_tasklist *list);

/* Appends a task for url (copied). */
void pdl_tasklist_add(struct pdl_tasklist *list, const char *url,
                      const char *source, long line);

/* Reads every line of in, naming it name in messages. With list->glob, a
 * URL with ranges or sets becomes one task per expansion. Each bad line is
 * reported on diag as `name:LINE: why: "text"`, counted in list->bad and
 * skipped. Returns PDL_ERR_IO (errno set) if in could not be read to the end;
 * the tasks read so far stay in the list. */
int pdl_tasklist_read(struct pdl_tasklist *list, FILE *in, const char *name,
                      FILE *diag);

/* How many tasks repeat the URL of an earlier one. */
size_t pdl_tasklist_duplicates(const struct pdl_tasklist *list);

/* Frees what t owns and clears it. */
void pdl_task_clear(struct pdl_task *t);

/* The names of the tasks' files (src/names.c). */
#include "pdl/names.h"

#endif
