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
 * never one of these. One table (name, message) gives both the enum and
 * pdl_strerror, as libuv's UV_ERRNO_MAP does, so the two cannot drift. */
#define PDL_ERR_MAP(X)                                                         \
    X(OK, "success")                                                           \
    /* a file could not be read or written; see errno */                       \
    X(ERR_IO, "input/output error")                                            \
    /* input is not in the expected format */                                  \
    X(ERR_FORMAT, "bad format")                                                \
    /* threads, processes or shared memory unavailable */                      \
    X(ERR_SYSTEM, "system resources unavailable")                              \
    /* libcurl could not be set up */                                          \
    X(ERR_CURL, "libcurl could not be initialised")                            \
    /* the caller asked for something impossible */                            \
    X(ERR_USAGE, "invalid request")                                            \
    /* a path does not fit its buffer: an error, never a silent cut */         \
    X(ERR_TOOLONG, "path too long")                                            \
    /* a program pdl runs (gnuplot) failed or is missing */                    \
    X(ERR_TOOL, "a helper program failed")

#define PDL_ERR_ENUM(name, msg) PDL_##name,
enum pdl_err { PDL_ERR_MAP(PDL_ERR_ENUM) PDL_ERR_COUNT };
#undef PDL_ERR_ENUM

/* The message of err; "unknown error" for a value outside the enum. */
const char *pdl_strerror(enum pdl_err err);

/* Formats a path into buf (size n) as snprintf does. Returns PDL_OK, or
 * PDL_ERR_TOOLONG when it does not fit, and then buf is "": a path is never
 * cut silently, and a cut one is never used. */
int pdl_path_fmt(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The path of the running binary (/proc/self/exe) into buf (size n).
 * Returns PDL_OK; PDL_ERR_TOOLONG if it does not fit; PDL_ERR_SYSTEM if it
 * cannot be read (errno says why). buf is "" on failure. */
int pdl_self_exe(char *buf, size_t n);

/* Splits s in place at its tabs into f (room for max fields). Returns the
 * number of fields, or max + 1 if there are more (f then holds the first
 * max, the last of them not cut at its tabs). */
int pdl_split_tabs(char *s, char **f, int max);

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
