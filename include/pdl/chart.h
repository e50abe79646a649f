/* Charts: fill the gnuplot scripts in plots/ with a timeline and run gnuplot.
 * Never fetches; a chart that cannot be drawn never changes a run's outcome. */
#ifndef PDL_CHART_H
#define PDL_CHART_H

#include <stddef.h>

/* Where the gnuplot scripts are: $PDL_PLOTS_DIR if set, else the folder
 * pdl was built or installed with. */
const char *pdl_plots_dir(void);

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
