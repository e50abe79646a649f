/* Unit tests for the exports: exact JSON lines, Chrome trace events nested
 * on their worker's track, HAR dates and timings, format names, and export
 * from a timeline file agreeing with a direct export. */
#include "pdl/export.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MS 1000000LL /* nanoseconds */

/* ok; HTTP 500 with every phase; DNS failure without a response; never
 * run; a URL with a quote, a backslash and a query, on a reused
 * connection (no dns, no connect). */
static const struct pdl_result sample[] = {
    {.start_ns = 500 * MS,
     .end_ns = 750 * MS,
     .dns_us = 12,
     .connect_us = 345,
     .ttfb_us = 100001,
     .bytes = 1000,
     .worker = 0,
     .http = 200,
     .attempts = 1,
     .status = PDL_ST_OK,
     .conn = 40001,
     .new_conn = 1,
     .http_version = 11,
     .remote_ip = "10.0.0.1",
     .remote_port = 80,
     .file = "a.txt",
     .content_type = "text/plain; charset=utf-8"},
    {.start_ns = 5 * MS,
     .end_ns = 1500 * MS,
     .dns_us = 1,
     .connect_us = 2,
     .tls_us = 3,
     .ttfb_us = 4,
     .bytes = 17,
     .worker = 1,
     .http = 500,
     .attempts = 2,
     .status = PDL_ST_HTTP,
     .error = "HTTP 500",
     .conn = 40002,
     .new_conn = 1,
     .http_version = 20,
     .remote_ip = "::1",
     .remote_port = 443,
     .effective_url = "https://h/c",
     .content_type = "text/html"},
    {.start_ns = 2000001000,
     .end_ns = 3999999000,
     .worker = 1,
     .attempts = 1,
     .status = PDL_ST_DNS,
     .error = "Could not resolve host: nosuch.invalid"},
    {.status = PDL_ST_PENDING},
    {.start_ns = 1000 * MS,
     .end_ns = 1200 * MS,
     .ttfb_us = 50000,
     .bytes = 5,
     .worker = 0,
     .http = 200,
     .attempts = 1,
     .status = PDL_ST_OK,
     .conn = 40001,
     .http_version = 11,
     .remote_ip = "10.0.0.1",
     .remote_port = 80},
};

static const char *const sample_urls[] = {
    "http://h/a.txt",
    "https://h/b?x=1",
    "http://nosuch.invalid/",
    "http://h/never",
    "http://h/q\"uo\\te?a=1&b=x",
};

#define NSAMPLE (sizeof(sample) / sizeof(sample[0]))

static const struct pdl_run_info sample_info = {
    .mode = "threads",
    .workers = 4,
    .started = "2024-05-01T12:34:56Z",
    .epoch = 1714566896.250001,
    .host = "box1",
    .version = "0.1.0",
};

/* The export of n results as a string the caller frees. */
static char *export_of(enum pdl_export_format fmt,
                       const struct pdl_run_info *info,
                       const struct pdl_result *r, const char *const *urls,
                       size_t n)
{
    char *buf = NULL;
    size_t len;
    FILE *out = open_memstream(&buf, &len);

    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(pdl_export_write(out, fmt, info, r, urls, n), PDL_OK);
    ck_assert_int_eq(fclose(out), 0);
    return buf;
}

static char *export_sample(enum pdl_export_format fmt)
{
    return export_of(fmt, &sample_info, sample, sample_urls, NSAMPLE);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;

    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The number after key on a line, which must be there. */
static double num_after(const char *line, const char *key)
{
    const char *p = strstr(line, key);

    ck_assert_msg(p != NULL, "%s not in %s", key, line);
    return strtod(p + strlen(key), NULL);
}

/* Copies line number i (from 0) of text into buf. */
static void line_of(const char *text, size_t i, char *buf, size_t bufsz)
{
    const char *p = text;

    for (; i > 0; i--) {
        p = strchr(p, '\n');
        ck_assert_ptr_nonnull(p);
        p++;
    }
    size_t len = strcspn(p, "\n");
    ck_assert_uint_lt(len, bufsz);
    memcpy(buf, p, len);
    buf[len] = '\0';
}

/* ---- JSON lines ---- */

START_TEST(test_jsonl_lines)
{
    char *buf = export_sample(PDL_EXPORT_JSONL);
    char line[1024];

    ck_assert_uint_eq(count(buf, "\n"), NSAMPLE);
    ck_assert_int_eq(buf[strlen(buf) - 1], '\n');
    line_of(buf, 0, line, sizeof(line));
    ck_assert_str_eq(
        line, "{\"id\":0,\"worker\":0,\"start\":0.500000,\"end\":0.750000,"
              "\"dns\":0.000012,\"connect\":0.000345,\"tls\":0.000000,"
              "\"ttfb\":0.100001,\"bytes\":1000,\"http\":200,\"status\":\"ok\","
              "\"attempts\":1,\"attempt_start\":0.500000,"
              "\"url\":\"http://h/a.txt\",\"rank\":0,\"host\":\"box1\","
              "\"conn\":40001,\"new_conn\":1,\"http_version\":\"1.1\","
              "\"remote\":\"10.0.0.1:80\",\"file\":\"a.txt\","
              "\"effective_url\":\"http://h/a.txt\","
              "\"content_type\":\"text/plain; charset=utf-8\"}");
    line_of(buf, 1, line, sizeof(line));
    ck_assert_str_eq(
        line,
        "{\"id\":1,\"worker\":1,\"start\":0.005000,\"end\":1.500000,"
        "\"dns\":0.000001,\"connect\":0.000002,\"tls\":0.000003,"
        "\"ttfb\":0.000004,\"bytes\":17,\"http\":500,\"status\":\"http\","
        "\"attempts\":2,\"attempt_start\":0.005000,"
        "\"url\":\"https://h/b?x=1\",\"error\":\"HTTP 500\","
        "\"rank\":0,\"host\":\"box1\","
        "\"conn\":40002,\"new_conn\":1,\"http_version\":\"2\","
        "\"remote\":\"[::1]:443\",\"file\":null,"
        "\"effective_url\":\"https://h/c\",\"content_type\":\"text/html\"}");
    line_of(buf, 2, line, sizeof(line));
    ck_assert_str_eq(
        line, "{\"id\":2,\"worker\":1,\"start\":2.000001,\"end\":3.999999,"
              "\"dns\":0.000000,\"connect\":0.000000,\"tls\":0.000000,"
              "\"ttfb\":0.000000,\"bytes\":0,\"http\":0,\"status\":\"dns\","
              "\"attempts\":1,\"attempt_start\":2.000001,"
              "\"url\":\"http://nosuch.invalid/\","
              "\"error\":\"Could not resolve host: nosuch.invalid\","
              "\"rank\":0,\"host\":\"box1\","
              "\"conn\":0,\"new_conn\":0,\"http_version\":null,"
              "\"remote\":null,\"file\":null,"
              "\"effective_url\":\"http://nosuch.invalid/\","
              "\"content_type\":null}");
    line_of(buf, 3, line, sizeof(line));
    ck_assert_ptr_nonnull(strstr(line, "\"status\":\"not-run\""));
    ck_assert_ptr_null(strstr(line, "\"error\""));
    /* Never started: no URL was reached. */
    ck_assert_ptr_nonnull(strstr(line, "\"effective_url\":null,"));
    line_of(buf, 4, line, sizeof(line));
    ck_assert_ptr_nonnull(
        strstr(line, ",\"url\":\"http://h/q\\\"uo\\\\te?a=1&b=x\",\"rank\":0,"
                     "\"host\":\"box1\",\"conn\":40001,\"new_conn\":0,"));
    free(buf);
}
END_TEST

/* Quotes, backslashes and control bytes escaped; UTF-8 passed through; an
 * error text filling its whole array is not read past. */
START_TEST(test_json_escaping)
{
    struct pdl_result r[2] = {
        {.status = PDL_ST_ERROR,
         .attempts = 1,
         .error = "a\"b\\c\td\x01\x1f\x7f \xc3\xa9"},
        {.status = PDL_ST_ERROR, .attempts = 1},
    };
    const char *urls[] = {"http://h/\xe2\x82\xac\n", "http://h/x"};
    char *buf, want[sizeof(r[1].error) + 32];

    memset(r[1].error, 'e', sizeof(r[1].error));
    buf = export_of(PDL_EXPORT_JSONL, &sample_info, r, urls, 2);
    snprintf(want, sizeof(want), "\"error\":\"%.*s\",\"rank\":0,",
             (int)sizeof(r[1].error), r[1].error);
    ck_assert_ptr_nonnull(strstr(
        buf, "\"error\":\"a\\\"b\\\\c\\u0009d\\u0001\\u001f\x7f \xc3\xa9\","
             "\"rank\":0"));
    ck_assert_ptr_nonnull(
        strstr(buf, "\"url\":\"http://h/\xe2\x82\xac\\u000a\""));
    ck_assert_ptr_nonnull(strstr(buf, want));
    free(buf);
}
END_TEST

/* Bytes that are not UTF-8 (a raw byte in a URL, a sequence cut short, an
 * overlong form, a surrogate) become U+FFFD: the document stays JSON. */
START_TEST(test_json_invalid_utf8)
{
    struct pdl_result r[1] = {{.status = PDL_ST_OK, .attempts = 1}};
    const char *urls[] = {
        "http://h/\xff\xc3(\xc0\xaf\xed\xa0\x80\xf0\x9f\x98\x80"};
    char *buf = export_of(PDL_EXPORT_JSONL, &sample_info, r, urls, 1);

    ck_assert_msg(strstr(buf, "\"url\":\"http://h/\\ufffd\\ufffd(\\ufffd\\ufffd"
                              "\\ufffd\\ufffd\\ufffd\xf0\x9f\x98\x80\""),
                  "%s", buf);
    free(buf);
}
END_TEST

/* ---- Chrome trace ---- */

struct slice {
    long long ts, dur, tid, id;
    bool phase;
};

/* The "X" events of a trace, one per line as the writer puts them. */
static size_t slices_of(const char *buf, struct slice *s, size_t max)
{
    char line[1024];
    size_t n = 0, lines = count(buf, "\n");

    for (size_t i = 0; i < lines; i++) {
        line_of(buf, i, line, sizeof(line));
        if (!strstr(line, "\"ph\":\"X\""))
            continue;
        ck_assert_uint_lt(n, max);
        s[n].ts = (long long)num_after(line, "\"ts\":");
        s[n].dur = (long long)num_after(line, "\"dur\":");
        s[n].tid = (long long)num_after(line, "\"tid\":");
        s[n].id = (long long)num_after(line, "\"args\":{\"id\":");
        s[n].phase = strstr(line, "\"cat\":\"phase\"") != NULL;
        n++;
    }
    return n;
}

START_TEST(test_chrome_metadata)
{
    char *buf = export_sample(PDL_EXPORT_CHROME);

    ck_assert_ptr_nonnull(strstr(buf, "{\"traceEvents\":[\n"));
    ck_assert_ptr_nonnull(strstr(
        buf, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,"
             "\"args\":{\"name\":\"pdl threads\"}}"));
    /* Every worker of the run gets its track, even those that ran nothing. */
    ck_assert_uint_eq(count(buf, "\"name\":\"thread_name\""), 4);
    ck_assert_uint_eq(count(buf, "\"name\":\"thread_sort_index\""), 4);
    ck_assert_ptr_nonnull(strstr(
        buf, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":3,"
             "\"args\":{\"name\":\"worker 3\"}}"));
    ck_assert_ptr_nonnull(strstr(
        buf, "{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":1,\"tid\":2,"
             "\"args\":{\"sort_index\":2}}"));
    ck_assert_ptr_nonnull(strstr(
        buf,
        "\n],\n\"displayTimeUnit\":\"ms\",\n\"otherData\":{\"mode\":"
        "\"threads\",\"workers\":4,\"tasks\":5,\"started\":"
        "\"2024-05-01T12:34:56Z\",\"host\":\"box1\",\"pdl\":\"0.1.0\"}}\n"));
    free(buf);
}
END_TEST

START_TEST(test_chrome_tasks)
{
    char *buf = export_sample(PDL_EXPORT_CHROME);

    ck_assert_ptr_nonnull(strstr(
        buf, "{\"name\":\"/a.txt\",\"cat\":\"task\",\"ph\":\"X\",\"ts\":500000,"
             "\"dur\":250000,\"pid\":1,\"tid\":0,\"args\":{\"id\":0,"
             "\"url\":\"http://h/a.txt\",\"http\":200,\"status\":\"ok\","
             "\"bytes\":1000,\"attempts\":1}}"));
    ck_assert_ptr_nonnull(strstr(
        buf, "{\"name\":\"/b?x=1\",\"cat\":\"failed\",\"ph\":\"X\",\"ts\":5000,"
             "\"dur\":1495000,\"pid\":1,\"tid\":1,\"args\":{\"id\":1,"
             "\"url\":\"https://h/b?x=1\",\"http\":500,\"status\":\"http\","
             "\"bytes\":17,\"attempts\":2,\"error\":\"HTTP 500\"}}"));
    /* A URL whose path is "/" is shown whole. */
    ck_assert_ptr_nonnull(strstr(
        buf,
        "{\"name\":\"http://nosuch.invalid/\",\"cat\":\"failed\",\"ph\":\"X\","
        "\"ts\":2000001,\"dur\":1999998,"));
    ck_assert_ptr_nonnull(strstr(buf, "{\"name\":\"/q\\\"uo\\\\te?a=1&b=x\","));
    ck_assert_ptr_null(strstr(buf, "never"));
    ck_assert_ptr_nonnull(strstr(
        buf, "{\"name\":\"wait\",\"cat\":\"phase\",\"ph\":\"X\",\"ts\":500345,"
             "\"dur\":99656,\"pid\":1,\"tid\":0,\"args\":{\"id\":0}}"));
    ck_assert_ptr_nonnull(strstr(
        buf,
        "{\"name\":\"transfer\",\"cat\":\"phase\",\"ph\":\"X\",\"ts\":600001,"
        "\"dur\":149999,"));
    ck_assert_ptr_nonnull(strstr(
        buf, "{\"name\":\"tls\",\"cat\":\"phase\",\"ph\":\"X\",\"ts\":5002,"
             "\"dur\":1,"));
    free(buf);
}
END_TEST

/* Phases lie inside their task, on its track, one after another. */
START_TEST(test_chrome_nesting)
{
    char *buf = export_sample(PDL_EXPORT_CHROME);
    struct slice s[32];
    size_t n = slices_of(buf, s, 32), tasks = 0;
    long long covered[NSAMPLE] = {0};

    /* 4 started tasks; phases: 4 + 5 + 0 + 2. */
    ck_assert_uint_eq(n, 4 + 11);
    for (size_t i = 0; i < n; i++) {
        if (!s[i].phase) {
            tasks++;
            continue;
        }
        const struct slice *t = NULL;
        for (size_t j = 0; j < n; j++)
            if (!s[j].phase && s[j].id == s[i].id)
                t = &s[j];
        ck_assert_ptr_nonnull(t);
        ck_assert_int_eq(s[i].tid, t->tid);
        ck_assert_int_ge(s[i].ts, t->ts);
        ck_assert_int_ge(s[i].dur, 0);
        ck_assert_int_le(s[i].ts + s[i].dur, t->ts + t->dur);
        covered[s[i].id] += s[i].dur;
    }
    ck_assert_uint_eq(tasks, 4);
    /* Phases from the start to the end of a task that got a response. */
    ck_assert_int_eq(covered[0], 250000);
    ck_assert_int_eq(covered[1], 1495000);
    ck_assert_int_eq(covered[4], 200000);
    free(buf);
}
END_TEST

/* A worker beyond the run's count still gets a named track, once. */
START_TEST(test_chrome_extra_worker)
{
    struct pdl_run_info info = sample_info;
    struct pdl_result r[2] = {
        {.end_ns = MS, .worker = 7, .status = PDL_ST_OK},
        {.start_ns = MS, .end_ns = 2 * MS, .worker = 7, .status = PDL_ST_OK},
    };
    const char *urls[] = {"http://h/1", "http://h/2"};
    char *buf;

    info.workers = 1;
    buf = export_of(PDL_EXPORT_CHROME, &info, r, urls, 2);
    ck_assert_uint_eq(count(buf, "\"name\":\"thread_name\""), 2);
    ck_assert_ptr_nonnull(strstr(buf, "\"args\":{\"name\":\"worker 0\"}"));
    ck_assert_ptr_nonnull(strstr(buf, "\"args\":{\"name\":\"worker 7\"}"));
    free(buf);
}
END_TEST

/* ---- HAR ---- */

/* Both a and b occur in text, a first. */
static void assert_before(const char *text, const char *a, const char *b)
{
    const char *pa = strstr(text, a), *pb = strstr(text, b);

    ck_assert_msg(pa && pb && pa < pb, "%s not before %s", a, b);
}

START_TEST(test_har_log)
{
    char *buf = export_sample(PDL_EXPORT_HAR);

    ck_assert_ptr_nonnull(strstr(
        buf, "{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"pdl\","
             "\"version\":\"" PDL_VERSION "\"},\n"
             "\"pages\":[{\"startedDateTime\":\"2024-05-01T12:34:56.250Z\","
             "\"id\":\"run\",\"title\":\"pdl threads \xc3\x97 4\","
             "\"pageTimings\":{\"onContentLoad\":-1,\"onLoad\":3999.999}}],\n"
             "\"entries\":[\n"));
    ck_assert_uint_eq(count(buf, "{\"pageref\":\"run\","), 4);
    /* Entries in start order, as HAR prefers. */
    assert_before(buf, "\"_pdl_id\":1,", "\"_pdl_id\":0,");
    assert_before(buf, "\"_pdl_id\":0,", "\"_pdl_id\":4,");
    assert_before(buf, "\"_pdl_id\":4,", "\"_pdl_id\":2,");
    ck_assert_ptr_null(strstr(buf, "never"));
    ck_assert_ptr_nonnull(strstr(buf, "\n]}}\n"));
    free(buf);
}
END_TEST

START_TEST(test_har_entries)
{
    char *buf = export_sample(PDL_EXPORT_HAR);

    ck_assert_ptr_nonnull(strstr(
        buf,
        "{\"pageref\":\"run\",\"startedDateTime\":"
        "\"2024-05-01T12:34:56.750Z\",\"time\":250.000,"
        "\"request\":{\"method\":\"GET\",\"url\":\"http://h/a.txt\","
        "\"httpVersion\":\"HTTP/1.1\",\"cookies\":[],\"headers\":[],"
        "\"queryString\":[],\"headersSize\":-1,\"bodySize\":0},"
        "\"response\":{\"status\":200,\"statusText\":\"\","
        "\"httpVersion\":\"HTTP/1.1\",\"cookies\":[],\"headers\":[],"
        "\"content\":{\"size\":1000,"
        "\"mimeType\":\"text/plain; charset=utf-8\"},\"redirectURL\":\"\","
        "\"headersSize\":-1,\"bodySize\":1000},\"cache\":{},"
        "\"timings\":{\"blocked\":-1,\"dns\":0.012,\"connect\":0.333,"
        "\"ssl\":-1,\"send\":0,\"wait\":99.656,\"receive\":149.999},"
        "\"serverIPAddress\":\"10.0.0.1\",\"connection\":\"40001\","
        "\"_pdl_id\":0,\"_pdl_worker\":0,\"_pdl_status\":\"ok\","
        "\"_pdl_attempts\":1,\"_pdl_error\":\"\",\"_pdl_file\":\"a.txt\"}"));
    /* The URL a redirect reached. */
    ck_assert_ptr_nonnull(
        strstr(buf, "\"_pdl_effective_url\":\"https://h/c\"}"));
    /* The version spoken, the connection and the server's address. */
    ck_assert_ptr_nonnull(
        strstr(buf, "\"url\":\"https://h/b?x=1\",\"httpVersion\":\"HTTP/2\","));
    ck_assert_ptr_nonnull(strstr(buf, "\"response\":{\"status\":500,"
                                      "\"statusText\":\"\","
                                      "\"httpVersion\":\"HTTP/2\","));
    ck_assert_ptr_nonnull(
        strstr(buf, "\"serverIPAddress\":\"::1\",\"connection\":\"40002\","));
    /* connect includes ssl. */
    ck_assert_ptr_nonnull(strstr(
        buf, "\"timings\":{\"blocked\":-1,\"dns\":0.001,\"connect\":0.002,"
             "\"ssl\":0.001,\"send\":0,\"wait\":0.001,\"receive\":1494.996},"));
    /* No response: status 0, all the time spent waiting, and why. */
    ck_assert_ptr_nonnull(strstr(
        buf,
        "\"startedDateTime\":\"2024-05-01T12:34:58.250Z\",\"time\":1999.998,"));
    ck_assert_ptr_nonnull(
        strstr(buf, "\"response\":{\"status\":0,\"statusText\":\"\","
                    "\"httpVersion\":\"\","));
    ck_assert_ptr_nonnull(strstr(
        buf, "\"timings\":{\"blocked\":-1,\"dns\":-1,\"connect\":-1,\"ssl\":-1,"
             "\"send\":0,\"wait\":1999.998,\"receive\":0.000},\"_pdl_id\":2,"
             "\"_pdl_worker\":1,\"_pdl_status\":\"dns\",\"_pdl_attempts\":1,"
             "\"_pdl_error\":\"Could not resolve host: nosuch.invalid\","
             "\"_pdl_file\":null}"));
    free(buf);
}
END_TEST

/* A task retried after a back-off: the time before its final attempt is
 * HAR's "blocked" and a trace slice of its own, never DNS. The final
 * attempt reused its connection: its DNS ended 20 us into it. */
START_TEST(test_retry_not_dns)
{
    struct pdl_result r[1] = {{.start_ns = 100 * MS,
                               .end_ns = 200 * MS,
                               .attempt_ns = 185 * MS,
                               .dns_us = 85020,
                               .ttfb_us = 95000,
                               .bytes = 10,
                               .http = 200,
                               .attempts = 2,
                               .status = PDL_ST_OK}};
    const char *urls[] = {"http://h/x"};
    char *har = export_of(PDL_EXPORT_HAR, &sample_info, r, urls, 1);
    char *trace = export_of(PDL_EXPORT_CHROME, &sample_info, r, urls, 1);

    ck_assert_msg(strstr(har, "\"timings\":{\"blocked\":85.000,\"dns\":0.020,"
                              "\"connect\":-1,\"ssl\":-1,\"send\":0,"
                              "\"wait\":9.980,\"receive\":5.000}"),
                  "%s", har);
    ck_assert_ptr_nonnull(strstr(trace,
                                 "{\"name\":\"retry\",\"cat\":\"phase\","
                                 "\"ph\":\"X\",\"ts\":100000,\"dur\":85000,"));
    ck_assert_ptr_nonnull(strstr(trace,
                                 "{\"name\":\"dns\",\"cat\":\"phase\","
                                 "\"ph\":\"X\",\"ts\":185000,\"dur\":20,"));
    free(har);
    free(trace);
}
END_TEST

START_TEST(test_har_query)
{
    char *buf = export_sample(PDL_EXPORT_HAR);
    struct pdl_result r = {.end_ns = MS, .status = PDL_ST_OK};
    const char *urls[] = {"http://h/p?&k&=v&a=b=c&&z=#f?x=1&y=2"};
    char *odd = export_of(PDL_EXPORT_HAR, &sample_info, &r, urls, 1);

    ck_assert_ptr_nonnull(strstr(
        buf,
        "\"url\":\"http://h/q\\\"uo\\\\te?a=1&b=x\",\"httpVersion\":"
        "\"HTTP/1.1\",\"cookies\":[],\"headers\":[],\"queryString\":["
        "{\"name\":\"a\",\"value\":\"1\"},{\"name\":\"b\",\"value\":\"x\"}],"));
    ck_assert_ptr_nonnull(
        strstr(buf, "\"queryString\":[{\"name\":\"x\",\"value\":\"1\"}]"));
    /* Empty pieces skipped, the first '=' splits, the fragment is not sent. */
    ck_assert_ptr_nonnull(
        strstr(odd, "\"url\":\"http://h/p?&k&=v&a=b=c&&z=\",\"httpVersion\""));
    ck_assert_ptr_nonnull(strstr(
        odd,
        "\"queryString\":[{\"name\":\"k\",\"value\":\"\"},"
        "{\"name\":\"\",\"value\":\"v\"},{\"name\":\"a\",\"value\":\"b=c\"},"
        "{\"name\":\"z\",\"value\":\"\"}],"));
    free(odd);
    free(buf);
}
END_TEST

/* dns + connect + send + wait + receive (where not -1) is the time. */
START_TEST(test_har_timings_sum)
{
    char *buf = export_sample(PDL_EXPORT_HAR);
    static const char *const parts[] = {
        "\"dns\":", "\"connect\":", "\"send\":", "\"wait\":", "\"receive\":"};
    char line[2048];
    size_t lines = count(buf, "\n"), entries = 0;

    for (size_t i = 0; i < lines; i++) {
        line_of(buf, i, line, sizeof(line));
        if (!strstr(line, "\"pageref\""))
            continue;
        double sum = 0, time = num_after(line, "\"time\":");
        for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++) {
            double v = num_after(strstr(line, "\"timings\""), parts[k]);
            ck_assert(v == -1 || v >= 0);
            sum += v < 0 ? 0 : v;
        }
        ck_assert_double_eq_tol(sum, time, 0.0005);
        entries++;
    }
    ck_assert_uint_eq(entries, 4);
    free(buf);
}
END_TEST

/* A timeline from before epoch= dates the run by started=. */
START_TEST(test_har_no_epoch)
{
    struct pdl_run_info info = sample_info;
    char *buf;

    info.epoch = 0;
    buf = export_of(PDL_EXPORT_HAR, &info, sample, sample_urls, NSAMPLE);
    ck_assert_ptr_nonnull(strstr(
        buf, "\"pages\":[{\"startedDateTime\":\"2024-05-01T12:34:56.000Z\""));
    ck_assert_ptr_nonnull(
        strstr(buf, "\"startedDateTime\":\"2024-05-01T12:34:56.500Z\""));
    free(buf);
}
END_TEST

START_TEST(test_empty_run)
{
    char *jsonl = export_of(PDL_EXPORT_JSONL, &sample_info, NULL, NULL, 0);
    char *har = export_of(PDL_EXPORT_HAR, &sample_info, NULL, NULL, 0);
    char *trace = export_of(PDL_EXPORT_CHROME, &sample_info, NULL, NULL, 0);

    ck_assert_str_eq(jsonl, "");
    ck_assert_ptr_nonnull(strstr(har, "\"entries\":[\n]}}\n"));
    ck_assert_uint_eq(count(trace, "\"ph\":\"X\""), 0);
    ck_assert_uint_eq(count(trace, "\"name\":\"thread_name\""), 4);
    free(jsonl);
    free(har);
    free(trace);
}
END_TEST

START_TEST(test_write_error)
{
    FILE *out = fopen("/dev/full", "w");

    ck_assert_ptr_nonnull(out);
    errno = 0;
    ck_assert_int_eq(pdl_export_write(out, PDL_EXPORT_HAR, &sample_info, sample,
                                      sample_urls, NSAMPLE),
                     PDL_ERR_IO);
    ck_assert_int_eq(errno, ENOSPC);
    fclose(out);
    ck_assert_int_eq(pdl_export_write(stdout, (enum pdl_export_format)9,
                                      &sample_info, sample, sample_urls, 0),
                     PDL_ERR_USAGE);
}
END_TEST

/* ---- format names ---- */

static const struct {
    const char *path;
    bool found;
    enum pdl_export_format fmt;
} name_cases[] = {
    {"t.jsonl", true, PDL_EXPORT_JSONL},
    {"out/run.JSONL", true, PDL_EXPORT_JSONL},
    {"t.har", true, PDL_EXPORT_HAR},
    {"/tmp/x.y.Har", true, PDL_EXPORT_HAR},
    {"t.json", true, PDL_EXPORT_REPORT},
    {"run.JSON", true, PDL_EXPORT_REPORT},
    {"t.trace.json", true, PDL_EXPORT_CHROME},
    {"t.Trace.JSON", true, PDL_EXPORT_CHROME},
    {"t.trace", false, 0},
    {"trace.json", true, PDL_EXPORT_REPORT},
    {"t.tsv", false, 0},
    {"t", false, 0},
    {"", false, 0},
    {"jsonl", false, 0},
    {"har", false, 0},
    {"t.har.txt", false, 0},
    {"t.jsonx", false, 0},
    {"t_json", false, 0},
    {"t.har/", false, 0},
};

START_TEST(test_format_for)
{
    enum pdl_export_format fmt = (enum pdl_export_format)99;
    bool found = pdl_export_format_for(name_cases[_i].path, &fmt);

    ck_assert_msg(found == name_cases[_i].found, "%s", name_cases[_i].path);
    if (found)
        ck_assert_int_eq(fmt, name_cases[_i].fmt);
    else
        ck_assert_int_eq(fmt, 99);
}
END_TEST

START_TEST(test_format_ext)
{
    enum pdl_export_format fmt;

    for (int f = PDL_EXPORT_JSONL; f <= PDL_EXPORT_REPORT; f++) {
        char name[32];
        snprintf(name, sizeof(name), "x.%s", pdl_export_format_ext(f));
        ck_assert(pdl_export_format_for(name, &fmt));
        ck_assert_int_eq(fmt, f);
    }
}
END_TEST

/* *.json is the document --json writes, byte for byte: one format per
 * extension. */
START_TEST(test_report_format)
{
    char *doc = export_sample(PDL_EXPORT_REPORT), *buf = NULL;
    size_t len;
    FILE *out = open_memstream(&buf, &len);

    ck_assert_int_eq(
        pdl_export_report(out, &sample_info, sample, sample_urls, NSAMPLE),
        PDL_OK);
    fclose(out);
    ck_assert_str_eq(doc, buf);
    ck_assert_ptr_nonnull(strstr(doc, "\"summary\":{"));
    ck_assert_ptr_null(strstr(doc, "traceEvents"));
    free(doc);
    free(buf);
}
END_TEST

/* ---- from a timeline file ---- */

static char tmpdir[64];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/pdl-export-test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    static const char *const names[] = {"t.tsv",        "bad.tsv", "t.jsonl",
                                        "t.trace.json", "t.har",   "x.har"};
    char path[128];

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
        unlink(path);
    }
    rmdir(tmpdir);
}

static void tmp_path(char *buf, size_t bufsz, const char *name)
{
    snprintf(buf, bufsz, "%s/%s", tmpdir, name);
}

static void write_timeline(const char *path, const struct pdl_result *r,
                           size_t n)
{
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(pdl_timeline_write(f, &sample_info, r, sample_urls, n),
                     PDL_OK);
    ck_assert_int_eq(fclose(f), 0);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n;

    ck_assert_ptr_nonnull(f);
    n = getdelim(&buf, &cap, '\0', f);
    ck_assert_int_ge(n, 0);
    fclose(f);
    return buf;
}

/* Whole exports compared, failing with where they first differ (check
 * cannot carry a message as long as a whole file). */
static void assert_same(const char *got, const char *want)
{
    size_t i = 0;

    while (got[i] && got[i] == want[i])
        i++;
    ck_assert_msg(got[i] == want[i],
                  "differ at byte %zu: got \"%.40s\", want \"%.40s\"", i,
                  got + i, want + i);
}

/* Exporting a timeline gives what exporting its run gave; the timeline keeps
 * error texts but for tabs and line breaks, which become spaces. */
START_TEST(test_file_matches_direct)
{
    static const char *const outs[] = {"t.jsonl", "t.trace.json", "t.har"};
    static const enum pdl_export_format fmts[] = {
        PDL_EXPORT_JSONL, PDL_EXPORT_CHROME, PDL_EXPORT_HAR};
    struct pdl_result r[NSAMPLE];
    char tsv[128], out[128], err[256];

    memcpy(r, sample, sizeof(r));
    for (size_t i = 0; i < NSAMPLE; i++)
        for (size_t k = 0; k < sizeof(r[i].error) && r[i].error[k]; k++)
            if (strchr("\t\n\r", r[i].error[k]))
                r[i].error[k] = ' ';
    tmp_path(tsv, sizeof(tsv), "t.tsv");
    write_timeline(tsv, sample, NSAMPLE);
    for (size_t k = 0; k < 3; k++) {
        tmp_path(out, sizeof(out), outs[k]);
        ck_assert_int_eq(pdl_export_file(tsv, out, err, sizeof(err)), PDL_OK);
        char *got = slurp(out);
        char *want = export_of(fmts[k], &sample_info, r, sample_urls, NSAMPLE);
        assert_same(got, want);
        free(got);
        free(want);
    }
}
END_TEST

/* Nanoseconds ending in exactly 500 round the same way on both paths. */
START_TEST(test_file_rounding)
{
    struct pdl_result r[NSAMPLE];
    char tsv[128], out[128], err[256];

    for (size_t i = 0; i < NSAMPLE; i++) {
        r[i] = (struct pdl_result){.start_ns = (int64_t)i * 1234567500LL + 500,
                                   .end_ns =
                                       (int64_t)i * 1234567500LL + 7654321500LL,
                                   .ttfb_us = 3,
                                   .worker = (int32_t)i,
                                   .http = 200,
                                   .attempts = 1,
                                   .status = PDL_ST_OK};
    }
    tmp_path(tsv, sizeof(tsv), "t.tsv");
    write_timeline(tsv, r, NSAMPLE);
    tmp_path(out, sizeof(out), "t.har");
    ck_assert_int_eq(pdl_export_file(tsv, out, err, sizeof(err)), PDL_OK);
    char *got = slurp(out);
    char *want =
        export_of(PDL_EXPORT_HAR, &sample_info, r, sample_urls, NSAMPLE);
    assert_same(got, want);
    free(got);
    free(want);
}
END_TEST

/* "-" reads the timeline from stdin (check runs each test in its own
 * process, so replacing stdin here touches no other test). */
START_TEST(test_file_stdin)
{
    char tsv[128], out[128], err[256];

    tmp_path(tsv, sizeof(tsv), "t.tsv");
    write_timeline(tsv, sample, NSAMPLE);
    ck_assert_ptr_nonnull(freopen(tsv, "r", stdin));
    tmp_path(out, sizeof(out), "t.jsonl");
    ck_assert_int_eq(pdl_export_file("-", out, err, sizeof(err)), PDL_OK);
    char *got = slurp(out);
    ck_assert_uint_eq(count(got, "\n"), NSAMPLE);
    free(got);
    /* At its end now: an empty timeline, named as stdin. */
    ck_assert_int_eq(pdl_export_file("-", out, err, sizeof(err)),
                     PDL_ERR_FORMAT);
    ck_assert_str_eq(err, "(stdin): line 0: empty file");
}
END_TEST

START_TEST(test_file_missing)
{
    char tsv[128], out[128], err[256], want[300];

    tmp_path(tsv, sizeof(tsv), "nosuch.tsv");
    tmp_path(out, sizeof(out), "x.har");
    ck_assert_int_eq(pdl_export_file(tsv, out, err, sizeof(err)), PDL_ERR_IO);
    snprintf(want, sizeof(want), "%s: No such file or directory", tsv);
    ck_assert_str_eq(err, want);
    ck_assert_int_ne(access(out, F_OK), 0);
}
END_TEST

START_TEST(test_file_bad_timeline)
{
    char tsv[128], out[128], err[256], want[300];
    FILE *f;

    tmp_path(tsv, sizeof(tsv), "bad.tsv");
    f = fopen(tsv, "w");
    ck_assert_ptr_nonnull(f);
    fputs("# pdl-timeline 3\n" PDL_TIMELINE_HEADER_V3 "\n0\t0\tx\n", f);
    fclose(f);
    tmp_path(out, sizeof(out), "x.har");
    ck_assert_int_eq(pdl_export_file(tsv, out, err, sizeof(err)),
                     PDL_ERR_FORMAT);
    snprintf(want, sizeof(want), "%s: line 3: ", tsv);
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
    ck_assert_int_ne(access(out, F_OK), 0);
}
END_TEST

START_TEST(test_file_bad_out)
{
    char tsv[128], out[128], err[256], want[300];

    tmp_path(tsv, sizeof(tsv), "t.tsv");
    write_timeline(tsv, sample, NSAMPLE);
    tmp_path(out, sizeof(out), "t.txt");
    ck_assert_int_eq(pdl_export_file(tsv, out, err, sizeof(err)),
                     PDL_ERR_USAGE);
    snprintf(want, sizeof(want), "%s: ", out);
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);

    tmp_path(out, sizeof(out), "no/such/dir/t.har");
    ck_assert_int_eq(pdl_export_file(tsv, out, err, sizeof(err)), PDL_ERR_IO);
    snprintf(want, sizeof(want), "%s: No such file or directory", out);
    ck_assert_str_eq(err, want);
}
END_TEST

static Suite *export_suite(void)
{
    Suite *s = suite_create("export");
    TCase *tc = tcase_create("formats");

    tcase_add_test(tc, test_jsonl_lines);
    tcase_add_test(tc, test_json_escaping);
    tcase_add_test(tc, test_json_invalid_utf8);
    tcase_add_test(tc, test_retry_not_dns);
    tcase_add_test(tc, test_chrome_metadata);
    tcase_add_test(tc, test_chrome_tasks);
    tcase_add_test(tc, test_chrome_nesting);
    tcase_add_test(tc, test_chrome_extra_worker);
    tcase_add_test(tc, test_har_log);
    tcase_add_test(tc, test_har_entries);
    tcase_add_test(tc, test_har_query);
    tcase_add_test(tc, test_har_timings_sum);
    tcase_add_test(tc, test_har_no_epoch);
    tcase_add_test(tc, test_empty_run);
    tcase_add_test(tc, test_write_error);
    suite_add_tcase(s, tc);

    tc = tcase_create("names");
    tcase_add_loop_test(tc, test_format_for, 0,
                        sizeof(name_cases) / sizeof(name_cases[0]));
    tcase_add_test(tc, test_format_ext);
    tcase_add_test(tc, test_report_format);
    suite_add_tcase(s, tc);

    tc = tcase_create("file");
    tcase_add_checked_fixture(tc, make_tmpdir, remove_tmpdir);
    tcase_add_test(tc, test_file_matches_direct);
    tcase_add_test(tc, test_file_rounding);
    tcase_add_test(tc, test_file_stdin);
    tcase_add_test(tc, test_file_missing);
    tcase_add_test(tc, test_file_bad_timeline);
    tcase_add_test(tc, test_file_bad_out);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(export_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
