/* pdl: download lists of URLs serially, with a pool of threads or processes
 * or on curl_multi, and record when every task ran. This file only wires:
 * options, input, runner, outputs, exit code. */
#include "cli.h"
#include "pdl/chart.h"
#include "pdl/export.h"
#include "pdl/compare.h"
#include "pdl/mpi.h"
#include "pdl/outdir.h"
#include "pdl/progress.h"
#include "pdl/rerun.h"
#include "pdl/runner.h"
#include "pdl/sigwatch.h"
#include "pdl/tasklist.h"
#include "pdl/timeline.h"

#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A file written whole under a temporary name and renamed when complete,
 * so that an earlier run's copy is replaced only by a complete one. "-" is
 * stdout. */
struct outfile {
    const char *path;
    char tmp[4096];
    FILE *f;
};

static int outfile_open(struct outfile *o, const char *path)
{
    o->path = path;
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        return 0;
    }
    snprintf(o->tmp, sizeof(o->tmp), "%s.part-%ld", path, (long)getpid());
    o->f = fopen(o->tmp, "w");
    if (!o->f)
        fprintf(stderr, "pdl: %s: %s\n", path, strerror(errno));
    return o->f ? 0 : -1;
}

/* Completes the file (ok) or removes it. Returns 0 or -1 (reported). */
static int outfile_close(struct outfile *o, bool ok)
{
    int err = 0;

    if (!o->f || o->f == stdout)
        return o->f && fflush(stdout) != 0 ? -1 : 0;
    if (ferror(o->f))
        err = EIO;
    if (fclose(o->f) != 0 && !err)
        err = errno;
    o->f = NULL;
    if (ok && !err && rename(o->tmp, o->path) != 0)
        err = errno;
    if (!ok || err)
        unlink(o->tmp);
    if (ok && err)
        fprintf(stderr, "pdl: %s: %s\n", o->path, strerror(err));
    return err ? -1 : 0;
}

/* Reads every list named on the command line. Returns 0 or the exit
 * code. */
static int read_lists(const struct pdl_cli *cli, struct pdl_tasklist *list)
{
    for (int i = 0; i < cli->nlists; i++) {
        const char *name = cli->lists[i];
        bool is_stdin = strcmp(name, "-") == 0;
        FILE *in = is_stdin ? stdin : fopen(name, "r");
        int rc;

        if (!in) {
            fprintf(stderr, "pdl: %s: %s\n", name, strerror(errno));
            return PDL_EXIT_USAGE;
        }
        rc = pdl_tasklist_read(list, in, is_stdin ? "(stdin)" : name, stderr);
        if (rc != PDL_OK)
            fprintf(stderr, "pdl: %s: %s\n", name, strerror(errno));
        if (!is_stdin)
            fclose(in);
        if (rc != PDL_OK)
            return PDL_EXIT_USAGE;
    }
    return 0;
}

/* One line per failure with its URL; tasks that never started (after an
 * interrupt or a failure to start workers) are counted in one line. */
static void print_failures(const struct pdl_tasklist *list,
                           const struct pdl_result *results)
{
    size_t not_run = 0;

    for (size_t i = 0; i < list->count; i++) {
        const struct pdl_result *r = &results[i];
        if (pdl_result_ok(r))
            continue;
        if (r->status == PDL_ST_PENDING) {
            not_run++;
            continue;
        }
        fprintf(stderr, "pdl: %s: %s\n", list->tasks[i].url,
                r->error[0] ? r->error
                            : pdl_status_token((enum pdl_status)r->status));
    }
    if (not_run > 0)
        fprintf(stderr,
                "pdl: %zu task%s not run (listed in --failed, status "
                "not-run in the timeline)\n",
                not_run, not_run == 1 ? "" : "s");
}

static const char **urls_of(const struct pdl_tasklist *list);

static void print_summary(const struct pdl_options *opt,
                          const struct pdl_stats *st,
                          const struct pdl_tasklist *list, const char *timeline)
{
    const char **urls = urls_of(list);

    pdl_summary_print(stderr, st, opt->mode, pdl_mpi_workers(opt->workers),
                      urls);
    free(urls);
    if (timeline && strcmp(timeline, "-") != 0)
        fprintf(stderr, "pdl: timeline: %s\n", timeline);
}

/* The urls of list, in task order, for the writers of records. */
static const char **urls_of(const struct pdl_tasklist *list)
{
    const char **urls = pdl_xcalloc(list->count, sizeof(*urls));

    for (size_t i = 0; i < list->count; i++)
        urls[i] = list->tasks[i].url;
    return urls;
}

/* The formats the records of a run are written in after it. */
enum records { TIMELINE, EXPORT, REPORT };

/* Writes the run's records to path as what (an export's format follows
 * path's extension), through a temporary name. Returns 0 or -1 (said). */
static int write_records(const char *path, enum records what,
                         const struct pdl_run_info *info,
                         const struct pdl_tasklist *list,
                         const struct pdl_result *results)
{
    struct outfile o = {0};
    enum pdl_export_format fmt = PDL_EXPORT_JSONL;
    const char **urls;
    size_t n = list->count;
    int rc;

    if (outfile_open(&o, path) != 0)
        return -1;
    urls = urls_of(list);
    if (what == TIMELINE) {
        rc = pdl_timeline_write(o.f, info, results, urls, n);
    } else if (what == REPORT) {
        rc = pdl_export_report(o.f, info, results, urls, n);
    } else {
        pdl_export_format_for(path, &fmt);
        rc = pdl_export_write(o.f, fmt, info, results, urls, n);
    }
    free(urls);
    return outfile_close(&o, rc == PDL_OK);
}

static int write_failed(const char *path, const struct pdl_tasklist *list,
                        const struct pdl_result *results)
{
    struct outfile o = {0};

    if (outfile_open(&o, path) != 0)
        return -1;
    return outfile_close(&o, pdl_failed_write(o.f, list, results) == PDL_OK);
}

/* Draws every --chart; returns -1 if one could not be drawn (reported). */
static int draw_chart(const struct pdl_cli *cli,
                      const struct pdl_run_info *info,
                      const struct pdl_tasklist *list,
                      const struct pdl_result *results)
{
    char data[4096];

    if (cli->timeline && strcmp(cli->timeline, "-") != 0) {
        snprintf(data, sizeof(data), "%s", cli->timeline);
    } else {
        /* The chart needs its data in a file: CHART.tsv beside it. */
        snprintf(data, sizeof(data), "%.*s.tsv",
                 (int)(strrchr(cli->chart, '.') - cli->chart), cli->chart);
        if (write_records(data, TIMELINE, info, list, results) != 0)
            return -1;
    }
    return pdl_chart_render_all(data, cli->charts, cli->ncharts, cli->chart_by,
                                stderr, cli->quiet) > 0
               ? -1
               : 0;
}

/* Everything written after the run. Returns 0, or -1 if a file could not
 * be written (each reported). */
static int write_outputs(const struct pdl_cli *cli,
                         const struct pdl_run_info *info,
                         const struct pdl_tasklist *list,
                         const struct pdl_result *results)
{
    int rc = 0;

    if (cli->timeline &&
        write_records(cli->timeline, TIMELINE, info, list, results) != 0)
        rc = -1;
    if (cli->failed && write_failed(cli->failed, list, results) != 0)
        rc = -1;
    for (size_t i = 0; i < cli->nexports; i++)
        if (write_records(cli->exports[i], EXPORT, info, list, results) != 0)
            rc = -1;
    if (cli->json && write_records(cli->json, REPORT, info, list, results))
        rc = -1;
    return rc;
}

/* Marks what an earlier run completed (--continue). Returns 0 or the exit
 * code. */
static int skip_done(const struct pdl_cli *cli, const struct pdl_tasklist *list,
                     int dirfd, struct pdl_board *board)
{
    char err[512];
    size_t n;

    if (!cli->opt.resume)
        return 0;
    n = pdl_rerun_skip_done(cli->timeline, list, dirfd, board->results, err,
                            sizeof(err));
    if (n == (size_t)-1) {
        fprintf(stderr, "pdl: --continue: %s\n", err);
        return PDL_EXIT_USAGE;
    }
    if (!cli->quiet && n > 0)
        fprintf(stderr, "pdl: --continue: %zu of %zu tasks already done\n", n,
                list->count);
    return 0;
}

/* Runs the job on a board; returns the signal that stopped it, or 0. */
static int run_board(const struct pdl_cli *cli, struct pdl_job *job,
                     struct pdl_board *board, int *rc)
{
    const struct pdl_runner *runner = pdl_runner_find(cli->opt.mode);
    struct pdl_sigwatch *watch = pdl_sigwatch_start(&board->stop);
    struct pdl_progress *progress;
    int sig;

    job->t0 = pdl_now();
    progress = pdl_progress_start(
        board, cli->quiet ? PDL_PROGRESS_NONE : cli->progress, stderr, job->t0);
    *rc = runner->run(job, board);
    pdl_progress_stop(progress);
    sig = pdl_sigwatch_stop(watch);
    if (*rc != PDL_OK)
        fprintf(stderr, "pdl: %s mode: could not start all workers: %s\n",
                runner->name, pdl_strerror(*rc));
    if (sig)
        fprintf(stderr, "pdl: interrupted by %s: %zu of %zu tasks done\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM", atomic_load(&board->done),
                job->list->count);
    return sig;
}

/* Runs the tasks and reports. Returns the exit code. */
static int run(const struct pdl_cli *cli, struct pdl_tasklist *list, int dirfd)
{
    struct pdl_job job = {.opt = &cli->opt, .list = list, .out_dirfd = dirfd};
    struct pdl_board *board =
        pdl_board_create(list->count, pdl_workers_needed(&job),
                         cli->opt.schedule, cli->opt.chunk);
    struct pdl_run_info info;
    struct pdl_stats st;
    int rc, sig, out;

    if (!board) {
        fprintf(stderr, "pdl: cannot map shared memory for %zu tasks: %s\n",
                list->count, strerror(errno));
        return PDL_EXIT_USAGE;
    }
    pdl_board_limits(board, cli->opt.rate, cli->opt.per_host,
                     cli->opt.per_host_loopback);
    rc = skip_done(cli, list, dirfd, board);
    if (rc != 0) {
        pdl_board_destroy(board);
        return rc;
    }
    pdl_run_info_init(&info, cli->opt.mode, cli->opt.workers);
    sig = run_board(cli, &job, board, &rc);
    pdl_mpi_describe(&info);
    print_failures(list, board->results);
    out = write_outputs(cli, &info, list, board->results);
    pdl_stats_compute(board->results, list->count, &st);
    if (!cli->quiet)
        print_summary(&cli->opt, &st, list, cli->timeline);
    if (cli->chart && draw_chart(cli, &info, list, board->results) != 0)
        out = -1;
    pdl_board_destroy(board);
    if (sig)
        return 128 + sig;
    if (rc != PDL_OK || out != 0 || st.failed > 0 || list->bad > 0)
        return PDL_EXIT_FAILED;
    return PDL_EXIT_OK;
}

/* Checks, before any download, that the outputs can be written at all. */
static int check_writable(const char *path)
{
    struct outfile o = {0};

    if (!path || strcmp(path, "-") == 0)
        return 0;
    if (outfile_open(&o, path) != 0)
        return PDL_EXIT_USAGE;
    outfile_close(&o, false);
    return 0;
}

static int prepare(const struct pdl_cli *cli, struct pdl_tasklist *list,
                   int *dirfd)
{
    char err[256];
    int rc = read_lists(cli, list);

    if (rc == 0 && list->count == 0)
        fprintf(stderr, "pdl: no URLs to download\n");
    size_t dup = rc == 0 && !cli->quiet ? pdl_tasklist_duplicates(list) : 0;
    if (dup > 0)
        fprintf(stderr,
                "pdl: %zu of %zu URLs repeat an earlier one; each is "
                "downloaded (sort -u drops them)\n",
                dup, list->count);
    if (rc == 0 && !cli->opt.discard) {
        *dirfd = pdl_outdir_open(cli->opt.outdir, err, sizeof(err));
        if (*dirfd < 0) {
            fprintf(stderr, "pdl: %s: %s\n", cli->opt.outdir, err);
            rc = PDL_EXIT_USAGE;
        }
    }
    if (rc == 0)
        rc = check_writable(cli->timeline);
    if (rc == 0)
        rc = check_writable(cli->failed);
    for (size_t i = 0; rc == 0 && i < cli->nexports; i++)
        rc = check_writable(cli->exports[i]);
    if (rc == 0)
        rc = check_writable(cli->json);
    if (rc == 0)
        rc = pdl_cli_check_charts(cli);
    return rc;
}

/* pdl export TIMELINE FILE...: an earlier run's timeline in other formats. */
static int export_main(int argc, char **argv)
{
    char err[512];
    int rc = PDL_EXIT_OK;

    if (argc < 3 || (argv[1][0] == '-' && argv[1][1] != '\0')) {
        fputs("Usage: pdl export TIMELINE FILE...\n"
              "Writes the timeline TSV of a run (TIMELINE, '-' for stdin) as\n"
              "each FILE: *.jsonl (JSON lines), *.json (Chrome trace event\n"
              "format, for Perfetto) or *.har (HAR 1.2, for browser "
              "devtools).\n",
              argc < 3 ? stderr : stdout);
        return argc < 3 ? PDL_EXIT_USAGE : PDL_EXIT_OK;
    }
    for (int i = 2; i < argc; i++) {
        if (pdl_export_file(argv[1], argv[i], err, sizeof(err)) != PDL_OK) {
            fprintf(stderr, "pdl: export: %s\n", err);
            rc = PDL_EXIT_FAILED;
        }
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "export") == 0)
        return export_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "compare") == 0)
        return pdl_compare_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "chart") == 0)
        return pdl_cmd_chart(argc - 1, argv + 1);

    struct pdl_cli cli;
    struct pdl_tasklist list;
    int dirfd = -1;
    int rc = pdl_cli_parse(argc, argv, &cli);

    if (rc >= 0)
        return rc;
    if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
        fputs("pdl: libcurl could not be initialised\n", stderr);
        return PDL_EXIT_USAGE;
    }
    if (pdl_mpi_init(&argc, &argv, cli.opt.mode) != PDL_OK) {
        curl_global_cleanup();
        return PDL_EXIT_USAGE;
    }
    if (pdl_mpi_rank() > 0) {
        /* The other ranks of an mpi run serve rank 0 and write no output. */
        rc = pdl_mpi_follow(&cli.opt) == PDL_OK ? PDL_EXIT_OK : PDL_EXIT_FAILED;
        pdl_mpi_finalize();
        curl_global_cleanup();
        return rc;
    }
    pdl_tasklist_init(&list);
    list.glob = !cli.no_glob;
    rc = prepare(&cli, &list, &dirfd);
    if (rc == 0) {
        /* Names are for files: with --discard there are none to name. */
        if (!cli.opt.discard)
            pdl_tasklist_plan_names(&list);
        rc = run(&cli, &list, dirfd);
    }
    if (dirfd >= 0)
        close(dirfd);
    pdl_tasklist_cleanup(&list);
    pdl_mpi_finalize();
    curl_global_cleanup();
    return rc;
}
