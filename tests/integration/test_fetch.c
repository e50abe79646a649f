/* Integration: one task through the fetcher (pdl_fetch_begin, curl's
 * perform, pdl_fetch_end), as a blocking worker drives it, against
 * pdl-testd in this process: the body through the sink, HTTP failures,
 * retries, the size limit and the phase times. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "harness.h"
#include "pdl/counters.h"
#include "pdl/fetch.h"
#include "pdl/job.h"

#include "../../src/cli.h"

#define LINE "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n"

/* One fetcher saving into the test's folder, and the task it runs. */
struct fx {
    struct pdl_options opt;
    atomic_int stop;
    atomic_llong bytes;
    int dirfd;
    struct pdl_counters *live; /* NULL, or what a display would read */
    struct pdl_fetcher *f;
    char url[512];
    char name[64];
    struct pdl_task task;
};

static void fx_init(struct fx *x)
{
    memset(x, 0, sizeof *x);
    pdl_options_init(&x->opt);
    atomic_init(&x->stop, 0);
    atomic_init(&x->bytes, 0);
    x->dirfd = open(it_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ck_assert_int_ge(x->dirfd, 0);
}

/* Creates the fetcher, once the test has set its options; no_details as
 * pdl_fetch_config's. */
static void fx_start_details(struct fx *x, bool no_details)
{
    struct pdl_fetch_config cfg = {.opt = &x->opt,
                                   .out_dirfd = x->dirfd,
                                   .t0 = pdl_now(),
                                   .stop = &x->stop,
                                   .bytes = &x->bytes,
                                   .live = x->live,
                                   .no_details = no_details};

    x->f = pdl_fetcher_create(&cfg, 0);
    ck_assert_ptr_nonnull(x->f);
}

static void fx_start(struct fx *x)
{
    fx_start_details(x, false);
}

static void fx_cleanup(struct fx *x)
{
    pdl_fetcher_destroy(x->f);
    close(x->dirfd);
}

/* The first attempt at path, saved as name: its wait (-1 settled). */
static long fx_begin(struct fx *x, const char *path, const char *name,
                     struct pdl_result *out)
{
    CURL *c;

    it_url(x->url, sizeof x->url, path);
    snprintf(x->name, sizeof x->name, "%s", name);
    x->task = (struct pdl_task){
        .id = 0, .url = x->url, .name = x->name, .source = "test", .line = 1};
    c = pdl_fetch_begin(x->f, &x->task, out);
    ck_assert_ptr_nonnull(c);
    return pdl_fetch_end(x->f, pdl_fetch_perform(x->f, c), out);
}

/* One more attempt after a wait. */
static long fx_retry(struct fx *x, struct pdl_result *out)
{
    CURL *c = pdl_fetch_retry(x->f, out);

    ck_assert_ptr_nonnull(c);
    return pdl_fetch_end(x->f, pdl_fetch_perform(x->f, c), out);
}

/* Runs fx_begin on another thread, as a worker would, while the test
 * watches the live counters. */
struct watched {
    struct fx *x;
    const char *path;
    struct pdl_result r;
    long wait;
};

static void *watched_fetch(void *arg)
{
    struct watched *w = arg;

    w->wait = fx_begin(w->x, w->path, "live.bin", &w->r);
    return NULL;
}

/* A sized body that takes many reads (100 KB in 10 KB steps, 20 ms apart)
 * shows in the live counters while it runs: its size, and some but not all
 * of its bytes; once settled, nothing is left in flight. */
START_TEST(test_live_bytes_in_flight)
{
    struct pdl_counters live;
    struct pdl_counters_snapshot cs = {0};
    struct fx x;
    struct watched w = {.x = &x,
                        .path = "/drip?bytes=100000&ms=20&chunk=10000"};
    const struct timespec step = {0, 2 * 1000 * 1000};
    pthread_t th;
    bool seen = false;

    pdl_counters_init(&live);
    live.live = true;
    fx_init(&x);
    x.live = &live;
    fx_start(&x);
    ck_assert_int_eq(pthread_create(&th, NULL, watched_fetch, &w), 0);
    /* Bounded: the body takes about 200 ms; give up after 20 s. */
    for (int i = 0; i < 10000 && !seen; i++) {
        pdl_counters_snapshot(&live, &cs);
        seen = cs.live_sized == 1 && cs.live_got > 0 && cs.live_got < 100000;
        if (!seen)
            nanosleep(&step, NULL);
    }
    ck_assert_int_eq(pthread_join(th, NULL), 0);
    ck_assert_msg(seen, "no partial body seen in flight");
    ck_assert_int_eq(cs.live_size, 100000);
    ck_assert_int_eq(w.wait, -1);
    ck_assert_int_eq(w.r.status, PDL_ST_OK);
    ck_assert_int_eq(w.r.bytes, 100000);
    pdl_counters_snapshot(&live, &cs);
    ck_assert_uint_eq(cs.live_sized, 0);
    ck_assert_int_eq(atomic_load(&live.live_got), 0);
    ck_assert_int_eq(atomic_load(&live.live_size), 0);
    fx_cleanup(&x);
}
END_TEST

/* Names in the test's folder, sorted, joined by spaces. */
static void listing(char *out, size_t outsz)
{
    struct dirent **ents;
    int n = scandir(it_dir(), &ents, NULL, alphasort);
    size_t len = 0;

    ck_assert_int_ge(n, 0);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (strcmp(ents[i]->d_name, ".") != 0 &&
            strcmp(ents[i]->d_name, "..") != 0)
            len += (size_t)snprintf(out + len, outsz - len, "%s%s",
                                    len ? " " : "", ents[i]->d_name);
        free(ents[i]);
    }
    free(ents);
}

/* A 200 is saved under the task's name, byte for byte what /bytes sent,
 * and nothing else stays in the folder. */
START_TEST(test_ok_body_saved)
{
    const size_t n = 200000;
    struct fx x;
    struct pdl_result r;
    char path[600];
    char names[256];
    char *got = malloc(n + 1);
    FILE *f;

    fx_init(&x);
    fx_start(&x);
    ck_assert_int_eq(fx_begin(&x, "/bytes/200000", "body.bin", &r), -1);
    ck_assert_int_eq(r.status, PDL_ST_OK);
    ck_assert_int_eq(r.http, 200);
    ck_assert_int_eq(r.bytes, (int64_t)n);
    ck_assert_int_eq(r.attempts, 1);
    ck_assert_int_eq(atomic_load(&x.bytes), (long long)n);
    listing(names, sizeof names);
    ck_assert_str_eq(names, "body.bin");
    snprintf(path, sizeof path, "%s/body.bin", it_dir());
    f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fread(got, 1, n + 1, f), n);
    fclose(f);
    for (size_t i = 0; i < n; i++) {
        if (got[i] != LINE[i % (sizeof LINE - 1)])
            ck_abort_msg("byte %zu differs", i);
    }
    free(got);
    fx_cleanup(&x);
}
END_TEST

/* A 404 is an HTTP failure with no file left behind. */
START_TEST(test_not_found_leaves_no_file)
{
    struct fx x;
    struct pdl_result r;
    char names[256];

    fx_init(&x);
    fx_start(&x);
    ck_assert_int_eq(fx_begin(&x, "/status/404", "missing", &r), -1);
    ck_assert_int_eq(r.status, PDL_ST_HTTP);
    ck_assert_int_eq(r.http, 404);
    ck_assert_str_ne(r.error, "");
    listing(names, sizeof names);
    ck_assert_str_eq(names, "");
    fx_cleanup(&x);
}
END_TEST

/* A 503 with retries left asks for a wait and stays running; the last
 * attempt settles it as an HTTP failure. */
START_TEST(test_503_retried)
{
    struct fx x;
    struct pdl_result r;
    char names[256];

    fx_init(&x);
    x.opt.retries = 2;
    x.opt.retry_delay_ms = 100;
    fx_start(&x);
    ck_assert_int_ge(fx_begin(&x, "/status/503", "busy", &r), 0);
    ck_assert_int_eq(r.status, PDL_ST_RUNNING);
    ck_assert_int_eq(r.http, 503);
    ck_assert_int_eq(r.attempts, 1);
    ck_assert_int_ge(fx_retry(&x, &r), 0);
    ck_assert_int_eq(r.attempts, 2);
    ck_assert_int_eq(fx_retry(&x, &r), -1);
    ck_assert_int_eq(r.attempts, 3);
    ck_assert_int_eq(r.status, PDL_ST_HTTP);
    ck_assert_int_eq(r.http, 503);
    listing(names, sizeof names);
    ck_assert_str_eq(names, "");
    fx_cleanup(&x);
}
END_TEST

/* Retry-After: 1 makes the wait at least a second; the key's second
 * request succeeds. */
START_TEST(test_retry_after_honoured)
{
    struct fx x;
    struct pdl_result r;

    fx_init(&x);
    x.opt.retries = 1;
    x.opt.retry_delay_ms = 10;
    fx_start(&x);
    ck_assert_int_ge(fx_begin(&x, "/retry-after/1?key=it", "later", &r), 1000);
    ck_assert_int_eq(r.status, PDL_ST_RUNNING);
    ck_assert_int_eq(fx_retry(&x, &r), -1);
    ck_assert_int_eq(r.status, PDL_ST_OK);
    ck_assert_int_eq(r.attempts, 2);
    fx_cleanup(&x);
}
END_TEST

/* A body over max_filesize is too big, whether the server says its length
 * (/bytes) or not (/no-length), and leaves no file. */
START_TEST(test_too_big)
{
    static const char *const paths[] = {"/bytes/5000", "/no-length/5000"};
    struct fx x;
    struct pdl_result r;
    char names[256];

    fx_init(&x);
    x.opt.max_filesize = 1000;
    fx_start(&x);
    ck_assert_int_eq(fx_begin(&x, paths[_i], "big", &r), -1);
    ck_assert_int_eq(r.status, PDL_ST_TOO_BIG);
    ck_assert_int_le(r.bytes, 5000);
    listing(names, sizeof names);
    ck_assert_str_eq(names, "");
    fx_cleanup(&x);
}
END_TEST

/* The phases of one attempt end in order: name lookup, connect, first
 * byte, end; times offset from the run's start. */
START_TEST(test_phases_ordered)
{
    struct fx x;
    struct pdl_result r;

    fx_init(&x);
    fx_start(&x);
    ck_assert_int_eq(fx_begin(&x, "/delay/50", "slow", &r), -1);
    ck_assert_int_eq(r.status, PDL_ST_OK);
    ck_assert_int_le(r.dns_us, r.connect_us);
    ck_assert_int_gt(r.connect_us, 0);
    ck_assert_int_le(r.connect_us, r.ttfb_us);
    ck_assert_int_ge(r.ttfb_us, 50000);
    ck_assert_int_eq(r.tls_us, 0);
    ck_assert_int_ge(r.start_ns, 0);
    /* One attempt: it starts with the task (stamped just after it). */
    ck_assert_int_ge(r.attempt_ns, r.start_ns);
    ck_assert_int_lt(r.attempt_ns - r.start_ns, 5 * 1000000LL);
    ck_assert_int_ge(r.end_ns - r.start_ns, 50 * 1000000LL);
    ck_assert_int_le(r.ttfb_us * 1000, r.end_ns - r.start_ns);
    fx_cleanup(&x);
}
END_TEST

/* Command lines and whether their run reads the phase times. */
static const struct {
    const char *argv[8];
    bool reads;
} detail_cases[] = {
    {{"pdl", "-q", "--timeline", "t.tsv", "list.txt"}, true},
    {{"pdl", "-q", "list.txt"}, true},            /* the default timeline */
    {{"pdl", "--no-timeline", "list.txt"}, true}, /* the summary */
    {{"pdl", "-q", "--no-timeline", "--json", "r.json", "list.txt"}, true},
    {{"pdl", "-q", "--no-timeline", "--export", "r.har", "list.txt"}, true},
    {{"pdl", "-q", "--no-timeline", "list.txt"}, false},
};

/* The phase times and connection are in the record whenever the command
 * line writes something that reads them (the timeline on, say), and
 * skipped only when nothing does; the download is the same either way. */
START_TEST(test_details_follow_outputs)
{
    struct pdl_cli cli;
    struct fx x;
    struct pdl_result r;
    int argc = 0;

    while (detail_cases[_i].argv[argc])
        argc++;
    optind = 0;
    memset(&cli, 0, sizeof cli);
    ck_assert_int_eq(pdl_cli_parse(argc, (char **)detail_cases[_i].argv, &cli),
                     -1);
    ck_assert_int_eq(pdl_cli_reads_details(&cli), detail_cases[_i].reads);
    fx_init(&x);
    fx_start_details(&x, !pdl_cli_reads_details(&cli));
    ck_assert_int_eq(fx_begin(&x, "/delay/50", "slow", &r), -1);
    ck_assert_int_eq(r.status, PDL_ST_OK);
    ck_assert_int_eq(r.http, 200);
    ck_assert_int_eq(r.bytes, (int64_t)strlen("delayed 50 ms\n"));
    if (detail_cases[_i].reads) {
        ck_assert_int_gt(r.connect_us, 0);
        ck_assert_int_ge(r.ttfb_us, 50000);
        ck_assert_int_gt(r.conn, 0);
        ck_assert_int_eq(r.new_conn, 1);
        ck_assert_int_eq(r.http_version, 11);
    } else {
        ck_assert_int_eq(r.connect_us, 0);
        ck_assert_int_eq(r.ttfb_us, 0);
        ck_assert_int_eq(r.conn, 0);
    }
    fx_cleanup(&x);
    pdl_cli_cleanup(&cli);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fetch");
    TCase *tc = tcase_create("fetch");
    SRunner *sr;
    int failed;

    curl_global_init(CURL_GLOBAL_ALL);
    tcase_add_checked_fixture(tc, it_setup, it_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_ok_body_saved);
    tcase_add_test(tc, test_live_bytes_in_flight);
    tcase_add_test(tc, test_not_found_leaves_no_file);
    tcase_add_test(tc, test_503_retried);
    tcase_add_test(tc, test_retry_after_honoured);
    tcase_add_loop_test(tc, test_too_big, 0, 2);
    tcase_add_test(tc, test_phases_ordered);
    tcase_add_loop_test(tc, test_details_follow_outputs, 0,
                        sizeof detail_cases / sizeof detail_cases[0]);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    curl_global_cleanup();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
