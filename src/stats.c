/* Statistics of a run drawn from its result records: counts, makespan,
 * concurrency, where the time went, and one sentence that reads them. */
#include "pdl/stats.h"
#include "pdl/hist.h"
#include "pdl/util.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double secs(int64_t ns)
{
    return (double)ns / 1e9;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* Most intervals open at one instant. Ends are encoded as even numbers and
 * starts as odd ones, so that at equal times an end sorts first: a task that
 * starts exactly when another ends does not overlap it. A task of zero
 * length still ends after its own start. */
static unsigned max_overlap(pdl_result_at_fn *at, const void *ctx, size_t n)
{
    int64_t *ev = pdl_xcalloc(2 * n + 1, sizeof(*ev));
    size_t k = 0;
    unsigned cur = 0, best = 0;
    struct pdl_result tmp;

    for (size_t i = 0; i < n; i++) {
        const struct pdl_result *r = at(ctx, i, &tmp);
        if (r->status == PDL_ST_PENDING || r->status == PDL_ST_SKIPPED)
            continue;
        ev[k++] = r->start_ns * 2 + 1;
        ev[k++] = r->end_ns > r->start_ns ? r->end_ns * 2 : r->start_ns * 2 + 2;
    }
    qsort(ev, k, sizeof(*ev), cmp_i64);
    for (size_t i = 0; i < k; i++) {
        if (ev[i] & 1) {
            if (++cur > best)
                best = cur;
        } else if (cur > 0) {
            cur--;
        }
    }
    free(ev);
    return best;
}

/* Adds where r's time went: earlier attempts and their back-off, setting
 * up (DNS, connect, TLS), waiting for the first byte, and receiving the
 * body. Phase ends count from the task's start; the final attempt's
 * phases begin where the earlier attempts ended. */
static void add_phases(const struct pdl_result *r, struct pdl_stats *st)
{
    double total = secs(r->end_ns - r->start_ns);
    double retry =
        r->attempt_ns > r->start_ns ? secs(r->attempt_ns - r->start_ns) : 0;
    double setup = (double)r->dns_us;
    double first = (double)r->ttfb_us / 1e6;

    if (retry > total)
        retry = total;
    st->retrying += retry;
    if (r->connect_us > setup)
        setup = (double)r->connect_us;
    if (r->tls_us > setup)
        setup = (double)r->tls_us;
    setup /= 1e6;
    if (first == 0) {
        st->other += total - retry; /* no response: lost to the failure */
        return;
    }
    setup = setup > retry ? setup - retry : 0;
    first = first > retry ? first - retry : 0;
    st->setup += setup;
    st->waiting += first > setup ? first - setup : 0;
    st->receiving += total - retry > first ? total - retry - first : 0;
}

/* Counts r's connection as opened or reused, and the version it spoke. */
static void add_connection(const struct pdl_result *r, struct pdl_stats *st)
{
    static const int32_t versions[] = {10, 11, 20, 30};

    if (r->conn > 0 && r->new_conn)
        st->conns_opened++;
    else if (r->conn > 0)
        st->conns_reused++;
    for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
        if (r->http_version == versions[i])
            st->by_version[i]++;
}

struct pdl_stats_acc {
    struct pdl_stats st;
    int64_t last, busy, longest; /* ns */
    struct pdl_hist hist;
};

struct pdl_stats_acc *pdl_stats_acc_create(void)
{
    struct pdl_stats_acc *a = pdl_xcalloc(1, sizeof(*a));

    pdl_hist_init(&a->hist);
    return a;
}

void pdl_stats_acc_destroy(struct pdl_stats_acc *a)
{
    free(a);
}

/* Keeps task id among the slowest, longest first. */
static void note_slow(struct pdl_stats *st, size_t id, double d,
                      const char *url)
{
    size_t j = st->nslowest < PDL_SLOWEST ? st->nslowest++ : PDL_SLOWEST;

    while (j > 0 && st->slowest_s[j - 1] < d) {
        if (j < PDL_SLOWEST) {
            st->slowest[j] = st->slowest[j - 1];
            st->slowest_s[j] = st->slowest_s[j - 1];
            memcpy(st->slowest_url[j], st->slowest_url[j - 1],
                   sizeof(st->slowest_url[j]));
        }
        j--;
    }
    if (j >= PDL_SLOWEST)
        return;
    st->slowest[j] = id;
    st->slowest_s[j] = d;
    snprintf(st->slowest_url[j], sizeof(st->slowest_url[j]), "%s",
             url ? url : "");
}

void pdl_stats_acc_add(struct pdl_stats_acc *a, size_t id,
                       const struct pdl_result *r, const char *url)
{
    struct pdl_stats *st = &a->st;
    int64_t d = r->end_ns - r->start_ns;

    st->tasks++;
    if (pdl_result_ok(r))
        st->ok++;
    else
        st->failed++;
    st->bytes += r->bytes;
    if ((unsigned)r->status < PDL_ST_COUNT)
        st->by_status[r->status]++;
    if (r->status == PDL_ST_PENDING || r->status == PDL_ST_SKIPPED)
        return;
    a->busy += d;
    if (r->end_ns > a->last)
        a->last = r->end_ns;
    if (d > a->longest)
        a->longest = d;
    add_phases(r, st);
    add_connection(r, st);
    pdl_hist_add(&a->hist, d / 1000);
    note_slow(st, id, secs(d), url);
}

void pdl_stats_acc_get(const struct pdl_stats_acc *a, struct pdl_stats *st)
{
    *st = a->st;
    st->longest = secs(a->longest);
    st->wall = secs(a->last);
    st->busy = secs(a->busy);
    st->concurrency = st->wall > 0 ? st->busy / st->wall : 0;
    st->p50 = pdl_hist_quantile(&a->hist, 0.50) / 1e6;
    st->p95 = pdl_hist_quantile(&a->hist, 0.95) / 1e6;
}

void pdl_stats_compute_each(pdl_result_at_fn *at, const void *ctx, size_t n,
                            struct pdl_stats *st)
{
    struct pdl_stats_acc *a = pdl_stats_acc_create();
    struct pdl_result tmp;

    for (size_t i = 0; i < n; i++)
        pdl_stats_acc_add(a, i, at(ctx, i, &tmp), NULL);
    pdl_stats_acc_get(a, st);
    pdl_stats_acc_destroy(a);
    st->max_overlap = max_overlap(at, ctx, n);
}

static const struct pdl_result *array_at(const void *ctx, size_t i,
                                         struct pdl_result *tmp)
{
    (void)tmp;
    return (const struct pdl_result *)ctx + i;
}

void pdl_stats_compute(const struct pdl_result *r, size_t n,
                       struct pdl_stats *st)
{
    pdl_stats_compute_each(array_at, r, n, st);
}

/* Formats a duration readably: 850 ms, 3.30 s, 2 min 05 s. */
static void fmt_time(double s, char *buf, size_t n)
{
    if (s < 1)
        snprintf(buf, n, "%.0f ms", s * 1000);
    else if (s < 120)
        snprintf(buf, n, "%.2f s", s);
    else
        snprintf(buf, n, "%d min %02d s", (int)(s / 60), (int)s % 60);
}

/* Names where the task time went, and its share. */
static void where(const struct pdl_stats *st, double *share, const char **what)
{
    const struct {
        double v;
        const char *name;
    } part[] = {
        {st->waiting, "waiting for the first byte"},
        {st->receiving, "receiving bodies"},
        {st->setup, "connecting (DNS, TCP, TLS)"},
        {st->retrying, "earlier attempts and back-off before retries"},
    };
    double total =
        st->setup + st->waiting + st->receiving + st->other + st->retrying;
    size_t best = 0;

    for (size_t i = 1; i < sizeof(part) / sizeof(part[0]); i++)
        if (part[i].v > part[best].v)
            best = i;
    *share = total > 0 ? part[best].v / total : 0;
    *what = total > 0 ? part[best].name : "";
}

/* What would help, as the numbers say it, or "". More workers help only
 * where some task waited for one: not when every task had its own, nor
 * when the longest task alone is (nearly) the whole run. */
static void advice(const struct pdl_stats *st, unsigned workers, size_t ran,
                   double share, const char *what, char *buf, size_t n)
{
    double idle = workers ? 1 - st->concurrency / workers : 0;
    bool by_longest = st->longest >= 0.9 * st->wall;
    char longest[32];

    buf[0] = '\0';
    fmt_time(st->longest, longest, sizeof(longest));
    if (ran <= workers && workers > 1)
        snprintf(buf, n,
                 "; every task had a worker of its own, so more workers "
                 "would not help; the longest task (%s) bounded the run",
                 longest);
    else if (idle > 0.2 && workers > 1)
        snprintf(buf, n,
                 "; workers sat idle %.0f%% of the time%s; the longest task "
                 "(%s) and the end of the list bounded the run",
                 100 * idle,
                 by_longest ? ", so more of them would not help" : "", longest);
    else if (share < 0.5)
        return;
    else if (strcmp(what, "waiting for the first byte") == 0)
        snprintf(buf, n, ": I/O-bound with every worker busy%s",
                 by_longest ? "" : ", more workers would help");
    else if (strcmp(what, "receiving bodies") == 0)
        snprintf(buf, n, ": bandwidth-bound");
    else if (strcmp(what, "connecting (DNS, TCP, TLS)") == 0)
        snprintf(buf, n,
                 ": connection-bound, keep-alive or fewer hosts would "
                 "help");
}

size_t pdl_stats_sentence(const struct pdl_stats *st, const char *mode,
                          unsigned workers, char *buf, size_t n)
{
    char wall[32], help[256];
    double share, bound = st->busy / (workers ? workers : 1);
    size_t ran = st->tasks - st->by_status[PDL_ST_SKIPPED] -
                 st->by_status[PDL_ST_PENDING];
    const char *what;
    int k;

    if (st->wall <= 0 || st->busy <= 0)
        return (size_t)snprintf(buf, n,
                                "%s x%u: nothing ran long enough to "
                                "measure",
                                mode, workers);
    where(st, &share, &what);
    fmt_time(st->wall, wall, sizeof(wall));
    if (ran <= 1) {
        k = snprintf(buf, n, "%s x%u: one task, %s", mode, workers, wall);
        if (k >= 0 && (size_t)k < n && *what)
            k += snprintf(buf + k, n - (size_t)k, "; %.0f%% of it was %s",
                          100 * share, what);
        return k < 0 ? 0 : (size_t)k;
    }
    /* No schedule beats the longest task, nor busy time spread evenly. */
    if (st->longest > bound)
        bound = st->longest;
    advice(st, workers, ran, share, what, help, sizeof(help));
    if (workers == 1)
        k = snprintf(buf, n,
                     "%s x1: %s, one task at a time, %.0f%% of the "
                     "lower bound",
                     mode, wall, 100 * bound / st->wall);
    else
        k = snprintf(buf, n,
                     "%s x%u: %s, %.1fx faster than one task at a time, "
                     "%.0f%% of the lower bound",
                     mode, workers, wall, st->busy / st->wall,
                     100 * bound / st->wall);
    if (k >= 0 && (size_t)k < n && *what)
        k += snprintf(buf + k, n - (size_t)k, "; %.0f%% of task time was %s%s",
                      100 * share, what, help);
    return k < 0 ? 0 : (size_t)k;
}

/* Formats a byte count readably, in powers of 1024 as pdl reads sizes. */
static void fmt_bytes(int64_t b, char *buf, size_t n)
{
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)b;
    size_t u = 0;

    while (v >= 1024 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
        v /= 1024;
        u++;
    }
    snprintf(buf, n, u == 0 ? "%.0f %s" : "%.1f %s", v, unit[u]);
}

/* "conns    12 opened, 188 reused (HTTP/1.1)"; with several versions,
 * how many tasks spoke each. Nothing for a timeline without connections. */
static void print_connections(FILE *out, const struct pdl_stats *st)
{
    static const char *const names[] = {"HTTP/1.0", "HTTP/1.1", "HTTP/2",
                                        "HTTP/3"};
    size_t kinds = 0;
    bool first = true;

    if (st->conns_opened + st->conns_reused == 0)
        return;
    for (size_t i = 0; i < 4; i++)
        kinds += st->by_version[i] > 0;
    fprintf(out, "pdl:   conns    %zu opened, %zu reused", st->conns_opened,
            st->conns_reused);
    for (size_t i = 0; i < 4 && kinds > 0; i++) {
        if (st->by_version[i] == 0)
            continue;
        fprintf(out, "%s%s", first ? " (" : ", ", names[i]);
        if (kinds > 1)
            fprintf(out, " %zu", st->by_version[i]);
        first = false;
    }
    fputs(kinds > 0 ? ")\n" : "\n", out);
}

static void print_failures_by_reason(FILE *out, const struct pdl_stats *st)
{
    bool first = true;

    if (st->failed == 0)
        return;
    fputs("pdl:   failures ", out);
    for (int s = 0; s < PDL_ST_COUNT; s++) {
        if (s == PDL_ST_OK || s == PDL_ST_SKIPPED || st->by_status[s] == 0)
            continue;
        fprintf(out, "%s%s %zu", first ? "" : ", ",
                pdl_status_token((enum pdl_status)s), st->by_status[s]);
        first = false;
    }
    fputc('\n', out);
}

void pdl_summary_print(FILE *out, const struct pdl_stats *st, const char *mode,
                       unsigned workers, unsigned asked)
{
    char bytes[32], a[32], b[32], c[32], sentence[512], more[32] = "";

    fmt_bytes(st->bytes, bytes, sizeof(bytes));
    /* A short list starts fewer workers than -w asked for: say both. */
    if (asked > workers)
        snprintf(more, sizeof(more), " (%u asked)", asked);
    fprintf(out, "pdl: %s, %u worker%s%s: %zu task%s, %zu ok, %zu failed, %s\n",
            mode, workers, workers == 1 ? "" : "s", more, st->tasks,
            st->tasks == 1 ? "" : "s", st->ok, st->failed, bytes);
    if (st->tasks == 0)
        return;
    fprintf(out,
            "pdl:   time     wall %.3f s, task time %.3f s, concurrency "
            "%.2f (at most %u in flight)\n",
            st->wall, st->busy, st->concurrency, st->max_overlap);
    fmt_time(st->p50, a, sizeof(a));
    fmt_time(st->p95, b, sizeof(b));
    fmt_time(st->longest, c, sizeof(c));
    fprintf(out, "pdl:   latency  p50 %s, p95 %s, max %s\n", a, b, c);
    for (size_t i = 0; i < st->nslowest && st->tasks > PDL_SLOWEST; i++) {
        fmt_time(st->slowest_s[i], a, sizeof(a));
        fprintf(out, "pdl:   %-8s %8s  %s\n", i == 0 ? "slowest" : "", a,
                st->slowest_url[i]);
    }
    print_connections(out, st);
    print_failures_by_reason(out, st);
    pdl_stats_sentence(st, mode, workers, sentence, sizeof(sentence));
    fprintf(out, "pdl: %s\n", sentence);
}
