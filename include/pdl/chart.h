/* Charts: fill the gnuplot scripts in plots/ with a timeline and run gnuplot.
 * Never fetches; a timeline too large to draw task by task is drawn as an
 * overview over time from bins computed here in one streaming pass. */
#ifndef PDL_CHART_H
#define PDL_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Above these many rows a timeline is drawn with plots/overview.gp (tasks in
 * flight, throughput, lane utilisation and durations over time) instead of
 * one bar per task (task view) or one box per task in its lane (worker
 * view). */
#define PDL_CHART_TASKS_MAX 2000
#define PDL_CHART_LANES_MAX 10000

/* Writes into buf the folder of the gnuplot scripts: $PDL_PLOTS_DIR if set;
 * else share/pdl/plots beside the running binary's bin/ (an installed pdl,
 * wherever its prefix); else the source tree pdl was built from. Returns
 * PDL_OK, or PDL_ERR_TOOLONG (buf then "") if it does not fit. */
int pdl_plots_dir(char *buf, size_t bufsz);

/* True if out ends in an extension the charts can draw (.png, .svg, .pdf). */
int pdl_chart_format_ok(const char *out);

/* Checks, before anything is drawn, that out has a known extension and can
 * be created where it is named (by creating and removing a file beside it).
 * Returns PDL_OK, or with err saying why: PDL_ERR_USAGE (unknown
 * extension), PDL_ERR_IO (cannot be created), PDL_ERR_TOOLONG. */
int pdl_chart_out_ok(const char *out, char *err, size_t errsz);

/* A timeline read and ready to be drawn any number of times. */
struct pdl_chart;

/* Reads the timeline file data (once, streaming) for view "gantt", "lanes"
 * or "overview"; gantt and lanes turn into overview above the limits above.
 * On success *chart is set and must be given to pdl_chart_destroy. Returns
 * PDL_OK; PDL_ERR_IO (errno set, err says why); PDL_ERR_FORMAT (err says
 * "line N: why"); PDL_ERR_USAGE (unknown view); PDL_ERR_TOOLONG ($TMPDIR
 * too long for the overview's temporary file). */
int pdl_chart_create(struct pdl_chart **chart, const char *data,
                     const char *view, char *err, size_t errsz);

/* The script that will draw the chart: "gantt", "lanes" or "overview". */
const char *pdl_chart_view(const struct pdl_chart *chart);

/* Rows of the timeline. */
size_t pdl_chart_rows(const struct pdl_chart *chart);

/* Draws the chart into out; out's extension picks the format. Returns
 * PDL_OK; PDL_ERR_USAGE, PDL_ERR_IO (no script) or PDL_ERR_TOOLONG with err
 * saying why; or PDL_ERR_TOOL with err giving gnuplot's reason and the exact
 * command that draws it later; the filled script is then left in OUT.gp (and
 * the overview's bins in OUT.data.gp), so that `gnuplot OUT.gp` draws it.
 * Whatever gnuplot printed on stderr while succeeding (warnings) goes to report
 * if not NULL. */
int pdl_chart_draw(struct pdl_chart *chart, const char *out, FILE *report,
                   char *err, size_t errsz);

/* Frees chart and removes its temporary files; accepts NULL. */
void pdl_chart_destroy(struct pdl_chart *chart);

/* Draws the timeline file data into each of the n files outs with view
 * (as above), reading the timeline once. Reports each failure on report as
 * "pdl: chart OUT: why", and unless quiet each chart drawn as
 * "pdl: chart: OUT". Returns how many charts were not drawn. */
size_t pdl_chart_render_all(const char *data, const char *const *outs, size_t n,
                            const char *view, FILE *report, bool quiet);

/* Renders the timeline (or, for view "compare", the summary of pdl compare;
 * for "predict", the chart data of pdl predict) in data into out with
 * plots/VIEW.gp. Returns PDL_OK, or an error of pdl_chart_create or
 * pdl_chart_draw with err saying why. */
int pdl_chart_render(const char *data, const char *out, const char *view,
                     char *err, size_t errsz);

#endif
