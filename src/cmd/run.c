/* The run command: download lists of URLs with the mode asked for and
 * record when every task ran. It only wires: options, the lists, the mode's
 * row, the results stream and its consumers, the outputs, the exit code. */
#include "../cli.h"
#include "pdl/chart.h"
#include "pdl/durations.h"
#include "pdl/predict.h"
#include "pdl/export.h"
#include "pdl/fdlimit.h"
#include "pdl/names.h"
#include "pdl/outdir.h"
#include "pdl/output.h"
#include "pdl/progress.h"
#include "pdl/rerun.h"
#include "pdl/runner.h"
#include "pdl/sigwatch.h"
#include "pdl/stats.h"
#include "pdl/sweep.h"
#include "pdl/timeline.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The timeline a run streams: to the user's file, and to a private file
 * when no file of the user's can serve the exports, the JSON report and
 * the chart, which are made from it at the end. */
struct tl_out {
    struct pdl_output out;
    struct pdl_timeline_writer *w;
    const char *path; /* where it ends up; NULL for stdout */
    bool open;
};

/* Everything one run holds. */
struct app {
    const struct pdl_cli *cli;
    const struct pdl_runner *runner;
    void *mode_ctx;
    struct pdl_run run;
    struct pdl_run_info info;
    struct pdl_namer *namer;
    struct pdl_done *done;
    struct pdl_stats_acc *acc;
    struct pdl_progress *progress;
    struct tl_out tl[2]; /* the user's, then a private one if needed */
    char private_tl[64]; /* path of the private one, "" if none */
    struct pdl_output failed_out;
    struct pdl_failed_writer *failed;
    size_t not_run; /* tasks settled without running */
    /* URLs seen, to count repeats: fingerprints of the first DUP_TRACK
     * distinct URLs (8 bytes each), so memory stays bounded. */
    struct pdl_namer *urls;
    size_t distinct, repeats;
    bool out_failed;
    bool started; /* the run began: its folder is kept whatever it holds */
};

/* ---- Consumers of the results stream ---- */

/* A timeline that cannot be written is said once, above the progress bar
 * (or as a JSON message), and the run goes on. */
static void say_lost(struct app *a, struct tl_out *o)
{
    char line[1024];

    snprintf(line, sizeof(line), "pdl: %.900s: %s (the run goes on)",
             o->path ? o->path : "standard output", strerror(errno));
    pdl_progress_say(a->progress, stderr, line);
    o->out.failed = true;
}

static void take_timelines(struct app *a, const struct pdl_task *t,
                           const struct pdl_result *r)
{
    for (int i = 0; i < 2; i++) {
        struct tl_out *o = &a->tl[i];
        if (o->w && pdl_timeline_writer_row(o->w, t, r) != PDL_OK &&
            !o->out.failed)
            say_lost(a, o);
    }
}

/* Each failure as it happens, above the progress bar, unless the display
 * told it already (told); tasks that never started are counted, and said
 * in one line at the end. */
static void say_failure(struct app *a, const struct pdl_task *t,
                        const struct pdl_result *r, bool told)
{
    char line[1024];

    if (pdl_result_ok(r))
        return;
    if (r->status == PDL_ST_PENDING) {
        a->not_run++;
        return;
    }
    /* Cut short by a stop: the interrupt's message counts them. */
    if (told ||
        (r->status == PDL_ST_INTERRUPTED && atomic_load(&a->run.shared->stop)))
        return;
    snprintf(line, sizeof(line), "pdl: %.700s: %s", t->url,
             r->error[0] ? r->error
                         : pdl_status_token((enum pdl_status)r->status));
    pdl_progress_say(a->progress, stderr, line);
}

/* Most distinct URLs remembered to count repeats: 1 MiB of fingerprints. */
#define DUP_TRACK 65536

static void count_repeat(struct app *a, const struct pdl_task *t)
{
    if (a->distinct >= DUP_TRACK) {
        /* Only repeats of the URLs already remembered are counted. */
        if (pdl_namer_given(a->urls, t->url))
            a->repeats++;
        return;
    }
    if (pdl_namer_reserve(a->urls, t->url))
        a->distinct++;
    else
        a->repeats++;
}

/* Writes out the buffered rows and failed entries, so that a run killed
 * even with SIGKILL leaves on disk every task settled before the last
 * flush. */
static void flush(void *ctx)
{
    struct app *a = ctx;

    for (int i = 0; i < 2; i++)
        if (a->tl[i].w && pdl_timeline_writer_flush(a->tl[i].w) != PDL_OK &&
            !a->tl[i].out.failed)
            say_lost(a, &a->tl[i]);
    if (a->failed)
        pdl_failed_flush(a->failed);
}

static void take(void *ctx, const struct pdl_task *t,
                 const struct pdl_result *r)
{
    struct app *a = ctx;

    take_timelines(a, t, r);
    count_repeat(a, t);
    pdl_stats_acc_add(a->acc, (size_t)t->id, r, t->url);
    if (a->failed)
        pdl_failed_add(a->failed, t, r);
    /* --progress json tells every task, failures included, in its line. */
    say_failure(a, t, r, pdl_progress_task(a->progress, t, r));
}

/* ---- Before the run ---- */

/* Two outputs that are one file would overwrite each other. */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;

    if (!a || !b || strcmp(a, "-") == 0 || strcmp(b, "-") == 0)
        return false;
    if (strcmp(a, b) == 0)
        return true;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* Every output file the run writes, in one list. */
static size_t outputs_of(const struct pdl_cli *cli, const char **out,
                         const char **what)
{
    size_t n = 0;

    if (cli->timeline)
        out[n] = cli->timeline, what[n++] = "--timeline";
    if (cli->failed)
        out[n] = cli->failed, what[n++] = "--failed";
    if (cli->json)
        out[n] = cli->json, what[n++] = "--json";
    for (size_t i = 0; i < cli->nexports; i++)
        out[n] = cli->exports[i], what[n++] = "--export";
    for (size_t i = 0; i < cli->ncharts; i++)
        out[n] = cli->charts[i], what[n++] = "--chart";
    return n;
}

/* Refuses outputs that are one file, and outputs that cannot be written,
 * before anything is downloaded. Returns 0 or the exit code. */
static int check_outputs(const struct pdl_cli *cli)
{
    const char *out[PDL_EXPORTS_MAX + PDL_CHARTS_MAX + 4];
    const char *what[PDL_EXPORTS_MAX + PDL_CHARTS_MAX + 4];
    size_t n = outputs_of(cli, out, what);

    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (same_file(out[i], out[j])) {
                fprintf(stderr,
                        "pdl: %s %s and %s %s name the same file: one would "
                        "overwrite the other\n",
                        what[i], out[i], what[j], out[j]);
                return PDL_EXIT_USAGE;
            }
    for (size_t i = 0; i < n; i++)
        if (strcmp(what[i], "--chart") != 0 &&
            pdl_output_check(out[i], stderr) != 0)
            return PDL_EXIT_USAGE;
    return pdl_cli_check_charts(cli);
}

/* pdl's own outputs that land in the output folder keep their names: no
 * body is saved under one of them (it gets a number instead). */
static void reserve_outputs(struct app *a, int dirfd)
{
    const char *out[PDL_EXPORTS_MAX + PDL_CHARTS_MAX + 4];
    const char *what[PDL_EXPORTS_MAX + PDL_CHARTS_MAX + 4];
    size_t n = outputs_of(a->cli, out, what);
    struct stat folder, parent;

    if (dirfd < 0 || fstat(dirfd, &folder) != 0)
        return;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(out[i], "-") == 0)
            continue;
        char *copy = pdl_xstrdup(out[i]), *slash = strrchr(copy, '/');
        const char *dir = slash ? (slash == copy ? "/" : copy) : ".";
        const char *base = slash ? slash + 1 : copy;
        if (slash)
            *slash = '\0';
        if (stat(dir, &parent) == 0 && parent.st_dev == folder.st_dev &&
            parent.st_ino == folder.st_ino) {
            pdl_namer_reserve(a->namer, base);
            /* The chart's data goes beside it as CHART.tsv. */
            if (strcmp(what[i], "--chart") == 0) {
                char data[PDL_NAME_MAX + 64];
                const char *dot = strrchr(base, '.');
                snprintf(data, sizeof(data), "%.*s.tsv",
                         (int)(dot ? dot - base : (long)strlen(base)), base);
                pdl_namer_reserve(a->namer, data);
            }
        }
        free(copy);
    }
}

/* Removes what killed runs left: hidden temporary bodies in the output
 * folder, and the temporary files beside this run's outputs (a partial
 * timeline only without --continue, which reads it first and removes it
 * after). Only files of processes that are gone are touched. */
static void sweep_debris(const struct pdl_cli *cli, int dirfd)
{
    const char *out[PDL_EXPORTS_MAX + PDL_CHARTS_MAX + 4];
    const char *what[PDL_EXPORTS_MAX + PDL_CHARTS_MAX + 4];
    size_t n = outputs_of(cli, out, what);
    long gone = dirfd >= 0 ? pdl_sweep(dirfd) : 0;

    for (size_t i = 0; i < n; i++) {
        if (strcmp(out[i], "-") == 0 ||
            (cli->opt.resume && strcmp(what[i], "--timeline") == 0))
            continue;
        gone += pdl_sweep_outfile(out[i]);
    }
    if (gone > 0 && !cli->quiet)
        fprintf(stderr,
                "pdl: removed %ld temporary file%s that killed runs left\n",
                gone, gone == 1 ? "" : "s");
}

/* --continue: warns when the timeline was made from other lists than this
 * run's (its lists= key; older timelines have none). */
static void check_lists(const struct app *a)
{
    const char *was = pdl_done_lists(a->done);
    struct pdl_run_info now;

    pdl_run_info_set_lists(&now, (const char *const *)a->cli->lists,
                           (size_t)a->cli->nlists);
    if (was[0] && strcmp(was, now.lists) != 0)
        fprintf(stderr,
                "pdl: --continue: warning: %s was made from other lists "
                "(lists=%s; this run reads %s)\n",
                a->cli->timeline, was, now.lists);
}

/* --continue: what earlier runs finished. Returns 0 or the exit code. */
static int load_done(struct app *a)
{
    char err[512];
    size_t from;

    if (!a->cli->opt.resume)
        return 0;
    a->done = pdl_done_load(a->cli->timeline, &from, err, sizeof(err));
    if (!a->done) {
        fprintf(stderr, "pdl: --continue: %s\n", err);
        return PDL_EXIT_USAGE;
    }
    size_t partials = pdl_done_partials(a->done);
    a->run.done = a->done;
    if (a->cli->quiet)
        return 0;
    if (from == 0) {
        fprintf(stderr,
                "pdl: --continue: no timeline %s yet: every task runs\n",
                a->cli->timeline);
        return 0;
    }
    fprintf(stderr,
            "pdl: --continue: resuming from %s%s%s: %zu task%s done there; "
            "the others run\n",
            from > partials ? a->cli->timeline : "",
            from > partials && partials ? " and " : "",
            partials ? "the partial timelines of killed runs beside it" : "",
            pdl_done_count(a->done), pdl_done_count(a->done) == 1 ? "" : "s");
    check_lists(a);
    return 0;
}

/* --continue, at the end: what was skipped and what ran, and a warning
 * when the timeline shared no URL with the lists. */
static void say_continued(const struct app *a, const struct pdl_stats *st)
{
    size_t skipped = st->by_status[PDL_ST_SKIPPED];

    if (!a->done || a->cli->quiet)
        return;
    if (skipped > 0)
        fprintf(stderr,
                "pdl: --continue: %zu of %zu tasks already done, %zu run "
                "now\n",
                skipped, st->tasks, st->tasks - skipped);
    if (pdl_done_count(a->done) > 0 && pdl_done_matched(a->done) == 0)
        fprintf(stderr,
                "pdl: --continue: warning: none of the %zu URLs %s records "
                "as done is in this run's lists: is it the timeline of "
                "another list?\n",
                pdl_done_count(a->done), a->cli->timeline);
}

/* The descriptors a run of W workers of this mode holds at least. */
static unsigned long fds_needed(const struct pdl_runner *runner, unsigned w)
{
    return PDL_FDS_BASE + (unsigned long)runner->fds_per_worker * w;
}

/* Once the lists say how many workers will run (no more than tasks): a
 * clear refusal, before anything is downloaded or written, of a run whose
 * workers cannot all have their descriptors, rather than transfers that
 * fail part way to connect. Returns 0 or the exit code. */
static int check_fd_room(const struct app *a)
{
    unsigned long need = fds_needed(a->runner, a->run.workers);
    unsigned long max = pdl_fdlimit_max();

    if (need <= max)
        return 0;
    fprintf(stderr,
            "pdl: --workers %u: %u workers in %s mode hold %lu open files "
            "at least, and this process may open %lu (its hard limit, "
            "ulimit -Hn): lower --workers or raise the limit\n",
            a->cli->opt.workers, a->run.workers, a->runner->name, need, max);
    return PDL_EXIT_USAGE;
}

/* The lists, the scheduler and the workers to start. Returns 0 or the
 * exit code. */
static int open_lists(struct app *a)
{
    const struct pdl_cli *cli = a->cli;
    struct pdl_reader *r =
        pdl_reader_create((const char *const *)cli->lists, (size_t)cli->nlists,
                          !cli->no_glob, stderr);
    struct pdl_sched_config cfg = {.schedule = cli->opt.schedule,
                                   .chunk = cli->opt.chunk,
                                   .workers = cli->opt.workers,
                                   .names = !cli->opt.discard};
    char err[256];
    uint64_t ahead;
    struct pdl_durations *dur = NULL;

    if (!r)
        return PDL_EXIT_USAGE;
    if (cli->opt.durations_from &&
        pdl_durations_load(cli->opt.durations_from, &dur, err, sizeof(err)) !=
            PDL_OK) {
        fprintf(stderr, "pdl: --durations-from: %s: %s\n",
                cli->opt.durations_from, err);
        pdl_reader_destroy(r);
        return PDL_EXIT_USAGE;
    }
    cfg.durations = dur;
    pdl_reader_stop_on(r, &a->run.shared->stop);
    a->run.sched = pdl_sched_create(r, &cfg, a->namer, err, sizeof(err));
    if (!a->run.sched) {
        fprintf(stderr, "pdl: %s\n", err);
        return PDL_EXIT_USAGE;
    }
    /* No more workers than tasks: read that far ahead to know, in files;
     * a pipe is not waited on beyond its first task. */
    ahead = pdl_sched_prefetch(a->run.sched,
                               pdl_reader_seekable(r) ? cli->opt.workers : 1);
    if (ahead == 0)
        fprintf(stderr, "pdl: no URLs to download\n");
    a->run.workers = ahead == 0               ? 0
                     : pdl_reader_seekable(r) ? (unsigned)ahead
                                              : cli->opt.workers;
    return 0;
}

/* Opens the timelines the run streams. Returns 0 or the exit code. */
static int open_timelines(struct app *a)
{
    const struct pdl_cli *cli = a->cli;
    bool user_file = cli->timeline && strcmp(cli->timeline, "-") != 0;
    bool need_file = cli->nexports > 0 || cli->json || cli->chart;

    if (cli->timeline) {
        if (pdl_output_open(&a->tl[0].out, cli->timeline, stderr) != 0)
            return PDL_EXIT_USAGE;
        a->tl[0].path = user_file ? cli->timeline : NULL;
        a->tl[0].open = true;
    }
    if (need_file && !user_file) {
        int fd;
        snprintf(a->private_tl, sizeof(a->private_tl), "%s/pdl-run-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        fd = mkstemp(a->private_tl);
        if (fd >= 0)
            close(fd);
        if (fd < 0 ||
            pdl_output_open(&a->tl[1].out, a->private_tl, stderr) != 0) {
            a->private_tl[0] = '\0';
            return PDL_EXIT_USAGE;
        }
        a->tl[1].path = a->private_tl;
        a->tl[1].open = true;
    }
    for (int i = 0; i < 2; i++)
        if (a->tl[i].open)
            a->tl[i].w = pdl_timeline_writer_start(a->tl[i].out.f, &a->info);
    return 0;
}

static int open_failed(struct app *a)
{
    if (!a->cli->failed)
        return 0;
    if (pdl_output_open(&a->failed_out, a->cli->failed, stderr) != 0)
        return PDL_EXIT_USAGE;
    a->failed = pdl_failed_start(a->failed_out.f);
    return 0;
}

/* ---- The run ---- */

/* Counts the lists ahead of the run, for the progress display's total. */
struct census {
    struct pdl_run *run;
    pthread_t thread;
    bool started;
};

static void *count_tasks(void *arg)
{
    struct census *c = arg;
    uint64_t n = pdl_reader_count_all(pdl_sched_reader(c->run->sched),
                                      &c->run->shared->stop);

    if (n != UINT64_MAX)
        atomic_store(&c->run->shared->counters.total, n);
    return NULL;
}

static void census_start(struct app *a, struct census *c)
{
    uint64_t total = pdl_sched_total(a->run.sched);

    c->run = &a->run;
    if (total != UINT64_MAX) {
        atomic_store(&a->run.shared->counters.total, total);
        return;
    }
    if (!a->progress || !pdl_reader_seekable(pdl_sched_reader(a->run.sched)))
        return;
    c->started = pthread_create(&c->thread, NULL, count_tasks, c) == 0;
}

static void census_stop(struct census *c)
{
    if (c->started)
        pthread_join(c->thread, NULL);
}

/* How often what settled is written out: the most a SIGKILL can lose. */
#define FLUSH_EVERY_NS 50000000

/* A thread that writes out the results stream's buffers every
 * FLUSH_EVERY_NS until stopped. */
struct flusher {
    struct pdl_results *rs;
    pthread_t thread;
    pthread_mutex_t lock; /* guards stop */
    pthread_cond_t wake;  /* waits on CLOCK_MONOTONIC */
    bool stop, started;
};

static void *flush_loop(void *arg)
{
    struct flusher *f = arg;
    struct timespec at;

    pthread_mutex_lock(&f->lock);
    while (!f->stop) {
        clock_gettime(CLOCK_MONOTONIC, &at);
        at.tv_nsec += FLUSH_EVERY_NS;
        at.tv_sec += at.tv_nsec / 1000000000;
        at.tv_nsec %= 1000000000;
        pthread_cond_timedwait(&f->wake, &f->lock, &at);
        pthread_mutex_unlock(&f->lock);
        pdl_results_flush(f->rs);
        pthread_mutex_lock(&f->lock);
    }
    pthread_mutex_unlock(&f->lock);
    return NULL;
}

static void flusher_start(struct flusher *f, struct pdl_results *rs)
{
    pthread_condattr_t ca;

    *f = (struct flusher){.rs = rs};
    pthread_mutex_init(&f->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&f->wake, &ca);
    pthread_condattr_destroy(&ca);
    f->started = pthread_create(&f->thread, NULL, flush_loop, f) == 0;
}

static void flusher_stop(struct flusher *f)
{
    pthread_mutex_lock(&f->lock);
    f->stop = true;
    pthread_cond_signal(&f->wake);
    pthread_mutex_unlock(&f->lock);
    if (f->started)
        pthread_join(f->thread, NULL);
    pthread_cond_destroy(&f->wake);
    pthread_mutex_destroy(&f->lock);
}

/* Settles every task that no worker ran (after a stop, or when the
 * workers could not start): not run. */
static void settle_the_rest(struct app *a)
{
    struct pdl_task t = {0};

    while (pdl_sched_drain(a->run.sched, &t)) {
        struct pdl_result r = {.status = PDL_ST_PENDING};
        pdl_run_settle(&a->run, &t, &r);
        pdl_task_clear(&t);
    }
}

/* Runs the mode; returns the signal that stopped it, or 0. */
static int run_mode(struct app *a, int *rc)
{
    struct pdl_shared *sh = a->run.shared;
    struct pdl_sigwatch *watch = pdl_sigwatch_start(&sh->stop);
    struct census census = {0};
    struct flusher flusher;
    int sig;

    a->run.t0 = pdl_now();
    /* -q silences the display, but not JSON lines asked for by name. */
    a->progress = pdl_progress_start(&sh->counters,
                                     a->cli->quiet && a->cli->progress !=
                                                          PDL_PROGRESS_JSON
                                         ? PDL_PROGRESS_NONE
                                         : a->cli->progress,
                                     stderr, a->run.t0);
    /* Transfers report their bytes as they come only for a display. */
    sh->counters.live = a->progress != NULL;
    /* After the display, which its flushes may speak through. */
    flusher_start(&flusher, a->run.results);
    census_start(a, &census);
    *rc = a->runner->run(&a->run, a->mode_ctx);
    if (*rc != PDL_OK)
        atomic_store(&sh->stop, 1);
    census_stop(&census);
    settle_the_rest(a);
    flusher_stop(&flusher);
    pdl_progress_stop(a->progress);
    a->progress = NULL;
    sig = pdl_sigwatch_stop(watch);
    if (*rc != PDL_OK)
        fprintf(stderr, "pdl: %s mode: could not start all workers: %s\n",
                a->runner->name, pdl_strerror(*rc));
    if (sig) {
        struct pdl_stats st;
        pdl_stats_acc_get(a->acc, &st);
        fprintf(stderr,
                "pdl: interrupted by %s: %zu tasks finished, %zu cut short, "
                "%zu not started\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM",
                st.tasks - st.by_status[PDL_ST_INTERRUPTED] -
                    st.by_status[PDL_ST_PENDING],
                st.by_status[PDL_ST_INTERRUPTED], st.by_status[PDL_ST_PENDING]);
    }
    if (a->not_run > 0)
        fprintf(stderr,
                "pdl: %zu task%s not run (listed in --failed, status "
                "not-run in the timeline)\n",
                a->not_run, a->not_run == 1 ? "" : "s");
    if (pdl_sched_unread(a->run.sched) && (sig || *rc != PDL_OK))
        fputs("pdl: the rest of standard input was not read\n", stderr);
    return sig;
}

/* ---- After the run ---- */

static void finish_timelines(struct app *a, const struct pdl_stats *st)
{
    for (int i = 0; i < 2; i++) {
        struct tl_out *o = &a->tl[i];
        if (!o->open)
            continue;
        if (o->w && pdl_timeline_writer_end(o->w, &a->info, st) != PDL_OK &&
            !o->out.failed) {
            fprintf(stderr, "pdl: %s: %s\n",
                    o->path ? o->path : "standard output", strerror(errno));
            o->out.failed = true;
        }
        o->w = NULL;
        if (pdl_output_close(&o->out, !o->out.failed, stderr) != 0 && i == 0)
            a->out_failed = true;
        o->open = false;
    }
}

/* The timeline the exports, the report and the chart are made from. */
static const char *timeline_file(const struct app *a)
{
    if (a->private_tl[0])
        return a->private_tl;
    return a->tl[0].path;
}

static void write_derived(struct app *a)
{
    const char *tl = timeline_file(a);
    char err[512];

    for (size_t i = 0; i < a->cli->nexports; i++)
        if (!tl || pdl_export_file(tl, a->cli->exports[i], err, sizeof(err)) !=
                       PDL_OK) {
            fprintf(stderr, "pdl: %s\n", tl ? err : "no timeline to export");
            a->out_failed = true;
        }
    if (a->cli->json &&
        (!tl || pdl_export_report_file(tl, a->cli->json, err, sizeof(err)) !=
                    PDL_OK)) {
        fprintf(stderr, "pdl: %s\n", tl ? err : "no timeline for --json");
        a->out_failed = true;
    }
}

/* Draws every --chart from the timeline (or, without a timeline file,
 * from its data kept as CHART.tsv beside the first chart). A chart that
 * cannot be drawn is reported and makes the exit status 1. */
static void draw_charts(struct app *a)
{
    const struct pdl_cli *cli = a->cli;
    const char *tl = a->tl[0].path;
    char data[4096];

    if (!tl) {
        const char *dot = strrchr(cli->chart, '.');
        int n =
            snprintf(data, sizeof(data), "%.*s.tsv",
                     (int)(dot ? dot - cli->chart : (long)strlen(cli->chart)),
                     cli->chart);
        if (n < 0 || (size_t)n >= sizeof(data) || !a->private_tl[0] ||
            rename(a->private_tl, data) != 0) {
            fprintf(stderr, "pdl: chart %s: cannot keep its data in %.*s: %s\n",
                    cli->chart, (int)sizeof(data), data, strerror(errno));
            a->out_failed = true;
            return;
        }
        a->private_tl[0] = '\0';
        tl = data;
    }
    if (pdl_chart_render_all(tl, cli->charts, cli->ncharts, cli->chart_by,
                             stderr, cli->quiet) > 0)
        a->out_failed = true;
}

/* Most tasks whose timeline is read back for the what-if clause: it is
 * held in memory for that (some 300 bytes and the URL a task). */
#define PREDICT_MAX_TASKS 20000

/* What other worker counts and orders would have given, from the timeline
 * just written: only for runs with pdl's defaults but W (the prediction
 * assumes them) and of a size that is read back quickly. */
static void say_prediction(const struct app *a, const struct pdl_stats *st,
                           unsigned workers)
{
    const struct pdl_options *o = &a->cli->opt;
    const char *path = timeline_file(a);
    struct pdl_timeline tl;
    char err[256], line[512];
    FILE *in;

    if (!path || st->tasks < 2 || st->tasks > PREDICT_MAX_TASKS ||
        a->runner->total_workers || o->rate > 0 || o->chunk > 1 ||
        o->schedule != PDL_SCHED_DYNAMIC || o->per_host_loopback ||
        o->per_host != PDL_PER_HOST_DEFAULT)
        return;
    in = fopen(path, "r");
    if (!in)
        return;
    if (pdl_timeline_read(in, &tl, err, sizeof(err)) == PDL_OK) {
        struct pdl_predict_hint hint = {
            .longest_first = o->order == PDL_ORDER_LONGEST_FIRST,
            .timeline = a->private_tl[0] ? NULL : a->tl[0].path};
        if (pdl_predict_sentence(&tl, workers, &hint, line, sizeof(line)) > 0)
            fprintf(stderr, "pdl: %s\n", line);
        pdl_timeline_cleanup(&tl);
    }
    fclose(in);
}

static void finish(struct app *a, struct pdl_stats *st)
{
    unsigned ran = atomic_load(&a->run.shared->counters.ran);

    /* The workers that ran, not those asked for (a short list). */
    if (!a->runner->total_workers && ran < a->info.workers)
        a->info.workers = ran;
    /* The timeline keeps one process's (one rank's) workers, as its lanes
     * are drawn; the summary counts them all. */
    unsigned all = a->runner->total_workers
                       ? a->runner->total_workers(a->mode_ctx, a->info.workers)
                       : a->info.workers;
    if (a->runner->describe)
        a->runner->describe(a->mode_ctx, &a->info);
    pdl_stats_acc_get(a->acc, st);
    st->max_overlap = atomic_load(&a->run.shared->counters.max_inflight);
    finish_timelines(a, st);
    if (a->failed) {
        if (pdl_failed_end(a->failed) != PDL_OK && !a->failed_out.failed) {
            fprintf(stderr, "pdl: %s: %s\n", a->cli->failed, strerror(errno));
            a->failed_out.failed = true;
        }
        a->failed = NULL;
        if (pdl_output_close(&a->failed_out, !a->failed_out.failed, stderr))
            a->out_failed = true;
    }
    write_derived(a);
    say_continued(a, st);
    if (!a->cli->quiet && a->repeats > 0)
        fprintf(stderr,
                "pdl: %s%zu of %zu URLs repeat an earlier one; each is "
                "downloaded (sort -u drops them)\n",
                a->distinct >= DUP_TRACK ? "at least " : "", a->repeats,
                st->tasks);
    if (!a->cli->quiet) {
        pdl_summary_print(stderr, st, a->info.mode, all,
                          a->runner->total_workers ? 0 : a->cli->opt.workers);
        say_prediction(a, st, all);
        if (a->tl[0].path && !a->out_failed)
            fprintf(stderr, "pdl: timeline: %s\n", a->tl[0].path);
    }
    if (a->cli->chart)
        draw_charts(a);
    if (!a->out_failed)
        pdl_done_forget_partials(a->done);
}

static int exit_code(const struct app *a, const struct pdl_stats *st, int sig,
                     int rc)
{
    if (sig)
        return 128 + sig;
    if (rc != PDL_OK || a->out_failed || st->failed > 0 ||
        pdl_sched_bad(a->run.sched) > 0)
        return PDL_EXIT_FAILED;
    return PDL_EXIT_OK;
}

/* Opens the lists, outputs and shared state; runs; writes. Returns the
 * exit code. */
static int run_app(struct app *a, int dirfd)
{
    const struct pdl_cli *cli = a->cli;
    struct pdl_stats st;
    int rc, sig;

    a->run.opt = &cli->opt;
    a->run.out_dirfd = dirfd;
    a->run.info = &a->info;
    rc = check_outputs(cli);
    if (rc == 0)
        sweep_debris(cli, dirfd);
    if (rc == 0 && !cli->opt.discard) {
        a->namer = pdl_namer_create();
        reserve_outputs(a, dirfd);
    }
    if (rc == 0)
        rc = load_done(a);
    if (rc != 0)
        return rc;
    a->run.shared = pdl_shared_create();
    if (!a->run.shared) {
        fprintf(stderr, "pdl: cannot map shared memory: %s\n", strerror(errno));
        return PDL_EXIT_USAGE;
    }
    rc = open_lists(a);
    if (rc == 0)
        rc = check_fd_room(a);
    if (rc != 0)
        return rc;
    pdl_gate_init(&a->run.shared->gate, cli->opt.rate, cli->opt.per_host,
                  cli->opt.per_host_loopback);
    pdl_run_info_init(&a->info, cli->opt.mode, a->run.workers);
    a->info.workers_asked = cli->opt.workers;
    pdl_run_info_set_lists(&a->info, (const char *const *)cli->lists,
                           (size_t)cli->nlists);
    a->info.longest_first = cli->opt.order == PDL_ORDER_LONGEST_FIRST;
    if (a->runner == &pdl_runner_async)
        a->info.loops = pdl_async_loops(&cli->opt, a->run.workers);
    a->run.no_details = !pdl_cli_reads_details(cli);
    a->acc = pdl_stats_acc_create();
    a->urls = pdl_namer_create();
    rc = open_timelines(a);
    if (rc == 0)
        rc = open_failed(a);
    if (rc != 0)
        return rc;
    a->run.results = pdl_results_create(&a->run.shared->counters);
    pdl_results_add(a->run.results, &(struct pdl_consumer){take, flush, a});
    a->started = true;
    sig = run_mode(a, &rc);
    finish(a, &st);
    return exit_code(a, &st, sig, rc);
}

static void app_cleanup(struct app *a)
{
    for (int i = 0; i < 2; i++) {
        if (a->tl[i].w)
            pdl_timeline_writer_end(a->tl[i].w, &a->info,
                                    &(struct pdl_stats){0});
        if (a->tl[i].open)
            pdl_output_close(&a->tl[i].out, false, NULL);
    }
    if (a->private_tl[0])
        unlink(a->private_tl);
    if (a->failed)
        pdl_failed_end(a->failed);
    pdl_output_close(&a->failed_out, false, NULL);
    pdl_results_destroy(a->run.results);
    pdl_stats_acc_destroy(a->acc);
    pdl_sched_destroy(a->run.sched);
    pdl_shared_destroy(a->run.shared);
    pdl_done_destroy(a->done);
    pdl_namer_destroy(a->namer);
    pdl_namer_destroy(a->urls);
}

/* The output folder (unless discarding), then the run. A run refused
 * before it began (a list that cannot be read, too few descriptors)
 * leaves no folder of its own making behind. */
static int run_command(const struct pdl_cli *cli,
                       const struct pdl_runner *runner, void *mode_ctx)
{
    struct app a = {.cli = cli, .runner = runner, .mode_ctx = mode_ctx};
    char err[256], *made = NULL;
    int dirfd = -1, rc;

    if (!cli->opt.discard) {
        dirfd = pdl_outdir_create(cli->opt.outdir, &made, err, sizeof(err));
        if (dirfd < 0) {
            fprintf(stderr, "pdl: %s: %s\n", cli->opt.outdir, err);
            return PDL_EXIT_USAGE;
        }
    }
    rc = run_app(&a, dirfd);
    app_cleanup(&a);
    if (dirfd >= 0)
        close(dirfd);
    if (!a.started)
        pdl_outdir_unmake(cli->opt.outdir, made);
    free(made);
    return rc;
}

int pdl_cmd_run(int argc, char **argv)
{
    return pdl_cmd_run_as(argc, argv, NULL);
}

int pdl_cmd_run_as(int argc, char **argv, const struct pdl_runner *mpi)
{
    struct pdl_cli cli;
    const struct pdl_runner *runner;
    void *mode_ctx = NULL;
    int rc = pdl_cli_parse(argc, argv, &cli);

    if (rc >= 0) {
        pdl_cli_cleanup(&cli);
        return rc;
    }
    runner = pdl_runner_find(cli.opt.mode);
    if (mpi && runner == &pdl_runner_mpi)
        runner = mpi;
    /* Before any thread (the table's growth waits for none then). */
    pdl_fdlimit_raise(fds_needed(runner, cli.opt.workers));
    if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
        fputs("pdl: libcurl could not be initialised\n", stderr);
        pdl_cli_cleanup(&cli);
        return PDL_EXIT_USAGE;
    }
    rc = runner->setup ? runner->setup(&argc, &argv, &cli.opt, &mode_ctx) : -1;
    if (rc < 0)
        rc = run_command(&cli, runner, mode_ctx);
    if (runner->teardown)
        runner->teardown(mode_ctx);
    curl_global_cleanup();
    pdl_cli_cleanup(&cli);
    return rc;
}
