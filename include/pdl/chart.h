/* Charts: fill the gnuplot scripts in plots/ with a timeline and run gnuplot.
 * Never fetches; a chart that cannot be drawn never changes a run's outcome. */
#ifndef PDL_CHART_H
#define PDL_CHART_H

#include <stddef.h>

/* Writes into buf the folder of the gnuplot scripts: $PDL_PLOTS_DIR if set;
 * else share/pdl/plots beside the running binary's bin/ (an installed pdl,
 * wherever its prefix); else the source tree pdl was built from. */
void pdl_plots_dir(char *buf, size_t bufsz);

/* Renders the timeline file data into out with plots/VIEW.gp (view is
 * "gantt" or "lanes"); out's extension (.png, .svg, .pdf) picks the format.
 * Returns 0, or -1 with err saying why and, when gnuplot is missing or
 * fails, the exact command that renders it later; in that case the filled
 * script is left in OUT.gp so that `gnuplot OUT.gp` draws it. */
int pdl_chart_render(const char *data, const char *out, const char *view,
                     char *err, size_t errsz);

/* True if out ends in an extension pdl_chart_render can draw. */
int pdl_chart_format_ok(const char *out);

#endif
