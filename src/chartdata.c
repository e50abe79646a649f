/* A timeline read for the charts, a row at a time through pdl_timeline_each
 * (the one reader of the format): summed, and for large timelines binned
 * over time for plots/overview.gp. Nothing here holds more than one row;
 * memory is the bins and the set of workers seen. */
#include "pdl/chartdata.h"
#include "pdl/timeline.h"
#include "pdl/util.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* One row as the charts see it, in seconds. */
struct row {
    long worker;
    long rank;
    double start;
    double end;
    double ttfb; /* seconds after start; 0 = no first byte */
    int64_t bytes;
    bool ran;
    bool ok;
};

/* A task "ran" unless it never started (not-run, no attempt, no worker) or
 * was complete from an earlier run (skipped). */
static void to_row(const struct pdl_result *r, struct row *out)
{
    out->worker = r->worker;
    out->rank = r->rank;
    out->start = (double)r->start_ns / 1e9;
    /* The reader checks each field, not that a task ends after it starts. */
    out->end = r->end_ns > r->start_ns ? (double)r->end_ns / 1e9 : out->start;
    out->ttfb = (double)r->ttfb_us / 1e6;
    out->bytes = r->bytes;
    out->ok = pdl_result_ok(r);
    out->ran = r->status != PDL_ST_PENDING && r->status != PDL_ST_SKIPPED &&
               r->attempts != 0 && r->worker >= 0;
}

/* ---- later versions, through the one reader ------------------------------
 * pdl_timeline_each reads the versions this pdl writes, column for column.
 * The charts also draw what a later pdl writes: versions only add keys and
 * columns (README), so a file whose header is not one the reader knows is
 * handed to it as the newest known version whose columns it has all of,
 * each row cut down to those columns, found by name. Line for line, so
 * that errors keep their line numbers; one line in memory at a time. */

static const struct {
    int version;
    const char *header;
} known[] = {
    {PDL_TIMELINE_VERSION, PDL_TIMELINE_HEADER},
    {4, PDL_TIMELINE_HEADER_V4},
    {3, PDL_TIMELINE_HEADER_V3},
    {2, PDL_TIMELINE_HEADER_V2},
    {1, PDL_TIMELINE_HEADER_V1},
};
#define NKNOWN (sizeof(known) / sizeof(known[0]))
_Static_assert(PDL_TIMELINE_VERSION == 5,
               "a new timeline version: add its header to known[]");
#define FIELDS_MAX 256

struct projection {
    FILE *in; /* owned */
    char *line;
    size_t cap;
    char *out; /* what the reader gets next, from pos to len */
    size_t len, pos, outcap;
    bool head_done;
    bool pass;                /* the file is read as it is */
    int nfields;              /* fields of the file's header */
    int pick[FIELDS_MAX + 1]; /* the file's field for each known column */
    int npick;
};

static void put(struct projection *p, const char *s, size_t n)
{
    if (n == 0) /* s may be NULL: no metadata lines */
        return;
    if (p->len + n > p->outcap) {
        p->outcap = (p->len + n) * 2;
        p->out = pdl_xrealloc(p->out, p->outcap, 1);
    }
    memcpy(p->out + p->len, s, n);
    p->len += n;
}

/* The newest known version whose columns are all in the header hdr (n
 * fields), with p->pick set; 0 if none. */
static int choose(struct projection *p, char **hdr, int n)
{
    for (size_t k = 0; k < NKNOWN; k++) {
        char *names = pdl_xstrdup(known[k].header), *f[FIELDS_MAX];
        int m = pdl_split_tabs(names, f, FIELDS_MAX), i = 0;
        for (; i < m; i++) {
            p->pick[i] = -1;
            for (int j = 0; j < n && p->pick[i] < 0; j++)
                if (strcmp(f[i], hdr[j]) == 0)
                    p->pick[i] = j;
            if (p->pick[i] < 0)
                break;
        }
        free(names);
        if (i == m) {
            p->npick = m;
            return known[k].version;
        }
    }
    return 0;
}

/* The version line (first), the metadata lines (already in p->out) and
 * the column header (p->line): as they are if the reader knows them, else
 * as the version chosen. */
static void project_head(struct projection *p, const char *first)
{
    char *hdr = pdl_xstrdup(p->line), *f[FIELDS_MAX], *meta = p->out;
    size_t metalen = p->len;
    int version = 0, used = 0, n, chosen = 0;

    hdr[strcspn(hdr, "\n")] = '\0';
    /* A version the reader knows, with its header: as it is. */
    if (sscanf(first, "# pdl-timeline %d%n", &version, &used) == 1 &&
        first[used] == '\n')
        for (size_t k = 0; k < NKNOWN; k++)
            p->pass = p->pass || (known[k].version == version &&
                                  strcmp(hdr, known[k].header) == 0);
    /* Anything else that says it is a timeline is projected. */
    if (!p->pass && (sscanf(first, "# pdl-timeline %d", &version) == 1 ||
                     sscanf(first, "# pdl timeline %d", &version) == 1)) {
        n = pdl_split_tabs(hdr, f, FIELDS_MAX);
        chosen = n <= FIELDS_MAX ? choose(p, f, n) : 0;
        p->nfields = n;
    }
    p->pass = p->pass || chosen == 0;
    p->out = NULL;
    p->len = p->outcap = 0;
    if (p->pass) {
        put(p, first, strlen(first));
    } else {
        char line[64];
        int k = snprintf(line, sizeof(line), "# pdl-timeline %d\n", chosen);
        put(p, line, (size_t)k);
    }
    put(p, meta, metalen);
    free(meta);
    if (p->pass) {
        put(p, p->line, strlen(p->line));
    } else {
        const char *h = known[0].header;
        for (size_t k = 0; k < NKNOWN; k++)
            h = known[k].version == chosen ? known[k].header : h;
        put(p, h, strlen(h));
        put(p, "\n", 1);
    }
    free(hdr);
}

/* A row cut down to the known columns; as it is if it is not a row of
 * the file's header (the reader then says what is wrong with it). */
static void project_row(struct projection *p)
{
    char *f[FIELDS_MAX + 1];
    size_t len = strlen(p->line);
    bool nl = len > 0 && p->line[len - 1] == '\n';
    int n;

    if (p->pass || p->line[0] == '#' || p->line[0] == '\n') {
        put(p, p->line, len);
        return;
    }
    char *copy = pdl_xstrdup(p->line);
    copy[len - nl] = '\0';
    n = pdl_split_tabs(copy, f, p->nfields);
    if (n != p->nfields) {
        put(p, p->line, len);
    } else {
        for (int i = 0; i < p->npick; i++) {
            if (i > 0)
                put(p, "\t", 1);
            put(p, f[p->pick[i]], strlen(f[p->pick[i]]));
        }
        if (nl)
            put(p, "\n", 1);
    }
    free(copy);
}

/* Reads the head, up to and including the column header. */
static void read_head(struct projection *p)
{
    char *first;

    p->head_done = true;
    if (getline(&p->line, &p->cap, p->in) < 0)
        return;
    first = pdl_xstrdup(p->line);
    while (getline(&p->line, &p->cap, p->in) >= 0) {
        if (p->line[0] != '#') {
            project_head(p, first);
            free(first);
            return;
        }
        put(p, p->line, strlen(p->line));
    }
    /* No column header: the reader says so. */
    char *meta = p->out;
    size_t metalen = p->len;
    p->out = NULL;
    p->len = p->outcap = 0;
    put(p, first, strlen(first));
    put(p, meta, metalen);
    free(meta);
    free(first);
}

static ssize_t projection_read(void *cookie, char *buf, size_t size)
{
    struct projection *p = cookie;
    size_t n;

    while (p->pos == p->len) {
        p->pos = p->len = 0;
        if (!p->head_done) {
            read_head(p);
            if (p->len == 0)
                return ferror(p->in) ? -1 : 0;
            continue;
        }
        if (getline(&p->line, &p->cap, p->in) < 0)
            return ferror(p->in) ? -1 : 0;
        project_row(p);
    }
    n = p->len - p->pos < size ? p->len - p->pos : size;
    memcpy(buf, p->out + p->pos, n);
    p->pos += n;
    return (ssize_t)n;
}

static int projection_close(void *cookie)
{
    struct projection *p = cookie;
    int rc = fclose(p->in);

    free(p->line);
    free(p->out);
    free(p);
    return rc;
}

/* The timeline at path as the reader will read it; NULL with errno set. */
static FILE *open_projected(const char *path)
{
    cookie_io_functions_t io = {.read = projection_read,
                                .close = projection_close};
    struct projection *p;
    FILE *in = fopen(path, "r"), *f;

    if (!in)
        return NULL;
    p = pdl_xcalloc(1, sizeof(*p));
    p->in = in;
    read_head(p);
    if (ferror(in)) {
        int e = errno;
        projection_close(p);
        errno = e;
        return NULL;
    }
    /* What the reader knows goes to it directly, with no copy. */
    if (p->pass && fseeko(in, 0, SEEK_SET) == 0) {
        free(p->line);
        free(p->out);
        free(p);
        return in;
    }
    f = fopencookie(p, "r", io);
    if (!f)
        projection_close(p);
    return f;
}

/* The fields of line no of the file at path: tabs + 1; -1 if none. */
static long fields_of_line(const char *path, long no)
{
    FILE *in = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    long fields = -1;

    if (!in)
        return -1;
    for (long i = 1; i <= no && getline(&line, &cap, in) >= 0; i++)
        if (i == no) {
            fields = 1;
            for (const char *p = line; *p; p++)
                fields += *p == '\t';
        }
    free(line);
    fclose(in);
    return fields;
}

/* pdl_timeline_each says "line N: expected K tab-separated fields"; the
 * charts have always said how many they found, so that a cut row shows as
 * one. */
static void add_found(const char *path, char *err, size_t errsz)
{
    long no, found;
    int want, at = 0;
    size_t len = strlen(err);

    if (sscanf(err, "line %ld: expected %d tab-separated fields%n", &no, &want,
               &at) != 2 ||
        (size_t)at != len)
        return;
    found = fields_of_line(path, no);
    if (found < 0)
        return;
    if (found > want)
        snprintf(err + len, errsz - len, ", found more than %d", want);
    else
        snprintf(err + len, errsz - len, ", found %ld", found);
}

/* Hands each row of the timeline at path to fn through the one reader of
 * the format; tl receives the metadata (the caller cleans it up). Returns
 * PDL_OK; PDL_ERR_IO with err saying why; PDL_ERR_FORMAT with err saying
 * "line N: why". */
static int each_row(const char *path, pdl_timeline_row_fn *fn, void *ctx,
                    struct pdl_timeline *tl, char *err, size_t errsz)
{
    FILE *in = open_projected(path);
    int rc;

    memset(tl, 0, sizeof(*tl));
    if (!in) {
        snprintf(err, errsz, "%s", strerror(errno));
        return PDL_ERR_IO;
    }
    err[0] = '\0';
    rc = pdl_timeline_each(in, tl, fn, ctx, err, errsz);
    if (rc == PDL_ERR_IO && !err[0])
        snprintf(err, errsz, "%s", strerror(errno));
    if (rc == PDL_ERR_FORMAT)
        add_found(path, err, errsz);
    fclose(in);
    return rc;
}

/* ---- the set of (rank, worker) pairs that ran tasks --------------------- */

struct pairset {
    uint64_t *keys; /* key + 1, 0 = empty */
    size_t cap;
    size_t count;
};

static void pairset_add(struct pairset *ps, uint64_t key)
{
    if (2 * (ps->count + 1) > ps->cap) {
        struct pairset old = *ps;
        ps->cap = ps->cap ? 2 * ps->cap : 64;
        ps->keys = pdl_xcalloc(ps->cap, sizeof(uint64_t));
        ps->count = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.keys[i])
                pairset_add(ps, old.keys[i] - 1);
        free(old.keys);
    }
    size_t i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 7) & (ps->cap - 1);
    while (ps->keys[i] && ps->keys[i] != key + 1)
        i = (i + 1) & (ps->cap - 1);
    if (!ps->keys[i]) {
        ps->keys[i] = key + 1;
        ps->count++;
    }
}

/* ---- pass one: check and sum -----------------------------------------------
 */

struct scan {
    struct pdl_chart_scan *sc;
    struct pairset ps;
};

static void tally(void *ctx, size_t id, const struct pdl_result *res,
                  const char *url)
{
    struct scan *k = ctx;
    struct pdl_chart_scan *sc = k->sc;
    struct row r;
    double d;

    (void)id;
    (void)url;
    to_row(res, &r);
    d = r.end - r.start;
    sc->rows++;
    if (!r.ok)
        sc->failed++;
    if ((unsigned long)r.rank + 1 > sc->ranks)
        sc->ranks = (unsigned)r.rank + 1;
    if (r.worker >= 0 && (unsigned long)r.worker + 1 > sc->lanes_per_rank)
        sc->lanes_per_rank = (unsigned)r.worker + 1;
    if (r.end > sc->max_end)
        sc->max_end = r.end;
    sc->bytes += r.bytes;
    if (!r.ran)
        return;
    sc->ran++;
    sc->busy += d;
    if (d > sc->longest)
        sc->longest = d;
    pairset_add(&k->ps, ((uint64_t)r.rank << 32) | (uint64_t)r.worker);
}

int pdl_chart_scan_file(const char *path, struct pdl_chart_scan *sc, char *err,
                        size_t errsz)
{
    struct scan k = {.sc = sc};
    struct pdl_timeline tl;
    int rc;

    memset(sc, 0, sizeof(*sc));
    sc->ranks = 1;
    rc = each_row(path, tally, &k, &tl, err, errsz);
    sc->workers_ran = (unsigned)k.ps.count;
    free(k.ps.keys);
    snprintf(sc->mode, sizeof(sc->mode), "%s", tl.info.mode);
    snprintf(sc->host, sizeof(sc->host), "%s", tl.info.host);
    snprintf(sc->started, sizeof(sc->started), "%s", tl.info.started);
    sc->meta_workers = tl.info.workers;
    pdl_timeline_cleanup(&tl);
    return rc;
}

double pdl_chart_lower_bound(const struct pdl_chart_scan *sc)
{
    double even;

    if (sc->workers_ran == 0)
        return 0;
    even = sc->busy / sc->workers_ran;
    return even > sc->longest ? even : sc->longest;
}

/* ---- pass two: bins
 * ----------------------------------------------------------- */

#define NB_MAX 1000   /* time bins: about one per pixel of the plots */
#define NB_MIN 50     /* or one per 10 tasks, if fewer */
#define HB_MAX 250    /* time bins of the lane heat map */
#define HROWS_MAX 128 /* lanes are grouped beyond this many */
#define LAT_DEC 100   /* duration bins per decade, from 1 us */
#define LAT_N (12 * LAT_DEC)
#define LAT_SHOW 5 /* fine bins per bin drawn (20 per decade) */

/* A series binned over time: acc holds what falls in part of a bin, diff
 * the whole bins a span covers (as a difference array), so a task costs
 * the same however many bins it spans. */
struct series {
    double *acc;
    double *diff;
    int nb;
    double bw;
};

static void series_init(struct series *s, int nb, double bw)
{
    s->acc = pdl_xcalloc((size_t)nb + 1, sizeof(double));
    s->diff = pdl_xcalloc((size_t)nb + 1, sizeof(double));
    s->nb = nb;
    s->bw = bw;
}

static int bin_of(const struct series *s, double t)
{
    int b = (int)(t / s->bw);

    return b < 0 ? 0 : b >= s->nb ? s->nb - 1 : b;
}

/* Adds w per second over [a, b). */
static void series_spread(struct series *s, double a, double b, double w)
{
    int b0 = bin_of(s, a), b1 = bin_of(s, b);

    if (b <= a)
        return;
    if (b0 == b1) {
        s->acc[b0] += w * (b - a);
        return;
    }
    s->acc[b0] += w * ((b0 + 1) * s->bw - a);
    s->acc[b1] += w * (b - b1 * s->bw);
    s->diff[b0 + 1] += w * s->bw;
    s->diff[b1] -= w * s->bw;
}

/* Turns the series into the mean per second of each bin, in acc. */
static void series_finish(struct series *s)
{
    double run = 0;

    for (int b = 0; b < s->nb; b++) {
        run += s->diff[b];
        s->acc[b] = (s->acc[b] + run) / s->bw;
    }
}

static void series_free(struct series *s)
{
    free(s->acc);
    free(s->diff);
}

struct agg {
    struct series inflight, bytes;
    double *done_ok, *done_fail;
    struct series *heat; /* one per row of lane groups */
    unsigned group, hrows;
    double *row_busy;
    size_t lat_ok[LAT_N], lat_fail[LAT_N];
};

static int lat_bin(double d)
{
    int b = d <= 1e-6 ? 0 : (int)floor((log10(d) + 6) * LAT_DEC);

    return b < 0 ? 0 : b >= LAT_N ? LAT_N - 1 : b;
}

static double lat_lo(int b)
{
    return pow(10, (double)b / LAT_DEC - 6);
}

struct aggregate {
    struct agg *a;
    const struct pdl_chart_scan *sc;
};

static void agg_row(void *ctx, size_t id, const struct pdl_result *res,
                    const char *url)
{
    struct aggregate *k = ctx;
    struct agg *a = k->a;
    struct row r;
    double d, from;
    int b;

    (void)id;
    (void)url;
    to_row(res, &r);
    if (!r.ran)
        return;
    d = r.end - r.start;
    b = bin_of(&a->inflight, r.end);
    (r.ok ? a->done_ok : a->done_fail)[b] += 1;
    series_spread(&a->inflight, r.start, r.end, 1.0);
    from = r.ttfb > 0 && r.ttfb <= d ? r.start + r.ttfb : r.start;
    if (r.end > from)
        series_spread(&a->bytes, from, r.end, (double)r.bytes / (r.end - from));
    else
        a->bytes.acc[b] += (double)r.bytes;
    (r.ok ? a->lat_ok : a->lat_fail)[lat_bin(d)]++;
    unsigned lane =
        (unsigned)r.rank * k->sc->lanes_per_rank + (unsigned)r.worker;
    unsigned row = lane / a->group;
    if (row < a->hrows) {
        series_spread(&a->heat[row], r.start, r.end, 1.0 / a->group);
        a->row_busy[row] += d / a->group;
    }
}

/* The duration below which a share p of the tasks that ran ended, to the
 * width of a bin (2%), never above the longest. */
static double percentile(const struct agg *a, const struct pdl_chart_scan *sc,
                         double p)
{
    size_t want = (size_t)ceil(p * (double)sc->ran), seen = 0;

    for (int b = 0; b < LAT_N; b++) {
        seen += a->lat_ok[b] + a->lat_fail[b];
        if (seen >= want && seen > 0) {
            double mid = sqrt(lat_lo(b) * lat_lo(b + 1));
            return mid < sc->longest ? mid : sc->longest;
        }
    }
    return 0;
}

/* s as a gnuplot single-quoted string. */
static void put_str(FILE *out, const char *name, const char *s)
{
    fprintf(out, "%s = '", name);
    for (; *s; s++)
        if (*s == '\'')
            fputs("''", out);
        else if ((unsigned char)*s >= ' ')
            fputc(*s, out);
    fputs("'\n", out);
}

static void write_values(FILE *out, const char *path,
                         const struct pdl_chart_scan *sc, const struct agg *a,
                         double xmax)
{
    fprintf(out, "# Written by pdl: the overview of a timeline, for "
                 "plots/overview.gp.\n");
    put_str(out, "OV_DATA", path);
    put_str(out, "OV_MODE", sc->mode);
    put_str(out, "OV_HOST", sc->host);
    put_str(out, "OV_STARTED", sc->started);
    fprintf(out,
            "OV_N = %zu; OV_RAN = %zu; OV_FAILED = %zu; OV_META_W = %u; "
            "OV_META_TASKS = -1\n",
            sc->rows, sc->ran, sc->failed, sc->meta_workers);
    fprintf(out,
            "OV_RANKS = %u; OV_WR = %u; OV_LANES = %u; OV_W = %u; "
            "OV_GROUP = %u; OV_HROWS = %u\n",
            sc->ranks, sc->lanes_per_rank, sc->ranks * sc->lanes_per_rank,
            sc->workers_ran, a->group, a->hrows);
    fprintf(out,
            "OV_XMAX = %.9g; OV_NB = %d; OV_BW = %.9g; OV_HB = %d; "
            "OV_HBW = %.9g\n",
            xmax, a->inflight.nb, a->inflight.bw, a->heat[0].nb, a->heat[0].bw);
    fprintf(out,
            "OV_BUSY = %.9g; OV_LONGEST = %.9g; OV_IDEAL = %.9g; "
            "OV_BYTES = %.17g\n",
            sc->busy, sc->longest, pdl_chart_lower_bound(sc),
            (double)sc->bytes);
    fprintf(out, "OV_P50 = %.6g; OV_P95 = %.6g; OV_P99 = %.6g\n",
            percentile(a, sc, 0.50), percentile(a, sc, 0.95),
            percentile(a, sc, 0.99));
}

/* $BINS in step form: each bin's values at its start and at its end, so that
 * a series is drawn as one line (and one filled polygon) of flat steps. */
static void write_bins(FILE *out, const struct agg *a)
{
    double bw = a->inflight.bw, imax = 0, tmax = 0, mmax = 0;

    fputs("$BINS << EOD\n", out);
    for (int b = 0; b < a->inflight.nb; b++) {
        double mib = a->bytes.acc[b] / 1048576.0;
        double tps = (a->done_ok[b] + a->done_fail[b]) / bw;
        for (int edge = 0; edge < 2; edge++)
            fprintf(out, "%.9g\t%.6g\t%.6g\t%.6g\t%.6g\n", (b + edge) * bw,
                    a->inflight.acc[b], a->done_ok[b] / bw,
                    a->done_fail[b] / bw, mib);
        imax = a->inflight.acc[b] > imax ? a->inflight.acc[b] : imax;
        tmax = tps > tmax ? tps : tmax;
        mmax = mib > mmax ? mib : mmax;
    }
    fputs("EOD\n", out);
    fprintf(out, "OV_INF_MAX = %.6g; OV_TPS_MAX = %.6g; OV_MIBS_MAX = %.6g\n",
            imax, tmax, mmax);
}

static void write_heat(FILE *out, const struct agg *a, double xmax)
{
    fputs("$HEAT << EOD\n", out);
    for (unsigned r = 0; r < a->hrows; r++)
        for (int b = 0; b < a->heat[r].nb; b++)
            fprintf(out, "%.4g%c", a->heat[r].acc[b],
                    b + 1 < a->heat[r].nb ? ' ' : '\n');
    fputs("EOD\n$ROWBUSY << EOD\n", out);
    for (unsigned r = 0; r < a->hrows; r++)
        fprintf(out, "%u\t%.4g\n", r, xmax > 0 ? a->row_busy[r] / xmax : 0);
    fputs("EOD\n", out);
}

static void write_latency(FILE *out, const struct agg *a)
{
    int first = -1, last = -1;

    for (int b = 0; b < LAT_N; b++)
        if (a->lat_ok[b] + a->lat_fail[b] > 0) {
            first = first < 0 ? b : first;
            last = b;
        }
    fputs("$LAT << EOD\n", out);
    for (int b = first < 0 ? 0 : first / LAT_SHOW * LAT_SHOW;
         first >= 0 && b <= last; b += LAT_SHOW) {
        size_t ok = 0, bad = 0;
        for (int k = b; k < b + LAT_SHOW && k < LAT_N; k++) {
            ok += a->lat_ok[k];
            bad += a->lat_fail[k];
        }
        fprintf(out, "%.6g\t%.6g\t%zu\t%zu\n", lat_lo(b), lat_lo(b + LAT_SHOW),
                ok, bad);
    }
    fputs("EOD\n", out);
}

static void agg_init(struct agg *a, const struct pdl_chart_scan *sc, double xhi)
{
    unsigned lanes = sc->ranks * (sc->lanes_per_rank ? sc->lanes_per_rank : 1);

    size_t want = sc->rows / 10;
    int nb = want > NB_MAX ? NB_MAX : want < NB_MIN ? NB_MIN : (int)want;
    int hb = nb < HB_MAX ? nb : HB_MAX;

    memset(a, 0, sizeof(*a));
    series_init(&a->inflight, nb, xhi / nb);
    series_init(&a->bytes, nb, xhi / nb);
    a->done_ok = pdl_xcalloc((size_t)nb, sizeof(double));
    a->done_fail = pdl_xcalloc((size_t)nb, sizeof(double));
    a->group = (lanes + HROWS_MAX - 1) / HROWS_MAX;
    a->hrows = (lanes + a->group - 1) / a->group;
    a->heat = pdl_xcalloc(a->hrows, sizeof(*a->heat));
    a->row_busy = pdl_xcalloc(a->hrows, sizeof(double));
    for (unsigned r = 0; r < a->hrows; r++)
        series_init(&a->heat[r], hb, xhi / hb);
}

static void agg_free(struct agg *a)
{
    series_free(&a->inflight);
    series_free(&a->bytes);
    free(a->done_ok);
    free(a->done_fail);
    for (unsigned r = 0; r < a->hrows; r++)
        series_free(&a->heat[r]);
    free(a->heat);
    free(a->row_busy);
}

int pdl_chart_aggregate(const char *path, const struct pdl_chart_scan *sc,
                        FILE *out, char *err, size_t errsz)
{
    double xmax = sc->max_end > 0 ? sc->max_end : 1.0;
    struct agg a;
    struct aggregate k = {.a = &a, .sc = sc};
    struct pdl_timeline tl;
    int rc;

    agg_init(&a, sc, xmax * 1.01);
    rc = each_row(path, agg_row, &k, &tl, err, errsz);
    pdl_timeline_cleanup(&tl);
    if (rc == PDL_OK) {
        series_finish(&a.inflight);
        series_finish(&a.bytes);
        for (unsigned i = 0; i < a.hrows; i++)
            series_finish(&a.heat[i]);
        write_values(out, path, sc, &a, xmax);
        write_bins(out, &a);
        write_heat(out, &a, xmax);
        write_latency(out, &a);
        if (fflush(out) != 0 || ferror(out)) {
            snprintf(err, errsz, "%s", strerror(errno));
            rc = PDL_ERR_IO;
        }
    }
    agg_free(&a);
    return rc;
}
