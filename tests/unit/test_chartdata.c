/* The charts read a timeline through pdl_timeline_each, the one reader of
 * the format: what a scan finds, a later version's added columns read by
 * name, and errors that name the line. */
#include "pdl/chart.h"
#include "pdl/chartdata.h"
#include "pdl/stats.h"
#include "pdl/timeline.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MS 1000000LL

/* Three tasks on two workers, one failed, one never started. */
static const struct pdl_result rows[] = {
    {.start_ns = 0,
     .end_ns = 100 * MS,
     .ttfb_us = 50000,
     .bytes = 1000,
     .worker = 0,
     .http = 200,
     .attempts = 1,
     .status = PDL_ST_OK},
    {.start_ns = 10 * MS,
     .end_ns = 400 * MS,
     .bytes = 10,
     .worker = 1,
     .http = 500,
     .attempts = 1,
     .status = PDL_ST_HTTP,
     .error = "HTTP 500"},
    {.start_ns = 100 * MS,
     .end_ns = 150 * MS,
     .bytes = 500,
     .worker = 0,
     .http = 200,
     .attempts = 1,
     .status = PDL_ST_OK},
    {.status = PDL_ST_PENDING, .worker = -1},
};
static const char *const urls[] = {"http://h/a", "http://h/b", "http://h/c",
                                   "http://h/d"};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static char path[64];

static void setup(void)
{
    int fd;

    snprintf(path, sizeof(path), "/tmp/pdl-unit-chartdata.XXXXXX");
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
}

static void teardown(void)
{
    unlink(path);
}

static void write_sample(void)
{
    struct pdl_run_info info = {.mode = "threads",
                                .workers = 4,
                                .started = "2026-12-01T00:00:00Z",
                                .host = "box1",
                                .version = "0.1.0"};
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(pdl_timeline_write(f, &info, rows, urls, NROWS), PDL_OK);
    ck_assert_int_eq(fclose(f), 0);
}

static void write_text(const char *text)
{
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

/* Runs awk over the file in place (the sample rewritten as another
 * version would write it). */
static void rewrite(const char *prog)
{
    char cmd[1024];

    snprintf(cmd, sizeof(cmd),
             "awk -F'\\t' -v OFS='\\t' '%s' %s >%s.new && mv %s.new %s", prog,
             path, path, path, path);
    ck_assert_int_eq(system(cmd), 0);
}

static void check_sample(const struct pdl_chart_scan *sc)
{
    ck_assert_uint_eq(sc->rows, 4);
    ck_assert_uint_eq(sc->ran, 3);
    ck_assert_uint_eq(sc->failed, 2); /* the 500 and the one never run */
    ck_assert_uint_eq(sc->workers_ran, 2);
    ck_assert_uint_eq(sc->lanes_per_rank, 2);
    ck_assert_uint_eq(sc->ranks, 1);
    ck_assert_double_eq_tol(sc->max_end, 0.4, 1e-9);
    ck_assert_double_eq_tol(sc->busy, 0.1 + 0.39 + 0.05, 1e-9);
    ck_assert_double_eq_tol(sc->longest, 0.39, 1e-9);
    ck_assert_int_eq(sc->bytes, 1510);
    ck_assert_str_eq(sc->mode, "threads");
    ck_assert_str_eq(sc->host, "box1");
    ck_assert_uint_eq(sc->meta_workers, 4);
    ck_assert_double_eq_tol(pdl_chart_lower_bound(sc), 0.39, 1e-9);
}

START_TEST(test_scan)
{
    struct pdl_chart_scan sc;
    char err[256];

    write_sample();
    ck_assert_int_eq(pdl_chart_scan_file(path, &sc, err, sizeof(err)), PDL_OK);
    check_sample(&sc);
}
END_TEST

/* A later version: a new key, a new column in the middle, the version line
 * of a pdl not yet written. The same scan. */
START_TEST(test_later_version)
{
    struct pdl_chart_scan sc;
    char err[256];

    write_sample();
    rewrite("NR == 1 { print \"# pdl-timeline 9\"; next }"
            " NR == 2 { print $0 \" newkey=1\"; next }"
            " /^#/ { print; next }"
            " { $3 = $3 \"\\tnew\"; print }");
    ck_assert_int_eq(pdl_chart_scan_file(path, &sc, err, sizeof(err)), PDL_OK);
    check_sample(&sc);
}
END_TEST

/* Errors come from the one reader, with their line: a field the charts do
 * not use is checked all the same. */
START_TEST(test_errors)
{
    struct pdl_chart_scan sc;
    char err[256];

    write_sample();
    rewrite("NR == 5 { $5 = \"soon\" } { print }");
    ck_assert_int_eq(pdl_chart_scan_file(path, &sc, err, sizeof(err)),
                     PDL_ERR_FORMAT);
    ck_assert_str_eq(err, "line 5: bad time field");

    write_sample();
    rewrite("NR == 4 { print \"7\\t1\\tsoon\"; next } { print }");
    ck_assert_int_eq(pdl_chart_scan_file(path, &sc, err, sizeof(err)),
                     PDL_ERR_FORMAT);
    ck_assert_str_eq(err, "line 4: expected 24 tab-separated fields, found 3");

    write_text("http://h/a\nhttp://h/b\n");
    ck_assert_int_eq(pdl_chart_scan_file(path, &sc, err, sizeof(err)),
                     PDL_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err, "line 1: not a pdl timeline"));

    unlink(path);
    ck_assert_int_eq(pdl_chart_scan_file(path, &sc, err, sizeof(err)),
                     PDL_ERR_IO);
    ck_assert_str_eq(err, "No such file or directory");
    ck_assert_int_eq(pdl_chart_scan_file("/tmp", &sc, err, sizeof(err)),
                     PDL_ERR_IO);
    ck_assert_str_eq(err, "Is a directory");
}
END_TEST

/* The overview's bins: every task that ran is in them once. */
START_TEST(test_aggregate)
{
    struct pdl_chart_scan sc;
    char err[256], *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);

    write_sample();
    ck_assert_int_eq(pdl_chart_scan_file(path, &sc, err, sizeof(err)), PDL_OK);
    ck_assert_int_eq(pdl_chart_aggregate(path, &sc, out, err, sizeof(err)),
                     PDL_OK);
    fclose(out);
    ck_assert_ptr_nonnull(
        strstr(text, "OV_N = 4; OV_RAN = 3; OV_FAILED = 2; OV_META_W = 4;"));
    ck_assert_ptr_nonnull(strstr(text, "OV_XMAX = 0.4;"));
    ck_assert_ptr_nonnull(strstr(text, "$LAT << EOD\n"));
    free(text);
}
END_TEST

/* The chart functions return codes of the one error table. */
START_TEST(test_chart_codes)
{
    struct pdl_chart *ch;
    char err[512];

    ck_assert_int_eq(pdl_chart_out_ok("x.gif", err, sizeof(err)),
                     PDL_ERR_USAGE);
    ck_assert_int_eq(pdl_chart_out_ok("/nonexistent/x.png", err, sizeof(err)),
                     PDL_ERR_IO);
    ck_assert_str_eq(err, "No such file or directory");
    ck_assert_int_eq(pdl_chart_create(&ch, path, "pie", err, sizeof(err)),
                     PDL_ERR_USAGE);
    write_sample();
    ck_assert_int_eq(pdl_chart_create(&ch, path, "gantt", err, sizeof(err)),
                     PDL_OK);
    ck_assert_int_eq(pdl_chart_draw(ch, "x.bmp", NULL, err, sizeof(err)),
                     PDL_ERR_USAGE);
    /* No scripts where they are looked for. */
    setenv("PDL_PLOTS_DIR", "/nonexistent", 1);
    ck_assert_int_eq(pdl_chart_draw(ch, "/tmp/x.png", NULL, err, sizeof(err)),
                     PDL_ERR_IO);
    ck_assert_str_eq(err, "/nonexistent/gantt.gp: No such file or directory");
    unsetenv("PDL_PLOTS_DIR");
    pdl_chart_destroy(ch);
}
END_TEST

/* Above the task view's limit the overview is drawn, and said so. */
START_TEST(test_cut_over)
{
    enum { N = PDL_CHART_TASKS_MAX + 1 };
    struct pdl_result *r = calloc(N, sizeof(*r));
    const char **u = calloc(N, sizeof(*u));
    struct pdl_run_info info = {.mode = "threads", .workers = 1};
    char out[80], *text = NULL;
    const char *outs[1] = {out};
    size_t len = 0;
    FILE *f = fopen(path, "w"), *report = open_memstream(&text, &len);

    for (int i = 0; i < N; i++) {
        r[i] = rows[0];
        r[i].start_ns = i * MS;
        r[i].end_ns = (i + 1) * MS;
        u[i] = "http://h/a";
    }
    ck_assert_int_eq(pdl_timeline_write(f, &info, r, u, N), PDL_OK);
    fclose(f);
    snprintf(out, sizeof(out), "%s.svg", path);
    /* Drawn or not (gnuplot may be absent), the cut-over is said first. */
    pdl_chart_render_all(path, outs, 1, "gantt", report, false);
    fclose(report);
    ck_assert_ptr_nonnull(
        strstr(text, "pdl: chart: 2001 tasks, drawn as an overview over time "
                     "(the task view draws up to 2000)\n"));
    unlink(out);
    /* What a failed drawing leaves to draw it later. */
    snprintf(out, sizeof(out), "%s.svg.gp", path);
    unlink(out);
    snprintf(out, sizeof(out), "%s.svg.data.gp", path);
    unlink(out);
    free(text);
    free(u);
    free(r);
}
END_TEST

static Suite *chartdata_suite(void)
{
    Suite *s = suite_create("chartdata");
    TCase *tc = tcase_create("read");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_scan);
    tcase_add_test(tc, test_later_version);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_aggregate);
    tcase_add_test(tc, test_chart_codes);
    tcase_add_test(tc, test_cut_over);
    tcase_set_timeout(tc, 30); /* gnuplot draws the overview */
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(chartdata_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
