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

/* The snapshot of the example: 148 of 400 done, 2 failed. */
static const struct pdl_progress_snapshot mid = {.done = 148,
                                                 .total = 400,
                                                 .failed = 2,
                                                 .bytes = 12897485,
                                                 .busy = 4,
                                                 .workers = 4,
                                                 .elapsed = 3.2,
                                                 .rate = 4299162};
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
                                                 .rate = 2000000};

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
     "tasks   12.3 MiB    4.1 MiB/s  4/4 busy  2 failed  0:03 < 0:05"},
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
     "tasks  117.7 MiB    1.9 MiB/s  0/8 busy  1:01 < 0:00"},
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
    {&mid, "pdl: progress: 148/400 tasks (37%), 12.3 MiB, 4.1 MiB/s, 4/4 busy, "
           "2 failed, elapsed 0:03, ETA 0:05"},
    {&start, "pdl: progress: 0/400 tasks (0%), 0 B, 0 B/s, 0/8 busy, "
             "0 failed, elapsed 0:00, ETA --:--"},
    {&end, "pdl: progress: 400/400 tasks (100%), 117.7 MiB, 1.9 MiB/s, "
           "0/8 busy, 0 failed, elapsed 1:01, ETA 0:00"},
    {&resumed, "pdl: progress: 102/400 tasks (25%), 0 B, 0 B/s, 0/8 busy, "
               "0 failed, elapsed 0:10, ETA --:--"},
    {&resumed_later, "pdl: progress: 200/400 tasks (50%), 0 B, 0 B/s, "
                     "0/8 busy, 0 failed, elapsed 0:10, ETA 0:20"},
};

START_TEST(test_format_plain)
{
    char buf[BUF];
    size_t n = pdl_progress_format_plain(buf, sizeof(buf), plain_lines[_i].s);

    ck_assert_str_eq(buf, plain_lines[_i].want);
    ck_assert_uint_eq(n, strlen(buf));
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
    p = pdl_progress_start(b, PDL_PROGRESS_AUTO, out, pdl_now());
    ck_assert_ptr_nonnull(p);
    /* Until a first whole frame shows (within 10 s: the thread draws on
     * its own schedule, late on a loaded machine), then the erase. */
    for (int i = 0; i < 200 && !strstr(seen, "\033[K"); i++)
        n += read_pty(master, seen + n, sizeof(seen) - n);
    ck_assert_msg(strstr(seen, "\033[K"), "no frame drawn in 10 s");
    pdl_progress_stop(p);
    n += read_pty(master, seen + n, sizeof(seen) - n);
    ck_assert_uint_gt(n, 0);
    ck_assert_ptr_null(strchr(seen, '\n'));
    ck_assert_ptr_null(strstr(seen, "\033[3"));
    /* Each frame: \r, at most 37 columns, erase to the end of the line. */
    for (char *f = strchr(seen, '\r'); f; f = strchr(f + 1, '\r')) {
        char *erase = strstr(f, "\033[K");

        ck_assert_ptr_nonnull(erase);
        ck_assert_int_le(erase - f - 1, 37);
        frames++;
    }
    ck_assert_uint_ge(frames, 2); /* at least one frame, then the erase */
    ck_assert_msg(strstr(seen, "\r 40%   4/10  1 failed  ETA 0:0"), "%s", seen);
    ck_assert_str_eq(seen + n - 4, "\r\033[K");
    unsetenv("NO_COLOR");
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
