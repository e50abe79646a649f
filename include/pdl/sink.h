/* Where one body goes: a temporary file in the output folder, renamed to the
 * task's name only when the download succeeded, so a final name never holds
 * a partial file. */
#ifndef PDL_SINK_H
#define PDL_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdl/sha256.h"
#include "pdl/tasklist.h"

struct pdl_sink {
    int dirfd;        /* output folder; -1 drops every byte */
    const char *name; /* final name inside dirfd */
    bool keep;        /* keep a partial body for a later --continue */
    int fd;           /* -1 until the first byte */
    int64_t offset;   /* bytes of an earlier partial body, resumable */
    int err;          /* errno of the first failure, 0 if none */
    bool own_dirfd;   /* see alt */
    bool no_replace;  /* --no-clobber: a file that appeared meanwhile stays */
    bool mismatch;    /* commit refused a body whose digest differs */
    /* The body's expected SHA-256 (pdl_sink_expect), hashed as written. */
    bool verify;
    uint8_t want[32];
    struct pdl_sha256 hash;
    /* The texts last: pdl_sink_init zeroes what comes before tmp and
     * empties each text by its first byte, not 800 bytes an attempt. */
    char tmp[PDL_NAME_MAX + 64];
    /* Where the body is saved, when not as name in dirfd: alt is a name
     * the server gave (--content-disposition), own_dirfd a folder under
     * dirfd the sink opened (--force-directories) and closes. */
    char alt[PDL_NAME_MAX + 1];
    char alt_saved[PDL_NAME_MAX + 32]; /* alt as commit saved it: "a.1.txt" */
    char why[96];                      /* "checksum mismatch: got sha256:..." */
};

/* Prepares s for one attempt at name. With keep, the temporary name is
 * stable (".NAME.part") and s->offset is the size of a partial body an
 * earlier run left there; without, it is private to this process and
 * s->offset is 0. Opens nothing. */
void pdl_sink_init(struct pdl_sink *s, int dirfd, const char *name, bool keep);

/* Makes commit refuse a body whose SHA-256 is not want: the digest is
 * computed as the body is written (bytes of a partial body it continues
 * are read once when it is opened). Call after pdl_sink_init. */
void pdl_sink_expect(struct pdl_sink *s, const uint8_t want[32]);

/* Makes the body go into the folder rel (one or more '/'-separated names,
 * none "." or "..", none hidden) under dirfd, created as needed one level
 * at a time with mkdirat, never following a symbolic link. On failure
 * s->err is set and every write fails. Call after pdl_sink_init. */
void pdl_sink_subdir(struct pdl_sink *s, const char *rel);

/* Appends len bytes. The file is opened on the first call: continuing the
 * partial body if resume is true, else starting it over. Returns 0, or -1
 * with s->err set. */
int pdl_sink_write(struct pdl_sink *s, const char *data, size_t len,
                   bool resume);

/* Completes the body: closes it (creating an empty file if no byte came)
 * and renames it to its final name (or to s->alt, never replacing a file
that is there: a name taken becomes "stem.N.ext"). Returns 0, or -1 with s->err
set, or
 * -1 with s->mismatch set if its digest is not the expected one; in either
 * case nothing is left behind. With keep, the partial's record
 * (pdl/resume.h) goes too. */
int pdl_sink_commit(struct pdl_sink *s);

/* Gives the body up: closes it and removes it (and its record), unless
 * keep is set and it holds bytes worth resuming. */
void pdl_sink_abandon(struct pdl_sink *s);

/* Removes whatever body the sink holds, partial or kept, with its record,
 * and starts it over at offset 0. */
void pdl_sink_forget(struct pdl_sink *s);

#endif
