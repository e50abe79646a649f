/* What pdl compare makes of its runs: the table and the medians on stdout,
 * the predictions of pdl predict, the JSON document, the chart. */
#include "../cli.h"
#include "compare.h"
#include "pdl/chart.h"
#include "pdl/predict.h"
#include "pdl/runner.h"
#include "pdl/timeline.h"
#include "pdl/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* What is measured of each run, as the JSON document names it. */
enum cmp_field { CF_WALL, CF_MAKESPAN, CF_USER, CF_SYS, CF_MAXRSS, CF_N };

static const char *const field_names[CF_N] = {"wall", "makespan", "user", "sys",
                                              "maxrss_kb"};

static double field_of(const struct cmp_run *r, enum cmp_field f)
{
    switch (f) {
    case CF_WALL:
        return r->wall;
    case CF_MAKESPAN:
        return r->makespan;
    case CF_USER:
        return r->user;
    case CF_SYS:
        return r->sys;
    default:
        return (double)r->maxrss_kb;
    }
}

struct cmp_stat {
    double median, min, max;
    size_t n; /* measured repeats */
};

/* The median, min and max of field f over the measured repeats of config.
 * Returns false if none was measured. */
static bool config_stat(const struct cmp_state *st, size_t config,
                        enum cmp_field f, struct cmp_stat *out)
{
    double v[CMP_REPEAT_MAX];
    size_t n = 0;
    unsigned repeat = st->cli->repeat;

    for (unsigned r = 0; r < repeat; r++)
        if (st->runs[config * repeat + r].done)
            v[n++] = field_of(&st->runs[config * repeat + r], f);
    if (n == 0)
        return false;
    qsort(v, n, sizeof(v[0]), cmp_double);
    out->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    out->min = v[0];
    out->max = v[n - 1];
    out->n = n;
    return true;
}

/* The median makespan over the measured repeats of config. Returns false
 * if none was measured. */
static bool median_makespan(const struct cmp_state *st, size_t config,
                            double *out)
{
    struct cmp_stat s;

    if (!config_stat(st, config, CF_MAKESPAN, &s))
        return false;
    *out = s.median;
    return true;
}

/* The index of the configuration (mode, workers, schedule), or nconfigs. */
static size_t find_config(const struct cmp_state *st, const char *mode,
                          unsigned workers, const char *schedule)
{
    size_t i;

    for (i = 0; i < st->nconfigs; i++) {
        const struct cmp_config *c = &st->configs[i];
        if (c->mode == mode && c->workers == workers && c->schedule == schedule)
            break;
    }
    return i;
}

/* The summary as an aligned table, configuration by configuration. */
static void print_table(const struct cmp_state *st)
{
    int mw = 4;

    for (size_t i = 0; i < st->nconfigs; i++)
        if ((int)strlen(st->configs[i].mode) > mw)
            mw = (int)strlen(st->configs[i].mode);
    printf("%-*s %7s %-8s %6s %8s %8s %8s %8s %9s %5s %6s %12s  %s\n", mw,
           "mode", "workers", "schedule", "repeat", "wall", "makespan", "user",
           "sys", "maxrss_kb", "ok", "failed", "bytes", "timeline");
    for (size_t i = 0; i < st->nruns; i++) {
        const struct cmp_run *r = &st->runs[i];
        const struct cmp_config *c = &st->configs[r->config];
        if (!r->done)
            continue;
        printf("%-*s %7u %-8s %6u %8.3f %8.3f %8.3f %8.3f %9ld %5zu %6zu "
               "%12lld  %s\n",
               mw, c->mode, c->workers, c->schedule, r->repeat, r->wall,
               r->makespan, r->user, r->sys, r->maxrss_kb, r->ok, r->failed,
               r->bytes, r->timeline);
    }
}

/* One line: the median makespan of mode (and schedule) at each worker
 * count, and its speedup over serial's median when serial ran. */
static void print_series(const struct cmp_state *st, const char *mode,
                         const char *schedule, double serial, int width)
{
    char name[64];
    double med;

    snprintf(name, sizeof(name), "%s%s%s", mode,
             st->cli->nschedules > 1 ? " " : "",
             st->cli->nschedules > 1 ? schedule : "");
    printf("  %-*s", width, name);
    for (size_t i = 0; i < st->nconfigs; i++) {
        const struct cmp_config *c = &st->configs[i];
        if (c->mode != mode || c->schedule != schedule)
            continue;
        if (!median_makespan(st, i, &med))
            printf("  w%u -", c->workers);
        else if (serial > 0 && med > 0)
            printf("  w%u %.3f s (x%.2f)", c->workers, med, serial / med);
        else
            printf("  w%u %.3f s", c->workers, med);
    }
    putchar('\n');
}

static void print_medians(const struct cmp_state *st)
{
    const struct cmp_cli *cli = st->cli;
    const char *serial = pdl_runner_serial.name;
    size_t sc = find_config(st, serial, 1, cli->schedules[0]);
    double sm = 0;
    bool has_serial = sc < st->nconfigs && median_makespan(st, sc, &sm);

    printf("\nmedian makespan over %u repeat%s%s:\n", cli->repeat,
           cli->repeat == 1 ? "" : "s",
           has_serial ? ", (xN) = speedup over serial" : "");
    for (size_t m = 0; m < cli->nmodes; m++) {
        if (cli->modes[m] == serial) {
            print_series(st, serial, cli->schedules[0], 0, 18);
            continue;
        }
        for (size_t s = 0; s < cli->nschedules; s++)
            print_series(st, cli->modes[m], cli->schedules[s],
                         has_serial ? sm : 0, 18);
    }
}

/* The predictions' file: the summary's name with "-predicted" before .tsv. */
static void predicted_path(const struct cmp_state *st, char *out, size_t n)
{
    const char *sp = st->summary_path;
    size_t len = strlen(sp);

    if (len > 4 && strcmp(sp + len - 4, ".tsv") == 0)
        snprintf(out, n, "%.*s-predicted.tsv", (int)(len - 4), sp);
    else
        snprintf(out, n, "%s-predicted.tsv", sp);
}

/* The series a configuration belongs to, named as compare.gp names it. */
static void series_name(const struct cmp_state *st, const struct cmp_config *c,
                        char *out, size_t n)
{
    if (strcmp(c->mode, pdl_runner_serial.name) == 0)
        snprintf(out, n, "serial");
    else if (st->cli->nschedules > 1)
        snprintf(out, n, "%s %s", c->mode, c->schedule);
    else
        snprintf(out, n, "%s", c->mode);
}

/* Appends to st->preds what pdl predict makes of config c's first run
 * (its timeline replayed) at every worker count of the comparison. */
static void predict_series(struct cmp_state *st, size_t c)
{
    const struct cmp_run *run = &st->runs[c * st->cli->repeat];
    struct pdl_predict_model *m = NULL;
    struct pdl_timeline tl;
    char err[256];
    FILE *in = run->done ? fopen(run->timeline, "r") : NULL;

    if (!in)
        return;
    if (pdl_timeline_read(in, &tl, err, sizeof(err)) == PDL_OK) {
        m = pdl_predict_model_create(&tl);
        pdl_timeline_cleanup(&tl);
    }
    fclose(in);
    for (size_t w = 0; m && w < st->cli->nworkers; w++) {
        struct pdl_predict_config cfg;
        struct pdl_predict_result r;
        pdl_predict_config_init(&cfg, st->cli->workers[w]);
        cfg.schedule = strcmp(st->configs[c].schedule, "static") == 0
                           ? PDL_SCHED_STATIC
                           : PDL_SCHED_DYNAMIC;
        if (st->cli->longest_first)
            cfg.order = PDL_PREDICT_LONGEST_FIRST;
        if (pdl_predict_run(m, &cfg, &r, NULL) == PDL_OK)
            st->preds[st->npreds++] =
                (struct cmp_pred){c, st->cli->workers[w], r.makespan};
    }
    pdl_predict_model_destroy(m);
}

/* The predictions as summary-predicted.tsv. */
static void write_predictions(const struct cmp_state *st)
{
    char path[CMP_PATH_MAX + 16], name[64];
    FILE *out;
    int rc;

    predicted_path(st, path, sizeof(path));
    out = fopen(path, "w");
    if (!out) {
        fprintf(stderr, "pdl compare: predictions: %s: %s\n", path,
                strerror(errno));
        return;
    }
    fputs("# pdl-compare predicted 1: each series replayed from its run at "
          "the fewest workers (repeat 1) by pdl predict\n"
          "series\tworkers\tpredicted\tfrom\n",
          out);
    for (size_t i = 0; i < st->npreds; i++) {
        const struct cmp_pred *p = &st->preds[i];
        series_name(st, &st->configs[p->config], name, sizeof(name));
        fprintf(out, "%s\t%u\t%.6f\t%u\n", name, p->workers, p->makespan,
                st->configs[p->config].workers);
    }
    rc = ferror(out);
    if (fclose(out) != 0 || rc) {
        fprintf(stderr, "pdl compare: predictions: %s: %s\n", path,
                strerror(errno));
        unlink(path);
    } else {
        fprintf(stderr, "pdl compare: predictions: %s\n", path);
    }
}

void cmp_predict(struct cmp_state *st)
{
    unsigned wmin = st->cli->workers[0];

    for (size_t w = 1; w < st->cli->nworkers; w++)
        if (st->cli->workers[w] < wmin)
            wmin = st->cli->workers[w];
    st->preds =
        pdl_xcalloc(st->nconfigs * st->cli->nworkers + 1, sizeof(*st->preds));
    for (size_t c = 0; c < st->nconfigs; c++)
        if (st->configs[c].workers == wmin &&
            strcmp(st->configs[c].mode, pdl_runner_serial.name) != 0)
            predict_series(st, c);
    write_predictions(st);
}

void cmp_draw_chart(const struct cmp_state *st)
{
    char err[8192];

    /* compare.gp also takes the summary as "data", so the renderer that
     * draws a run's timeline fits as it is. */
    if (pdl_chart_render(st->summary_path, st->cli->chart, "compare", err,
                         sizeof(err)) != 0)
        fprintf(stderr, "pdl compare: chart %s: %s\n", st->cli->chart, err);
    else
        fprintf(stderr, "pdl compare: chart: %s\n", st->cli->chart);
}

/* ---- the JSON document ---- */

/* The reference, as compare.gp chooses it: serial's median makespan, else
 * the first series' at one worker. Returns its configuration, or nconfigs
 * if neither was measured. */
static size_t reference(const struct cmp_state *st, double *makespan)
{
    const struct cmp_config *c0 = &st->configs[0];
    size_t c =
        find_config(st, pdl_runner_serial.name, 1, st->cli->schedules[0]);

    if (c < st->nconfigs && median_makespan(st, c, makespan))
        return c;
    for (size_t i = 0; i < st->nconfigs; i++)
        if (strcmp(st->configs[i].mode, pdl_runner_serial.name) != 0) {
            c0 = &st->configs[i];
            break;
        }
    c = find_config(st, c0->mode, 1, c0->schedule);
    if (c < st->nconfigs && median_makespan(st, c, makespan))
        return c;
    return st->nconfigs;
}

/* "mode": ..., "workers": ..., "schedule": ..., "series": ... */
static void json_config_id(FILE *out, const struct cmp_state *st, size_t c)
{
    char name[64];

    series_name(st, &st->configs[c], name, sizeof(name));
    fputs("\"mode\": ", out);
    pdl_json_string(out, st->configs[c].mode);
    fprintf(out, ", \"workers\": %u, \"schedule\": ", st->configs[c].workers);
    pdl_json_string(out, st->configs[c].schedule);
    fputs(", \"series\": ", out);
    pdl_json_string(out, name);
}

/* The predicted makespan of config c, if its series was predicted at its
 * worker count. */
static const struct cmp_pred *prediction_of(const struct cmp_state *st,
                                            size_t c)
{
    char a[64], b[64];

    series_name(st, &st->configs[c], a, sizeof(a));
    for (size_t i = 0; i < st->npreds; i++) {
        series_name(st, &st->configs[st->preds[i].config], b, sizeof(b));
        if (strcmp(a, b) == 0 && st->preds[i].workers == st->configs[c].workers)
            return &st->preds[i];
    }
    return NULL;
}

static void json_config(FILE *out, const struct cmp_state *st, size_t c,
                        double ref)
{
    const struct cmp_pred *p = prediction_of(st, c);
    struct cmp_stat s;

    fputs("    {", out);
    json_config_id(out, st, c);
    if (!config_stat(st, c, CF_MAKESPAN, &s)) {
        fputs(", \"measured_runs\": 0}", out);
        return;
    }
    fprintf(out, ", \"measured_runs\": %zu", s.n);
    for (int f = 0; f < CF_N; f++) {
        config_stat(st, c, (enum cmp_field)f, &s);
        fprintf(out,
                ", \"%s\": {\"median\": %.6f, \"min\": %.6f, \"max\": %.6f}",
                field_names[f], s.median, s.min, s.max);
    }
    config_stat(st, c, CF_MAKESPAN, &s);
    if (ref > 0 && s.median > 0)
        fprintf(out, ", \"speedup\": %.6f", ref / s.median);
    else
        fputs(", \"speedup\": null", out);
    if (p)
        fprintf(out, ", \"predicted\": %.6f}", p->makespan);
    else
        fputs(", \"predicted\": null}", out);
}

static void json_run(FILE *out, const struct cmp_state *st,
                     const struct cmp_run *r)
{
    fputs("    {", out);
    json_config_id(out, st, r->config);
    fprintf(out,
            ", \"repeat\": %u, \"wall\": %.6f, \"makespan\": %.6f, "
            "\"user\": %.6f, \"sys\": %.6f, \"maxrss_kb\": %ld, \"ok\": %zu, "
            "\"failed\": %zu, \"bytes\": %lld, \"timeline\": ",
            r->repeat, r->wall, r->makespan, r->user, r->sys, r->maxrss_kb,
            r->ok, r->failed, r->bytes);
    pdl_json_string(out, r->timeline);
    fputc('}', out);
}

static void json_prediction(FILE *out, const struct cmp_state *st,
                            const struct cmp_pred *p)
{
    char name[64];
    size_t c;
    double med;

    series_name(st, &st->configs[p->config], name, sizeof(name));
    fputs("    {\"series\": ", out);
    pdl_json_string(out, name);
    fprintf(out,
            ", \"from_workers\": %u, \"workers\": %u, \"makespan\": %.6f, "
            "\"measured_median\": ",
            st->configs[p->config].workers, p->workers, p->makespan);
    c = find_config(st, st->configs[p->config].mode, p->workers,
                    st->configs[p->config].schedule);
    if (c < st->nconfigs && median_makespan(st, c, &med))
        fprintf(out, "%.6f}", med);
    else
        fputs("null}", out);
}

/* The comparison's settings: lists of words and numbers. */
static void json_settings(FILE *out, const struct cmp_state *st)
{
    const struct cmp_cli *cli = st->cli;

    fprintf(out, "{\n  \"format\": \"pdl-compare\",\n  \"version\": %d,\n",
            CMP_VERSION);
    fputs("  \"summary\": ", out);
    pdl_json_string(out, st->summary_path);
    fprintf(out, ",\n  \"repeat\": %u,\n  \"modes\": [", cli->repeat);
    for (size_t i = 0; i < cli->nmodes; i++) {
        fputs(i ? ", " : "", out);
        pdl_json_string(out, cli->modes[i]);
    }
    fputs("],\n  \"workers\": [", out);
    for (size_t i = 0; i < cli->nworkers; i++)
        fprintf(out, "%s%u", i ? ", " : "", cli->workers[i]);
    fputs("],\n  \"schedules\": [", out);
    for (size_t i = 0; i < cli->nschedules; i++) {
        fputs(i ? ", " : "", out);
        pdl_json_string(out, cli->schedules[i]);
    }
    fputs("],\n", out);
}

static void write_doc(FILE *out, const struct cmp_state *st)
{
    double ref = 0;
    size_t rc = reference(st, &ref);

    json_settings(out, st);
    fputs("  \"reference\": ", out);
    if (rc < st->nconfigs) {
        fputc('{', out);
        json_config_id(out, st, rc);
        fprintf(out, ", \"makespan\": %.6f},\n", ref);
    } else {
        fputs("null,\n", out);
    }
    fputs("  \"configurations\": [\n", out);
    for (size_t c = 0; c < st->nconfigs; c++) {
        json_config(out, st, c, rc < st->nconfigs ? ref : 0);
        fputs(c + 1 < st->nconfigs ? ",\n" : "\n", out);
    }
    fputs("  ],\n  \"runs\": [\n", out);
    for (size_t i = 0; i < st->norder; i++) {
        json_run(out, st, &st->runs[st->order[i]]);
        fputs(i + 1 < st->norder ? ",\n" : "\n", out);
    }
    fputs("  ],\n  \"predictions\": [\n", out);
    for (size_t i = 0; i < st->npreds; i++) {
        json_prediction(out, st, &st->preds[i]);
        fputs(i + 1 < st->npreds ? ",\n" : "\n", out);
    }
    fputs("  ]\n}\n", out);
}

int cmp_write_json(const struct cmp_state *st)
{
    const char *path = st->cli->json;
    char tmp[CMP_PATH_MAX + 32];
    FILE *out;
    int bad;

    if (strcmp(path, "-") == 0) {
        write_doc(stdout, st);
        if (fflush(stdout) == 0 && !ferror(stdout))
            return 0;
        fprintf(stderr, "pdl compare: --json: stdout: %s\n", strerror(errno));
        return -1;
    }
    /* Never a partial document under the final name. */
    snprintf(tmp, sizeof(tmp), "%s.part-%ld", path, (long)getpid());
    out = fopen(tmp, "w");
    if (!out) {
        fprintf(stderr, "pdl compare: --json: %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    write_doc(out, st);
    bad = ferror(out);
    if (fclose(out) != 0 || bad || rename(tmp, path) != 0) {
        fprintf(stderr, "pdl compare: --json: %s: %s\n", path,
                strerror(errno ? errno : EIO));
        unlink(tmp);
        return -1;
    }
    fprintf(stderr, "pdl compare: json: %s\n", path);
    return 0;
}

void cmp_print(const struct cmp_state *st)
{
    print_table(st);
    print_medians(st);
}
