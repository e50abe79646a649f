/* Integration: every mode's runner, wired as src/main.c wires a run (list
 * file, reader, scheduler, shared state and gate, results stream), against
 * pdl-testd in this process; the assertions read the records the stream
 * hands its consumer. */
#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "harness.h"
#include "pdl/gate.h"
#include "pdl/reader.h"
#include "pdl/results.h"
#include "pdl/runner.h"
#include "pdl/sched.h"
#include "pdl/timeline.h"

#define MAX_TASKS 64

static const char *const modes[] = {"serial", "threads", "processes", "async"};
#define NMODES (sizeof modes / sizeof modes[0])

/* What a run left: one record per settled task, in the order they
 * settled. The consumer is called under the stream's lock, one at a time. */
struct collected {
    size_t n;
    uint64_t id[MAX_TASKS];
    struct pdl_result r[MAX_TASKS];
};

static void collect(void *ctx, const struct pdl_task *t,
                    const struct pdl_result *r)
{
    struct collected *c = ctx;

    ck_assert_uint_lt(c->n, MAX_TASKS);
    c->id[c->n] = t->id;
    c->r[c->n] = *r;
    c->n++;
}

/* A stop flag set after a delay, as SIGINT would set it. */
struct stopper {
    atomic_int *stop;
    long after_ms;
};

static void *stop_later(void *arg)
{
    const struct stopper *s = arg;
    struct timespec ts = {s->after_ms / 1000, (s->after_ms % 1000) * 1000000};

    nanosleep(&ts, NULL);
    atomic_store(s->stop, 1);
    return NULL;
}

/* What a display would have read of a run's live counters: a thread
 * takes snapshots while the mode runs; the counters as the run left
 * them. */
struct watch {
    const struct pdl_counters *c;
    atomic_int done;
    unsigned max_sized; /* most sized transfers seen in flight at once */
    bool partial;       /* a snapshot with a sized body part way */
    struct pdl_counters_snapshot after;
};

static void *watch_loop(void *arg)
{
    struct watch *w = arg;
    const struct timespec step = {0, 1000 * 1000};
    struct pdl_counters_snapshot cs;

    while (!atomic_load(&w->done)) {
        pdl_counters_snapshot(w->c, &cs);
        if (cs.live_sized > w->max_sized)
            w->max_sized = cs.live_sized;
        if (cs.live_sized && cs.live_got > 0 && cs.live_got < cs.live_size)
            w->partial = true;
        nanosleep(&step, NULL);
    }
    return NULL;
}

static int run_paths_watched(const char *mode, struct pdl_options *opt,
                             const char *const *paths, size_t n, long stop_ms,
                             struct collected *out, struct watch *watch);

/* Runs the paths through mode with opt, as src/main.c does, into *out;
 * stop_ms > 0 sets the stop flag that long after the start. Returns the
 * runner's code. */
static int run_paths(const char *mode, struct pdl_options *opt,
                     const char *const *paths, size_t n, long stop_ms,
                     struct collected *out)
{
    return run_paths_watched(mode, opt, paths, n, stop_ms, out, NULL);
}

/* run_paths with the live counters on (as for a display) and watched
 * into *watch, when watch is not NULL. */
static int run_paths_watched(const char *mode, struct pdl_options *opt,
                             const char *const *paths, size_t n, long stop_ms,
                             struct collected *out, struct watch *watch)
{
    pthread_t watcher;
    const struct pdl_runner *runner = pdl_runner_find(mode);
    struct pdl_sched_config cfg;
    struct pdl_run_info info;
    struct pdl_run run = {.opt = opt, .out_dirfd = -1};
    struct pdl_namer *namer = NULL;
    struct pdl_reader *r;
    struct stopper stopper;
    pthread_t th;
    struct pdl_task t = {0};
    char list[512];
    char err[256] = "";
    void *ctx = NULL;
    int rc;

    ck_assert_ptr_nonnull(runner);
    opt->mode = mode;
    /* As the command line does: serial has one worker, whatever -w says. */
    if (strcmp(mode, "serial") == 0)
        opt->workers = 1;
    cfg = (struct pdl_sched_config){.schedule = opt->schedule,
                                    .chunk = opt->chunk,
                                    .workers = opt->workers,
                                    .names = !opt->discard};
    memset(out, 0, sizeof *out);
    it_write_list("list.txt", paths, n, list, sizeof list);
    run.shared = pdl_shared_create();
    ck_assert_ptr_nonnull(run.shared);
    r = pdl_reader_create((const char *const[]){list}, 1, false, stderr);
    ck_assert_ptr_nonnull(r);
    pdl_reader_stop_on(r, &run.shared->stop);
    if (!opt->discard) {
        namer = pdl_namer_create();
        run.out_dirfd = open(it_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_ge(run.out_dirfd, 0);
    }
    run.sched = pdl_sched_create(r, &cfg, namer, err, sizeof err);
    ck_assert_msg(run.sched != NULL, "pdl_sched_create: %s", err);
    run.workers = (unsigned)pdl_sched_prefetch(run.sched, opt->workers);
    pdl_gate_init(&run.shared->gate, opt->rate, opt->per_host,
                  opt->per_host_loopback);
    pdl_run_info_init(&info, mode, run.workers);
    run.info = &info;
    run.results = pdl_results_create(&run.shared->counters);
    pdl_results_add(run.results,
                    &(struct pdl_consumer){.take = collect, .ctx = out});
    if (runner->setup) {
        int argc = 1;
        char *argv0[] = {"pdl", NULL};
        char **argv = argv0;

        ck_assert_int_eq(runner->setup(&argc, &argv, opt, &ctx), -1);
    }
    stopper = (struct stopper){&run.shared->stop, stop_ms};
    if (stop_ms > 0)
        ck_assert_int_eq(pthread_create(&th, NULL, stop_later, &stopper), 0);
    if (watch) {
        run.shared->counters.live = true;
        watch->c = &run.shared->counters;
        atomic_init(&watch->done, 0);
        ck_assert_int_eq(pthread_create(&watcher, NULL, watch_loop, watch), 0);
    }
    run.t0 = pdl_now();
    rc = runner->run(&run, ctx);
    if (stop_ms > 0)
        pthread_join(th, NULL);
    if (watch) {
        atomic_store(&watch->done, 1);
        pthread_join(watcher, NULL);
        pdl_counters_snapshot(&run.shared->counters, &watch->after);
    }
    /* What the mode never took is settled as not run, as main does. */
    while (pdl_sched_drain(run.sched, &t)) {
        pdl_run_settle(&run, &t,
                       &(struct pdl_result){.status = PDL_ST_PENDING});
        pdl_task_clear(&t);
    }
    if (runner->teardown)
        runner->teardown(ctx);
    pdl_results_destroy(run.results);
    pdl_sched_destroy(run.sched);
    pdl_shared_destroy(run.shared);
    pdl_namer_destroy(namer);
    if (run.out_dirfd >= 0)
        close(run.out_dirfd);
    return rc;
}

/* Defaults as pdl's, bodies discarded, w workers. */
static void options(struct pdl_options *opt, unsigned w)
{
    pdl_options_init(opt);
    opt->discard = true;
    opt->workers = w;
}

/* The record of task id, checking that there is exactly one. */
static const struct pdl_result *record(const struct collected *c, uint64_t id)
{
    const struct pdl_result *found = NULL;

    for (size_t i = 0; i < c->n; i++) {
        if (c->id[i] != id)
            continue;
        ck_assert_msg(found == NULL, "task %llu settled twice",
                      (unsigned long long)id);
        found = &c->r[i];
    }
    ck_assert_msg(found != NULL, "task %llu never settled",
                  (unsigned long long)id);
    return found;
}

/* Most tasks running at once, from the records' [start, end) intervals. */
static unsigned max_overlap(const struct collected *c)
{
    unsigned best = 0;

    for (size_t i = 0; i < c->n; i++) {
        unsigned at = 0;

        if (c->r[i].attempts == 0)
            continue;
        for (size_t j = 0; j < c->n; j++) {
            if (c->r[j].attempts > 0 && c->r[j].start_ns <= c->r[i].start_ns &&
                c->r[i].start_ns < c->r[j].end_ns)
                at++;
        }
        if (at > best)
            best = at;
    }
    return best;
}

static void assert_each_once(const struct collected *c, size_t n)
{
    ck_assert_uint_eq(c->n, n);
    for (size_t id = 0; id < n; id++)
        (void)record(c, id);
}

/* Every task exactly once, with the status and bytes its URL gives. */
START_TEST(test_statuses_and_bytes)
{
    static const char *const paths[] = {
        "/bytes/0",     "/bytes/1",    "/bytes/1000", "/bytes/70000",
        "/status/503",  "/status/404", "/delay/10",   "/redirect/2",
        "/bytes/65536", "/nowhere",
    };
    struct pdl_options opt;
    struct collected c;
    const struct pdl_result *r;

    options(&opt, 4);
    ck_assert_int_eq(run_paths(modes[_i], &opt, paths, 10, 0, &c), PDL_OK);
    assert_each_once(&c, 10);
    for (uint64_t id = 0; id < 10; id++) {
        r = record(&c, id);
        ck_assert_int_ge(r->attempts, 1);
        ck_assert_int_le(r->start_ns, r->end_ns);
        ck_assert_int_lt(r->worker, 4);
    }
    static const int64_t bytes[] = {0, 1, 1000, 70000};
    for (uint64_t id = 0; id < 4; id++) {
        r = record(&c, id);
        ck_assert_int_eq(r->status, PDL_ST_OK);
        ck_assert_int_eq(r->http, 200);
        ck_assert_int_eq(r->bytes, bytes[id]);
        ck_assert_str_eq(r->error, "");
    }
    r = record(&c, 4);
    ck_assert_int_eq(r->status, PDL_ST_HTTP);
    ck_assert_int_eq(r->http, 503);
    ck_assert_str_ne(r->error, "");
    r = record(&c, 5);
    ck_assert_int_eq(r->status, PDL_ST_HTTP);
    ck_assert_int_eq(r->http, 404);
    ck_assert_int_eq(record(&c, 6)->status, PDL_ST_OK);
    r = record(&c, 7);
    ck_assert_int_eq(r->status, PDL_ST_OK);
    ck_assert_int_eq(r->bytes, (int64_t)strlen("redirected\n"));
    ck_assert_int_eq(record(&c, 8)->bytes, 65536);
    ck_assert_int_eq(record(&c, 9)->http, 404);
}
END_TEST

/* With a display watching, every mode (processes through the shared
 * mapping) shows sized bodies in flight part way, several at once, and
 * leaves nothing in flight once the run ends; the byte counter holds every
 * body byte. Bodies of one read (/bytes/100) and error pages never count
 * in flight, and change nothing at the end. */
START_TEST(test_live_in_flight)
{
    static const char *const paths[] = {
        "/drip?bytes=300000&ms=20&chunk=30000&n=1",
        "/drip?bytes=300000&ms=20&chunk=30000&n=2",
        "/drip?bytes=300000&ms=20&chunk=30000&n=3",
        "/drip?bytes=300000&ms=20&chunk=30000&n=4",
        "/bytes/100",
        "/status/503",
        "/range/200000?ms=20&chunk=20000",
    };
    struct pdl_options opt;
    struct collected c;
    struct watch w = {0};
    int64_t sum = 0;

    options(&opt, 4);
    ck_assert_int_eq(run_paths_watched(modes[_i], &opt, paths, 7, 0, &c, &w),
                     PDL_OK);
    assert_each_once(&c, 7);
    for (size_t i = 0; i < c.n; i++)
        sum += c.r[i].bytes;
    ck_assert_msg(w.partial, "no sized body seen part way");
    ck_assert_uint_ge(w.max_sized, 1);
    if (strcmp(modes[_i], "serial") == 0)
        ck_assert_uint_eq(w.max_sized, 1);
    ck_assert_uint_eq(w.after.live_sized, 0);
    ck_assert_int_eq(w.after.live_got, 0);
    ck_assert_int_eq(w.after.live_size, 0);
    ck_assert_int_eq(w.after.bytes, sum);
    ck_assert_int_eq(record(&c, 4)->bytes, 100);
}
END_TEST

/* Bodies saved in the folder under their planned names. */
START_TEST(test_files_saved)
{
    static const char *const paths[] = {"/bytes/100", "/bytes/100",
                                        "/status/500"};
    struct pdl_options opt;
    struct collected c;
    char path[512];
    struct stat st;

    options(&opt, 2);
    opt.discard = false;
    ck_assert_int_eq(run_paths(modes[_i], &opt, paths, 3, 0, &c), PDL_OK);
    assert_each_once(&c, 3);
    snprintf(path, sizeof path, "%s/100", it_dir());
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_size, 100);
    snprintf(path, sizeof path, "%s/100.1", it_dir());
    ck_assert_int_eq(stat(path, &st), 0);
    snprintf(path, sizeof path, "%s/500", it_dir());
    ck_assert_int_ne(stat(path, &st), 0);
}
END_TEST

/* Serial never overlaps, even with -w 4 asked. */
START_TEST(test_serial_never_overlaps)
{
    static const char *const paths[] = {"/delay/50", "/delay/50", "/delay/50",
                                        "/delay/50", "/delay/50"};
    struct pdl_options opt;
    struct collected c;

    options(&opt, 4);
    ck_assert_int_eq(run_paths("serial", &opt, paths, 5, 0, &c), PDL_OK);
    assert_each_once(&c, 5);
    ck_assert_uint_eq(max_overlap(&c), 1);
    for (uint64_t id = 1; id < 5; id++)
        ck_assert_int_ge(record(&c, id)->start_ns, record(&c, id - 1)->end_ns);
}
END_TEST

/* W = 4 on /delay/200 tasks reaches 4 at once and never more. */
START_TEST(test_four_workers_overlap_four)
{
    static const char *const paths[] = {
        "/delay/200", "/delay/200", "/delay/200", "/delay/200",
        "/delay/200", "/delay/200", "/delay/200", "/delay/200",
    };
    struct pdl_options opt;
    struct collected c;

    options(&opt, 4);
    ck_assert_int_eq(run_paths(modes[1 + _i], &opt, paths, 8, 0, &c), PDL_OK);
    assert_each_once(&c, 8);
    ck_assert_uint_eq(max_overlap(&c), 4);
    for (size_t i = 0; i < c.n; i++)
        ck_assert_int_eq(c.r[i].status, PDL_ST_OK);
}
END_TEST

/* --per-host 2 caps the loopback host too when asked: 2 at once of W = 6. */
START_TEST(test_per_host)
{
    static const char *const paths[] = {
        "/delay/150", "/delay/150", "/delay/150", "/delay/150",
        "/delay/150", "/delay/150", "/delay/150", "/delay/150",
    };
    struct pdl_options opt;
    struct collected c;

    options(&opt, 6);
    opt.per_host = 2;
    opt.per_host_loopback = true;
    ck_assert_int_eq(run_paths(modes[1 + _i], &opt, paths, 8, 0, &c), PDL_OK);
    assert_each_once(&c, 8);
    ck_assert_uint_eq(max_overlap(&c), 2);
}
END_TEST

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a;
    int64_t y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* --rate 10/s paces the starts 100 ms apart across all workers. */
START_TEST(test_rate_paces_starts)
{
    static const char *const paths[] = {"/bytes/10", "/bytes/10", "/bytes/10",
                                        "/bytes/10", "/bytes/10", "/bytes/10"};
    struct pdl_options opt;
    struct collected c;
    int64_t starts[6];

    options(&opt, 4);
    opt.rate = 10;
    ck_assert_int_eq(run_paths(modes[1 + _i], &opt, paths, 6, 0, &c), PDL_OK);
    assert_each_once(&c, 6);
    for (size_t i = 0; i < 6; i++)
        starts[i] = c.r[i].start_ns;
    qsort(starts, 6, sizeof starts[0], cmp_i64);
    /* The gate spaces admissions exactly; the stamp after it may lag by
     * scheduling, so each gap is allowed a little less. */
    for (size_t i = 1; i < 6; i++)
        ck_assert_int_ge(starts[i] - starts[i - 1], 80 * 1000000LL);
    ck_assert_int_ge(starts[5] - starts[0], 480 * 1000000LL);
}
END_TEST

/* A stop mid-run: the running tasks end interrupted, the rest are settled
 * not run, none twice, and the run returns soon. */
START_TEST(test_stop_mid_run)
{
    static const char *const paths[] = {
        "/delay/2000", "/delay/2000", "/delay/2000", "/delay/2000",
        "/delay/2000", "/delay/2000", "/delay/2000", "/delay/2000",
    };
    struct pdl_options opt;
    struct collected c;
    size_t by[PDL_ST_COUNT] = {0};
    pdl_monotime t0 = pdl_now();

    options(&opt, 2);
    ck_assert_int_eq(run_paths(modes[_i], &opt, paths, 8, 400, &c), PDL_OK);
    assert_each_once(&c, 8);
    for (size_t i = 0; i < c.n; i++)
        by[c.r[i].status]++;
    ck_assert_uint_ge(by[PDL_ST_INTERRUPTED], 1);
    ck_assert_uint_ge(by[PDL_ST_PENDING], 1);
    ck_assert_uint_eq(by[PDL_ST_INTERRUPTED] + by[PDL_ST_PENDING], 8);
    for (size_t i = 0; i < c.n; i++) {
        if (c.r[i].status == PDL_ST_PENDING)
            ck_assert_int_eq(c.r[i].attempts, 0);
    }
    /* Well before even one /delay/2000 would have ended on its own. */
    ck_assert_int_lt(pdl_now() - t0, 1800 * 1000000LL);
}
END_TEST

/* The static schedule cuts the list into W contiguous slices in order:
 * worker k runs ids [3k, 3k + 3). */
START_TEST(test_static_slices)
{
    static const char *const paths[] = {
        "/bytes/1", "/bytes/2", "/bytes/3", "/bytes/4", "/bytes/5",
        "/bytes/6", "/bytes/7", "/bytes/8", "/bytes/9",
    };
    struct pdl_options opt;
    struct collected c;

    options(&opt, 3);
    opt.schedule = PDL_SCHED_STATIC;
    ck_assert_int_eq(run_paths(modes[_i], &opt, paths, 9, 0, &c), PDL_OK);
    assert_each_once(&c, 9);
    for (uint64_t id = 0; id < 9; id++) {
        const struct pdl_result *r = record(&c, id);

        ck_assert_int_eq(r->status, PDL_ST_OK);
        ck_assert_int_eq(r->bytes, (int64_t)id + 1);
        if (strcmp(modes[_i], "serial") != 0)
            ck_assert_int_eq(r->worker, (int)(id / 3));
    }
}
END_TEST

/* The CPUs this process may run on, as nproc counts them. */
static unsigned cpus(void)
{
    cpu_set_t set;

    ck_assert_int_eq(sched_getaffinity(0, sizeof(set), &set), 0);
    return (unsigned)CPU_COUNT(&set);
}

/* Async mode runs an event loop for every 16 workers, at most one per CPU,
 * and one when HTTP/2 streams must share a connection. */
START_TEST(test_async_loops)
{
    struct pdl_options opt;
    unsigned n = cpus();

    options(&opt, 64);
    ck_assert_uint_eq(pdl_async_loops(&opt, 1), 1);
    ck_assert_uint_eq(pdl_async_loops(&opt, 2), 1);
    ck_assert_uint_eq(pdl_async_loops(&opt, 16), 1);
    ck_assert_uint_eq(pdl_async_loops(&opt, 17), n < 2 ? n : 2);
    ck_assert_uint_eq(pdl_async_loops(&opt, 64), n < 4 ? n : 4);
    ck_assert_uint_eq(pdl_async_loops(&opt, 1024), n < 64 ? n : 64);
    opt.http = PDL_HTTP_2;
    ck_assert_uint_eq(pdl_async_loops(&opt, 64), 1);
    opt.http = PDL_HTTP_2_PRIOR;
    ck_assert_uint_eq(pdl_async_loops(&opt, 64), 1);
    opt.http = PDL_HTTP_1_1;
    ck_assert_uint_eq(pdl_async_loops(&opt, 64), n < 4 ? n : 4);
}
END_TEST

/* Spread over the loops (two, on two CPUs or more), the W = 20 slots are
 * still workers 0..19, each distinct, every one used, and the run reaches
 * 20 at once. */
START_TEST(test_async_slots_across_loops)
{
    enum { W = 20, N = 2 * W };
    const char *paths[N];
    struct pdl_options opt;
    struct collected c;
    unsigned per[W] = {0};

    for (size_t i = 0; i < N; i++)
        paths[i] = "/delay/200";
    options(&opt, W);
    ck_assert_int_eq(run_paths("async", &opt, paths, N, 0, &c), PDL_OK);
    assert_each_once(&c, N);
    ck_assert_uint_eq(max_overlap(&c), W);
    for (size_t i = 0; i < c.n; i++) {
        ck_assert_int_eq(c.r[i].status, PDL_ST_OK);
        ck_assert_int_ge(c.r[i].worker, 0);
        ck_assert_int_lt(c.r[i].worker, W);
        per[c.r[i].worker]++;
    }
    for (unsigned w = 0; w < W; w++)
        ck_assert_uint_eq(per[w], 2);
}
END_TEST

/* One test case per mode, so that CTest can run (and a sanitizer skip)
 * each mode on its own through CK_RUN_CASE. */
static TCase *mode_case(unsigned m)
{
    TCase *tc = tcase_create(modes[m]);

    tcase_add_checked_fixture(tc, it_setup, it_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_statuses_and_bytes, m, m + 1);
    tcase_add_loop_test(tc, test_files_saved, m, m + 1);
    tcase_add_loop_test(tc, test_stop_mid_run, m, m + 1);
    tcase_add_loop_test(tc, test_static_slices, m, m + 1);
    tcase_add_loop_test(tc, test_live_in_flight, m, m + 1);
    if (m == 0) {
        tcase_add_test(tc, test_serial_never_overlaps);
    } else {
        tcase_add_loop_test(tc, test_four_workers_overlap_four, m - 1, m);
        tcase_add_loop_test(tc, test_rate_paces_starts, m - 1, m);
        tcase_add_loop_test(tc, test_per_host, m - 1, m);
    }
    if (strcmp(modes[m], "async") == 0) {
        tcase_add_test(tc, test_async_loops);
        tcase_add_test(tc, test_async_slots_across_loops);
    }
    return tc;
}

int main(void)
{
    Suite *s = suite_create("runners");
    SRunner *sr;
    int failed;

    curl_global_init(CURL_GLOBAL_ALL);
    for (unsigned m = 0; m < NMODES; m++)
        suite_add_tcase(s, mode_case(m));
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    curl_global_cleanup();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
