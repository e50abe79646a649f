/* Timeline exports that other tools open: JSON lines for scripts, the Chrome
 * trace event format for Perfetto and chrome://tracing, and HAR 1.2 for
 * browser devtools and HAR viewers. */
#ifndef PDL_EXPORT_H
#define PDL_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "pdl/result.h"
#include "pdl/timeline.h"

/* One format per extension, the same for --export, pdl export and --json's
 * document, so that a name never means two things. */
enum pdl_export_format {
    PDL_EXPORT_JSONL,  /* *.jsonl: one JSON object per task per line */
    PDL_EXPORT_CHROME, /* *.trace.json: {"traceEvents":[...]} */
    PDL_EXPORT_HAR,    /* *.har: HTTP Archive 1.2, one entry per started task */
    PDL_EXPORT_REPORT  /* any other *.json: the document --json writes */
};

/* Writes len bytes of s as a JSON string: quotes, backslashes and control
 * bytes escaped, bytes that are not UTF-8 (a URL may hold any) as U+FFFD.
 * The one JSON string writer: every JSON pdl writes goes through it. */
void pdl_json_strn(FILE *out, const char *s, size_t len);

/* The format a file name asks for, by its extension, ignoring case:
 * *.jsonl -> JSONL, *.trace.json -> Chrome trace, *.har -> HAR, any other
 * *.json -> the JSON report. Returns false, leaving *fmt alone, if the name
 * asks for none. */
bool pdl_export_format_for(const char *path, enum pdl_export_format *fmt);

/* The extension of fmt without the dot ("jsonl", "trace.json", "har",
 * "json"). */
const char *pdl_export_format_ext(enum pdl_export_format fmt);

/* Writes n tasks (urls[i] for results[i], id i) of the run described by info
 * to out, in fmt (PDL_EXPORT_REPORT: as pdl_export_report). Times are rounded
 * to the microsecond exactly as the timeline TSV rounds them, so exporting a
 * run and exporting its timeline later give the same numbers. Returns PDL_OK,
 * PDL_ERR_IO (errno set) or PDL_ERR_USAGE (fmt is none of the enum); out stays
 * open. */
int pdl_export_write(FILE *out, enum pdl_export_format fmt,
                     const struct pdl_run_info *info,
                     const struct pdl_result *results, const char *const *urls,
                     size_t n);

/* Writes one JSON document for scripts: the run ("run"), its statistics
 * ("summary": counts, bytes, wall, busy, concurrency, max_in_flight,
 * latency p50/p95/max, failures by status) and every task as in JSON lines
 * ("tasks"). Returns PDL_OK or PDL_ERR_IO (errno set). */
int pdl_export_report(FILE *out, const struct pdl_run_info *info,
                      const struct pdl_result *results, const char *const *urls,
                      size_t n);

/* Reads the timeline file `timeline` ("-" = stdin) and writes it to out_path
 * in the format its name asks for, keeping the timeline's ids. A timeline
 * has no error texts, so its exports have none either. Returns
 * PDL_OK; or PDL_ERR_USAGE (out_path names no format), PDL_ERR_IO (a file
 * could not be read or written) or PDL_ERR_FORMAT (not a pdl timeline), with
 * err (size errsz, always terminated) saying why and naming the file, and
 * the line for a bad timeline. A partly written out_path is removed. */
int pdl_export_file(const char *timeline, const char *out_path, char *err,
                    size_t errsz);

/* The report of pdl_export_report, from the timeline file `timeline`, to
 * out_path ("-" = stdout), as pdl_export_file writes. */
int pdl_export_report_file(const char *timeline, const char *out_path,
                           char *err, size_t errsz);

#endif
