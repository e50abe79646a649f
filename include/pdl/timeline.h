/* The timeline: the versioned TSV that every mode writes alike, and reading
 * it back. The statistics drawn from it are in pdl/stats.h. */
#ifndef PDL_TIMELINE_H
#define PDL_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "pdl/result.h"
/* The writer's "# end" line is made of struct pdl_stats' totals. */
#include "pdl/stats.h"
#include "pdl/tasklist.h"

/* Version 5 adds what scripts need of each task: file (where its body was
 * saved, as saved; empty if it was not), effective_url (the URL after
 * redirects, empty when it is the task's URL) and content_type (empty if
 * none came), and the metadata key lists= (the lists the run read).
 * Version 4 writes rows as tasks settle (completion order, not id order),
 * its metadata line first with what is known at the start (complete=0) and
 * completed in place at the end, and ends with a "# end" line of totals;
 * it adds the connection of each task: conn (its local port, 0 none),
 * new_conn (1: opened for the task), http_version (1.0, 1.1, 2, 3; empty
 * unknown) and remote (ip:port, [ip]:port for IPv6; empty unknown).
 * Version 3 added rank and host (where the mpi
 * mode ran each task; rank 0 and this host in other modes); version 2
 * added attempt_start and error. Versions 1 to 4 are still read. */
#define PDL_TIMELINE_VERSION 5
#define PDL_TIMELINE_HEADER_V1                                                 \
    "id\tworker\tstart\tend\tdns\tconnect\ttls\tttfb\tbytes\thttp\tstatus\t"   \
    "attempts\turl"
#define PDL_TIMELINE_HEADER_V2                                                 \
    "id\tworker\tstart\tend\tdns\tconnect\ttls\tttfb\tbytes\thttp\tstatus\t"   \
    "attempts\tattempt_start\turl\terror"
#define PDL_TIMELINE_HEADER_V3 PDL_TIMELINE_HEADER_V2 "\trank\thost"
#define PDL_TIMELINE_HEADER_V4                                                 \
    PDL_TIMELINE_HEADER_V3 "\tconn\tnew_conn\thttp_version\tremote"
#define PDL_TIMELINE_HEADER                                                    \
    PDL_TIMELINE_HEADER_V4 "\tfile\teffective_url\tcontent_type"

/* Room for the lists= key: names that do not fit are left out. */
#define PDL_LISTS_MAX 256

/* The run as a whole, written as the metadata line. */
struct pdl_run_info {
    char mode[32];
    unsigned workers;       /* workers that ran */
    unsigned workers_asked; /* -w, when more than ran; else 0 */
    bool longest_first;     /* tasks handed out longest first (--order) */
    unsigned loops;         /* async mode's event loops; 0 in other modes */
    int complete;           /* 1: the run ended; 0: cut short; -1: unknown */
    char started[32];       /* UTC, ISO 8601, to the second */
    double epoch; /* the run's start in seconds since 1970, to the us */
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
    /* The lists the run read, as the lists= key writes them: names joined
     * by ',', with ' ', ',', '%' and control bytes as %XX; "" unknown. */
    char lists[PDL_LISTS_MAX];
};

/* Sets info->lists from the n list names (stdin is "-"). */
void pdl_run_info_set_lists(struct pdl_run_info *info, const char *const *names,
                            size_t n);

/* Fills info for a run starting now on this host. */
void pdl_run_info_init(struct pdl_run_info *info, const char *mode,
                       unsigned workers);

/* Writes the timeline of n tasks (urls[i] for results[i]). Returns PDL_OK or
 * PDL_ERR_IO with errno set. */
int pdl_timeline_write(FILE *out, const struct pdl_run_info *info,
                       const struct pdl_result *results,
                       const char *const *urls, size_t n);

/* Writing a timeline as tasks settle. */
struct pdl_timeline_writer;

/* Starts a timeline on out (not owned): the version line, the metadata
 * known at the start (room kept to complete it in place) and the column
 * header. info (not copied) names the host of each row's rank as rows
 * are written. Rows are buffered until pdl_timeline_writer_flush. */
struct pdl_timeline_writer *
pdl_timeline_writer_start(FILE *out, const struct pdl_run_info *info);

/* One row: task t (id, url) settled with r. Returns PDL_OK or PDL_ERR_IO
 * (errno set), and keeps the first error. */
int pdl_timeline_writer_row(struct pdl_timeline_writer *w,
                            const struct pdl_task *t,
                            const struct pdl_result *r);

/* Writes out the rows buffered so far. Returns PDL_OK or PDL_ERR_IO. */
int pdl_timeline_writer_flush(struct pdl_timeline_writer *w);

/* Ends the timeline: the "# end" line with the totals of st, and the
 * metadata line completed in place when out is a regular file. Frees w.
 * Returns PDL_OK or PDL_ERR_IO (errno set) if any write failed. */
int pdl_timeline_writer_end(struct pdl_timeline_writer *w,
                            const struct pdl_run_info *info,
                            const struct pdl_stats *st);

/* A timeline read back: rows in file order. A row is kept small: its
 * record's first bytes (all but the texts file, effective_url and
 * content_type, which are most of a record and mostly empty) and its texts
 * in one string when it has any; pdl_timeline_at gives the record whole. */
struct pdl_timeline {
    struct pdl_run_info info;
    size_t count;
    unsigned char *core; /* count records' first PDL_TIMELINE_CORE bytes */
    char **texts;        /* "file\0effective_url\0content_type" or NULL */
    size_t cap;
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

/* The bytes of a record a timeline keeps apart from its texts: the texts
 * are the record's last fields. */
#define PDL_TIMELINE_CORE offsetof(struct pdl_result, file)

/* Adds a row (id, r, url copied) to tl, as reading does. */
void pdl_timeline_add(struct pdl_timeline *tl, size_t id,
                      const struct pdl_result *r, const char *url);

/* Row i's record whole, made in tmp; returns tmp. */
const struct pdl_result *pdl_timeline_at(const struct pdl_timeline *tl,
                                         size_t i, struct pdl_result *tmp);

/* The HTTP version of r as the timeline writes it ("1.1", "2"; "" if
 * unknown), and back: 0 for "" and -1 for anything else. */
const char *pdl_http_version_text(const struct pdl_result *r);
int pdl_http_version_parse(const char *s);

/* Writes r's remote address into buf as "ip:port" ("[ip]:port" for IPv6;
 * "" if unknown), and back into r (false if s is not such an address). */
void pdl_remote_text(const struct pdl_result *r, char *buf, size_t n);
bool pdl_remote_parse(const char *s, struct pdl_result *r);

/* The host that ran r, as its row says: its rank's in an mpi run, else the
 * run's ("unknown" if none). */
const char *pdl_timeline_host(const struct pdl_run_info *info,
                              const struct pdl_result *r);

/* Called for each row of a timeline, in file order. */
typedef void pdl_timeline_row_fn(void *ctx, size_t id,
                                 const struct pdl_result *r, const char *url);

/* Reads a timeline as pdl_timeline_read does, but hands each row to row
 * instead of keeping it: tl receives the metadata (and hosts) only, in
 * memory that does not grow with the rows. */
int pdl_timeline_each(FILE *in, struct pdl_timeline *tl,
                      pdl_timeline_row_fn *row, void *ctx, char *err,
                      size_t errsz);

#endif
