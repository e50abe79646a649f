/* Unit tests for the progress display: the line for many snapshots at many
 * widths (exact for a few, invariants for all), the plain line, the choice
 * of style and colour, and the display thread drawing on a file and on a
 * pseudo-terminal 40 columns wide. */
#include "pdl/progress.h"

#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define BUF 512

static char *slurp(FILE *f);

/* The snapshot of the example: 148 of 400 done, 2 failed. */
static const struct pdl_progress_snapshot mid = {.done = 148,
                                                 .total = 400,
                                                 .failed = 2,
                                                 .bytes = 12897485,
                                                 .busy = 4,
                                                 .workers = 4,
                                                 .elapsed = 3.2,
                                                 .rate = 4299162,
                                                 .task_rate = 46.3};
static const struct pdl_progress_snapshot start = {
    .done = 0, .total = 400, .workers = 8, .elapsed = 0.1};
/* A run that --continue started with 100 tasks done already: 2 ran in
 * 10 s, too few for a pace; then 100. */
static const struct pdl_progress_snapshot resumed = {
    .done = 102, .total = 400, .skipped = 100, .workers = 8, .elapsed = 10};
static const struct pdl_progress_snapshot resumed_later = {
    .done = 200, .total = 400, .skipped = 100, .workers = 8, .elapsed = 10};
static const struct pdl_progress_snapshot end = {.done = 400,
                                                 .total = 400,
                                                 .bytes = 123456789,
                                                 .workers = 8,
                                                 .elapsed = 61,
                                                 .rate = 2000000,
                                                 .task_rate = 6.56};
/* Two 64 MiB files, both under way and half there, at 32 MiB/s: the
 * percent and the bar follow their bytes, the ETA the bytes left. */
static const struct pdl_progress_snapshot halfway = {.done = 0,
                                                     .total = 2,
                                                     .bytes = 67108864,
                                                     .busy = 2,
                                                     .workers = 2,
                                                     .elapsed = 2,
                                                     .rate = 33554432,
                                                     .live_got = 67108864,
                                                     .live_size = 134217728,
                                                     .live_sized = 2};
/* Two quick failures, then a body in flight that has not said its size:
 * the pace of the failures says nothing of it, so no ETA (not 0:00). */
static const struct pdl_progress_snapshot last_unsized = {.done = 2,
                                                          .total = 3,
                                                          .failed = 2,
                                                          .busy = 1,
                                                          .workers = 1,
                                                          .elapsed = 1,
                                                          .task_rate = 2};
/* One of three sized, the other two in flight without a size: the percent
 * counts the part of the sized one; the pace of tasks (half the list at
 * least) gives no ETA yet. */
static const struct pdl_progress_snapshot unsized = {.done = 1,
                                                     .total = 4,
                                                     .bytes = 3000,
                                                     .busy = 3,
                                                     .workers = 3,
                                                     .elapsed = 1,
                                                     .rate = 3000,
                                                     .task_rate = 1,
                                                     .live_got = 750,
                                                     .live_size = 1000,
                                                     .live_sized = 1};

/* The columns a line takes: its bytes less its colour codes. */
static int visible(const char *s)
{
    int cols = 0;

    while (*s) {
        if (*s == '\033') {
            s = strchr(s, 'm');
            if (!s)
                return INT_MAX; /* a code cut short */
            s++;
            continue;
        }
        cols++;
        s++;
    }
    return cols;
}

/* s without its colour codes, into out. */
static void strip(const char *s, char *out)
{
    while (*s) {
        if (*s == '\033') {
            s = strchr(s, 'm') + 1;
            continue;
        }
        *out++ = *s++;
    }
    *out = '\0';
}

static const struct {
    const struct pdl_progress_snapshot *s;
    int width;
    const char *want;
} exact[] = {
    {&mid, 40, " 37%  148/400  2 failed  ETA 0:05"},
    {&mid, 80,
     "[======>          ]  37%  148/400   12.3 MiB    4.1 MiB/s  2 failed  "
     "0:03 < 0:05"},
    {&mid, 200,
     "[==================>                               ]  37%  148/400 "
     "tasks   12.3 MiB    4.1 MiB/s  46.3 tasks/s  4/4 busy  2 failed  "
     "0:03 < 0:05"},
    {&start, 40, "[>            ]   0%    0/400  ETA --:--"},
    {&start, 80,
     "[>               ]   0%    0/400        0 B        0 B/s  0/8 busy  "
     "0:00 < --:--"},
    {&end, 40, "[==============] 100%  400/400  ETA 0:00"},
    {&end, 80,
     "[=================] 100%  400/400  117.7 MiB    1.9 MiB/s  0/8 busy  "
     "1:01 < 0:00"},
    {&end, 200,
     "[==================================================] 100%  400/400 "
     "tasks  117.7 MiB    1.9 MiB/s   6.6 tasks/s  0/8 busy  1:01 < 0:00"},
    {&halfway, 80,
     "[==========>          ]  50%  0/2   64.0 MiB   32.0 MiB/s  2/2 busy  "
     "0:02 < 0:02"},
    {&unsized, 80,
     "[========>           ]  43%  1/4    2.9 KiB    2.9 KiB/s  3/3 busy  "
     "0:01 < --:--"},
    /* Too narrow for the count: the percent alone, never half a number. */
    {&mid, 9, " 37%"},
    {&mid, 2, " 3"},
    {&mid, 0, ""},
};

START_TEST(test_format_exact)
{
    char buf[BUF];
    size_t n = pdl_progress_format(buf, sizeof(buf), exact[_i].s,
                                   exact[_i].width, false);

    ck_assert_str_eq(buf, exact[_i].want);
    ck_assert_uint_eq(n, strlen(buf));
}
END_TEST

START_TEST(test_format_color)
{
    char buf[BUF], plain[BUF], stripped[BUF];

    pdl_progress_format(buf, sizeof(buf), &mid, 80, true);
    pdl_progress_format(plain, sizeof(plain), &mid, 80, false);
    strip(buf, stripped);
    ck_assert_str_eq(stripped, plain);
    ck_assert_ptr_nonnull(strstr(buf, "\033[31m2 failed\033[0m"));
    ck_assert_ptr_nonnull(strstr(buf, "[\033[32m======\033[0m>"));
    /* No failures, nothing red; an empty bar, no empty colour pair. */
    pdl_progress_format(buf, sizeof(buf), &start, 80, true);
    ck_assert_ptr_null(strstr(buf, "\033[31m"));
    ck_assert_ptr_null(strstr(buf, "\033[32m\033[0m"));
}
END_TEST

/* Snapshots across the range: every combination of these. */
static const size_t totals[] = {0, 1, 7, 400, 123456, 4000000000u};
static const int64_t bytes[] = {0, 999999, 5000000000000LL, INT64_MAX};
static const unsigned workers[] = {1, 8, 1024};
static const double elapsed[] = {0, 59.99, 4000, 1e300};
static const double rates[] = {0, 1e9, 1e30};
/* Around every width where a field comes or goes for some snapshot. */
static const int widths[] = {0,  1,  2,  3,  4,  5,   8,   9,   12,  13, 17, 20,
                             25, 30, 35, 39, 40, 41,  45,  50,  55,  60, 65, 70,
                             75, 79, 80, 81, 90, 100, 120, 150, 200, 220};

/* Fills s with the combination numbered k; returns false past the last. */
static bool snapshot_nr(size_t k, struct pdl_progress_snapshot *s)
{
#define N(a) (sizeof(a) / sizeof(a[0]))
    size_t total = totals[k % N(totals)];
    size_t dones = k / N(totals) % 4;

    k /= N(totals) * 4;
    if (k >= N(bytes) * N(workers) * N(elapsed) * N(rates) * 2)
        return false;
    *s = (struct pdl_progress_snapshot){
        .total = total,
        .done = dones == 0   ? 0
                : dones == 1 ? total / 3
                : dones == 2 ? total - (total > 0)
                             : total,
        .bytes = bytes[k % N(bytes)],
        .workers = workers[k / N(bytes) % N(workers)],
        .elapsed = elapsed[k / N(bytes) / N(workers) % N(elapsed)],
        .rate = rates[k / N(bytes) / N(workers) / N(elapsed) % N(rates)],
    };
    s->busy = s->workers / 2;
    if (k / N(bytes) / N(workers) / N(elapsed) / N(rates) % 2)
        s->failed = s->done;
    return true;
#undef N
}

/* What is wrong with line, n bytes, drawn for s at width, or NULL. Plain
 * tests rather than ck_assert: check records every passing assertion, and
 * there are millions here. */
static const char *line_fault(const char *line, size_t n,
                              const struct pdl_progress_snapshot *s, int width)
{
    char count[64], pct[8];
    unsigned p = s->total == 0 || s->done >= s->total
                     ? 100
                     : (unsigned)(s->done * 100 / s->total);

    if (n != strlen(line))
        return "returned length is not the string's";
    if (visible(line) > width)
        return "wider than the terminal";
    if (strpbrk(line, "\n\r"))
        return "holds a line break";
    if (width != 40 && width != 80 && width != 200)
        return NULL;
    /* A total of 0 is one not known yet (a list still being read). */
    if (s->total)
        snprintf(count, sizeof(count), "%zu/%zu", s->done, s->total);
    else
        snprintf(count, sizeof(count), "%zu/?", s->done);
    if (s->total)
        snprintf(pct, sizeof(pct), "%u%%", p);
    else
        snprintf(pct, sizeof(pct), "?%%");
    if (!strstr(line, pct) || !strstr(line, count))
        return "lacks the percent or done/total";
    if (width >= 80 && s->failed > 0 && !strstr(line, " failed"))
        return "hides failures";
    return NULL;
}

START_TEST(test_format_invariants)
{
    struct pdl_progress_snapshot s;
    char buf[BUF];
    size_t cases = 0;

    for (size_t k = 0; snapshot_nr(k, &s); k++, cases++) {
        for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
            bool color = w % 2;
            size_t n =
                pdl_progress_format(buf, sizeof(buf), &s, widths[w], color);
            const char *fault = line_fault(buf, n, &s, widths[w]);

            if (fault)
                ck_abort_msg("snapshot %zu at width %d: %s: \"%s\"", k,
                             widths[w], fault, buf);
        }
    }
    ck_assert_uint_eq(cases, 6 * 4 * 4 * 3 * 4 * 3 * 2);
}
END_TEST

/* Cut short by the buffer: terminated, and a colour opened is closed. */
START_TEST(test_format_small_buffer)
{
    char buf[BUF];

    for (size_t size = 1; size < 40; size++) {
        size_t n;

        memset(buf, 'x', sizeof(buf));
        n = pdl_progress_format(buf, size, &mid, 200, true);
        ck_assert_uint_lt(n, size);
        ck_assert_uint_eq(strlen(buf), n);
        ck_assert_msg(!strstr(buf, "\033[32m") || strstr(buf, "\033[0m"),
                      "size %zu: colour left open: \"%s\"", size, buf);
    }
    ck_assert_uint_eq(pdl_progress_format(buf, 0, &mid, 200, true), 0);
    ck_assert_uint_eq(pdl_progress_format_plain(buf, 16, &mid), 15);
    ck_assert_uint_eq(strlen(buf), 15);
}
END_TEST

static const struct {
    const struct pdl_progress_snapshot *s;
    const char *want;
} plain_lines[] = {
    {&mid, "pdl: progress: 148/400 tasks (37%), 12.3 MiB, 4.1 MiB/s, "
           "46.3 tasks/s, 4/4 busy, 2 failed, elapsed 0:03, ETA 0:05"},
    {&start, "pdl: progress: 0/400 tasks (0%), 0 B, 0 B/s, 0.0 tasks/s, "
             "0/8 busy, 0 failed, elapsed 0:00, ETA --:--"},
    {&end, "pdl: progress: 400/400 tasks (100%), 117.7 MiB, 1.9 MiB/s, "
           "6.6 tasks/s, 0/8 busy, 0 failed, elapsed 1:01, ETA 0:00"},
    {&resumed, "pdl: progress: 102/400 tasks (25%), 0 B, 0 B/s, 0.0 tasks/s, "
               "0/8 busy, 0 failed, elapsed 0:10, ETA --:--"},
    {&resumed_later, "pdl: progress: 200/400 tasks (50%), 0 B, 0 B/s, "
                     "0.0 tasks/s, 0/8 busy, 0 failed, elapsed 0:10, "
                     "ETA 0:20"},
    {&halfway, "pdl: progress: 0/2 tasks (50%), 64.0 MiB, 32.0 MiB/s, "
               "0.0 tasks/s, 2/2 busy, 0 failed, elapsed 0:02, ETA 0:02"},
    {&last_unsized, "pdl: progress: 2/3 tasks (66%), 0 B, 0 B/s, "
                    "2.0 tasks/s, 1/1 busy, 2 failed, elapsed 0:01, "
                    "ETA --:--"},
    {&unsized, "pdl: progress: 1/4 tasks (43%), 2.9 KiB, 2.9 KiB/s, "
               "1.0 tasks/s, 3/3 busy, 0 failed, elapsed 0:01, ETA --:--"},
};

START_TEST(test_format_plain)
{
    char buf[BUF];
    size_t n = pdl_progress_format_plain(buf, sizeof(buf), plain_lines[_i].s);

    ck_assert_str_eq(buf, plain_lines[_i].want);
    ck_assert_uint_eq(n, strlen(buf));
}
END_TEST

START_TEST(test_format_json)
{
    struct pdl_progress_snapshot unknown = mid;
    char buf[BUF];
    size_t n;

    n = pdl_progress_format_json(buf, sizeof(buf), &mid);
    ck_assert_str_eq(
        buf, "{\"type\":\"progress\",\"elapsed\":3.200,\"done\":148,"
             "\"failed\":2,\"skipped\":0,\"total\":400,\"percent\":37.0,"
             "\"bytes\":12897485,\"bytes_in_flight\":0,\"size_in_flight\":0,"
             "\"in_flight\":4,\"workers\":4,\"rate\":4299162,"
             "\"task_rate\":46.30,\"eta\":5.4}");
    ck_assert_uint_eq(n, strlen(buf));
    pdl_progress_format_json(buf, sizeof(buf), &halfway);
    ck_assert_msg(strstr(buf, "\"percent\":50.0,\"bytes\":67108864,"
                              "\"bytes_in_flight\":67108864,"
                              "\"size_in_flight\":134217728,"),
                  "%s", buf);
    ck_assert_msg(strstr(buf, "\"eta\":2.0}"), "%s", buf);
    /* Not known yet: null, never 0. */
    unknown.total = 0;
    pdl_progress_format_json(buf, sizeof(buf), &unknown);
    ck_assert_msg(strstr(buf, "\"total\":null,\"percent\":null,"), "%s", buf);
    ck_assert_msg(strstr(buf, "\"eta\":null}"), "%s", buf);
    /* Cut short by the buffer: terminated, never past it. */
    ck_assert_uint_eq(pdl_progress_format_json(buf, 10, &mid), 9);
    ck_assert_uint_eq(strlen(buf), 9);
    ck_assert_uint_eq(pdl_progress_format_json(buf, 0, &mid), 0);
}
END_TEST

/* A task line: strings escaped (quote, backslash, control byte, a byte
 * that is not UTF-8), null for what there is not. */
START_TEST(test_json_task)
{
    FILE *f = tmpfile();
    char url[] = "http://h/a\"b\\c\td\xff?\xc3\xa9";
    struct pdl_task t = {.id = 7, .url = url, .name = NULL};
    struct pdl_result r = {.status = PDL_ST_HTTP,
                           .http = 503,
                           .bytes = 11,
                           .start_ns = 1000000,
                           .end_ns = 13000000,
                           .attempts = 2,
                           .worker = 3};
    char *text;

    ck_assert_ptr_nonnull(f);
    snprintf(r.error, sizeof(r.error), "HTTP 503");
    pdl_progress_json_task(f, &t, &r);
    t.name = "ok.bin";
    r = (struct pdl_result){.status = PDL_ST_OK, .http = 200};
    pdl_progress_json_task(f, &t, &r);
    text = slurp(f);
    ck_assert_str_eq(
        text, "{\"type\":\"task\",\"index\":7,"
              "\"url\":\"http://h/a\\\"b\\\\c\\u0009d\\ufffd?\xc3\xa9\","
              "\"file\":null,\"status\":\"http\",\"http\":503,\"bytes\":11,"
              "\"duration\":0.012000,\"attempts\":2,\"worker\":3,"
              "\"error\":\"HTTP 503\"}\n"
              "{\"type\":\"task\",\"index\":7,"
              "\"url\":\"http://h/a\\\"b\\\\c\\u0009d\\ufffd?\xc3\xa9\","
              "\"file\":\"ok.bin\",\"status\":\"ok\",\"http\":200,\"bytes\":0,"
              "\"duration\":0.000000,\"attempts\":0,\"worker\":0,"
              "\"error\":null}\n");
    fclose(f);
}
END_TEST

/* Units and times, read through the plain line. */
static const struct {
    int64_t bytes;
    double elapsed;
    size_t done;
    const char *bytes_want;
    const char *time_want;
} units[] = {
    {0, 0, 0, " 0 B,", "elapsed 0:00, ETA --:--"},
    {999, 59.99, 2, " 999 B,", "elapsed 0:59, ETA --:--"},
    {1000, 30, 199, " 1.0 KiB,", "elapsed 0:30, ETA 0:00"},
    {1023948, 60, 3, " 999.9 KiB,", "elapsed 1:00, ETA 1:05:40"},
    {1023949, 3599, 200, " 1.0 MiB,", "elapsed 59:59, ETA 0:00"},
    {12897485, 3600, 100, " 12.3 MiB,", "elapsed 1:00:00, ETA 1:00:00"},
    {1610612736, 10, 100, " 1.5 GiB,", "elapsed 0:10, ETA 0:10"},
    {INT64_MAX, 1e7, 1, " 8.0 EiB,", "elapsed 2777:46:40, ETA --:--"},
    {1, 360000, 199, " 1 B,", "elapsed 100:00:00, ETA 30:09"},
    {1, 360000, 1, " 1 B,", "elapsed 100:00:00, ETA --:--"},
};

START_TEST(test_units)
{
    struct pdl_progress_snapshot s = {.total = 200, .workers = 1};
    char buf[BUF];

    s.bytes = units[_i].bytes;
    s.elapsed = units[_i].elapsed;
    s.done = units[_i].done;
    pdl_progress_format_plain(buf, sizeof(buf), &s);
    ck_assert_msg(strstr(buf, units[_i].bytes_want), "%s", buf);
    ck_assert_msg(strstr(buf, units[_i].time_want), "%s", buf);
}
END_TEST

START_TEST(test_parse)
{
    static const struct {
        const char *s;
        bool ok;
        enum pdl_progress_style want;
    } cases[] = {
        {"bar", true, PDL_PROGRESS_BAR},    {"plain", true, PDL_PROGRESS_PLAIN},
        {"none", true, PDL_PROGRESS_NONE},  {"auto", false, PDL_PROGRESS_AUTO},
        {"json", true, PDL_PROGRESS_JSON},  {"JSON", false, PDL_PROGRESS_AUTO},
        {"", false, PDL_PROGRESS_AUTO},     {"Bar", false, PDL_PROGRESS_AUTO},
        {"bar ", false, PDL_PROGRESS_AUTO}, {"bars", false, PDL_PROGRESS_AUTO},
        {NULL, false, PDL_PROGRESS_AUTO},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum pdl_progress_style st = PDL_PROGRESS_AUTO;

        ck_assert_msg(pdl_progress_parse(cases[i].s, &st) == cases[i].ok,
                      "parse \"%s\"", cases[i].s ? cases[i].s : "(null)");
        ck_assert_int_eq(st, cases[i].want);
    }
}
END_TEST

START_TEST(test_resolve_and_color)
{
    static const struct {
        enum pdl_progress_style style;
        bool tty;
        enum pdl_progress_style want;
    } cases[] = {
        {PDL_PROGRESS_AUTO, true, PDL_PROGRESS_BAR},
        {PDL_PROGRESS_AUTO, false, PDL_PROGRESS_NONE},
        {PDL_PROGRESS_BAR, true, PDL_PROGRESS_BAR},
        {PDL_PROGRESS_BAR, false, PDL_PROGRESS_PLAIN},
        {PDL_PROGRESS_PLAIN, true, PDL_PROGRESS_PLAIN},
        {PDL_PROGRESS_PLAIN, false, PDL_PROGRESS_PLAIN},
        {PDL_PROGRESS_NONE, true, PDL_PROGRESS_NONE},
        {PDL_PROGRESS_NONE, false, PDL_PROGRESS_NONE},
        {PDL_PROGRESS_JSON, true, PDL_PROGRESS_JSON},
        {PDL_PROGRESS_JSON, false, PDL_PROGRESS_JSON},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        ck_assert_int_eq(pdl_progress_resolve(cases[i].style, cases[i].tty),
                         cases[i].want);
    ck_assert(pdl_progress_use_color(PDL_PROGRESS_BAR, NULL));
    ck_assert(pdl_progress_use_color(PDL_PROGRESS_BAR, ""));
    ck_assert(!pdl_progress_use_color(PDL_PROGRESS_BAR, "1"));
    ck_assert(!pdl_progress_use_color(PDL_PROGRESS_BAR, "0"));
    ck_assert(!pdl_progress_use_color(PDL_PROGRESS_PLAIN, NULL));
    ck_assert(!pdl_progress_use_color(PDL_PROGRESS_NONE, NULL));
    ck_assert(!pdl_progress_use_color(PDL_PROGRESS_JSON, NULL));
}
END_TEST

/* Counters of a run of 10 tasks on 3 workers, 4 done (1 failed), 2 busy. */
static struct pdl_counters *busy_board(void)
{
    struct pdl_counters *b = calloc(1, sizeof(*b));

    ck_assert_ptr_nonnull(b);
    pdl_counters_init(b);
    b->workers = 3;
    atomic_store(&b->total, 10);
    atomic_store(&b->done, 4);
    atomic_store(&b->failed, 1);
    atomic_store(&b->bytes, 5120);
    atomic_store(&b->inflight, 2);
    return b;
}

START_TEST(test_snapshot)
{
    struct pdl_counters *b = busy_board();
    struct pdl_progress_snapshot s;
    pdl_monotime t0 = 1000000000;

    pdl_progress_snapshot_take(b, t0, t0 + 2500000000LL, &s);
    ck_assert_uint_eq(s.done, 4);
    ck_assert_uint_eq(s.total, 10);
    ck_assert_uint_eq(s.failed, 1);
    ck_assert_int_eq(s.bytes, 5120);
    ck_assert_uint_eq(s.busy, 2);
    ck_assert_uint_eq(s.workers, 3);
    ck_assert_double_eq_tol(s.elapsed, 2.5, 1e-9);
    ck_assert_double_eq_tol(s.rate, 2048, 1e-6);
    ck_assert_uint_eq(s.skipped, 0);
    /* Not counted yet: total 0, shown as "?". */
    atomic_store(&b->total, 0);
    pdl_progress_snapshot_take(b, t0, t0 + 2500000000LL, &s);
    ck_assert_uint_eq(s.total, 0);
    atomic_store(&b->total, 10);
    /* A clock read before t0 is no time at all. */
    pdl_progress_snapshot_take(b, t0, t0 - 5, &s);
    ck_assert_double_eq(s.elapsed, 0);
    ck_assert_double_eq(s.rate, 0);
    free(b);
}
END_TEST

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Reads what was written to f since its start. */
static char *slurp(FILE *f)
{
    static char text[1 << 16];
    size_t n;

    fflush(f);
    rewind(f);
    n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    return text;
}

START_TEST(test_start_none_on_file)
{
    struct pdl_counters *b = busy_board();
    FILE *f = tmpfile();

    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_null(pdl_progress_start(b, PDL_PROGRESS_AUTO, f, pdl_now()));
    ck_assert_ptr_null(pdl_progress_start(b, PDL_PROGRESS_NONE, f, pdl_now()));
    pdl_progress_stop(NULL);
    ck_assert_str_eq(slurp(f), "");
    fclose(f);
    free(b);
}
END_TEST

/* Waits, up to 10 s, until the file f holds a whole line: the display
 * thread draws on its own schedule, which a loaded machine or a sanitizer
 * may delay well past its 100 ms tick. */
static bool wait_for_line(FILE *f)
{
    const struct timespec step = {0, 10 * 1000 * 1000};
    char buf[1024];

    for (int i = 0; i < 1000; i++) {
        /* pread leaves the stream's own offset to the writer. */
        ssize_t n = pread(fileno(f), buf, sizeof(buf) - 1, 0);

        if (n > 0 && memchr(buf, '\n', (size_t)n))
            return true;
        nanosleep(&step, NULL);
    }
    return false;
}

/* Checks that the rate at the start of text ("2.1 KiB/s, ...") is bytes
 * over an elapsed time between lo and hi ns, as shown to one decimal. */
static void assert_average_rate(const char *text, double bytes, pdl_monotime lo,
                                pdl_monotime hi)
{
    double v = 0, slack = 0.5;
    char unit[8] = "";

    ck_assert_msg(sscanf(text, "%lf %7[A-Za-z]/s", &v, unit) == 2, "%s", text);
    if (strcmp(unit, "KiB") == 0) {
        v *= 1024;
        slack = 0.05 * 1024;
    } else {
        ck_assert_msg(strcmp(unit, "B") == 0, "%s", text);
    }
    ck_assert_msg(v >= bytes / ((double)hi / 1e9) - slack &&
                      v <= bytes / ((double)lo / 1e9) + slack,
                  "rate %s is not %.0f B over %.3f..%.3f s", text, bytes,
                  (double)lo / 1e9, (double)hi / 1e9);
}

START_TEST(test_plain_on_file)
{
    static const char last[] = "pdl: progress: 10/10 tasks (100%), 5.0 KiB, ";
    struct pdl_counters *b = busy_board();
    FILE *f = tmpfile();
    /* Started as if 2 s into the run, at 40%: one line at the step. */
    pdl_monotime t0 = pdl_now() - 2000000000LL, before, after;
    struct pdl_progress *p = pdl_progress_start(b, PDL_PROGRESS_BAR, f, t0);
    char *text;

    ck_assert_ptr_nonnull(p);
    ck_assert_msg(wait_for_line(f), "no line drawn in 10 s");
    atomic_store(&b->done, 10);
    before = pdl_now();
    pdl_progress_stop(p);
    after = pdl_now();
    text = slurp(f);
    ck_assert_ptr_null(strchr(text, '\r'));
    ck_assert_ptr_null(strchr(text, '\033'));
    ck_assert_msg(starts_with(text, "pdl: progress: 4/10 tasks (40%), "
                                    "5.0 KiB, "),
                  "%s", text);
    text = strchr(text, '\n');
    ck_assert_ptr_nonnull(text);
    /* The last line, with the average rate: 5 KiB over the run's time,
     * some 2 s and however long the line took to come. */
    ck_assert_msg(starts_with(text + 1, last), "%s", text + 1);
    assert_average_rate(text + 1 + strlen(last), 5120, before - t0, after - t0);
    ck_assert_ptr_nonnull(strstr(text, "ETA 0:00\n"));
    ck_assert_str_eq(strchr(text + 1, '\n'), "\n"); /* two lines, no more */
    fclose(f);
    free(b);
}
END_TEST

/* Tasks --continue skipped are counted once at the start and kept out of
 * the pace: 5 skipped and 1 run is too little for an ETA. */
START_TEST(test_plain_skipped)
{
    struct pdl_counters *b = busy_board();
    FILE *f = tmpfile();
    struct pdl_progress *p;
    const struct timespec wait = {0, 250 * 1000 * 1000};
    char *text;

    atomic_store(&b->failed, 0);
    atomic_store(&b->skipped, 5);
    atomic_store(&b->done, 6);
    p = pdl_progress_start(b, PDL_PROGRESS_PLAIN, f, pdl_now() - 2000000000LL);
    ck_assert_ptr_nonnull(p);
    nanosleep(&wait, NULL);
    pdl_progress_stop(p);
    text = slurp(f);
    ck_assert_msg(starts_with(text, "pdl: progress: 6/10 tasks (60%), "), "%s",
                  text);
    ck_assert_msg(strstr(text, ", ETA --:--\n"), "%s", text);
    fclose(f);
    free(b);
}
END_TEST

/* JSON lines on a file (on a terminal too: no bar): progress lines from the
 * thread, a task line and a message line between them, and a last progress
 * line for the end; nothing else. */
START_TEST(test_json_on_file)
{
    struct pdl_counters *b = busy_board();
    FILE *f = tmpfile();
    struct pdl_progress *p;
    struct pdl_task t = {.id = 4, .url = "http://h/x"};
    struct pdl_result r = {.status = PDL_ST_OK, .http = 200};
    size_t progress = 0, tasks = 0, messages = 0;
    char *text, *line, *last = NULL;

    p = pdl_progress_start(b, PDL_PROGRESS_JSON, f, pdl_now());
    ck_assert_ptr_nonnull(p);
    ck_assert_msg(wait_for_line(f), "no line in 10 s");
    ck_assert(pdl_progress_task(p, &t, &r));
    ck_assert(!pdl_progress_task(NULL, &t, &r));
    pdl_progress_say(p, f, "pdl: a \"word\"");
    atomic_store(&b->done, 10);
    pdl_progress_stop(p);
    text = slurp(f);
    ck_assert_ptr_null(strchr(text, '\r'));
    ck_assert_ptr_null(strchr(text, '\033'));
    for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (starts_with(line, "{\"type\":\"progress\","))
            progress++, last = line;
        else if (starts_with(line, "{\"type\":\"task\",\"index\":4,"))
            tasks++;
        else if (strcmp(line, "{\"type\":\"message\","
                              "\"text\":\"pdl: a \\\"word\\\"\"}") == 0)
            messages++;
        else
            ck_abort_msg("not a line of ours: %s", line);
        ck_assert_int_eq(line[strlen(line) - 1], '}');
    }
    ck_assert_uint_ge(progress, 2);
    ck_assert_uint_eq(tasks, 1);
    ck_assert_uint_eq(messages, 1);
    ck_assert_msg(strstr(last, "\"done\":10,") && strstr(last, "\"eta\":0.0}"),
                  "%s", last);
    fclose(f);
    free(b);
}
END_TEST

/* Opens a pseudo-terminal cols wide; *master is the side a person sees. */
static FILE *open_pty(int cols, int *master)
{
    struct winsize ws = {.ws_row = 24, .ws_col = (unsigned short)cols};
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    int s;

    ck_assert_int_ge(m, 0);
    ck_assert_int_eq(grantpt(m), 0);
    ck_assert_int_eq(unlockpt(m), 0);
    s = open(ptsname(m), O_RDWR | O_NOCTTY);
    ck_assert_int_ge(s, 0);
    ck_assert_int_eq(ioctl(s, TIOCSWINSZ, &ws), 0);
    *master = m;
    return fdopen(s, "w");
}

/* Everything the terminal received, without blocking. */
static size_t read_pty(int master, char *buf, size_t size)
{
    struct pollfd pfd = {.fd = master, .events = POLLIN};
    size_t n = 0;

    while (n + 1 < size && poll(&pfd, 1, 50) > 0) {
        ssize_t r = read(master, buf + n, size - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    return n;
}

START_TEST(test_bar_on_pty)
{
    static char seen[1 << 16];
    struct pdl_counters *b = busy_board();
    int master;
    FILE *out = open_pty(40, &master);
    struct pdl_progress *p;
    size_t n = 0, frames = 0;

    setenv("NO_COLOR", "1", 1);
    setenv("TERM", "xterm", 1);
    p = pdl_progress_start(b, PDL_PROGRESS_AUTO, out, pdl_now());
    ck_assert_ptr_nonnull(p);
    /* Until a first whole frame shows (within 10 s: the thread draws on
     * its own schedule, late on a loaded machine), then the erase. */
    for (int i = 0; i < 200 && !strstr(seen, "ETA"); i++)
        n += read_pty(master, seen + n, sizeof(seen) - n);
    ck_assert_msg(strstr(seen, "ETA"), "no frame drawn in 10 s");
    pdl_progress_stop(p);
    n += read_pty(master, seen + n, sizeof(seen) - n);
    ck_assert_uint_gt(n, 0);
    ck_assert_ptr_null(strchr(seen, '\n'));
    ck_assert_ptr_null(strstr(seen, "\033[3"));
    /* Each frame: \r, erase below, at most 37 columns. */
    for (char *f = strstr(seen, "\r\033[J"); f; f = strstr(f + 1, "\r\033[J")) {
        char *next = strchr(f + 1, '\r');

        ck_assert_int_le((next ? next - f : (long)strlen(f)) - 4, 37);
        frames++;
    }
    ck_assert_uint_ge(frames, 2); /* at least one frame, then the erase */
    ck_assert_msg(strstr(seen, "\r\033[J 40%   4/10  1 failed  ETA 0:0"), "%s",
                  seen);
    ck_assert_str_eq(seen + n - 4, "\r\033[J");
    unsetenv("NO_COLOR");
    fclose(out);
    close(master);
    free(b);
}
END_TEST

/* Reads the terminal until it has received want (up to 10 s: the thread
 * draws on its own schedule), appending to seen at *n. */
static bool read_until(int master, char *seen, size_t size, size_t *n,
                       const char *want)
{
    for (int i = 0; i < 200 && !strstr(seen, want); i++)
        *n += read_pty(master, seen + *n, size - *n);
    return strstr(seen, want) != NULL;
}

/* TERM=dumb: frames redrawn with '\r' and spaces alone, not one escape
 * byte, no colour even without NO_COLOR; the end leaves a blank line. */
START_TEST(test_dumb_terminal)
{
    static char seen[1 << 16];
    struct pdl_counters *b = busy_board();
    int master;
    FILE *out = open_pty(80, &master);
    struct pdl_progress *p;
    size_t n = 0;

    unsetenv("NO_COLOR");
    setenv("TERM", "dumb", 1);
    ck_assert(pdl_progress_dumb("dumb"));
    ck_assert(!pdl_progress_dumb("xterm"));
    ck_assert(!pdl_progress_dumb(NULL));
    p = pdl_progress_start(b, PDL_PROGRESS_BAR, out, pdl_now());
    ck_assert_ptr_nonnull(p);
    ck_assert_msg(read_until(master, seen, sizeof(seen), &n, "failed"),
                  "no frame drawn in 10 s");
    /* A line said above it is written over the frame with spaces. */
    pdl_progress_say(p, out, "pdl: a failure");
    ck_assert(read_until(master, seen, sizeof(seen), &n, "failure"));
    atomic_store(&b->done, 5);
    ck_assert_msg(read_until(master, seen, sizeof(seen), &n, " 50%"), "%s",
                  seen);
    pdl_progress_stop(p);
    n += read_pty(master, seen + n, sizeof(seen) - n);
    ck_assert_msg(!memchr(seen, '\033', n), "escape byte sent: %s", seen);
    ck_assert_ptr_nonnull(strstr(seen, "\r[")); /* a bar, redrawn */
    /* The failure starts a clean line: the frame was covered. */
    ck_assert_msg(strstr(seen, "     \rpdl: a failure\r\n"), "%s", seen);
    ck_assert_int_eq(seen[n - 1], '\r');
    unsetenv("TERM");
    fclose(out);
    close(master);
    free(b);
}
END_TEST

/* A terminal made narrower than the frame on it: that frame has wrapped
 * over several rows where the terminal reflows, so the next one goes up
 * to its first row and erases everything below before drawing, and fits
 * the new width. */
START_TEST(test_shrunk_terminal)
{
    static char seen[1 << 16];
    struct winsize ws = {.ws_row = 24, .ws_col = 30};
    struct pdl_counters *b = busy_board();
    int master;
    FILE *out = open_pty(120, &master);
    struct pdl_progress *p;
    size_t n = 0;
    char *up, *next;

    setenv("NO_COLOR", "1", 1);
    setenv("TERM", "xterm", 1);
    p = pdl_progress_start(b, PDL_PROGRESS_BAR, out, pdl_now());
    ck_assert_ptr_nonnull(p);
    ck_assert_msg(read_until(master, seen, sizeof(seen), &n, "busy"),
                  "no wide frame in 10 s: %s", seen);
    ck_assert_int_eq(ioctl(fileno(out), TIOCSWINSZ, &ws), 0);
    /* The wide frame took some 100 columns: 4 rows at 30. */
    ck_assert_msg(read_until(master, seen, sizeof(seen), &n, "A\r\033[J"),
                  "no rewind after the shrink: %s", seen);
    pdl_progress_stop(p);
    n += read_pty(master, seen + n, sizeof(seen) - n);
    up = strstr(seen, "A\r\033[J");
    ck_assert_msg(up[-2] == '[' && up[-1] >= '2' && up[-1] <= '4' &&
                      up[-3] == '\033',
                  "%s", up - 3);
    next = strchr(up + 2, '\r');
    ck_assert_ptr_nonnull(next);
    ck_assert_int_le(next - (up + 4), 27);
    unsetenv("NO_COLOR");
    unsetenv("TERM");
    fclose(out);
    close(master);
    free(b);
}
END_TEST

START_TEST(test_quick_run_leaves_no_trace)
{
    struct pdl_counters *b = busy_board();
    int master;
    FILE *out = open_pty(80, &master);
    char seen[256];

    pdl_progress_stop(pdl_progress_start(b, PDL_PROGRESS_BAR, out, pdl_now()));
    ck_assert_uint_eq(read_pty(master, seen, sizeof(seen)), 0);
    fclose(out);
    close(master);
    free(b);
}
END_TEST

static Suite *progress_suite(void)
{
    Suite *s = suite_create("progress");
    TCase *tc = tcase_create("format");

    tcase_add_loop_test(tc, test_format_exact, 0,
                        sizeof(exact) / sizeof(exact[0]));
    tcase_add_test(tc, test_format_color);
    tcase_add_test(tc, test_format_small_buffer);
    tcase_add_loop_test(tc, test_format_plain, 0,
                        sizeof(plain_lines) / sizeof(plain_lines[0]));
    tcase_add_loop_test(tc, test_units, 0, sizeof(units) / sizeof(units[0]));
    tcase_add_test(tc, test_parse);
    tcase_add_test(tc, test_resolve_and_color);
    tcase_add_test(tc, test_snapshot);
    tcase_add_test(tc, test_format_json);
    tcase_add_test(tc, test_json_task);
    suite_add_tcase(s, tc);

    /* Some 235 000 lines: under a second, ten or more under a sanitizer. */
    tc = tcase_create("sweep");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_format_invariants);
    suite_add_tcase(s, tc);

    tc = tcase_create("display");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_start_none_on_file);
    tcase_add_test(tc, test_plain_on_file);
    tcase_add_test(tc, test_plain_skipped);
    tcase_add_test(tc, test_bar_on_pty);
    tcase_add_test(tc, test_json_on_file);
    tcase_add_test(tc, test_dumb_terminal);
    tcase_add_test(tc, test_shrunk_terminal);
    tcase_add_test(tc, test_quick_run_leaves_no_trace);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(progress_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
