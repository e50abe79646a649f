/* Statistics of a run drawn from its result records: counts, makespan,
 * concurrency, where the time went, and one sentence that reads them. */
#include "pdl/timeline.h"

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
static unsigned max_overlap(const struct pdl_result *r, size_t n)
{
    int64_t *ev = pdl_xcalloc(2 * n, sizeof(*ev));
    size_t k = 0;
    unsigned cur = 0, best = 0;

    for (size_t i = 0; i < n; i++) {
        if (r[i].status == PDL_ST_PENDING)
            continue;
        ev[k++] = r[i].start_ns * 2 + 1;
        ev[k++] = r[i].end_ns > r[i].start_ns ? r[i].end_ns * 2
                                              : r[i].start_ns * 2 + 2;
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

/* Adds where r's time went: setting up (DNS, connect, TLS), waiting for
 * the first byte, and receiving the body. */
static void add_phases(const struct pdl_result *r, struct pdl_stats *st)
{
    double total = secs(r->end_ns - r->start_ns);
    double setup = (double)r->dns_us;
    double first = (double)r->ttfb_us / 1e6;

    if (r->connect_us > setup)
        setup = (double)r->connect_us;
    if (r->tls_us > setup)
        setup = (double)r->tls_us;
    setup /= 1e6;
    if (first == 0) {
        st->other += total; /* no response: time lost to the failure */
        return;
    }
    st->setup += setup;
    st->waiting += first > setup ? first - setup : 0;
    st->receiving += total > first ? total - first : 0;
}

void pdl_stats_compute(const struct pdl_result *r, size_t n,
                       struct pdl_stats *st)
{
    int64_t last = 0, busy = 0, longest = 0;

    memset(st, 0, sizeof(*st));
    st->tasks = n;
    for (size_t i = 0; i < n; i++) {
        if (pdl_result_ok(&r[i]))
            st->ok++;
        else
            st->failed++;
        st->bytes += r[i].bytes;
        if (r[i].status == PDL_ST_PENDING)
            continue;
        busy += r[i].end_ns - r[i].start_ns;
        if (r[i].end_ns > last)
            last = r[i].end_ns;
        if (r[i].end_ns - r[i].start_ns > longest)
            longest = r[i].end_ns - r[i].start_ns;
        add_phases(&r[i], st);
    }
    st->longest = secs(longest);
    st->wall = secs(last);
    st->busy = secs(busy);
    st->concurrency = st->wall > 0 ? st->busy / st->wall : 0;
    st->max_overlap = max_overlap(r, n);
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

/* Names what bounded the run, from where the task time went. */
static const char *bound_by(const struct pdl_stats *st, double *share,
                            const char **what)
{
    double total = st->setup + st->waiting + st->receiving + st->other;

    *share = 0;
    *what = "";
    if (total <= 0)
        return "";
    if (st->waiting >= st->receiving && st->waiting >= st->setup) {
        *share = st->waiting / total;
        *what = "waiting for the first byte";
        return *share >= 0.5 ? ": I/O-bound, more workers would help" : "";
    }
    if (st->receiving >= st->setup) {
        *share = st->receiving / total;
        *what = "receiving bodies";
        return *share >= 0.5 ? ": bandwidth-bound" : "";
    }
    *share = st->setup / total;
    *what = "connecting (DNS, TCP, TLS)";
    return *share >= 0.5 ? ": connection-bound, keep-alive or fewer hosts "
                           "would help"
                         : "";
}

size_t pdl_stats_sentence(const struct pdl_stats *st, const char *mode,
                          unsigned workers, char *buf, size_t n)
{
    char wall[32];
    double share, ideal = st->busy / (workers ? workers : 1);
    const char *what, *verdict = bound_by(st, &share, &what);
    int k;

    if (st->wall <= 0 || st->busy <= 0)
        return (size_t)snprintf(buf, n, "%s x%u: nothing ran long enough to "
                                "measure", mode, workers);
    /* No schedule beats the longest task, nor busy time spread evenly. */
    if (st->longest > ideal)
        ideal = st->longest;
    fmt_time(st->wall, wall, sizeof(wall));
    k = snprintf(buf, n, "%s x%u: %s, %.1fx faster than one task at a time, "
                 "%.0f%% of ideal", mode, workers, wall, st->busy / st->wall,
                 100 * ideal / st->wall);
    if (k >= 0 && (size_t)k < n && *what)
        k += snprintf(buf + k, n - (size_t)k, "; %.0f%% of task time was %s%s",
                      100 * share, what, verdict);
    return k < 0 ? 0 : (size_t)k;
}
