/* Unit tests for the timeline: writing and reading back the TSV, strict
 * rejection of malformed files, and the statistics of a run. */
#include "pdl/timeline.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define MS 1000000LL /* nanoseconds */

/* Results covering the kinds of row a run writes; times have microsecond
 * precision, which is what the TSV keeps. */
static const struct pdl_result sample[] = {
    {.start_ns = 1000,
     .end_ns = 250123000,
     .dns_us = 12,
     .connect_us = 345,
     .tls_us = 0,
     .ttfb_us = 100001,
     .bytes = 123456,
     .worker = 0,
     .http = 200,
     .attempts = 1,
     .status = PDL_ST_OK,
     .conn = 40001,
     .new_conn = 1,
     .http_version = 11,
     .remote_ip = "10.0.0.1",
     .remote_port = 80,
     .file = "a.1.txt",
     .content_type = "text/plain"},
    {.start_ns = 5000000,
     .end_ns = 1500000000,
     .dns_us = 1,
     .connect_us = 2,
     .tls_us = 3,
     .ttfb_us = 4,
     .bytes = 0,
     .worker = 3,
     .http = 500,
     .attempts = 2,
     .status = PDL_ST_HTTP,
     .attempt_ns = 1000000000,
     .error = "HTTP 500",
     .conn = 40002,
     .http_version = 20,
     .remote_ip = "fe80::1",
     .remote_port = 443,
     .effective_url = "https://h/c?x=2",
     .content_type = "text/html;\tcharset=utf-8"},
    {.start_ns = 2000001000,
     .end_ns = 3999999000,
     .dns_us = 0,
     .connect_us = 0,
     .tls_us = 0,
     .ttfb_us = 0,
     .bytes = 0,
     .worker = 1,
     .http = 0,
     .attempts = 1,
     .status = PDL_ST_DNS,
     .error = "Could not resolve\thost"},
    {.status = PDL_ST_PENDING},
};

static const char *const sample_urls[] = {
    "http://h/a.txt",
    "https://h/b?x=1",
    "http://nosuch.invalid/",
    "http://h/never",
};

#define NSAMPLE (sizeof(sample) / sizeof(sample[0]))

static const struct pdl_run_info sample_info = {
    .mode = "threads",
    .workers = 4,
    .started = "2024-05-01T12:34:56Z",
    .epoch = 1714566896.250001,
    .host = "box1",
    .version = "0.1.0",
    .lists = "urls.txt,my%20list.txt",
};

/* Writes the sample timeline into a fresh buffer the caller frees. */
static char *write_sample(size_t *len)
{
    char *buf = NULL;
    FILE *out = open_memstream(&buf, len);

    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(
        pdl_timeline_write(out, &sample_info, sample, sample_urls, NSAMPLE),
        PDL_OK);
    ck_assert_int_eq(fclose(out), 0);
    return buf;
}

static int read_text(const char *text, struct pdl_timeline *tl, char *err,
                     size_t errsz)
{
    FILE *in = fmemopen((void *)text, strlen(text), "r");

    ck_assert_ptr_nonnull(in);
    int rc = pdl_timeline_read(in, tl, err, errsz);
    fclose(in);
    return rc;
}

START_TEST(test_write_text)
{
    size_t len;
    char *buf = write_sample(&len);

    ck_assert_str_eq(
        buf,
        "# pdl-timeline 5\n"
        "# mode=threads workers=4 tasks=4 ok=1 failed=3 wall=3.999999 "
        "started=2024-05-01T12:34:56Z epoch=1714566896.250001 host=box1 "
        "pdl=0.1.0 lists=urls.txt,my%20list.txt order=completion "
        "complete=1\n"
        "id\tworker\tstart\tend\tdns\tconnect\ttls\tttfb\tbytes\thttp\t"
        "status\tattempts\tattempt_start\turl\terror\trank\thost\t"
        "conn\tnew_conn\thttp_version\tremote\t"
        "file\teffective_url\tcontent_type\n"
        "0\t0\t0.000001\t0.250123\t0.000012\t0.000345\t0.000000\t0.100001\t"
        "123456\t200\tok\t1\t0.000001\thttp://h/a.txt\t\t0\tbox1\t"
        "40001\t1\t1.1\t10.0.0.1:80\ta.1.txt\t\ttext/plain\n"
        "1\t3\t0.005000\t1.500000\t0.000001\t0.000002\t0.000003\t0.000004\t"
        "0\t500\thttp\t2\t1.000000\thttps://h/b?x=1\tHTTP 500\t0\tbox1\t"
        "40002\t0\t2\t[fe80::1]:443\t\thttps://h/c?x=2\t"
        "text/html; charset=utf-8\n"
        "2\t1\t2.000001\t3.999999\t0.000000\t0.000000\t0.000000\t0.000000\t"
        "0\t0\tdns\t1\t2.000001\thttp://nosuch.invalid/\t"
        "Could not resolve host\t0\tbox1\t0\t0\t\t\t\t\t\n"
        "3\t0\t0.000000\t0.000000\t0.000000\t0.000000\t0.000000\t0.000000\t"
        "0\t0\tnot-run\t0\t0.000000\thttp://h/never\t\t0\tbox1\t0\t0\t\t"
        "\t\t\t\n"
        "# end tasks=4 ok=1 failed=3 wall=3.999999 complete=1\n");
    ck_assert_uint_eq(len, strlen(buf));
    free(buf);
}
END_TEST

static void assert_same_result(const struct pdl_result *got,
                               const struct pdl_result *want)
{
    ck_assert_int_eq(got->start_ns, want->start_ns);
    ck_assert_int_eq(got->end_ns, want->end_ns);
    ck_assert_int_eq(got->dns_us, want->dns_us);
    ck_assert_int_eq(got->connect_us, want->connect_us);
    ck_assert_int_eq(got->tls_us, want->tls_us);
    ck_assert_int_eq(got->ttfb_us, want->ttfb_us);
    ck_assert_int_eq(got->bytes, want->bytes);
    ck_assert_int_eq(got->worker, want->worker);
    ck_assert_int_eq(got->http, want->http);
    ck_assert_int_eq(got->attempts, want->attempts);
    ck_assert_int_eq(got->status, want->status);
    ck_assert_int_eq(got->attempt_ns,
                     want->attempt_ns ? want->attempt_ns : want->start_ns);
    ck_assert_int_eq(got->conn, want->conn);
    ck_assert_int_eq(got->new_conn, want->new_conn);
    ck_assert_int_eq(got->http_version, want->http_version);
    ck_assert_str_eq(got->remote_ip, want->remote_ip);
    ck_assert_int_eq(got->remote_port, want->remote_port);
    ck_assert_str_eq(got->file, want->file);
    ck_assert_str_eq(got->effective_url, want->effective_url);
    /* Tabs in texts become spaces: they would split the row. */
    for (size_t i = 0; i < sizeof(got->content_type); i++) {
        char w = want->content_type[i] == '\t' ? ' ' : want->content_type[i];
        ck_assert_int_eq(got->content_type[i], w);
        if (w == '\0')
            break;
    }
    /* Tabs in error texts become spaces: they would split the row. */
    for (size_t i = 0; i < sizeof(got->error); i++) {
        char w = want->error[i] == '\t' ? ' ' : want->error[i];
        ck_assert_int_eq(got->error[i], w);
        if (w == '\0')
            break;
    }
}

START_TEST(test_round_trip)
{
    size_t len;
    char *buf = write_sample(&len);
    struct pdl_result tmp;
    struct pdl_timeline tl;
    char err[128] = "";

    ck_assert_int_eq(read_text(buf, &tl, err, sizeof(err)), PDL_OK);
    ck_assert_str_eq(err, "");
    ck_assert_str_eq(tl.info.mode, "threads");
    ck_assert_uint_eq(tl.info.workers, 4);
    ck_assert_str_eq(tl.info.started, "2024-05-01T12:34:56Z");
    ck_assert_double_eq_tol(tl.info.epoch, 1714566896.250001, 1e-6);
    ck_assert_str_eq(tl.info.host, "box1");
    ck_assert_str_eq(tl.info.version, "0.1.0");
    ck_assert_str_eq(tl.info.lists, "urls.txt,my%20list.txt");
    ck_assert_uint_eq(tl.count, NSAMPLE);
    for (size_t i = 0; i < NSAMPLE; i++) {
        ck_assert_uint_eq(tl.ids[i], i);
        ck_assert_str_eq(tl.urls[i], sample_urls[i]);
        assert_same_result(pdl_timeline_at(&tl, i, &tmp), &sample[i]);
    }
    pdl_timeline_cleanup(&tl);
    ck_assert_uint_eq(tl.count, 0);
    ck_assert_ptr_null(tl.core);
    free(buf);
}
END_TEST

/* An async run's event loops are written before complete (last, as
 * readers expect) and read back; other modes write none. */
START_TEST(test_round_trip_loops)
{
    struct pdl_run_info info = sample_info;
    struct pdl_timeline tl;
    char *buf = NULL, err[128] = "";
    size_t len;
    FILE *out = open_memstream(&buf, &len);

    snprintf(info.mode, sizeof(info.mode), "async");
    info.loops = 2;
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(pdl_timeline_write(out, &info, sample, sample_urls, 1),
                     PDL_OK);
    ck_assert_int_eq(fclose(out), 0);
    ck_assert_ptr_nonnull(strstr(buf, " loops=2 complete=1\n"));
    ck_assert_int_eq(read_text(buf, &tl, err, sizeof(err)), PDL_OK);
    ck_assert_uint_eq(tl.info.loops, 2);
    pdl_timeline_cleanup(&tl);
    free(buf);
    buf = write_sample(&len);
    ck_assert_ptr_null(strstr(buf, "loops="));
    free(buf);
}
END_TEST

START_TEST(test_round_trip_every_status)
{
    struct pdl_result r[PDL_ST_COUNT];
    const char *urls[PDL_ST_COUNT];
    struct pdl_run_info info;
    struct pdl_result tmp;
    struct pdl_timeline tl;
    char *buf = NULL, err[128];
    size_t len;

    memset(r, 0, sizeof(r));
    for (int i = 0; i < PDL_ST_COUNT; i++) {
        r[i].status = i;
        r[i].start_ns = i * MS;
        r[i].end_ns = (i + 1) * MS;
        urls[i] = "http://h/";
    }
    pdl_run_info_init(&info, "serial", 1);
    FILE *out = open_memstream(&buf, &len);
    ck_assert_int_eq(pdl_timeline_write(out, &info, r, urls, PDL_ST_COUNT),
                     PDL_OK);
    fclose(out);
    ck_assert_int_eq(read_text(buf, &tl, err, sizeof(err)), PDL_OK);
    ck_assert_uint_eq(tl.count, PDL_ST_COUNT);
    for (int i = 0; i < PDL_ST_COUNT; i++)
        ck_assert_int_eq(pdl_timeline_at(&tl, i, &tmp)->status, i);
    ck_assert_str_eq(tl.info.mode, "serial");
    ck_assert_uint_eq(tl.info.workers, 1);
    ck_assert_str_eq(tl.info.host, info.host);
    ck_assert_str_eq(tl.info.started, info.started);
    ck_assert_str_eq(tl.info.version, PDL_VERSION);
    pdl_timeline_cleanup(&tl);
    free(buf);
}
END_TEST

/* Extreme values survive the text form exactly. */
START_TEST(test_round_trip_extremes)
{
    static const int64_t us[] = {0,         1,           999999,      1000000,
                                 123456789, 86399999999, 999999999999};
    struct pdl_result r[sizeof(us) / sizeof(us[0])];
    const char *urls[sizeof(us) / sizeof(us[0])];
    size_t n = sizeof(us) / sizeof(us[0]);
    struct pdl_result tmp;
    struct pdl_timeline tl;
    char *buf = NULL, err[128];
    size_t len;

    for (size_t i = 0; i < n; i++) {
        r[i] = (struct pdl_result){.start_ns = us[i] * 1000,
                                   .end_ns = (us[i] + 1) * 1000,
                                   .dns_us = us[i],
                                   .connect_us = us[i],
                                   .tls_us = us[i],
                                   .ttfb_us = us[i],
                                   .bytes = i + 1 == n ? INT64_MAX : 0,
                                   .worker = i == 0 ? -1 : 1023,
                                   .http = 999,
                                   .attempts = 1 << 30,
                                   .status = PDL_ST_TIMEOUT};
        urls[i] = "https://h/x?a=1&b=%20#f";
    }
    FILE *out = open_memstream(&buf, &len);
    ck_assert_int_eq(pdl_timeline_write(out, &sample_info, r, urls, n), PDL_OK);
    fclose(out);
    ck_assert_int_eq(read_text(buf, &tl, err, sizeof(err)), PDL_OK);
    ck_assert_uint_eq(tl.count, n);
    for (size_t i = 0; i < n; i++) {
        assert_same_result(pdl_timeline_at(&tl, i, &tmp), &r[i]);
        ck_assert_str_eq(tl.urls[i], urls[i]);
    }
    pdl_timeline_cleanup(&tl);
    free(buf);
}
END_TEST

/* A row far longer than the writer's buffer (a 65,000-byte URL, every text
 * field full) goes out whole, on one line, each tab and line break in a
 * text a space, wherever it falls against the buffer's edge. */
START_TEST(test_write_long_row)
{
    enum { URL_LEN = 65000 };
    char *url = malloc(URL_LEN + 1), *want = malloc(URL_LEN + 1);
    struct pdl_result r = sample[0], tmp;
    struct pdl_timeline tl;
    char *buf = NULL, err[128] = "";
    size_t len;

    ck_assert_ptr_nonnull(url);
    ck_assert_ptr_nonnull(want);
    for (size_t i = 0; i < URL_LEN; i++) {
        url[i] = (char)('a' + i % 26);
        if (i % 4093 == 7)
            url[i] = i % 2 ? '\t' : '\n';
        want[i] = url[i] == '\t' || url[i] == '\n' ? ' ' : url[i];
    }
    url[URL_LEN] = want[URL_LEN] = '\0';
    memset(r.error, 'e', sizeof(r.error) - 1);
    r.error[sizeof(r.error) - 1] = '\0';
    r.error[100] = '\r';
    memset(r.effective_url, 'u', sizeof(r.effective_url) - 1);
    r.effective_url[sizeof(r.effective_url) - 1] = '\0';
    memset(r.content_type, 't', sizeof(r.content_type) - 1);
    r.content_type[sizeof(r.content_type) - 1] = '\0';
    FILE *out = open_memstream(&buf, &len);
    const char *urls[] = {url};
    ck_assert_int_eq(pdl_timeline_write(out, &sample_info, &r, urls, 1),
                     PDL_OK);
    ck_assert_int_eq(fclose(out), 0);
    ck_assert_int_eq(read_text(buf, &tl, err, sizeof(err)), PDL_OK);
    ck_assert_uint_eq(tl.count, 1);
    ck_assert_str_eq(tl.urls[0], want);
    pdl_timeline_at(&tl, 0, &tmp);
    ck_assert_int_eq(tmp.error[100], ' ');
    r.error[100] = ' ';
    assert_same_result(&tmp, &r);
    pdl_timeline_cleanup(&tl);
    free(buf);
    free(want);
    free(url);
}
END_TEST

START_TEST(test_read_empty_list)
{
    struct pdl_timeline tl;
    char err[128] = "";

    ck_assert_int_eq(
        read_text(
            "# pdl-timeline 3\n# mode=serial workers=1\n" PDL_TIMELINE_HEADER_V3
            "\n",
            &tl, err, sizeof(err)),
        PDL_OK);
    ck_assert_uint_eq(tl.count, 0);
    ck_assert_str_eq(tl.info.mode, "serial");
    pdl_timeline_cleanup(&tl);
}
END_TEST

/* A version 3 file (no connection columns) still reads: its connections
 * are unknown. */
START_TEST(test_read_v3)
{
    struct pdl_result tmp;
    struct pdl_timeline tl;
    char err[128] = "";

    ck_assert_int_eq(
        read_text(
            "# pdl-timeline 3\n# mode=threads "
            "workers=2\n" PDL_TIMELINE_HEADER_V3
            "\n0\t1\t0.1\t0.2\t0.001\t0.002\t0\t0.05\t10\t200\tok\t1\t0.1\t"
            "http://h/a\t\t0\tbox1\n",
            &tl, err, sizeof(err)),
        PDL_OK);
    ck_assert_str_eq(err, "");
    ck_assert_uint_eq(tl.count, 1);
    ck_assert_int_eq(pdl_timeline_at(&tl, 0, &tmp)->http, 200);
    ck_assert_int_eq(pdl_timeline_at(&tl, 0, &tmp)->conn, 0);
    ck_assert_int_eq(pdl_timeline_at(&tl, 0, &tmp)->new_conn, 0);
    ck_assert_int_eq(pdl_timeline_at(&tl, 0, &tmp)->http_version, 0);
    ck_assert_str_eq(pdl_timeline_at(&tl, 0, &tmp)->remote_ip, "");
    pdl_timeline_cleanup(&tl);
    /* A version 4 file needs the connection columns. */
    ck_assert_int_eq(read_text("# pdl-timeline 4\n" PDL_TIMELINE_HEADER_V3 "\n",
                               &tl, err, sizeof(err)),
                     PDL_ERR_FORMAT);
    ck_assert_str_eq(err, "line 2: unexpected column header");
}
END_TEST

/* A version 4 file (no file, effective_url, content_type) still reads:
 * those are empty; a version 5 file needs them. */
START_TEST(test_read_v4)
{
    struct pdl_result tmp;
    struct pdl_timeline tl;
    char err[128] = "";

    ck_assert_int_eq(
        read_text("# pdl-timeline 4\n# mode=threads "
                  "workers=2\n" PDL_TIMELINE_HEADER_V4
                  "\n0\t1\t0.1\t0.2\t0.001\t0.002\t0\t0.05\t10\t200\tok\t1\t"
                  "0.1\thttp://h/a\t\t0\tbox1\t40000\t1\t1.1\t127.0.0.1:80\n",
                  &tl, err, sizeof(err)),
        PDL_OK);
    ck_assert_str_eq(err, "");
    ck_assert_uint_eq(tl.count, 1);
    ck_assert_int_eq(pdl_timeline_at(&tl, 0, &tmp)->conn, 40000);
    ck_assert_str_eq(pdl_timeline_at(&tl, 0, &tmp)->file, "");
    ck_assert_str_eq(pdl_timeline_at(&tl, 0, &tmp)->effective_url, "");
    ck_assert_str_eq(pdl_timeline_at(&tl, 0, &tmp)->content_type, "");
    ck_assert_str_eq(tl.info.lists, "");
    pdl_timeline_cleanup(&tl);
    ck_assert_int_eq(read_text("# pdl-timeline 5\n" PDL_TIMELINE_HEADER_V4 "\n",
                               &tl, err, sizeof(err)),
                     PDL_ERR_FORMAT);
    ck_assert_str_eq(err, "line 2: unexpected column header");
}
END_TEST

/* The lists= key: names joined by ',', what would split the key escaped,
 * names that do not fit left out. */
START_TEST(test_run_info_lists)
{
    static const char *const names[] = {"a b.txt", "x,y%", "-"};
    struct pdl_run_info info = {0};
    char *many[64], big[16];

    pdl_run_info_set_lists(&info, names, 3);
    ck_assert_str_eq(info.lists, "a%20b.txt,x%2Cy%25,-");
    snprintf(big, sizeof(big), "list-%03d.txt", 0);
    for (int i = 0; i < 64; i++)
        many[i] = big;
    pdl_run_info_set_lists(&info, (const char *const *)many, 64);
    ck_assert_uint_lt(strlen(info.lists), PDL_LISTS_MAX);
    ck_assert_uint_eq(strlen(info.lists) % 13, 12);
}
END_TEST

/* Connection fields that are not what pdl writes are refused. */
START_TEST(test_read_bad_connection)
{
    static const char *const bad[] = {
        "70000\t1\t2\t127.0.0.1:443", "1\t2\t2\t127.0.0.1:443",
        "1\t1\t1.5\t127.0.0.1:443",   "1\t1\t2\t127.0.0.1",
        "1\t1\t2\t[::1:443",          "1\t1\t2\t127.0.0.1:99999",
    };
    char text[1024], err[128];
    struct pdl_timeline tl;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text),
                 "# pdl-timeline 5\n" PDL_TIMELINE_HEADER
                 "\n0\t1\t0.1\t0.2\t0\t0\t0\t0.05\t10\t200\tok\t1\t0.1\t"
                 "http://h/a\t\t0\tbox1\t%s\t\t\t\n",
                 bad[i]);
        ck_assert_int_eq(read_text(text, &tl, err, sizeof(err)),
                         PDL_ERR_FORMAT);
        ck_assert_str_eq(err, "line 3: bad conn, new_conn, http_version or "
                              "remote field");
    }
}
END_TEST

/* The summary counts connections opened and reused, and the versions. */
START_TEST(test_stats_connections)
{
    struct pdl_result r[4] = {
        {.end_ns = MS,
         .status = PDL_ST_OK,
         .conn = 5,
         .new_conn = 1,
         .http_version = 20},
        {.end_ns = MS, .status = PDL_ST_OK, .conn = 5, .http_version = 20},
        {.end_ns = MS, .status = PDL_ST_OK, .conn = 5, .http_version = 20},
        {.end_ns = MS, .status = PDL_ST_DNS},
    };
    struct pdl_stats st;
    char *buf = NULL;
    size_t len;
    FILE *out = open_memstream(&buf, &len);

    pdl_stats_compute(r, 4, &st);
    ck_assert_uint_eq(st.conns_opened, 1);
    ck_assert_uint_eq(st.conns_reused, 2);
    ck_assert_uint_eq(st.by_version[2], 3);
    pdl_summary_print(out, &st, "async", 4, 8);
    fclose(out);
    ck_assert_ptr_nonnull(
        strstr(buf, "pdl:   conns    1 opened, 2 reused (HTTP/2)\n"));
    /* Fewer workers ran than -w asked for: both are said. */
    ck_assert_msg(strstr(buf, "pdl: async, 4 workers (8 asked): 4 tasks"), "%s",
                  buf);
    free(buf);
}
END_TEST

/* The malformed rows are checked against the version 1 reader, which
 * version 2's shares. */
#define HEAD                                                                   \
    "# pdl-timeline 1\n# mode=serial workers=1\n" PDL_TIMELINE_HEADER_V1 "\n"
#define ROW_OK "0\t0\t0.1\t0.2\t0\t0\t0\t0\t10\t200\tok\t1\thttp://h/a\n"

struct bad_case {
    const char *text;
    const char *err;
};

static const struct bad_case bad_cases[] = {
    {"", "line 0: empty file"},
    {"# pdl-timeline\n", "line 1: not a pdl timeline of version 1..5"},
    {"# pdl-timelime 1\n" PDL_TIMELINE_HEADER "\n",
     "line 1: not a pdl timeline of version 1..5"},
    {"# pdl-timeline 99\n" PDL_TIMELINE_HEADER "\n",
     "line 1: not a pdl timeline of version 1..5"},
    {"# pdl-timeline 0\n" PDL_TIMELINE_HEADER "\n",
     "line 1: not a pdl timeline of version 1..5"},
    {"# pdl-timeline 1x\n" PDL_TIMELINE_HEADER "\n",
     "line 1: not a pdl timeline of version 1..5"},
    {"id\tworker\n", "line 1: not a pdl timeline of version 1..5"},
    {"# pdl-timeline 1\n# mode=serial\n", "line 2: no column header"},
    {"# pdl-timeline 1\nid\tworker\tstart\n",
     "line 2: unexpected column header"},
    {"# pdl-timeline 2\n" PDL_TIMELINE_HEADER_V1 "\n",
     "line 2: unexpected column header"},
    {"# pdl-timeline 2\n" PDL_TIMELINE_HEADER_V2 "\n"
     "0\t0\t0.1\t0.2\t0\t0\t0\t0\t10\t200\tok\t1\tx\thttp://h/a\t\n",
     "line 3: bad time field"},
    {HEAD "0\t0\t0.1\t0.2\t0\t0\t0\t0\t10\t200\tok\n",
     "line 4: expected 13 tab-separated fields"},
    {HEAD "0\t0\t0.1\t0.2\t0\t0\t0\t0\t10\t200\tok\t1\thttp://h/a\textra\n",
     "line 4: expected 13 tab-separated fields"},
    {HEAD ROW_OK "\n", "line 5: expected 13 tab-separated fields"},
    {HEAD "x\t0\t0.1\t0.2\t0\t0\t0\t0\t10\t200\tok\t1\thttp://h/a\n",
     "line 4: bad integer field"},
    {HEAD ROW_OK "1\t0\t0.1\t0.2\t0\t0\t0\t0\t1e3\t200\tok\t1\thttp://h/a\n",
     "line 5: bad integer field"},
    {HEAD "0\t0\t0.1\t0.2\t0\t0\t0\t0\t10\t1000\tok\t1\thttp://h/a\n",
     "line 4: bad integer field"},
    {HEAD "0\t0\t0.1\t0.2\t0\t0\t0\t0\t-1\t200\tok\t1\thttp://h/a\n",
     "line 4: bad integer field"},
    {HEAD "0\t0\t0.1x\t0.2\t0\t0\t0\t0\t10\t200\tok\t1\thttp://h/a\n",
     "line 4: bad time field"},
    {HEAD "0\t0\t0.1\t-0.2\t0\t0\t0\t0\t10\t200\tok\t1\thttp://h/a\n",
     "line 4: bad time field"},
    {HEAD "0\t0\t0.1\t0.2\tnan\t0\t0\t0\t10\t200\tok\t1\thttp://h/a\n",
     "line 4: bad time field"},
    {HEAD "0\t0\t0.1\t0.2\t0\t0\t0\t\t10\t200\tok\t1\thttp://h/a\n",
     "line 4: bad time field"},
    {HEAD ROW_OK "1\t0\t0.1\t0.2\t0\t0\t0\t0\t10\t200\tfine\t1\thttp://h/a\n",
     "line 5: unknown status \"fine\""},
    {HEAD "0\t0\t0.1\t0.2\t0\t0\t0\t0\t10\t200\tOK\t1\thttp://h/a\n",
     "line 4: unknown status \"OK\""},
};

START_TEST(test_read_malformed)
{
    const struct bad_case *c = &bad_cases[_i];
    struct pdl_timeline tl;
    char err[128] = "";

    ck_assert_int_eq(read_text(c->text, &tl, err, sizeof(err)), PDL_ERR_FORMAT);
    ck_assert_str_eq(err, c->err);
    /* Nothing left to clean up. */
    ck_assert_uint_eq(tl.count, 0);
    ck_assert_ptr_null(tl.core);
    ck_assert_ptr_null(tl.ids);
    ck_assert_ptr_null(tl.urls);
}
END_TEST

START_TEST(test_read_small_err_buffer)
{
    struct pdl_timeline tl;
    char err[8];

    ck_assert_int_eq(read_text("# pdl-timeline 99\n", &tl, err, sizeof(err)),
                     PDL_ERR_FORMAT);
    ck_assert_str_eq(err, "line 1:");
}
END_TEST

START_TEST(test_status_tokens)
{
    ck_assert_str_eq(pdl_status_token(PDL_ST_PENDING), "not-run");
    ck_assert_str_eq(pdl_status_token(PDL_ST_OK), "ok");
    ck_assert_str_eq(pdl_status_token(PDL_ST_HTTP), "http");
    ck_assert_str_eq(pdl_status_token(PDL_ST_COUNT), "error");
    for (int i = 0; i < PDL_ST_COUNT; i++)
        ck_assert_int_eq(pdl_status_parse(pdl_status_token(i)), i);
    ck_assert_int_eq(pdl_status_parse(""), PDL_ST_COUNT);
    ck_assert_int_eq(pdl_status_parse("Ok"), PDL_ST_COUNT);
}
END_TEST

/* An emptied record reads as a zeroed one: every number 0, every text "",
 * and a timeline row of it is the same text. */
START_TEST(test_result_empty)
{
    struct pdl_result r, zero = {0};
    const char *urls[] = {"http://h/x"};
    char *a = NULL, *b = NULL;
    size_t alen, blen;

    memset(&r, 'x', sizeof(r));
    pdl_result_empty(&r);
    assert_same_result(&r, &zero);
    ck_assert_int_eq(r.rank, 0);
    ck_assert_str_eq(r.remote_ip, "");
    ck_assert_str_eq(r.error, "");
    ck_assert_str_eq(r.file, "");
    ck_assert_str_eq(r.effective_url, "");
    ck_assert_str_eq(r.content_type, "");
    FILE *fa = open_memstream(&a, &alen), *fb = open_memstream(&b, &blen);
    ck_assert_int_eq(pdl_timeline_write(fa, &sample_info, &r, urls, 1), PDL_OK);
    ck_assert_int_eq(pdl_timeline_write(fb, &sample_info, &zero, urls, 1),
                     PDL_OK);
    fclose(fa);
    fclose(fb);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
}
END_TEST

static struct pdl_result span(int64_t start_ms, int64_t end_ms, int status)
{
    return (struct pdl_result){.start_ns = start_ms * MS,
                               .end_ns = end_ms * MS,
                               .status = status,
                               .attempts = 1};
}

START_TEST(test_stats_sample)
{
    struct pdl_stats st;

    pdl_stats_compute(sample, NSAMPLE, &st);
    ck_assert_uint_eq(st.tasks, 4);
    ck_assert_uint_eq(st.ok, 1);
    ck_assert_uint_eq(st.failed, 3);
    ck_assert_int_eq(st.bytes, 123456);
    ck_assert_double_eq_tol(st.wall, 3.999999, 1e-9);
    ck_assert_double_eq_tol(st.busy, 0.250122 + 1.495 + 1.999998, 1e-9);
    ck_assert_double_eq_tol(st.concurrency,
                            (0.250122 + 1.495 + 1.999998) / 3.999999, 1e-9);
    /* Tasks 0 and 1 overlap; task 2 starts after both ended. */
    ck_assert_uint_eq(st.max_overlap, 2);
}
END_TEST

START_TEST(test_stats_serial)
{
    const struct pdl_result r[] = {span(0, 100, PDL_ST_OK),
                                   span(150, 300, PDL_ST_HTTP),
                                   span(400, 1000, PDL_ST_OK)};
    struct pdl_stats st;

    pdl_stats_compute(r, 3, &st);
    ck_assert_uint_eq(st.tasks, 3);
    ck_assert_uint_eq(st.ok, 2);
    ck_assert_uint_eq(st.failed, 1);
    ck_assert_double_eq_tol(st.wall, 1.0, 1e-12);
    ck_assert_double_eq_tol(st.busy, 0.85, 1e-12);
    ck_assert_double_eq_tol(st.concurrency, 0.85, 1e-12);
    ck_assert_uint_eq(st.max_overlap, 1);
}
END_TEST

START_TEST(test_stats_back_to_back)
{
    /* Listed out of order on purpose: the stats must not rely on it. */
    const struct pdl_result r[] = {span(200, 300, PDL_ST_OK),
                                   span(0, 100, PDL_ST_OK),
                                   span(100, 200, PDL_ST_OK)};
    struct pdl_stats st;

    pdl_stats_compute(r, 3, &st);
    ck_assert_double_eq_tol(st.wall, 0.3, 1e-12);
    ck_assert_double_eq_tol(st.busy, 0.3, 1e-12);
    ck_assert_double_eq_tol(st.concurrency, 1.0, 1e-12);
    ck_assert_uint_eq(st.max_overlap, 1);
}
END_TEST

START_TEST(test_stats_four_overlap)
{
    const struct pdl_result r[] = {
        span(0, 400, PDL_ST_OK), span(100, 500, PDL_ST_OK),
        span(200, 600, PDL_ST_TIMEOUT), span(300, 700, PDL_ST_OK),
        span(800, 900, PDL_ST_OK)};
    struct pdl_stats st;

    pdl_stats_compute(r, 5, &st);
    ck_assert_uint_eq(st.ok, 4);
    ck_assert_uint_eq(st.failed, 1);
    ck_assert_double_eq_tol(st.wall, 0.9, 1e-12);
    ck_assert_double_eq_tol(st.busy, 1.7, 1e-12);
    ck_assert_double_eq_tol(st.concurrency, 1.7 / 0.9, 1e-12);
    ck_assert_uint_eq(st.max_overlap, 4);
}
END_TEST

START_TEST(test_stats_pending_ignored)
{
    /* Pending records keep whatever times they hold; none may count. */
    const struct pdl_result r[] = {span(0, 100, PDL_ST_OK),
                                   span(0, 5000, PDL_ST_PENDING),
                                   span(50, 5000, PDL_ST_PENDING),
                                   span(100, 200, PDL_ST_OK),
                                   {.status = PDL_ST_PENDING}};
    struct pdl_stats st;

    pdl_stats_compute(r, 5, &st);
    ck_assert_uint_eq(st.tasks, 5);
    ck_assert_uint_eq(st.ok, 2);
    ck_assert_uint_eq(st.failed, 3);
    ck_assert_double_eq_tol(st.wall, 0.2, 1e-12);
    ck_assert_double_eq_tol(st.busy, 0.2, 1e-12);
    ck_assert_double_eq_tol(st.concurrency, 1.0, 1e-12);
    ck_assert_uint_eq(st.max_overlap, 1);
}
END_TEST

START_TEST(test_stats_nothing_ran)
{
    const struct pdl_result r[] = {{.status = PDL_ST_PENDING}};
    struct pdl_stats st;

    pdl_stats_compute(r, 1, &st);
    ck_assert_uint_eq(st.tasks, 1);
    ck_assert_uint_eq(st.ok, 0);
    ck_assert_uint_eq(st.failed, 1);
    ck_assert_double_eq(st.wall, 0);
    ck_assert_double_eq(st.busy, 0);
    ck_assert_double_eq(st.concurrency, 0);
    ck_assert_uint_eq(st.max_overlap, 0);
    pdl_stats_compute(NULL, 0, &st);
    ck_assert_uint_eq(st.tasks, 0);
    ck_assert_uint_eq(st.max_overlap, 0);
}
END_TEST

/* A task of zero length (start == end) is closed like any other: it must
 * not count as overlapping every later task. */
START_TEST(test_stats_zero_length)
{
    const struct pdl_result r[] = {span(0, 0, PDL_ST_CONNECT),
                                   span(10, 20, PDL_ST_OK),
                                   span(30, 40, PDL_ST_OK)};
    struct pdl_stats st;

    pdl_stats_compute(r, 3, &st);
    ck_assert_double_eq_tol(st.busy, 0.02, 1e-12);
    ck_assert_uint_eq(st.max_overlap, 1);
}
END_TEST

/* Back-off before a retry is its own share of the task time, never
 * connection set-up: the reading does not advise fewer hosts. */
START_TEST(test_stats_retry_not_setup)
{
    struct pdl_result r[1] = {{.start_ns = 0,
                               .end_ns = 100000000,
                               .attempt_ns = 85000000,
                               .dns_us = 85020,
                               .ttfb_us = 95000,
                               .attempts = 2,
                               .status = PDL_ST_OK}};
    struct pdl_stats st;
    char s[512];

    pdl_stats_compute(r, 1, &st);
    ck_assert_double_eq_tol(st.retrying, 0.085, 1e-9);
    ck_assert_double_eq_tol(st.setup, 0.00002, 1e-9);
    ck_assert_double_eq_tol(st.waiting, 0.00998, 1e-9);
    ck_assert_double_eq_tol(st.receiving, 0.005, 1e-9);
    pdl_stats_sentence(&st, "threads", 1, s, sizeof(s));
    ck_assert_msg(strstr(s, "earlier attempts and back-off") &&
                      !strstr(s, "connection-bound"),
                  "%s", s);
}
END_TEST

/* The reading follows from the numbers: one task claims no speed-up, and
 * idle workers are not told to be more. */
START_TEST(test_sentence_honest)
{
    struct pdl_result one[1] = {
        {.end_ns = 300000000, .ttfb_us = 299000, .status = PDL_ST_OK}};
    struct pdl_result idle[3] = {
        {.end_ns = 600000000, .ttfb_us = 599000, .status = PDL_ST_OK},
        {.end_ns = 100000000, .ttfb_us = 99000, .status = PDL_ST_OK},
        {.end_ns = 100000000, .ttfb_us = 99000, .status = PDL_ST_OK}};
    struct pdl_stats st;
    char s[512];

    pdl_stats_compute(one, 1, &st);
    pdl_stats_sentence(&st, "threads", 1, s, sizeof(s));
    ck_assert_msg(strstr(s, "one task, 300 ms") && !strstr(s, "faster") &&
                      !strstr(s, "would help"),
                  "%s", s);
    pdl_stats_compute(idle, 3, &st);
    pdl_stats_sentence(&st, "threads", 3, s, sizeof(s));
    ck_assert_msg(strstr(s, "every task had a worker of its own, so more "
                            "workers would not help; the longest task "
                            "(600 ms) bounded the run") &&
                      strstr(s, "100% of the lower bound"),
                  "%s", s);
    /* Two workers for the three: idle 35 % of the time, but the 600 ms
     * task is (nearly) the whole run. */
    idle[2].start_ns = 100000000;
    idle[2].end_ns = 200000000;
    pdl_stats_compute(idle, 3, &st);
    pdl_stats_sentence(&st, "threads", 2, s, sizeof(s));
    ck_assert_msg(strstr(s, "workers sat idle 33% of the time, so more of "
                            "them would not help") &&
                      !strstr(s, "would help"),
                  "%s", s);
    /* Four tasks on one worker, each waiting: one at a time, and more
     * workers would help; no "1.0x faster". */
    struct pdl_result row[4];
    for (int i = 0; i < 4; i++)
        row[i] = (struct pdl_result){.start_ns = i * 100000000,
                                     .end_ns = (i + 1) * 100000000,
                                     .ttfb_us = 99000,
                                     .status = PDL_ST_OK};
    pdl_stats_compute(row, 4, &st);
    pdl_stats_sentence(&st, "serial", 1, s, sizeof(s));
    ck_assert_msg(strstr(s, "serial x1: 400 ms, one task at a time, 100% of "
                            "the lower bound") &&
                      strstr(s, "more workers would help") &&
                      !strstr(s, "faster"),
                  "%s", s);
}
END_TEST

static Suite *timeline_suite(void)
{
    Suite *s = suite_create("timeline");
    TCase *tc = tcase_create("io");

    tcase_add_test(tc, test_write_text);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_round_trip_loops);
    tcase_add_test(tc, test_round_trip_every_status);
    tcase_add_test(tc, test_round_trip_extremes);
    tcase_add_test(tc, test_write_long_row);
    tcase_add_test(tc, test_read_empty_list);
    tcase_add_test(tc, test_read_v3);
    tcase_add_test(tc, test_read_v4);
    tcase_add_test(tc, test_run_info_lists);
    tcase_add_test(tc, test_read_bad_connection);
    tcase_add_loop_test(tc, test_read_malformed, 0,
                        sizeof(bad_cases) / sizeof(bad_cases[0]));
    tcase_add_test(tc, test_read_small_err_buffer);
    tcase_add_test(tc, test_status_tokens);
    tcase_add_test(tc, test_result_empty);
    suite_add_tcase(s, tc);

    tc = tcase_create("stats");
    tcase_add_test(tc, test_stats_sample);
    tcase_add_test(tc, test_stats_connections);
    tcase_add_test(tc, test_stats_serial);
    tcase_add_test(tc, test_stats_back_to_back);
    tcase_add_test(tc, test_stats_four_overlap);
    tcase_add_test(tc, test_stats_pending_ignored);
    tcase_add_test(tc, test_stats_nothing_ran);
    tcase_add_test(tc, test_stats_zero_length);
    tcase_add_test(tc, test_stats_retry_not_setup);
    tcase_add_test(tc, test_sentence_honest);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(timeline_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
