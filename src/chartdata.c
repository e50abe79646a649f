/* A timeline read for the charts, a row at a time: checked, summed, and for
 * large timelines binned over time for plots/overview.gp. Nothing here holds
 * more than one row; memory is the bins and the set of workers seen. */
#include "pdl/chartdata.h"
#include "pdl/util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The columns the charts read; any others are carried along unread. */
enum col {
    C_ID,
    C_WORKER,
    C_START,
    C_END,
    C_STATUS,
    C_TTFB,
    C_BYTES,
    C_ATTEMPTS,
    C_RANK,
    NCOLS
};
static const char *const col_names[NCOLS] = {"id",    "worker",   "start",
                                             "end",   "status",   "ttfb",
                                             "bytes", "attempts", "rank"};
#define REQUIRED 5 /* the first five of col_names */
#define FIELDS_MAX 256

struct reader {
    FILE *in;
    char *line;
    size_t cap;
    long lineno;
    int col[NCOLS]; /* field index, -1 when the column is absent */
    int nfields;
    char *f[FIELDS_MAX];
    char *err;
    size_t errsz;
};

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

static int fail(struct reader *rd, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(rd->err, rd->errsz, "line %ld: ", rd->lineno);

    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < rd->errsz)
        vsnprintf(rd->err + n, rd->errsz - (size_t)n, fmt, ap);
    va_end(ap);
    return PDL_ERR_FORMAT;
}

/* Next line without its line end; NULL at the end of the file. */
static char *next_line(struct reader *rd)
{
    ssize_t n = getline(&rd->line, &rd->cap, rd->in);

    if (n < 0)
        return NULL;
    rd->lineno++;
    while (n > 0 && (rd->line[n - 1] == '\n' || rd->line[n - 1] == '\r'))
        rd->line[--n] = '\0';
    return rd->line;
}

static int split(char *s, char **f, int max)
{
    int n = 0;

    f[n++] = s;
    for (char *p = s; *p; p++) {
        if (*p != '\t')
            continue;
        if (n == max)
            return max + 1;
        *p = '\0';
        f[n++] = p + 1;
    }
    return n;
}

static void copy_meta(char *dst, size_t dstsz, const char *val)
{
    snprintf(dst, dstsz, "%s", val);
}

/* key=value pairs of a metadata line, by key name; unknown keys skipped. */
static void parse_meta(char *s, struct pdl_chart_scan *sc)
{
    for (char *kv = strtok_r(s, " ", &s); kv; kv = strtok_r(NULL, " ", &s)) {
        char *eq = strchr(kv, '=');
        if (!eq)
            continue;
        *eq = '\0';
        const char *v = eq + 1;
        if (strcmp(kv, "mode") == 0)
            copy_meta(sc->mode, sizeof(sc->mode), v);
        else if (strcmp(kv, "host") == 0)
            copy_meta(sc->host, sizeof(sc->host), v);
        else if (strcmp(kv, "started") == 0)
            copy_meta(sc->started, sizeof(sc->started), v);
        else if (strcmp(kv, "workers") == 0)
            sc->meta_workers = (unsigned)strtoul(v, NULL, 10);
        else if (strcmp(kv, "tasks") == 0)
            sc->meta_tasks = strtol(v, NULL, 10);
        else if (strcmp(kv, "wall") == 0)
            sc->meta_wall = strtod(v, NULL);
    }
}

/* The column header: every column found by name. */
static int parse_header(struct reader *rd, char *s)
{
    rd->nfields = split(s, rd->f, FIELDS_MAX);
    if (rd->nfields > FIELDS_MAX)
        return fail(rd, "more than %d columns", FIELDS_MAX);
    for (int c = 0; c < NCOLS; c++) {
        rd->col[c] = -1;
        for (int i = 0; i < rd->nfields; i++)
            if (strcmp(rd->f[i], col_names[c]) == 0)
                rd->col[c] = i;
        if (c < REQUIRED && rd->col[c] < 0)
            return fail(rd,
                        "no column header with id, worker, start, end and "
                        "status (no \"%s\")",
                        col_names[c]);
    }
    return PDL_OK;
}

/* The first line, the metadata and the column header. sc may be NULL. */
static int read_head(struct reader *rd, struct pdl_chart_scan *sc)
{
    char *s = next_line(rd);
    int version = 0, used = 0;

    if (!s)
        return ferror(rd->in) ? PDL_ERR_IO : fail(rd, "empty file");
    if ((sscanf(s, "# pdl-timeline %d%n", &version, &used) != 1 &&
         sscanf(s, "# pdl timeline %d%n", &version, &used) != 1) ||
        version < 1 || (s[used] != '\0' && s[used] != ' '))
        return fail(rd, "not a pdl timeline (the first line should be "
                        "\"# pdl-timeline VERSION\")");
    if (sc)
        sc->version = version;
    while ((s = next_line(rd)) && (s[0] == '#' || s[0] == '\0'))
        if (sc && s[0] == '#')
            parse_meta(s + 1, sc);
    if (!s)
        return ferror(rd->in) ? PDL_ERR_IO : fail(rd, "no column header");
    return parse_header(rd, s);
}

static bool num(const char *s, double *v)
{
    char *end;

    errno = 0;
    *v = strtod(s, &end);
    return errno == 0 && end != s && *end == '\0' && isfinite(*v);
}

static bool whole(const char *s, long lo, long hi, long *v)
{
    char *end;

    errno = 0;
    *v = strtol(s, &end, 10);
    return errno == 0 && end != s && *end == '\0' && *v >= lo && *v <= hi;
}

/* The optional columns of a row; absent ones get their neutral value. */
static int parse_optional(struct reader *rd, struct row *r)
{
    double d = 0;
    long attempts = 1;

    r->ttfb = 0;
    r->bytes = 0;
    r->rank = 0;
    if (rd->col[C_TTFB] >= 0 && (!num(rd->f[rd->col[C_TTFB]], &r->ttfb)))
        return fail(rd, "bad ttfb \"%.40s\"", rd->f[rd->col[C_TTFB]]);
    if (rd->col[C_BYTES] >= 0) {
        if (!num(rd->f[rd->col[C_BYTES]], &d) || d < 0)
            return fail(rd, "bad bytes \"%.40s\"", rd->f[rd->col[C_BYTES]]);
        r->bytes = (int64_t)d;
    }
    if (rd->col[C_RANK] >= 0 &&
        !whole(rd->f[rd->col[C_RANK]], 0, 1 << 20, &r->rank))
        return fail(rd, "bad rank \"%.40s\"", rd->f[rd->col[C_RANK]]);
    if (rd->col[C_ATTEMPTS] >= 0 &&
        !whole(rd->f[rd->col[C_ATTEMPTS]], 0, 1 << 30, &attempts))
        return fail(rd, "bad attempts \"%.40s\"", rd->f[rd->col[C_ATTEMPTS]]);
    if (attempts == 0)
        r->ran = false;
    return PDL_OK;
}

/* Reads the next row into r; *got is false at the end of the file. Returns
 * PDL_OK, PDL_ERR_FORMAT (err says which line) or PDL_ERR_IO. */
static int next_row(struct reader *rd, struct row *r, bool *got)
{
    char *s, *st;
    long id;
    int n;

    *got = false;
    do {
        s = next_line(rd);
        if (!s && ferror(rd->in)) {
            snprintf(rd->err, rd->errsz, "%s", strerror(errno));
            return PDL_ERR_IO;
        }
        if (!s)
            return PDL_OK;
    } while (s[0] == '\0' || s[0] == '#');
    n = split(s, rd->f, rd->nfields);
    if (n != rd->nfields)
        return fail(rd, "expected %d tab-separated fields, found %s%d",
                    rd->nfields, n > rd->nfields ? "more than " : "",
                    n > rd->nfields ? rd->nfields : n);
    if (!whole(rd->f[rd->col[C_ID]], 0, LONG_MAX, &id))
        return fail(rd, "bad id \"%.40s\"", rd->f[rd->col[C_ID]]);
    if (!whole(rd->f[rd->col[C_WORKER]], -1, 1 << 30, &r->worker))
        return fail(rd, "bad worker \"%.40s\"", rd->f[rd->col[C_WORKER]]);
    if (!num(rd->f[rd->col[C_START]], &r->start) || r->start < 0 ||
        !num(rd->f[rd->col[C_END]], &r->end) || r->end < r->start)
        return fail(rd, "bad start or end \"%.40s\" \"%.40s\"",
                    rd->f[rd->col[C_START]], rd->f[rd->col[C_END]]);
    st = rd->f[rd->col[C_STATUS]];
    if (st[0] == '\0')
        return fail(rd, "empty status");
    r->ok = strcmp(st, "ok") == 0 || strcmp(st, "skipped") == 0;
    r->ran = strcmp(st, "not-run") != 0 && strcmp(st, "skipped") != 0;
    if (parse_optional(rd, r) != PDL_OK)
        return PDL_ERR_FORMAT;
    if (r->worker < 0)
        r->ran = false;
    *got = true;
    return PDL_OK;
}

static int open_reader(struct reader *rd, const char *path, char *err,
                       size_t errsz)
{
    memset(rd, 0, sizeof(*rd));
    rd->err = err;
    rd->errsz = errsz;
    rd->in = fopen(path, "r");
    if (!rd->in) {
        snprintf(err, errsz, "%s", strerror(errno));
        return PDL_ERR_IO;
    }
    return PDL_OK;
}

static void close_reader(struct reader *rd)
{
    if (rd->in)
        fclose(rd->in);
    free(rd->line);
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

static void tally(struct pdl_chart_scan *sc, struct pairset *ps,
                  const struct row *r)
{
    double d = r->end - r->start;

    sc->rows++;
    if (!r->ok)
        sc->failed++;
    if ((unsigned long)r->rank + 1 > sc->ranks)
        sc->ranks = (unsigned)r->rank + 1;
    if (r->worker >= 0 && (unsigned long)r->worker + 1 > sc->lanes_per_rank)
        sc->lanes_per_rank = (unsigned)r->worker + 1;
    if (r->end > sc->max_end)
        sc->max_end = r->end;
    sc->bytes += r->bytes;
    if (!r->ran)
        return;
    sc->ran++;
    sc->busy += d;
    if (d > sc->longest)
        sc->longest = d;
    pairset_add(ps, ((uint64_t)r->rank << 32) | (uint64_t)r->worker);
}

int pdl_chart_scan_file(const char *path, struct pdl_chart_scan *sc, char *err,
                        size_t errsz)
{
    struct reader rd;
    struct pairset ps = {0};
    struct row r;
    bool got = true;
    int rc;

    memset(sc, 0, sizeof(*sc));
    sc->meta_tasks = -1;
    sc->ranks = 1;
    rc = open_reader(&rd, path, err, errsz);
    if (rc == PDL_OK)
        rc = read_head(&rd, sc);
    while (rc == PDL_OK && got) {
        rc = next_row(&rd, &r, &got);
        if (rc == PDL_OK && got)
            tally(sc, &ps, &r);
    }
    sc->workers_ran = (unsigned)ps.count;
    free(ps.keys);
    close_reader(&rd);
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

static void agg_row(struct agg *a, const struct pdl_chart_scan *sc,
                    const struct row *r)
{
    double d = r->end - r->start, from;
    int b = bin_of(&a->inflight, r->end);

    if (!r->ran)
        return;
    (r->ok ? a->done_ok : a->done_fail)[b] += 1;
    series_spread(&a->inflight, r->start, r->end, 1.0);
    from = r->ttfb > 0 && r->ttfb <= d ? r->start + r->ttfb : r->start;
    if (r->end > from)
        series_spread(&a->bytes, from, r->end,
                      (double)r->bytes / (r->end - from));
    else
        a->bytes.acc[b] += (double)r->bytes;
    (r->ok ? a->lat_ok : a->lat_fail)[lat_bin(d)]++;
    unsigned lane =
        (unsigned)r->rank * sc->lanes_per_rank + (unsigned)r->worker;
    unsigned row = lane / a->group;
    if (row < a->hrows) {
        series_spread(&a->heat[row], r->start, r->end, 1.0 / a->group);
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
            "OV_META_TASKS = %ld\n",
            sc->rows, sc->ran, sc->failed, sc->meta_workers, sc->meta_tasks);
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
    double xmax = sc->max_end > sc->meta_wall ? sc->max_end : sc->meta_wall;
    struct reader rd;
    struct agg a;
    struct row r;
    bool got = true;
    int rc;

    xmax = xmax > 0 ? xmax : 1.0;
    agg_init(&a, sc, xmax * 1.01);
    rc = open_reader(&rd, path, err, errsz);
    if (rc == PDL_OK)
        rc = read_head(&rd, NULL);
    while (rc == PDL_OK && got) {
        rc = next_row(&rd, &r, &got);
        if (rc == PDL_OK && got)
            agg_row(&a, sc, &r);
    }
    close_reader(&rd);
    if (rc == PDL_OK) {
        series_finish(&a.inflight);
        series_finish(&a.bytes);
        for (unsigned k = 0; k < a.hrows; k++)
            series_finish(&a.heat[k]);
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
