/* pdl predict: replay a recorded timeline's tasks under other configurations
 * and print (and write as JSON, and draw) the predicted makespans. Option
 * parsing, wiring and output only; the simulation is pdl_predict_*. */
#include "../cli.h"
#include "pdl/chart.h"
#include "pdl/parse.h"
#include "pdl/predict.h"
#include "pdl/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREDICT_W_MAX 64 /* items in one --workers list */

struct predict_cli {
    const char *timeline;
    unsigned workers[PREDICT_W_MAX];
    size_t nworkers;
    enum pdl_schedule schedules[2];
    size_t nschedules;
    struct pdl_predict_config base; /* everything but workers, schedule */
    unsigned gantt;                 /* 0: the largest W */
    const char *chart;
    const char *json;
    const char *compare; /* a pdl compare summary: its runs as points */
    bool order_given;    /* --order; else the order the run used */
};

/* One configuration predicted. */
struct row {
    struct pdl_predict_config cfg;
    struct pdl_predict_result res;
};

static int usage_error(const char *opt, const char *why, const char *arg)
{
    fprintf(stderr, "pdl predict: %s: %s: \"%s\"\n", opt, why, arg);
    fputs("Try 'pdl predict --help'.\n", stderr);
    return PDL_EXIT_USAGE;
}

/* The worker counts of --workers as they are read. */
struct wlist {
    unsigned *w;
    size_t max, n;
    const char *why;
};

static int add_workers(void *ctx, const char *item)
{
    static const char *const why[] = {
        NULL, "must be whole numbers from 1 to 1024, e.g. 1,2,4,8",
        "a number listed twice", "too many numbers"};
    struct wlist *l = ctx;
    int rc = pdl_cli_add_number(item, 1, 1024, l->w, &l->n, l->max);

    l->why = why[rc];
    return rc == 0 ? 0 : -1;
}

/* "1,2,4,8" into w (at most max, each 1..1024, none twice). Returns 0, or
 * -1 with *why set. */
static int parse_workers(const char *arg, unsigned *w, size_t max, size_t *n,
                         const char **why)
{
    struct wlist l = {w, max, 0, NULL};
    const char *bad = NULL;
    int rc = pdl_cli_each_item(arg, add_workers, &l, &bad);

    *n = l.n;
    *why = l.why ? l.why : "must be whole numbers from 1 to 1024, e.g. 1,2,4,8";
    return rc == 0 ? 0 : -1;
}

static int parse_schedules(const char *arg, struct predict_cli *cli)
{
    if (strcmp(arg, "dynamic") == 0 || strcmp(arg, "static") == 0) {
        cli->schedules[0] =
            arg[0] == 'd' ? PDL_SCHED_DYNAMIC : PDL_SCHED_STATIC;
        cli->nschedules = 1;
        return 0;
    }
    if (strcmp(arg, "dynamic,static") == 0 ||
        strcmp(arg, "static,dynamic") == 0) {
        cli->schedules[0] =
            arg[0] == 'd' ? PDL_SCHED_DYNAMIC : PDL_SCHED_STATIC;
        cli->schedules[1] =
            arg[0] == 'd' ? PDL_SCHED_STATIC : PDL_SCHED_DYNAMIC;
        cli->nschedules = 2;
        return 0;
    }
    return usage_error("--schedule", "must be dynamic, static or both", arg);
}

enum {
    OPT_SCHEDULE = 256,
    OPT_CHUNK,
    OPT_PER_HOST,
    OPT_RATE,
    OPT_ORDER,
    OPT_GANTT,
    OPT_CHART,
    OPT_JSON,
    OPT_COMPARE
};

static const struct pdl_opt predict_opts[] = {
    {"workers", required_argument, 'w', "LIST",
     "worker counts to predict, e.g. 1,2,4,8 (default\n1,2,4,8,16)", NULL},
    {"schedule", required_argument, OPT_SCHEDULE, "LIST",
     "dynamic, static or both: dynamic,static (default\ndynamic)", NULL},
    {"chunk", required_argument, OPT_CHUNK, "N",
     "dynamic: tasks taken at a time (default 1)", NULL},
    {"per-host", required_argument, OPT_PER_HOST, "N",
     "at most N transfers per host at once, loopback\n"
     "hosts too; 0 = none (default: pdl's, 8 sparing\n"
     "loopback hosts)",
     NULL},
    {"rate", required_argument, OPT_RATE, "R",
     "at most R starts per second (10/s, 600/m)", NULL},
    {"order", required_argument, OPT_ORDER, "HOW",
     "list (the list's order) or longest-first (by\n"
     "recorded duration); default: the order the run used",
     NULL},
    {"gantt", required_argument, OPT_GANTT, "W",
     "the configuration whose tasks are drawn and written\n"
     "(default: the largest W)",
     NULL},
    {"chart", required_argument, OPT_CHART, "FILE",
     "draw makespan against W (lower bound, measured point),\n"
     "the predicted lanes under the measured ones and tasks\n"
     "in flight over time: .png, .svg or .pdf; its data is\n"
     "kept beside it as FILE's name with .predict.tsv",
     NULL},
    {"json", required_argument, OPT_JSON, "FILE",
     "the same as a JSON document; - is stdout", NULL},
    {"compare", required_argument, OPT_COMPARE, "SUMMARY",
     "a pdl compare summary.tsv: its runs of the\n"
     "timeline's mode become measured points on the chart\n"
     "and a measured column (median) in the table",
     NULL},
    {"help", no_argument, 'h', NULL, "this text", NULL},
    PDL_OPT_END,
};

static const struct pdl_opt_layout predict_layout = {25, false};

static const char predict_head[] =
    "Usage: pdl predict TIMELINE [options]\n"
    "Replays the tasks of a recorded run (pdl --timeline) in a simulation "
    "of pdl's\n"
    "scheduler, per-host cap, rate and kept-alive connections, and predicts "
    "the\n"
    "makespan of each configuration, with the lower bound max(task time / "
    "W,\n"
    "longest task) and the efficiency against it. Nothing is downloaded.\n"
    "\n";

static const char predict_tail[] =
    "\n"
    "Exit status: 0 done; 1 the chart could not be drawn; 2 usage error, a "
    "timeline\n"
    "that cannot be read or has no task that ran.\n";

/* One option's value into cli. Returns 0 or the exit code. */
static int set_option(int c, const char *arg, struct predict_cli *cli)
{
    const char *why = NULL;
    long v;

    switch (c) {
    case 'w':
        if (parse_workers(arg, cli->workers, PREDICT_W_MAX, &cli->nworkers,
                          &why) != 0)
            return usage_error("--workers", why, arg);
        return 0;
    case OPT_SCHEDULE:
        return parse_schedules(arg, cli);
    case OPT_CHUNK:
    case OPT_PER_HOST:
    case OPT_GANTT:
        if (!pdl_parse_long(arg, c == OPT_PER_HOST ? 0 : 1, 1024, &v))
            return usage_error(c == OPT_CHUNK   ? "--chunk"
                               : c == OPT_GANTT ? "--gantt"
                                                : "--per-host",
                               c == OPT_PER_HOST
                                   ? "must be a whole number from 0 to 1024"
                                   : "must be a whole number from 1 to 1024",
                               arg);
        if (c == OPT_CHUNK)
            cli->base.chunk = (unsigned)v;
        else if (c == OPT_GANTT)
            cli->gantt = (unsigned)v;
        else
            cli->base.per_host = (unsigned)v, cli->base.loopback_too = true;
        return 0;
    case OPT_RATE:
        if (!pdl_parse_rate(arg, &cli->base.rate))
            return usage_error("--rate", "must be like 10/s, 600/m or 2/h",
                               arg);
        return 0;
    case OPT_ORDER:
        if (strcmp(arg, "list") != 0 && strcmp(arg, "longest-first") != 0)
            return usage_error("--order", "must be list or longest-first", arg);
        cli->base.order = arg[0] == 'l' && arg[1] == 'o'
                              ? PDL_PREDICT_LONGEST_FIRST
                              : PDL_PREDICT_LIST;
        cli->order_given = true;
        return 0;
    case OPT_CHART:
        cli->chart = arg;
        return 0;
    case OPT_JSON:
        cli->json = arg;
        return 0;
    case OPT_COMPARE:
        cli->compare = arg;
        return 0;
    }
    fputs("Try 'pdl predict --help'.\n", stderr);
    return PDL_EXIT_USAGE;
}

/* One option into cli (ctx). Returns -1 to go on, or the exit code. */
static int predict_option(void *ctx, int c, const char *arg)
{
    if (c == 'h') {
        pdl_opt_usage(stdout, predict_opts, &predict_layout, predict_head,
                      predict_tail);
        return PDL_EXIT_OK;
    }
    return set_option(c, arg, ctx) != 0 ? PDL_EXIT_USAGE : -1;
}

/* Fills cli from argv. Returns -1 to go on, or the exit code. */
static int parse_args(int argc, char **argv, struct predict_cli *cli)
{
    static const unsigned defaults[] = {1, 2, 4, 8, 16};
    const struct pdl_opt *tables[] = {predict_opts};
    char err[512];
    int rc;

    memset(cli, 0, sizeof(*cli));
    pdl_predict_config_init(&cli->base, 1);
    memcpy(cli->workers, defaults, sizeof(defaults));
    cli->nworkers = sizeof(defaults) / sizeof(defaults[0]);
    cli->nschedules = 1;
    rc = pdl_cli_options(argc, argv, tables, 1, false, predict_option, cli);
    if (rc >= 0)
        return rc;
    if (argc - optind < 1) {
        fputs("pdl predict: no timeline given\nTry 'pdl predict --help'.\n",
              stderr);
        return PDL_EXIT_USAGE;
    }
    if (argc - optind > 1)
        return usage_error("TIMELINE", "only one is read", argv[optind + 1]);
    cli->timeline = argv[optind];
    if (cli->chart && pdl_chart_out_ok(cli->chart, err, sizeof(err)) != 0) {
        fprintf(stderr, "pdl predict: --chart %s: %s\n", cli->chart, err);
        return PDL_EXIT_USAGE;
    }
    return -1;
}

static int read_timeline(const char *path, struct pdl_timeline *tl)
{
    char err[512] = "";
    FILE *f = fopen(path, "r");
    int rc;

    if (!f) {
        fprintf(stderr, "pdl predict: %s: %s\n", path, strerror(errno));
        return PDL_EXIT_USAGE;
    }
    rc = pdl_timeline_read(f, tl, err, sizeof(err));
    fclose(f);
    if (rc != PDL_OK) {
        fprintf(stderr, "pdl predict: %s: %s\n", path,
                rc == PDL_ERR_IO ? strerror(errno) : err);
        return PDL_EXIT_USAGE;
    }
    return 0;
}

/* The measured makespan: the last end of any row (the metadata's wall). */
static double measured_wall(const struct pdl_timeline *tl)
{
    struct pdl_result tmp;
    int64_t end = 0;

    for (size_t i = 0; i < tl->count; i++) {
        const struct pdl_result *r = pdl_timeline_at(tl, i, &tmp);
        if (r->attempts > 0 && r->end_ns > end)
            end = r->end_ns;
    }
    return end / 1e9;
}

static const char *schedule_name(enum pdl_schedule s)
{
    return s == PDL_SCHED_STATIC ? "static" : "dynamic";
}

/* ---- output -------------------------------------------------------------- */

/* One run of a pdl compare summary. */
struct measured {
    unsigned workers;
    enum pdl_schedule schedule;
    double makespan;
};

struct report {
    const struct predict_cli *cli;
    const struct pdl_timeline *tl;
    struct pdl_predict_facts facts;
    double wall;       /* measured */
    struct row replay; /* the measured configuration, replayed */
    struct row *rows;  /* every configuration */
    size_t nrows;
    struct row gantt; /* the one drawn */
    struct pdl_predict_slot *slots;
    struct measured *cmp; /* --compare: runs of the timeline's mode */
    size_t ncmp;
};

/* ---- --compare: measured points from a pdl compare summary --------------- */

/* The index of each of the columns named in want[] (n of them) in the
 * header fields f[0..nf), or false if one is missing. */
static bool find_columns(char **f, int nf, const char *const *want, size_t n,
                         int *col)
{
    for (size_t k = 0; k < n; k++) {
        col[k] = -1;
        for (int i = 0; i < nf; i++)
            if (strcmp(f[i], want[k]) == 0)
                col[k] = i;
        if (col[k] < 0)
            return false;
    }
    return true;
}

/* Adds the row f (columns col: mode, workers, schedule, makespan) if it is
 * a run of mode that measured a makespan. */
static void add_measured(struct report *r, char **f, const int *col,
                         size_t *cap)
{
    char *end;
    long w;
    double k;

    if (strcmp(f[col[0]], r->tl->info.mode) != 0)
        return;
    w = strtol(f[col[1]], &end, 10);
    if (*end || w < 1)
        return;
    k = strtod(f[col[3]], &end);
    if (*end || !(k > 0))
        return; /* a run that failed has no makespan ("-") */
    if (r->ncmp == *cap) {
        *cap = *cap ? 2 * *cap : 16;
        r->cmp = pdl_xrealloc(r->cmp, *cap, sizeof(*r->cmp));
    }
    r->cmp[r->ncmp++] = (struct measured){
        (unsigned)w,
        strcmp(f[col[2]], "static") == 0 ? PDL_SCHED_STATIC : PDL_SCHED_DYNAMIC,
        k};
}

/* Reads --compare's summary into r->cmp. Returns 0 or the exit code. */
static int read_compare(struct report *r, const char *path)
{
    static const char *const want[] = {"mode", "workers", "schedule",
                                       "makespan"};
    char *line = NULL, *f[32];
    size_t cap = 0, lcap = 0;
    int col[4], nf;
    long no = 0;
    FILE *in = fopen(path, "r");
    const char *why = NULL;

    if (!in) {
        fprintf(stderr, "pdl predict: --compare %s: %s\n", path,
                strerror(errno));
        return PDL_EXIT_USAGE;
    }
    while (!why && getline(&line, &lcap, in) > 0) {
        no++;
        line[strcspn(line, "\r\n")] = '\0';
        if (no == 1 && strncmp(line, "# pdl-compare ", 14) != 0)
            why = "not a pdl compare summary";
        else if (no == 2 && (nf = pdl_split_tabs(line, f, 32)) > 0 &&
                 !find_columns(f, nf > 32 ? 32 : nf, want, 4, col))
            why = "no mode, workers, schedule and makespan columns";
        else if (no > 2 && line[0] != '#' &&
                 pdl_split_tabs(line, f, 32) > col[3])
            add_measured(r, f, col, &cap);
    }
    free(line);
    fclose(in);
    if (!why && no < 2)
        why = "not a pdl compare summary";
    if (why) {
        fprintf(stderr, "pdl predict: --compare %s: line %ld: %s\n", path,
                no ? no : 1, why);
        return PDL_EXIT_USAGE;
    }
    if (r->ncmp == 0)
        fprintf(stderr, "pdl predict: --compare %s: no run of mode %s\n", path,
                r->tl->info.mode);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The median makespan --compare measured at w workers and schedule s, or
 * 0 if it has none. */
static double measured_median(const struct report *r, unsigned w,
                              enum pdl_schedule s)
{
    double *v = pdl_xcalloc(r->ncmp + 1, sizeof(*v)), m = 0;
    size_t n = 0;

    for (size_t i = 0; i < r->ncmp; i++)
        if (r->cmp[i].workers == w && r->cmp[i].schedule == s)
            v[n++] = r->cmp[i].makespan;
    if (n > 0) {
        qsort(v, n, sizeof(*v), cmp_double);
        m = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
    free(v);
    return m;
}

/* The table's measured column (--compare): the median makespan of the
 * compared runs of this W and schedule, and the prediction's error. */
static void print_measured(FILE *out, const struct report *r,
                           const struct row *w)
{
    double m = r->cli->compare
                   ? measured_median(r, w->cfg.workers, w->cfg.schedule)
                   : 0;

    if (m > 0)
        fprintf(out, " %10.3f s %+7.1f %%", m, 100 * (w->res.makespan - m) / m);
    else if (r->cli->compare)
        fprintf(out, " %12s %9s", "-", "-");
    fputc('\n', out);
}

static void print_table(FILE *out, const struct report *r)
{
    const struct pdl_predict_facts *f = &r->facts;
    double d = r->wall > 0 ? (r->replay.res.makespan - r->wall) / r->wall : 0;

    fprintf(out,
            "pdl predict: %s: %zu tasks run by %s with %u worker%s, "
            "makespan %.3f s\n",
            r->cli->timeline, f->tasks, r->tl->info.mode, r->tl->info.workers,
            r->tl->info.workers == 1 ? "" : "s", r->wall);
    fprintf(out,
            "  model: %zu host%s, %zu connection%s set up (median %.3f ms), "
            "first start %.3f ms, %.3f ms between a worker's tasks%s\n",
            f->hosts, f->hosts == 1 ? "" : "s", f->setups,
            f->setups == 1 ? "" : "s", f->setup * 1e3, f->offset * 1e3,
            f->gap * 1e3,
            f->shared_conns ? ", connections pooled (async)" : "");
    fprintf(out, "  replayed as measured (W=%u %s): %.3f s, %+.1f %%\n",
            r->replay.res.workers, schedule_name(r->replay.cfg.schedule),
            r->replay.res.makespan, 100 * d);
    fprintf(out, "%6s  %-8s %10s %12s %11s %9s %12s%s\n", "W", "schedule",
            "makespan", "lower bound", "efficiency", "speed-up", "connections",
            r->cli->compare ? "     measured    error" : "");
    for (size_t i = 0; i < r->nrows; i++) {
        const struct row *w = &r->rows[i];
        fprintf(out, "%6u  %-8s %8.3f s %10.3f s %9.1f %% %8.2fx %12zu",
                w->cfg.workers, schedule_name(w->cfg.schedule), w->res.makespan,
                w->res.bound, 100 * w->res.efficiency, w->res.speedup,
                w->res.connections);
        print_measured(out, r, w);
    }
}

static void json_config(FILE *out, const struct pdl_predict_config *c)
{
    fprintf(out,
            "\"workers\": %u, \"schedule\": \"%s\", \"chunk\": %u, "
            "\"per_host\": %u, \"per_host_loopback\": %s, \"rate\": %.9g, "
            "\"order\": \"%s\"",
            c->workers, schedule_name(c->schedule), c->chunk ? c->chunk : 1,
            c->per_host, c->loopback_too ? "true" : "false", c->rate,
            c->order == PDL_PREDICT_LONGEST_FIRST ? "longest-first" : "list");
}

static void json_result(FILE *out, const struct pdl_predict_result *p)
{
    fprintf(out,
            "\"workers_used\": %u, \"makespan\": %.6f, \"bound\": %.6f, "
            "\"efficiency\": %.6f, \"speedup\": %.6f, \"connections\": %zu, "
            "\"setup\": %.6f, \"max_in_flight\": %u, \"gate_waiting\": %.6f",
            p->workers, p->makespan, p->bound, p->efficiency, p->speedup,
            p->connections, p->setup, p->in_flight, p->gate_waiting);
}

/* A string as JSON (the timeline's path). */
static int cmp_event(const void *a, const void *b)
{
    const double *x = a, *y = b;

    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]); /* an end before a start */
}

/* Tasks in flight over time, as [time, count] after each change. */
static void json_in_flight(FILE *out, const struct pdl_predict_slot *s,
                           size_t n)
{
    double *ev = pdl_xcalloc(4 * n + 1, sizeof(*ev));
    const char *sep = "";
    long c = 0;

    for (size_t i = 0; i < n; i++) {
        ev[4 * i] = s[i].start, ev[4 * i + 1] = 1;
        ev[4 * i + 2] = s[i].end, ev[4 * i + 3] = -1;
    }
    qsort(ev, 2 * n, 2 * sizeof(*ev), cmp_event);
    for (size_t i = 0; i < 2 * n; i++) {
        c += (long)ev[2 * i + 1];
        if (i + 1 < 2 * n && ev[2 * i + 2] == ev[2 * i])
            continue;
        fprintf(out, "%s[%.6f, %ld]", sep, ev[2 * i], c);
        sep = ", ";
    }
    free(ev);
}

static void json_gantt(FILE *out, const struct report *r)
{
    size_t n = r->facts.tasks;

    fputs("  \"gantt\": {", out);
    json_config(out, &r->gantt.cfg);
    fputs(", ", out);
    json_result(out, &r->gantt.res);
    fputs(",\n    \"tasks\": [", out);
    for (size_t i = 0; i < n; i++) {
        const struct pdl_predict_slot *s = &r->slots[i];
        fprintf(out,
                "%s\n      {\"id\": %zu, \"worker\": %u, \"start\": %.6f, "
                "\"end\": %.6f, \"setup\": %.6f, \"asked\": %.6f}",
                i ? "," : "", s->id, s->worker, s->start, s->end, s->setup,
                s->asked);
    }
    fputs("],\n    \"in_flight\": [", out);
    json_in_flight(out, r->slots, n);
    fputs("]}\n", out);
}

static void write_json(FILE *out, const struct report *r)
{
    const struct pdl_predict_facts *f = &r->facts;

    fputs("{\"pdl\": \"" PDL_VERSION "\", \"format\": 1, \"timeline\": ", out);
    pdl_json_string(out, r->cli->timeline);
    fprintf(out,
            ",\n  \"measured\": {\"mode\": \"%s\", \"workers\": %u, "
            "\"makespan\": %.6f, \"tasks\": %zu, \"busy\": %.6f, "
            "\"longest\": %.6f, \"longest_id\": %zu},\n",
            r->tl->info.mode, r->tl->info.workers, r->wall, f->tasks, f->busy,
            f->longest, f->longest_id);
    fprintf(out,
            "  \"model\": {\"hosts\": %zu, \"setups\": %zu, \"setup\": %.6f, "
            "\"offset\": %.6f, \"gap\": %.6f, \"shared_connections\": %s},\n",
            f->hosts, f->setups, f->setup, f->offset, f->gap,
            f->shared_conns ? "true" : "false");
    fputs("  \"replay\": {", out);
    json_config(out, &r->replay.cfg);
    fputs(", ", out);
    json_result(out, &r->replay.res);
    fputs("},\n  \"predictions\": [", out);
    for (size_t i = 0; i < r->nrows; i++) {
        fputs(i ? ",\n    {" : "\n    {", out);
        json_config(out, &r->rows[i].cfg);
        fputs(", ", out);
        json_result(out, &r->rows[i].res);
        fputc('}', out);
    }
    fputs("],\n", out);
    if (r->cli->compare) {
        fputs("  \"compare\": {\"summary\": ", out);
        pdl_json_string(out, r->cli->compare);
        fputs(", \"runs\": [", out);
        for (size_t i = 0; i < r->ncmp; i++)
            fprintf(out,
                    "%s{\"workers\": %u, \"schedule\": \"%s\", "
                    "\"makespan\": %.6f}",
                    i ? ", " : "", r->cmp[i].workers,
                    schedule_name(r->cmp[i].schedule), r->cmp[i].makespan);
        fputs("]},\n", out);
    }
    json_gantt(out, r);
    fputs("}\n", out);
}

/* Writes the JSON document to path (- is stdout) through a temporary file.
 * Returns 0 or the exit code. */
static int save_json(const char *path, const struct report *r)
{
    char tmp[4200];
    FILE *f;

    if (strcmp(path, "-") == 0) {
        write_json(stdout, r);
        return fflush(stdout) == 0 ? 0 : PDL_EXIT_USAGE;
    }
    snprintf(tmp, sizeof(tmp), "%s.part", path);
    f = fopen(tmp, "w");
    if (f) {
        write_json(f, r);
        if (fclose(f) == 0 && rename(tmp, path) == 0)
            return 0;
        remove(tmp);
    }
    fprintf(stderr, "pdl predict: --json %s: %s\n", path, strerror(errno));
    return PDL_EXIT_USAGE;
}

/* The chart's data: the metadata, one block of (W, makespan, bound) per
 * schedule, then the predicted Gantt (id, worker, start, end, setup), left
 * empty (lanes=0) above PDL_CHART_LANES_MAX tasks, then with --compare the
 * compared runs (workers, makespan, schedule). */
static void write_chart_data(FILE *out, const struct report *r,
                             const char *timeline)
{
    const struct predict_cli *c = r->cli;
    /* Lanes of more tasks than the worker view draws would be a blur. */
    size_t lanes = r->tl->count <= PDL_CHART_LANES_MAX ? r->facts.tasks : 0;

    fprintf(out, "# pdl-predict 1\n");
    fprintf(out,
            "# mode=%s measured_workers=%u measured_wall=%.6f tasks=%zu "
            "lanes=%d schedules=%zu gantt_workers=%u gantt_schedule=%s "
            "gantt_makespan=%.6f gantt_bound=%.6f compare=%zu\n",
            r->tl->info.mode, r->tl->info.workers, r->wall, r->facts.tasks,
            lanes > 0, c->nschedules, r->gantt.res.workers,
            schedule_name(r->gantt.cfg.schedule), r->gantt.res.makespan,
            r->gantt.res.bound, r->ncmp);
    fprintf(out, "# timeline\t%s\n", timeline);
    for (size_t s = 0; s < c->nschedules; s++) {
        fprintf(out, "# %s\nworkers\tmakespan\tbound\n",
                schedule_name(c->schedules[s]));
        for (size_t i = 0; i < r->nrows; i++)
            if (r->rows[i].cfg.schedule == c->schedules[s])
                fprintf(out, "%u\t%.6f\t%.6f\n", r->rows[i].cfg.workers,
                        r->rows[i].res.makespan, r->rows[i].res.bound);
        fputs("\n\n", out);
    }
    fputs("# gantt\nid\tworker\tstart\tend\tsetup\n", out);
    for (size_t i = 0; i < lanes; i++)
        fprintf(out, "%zu\t%u\t%.6f\t%.6f\t%.6f\n", r->slots[i].id,
                r->slots[i].worker, r->slots[i].start, r->slots[i].end,
                r->slots[i].setup);
    if (r->ncmp == 0)
        return;
    fputs("\n\n# compare\nworkers\tmakespan\tschedule\n", out);
    for (size_t i = 0; i < r->ncmp; i++)
        fprintf(out, "%u\t%.6f\t%s\n", r->cmp[i].workers, r->cmp[i].makespan,
                schedule_name(r->cmp[i].schedule));
}

/* Draws --chart from its data, kept beside it as NAME.predict.tsv. */
static int draw_chart(const struct report *r)
{
    const char *out = r->cli->chart, *dot = strrchr(out, '.');
    char data[4200], err[20000], *abs = realpath(r->cli->timeline, NULL);
    FILE *f;
    int rc = 0;

    snprintf(data, sizeof(data), "%.*s.predict.tsv",
             (int)(dot ? dot - out : (long)strlen(out)), out);
    f = fopen(data, "w");
    if (!f) {
        fprintf(stderr, "pdl predict: --chart %s: %s: %s\n", out, data,
                strerror(errno));
        free(abs);
        return PDL_EXIT_FAILED;
    }
    write_chart_data(f, r, abs ? abs : r->cli->timeline);
    free(abs);
    if (fclose(f) != 0) {
        fprintf(stderr, "pdl predict: --chart %s: %s: %s\n", out, data,
                strerror(errno));
        return PDL_EXIT_FAILED;
    }
    if (pdl_chart_render(data, out, "predict", err, sizeof(err)) != 0) {
        fprintf(stderr, "pdl predict: --chart %s: %s\n", out, err);
        rc = PDL_EXIT_FAILED;
    }
    return rc;
}

/* ---- the command ----------------------------------------------------------
 */

/* Predicts every configuration, the measured one and the Gantt's. */
static void predict_all(const struct pdl_predict_model *m, struct report *r)
{
    const struct predict_cli *c = r->cli;
    unsigned gw = c->gantt;

    r->nrows = c->nworkers * c->nschedules;
    r->rows = pdl_xcalloc(r->nrows, sizeof(*r->rows));
    for (size_t s = 0; s < c->nschedules; s++)
        for (size_t i = 0; i < c->nworkers; i++) {
            struct row *w = &r->rows[s * c->nworkers + i];
            w->cfg = c->base;
            w->cfg.workers = c->workers[i];
            w->cfg.schedule = c->schedules[s];
            pdl_predict_run(m, &w->cfg, &w->res, NULL);
            if (!c->gantt && w->cfg.workers > gw)
                gw = w->cfg.workers;
        }
    r->replay.cfg = c->base;
    r->replay.cfg.workers = r->tl->info.workers ? r->tl->info.workers : 1;
    r->replay.cfg.schedule = c->schedules[0];
    pdl_predict_run(m, &r->replay.cfg, &r->replay.res, NULL);
    r->gantt.cfg = c->base;
    r->gantt.cfg.workers = gw;
    r->gantt.cfg.schedule = c->schedules[0];
    r->slots = pdl_xcalloc(pdl_predict_model_tasks(m), sizeof(*r->slots));
    pdl_predict_run(m, &r->gantt.cfg, &r->gantt.res, r->slots);
}

int pdl_cmd_predict(int argc, char **argv)
{
    struct predict_cli cli;
    struct pdl_timeline tl;
    struct pdl_predict_model *m;
    struct report r;
    int rc = parse_args(argc, argv, &cli);

    if (rc >= 0)
        return rc;
    rc = read_timeline(cli.timeline, &tl);
    if (rc != 0)
        return rc;
    /* A run handed out longest first is replayed so, unless told. */
    if (!cli.order_given && tl.info.longest_first)
        cli.base.order = PDL_PREDICT_LONGEST_FIRST;
    m = pdl_predict_model_create(&tl);
    if (!m) {
        fprintf(stderr, "pdl predict: %s: no task ran: nothing to replay\n",
                cli.timeline);
        pdl_timeline_cleanup(&tl);
        return PDL_EXIT_USAGE;
    }
    memset(&r, 0, sizeof(r));
    r.cli = &cli;
    r.tl = &tl;
    r.wall = measured_wall(&tl);
    pdl_predict_model_facts(m, &r.facts);
    if (cli.compare)
        rc = read_compare(&r, cli.compare);
    if (rc != 0) {
        pdl_predict_model_destroy(m);
        pdl_timeline_cleanup(&tl);
        return rc;
    }
    predict_all(m, &r);
    if (!cli.json || strcmp(cli.json, "-") != 0)
        print_table(stdout, &r);
    if (cli.json)
        rc = save_json(cli.json, &r);
    if (rc == 0 && cli.chart)
        rc = draw_chart(&r);
    free(r.slots);
    free(r.rows);
    free(r.cmp);
    pdl_predict_model_destroy(m);
    pdl_timeline_cleanup(&tl);
    return rc;
}
