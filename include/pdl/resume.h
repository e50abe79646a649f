/* Resuming a kept partial body (--continue) only where it is safe: a partial
 * is tied to its URL and validators by a sidecar record, and a reply is
 * appended only when its Content-Range continues the partial exactly;
 * anything else starts the body over from zero. */
#ifndef PDL_RESUME_H
#define PDL_RESUME_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdl/result.h"
#include "pdl/sink.h"

/* Longest ETag or Last-Modified value recorded; a longer one is not
 * recorded at all (and its partial is then never resumed). */
#define PDL_VALIDATOR_MAX 256

/* What a kept partial body belongs to, as its sidecar ".NAME.part.meta"
 * records it. */
struct pdl_partial_meta {
    const char *url;                  /* the task's URL; not owned */
    char etag[PDL_VALIDATOR_MAX];     /* "" if the server gave none */
    char modified[PDL_VALIDATOR_MAX]; /* Last-Modified, "" if none */
    int64_t total;                    /* complete length, -1 if unknown */
};

/* What to do with a reply to a request for a body (with a Range when a
 * partial is kept). */
enum pdl_resume_verdict {
    PDL_RESUME_FRESH,    /* a whole body follows: write it from zero */
    PDL_RESUME_APPEND,   /* a 206 that continues the partial exactly */
    PDL_RESUME_COMPLETE, /* a 416 saying the partial is already whole */
    PDL_RESUME_RESTART,  /* unusable: drop the partial, fetch it whole */
    PDL_RESUME_KEEP      /* no body to judge (an error, no reply): keep it */
};

/* The parts of a reply the verdict depends on; absent headers are NULL. */
struct pdl_reply {
    long http;
    const char *content_range;
    const char *etag;
    const char *modified;
};

/* Parses a Content-Range value (RFC 9110 14.4): "bytes FIRST-LAST/TOTAL",
 * the same with an asterisk for an unknown TOTAL (*total = -1), or the
 * unsatisfied form, an asterisk before "/TOTAL" (*first = *last = -1).
 * The unit is case-insensitive; white space around the value is allowed.
 * Returns false, with the outputs -1, for anything else: LAST before
 * FIRST, LAST at or past TOTAL, numbers over INT64_MAX, other units. */
bool pdl_content_range_parse(const char *value, int64_t *first, int64_t *last,
                             int64_t *total);

/* Judges reply to a request for the body of which have bytes are kept
 * (0: none, no Range was sent), known being the partial's record (NULL if
 * none). Appends only a 206 that starts exactly at have, runs to the end of
 * a known complete length that agrees with known->total, and carries no
 * validator contradicting known's. */
enum pdl_resume_verdict pdl_resume_judge(const struct pdl_partial_meta *known,
                                         int64_t have,
                                         const struct pdl_reply *reply);

/* Writes m as the sidecar's text into buf (size bytes, terminated).
 * Returns the length, or -1 if it does not fit or a field holds a line
 * break (then nothing must be recorded). */
long pdl_partial_meta_format(const struct pdl_partial_meta *m, char *buf,
                             size_t size);

/* Reads a sidecar's text (len bytes at text, which must be writable and
 * is cut into lines in place) into *m, whose url then points into text.
 * Returns false if it is not a complete, well-formed record. */
bool pdl_partial_meta_parse(char *text, size_t len, struct pdl_partial_meta *m);

/* The sidecar of the partial body of name, in the output folder dirfd:
 * written under a private temporary name (".NAME.part.meta-PID") and
 * renamed, read and removed through dirfd without following symbolic
 * links. save returns false if it could not be written (then none is
 * left). load returns a buffer the caller frees, into which m->url points,
 * or NULL if there is no usable record. */
bool pdl_partial_meta_save(int dirfd, const char *name,
                           const struct pdl_partial_meta *m);
char *pdl_partial_meta_load(int dirfd, const char *name,
                            struct pdl_partial_meta *m);
void pdl_partial_meta_remove(int dirfd, const char *name);

/* One worker's resume state for the attempt in progress. Zeroed memory is
 * a valid initial state; pdl_resume_cleanup frees what it holds. */
struct pdl_resume {
    const char *url;            /* the task's URL, for its record */
    char *text;                 /* owns known.url */
    struct curl_slist *headers; /* If-Range, or NULL */
    enum pdl_resume_verdict verdict;
    bool judged; /* verdict is this attempt's */
    bool off;    /* nothing kept (no --continue): always FRESH */
    /* The texts last: pdl_resume_cleanup zeroes what comes before range
     * and empties the texts by their first bytes, not 680 bytes a task. */
    char range[32];                /* "HAVE-" */
    char why[PDL_ERROR_MAX];       /* why a RESTART, for the record */
    struct pdl_partial_meta known; /* the kept partial's record */
};

/* Prepares an attempt at url whose body goes to s: a partial s keeps is
 * resumed only if its record names the same URL (and it is no longer than
 * the recorded length); otherwise it and its record are removed, and
 * s->offset is 0. Sets c's Range ("HAVE-") and If-Range (the recorded
 * strong ETag, else Last-Modified) for a resume, and clears both for a
 * whole download. */
void pdl_resume_begin(struct pdl_resume *r, CURL *c, struct pdl_sink *s,
                      const char *url);

/* Judges the reply c received (once per attempt; later calls return the
 * same verdict), as soon as its headers are in. FRESH after a partial
 * drops it; FRESH into a kept body (s->keep) records the URL and the
 * reply's validators and length before the first byte is written. */
enum pdl_resume_verdict pdl_resume_check(struct pdl_resume *r, CURL *c,
                                         struct pdl_sink *s);

void pdl_resume_cleanup(struct pdl_resume *r);

#endif
