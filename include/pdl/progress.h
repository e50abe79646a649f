/* The live progress display: a thread that reads the counters of a run and
 * redraws one status line on a terminal, or writes a plain line now and then
 * for logs. It only reads the counters; it decides nothing about the run. */
#ifndef PDL_PROGRESS_H
#define PDL_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pdl/counters.h"
#include "pdl/result.h"
#include "pdl/tasklist.h"
#include "pdl/util.h"

enum pdl_progress_style {
    PDL_PROGRESS_AUTO,  /* bar on a terminal, none otherwise */
    PDL_PROGRESS_BAR,   /* one line redrawn in place, about 10 times a second */
    PDL_PROGRESS_PLAIN, /* a line at each tenth and every 10 s, for logs */
    PDL_PROGRESS_NONE,
    PDL_PROGRESS_JSON /* a JSON object per line: progress every 100 ms,
                         each settled task, messages */
};

/* Reads "bar", "plain", "json" or "none" into *out. Returns false, leaving *out
 * alone, for anything else ("auto" is the default, not a choice). */
bool pdl_progress_parse(const char *s, enum pdl_progress_style *out);

/* The style that is drawn for style on an output that is or is not a
 * terminal: AUTO is a bar on a terminal and none elsewhere; a bar asked for
 * on something that is not a terminal falls back to plain lines (as wget
 * does), since it cannot be redrawn in place there. */
enum pdl_progress_style pdl_progress_resolve(enum pdl_progress_style style,
                                             bool is_tty);

/* Whether to colour: only a bar (so only on a terminal), and only when
 * no_color, the value of NO_COLOR, is NULL or empty (https://no-color.org). */
bool pdl_progress_use_color(enum pdl_progress_style resolved,
                            const char *no_color);

/* Whether term, the value of TERM, names a terminal that takes no escape
 * codes ("dumb", as Emacs' shell sets): the bar is then redrawn with '\r'
 * and spaces alone, without colour. */
bool pdl_progress_dumb(const char *term);

/* The numbers one line shows. */
struct pdl_progress_snapshot {
    size_t done;    /* tasks finished, whatever their outcome */
    size_t total;   /* tasks in the run */
    size_t failed;  /* of done, not ok */
    size_t skipped; /* of done, settled before the run (--continue) */
    int64_t bytes;  /* body bytes received so far */
    unsigned busy;  /* workers holding a task */
    unsigned workers;
    double elapsed;   /* seconds since the run's start */
    double rate;      /* bytes per second */
    double task_rate; /* tasks (not skipped) per second */
    /* Transfers in flight that said their size: bytes so far (a resumed
     * part included) and in all, and how many. They move the percent and
     * the bar before they end. */
    int64_t live_got, live_size;
    unsigned live_sized;
};

/* Fills s from the live counters at time now for a run started at t0, with
 * the average rates since t0 (the display replaces it with a recent one).
 * total is 0 while the number of tasks is not known (lists read as the run
 * goes and not counted yet): the line then shows "?" for it. */
void pdl_progress_snapshot_take(const struct pdl_counters *c, pdl_monotime t0,
                                pdl_monotime now,
                                struct pdl_progress_snapshot *s);

/* Formats the bar line of s for a terminal width columns wide into buf
 * (always terminated when bufsz > 0), at 200 columns:
 *   [==================>                               ]  37%  148/400 tasks
 *      12.3 MB    4.1 MB/s  46.3 tasks/s  4/4 busy  2 failed  0:03 < 0:05
 * all on one line, the bar at most 50 cells. The percent and the bar count
 * each sized transfer in flight by the part of it received; the ETA comes
 * from the bytes left when every task left is such a transfer, else from
 * the pace of tasks. Fields are dropped as width narrows: the word
 * "tasks", the task rate, busy workers, bytes, rate, the elapsed time
 * (leaving "ETA 0:05"), the bar, then the ETA and failures; percent and
 * done/total stay, cut at width as a last resort. The line never holds '\n' or
 * '\r' and takes at most width columns; with color it also holds ANSI colour
 * codes, which take none. Returns the bytes written, without the terminator. */
size_t pdl_progress_format(char *buf, size_t bufsz,
                           const struct pdl_progress_snapshot *s, int width,
                           bool color);

/* Formats s as one plain line for logs, without '\n', e.g.
 *   pdl: progress: 148/400 tasks (37%), 12.3 MB, 4.1 MB/s, 46.3 tasks/s,
 *   4/4 busy, 2 failed, elapsed 0:03, ETA 0:05
 * Returns the bytes written, as pdl_progress_format. */
size_t pdl_progress_format_plain(char *buf, size_t bufsz,
                                 const struct pdl_progress_snapshot *s);

/* Formats s as one JSON object, without '\n':
 *   {"type":"progress","elapsed":3.200,"done":148,"failed":2,"skipped":0,
 *    "total":400,"percent":37.0,"bytes":12897485,"bytes_in_flight":0,
 *    "size_in_flight":0,"in_flight":4,"workers":4,"rate":4299162,
 *    "task_rate":46.30,"eta":5.4}
 * total, percent and eta are null while not known. Returns the bytes
 * written, as pdl_progress_format. */
size_t pdl_progress_format_json(char *buf, size_t bufsz,
                                const struct pdl_progress_snapshot *s);

/* Writes the JSON line of settled task t with record r on out:
 *   {"type":"task","index":3,"url":"...","file":"a.bin","status":"http",
 *    "http":503,"bytes":0,"duration":0.012,"attempts":1,"worker":2,
 *    "error":"HTTP 503"}
 * file and error are null when there is none. */
void pdl_progress_json_task(FILE *out, const struct pdl_task *t,
                            const struct pdl_result *r);

struct pdl_progress;

/* Resolves style for out (pdl_progress_resolve on isatty of its fd) and, if
 * it is not none, starts a thread that reads counters (never writes them) and
 * draws on out until pdl_progress_stop; nothing else should write to out
 * meanwhile. The bar re-reads the terminal width at each draw, so that a
 * terminal made narrower keeps no piece of a longer frame, and draws
 * nothing in the first 100 ms, so a quick run leaves no trace; with
 * TERM=dumb it holds no escape code. JSON writes a progress line every
 * 100 ms and one at the end. t0 is the
 * run's start. counters must outlive the display. Returns NULL when
 * there is nothing to draw or the thread could not be started (the run goes
 * on without a display). */
struct pdl_progress *pdl_progress_start(const struct pdl_counters *counters,
                                        enum pdl_progress_style style,
                                        FILE *out, pdl_monotime t0);

/* Stops the thread and frees p. A bar is erased, leaving the cursor at the
 * start of an empty line for whatever is printed next; plain lines end with
 * one for the final state, with the average rate. Accepts NULL. */
void pdl_progress_stop(struct pdl_progress *p);

/* Prints line (without its '\n') for the user while the display runs: a
 * bar is erased first and drawn again below it at the next frame; in JSON
 * it is a {"type":"message","text":...} line. With p NULL it is printed on
 * out. */
void pdl_progress_say(struct pdl_progress *p, FILE *out, const char *line);

/* Tells the display that task t settled with record r: in JSON, its task
 * line, and true; false in any other style (or p NULL), which tell
 * failures through pdl_progress_say. */
bool pdl_progress_task(struct pdl_progress *p, const struct pdl_task *t,
                       const struct pdl_result *r);

#endif
