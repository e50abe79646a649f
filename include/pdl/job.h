/* What a run is asked to do: the user's options and the tasks, handed
 * read-only to whichever runner performs them. */
#ifndef PDL_JOB_H
#define PDL_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "pdl/tasklist.h"

struct pdl_checksums;
#include "pdl/util.h"

#define PDL_WORKERS_DEFAULT 8
#define PDL_WORKERS_MAX 1024
#define PDL_PER_HOST_DEFAULT 8

/* How tasks are dealt to workers. */
enum pdl_schedule {
    PDL_SCHED_DYNAMIC, /* from one shared queue, chunk at a time */
    PDL_SCHED_STATIC   /* the list cut into W contiguous slices up front */
};

/* The order tasks are handed out in (--order). */
enum pdl_order {
    PDL_ORDER_LIST,         /* the lists' order, read as the run goes */
    PDL_ORDER_LONGEST_FIRST /* by --durations-from, the lists read whole */
};

/* Which HTTP version to ask for (--http1.1, --http2,
 * --http2-prior-knowledge); the default is libcurl's. */
enum pdl_http_want {
    PDL_HTTP_DEFAULT,
    PDL_HTTP_1_1,
    PDL_HTTP_2,      /* over TLS by ALPN; http:// stays HTTP/1.1 */
    PDL_HTTP_2_PRIOR /* HTTP/2 at once, http:// too */
};

struct pdl_options {
    const char *mode; /* runner name */
    unsigned workers; /* 1..PDL_WORKERS_MAX */
    enum pdl_schedule schedule;
    unsigned chunk;          /* tasks taken at a time, dynamic schedule */
    const char *outdir;      /* where bodies go, unless discard */
    bool discard;            /* drop bodies instead of saving them */
    long connect_timeout_ms; /* 0 = libcurl's default */
    long timeout_ms;         /* whole transfer; 0 = none */
    long max_redirs;         /* redirects followed per task */
    const char *user_agent;
    int retries;             /* extra attempts after a transient failure */
    long retry_delay_ms;     /* first backoff; doubles each attempt */
    long retry_max_ms;       /* cap of one wait, Retry-After included */
    long speed_limit;        /* bytes/s below which a transfer is too slow */
    long speed_time_s;       /* ... for this long; 0 = no low-speed limit */
    int64_t max_filesize;    /* bytes; 0 = no limit */
    int64_t limit_rate;      /* bytes/s per transfer; 0 = no limit */
    double rate;             /* task starts per second, all workers; 0 none */
    unsigned per_host;       /* transfers per host at once; 0 = no cap */
    bool per_host_loopback;  /* cap loopback hosts too (--per-host given) */
    bool insecure;           /* skip TLS verification (--insecure) */
    bool resume;             /* --continue: keep and resume partial bodies */
    enum pdl_http_want http; /* HTTP version asked for */
    const char *cacert;      /* --cacert: CA bundle file; NULL = system's */
    /* What every request carries (request.c sets them on each handle). */
    const char *const *headers; /* -H "Name: value" lines, in order */
    size_t nheaders;
    const char *userpwd;    /* --user user:pass; NULL = none */
    bool netrc;             /* --netrc: credentials from ~/.netrc if any */
    const char *cookie;     /* --cookie: "n=v; ..." to send, or a file */
    const char *cookie_jar; /* --cookie-jar: write every cookie at the end */
    bool compressed;        /* --compressed: ask for gzip, br, ... */
    const char *proxy;      /* --proxy URL; NULL = libcurl's (environment) */
    const char *const *resolve; /* --resolve host:port:addr lines */
    size_t nresolve;
    const char *const *connect_to; /* --connect-to h1:p1:h2:p2 lines */
    size_t nconnect_to;
    /* The order tasks are handed out in, and for longest-first the
     * earlier timeline that gives the tasks' times. */
    enum pdl_order order;
    const char *durations_from;
    /* Names. */
    bool no_clobber;          /* a body whose file exists is skipped */
    bool content_disposition; /* a name from Content-Disposition, if any */
    bool force_dirs;          /* -x: bodies under host/path/ folders */
    /* Expected digests by file name (--checksums); NULL = none. */
    const struct pdl_checksums *checksums;
};

/* Sets every option to its documented default. */
void pdl_options_init(struct pdl_options *opt);

struct pdl_job {
    const struct pdl_options *opt;
    const struct pdl_tasklist *list; /* tasks with planned names */
    int out_dirfd;                   /* output folder, -1 if discarding */
    pdl_monotime t0;                 /* the run's start */
};

#endif
