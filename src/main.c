/* pdl: download lists of URLs serially, with a thread pool or a process pool,
 * and record when every task ran. This file only wires: options, input,
 * runner, output, exit code. */
#include "pdl/chart.h"
#include "pdl/job.h"
#include "pdl/outdir.h"
#include "pdl/parse.h"
#include "pdl/runner.h"
#include "pdl/sigwatch.h"
#include "pdl/tasklist.h"
#include "pdl/timeline.h"

#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum exit_code {
    EXIT_ALL_OK = 0,
    EXIT_SOME_FAILED = 1, /* a task failed or a list line was bad */
    EXIT_USAGE = 2,       /* bad option, unreadable list, unusable output */
    /* Interrupted: 128 + the signal, as shells report it (130, 143). */
};

struct cli {
    struct pdl_options opt;
    const char *timeline; /* NULL = none */
    const char *chart;    /* NULL = none */
    const char *chart_by; /* plots/ script: "gantt" or "lanes" */
    bool quiet;
    char **lists;
    int nlists;
};

enum { OPT_DISCARD = 256, OPT_NO_TIMELINE, OPT_CONNECT_TIMEOUT, OPT_TIMEOUT,
       OPT_MAX_REDIRS, OPT_USER_AGENT, OPT_CHART, OPT_CHART_BY, OPT_SCHEDULE,
       OPT_CHUNK };

static const struct option longopts[] = {
    {"mode", required_argument, NULL, 'm'},
    {"workers", required_argument, NULL, 'w'},
    {"schedule", required_argument, NULL, OPT_SCHEDULE},
    {"chunk", required_argument, NULL, OPT_CHUNK},
    {"output", required_argument, NULL, 'o'},
    {"discard", no_argument, NULL, OPT_DISCARD},
    {"timeline", required_argument, NULL, 't'},
    {"no-timeline", no_argument, NULL, OPT_NO_TIMELINE},
    {"chart", required_argument, NULL, OPT_CHART},
    {"chart-by", required_argument, NULL, OPT_CHART_BY},
    {"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"max-redirs", required_argument, NULL, OPT_MAX_REDIRS},
    {"user-agent", required_argument, NULL, OPT_USER_AGENT},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* The modes, one line each, from the runner table. */
static void mode_lines(char *buf, size_t bufsz)
{
    size_t o = 0;

    buf[0] = '\0';
    for (size_t i = 0; pdl_runners[i] && o < bufsz; i++) {
        int n = snprintf(buf + o, bufsz - o, "      %-10s %s\n",
                         pdl_runners[i]->name, pdl_runners[i]->help);
        if (n < 0)
            break;
        o += (size_t)n;
    }
}

static void usage(FILE *out)
{
    char modes[1024];

    mode_lines(modes, sizeof(modes));
    fprintf(out,
"Usage: pdl [OPTIONS] LIST...\n"
"Download every URL in the LIST files (one per line; '-' is stdin) and record\n"
"when each task ran, in a timeline every mode writes alike.\n"
"\n"
"How to run:\n"
"  -m, --mode MODE          how tasks are spread over workers (default threads):\n"
"%s"
"  -w, --workers N          workers in the pool, 1..%d (default %d)\n"
"      --schedule HOW       dynamic: workers take the next task from one\n"
"                           queue (default); static: the list is cut into W\n"
"                           contiguous slices up front\n"
"      --chunk N            dynamic: take N tasks at a time (default 1)\n"
"\n"
"Where bodies go:\n"
"  -o, --output DIR         save into DIR, created if missing (default .)\n"
"      --discard            do not save bodies (for measurements)\n"
"\n"
"What is recorded:\n"
"  -t, --timeline FILE      timeline TSV ('-' = stdout; default pdl-timeline.tsv)\n"
"      --no-timeline        write no timeline\n"
"      --chart FILE         draw the run with gnuplot (.png, .svg or .pdf)\n"
"      --chart-by VIEW      task: one bar per task (default); worker: one\n"
"                           lane per worker, showing idle gaps\n"
"  -q, --quiet              no summary on stderr (errors are still printed)\n"
"\n"
"Network:\n"
"      --connect-timeout T  give up connecting after T (default 30s)\n"
"      --timeout T          give up a whole transfer after T (default none)\n"
"      --max-redirs N       follow at most N redirects (default 10)\n"
"      --user-agent STR     User-Agent header (default pdl/%s)\n"
"  T is seconds, or a number with ms, s, m or h.\n"
"\n"
"  -h, --help               this text\n"
"  -V, --version            version and libcurl in use\n"
"\n"
"Examples:\n"
"  pdl --mode threads -w 2 urls.txt\n"
"  pdl --mode processes -w 4 -o downloads/ --timeline run.tsv urls.txt\n"
"  cat urls.txt | pdl -w 8 -\n"
"\n"
"Exit status: 0 all tasks ok; 1 some task failed or a list line was bad;\n"
"2 usage error, unreadable list or unusable output folder.\n",
            modes, PDL_WORKERS_MAX, PDL_WORKERS_DEFAULT, PDL_VERSION);
}

/* Reports a bad option value in the one error form. */
static int bad_value(const char *opt, const char *why, const char *val)
{
    fprintf(stderr, "pdl: %s: %s: \"%s\"\n", opt, why, val);
    return EXIT_USAGE;
}

static int parse_value(struct cli *cli, int c, const char *arg)
{
    long v;

    switch (c) {
    case 'm':
        if (!pdl_runner_find(arg))
            return bad_value("--mode", "unknown mode (see pdl --help)", arg);
        cli->opt.mode = arg;
        return 0;
    case 'w':
        if (!pdl_parse_long(arg, 1, PDL_WORKERS_MAX, &v)) {
            char why[64];
            snprintf(why, sizeof(why), "must be a whole number from 1 to %d",
                     PDL_WORKERS_MAX);
            return bad_value("--workers", why, arg);
        }
        cli->opt.workers = (unsigned)v;
        return 0;
    case OPT_CONNECT_TIMEOUT:
    case OPT_TIMEOUT:
        if (!pdl_parse_duration_ms(arg, &v))
            return bad_value(c == OPT_TIMEOUT ? "--timeout" : "--connect-timeout",
                             "not a duration up to 1 day (e.g. 30, 2.5s, 500ms)",
                             arg);
        *(c == OPT_TIMEOUT ? &cli->opt.timeout_ms
                           : &cli->opt.connect_timeout_ms) = v;
        return 0;
    case OPT_SCHEDULE:
        if (strcmp(arg, "dynamic") != 0 && strcmp(arg, "static") != 0)
            return bad_value("--schedule", "must be dynamic or static", arg);
        cli->opt.schedule = strcmp(arg, "static") == 0 ? PDL_SCHED_STATIC
                                                       : PDL_SCHED_DYNAMIC;
        return 0;
    case OPT_CHUNK:
        if (!pdl_parse_long(arg, 1, 1000000, &v))
            return bad_value("--chunk", "must be a whole number from 1 to "
                             "1000000", arg);
        cli->opt.chunk = (unsigned)v;
        return 0;
    case OPT_MAX_REDIRS:
        if (!pdl_parse_long(arg, 0, 1000, &v))
            return bad_value("--max-redirs", "must be a whole number from 0 "
                             "to 1000", arg);
        cli->opt.max_redirs = v;
        return 0;
    }
    return -1;
}

/* Fills cli from argv. Returns -1 to go on, or the exit code to end with. */
static int parse_args(int argc, char **argv, struct cli *cli)
{
    int c;

    pdl_options_init(&cli->opt);
    cli->timeline = "pdl-timeline.tsv";
    cli->chart_by = "gantt";
    while ((c = getopt_long(argc, argv, "m:w:o:t:qhV", longopts, NULL)) != -1) {
        int rc = parse_value(cli, c, optarg);
        if (rc >= 0) {
            if (rc != 0)
                return rc;
            continue;
        }
        switch (c) {
        case 'o':
            if (!*optarg)
                return bad_value("--output", "empty folder name", optarg);
            cli->opt.outdir = optarg;
            break;
        case OPT_DISCARD:
            cli->opt.discard = true;
            break;
        case 't':
            cli->timeline = optarg;
            break;
        case OPT_NO_TIMELINE:
            cli->timeline = NULL;
            break;
        case OPT_CHART:
            if (!pdl_chart_format_ok(optarg))
                return bad_value("--chart", "unknown chart format (use .png, "
                                 ".svg or .pdf)", optarg);
            cli->chart = optarg;
            break;
        case OPT_CHART_BY:
            if (strcmp(optarg, "task") != 0 && strcmp(optarg, "worker") != 0)
                return bad_value("--chart-by", "must be task or worker",
                                 optarg);
            cli->chart_by = strcmp(optarg, "task") == 0 ? "gantt" : "lanes";
            break;
        case OPT_USER_AGENT:
            cli->opt.user_agent = optarg;
            break;
        case 'q':
            cli->quiet = true;
            break;
        case 'h':
            usage(stdout);
            return EXIT_ALL_OK;
        case 'V':
            printf("pdl %s (%s)\n", PDL_VERSION, curl_version());
            return EXIT_ALL_OK;
        default:
            fputs("Try 'pdl --help'.\n", stderr);
            return EXIT_USAGE;
        }
    }
    cli->lists = argv + optind;
    cli->nlists = argc - optind;
    if (cli->nlists == 0) {
        fputs("pdl: no URL list given (a file, or - for stdin)\n"
              "Try 'pdl --help'.\n", stderr);
        return EXIT_USAGE;
    }
    if (strcmp(cli->opt.mode, "serial") == 0)
        cli->opt.workers = 1;
    return -1;
}

/* Reads every list named on the command line. Returns 0 or EXIT_USAGE. */
static int read_lists(const struct cli *cli, struct pdl_tasklist *list)
{
    for (int i = 0; i < cli->nlists; i++) {
        const char *name = cli->lists[i];
        bool is_stdin = strcmp(name, "-") == 0;
        FILE *in = is_stdin ? stdin : fopen(name, "r");
        int rc;

        if (!in) {
            fprintf(stderr, "pdl: %s: %s\n", name, strerror(errno));
            return EXIT_USAGE;
        }
        rc = pdl_tasklist_read(list, in, is_stdin ? "(stdin)" : name, stderr);
        if (rc != PDL_OK)
            fprintf(stderr, "pdl: %s: %s\n", name, strerror(errno));
        if (!is_stdin)
            fclose(in);
        if (rc != PDL_OK)
            return EXIT_USAGE;
    }
    return 0;
}

static void print_failures(const struct pdl_tasklist *list,
                           const struct pdl_result *results)
{
    for (size_t i = 0; i < list->count; i++) {
        const struct pdl_result *r = &results[i];
        if (pdl_result_ok(r))
            continue;
        fprintf(stderr, "pdl: %s: %s\n", list->tasks[i].url,
                r->error[0] ? r->error
                            : pdl_status_token((enum pdl_status)r->status));
    }
}

static void print_summary(const struct pdl_options *opt,
                          const struct pdl_result *results, size_t n,
                          const char *timeline)
{
    struct pdl_stats st;

    pdl_stats_compute(results, n, &st);
    fprintf(stderr,
            "pdl: %s, %u worker%s: %zu task%s, %zu ok, %zu failed, "
            "%lld bytes\n"
            "pdl: wall %.3f s, task time %.3f s, concurrency %.2f "
            "(at most %u in flight)\n",
            opt->mode, opt->workers, opt->workers == 1 ? "" : "s", n,
            n == 1 ? "" : "s", st.ok, st.failed, (long long)st.bytes, st.wall,
            st.busy, st.concurrency, st.max_overlap);
    if (timeline)
        fprintf(stderr, "pdl: timeline: %s\n", timeline);
}

/* Opens the timeline's destination before any download, so that a bad path
 * costs nothing. */
static FILE *open_timeline(const char *path)
{
    FILE *f;

    if (!path)
        return NULL;
    if (strcmp(path, "-") == 0)
        return stdout;
    f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "pdl: %s: %s\n", path, strerror(errno));
    return f;
}

static int write_timeline(FILE *f, const char *path,
                          const struct pdl_run_info *info,
                          const struct pdl_tasklist *list,
                          const struct pdl_result *results)
{
    const char **urls = pdl_xcalloc(list->count, sizeof(*urls));
    int rc;

    for (size_t i = 0; i < list->count; i++)
        urls[i] = list->tasks[i].url;
    rc = pdl_timeline_write(f, info, results, urls, list->count);
    free(urls);
    if (f != stdout && fclose(f) != 0)
        rc = PDL_ERR_IO;
    if (rc != PDL_OK)
        fprintf(stderr, "pdl: %s: %s\n", path, strerror(errno));
    return rc;
}

/* The timeline file the chart is drawn from: the run's own, or, when that
 * is not a file, CHART.tsv written beside the chart. */
static const char *chart_data(const struct cli *cli,
                              const struct pdl_run_info *info,
                              const struct pdl_tasklist *list,
                              const struct pdl_result *results, char *buf,
                              size_t bufsz)
{
    FILE *f;

    if (cli->timeline && strcmp(cli->timeline, "-") != 0)
        return cli->timeline;
    snprintf(buf, bufsz, "%.*s.tsv",
             (int)(strrchr(cli->chart, '.') - cli->chart), cli->chart);
    f = fopen(buf, "w");
    if (!f) {
        fprintf(stderr, "pdl: %s: %s\n", buf, strerror(errno));
        return NULL;
    }
    return write_timeline(f, buf, info, list, results) == PDL_OK ? buf : NULL;
}

/* Draws the chart; a chart that cannot be drawn is reported, but does not
 * change the run's exit status: the downloads are what it reports on. */
static void draw_chart(const struct cli *cli, const struct pdl_run_info *info,
                       const struct pdl_tasklist *list,
                       const struct pdl_result *results)
{
    char path[4096], err[8192];
    const char *data = chart_data(cli, info, list, results, path, sizeof(path));

    if (!data)
        return;
    if (pdl_chart_render(data, cli->chart, cli->chart_by, err, sizeof(err)))
        fprintf(stderr, "pdl: chart %s: %s\n", cli->chart, err);
    else if (!cli->quiet)
        fprintf(stderr, "pdl: chart: %s\n", cli->chart);
}

/* Runs the job and reports. Returns the exit code. */
static int run(const struct cli *cli, struct pdl_tasklist *list, int dirfd,
               FILE *tl)
{
    const struct pdl_runner *runner = pdl_runner_find(cli->opt.mode);
    struct pdl_job job = {.opt = &cli->opt, .list = list, .out_dirfd = dirfd};
    struct pdl_board *board = pdl_board_create(
        list->count, pdl_workers_needed(&job), cli->opt.schedule,
        cli->opt.chunk);
    struct pdl_run_info info;
    struct pdl_stats st;
    int rc;

    if (!board) {
        fprintf(stderr, "pdl: cannot map shared memory for %zu tasks: %s\n",
                list->count, strerror(errno));
        return EXIT_USAGE;
    }
    const struct pdl_result *results = board->results;
    pdl_run_info_init(&info, runner->name, cli->opt.workers);
    struct pdl_sigwatch *watch = pdl_sigwatch_start(&board->stop);
    job.t0 = pdl_now();
    rc = runner->run(&job, board);
    int sig = pdl_sigwatch_stop(watch);
    if (sig)
        fprintf(stderr, "pdl: interrupted by %s: %zu of %zu tasks done\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM", atomic_load(&board->done),
                list->count);
    if (rc != PDL_OK)
        fprintf(stderr, "pdl: %s mode: could not start all workers: %s\n",
                runner->name, pdl_strerror(rc));
    print_failures(list, results);
    if (tl && write_timeline(tl, cli->timeline, &info, list, results) != 0)
        rc = PDL_ERR_IO;
    if (!cli->quiet)
        print_summary(&cli->opt, results, list->count,
                      tl && tl != stdout ? cli->timeline : NULL);
    if (cli->chart)
        draw_chart(cli, &info, list, results);
    pdl_stats_compute(results, list->count, &st);
    pdl_board_destroy(board);
    if (sig)
        return 128 + sig;
    if (rc != PDL_OK || st.failed > 0 || list->bad > 0)
        return EXIT_SOME_FAILED;
    return EXIT_ALL_OK;
}

int main(int argc, char **argv)
{
    struct cli cli = {0};
    struct pdl_tasklist list;
    char err[256];
    int dirfd = -1;
    FILE *tl = NULL;
    int rc = parse_args(argc, argv, &cli);

    if (rc >= 0)
        return rc;
    if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
        fputs("pdl: libcurl could not be initialised\n", stderr);
        return EXIT_USAGE;
    }
    pdl_tasklist_init(&list);
    rc = read_lists(&cli, &list);
    if (rc == 0 && list.count == 0)
        fprintf(stderr, "pdl: no URLs to download\n");
    if (rc == 0 && !cli.opt.discard) {
        dirfd = pdl_outdir_open(cli.opt.outdir, err, sizeof(err));
        if (dirfd < 0) {
            fprintf(stderr, "pdl: %s: %s\n", cli.opt.outdir, err);
            rc = EXIT_USAGE;
        }
    }
    if (rc == 0 && cli.timeline && !(tl = open_timeline(cli.timeline)))
        rc = EXIT_USAGE;
    if (rc == 0) {
        pdl_tasklist_plan_names(&list);
        rc = run(&cli, &list, dirfd, tl);
    }
    if (dirfd >= 0)
        close(dirfd);
    pdl_tasklist_cleanup(&list);
    curl_global_cleanup();
    return rc;
}
