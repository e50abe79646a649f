/* pdl compare's state, shared by its two halves: compare.c (the options and
 * the runs) and compare_report.c (what is made of them: the table, the
 * medians, the predictions, the JSON document, the chart). */
#ifndef PDL_CMD_COMPARE_H
#define PDL_CMD_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CMP_LIST_MAX 32 /* items in one --workers list */
#define CMP_REPEAT_MAX 100
#define CMP_PATH_MAX 4096
#define CMP_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The summary's format: a tag line with the version, then this header. */
#define CMP_VERSION 1
#define CMP_HEADER                                                             \
    "mode\tworkers\tschedule\trepeat\twall\tmakespan\tuser\tsys\tmaxrss_kb\t"  \
    "ok\tfailed\tbytes\ttimeline"

struct cmp_config {
    const char *mode; /* a runner's name, static */
    unsigned workers;
    const char *schedule; /* "dynamic" or "static", static */
};

struct cmp_run {
    size_t config;
    unsigned repeat; /* 1-based */
    bool done;       /* measured and its timeline read */
    double wall, makespan, user, sys;
    long maxrss_kb;
    size_t ok, failed;
    long long bytes;
    char *timeline; /* owned */
};

struct cmp_cli {
    const char *modes[CMP_LIST_MAX];
    size_t nmodes;
    unsigned workers[CMP_LIST_MAX];
    size_t nworkers;
    const char *schedules[2];
    size_t nschedules;
    unsigned repeat;
    const char *dir;
    const char *summary; /* NULL: DIR/summary.tsv; "-": that, and stdout */
    const char *chart;   /* NULL: none */
    const char *json;    /* NULL: none, "-": stdout */
    char **pass;         /* run options for every run, --name [value], owned */
    int npass;
    char **lists; /* the LIST arguments, pointers into argv */
    int nlists;
    bool stdin_list;    /* a LIST is "-" */
    bool longest_first; /* --order longest-first is passed on */
};

/* One prediction: the series of configuration `config`, replayed from its
 * first run by pdl predict, at `workers`. */
struct cmp_pred {
    size_t config;
    unsigned workers;
    double makespan;
};

struct cmp_state {
    const struct cmp_cli *cli;
    struct cmp_config *configs;
    size_t nconfigs;
    struct cmp_run *runs; /* config-major: runs[config * repeat + r] */
    size_t nruns;
    char summary_path[CMP_PATH_MAX];
    char stdin_path[CMP_PATH_MAX]; /* the copy of a LIST "-", "" if none */
    FILE *summary;
    int devnull;
    size_t *order; /* measured runs, in the order they ran */
    size_t norder;
    struct cmp_pred *preds; /* after the runs */
    size_t npreds;
    int rc; /* exit status so far */
};

/* The table of every measured run and the median makespans, on stdout. */
void cmp_print(const struct cmp_state *st);

/* Predicts each series from its run at the fewest workers into st->preds
 * and writes them beside the summary (summary-predicted.tsv), so that the
 * chart can draw them over what was measured. A file that cannot be
 * written is reported; it does not change the exit status. */
void cmp_predict(struct cmp_state *st);

/* Writes the whole comparison as one JSON document to st->cli->json ("-":
 * stdout), through a temporary file renamed at the end. Returns 0, or -1
 * after saying why on stderr. */
int cmp_write_json(const struct cmp_state *st);

/* Draws the comparison (plots/compare.gp) into st->cli->chart; a chart
 * that cannot be drawn is reported but does not change the exit status. */
void cmp_draw_chart(const struct cmp_state *st);

#endif
