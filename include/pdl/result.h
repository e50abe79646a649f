/* One record per task, filled by whichever worker ran it. Plain fixed-size
 * data, so that a process pool can hand results back through shared memory
 * and every mode fills the same array. */
#ifndef PDL_RESULT_H
#define PDL_RESULT_H

#include <stdint.h>

#include "pdl/util.h"

/* How a task ended; the timeline writes these as short tokens. */
enum pdl_status {
    PDL_ST_PENDING = 0, /* never started */
    PDL_ST_RUNNING,     /* started, no outcome recorded (yet) */
    PDL_ST_OK,
    PDL_ST_HTTP,    /* the server answered 4xx or 5xx */
    PDL_ST_DNS,     /* host name not resolved */
    PDL_ST_CONNECT, /* connection refused or unreachable */
    PDL_ST_TLS,     /* handshake or certificate failed */
    PDL_ST_TIMEOUT,
    PDL_ST_NETWORK,     /* connection broken while sending or receiving */
    PDL_ST_PROTOCOL,    /* the server spoke something that is not HTTP */
    PDL_ST_REDIRECT,    /* too many redirects, or to a forbidden scheme */
    PDL_ST_TOO_BIG,     /* body over --max-filesize */
    PDL_ST_WRITE,       /* the body could not be saved */
    PDL_ST_WORKER_DIED, /* the worker process running it died */
    PDL_ST_INTERRUPTED, /* the run was stopped while it ran */
    PDL_ST_ERROR,       /* any other failure */
    PDL_ST_SKIPPED,     /* complete from an earlier run (--continue) */
    PDL_ST_CHECKSUM,    /* the body's SHA-256 is not the expected one */
    PDL_ST_COUNT
};

const char *pdl_status_token(enum pdl_status st);

/* The status whose token is tok, or PDL_ST_COUNT if none. */
enum pdl_status pdl_status_parse(const char *tok);

#define PDL_ERROR_MAX 120
#define PDL_REMOTE_IP_MAX 48 /* an IPv6 address in text, and its nul */
/* Bounds of the texts scripts read back (JSON, timeline): longer ones are
 * cut to fit (a URL or path that long is rare; the record must stay small
 * because mpi and processes modes send it whole). */
#define PDL_FILE_MAX 256          /* the saved file, relative to the folder */
#define PDL_EFFECTIVE_URL_MAX 512 /* the URL after redirects */
#define PDL_CONTENT_TYPE_MAX 96   /* the response's Content-Type */

struct pdl_result {
    int64_t start_ns; /* offsets from the run's start */
    int64_t end_ns;
    int64_t attempt_ns; /* start of the final attempt; start_ns if only one */
    /* When each curl phase of the final attempt had ended, in microseconds
     * after start_ns (curl's cumulative times, shifted by the time earlier
     * attempts took); 0 = the phase did not happen. */
    int64_t dns_us;
    int64_t connect_us;
    int64_t tls_us;
    int64_t ttfb_us;
    int64_t bytes; /* body bytes received */
    int32_t worker;
    int32_t http;     /* last HTTP status, 0 if none */
    int32_t attempts; /* 0 if never started */
    int32_t status;   /* enum pdl_status */
    int32_t rank;     /* the mpi mode's rank that ran it; 0 in other modes */
    /* The connection of the final attempt. libcurl 7.88 has no connection
     * id: the local port names it (unique per live TCP connection on one
     * host). 0 = no connection was made or reused. */
    int32_t conn;
    int32_t new_conn;     /* 1: opened for this task; 0: reused or none */
    int32_t http_version; /* 10, 11, 20 or 30; 0 unknown */
    int32_t remote_port;  /* 0 unknown */
    char remote_ip[PDL_REMOTE_IP_MAX]; /* numeric, "" unknown */
    char error[PDL_ERROR_MAX];         /* why it failed, "" if it did not */
    /* Where the body was saved, as saved (a duplicate's renamed name, the
     * -x folders, a --content-disposition name); "" if it was not (with
     * --discard, or a failure). */
    char file[PDL_FILE_MAX];
    /* The URL the final response came from: "" when it is the task's URL
     * (no redirect), so that rows stay small. */
    char effective_url[PDL_EFFECTIVE_URL_MAX];
    char content_type[PDL_CONTENT_TYPE_MAX]; /* "" if the server sent none */
};

static inline int pdl_result_ok(const struct pdl_result *r)
{
    return r->status == PDL_ST_OK || r->status == PDL_ST_SKIPPED;
}

/* Empties r as a zeroed record reads: every number 0, every text "". Only
 * the numbers and the texts' first bytes are written (105 bytes of 1,136),
 * since a task's record is emptied at every attempt's start and end; the
 * bytes after a text's nul may hold an earlier task's. */
void pdl_result_empty(struct pdl_result *r);

/* Marks r failed with status st, why cut to fit r->error. */
void pdl_result_fail(struct pdl_result *r, enum pdl_status st, const char *why);

#endif
