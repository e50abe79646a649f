/* Helpers every module shares: the out-of-memory policy, the clock, and the
 * one error enum of the library. */
#ifndef PDL_UTIL_H
#define PDL_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define PDL_VERSION "0.1.0"

/* Nanoseconds on CLOCK_MONOTONIC, only for relative timings. The clock is
 * system-wide on Linux, so stamps taken in forked workers line up with the
 * parent's start. */
typedef int64_t pdl_monotime;

pdl_monotime pdl_now(void);

/* Errors of the run itself. A URL that fails is data in its result record,
 * never one of these. */
enum pdl_err {
    PDL_OK = 0,
    PDL_ERR_IO,     /* a file could not be read or written; see errno */
    PDL_ERR_FORMAT, /* input is not in the expected format */
    PDL_ERR_SYSTEM, /* threads, processes or shared memory unavailable */
    PDL_ERR_CURL,   /* libcurl could not be set up */
    PDL_ERR_USAGE   /* the caller asked for something impossible */
};

const char *pdl_strerror(enum pdl_err err);

/* Allocation that never returns NULL: on exhaustion it prints one line and
 * aborts, so callers need no NULL checks. */
void *pdl_xmalloc(size_t size);
void *pdl_xcalloc(size_t count, size_t size);
void *pdl_xrealloc(void *ptr, size_t count, size_t size);
char *pdl_xstrdup(const char *s);
char *pdl_xstrndup(const char *s, size_t n);

/* Writes s into out (size outsz, always terminated) as a printable quote:
 * control bytes and non-ASCII as \xNN, cut to fit with "..." at the end. */
void pdl_quote(const char *s, size_t len, char *out, size_t outsz);

/* The value of hexadecimal digit c, or -1. */
int pdl_hex_value(char c);

#endif
