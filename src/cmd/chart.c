/* pdl chart: draw a saved timeline again, in any view and several formats,
 * reading it once. Option parsing, checks and exit codes only; the drawing
 * is pdl_chart_*. */
#include "../cli.h"
#include "pdl/chart.h"
#include "pdl/util.h"

#include <stdio.h>
#include <string.h>

static const struct pdl_opt chart_opts[] = {
    {"by", required_argument, 'b', "VIEW",
     "task: one bar per task, split into curl's phases (default);\n"
     "worker: one lane per worker, idle gaps and busy share;\n"
     "connection: one lane per connection (version 4 timelines),\n"
     "its reuse, set-up and idle time;\n"
     "overview: tasks in flight, throughput, lane utilisation and\n"
     "task durations over time. Above %d tasks (task) or %d\n"
     "(worker, connection) the overview is drawn instead.",
     NULL},
    {"help", no_argument, 'h', NULL, "this text", NULL},
    PDL_OPT_END,
};

static const struct pdl_opt_layout chart_layout = {18, false};

static const char chart_head[] =
    "Usage: pdl chart [--by task|worker|connection|overview] TIMELINE "
    "OUT...\n"
    "Draws the timeline TSV of a run (pdl --timeline) with gnuplot into each "
    "OUT:\n"
    "*.png, *.svg (bars carry tooltips) or *.pdf. The timeline is read once.\n"
    "\n";

static const char chart_tail[] =
    "\n"
    "The scripts are found in $PDL_PLOTS_DIR, else share/pdl/plots beside "
    "the\n"
    "installed binary. Exit status: 0 every chart drawn; 1 a chart could not "
    "be\n"
    "drawn (gnuplot's reason is given); 2 usage error, a timeline that cannot "
    "be\n"
    "read or is not one, an output that cannot be written.\n";

static int usage_error(const char *fmt, const char *arg)
{
    fputs("pdl chart: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'pdl chart --help'.\n", stderr);
    return PDL_EXIT_USAGE;
}

/* The script for a --by word, NULL if none. */
static const char *view_of(const char *by)
{
    if (strcmp(by, "task") == 0)
        return "gantt";
    if (strcmp(by, "worker") == 0)
        return "lanes";
    if (strcmp(by, "connection") == 0)
        return "conns";
    if (strcmp(by, "overview") == 0)
        return "overview";
    return NULL;
}

/* Checks every output before anything is drawn. */
static int check_outputs(char **outs, int n)
{
    char err[512];

    for (int i = 0; i < n; i++) {
        if (pdl_chart_out_ok(outs[i], err, sizeof(err)) != 0) {
            fprintf(stderr, "pdl chart: %s: %s\n", outs[i], err);
            return PDL_EXIT_USAGE;
        }
    }
    return 0;
}

static int draw_all(const char *data, char **outs, int n, const char *view)
{
    char err[20000];
    struct pdl_chart *ch;
    int rc = PDL_EXIT_OK;

    if (pdl_chart_create(&ch, data, view, err, sizeof(err)) != PDL_OK) {
        fprintf(stderr, "pdl chart: %s: %s\n", data, err);
        return PDL_EXIT_USAGE;
    }
    if (strcmp(pdl_chart_view(ch), view) != 0)
        fprintf(stderr,
                "pdl chart: %zu tasks: drawn as an overview over time "
                "(--by %s draws up to %d)\n",
                pdl_chart_rows(ch),
                strcmp(view, "gantt") == 0   ? "task"
                : strcmp(view, "conns") == 0 ? "connection"
                                             : "worker",
                strcmp(view, "gantt") == 0 ? PDL_CHART_TASKS_MAX
                                           : PDL_CHART_LANES_MAX);
    for (int i = 0; i < n; i++) {
        if (pdl_chart_draw(ch, outs[i], stderr, err, sizeof(err)) != 0) {
            fprintf(stderr, "pdl chart: %s: %s\n", outs[i], err);
            rc = PDL_EXIT_FAILED;
        }
    }
    pdl_chart_destroy(ch);
    return rc;
}

/* One option into *view (ctx). Returns -1 to go on, or the exit code. */
static int chart_option(void *ctx, int c, const char *arg)
{
    const char **view = ctx;

    if (c == 'h') {
        pdl_opt_usage(stdout, chart_opts, &chart_layout, chart_head, chart_tail,
                      PDL_CHART_TASKS_MAX, PDL_CHART_LANES_MAX);
        return PDL_EXIT_OK;
    }
    if (c != 'b')
        return usage_error("%s", "bad option");
    *view = view_of(arg);
    if (!*view)
        return usage_error(
            "--by: must be task, worker, connection or overview: \"%s\"", arg);
    return -1;
}

int pdl_cmd_chart(int argc, char **argv)
{
    const struct pdl_opt *tables[] = {chart_opts};
    const char *view = "gantt";
    int rc = pdl_cli_options(argc, argv, tables, 1, false, chart_option, &view);

    if (rc >= 0)
        return rc;
    if (argc - optind < 2)
        return usage_error("%s", argc - optind < 1
                                     ? "no timeline given"
                                     : "no output given (.png, .svg or .pdf)");
    rc = check_outputs(argv + optind + 1, argc - optind - 1);
    if (rc != 0)
        return rc;
    return draw_all(argv[optind], argv + optind + 1, argc - optind - 1, view);
}
