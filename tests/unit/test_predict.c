/* Unit tests for the what-if simulation: synthetic timelines whose answers
 * are known by hand (equal tasks, one long task, static slices and chunks,
 * longest first, the per-host cap and the rate, connection set-up per
 * worker and pooled, rows to leave out, the summary's clause). */
#include "pdl/predict.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define LOOP "http://127.0.0.1:8080/x"
#define FAR "http://far.example/x"

/* One recorded row, in milliseconds. */
struct row {
    size_t id;
    int worker;
    double start, end;
    double connect; /* connection set up by then; 0 = reused */
    enum pdl_status status;
    const char *url;
    double attempt; /* the last attempt's start; 0 = start */
};

static struct pdl_timeline make(const struct row *rows, size_t n,
                                const char *mode)
{
    struct pdl_timeline tl;

    memset(&tl, 0, sizeof(tl));
    snprintf(tl.info.mode, sizeof(tl.info.mode), "%s", mode);
    tl.info.workers = 1;
    for (size_t i = 0; i < n; i++) {
        struct pdl_result r = {0};
        r.start_ns = (int64_t)(rows[i].start * 1e6);
        r.end_ns = (int64_t)(rows[i].end * 1e6);
        r.attempt_ns =
            rows[i].attempt > 0 ? (int64_t)(rows[i].attempt * 1e6) : r.start_ns;
        r.connect_us = (int64_t)(rows[i].connect * 1e3);
        r.worker = rows[i].worker;
        r.attempts = rows[i].status == PDL_ST_PENDING ? 0 : 1;
        r.status = rows[i].status ? (int32_t)rows[i].status : PDL_ST_OK;
        pdl_timeline_add(&tl, rows[i].id, &r, rows[i].url ? rows[i].url : LOOP);
        if ((unsigned)rows[i].worker + 1 > tl.info.workers)
            tl.info.workers = (unsigned)rows[i].worker + 1;
    }
    return tl;
}

static void unmake(struct pdl_timeline *tl)
{
    pdl_timeline_cleanup(tl);
}

/* Tasks of the given durations (ms), each on its own worker from 0. */
static struct pdl_timeline side_by_side(const double *ms, size_t n)
{
    struct row rows[64];

    for (size_t i = 0; i < n; i++)
        rows[i] = (struct row){i, (int)i, 0, ms[i], 0, PDL_ST_OK, NULL, 0};
    return make(rows, n, "threads");
}

static struct pdl_predict_result predict(const struct pdl_timeline *tl,
                                         const struct pdl_predict_config *c)
{
    struct pdl_predict_result r;

    ck_assert_int_eq(pdl_predict_makespan(tl, c, &r), PDL_OK);
    return r;
}

#define EPS 1e-9

START_TEST(equal_tasks_two_workers)
{
    const double ms[] = {100, 100, 100, 100};
    struct pdl_timeline tl = side_by_side(ms, 4);
    struct pdl_predict_config c;
    struct pdl_predict_result r;

    pdl_predict_config_init(&c, 2);
    r = predict(&tl, &c);
    ck_assert_double_eq_tol(r.makespan, 0.2, EPS);
    ck_assert_double_eq_tol(r.bound, 0.2, EPS);
    ck_assert_double_eq_tol(r.efficiency, 1, EPS);
    ck_assert_double_eq_tol(r.speedup, 2, EPS);
    ck_assert_uint_eq(r.in_flight, 2);
    c.workers = 1;
    ck_assert_double_eq_tol(predict(&tl, &c).makespan, 0.4, EPS);
    c.workers = 16; /* no more workers than tasks */
    r = predict(&tl, &c);
    ck_assert_uint_eq(r.workers, 4);
    ck_assert_double_eq_tol(r.makespan, 0.1, EPS);
    unmake(&tl);
}
END_TEST

START_TEST(one_long_task)
{
    const double ms[] = {1000, 100, 100, 100};
    struct pdl_timeline tl = side_by_side(ms, 4);
    struct pdl_predict_config c;
    struct pdl_predict_result r;

    pdl_predict_config_init(&c, 4);
    r = predict(&tl, &c);
    ck_assert_double_eq_tol(r.makespan, 1.0, EPS);
    ck_assert_double_eq_tol(r.bound, 1.0, EPS);
    c.workers = 2; /* the long one on worker 0, the rest on worker 1 */
    ck_assert_double_eq_tol(predict(&tl, &c).makespan, 1.0, EPS);
    unmake(&tl);
}
END_TEST

START_TEST(static_slices_and_dynamic)
{
    const double ms[] = {300, 100, 100, 100, 100, 100};
    struct pdl_timeline tl = side_by_side(ms, 6);
    struct pdl_predict_model *m = pdl_predict_model_create(&tl);
    struct pdl_predict_slot slots[6];
    struct pdl_predict_config c;
    struct pdl_predict_result r;

    pdl_predict_config_init(&c, 2);
    c.schedule = PDL_SCHED_STATIC; /* slices 0-2 (0.5 s) and 3-5 (0.3 s) */
    ck_assert_int_eq(pdl_predict_run(m, &c, &r, slots), PDL_OK);
    ck_assert_double_eq_tol(r.makespan, 0.5, EPS);
    for (size_t i = 0; i < 6; i++)
        ck_assert_uint_eq(slots[i].worker, slots[i].id < 3 ? 0 : 1);
    c.schedule = PDL_SCHED_DYNAMIC; /* 0 on w0; 1, 2, 3 on w1; then 4, 5 */
    ck_assert_int_eq(pdl_predict_run(m, &c, &r, NULL), PDL_OK);
    ck_assert_double_eq_tol(r.makespan, 0.4, EPS);
    pdl_predict_model_destroy(m);
    unmake(&tl);
}
END_TEST

START_TEST(static_uneven_slices)
{
    const double ms[] = {100, 100, 100, 100, 100};
    struct pdl_timeline tl = side_by_side(ms, 5);
    struct pdl_predict_model *m = pdl_predict_model_create(&tl);
    struct pdl_predict_slot slots[5];
    struct pdl_predict_config c;
    struct pdl_predict_result r;

    /* As the scheduler cuts them: slice w starts at n * w / W. */
    pdl_predict_config_init(&c, 2);
    c.schedule = PDL_SCHED_STATIC;
    pdl_predict_run(m, &c, &r, slots);
    ck_assert_double_eq_tol(r.makespan, 0.3, EPS);
    for (size_t i = 0; i < 5; i++)
        ck_assert_uint_eq(slots[i].worker, slots[i].id < 2 ? 0 : 1);
    pdl_predict_model_destroy(m);
    unmake(&tl);
}
END_TEST

START_TEST(chunks_of_consecutive_tasks)
{
    const double ms[] = {100, 100, 100, 100, 100, 100, 100, 100};
    struct pdl_timeline tl = side_by_side(ms, 8);
    struct pdl_predict_model *m = pdl_predict_model_create(&tl);
    struct pdl_predict_slot slots[8];
    struct pdl_predict_config c;
    struct pdl_predict_result r;

    pdl_predict_config_init(&c, 2);
    c.chunk = 4;
    pdl_predict_run(m, &c, &r, slots);
    ck_assert_double_eq_tol(r.makespan, 0.4, EPS);
    for (size_t i = 0; i < 8; i++)
        ck_assert_uint_eq(slots[i].worker, slots[i].id / 4);
    c.chunk = 3; /* w0: 0-2, w1: 3-5, then w0 takes 6-7: 0.5 s */
    pdl_predict_run(m, &c, &r, NULL);
    ck_assert_double_eq_tol(r.makespan, 0.5, EPS);
    pdl_predict_model_destroy(m);
    unmake(&tl);
}
END_TEST

START_TEST(longest_first)
{
    const double ms[] = {100, 100, 100, 100, 400};
    struct pdl_timeline tl = side_by_side(ms, 5);
    struct pdl_predict_config c;

    pdl_predict_config_init(&c, 2);
    ck_assert_double_eq_tol(predict(&tl, &c).makespan, 0.6, EPS);
    c.order = PDL_PREDICT_LONGEST_FIRST;
    ck_assert_double_eq_tol(predict(&tl, &c).makespan, 0.4, EPS);
    unmake(&tl);
}
END_TEST

START_TEST(per_host_cap)
{
    struct row rows[4];
    struct pdl_timeline tl;
    struct pdl_predict_config c;
    struct pdl_predict_result r;

    for (size_t i = 0; i < 4; i++)
        rows[i] = (struct row){i, (int)i, 0, 100, 0, PDL_ST_OK, FAR, 0};
    tl = make(rows, 4, "threads");
    pdl_predict_config_init(&c, 4);
    c.per_host = 2; /* two at a time; the others start when one ends */
    r = predict(&tl, &c);
    ck_assert_double_eq_tol(r.makespan, 0.2, EPS);
    ck_assert_double_eq_tol(r.gate_waiting, 0.2, EPS);
    ck_assert_uint_eq(r.in_flight, 2);
    unmake(&tl);

    /* pdl's default cap spares loopback hosts; an explicit one does not. */
    for (size_t i = 0; i < 4; i++)
        rows[i].url = LOOP;
    tl = make(rows, 4, "threads");
    c.per_host = 1;
    ck_assert_double_eq_tol(predict(&tl, &c).makespan, 0.1, EPS);
    c.loopback_too = true;
    ck_assert_double_eq_tol(predict(&tl, &c).makespan, 0.4, EPS);
    unmake(&tl);
}
END_TEST

START_TEST(host_cap_polls)
{
    struct row rows[2];
    struct pdl_timeline tl;
    struct pdl_predict_config c;

    /* A refused start asks again every 5 ms, as the gate's workers do: the
     * second task waits for the first poll after 0.102 s. */
    for (size_t i = 0; i < 2; i++)
        rows[i] = (struct row){i, (int)i, 0, 102, 0, PDL_ST_OK, FAR, 0};
    tl = make(rows, 2, "threads");
    pdl_predict_config_init(&c, 2);
    c.per_host = 1;
    ck_assert_double_eq_tol(predict(&tl, &c).makespan, 0.105 + 0.102, EPS);
    unmake(&tl);
}
END_TEST

START_TEST(rate_spaces_starts)
{
    const double ms[] = {10, 10, 10, 10};
    struct pdl_timeline tl = side_by_side(ms, 4);
    struct pdl_predict_config c;

    pdl_predict_config_init(&c, 4);
    c.rate = 10; /* starts at 0, 0.1, 0.2 and 0.3 s */
    ck_assert_double_eq_tol(predict(&tl, &c).makespan, 0.31, EPS);
    unmake(&tl);
}
END_TEST

/* Four 110 ms tasks on one host, each recorded opening a connection in
 * 10 ms. */
static struct pdl_timeline four_connects(const char *mode)
{
    struct row rows[4];

    for (size_t i = 0; i < 4; i++)
        rows[i] = (struct row){i, (int)i, 0, 110, 10, PDL_ST_OK, FAR, 0};
    return make(rows, 4, mode);
}

START_TEST(setup_per_worker)
{
    struct pdl_timeline tl = four_connects("threads");
    struct pdl_predict_config c;
    struct pdl_predict_result r;

    pdl_predict_config_init(&c, 1); /* one set-up, then kept alive */
    r = predict(&tl, &c);
    ck_assert_double_eq_tol(r.makespan, 0.41, EPS);
    ck_assert_uint_eq(r.connections, 1);
    ck_assert_double_eq_tol(r.setup, 0.01, EPS);
    c.workers = 2; /* each worker sets up its own */
    r = predict(&tl, &c);
    ck_assert_double_eq_tol(r.makespan, 0.21, EPS);
    ck_assert_uint_eq(r.connections, 2);
    /* the bound: task time without set-up plus one set-up per host */
    ck_assert_double_eq_tol(r.bound, (0.4 + 0.01) / 2, EPS);
    unmake(&tl);
}
END_TEST

START_TEST(setup_pooled_async)
{
    struct pdl_timeline tl = four_connects("async");
    struct pdl_predict_config c;
    struct pdl_predict_result r;

    pdl_predict_config_init(&c, 2);
    r = predict(&tl, &c);
    ck_assert_uint_eq(r.connections, 2);
    ck_assert_double_eq_tol(r.makespan, 0.21, EPS);
    c.conns = PDL_PREDICT_CONNS_WORKER;
    ck_assert_uint_eq(predict(&tl, &c).connections, 2);
    unmake(&tl);
}
END_TEST

START_TEST(setup_median_per_host)
{
    /* near: set-ups of 10, 12 and 30 ms (median 12); far: 50 ms. */
    const struct row rows[] = {
        {0, 0, 0, 100, 10, PDL_ST_OK, "http://near.example/a", 0},
        {1, 1, 0, 100, 12, PDL_ST_OK, "http://near.example/b", 0},
        {2, 2, 0, 100, 30, PDL_ST_OK, "http://NEAR.example/c", 0},
        {3, 3, 0, 150, 50, PDL_ST_OK, FAR, 0},
    };
    struct pdl_timeline tl = make(rows, 4, "threads");
    struct pdl_predict_model *m = pdl_predict_model_create(&tl);
    struct pdl_predict_facts f;
    struct pdl_predict_config c;
    struct pdl_predict_result r;

    pdl_predict_model_facts(m, &f);
    ck_assert_uint_eq(f.hosts, 2);
    ck_assert_uint_eq(f.setups, 4);
    ck_assert_double_eq_tol(f.setup, 0.021, EPS);
    /* One worker: 12 ms, then 90 + 88 + 70 ms; 50 ms, then 100 ms. */
    pdl_predict_config_init(&c, 1);
    pdl_predict_run(m, &c, &r, NULL);
    ck_assert_double_eq_tol(r.makespan, 0.41, EPS);
    ck_assert_double_eq_tol(r.setup, 0.062, EPS);
    pdl_predict_model_destroy(m);
    unmake(&tl);
}
END_TEST

START_TEST(worker_cache_of_hosts)
{
    /* One worker alternating two hosts keeps a connection to each. */
    struct row rows[4];
    struct pdl_timeline tl;
    struct pdl_predict_config c;

    for (size_t i = 0; i < 4; i++)
        rows[i] = (struct row){i,
                               0,
                               100.0 * i,
                               100.0 * i + 100,
                               i < 2 ? 10 : 0,
                               PDL_ST_OK,
                               i % 2 ? FAR : "http://near.example/",
                               0};
    tl = make(rows, 4, "threads");
    pdl_predict_config_init(&c, 1);
    ck_assert_uint_eq(predict(&tl, &c).connections, 2);
    ck_assert_double_eq_tol(predict(&tl, &c).makespan, 0.4, EPS);
    unmake(&tl);
}
END_TEST

START_TEST(rows_left_out_and_sorted)
{
    /* Completion order, a skipped and a not-run row, a failed task kept. */
    const struct row rows[] = {
        {3, 1, 0, 100, 0, PDL_ST_OK, NULL, 0},
        {0, 0, 0, 300, 0, PDL_ST_OK, NULL, 0},
        {1, 0, 0, 0, 0, PDL_ST_SKIPPED, NULL, 0},
        {2, 1, 100, 150, 0, PDL_ST_HTTP, NULL, 0},
        {4, 0, 0, 0, 0, PDL_ST_PENDING, NULL, 0},
    };
    struct pdl_timeline tl = make(rows, 5, "threads");
    struct pdl_predict_model *m = pdl_predict_model_create(&tl);
    struct pdl_predict_slot slots[3];
    struct pdl_predict_facts f;
    struct pdl_predict_config c;
    struct pdl_predict_result r;

    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(pdl_predict_model_tasks(m), 3);
    pdl_predict_model_facts(m, &f);
    ck_assert_uint_eq(f.first_id, 0);
    ck_assert_uint_eq(f.longest_id, 0);
    ck_assert_double_eq_tol(f.busy, 0.45, EPS);
    pdl_predict_config_init(&c, 1);
    pdl_predict_run(m, &c, &r, slots);
    ck_assert_double_eq_tol(r.makespan, 0.45, EPS);
    ck_assert_uint_eq(slots[0].id, 0);
    ck_assert_uint_eq(slots[1].id, 2);
    ck_assert_uint_eq(slots[2].id, 3);
    pdl_predict_model_destroy(m);
    unmake(&tl);
}
END_TEST

START_TEST(nothing_to_replay)
{
    const struct row rows[] = {{0, 0, 0, 0, 0, PDL_ST_PENDING, NULL, 0}};
    struct pdl_timeline tl = make(rows, 1, "threads");
    struct pdl_predict_config c;
    struct pdl_predict_result r;
    char buf[64] = "x";

    pdl_predict_config_init(&c, 1);
    ck_assert_ptr_null(pdl_predict_model_create(&tl));
    ck_assert_int_eq(pdl_predict_makespan(&tl, &c, &r), PDL_ERR_FORMAT);
    ck_assert_uint_eq(pdl_predict_sentence(&tl, 4, NULL, buf, sizeof(buf)), 0);
    ck_assert_str_eq(buf, "");
    unmake(&tl);
}
END_TEST

START_TEST(gap_and_offset_replayed)
{
    /* One worker, 10 ms between its tasks, the first at 5 ms: replayed as
     * it ran, the same makespan. */
    const struct row rows[] = {
        {0, 0, 5, 105, 0, PDL_ST_OK, NULL, 0},
        {1, 0, 115, 215, 0, PDL_ST_OK, NULL, 0},
        {2, 0, 225, 325, 0, PDL_ST_OK, NULL, 0},
    };
    struct pdl_timeline tl = make(rows, 3, "threads");
    struct pdl_predict_config c;

    pdl_predict_config_init(&c, 1);
    ck_assert_double_eq_tol(predict(&tl, &c).makespan, 0.325, EPS);
    unmake(&tl);
}
END_TEST

START_TEST(backoff_counts)
{
    /* A retried task: 200 ms of back-off and a first attempt, then a
     * connection set up again: all of it stays the task's time. */
    const struct row rows[] = {
        {0, 0, 0, 300, 210, PDL_ST_OK, FAR, 200},
        {1, 1, 0, 100, 0, PDL_ST_OK, FAR, 0},
    };
    struct pdl_timeline tl = make(rows, 2, "threads");
    struct pdl_predict_config c;

    pdl_predict_config_init(&c, 1);
    ck_assert_double_eq_tol(predict(&tl, &c).makespan, 0.4, EPS);
    unmake(&tl);
}
END_TEST

START_TEST(bad_config)
{
    const double ms[] = {100};
    struct pdl_timeline tl = side_by_side(ms, 1);
    struct pdl_predict_config c;
    struct pdl_predict_result r;

    pdl_predict_config_init(&c, 0);
    ck_assert_int_eq(pdl_predict_makespan(&tl, &c, &r), PDL_ERR_USAGE);
    c.workers = 1;
    c.rate = -1;
    ck_assert_int_eq(pdl_predict_makespan(&tl, &c, &r), PDL_ERR_USAGE);
    unmake(&tl);
}
END_TEST

START_TEST(sentence)
{
    const double ms[] = {100, 100, 100, 100, 100, 100, 100, 600};
    struct pdl_timeline tl = side_by_side(ms, 8);
    struct pdl_predict_hint hint = {false, "run.tsv"};
    char buf[256];
    size_t n = pdl_predict_sentence(&tl, 2, &hint, buf, sizeof(buf));

    /* 1.3 s of tasks on 2 workers: at best 650 ms; list order gives 0.9 s
     * (the 600 ms task starts at 0.3 s), longest first 0.7 s, 4 workers
     * 0.7 s. The advice names the option that does it. */
    ck_assert_uint_eq(n, strlen(buf));
    ck_assert_str_eq(buf, "with these tasks the best any 2 workers could do "
                          "is 650 ms; starting the 600 ms task first would "
                          "give 700 ms (--order longest-first "
                          "--durations-from run.tsv); 4 workers would give "
                          "about 700 ms");
    /* Cut short as snprintf does. */
    ck_assert_uint_eq(pdl_predict_sentence(&tl, 2, &hint, buf, 10), n);
    ck_assert_str_eq(buf, "with thes");
    /* A run already longest first: no such advice. */
    hint.longest_first = true;
    pdl_predict_sentence(&tl, 2, &hint, buf, sizeof(buf));
    ck_assert_str_eq(buf, "with these tasks the best any 2 workers could do "
                          "is 650 ms; 4 workers would give about 600 ms");
    unmake(&tl);
}
END_TEST

/* Longest first is advised only where it saves 5 % or more. */
START_TEST(sentence_no_useless_advice)
{
    const double ms[] = {100, 100, 100, 100, 100, 100, 100, 105};
    struct pdl_timeline tl = side_by_side(ms, 8);
    char buf[256];

    const double lf[] = {100, 100, 100, 100, 600};
    struct pdl_timeline tl2 = side_by_side(lf, 5);
    const struct pdl_predict_hint was_lf = {true, NULL};

    pdl_predict_sentence(&tl, 2, NULL, buf, sizeof(buf));
    ck_assert_msg(!strstr(buf, "first would give"), "%s", buf);
    ck_assert_msg(strstr(buf, "; 4 workers would give about 205 ms"), "%s",
                  buf);
    /* Without the file, the option is still named. */
    pdl_predict_sentence(&tl2, 2, NULL, buf, sizeof(buf));
    ck_assert_msg(strstr(buf, "(--order longest-first --durations-from "
                              "TIMELINE)"),
                  "%s", buf);
    /* Longest first on 2 workers already ends with the 600 ms task: 4
     * would give about the same. */
    pdl_predict_sentence(&tl2, 2, &was_lf, buf, sizeof(buf));
    ck_assert_str_eq(buf, "with these tasks the best any 2 workers could do "
                          "is 600 ms; 4 workers would give about the same "
                          "(600 ms)");
    unmake(&tl2);
    unmake(&tl);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("predict");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, equal_tasks_two_workers);
    tcase_add_test(tc, one_long_task);
    tcase_add_test(tc, static_slices_and_dynamic);
    tcase_add_test(tc, static_uneven_slices);
    tcase_add_test(tc, chunks_of_consecutive_tasks);
    tcase_add_test(tc, longest_first);
    tcase_add_test(tc, sentence_no_useless_advice);
    tcase_add_test(tc, per_host_cap);
    tcase_add_test(tc, host_cap_polls);
    tcase_add_test(tc, rate_spaces_starts);
    tcase_add_test(tc, setup_per_worker);
    tcase_add_test(tc, setup_pooled_async);
    tcase_add_test(tc, setup_median_per_host);
    tcase_add_test(tc, worker_cache_of_hosts);
    tcase_add_test(tc, rows_left_out_and_sorted);
    tcase_add_test(tc, nothing_to_replay);
    tcase_add_test(tc, gap_and_offset_replayed);
    tcase_add_test(tc, backoff_counts);
    tcase_add_test(tc, bad_config);
    tcase_add_test(tc, sentence);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
