/* Unit tests for the streaming core: the reader (marks, clones, counting a
 * huge pattern without expanding it), the scheduler (dynamic and static
 * rules, chunks, give-back, drain, every task exactly once across threads,
 * names in list order, longest first by recorded durations), the gate and the
 * latency histogram. */
#include "pdl/gate.h"
#include "pdl/hist.h"
#include "pdl/reader.h"
#include "pdl/sched.h"
#include "pdl/tasklist.h"
#include "pdl/durations.h"
#include "pdl/timeline.h"

#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A list file with text; its path in path (freed by the caller). */
static char *write_list(const char *text)
{
    char *path = strdup("/tmp/pdl-unit-sched-XXXXXX");
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");

    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* A list of n URLs http://h/0 .. http://h/(n-1), one a line. */
static char *write_numbered(size_t n)
{
    size_t cap = n * 24 + 1, k = 0;
    char *text = malloc(cap), *path;

    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(text + k, cap - k, "http://h/%zu\n", i);
    path = write_list(text);
    free(text);
    return path;
}

static struct pdl_sched *sched_on(const char *path, enum pdl_schedule rule,
                                  unsigned chunk, unsigned workers,
                                  struct pdl_namer *namer)
{
    const char *paths[] = {path};
    struct pdl_reader *r = pdl_reader_create(paths, 1, true, NULL);
    struct pdl_sched_config cfg = {rule, chunk, workers, namer != NULL, NULL};
    char err[256];
    struct pdl_sched *s;

    ck_assert_ptr_nonnull(r);
    s = pdl_sched_create(r, &cfg, namer, err, sizeof(err));
    ck_assert_msg(s != NULL, "sched: %s", err);
    return s;
}

/* Takes in turn for each worker until none has a task; owner[id] =
 * worker + 1. */
static void take_round_robin(struct pdl_sched *s, unsigned workers,
                             unsigned *owner, size_t n)
{
    struct pdl_task t = {0};
    bool any = true;

    while (any) {
        any = false;
        for (unsigned w = 0; w < workers; w++) {
            if (!pdl_sched_take(s, w, &t))
                continue;
            ck_assert_uint_lt(t.id, n);
            ck_assert_uint_eq(owner[t.id], 0);
            owner[t.id] = w + 1;
            pdl_task_clear(&t);
            any = true;
        }
    }
}

START_TEST(test_static_slices)
{
    /* 10 tasks over 3 workers: [0,3) [3,6) [6,10), whoever asks first. */
    char *path = write_numbered(10);
    struct pdl_sched *s = sched_on(path, PDL_SCHED_STATIC, 1, 3, NULL);
    static const unsigned want[10] = {1, 1, 1, 2, 2, 2, 3, 3, 3, 3};
    unsigned owner[10] = {0};

    ck_assert_uint_eq(pdl_sched_total(s), 10);
    take_round_robin(s, 3, owner, 10);
    for (size_t i = 0; i < 10; i++)
        ck_assert_uint_eq(owner[i], want[i]);
    pdl_sched_destroy(s);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(test_dynamic_chunks)
{
    /* Chunks of 4 from one queue: worker 1 takes 0-3, worker 2 4-7, ... */
    char *path = write_numbered(10);
    struct pdl_sched *s = sched_on(path, PDL_SCHED_DYNAMIC, 4, 2, NULL);
    static const unsigned want[10] = {1, 1, 1, 1, 2, 2, 2, 2, 1, 1};
    unsigned owner[10] = {0};

    ck_assert_uint_eq(pdl_sched_total(s), UINT64_MAX);
    take_round_robin(s, 2, owner, 10);
    for (size_t i = 0; i < 10; i++)
        ck_assert_uint_eq(owner[i], want[i]);
    pdl_sched_destroy(s);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(test_give_back_and_drain)
{
    char *path = write_numbered(6);
    struct pdl_sched *s = sched_on(path, PDL_SCHED_DYNAMIC, 1, 2, NULL);
    struct pdl_task t = {0};

    ck_assert_uint_eq(pdl_sched_prefetch(s, 3), 3);
    ck_assert(pdl_sched_take(s, 0, &t));
    ck_assert_uint_eq(t.id, 0);
    pdl_sched_give_back(s, 1, &t);
    ck_assert_ptr_null(t.url);
    ck_assert(pdl_sched_take(s, 1, &t));
    ck_assert_uint_eq(t.id, 0); /* the given-back task comes first */
    pdl_task_clear(&t);
    ck_assert(pdl_sched_take(s, 1, &t));
    ck_assert_uint_eq(t.id, 1);
    pdl_task_clear(&t);
    /* After a stop, the rest is drained in order, never read twice. */
    for (uint64_t want = 2; want < 6; want++) {
        ck_assert(pdl_sched_drain(s, &t));
        ck_assert_uint_eq(t.id, want);
        char url[32];
        snprintf(url, sizeof(url), "http://h/%u", (unsigned)want);
        ck_assert_str_eq(t.url, url);
        pdl_task_clear(&t);
    }
    ck_assert(!pdl_sched_drain(s, &t));
    ck_assert(!pdl_sched_unread(s));
    pdl_sched_destroy(s);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(test_prefetch_short_list)
{
    char *path = write_list("# two URLs\nhttp://a/1\n\nhttp://a/2\n");
    struct pdl_sched *s = sched_on(path, PDL_SCHED_DYNAMIC, 1, 8, NULL);

    ck_assert_uint_eq(pdl_sched_prefetch(s, 8), 2);
    pdl_sched_destroy(s);
    unlink(path);
    free(path);
}
END_TEST

/* Names in list order, the same whichever rule deals the tasks. */
static void names_of(enum pdl_schedule rule, char names[6][64])
{
    char *path = write_list("http://a/x/f.txt\nhttp://b/y/f.txt\n"
                            "http://c/f.txt\n  out=g.bin\nhttp://d/g.bin\n"
                            "http://e/f.1.txt\nhttp://f/f.txt\n");
    struct pdl_namer *namer = pdl_namer_create();
    struct pdl_sched *s = sched_on(path, rule, 1, 3, namer);
    struct pdl_task t = {0};

    for (unsigned round = 0; round < 6; round++)
        for (unsigned w = 0; w < 3; w++)
            if (pdl_sched_take(s, w, &t)) {
                ck_assert_uint_lt(t.id, 6);
                snprintf(names[t.id], 64, "%s", t.name);
                pdl_task_clear(&t);
            }
    pdl_sched_destroy(s);
    pdl_namer_destroy(namer);
    unlink(path);
    free(path);
}

START_TEST(test_names_in_list_order)
{
    static const char *want[6] = {"f.txt",   "f.1.txt",   "g.bin",
                                  "g.1.bin", "f.1.1.txt", "f.2.txt"};
    char dyn[6][64] = {{0}}, sta[6][64] = {{0}};

    names_of(PDL_SCHED_DYNAMIC, dyn);
    names_of(PDL_SCHED_STATIC, sta);
    for (int i = 0; i < 6; i++) {
        ck_assert_str_eq(dyn[i], want[i]);
        ck_assert_str_eq(sta[i], want[i]);
    }
}
END_TEST

START_TEST(test_huge_pattern_counted)
{
    /* 10^8 tasks from one line: counted and cut into slices without ever
     * being expanded, and the last slice starts where it should. */
    char *path = write_list("http://h/[1-100000000]\n");
    struct pdl_sched *s = sched_on(path, PDL_SCHED_STATIC, 1, 4, NULL);
    struct pdl_task t = {0};

    ck_assert_uint_eq(pdl_sched_total(s), 100000000);
    ck_assert(pdl_sched_take(s, 3, &t));
    ck_assert_uint_eq(t.id, 75000000);
    ck_assert_str_eq(t.url, "http://h/75000001");
    pdl_task_clear(&t);
    pdl_sched_destroy(s);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(test_reader_marks)
{
    /* A clone at a mark in the middle of a pattern goes on from there. */
    char *path = write_list("http://a/1\nhttp://b/[1-5]\nhttp://c/1\n");
    const char *paths[] = {path};
    struct pdl_reader *r = pdl_reader_create(paths, 1, true, NULL);
    struct pdl_task_ref t;
    struct pdl_reader_mark m;

    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(pdl_reader_next(r, &t), 1);
    ck_assert_str_eq(t.url, "http://b/2");
    pdl_reader_mark(r, &m);
    struct pdl_reader *c = pdl_reader_clone_at(r, &m);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(pdl_reader_next(c, &t), 1);
    ck_assert_uint_eq(t.id, 3);
    ck_assert_str_eq(t.url, "http://b/3");
    ck_assert_int_eq(t.line, 2);
    ck_assert_uint_eq(pdl_reader_count_all(r, NULL), 7);
    pdl_reader_destroy(c);
    pdl_reader_destroy(r);
    unlink(path);
    free(path);
}
END_TEST

#define DRAIN_TASKS 100000
#define DRAIN_THREADS 8

struct drainer {
    struct pdl_sched *s;
    unsigned w;
    unsigned char *seen;
    size_t n;
};

static void *drain_main(void *p)
{
    struct drainer *d = p;
    struct pdl_task t = {0};

    while (pdl_sched_take(d->s, d->w, &t)) {
        /* Each id is written by one thread only if it is handed out once. */
        d->seen[t.id]++;
        d->n++;
        pdl_task_clear(&t);
    }
    return NULL;
}

START_TEST(test_threads_drain)
{
    char *path = write_list("http://h/[0-99999]\n");
    struct pdl_sched *s =
        sched_on(path, PDL_SCHED_DYNAMIC, 3, DRAIN_THREADS, NULL);
    unsigned char *seen = calloc(DRAIN_TASKS, 1);
    pthread_t tid[DRAIN_THREADS];
    struct drainer d[DRAIN_THREADS];
    size_t total = 0;

    for (unsigned w = 0; w < DRAIN_THREADS; w++) {
        d[w] = (struct drainer){s, w, seen, 0};
        pthread_create(&tid[w], NULL, drain_main, &d[w]);
    }
    for (unsigned w = 0; w < DRAIN_THREADS; w++) {
        pthread_join(tid[w], NULL);
        total += d[w].n;
    }
    ck_assert_uint_eq(total, DRAIN_TASKS);
    for (size_t i = 0; i < DRAIN_TASKS; i++)
        ck_assert_uint_eq(seen[i], 1);
    free(seen);
    pdl_sched_destroy(s);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(test_gate_per_host)
{
    struct pdl_gate g;
    struct pdl_gate_pass a = {0}, b = {0}, c = {0};
    pdl_monotime now = 1000000000;

    pdl_gate_init(&g, 0, 2, false);
    ck_assert_int_eq(pdl_gate_admit(&g, 7, now, &a), 0);
    ck_assert_int_eq(pdl_gate_admit(&g, 7, now, &b), 0);
    /* The third waits, and is told when to look again. */
    ck_assert_int_eq(pdl_gate_admit(&g, 7, now, &c),
                     now + PDL_GATE_HOST_RECHECK_NS);
    /* Loopback (key 0) is not capped unless asked. */
    ck_assert_int_eq(pdl_gate_admit(&g, 0, now, &c), 0);
    pdl_gate_leave(&g, 7, NULL);
    ck_assert_int_eq(pdl_gate_admit(&g, 7, now, &c), 0);
    pdl_gate_leave(&g, 7, NULL);
    pdl_gate_leave(&g, 7, NULL);
    ck_assert_uint_eq(atomic_load(&g.host_busy[7]), 0);
}
END_TEST

/* A host's key only where a --per-host cap reads it: one host's the same
 * in any case, two hosts' apart, loopback's 0. */
START_TEST(test_gate_key)
{
    struct pdl_gate g;
    const char *a = "http://example.org/x", *b = "https://Example.ORG/y",
               *c = "http://example.net/x";

    pdl_gate_init(&g, 10, 0, false);
    ck_assert_uint_eq(pdl_gate_key(&g, a), 0);
    ck_assert_uint_eq(pdl_gate_key(&g, c), 0);
    pdl_gate_init(&g, 0, 2, false);
    ck_assert_uint_eq(pdl_gate_key(&g, a), pdl_url_host_key(a));
    ck_assert_uint_ne(pdl_gate_key(&g, a), 0);
    ck_assert_uint_eq(pdl_gate_key(&g, a), pdl_gate_key(&g, b));
    ck_assert_uint_ne(pdl_gate_key(&g, a), pdl_gate_key(&g, c));
    ck_assert_uint_eq(pdl_gate_key(&g, "http://127.0.0.1:8080/x"), 0);
}
END_TEST

START_TEST(test_gate_rate)
{
    struct pdl_gate g;
    struct pdl_gate_pass p[3] = {{0}};
    pdl_monotime now = 1000000000, at;

    pdl_gate_init(&g, 10, 0, false); /* 10/s: 100 ms apart */
    ck_assert_int_eq(pdl_gate_admit(&g, 1, now, &p[0]), 0);
    at = pdl_gate_admit(&g, 1, now, &p[1]);
    ck_assert_int_eq(at, now + 100000000);
    /* Asking again with the same pass keeps the same turn. */
    ck_assert_int_eq(pdl_gate_admit(&g, 1, now + 5, &p[1]), at);
    ck_assert_int_eq(pdl_gate_admit(&g, 1, now, &p[2]), now + 200000000);
    ck_assert_int_eq(pdl_gate_admit(&g, 1, at, &p[1]), 0);
}
END_TEST

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

START_TEST(test_hist_error_bound)
{
    /* Known data over six decades: every quantile within 0.4 % of the
     * exact nearest-rank value. */
    enum { N = 20000 };
    static int64_t v[N];
    static struct pdl_hist h;
    static const double qs[] = {0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0};
    uint64_t x = 88172645463325252u;

    pdl_hist_init(&h);
    for (int i = 0; i < N; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v[i] = (int64_t)pow(10, 6.0 * (double)(x % 1000000) / 1e6);
        pdl_hist_add(&h, v[i]);
    }
    qsort(v, N, sizeof(v[0]), cmp_i64);
    for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
        size_t rank = (size_t)ceil(qs[k] * N);
        double exact = (double)v[rank - 1], got = pdl_hist_quantile(&h, qs[k]);
        ck_assert_msg(fabs(got - exact) <= 0.004 * exact + 0.5,
                      "q=%g: %g vs exact %g", qs[k], got, exact);
    }
    ck_assert_double_eq(pdl_hist_quantile(&h, 1.0), (double)v[N - 1]);
}
END_TEST

/* A timeline of an earlier run where http://h/i took secs[i] (a negative
 * time: the URL is not in it); its path (freed by the caller). */
static char *write_durations(const double *secs, size_t n)
{
    char *path = strdup("/tmp/pdl-unit-sched-tl-XXXXXX");
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    struct pdl_result *r = calloc(n, sizeof(*r));
    char **urls = calloc(n, sizeof(*urls));
    struct pdl_run_info info;
    size_t k = 0;

    pdl_run_info_init(&info, "threads", 2);
    for (size_t i = 0; i < n; i++) {
        if (secs[i] < 0)
            continue;
        urls[k] = malloc(32);
        snprintf(urls[k], 32, "http://h/%zu", i);
        r[k].start_ns = 1000;
        r[k].end_ns = 1000 + (int64_t)(secs[i] * 1e9);
        r[k].attempt_ns = 1000;
        r[k].attempts = 1;
        r[k].status = PDL_ST_OK;
        k++;
    }
    ck_assert_int_eq(
        pdl_timeline_write(f, &info, r, (const char *const *)urls, k), PDL_OK);
    fclose(f);
    for (size_t i = 0; i < k; i++)
        free(urls[i]);
    free(urls);
    free(r);
    return path;
}

/* Longest first: the recorded times, longest first; a URL the timeline
 * lacks first of all, ties in list order. */
START_TEST(test_longest_first)
{
    const double secs[] = {0.1, 0.6, -1, 0.3, 0.6, 0.2};
    const uint64_t want[] = {2, 1, 4, 3, 5, 0};
    char *list = write_numbered(6), *tl = write_durations(secs, 6);
    const char *paths[] = {list};
    struct pdl_reader *r = pdl_reader_create(paths, 1, true, NULL);
    struct pdl_durations *d = NULL;
    char err[256];
    struct pdl_sched_config cfg = {PDL_SCHED_DYNAMIC, 1, 2, false, NULL};
    struct pdl_sched *s;
    struct pdl_task t;
    int64_t ns = 0;

    ck_assert_int_eq(pdl_durations_load(tl, &d, err, sizeof(err)), PDL_OK);
    ck_assert_uint_eq(pdl_durations_count(d), 5);
    ck_assert(pdl_durations_get(d, "http://h/3", &ns));
    ck_assert_int_eq(ns, 300000000);
    ck_assert(!pdl_durations_get(d, "http://h/2", &ns));
    cfg.durations = d;
    s = pdl_sched_create(r, &cfg, NULL, err, sizeof(err)); /* takes d */
    ck_assert_ptr_nonnull(s);
    /* Only as many workers as asked; the five recorded are held back. */
    ck_assert_uint_eq(pdl_sched_prefetch(s, 2), 2);
    for (size_t i = 0; i < 6; i++) {
        ck_assert(pdl_sched_take(s, (unsigned)(i % 2), &t));
        ck_assert_uint_eq(t.id, want[i]);
        pdl_task_clear(&t);
    }
    ck_assert(!pdl_sched_take(s, 0, &t));
    pdl_sched_destroy(s);
    unlink(list);
    unlink(tl);
    free(list);
    free(tl);
}
END_TEST

/* Longest first does not wait for the end of the lists: a URL the
 * durations lack is handed out while a pipe is still open, and only the
 * recorded ones wait (so memory follows the durations, not the lists). */
START_TEST(test_longest_first_streams)
{
    const double secs[] = {0.5, -1, 0.2};
    char *tl = write_durations(secs, 3), err[256];
    int fds[2];
    struct pdl_durations *d = NULL;
    struct pdl_sched_config cfg = {PDL_SCHED_DYNAMIC, 1, 1, false, NULL};
    struct pdl_task t;

    ck_assert_int_eq(pipe(fds), 0);
    FILE *in = fdopen(fds[0], "r"), *out = fdopen(fds[1], "w");
    ck_assert_int_eq(pdl_durations_load(tl, &d, err, sizeof(err)), PDL_OK);
    cfg.durations = d;
    struct pdl_reader *r = pdl_reader_from_stream(in, "-", false, NULL);
    struct pdl_sched *s = pdl_sched_create(r, &cfg, NULL, err, sizeof(err));
    ck_assert_ptr_nonnull(s);
    fputs("http://h/0\nhttp://h/1\n", out);
    fflush(out);
    /* h/0 is recorded: held back; h/1 is not: out at once, pipe open. */
    ck_assert(pdl_sched_take(s, 0, &t));
    ck_assert_str_eq(t.url, "http://h/1");
    pdl_task_clear(&t);
    fputs("http://h/2\n", out);
    fclose(out);
    /* At the end of the list, the held back, longest first. */
    ck_assert(pdl_sched_take(s, 0, &t));
    ck_assert_str_eq(t.url, "http://h/0");
    pdl_task_clear(&t);
    ck_assert(pdl_sched_take(s, 0, &t));
    ck_assert_str_eq(t.url, "http://h/2");
    pdl_task_clear(&t);
    ck_assert(!pdl_sched_take(s, 0, &t));
    pdl_sched_destroy(s);
    fclose(in);
    unlink(tl);
    free(tl);
}
END_TEST

/* A URL run twice keeps its longer time; a row that never started (pending,
 * attempts 0) says nothing. */
START_TEST(test_durations_repeats)
{
    char *path = strdup("/tmp/pdl-unit-sched-tl-XXXXXX");
    FILE *f = fdopen(mkstemp(path), "w");
    struct pdl_result r[3] = {
        {.end_ns = 200000000, .attempts = 1, .status = PDL_ST_OK},
        {.end_ns = 500000000, .attempts = 2, .status = PDL_ST_HTTP},
        {.status = PDL_ST_PENDING}};
    const char *urls[] = {"http://h/a", "http://h/a", "http://h/b"};
    struct pdl_run_info info;
    struct pdl_durations *d = NULL;
    char err[256];
    int64_t ns = 0;

    pdl_run_info_init(&info, "threads", 1);
    ck_assert_int_eq(pdl_timeline_write(f, &info, r, urls, 3), PDL_OK);
    fclose(f);
    ck_assert_int_eq(pdl_durations_load(path, &d, err, sizeof(err)), PDL_OK);
    ck_assert_uint_eq(pdl_durations_count(d), 1);
    ck_assert(pdl_durations_get(d, "http://h/a", &ns));
    ck_assert_int_eq(ns, 500000000);
    ck_assert(!pdl_durations_get(d, "http://h/b", &ns));
    pdl_durations_destroy(d);
    unlink(path);
    free(path);
}
END_TEST

/* A file that is not a timeline, or none, is refused with the reason. */
START_TEST(test_durations_bad)
{
    char *list = write_numbered(2);
    struct pdl_durations *d = NULL;
    char err[256] = "";

    ck_assert_int_eq(pdl_durations_load(list, &d, err, sizeof(err)),
                     PDL_ERR_FORMAT);
    ck_assert_ptr_null(d);
    ck_assert_msg(strstr(err, "line 1") != NULL, "%s", err);
    ck_assert_int_eq(
        pdl_durations_load("/nonexistent/x.tsv", &d, err, sizeof(err)),
        PDL_ERR_IO);
    ck_assert_str_eq(err, "No such file or directory");
    unlink(list);
    free(list);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sched");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_static_slices);
    tcase_add_test(tc, test_dynamic_chunks);
    tcase_add_test(tc, test_give_back_and_drain);
    tcase_add_test(tc, test_prefetch_short_list);
    tcase_add_test(tc, test_names_in_list_order);
    tcase_add_test(tc, test_huge_pattern_counted);
    tcase_add_test(tc, test_reader_marks);
    tcase_add_test(tc, test_threads_drain);
    tcase_add_test(tc, test_gate_per_host);
    tcase_add_test(tc, test_gate_key);
    tcase_add_test(tc, test_gate_rate);
    tcase_add_test(tc, test_hist_error_bound);
    tcase_add_test(tc, test_longest_first);
    tcase_add_test(tc, test_longest_first_streams);
    tcase_add_test(tc, test_durations_bad);
    tcase_add_test(tc, test_durations_repeats);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
