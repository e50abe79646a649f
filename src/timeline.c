/* The timeline TSV: one metadata header, one row per task, times in seconds
 * from the run's start. Written at the end of a run, read back by tests, by
 * charts and by later runs. */
#include "pdl/timeline.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

void pdl_run_info_init(struct pdl_run_info *info, const char *mode,
                       unsigned workers)
{
    struct timespec ts;
    struct tm tm;

    clock_gettime(CLOCK_REALTIME, &ts);
    time_t now = ts.tv_sec;
    memset(info, 0, sizeof(*info));
    info->epoch = (double)ts.tv_sec + (double)(ts.tv_nsec / 1000) / 1e6;
    snprintf(info->mode, sizeof(info->mode), "%s", mode);
    info->workers = workers;
    gmtime_r(&now, &tm);
    strftime(info->started, sizeof(info->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (gethostname(info->host, sizeof(info->host) - 1) != 0)
        snprintf(info->host, sizeof(info->host), "unknown");
    snprintf(info->version, sizeof(info->version), "%s", PDL_VERSION);
}

/* Appends name to the lists= text at *o, escaped; false (nothing added) if
 * it does not fit. */
static bool add_list(char *buf, size_t *o, const char *name, bool first)
{
    char tmp[PDL_LISTS_MAX];
    size_t k = 0;

    if (!first)
        tmp[k++] = ',';
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
        if (k + 4 >= sizeof(tmp))
            return false;
        if (*c <= ' ' || *c == ',' || *c == '%' || *c == 0x7f)
            k += (size_t)snprintf(tmp + k, 4, "%%%02X", *c);
        else
            tmp[k++] = (char)*c;
    }
    if (*o + k >= PDL_LISTS_MAX)
        return false;
    memcpy(buf + *o, tmp, k);
    *o += k;
    buf[*o] = '\0';
    return true;
}

void pdl_run_info_set_lists(struct pdl_run_info *info, const char *const *names,
                            size_t n)
{
    size_t o = 0;

    info->lists[0] = '\0';
    for (size_t i = 0; i < n; i++)
        if (!add_list(info->lists, &o, names[i], o == 0))
            break;
}

/* "00".."99": numbers are written two digits a step. */
static const char digit_pairs[201] = "00010203040506070809"
                                     "10111213141516171819"
                                     "20212223242526272829"
                                     "30313233343536373839"
                                     "40414243444546474849"
                                     "50515253545556575859"
                                     "60616263646566676869"
                                     "70717273747576777879"
                                     "80818283848586878889"
                                     "90919293949596979899";

/* A non-negative integer's decimal digits at p; returns the end. By hand:
 * snprintf costs some 600 instructions a call, a row had eleven. */
static char *put_uint(char *p, unsigned long long v)
{
    char d[24], *e = d + sizeof(d), *b = e;
    size_t n;

    if (v < 10) { /* a worker, an attempt count, a rank: most numbers */
        *p = (char)('0' + v);
        return p + 1;
    }
    for (; v >= 100; v /= 100) {
        b -= 2;
        memcpy(b, digit_pairs + 2 * (v % 100), 2);
    }
    if (v >= 10) {
        b -= 2;
        memcpy(b, digit_pairs + 2 * v, 2);
    } else {
        *--b = (char)('0' + v);
    }
    n = (size_t)(e - b);
    memcpy(p, b, n);
    return p + n;
}

static char *put_int(char *p, long long v)
{
    if (v < 0) {
        *p++ = '-';
        return put_uint(p, 0ULL - (unsigned long long)v);
    }
    return put_uint(p, (unsigned long long)v);
}

static char *put_str(char *p, const char *s)
{
    size_t n = strlen(s);

    memcpy(p, s, n);
    return p + n;
}

/* Microseconds as seconds with six decimals, in integers: the same text as
 * "%.6f" of the seconds, without the cost of formatting a double (most of
 * what a row costs). Negative values, which no run records, read as 0. */
static char *put_us(char *p, int64_t us)
{
    unsigned frac;

    if (us < 0)
        us = 0;
    p = put_uint(p, (unsigned long long)(us / 1000000));
    *p++ = '.';
    frac = (unsigned)(us % 1000000);
    memcpy(p + 4, digit_pairs + 2 * (frac % 100), 2);
    frac /= 100;
    memcpy(p + 2, digit_pairs + 2 * (frac % 100), 2);
    memcpy(p, digit_pairs + 2 * (frac / 100), 2);
    return p + 6;
}

/* A row is built in a buffer of the writer's and handed to stdio in one
 * fwrite: the dozen stdio calls a row made cost 1,500 instructions of its
 * 3,200 (callgrind, rows of 64-byte requests). A text longer than the
 * buffer goes out in pieces. */
#define ROW_BUF 4096
#define ROW_NUMBERS 512 /* the most the numbers between two texts take */

struct row {
    FILE *out;
    size_t n;
    char buf[ROW_BUF];
};

static void row_flush(struct row *w)
{
    fwrite(w->buf, 1, w->n, w->out);
    w->n = 0;
}

/* Where up to ROW_NUMBERS bytes of numbers go next. */
static char *row_at(struct row *w)
{
    if (w->n > ROW_BUF - ROW_NUMBERS)
        row_flush(w);
    return w->buf + w->n;
}

static void row_end_at(struct row *w, const char *p)
{
    w->n = (size_t)(p - w->buf);
}

/* A text as one field: no tab or line break may split the row. Copied
 * whole when it has none (the usual case), else byte by byte. */
static void row_text(struct row *w, const char *e, size_t max)
{
    size_t len, clean, k;

    if (!e[0]) /* most of the later columns, most of the time */
        return;
    len = strnlen(e, max);
    clean = strcspn(e, "\t\r\n");
    while (len > 0) {
        if (w->n == ROW_BUF)
            row_flush(w);
        k = len < ROW_BUF - w->n ? len : ROW_BUF - w->n;
        if (clean >= k) {
            memcpy(w->buf + w->n, e, k);
        } else {
            for (size_t i = 0; i < k; i++)
                w->buf[w->n + i] =
                    e[i] == '\t' || e[i] == '\n' || e[i] == '\r' ? ' ' : e[i];
        }
        clean = clean > k ? clean - k : 0;
        w->n += k;
        e += k;
        len -= k;
    }
}

static void row_char(struct row *w, char c)
{
    if (w->n == ROW_BUF)
        row_flush(w);
    w->buf[w->n++] = c;
}

static int64_t ns_to_us(int64_t ns)
{
    return (ns + 500) / 1000;
}

const char *pdl_http_version_text(const struct pdl_result *r)
{
    switch (r->http_version) {
    case 10:
        return "1.0";
    case 11:
        return "1.1";
    case 20:
        return "2";
    case 30:
        return "3";
    default:
        return "";
    }
}

int pdl_http_version_parse(const char *s)
{
    static const char *const names[] = {"1.0", "1.1", "2", "3"};
    static const int codes[] = {10, 11, 20, 30};

    if (!*s)
        return 0;
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (strcmp(s, names[i]) == 0)
            return codes[i];
    return -1;
}

/* True if s has only what an IPv4 or IPv6 address may hold (with a zone
 * after %). A loop: strspn builds a table of the set at every call, half
 * of what this function cost a row. */
static bool address_text(const char *s)
{
    for (; *s; s++)
        if (!isxdigit((unsigned char)*s) && *s != '.' && *s != ':' && *s != '%')
            return false;
    return true;
}

void pdl_remote_text(const struct pdl_result *r, char *buf, size_t n)
{
    const char *ip = r->remote_ip;
    bool v6 = strchr(ip, ':') != NULL;

    size_t len = strlen(ip);
    char *p = buf;

    /* Only what an address may hold: no tab or line break in a field. */
    if (!ip[0] || !address_text(ip)) {
        snprintf(buf, n, "%s", "");
        return;
    }
    /* Brackets, colon, port (11) and nul: by hand when it fits (every
     * row's), as the rest of the row. */
    if (len + 16 > n) {
        snprintf(buf, n, "%s%s%s:%d", v6 ? "[" : "", ip, v6 ? "]" : "",
                 r->remote_port);
        return;
    }
    if (v6)
        *p++ = '[';
    memcpy(p, ip, len);
    p += len;
    if (v6)
        *p++ = ']';
    *p++ = ':';
    p = put_int(p, r->remote_port);
    *p = '\0';
}

bool pdl_remote_parse(const char *s, struct pdl_result *r)
{
    const char *colon = strrchr(s, ':'), *ip = s;
    size_t len;
    char *end;
    long port;

    r->remote_ip[0] = '\0';
    r->remote_port = 0;
    if (!*s)
        return true;
    if (!colon)
        return false;
    len = (size_t)(colon - s);
    if (s[0] == '[') {
        if (len < 2 || s[len - 1] != ']')
            return false;
        ip = s + 1;
        len -= 2;
    }
    errno = 0;
    port = strtol(colon + 1, &end, 10);
    if (errno || end == colon + 1 || *end || port < 0 || port > 65535 ||
        len == 0 || len >= sizeof(r->remote_ip))
        return false;
    memcpy(r->remote_ip, ip, len);
    r->remote_ip[len] = '\0';
    r->remote_port = (int32_t)port;
    return true;
}

const char *pdl_timeline_host(const struct pdl_run_info *info,
                              const struct pdl_result *r)
{
    if (info->rank_hosts && r->rank >= 0 && (unsigned)r->rank < info->ranks &&
        info->rank_hosts[r->rank])
        return info->rank_hosts[r->rank];
    return info->host[0] ? info->host : "unknown";
}

static void write_row(struct row *w, size_t id, const struct pdl_result *r,
                      const char *url, const struct pdl_run_info *info)
{
    char remote[PDL_REMOTE_IP_MAX + 16];
    char *p = row_at(w);
    const int64_t times[] = {
        ns_to_us(r->start_ns), ns_to_us(r->end_ns), r->dns_us,
        r->connect_us,         r->tls_us,           r->ttfb_us};

    p = put_uint(p, id);
    *p++ = '\t';
    p = put_int(p, r->worker);
    for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
        *p++ = '\t';
        p = put_us(p, times[i]);
    }
    *p++ = '\t';
    p = put_int(p, r->bytes);
    *p++ = '\t';
    p = put_int(p, r->http);
    *p++ = '\t';
    p = put_str(p, pdl_status_token((enum pdl_status)r->status));
    *p++ = '\t';
    p = put_int(p, r->attempts);
    *p++ = '\t';
    p = put_us(p, ns_to_us(r->attempt_ns ? r->attempt_ns : r->start_ns));
    *p++ = '\t';
    row_end_at(w, p);
    row_text(w, url, SIZE_MAX);
    row_char(w, '\t');
    row_text(w, r->error, PDL_ERROR_MAX);
    p = row_at(w);
    *p++ = '\t';
    p = put_int(p, r->rank);
    *p++ = '\t';
    row_end_at(w, p);
    row_text(w, pdl_timeline_host(info, r), 255);
    pdl_remote_text(r, remote, sizeof(remote));
    p = row_at(w);
    *p++ = '\t';
    p = put_int(p, r->conn);
    *p++ = '\t';
    *p++ = r->new_conn ? '1' : '0';
    *p++ = '\t';
    p = put_str(p, pdl_http_version_text(r));
    *p++ = '\t';
    p = put_str(p, remote);
    *p++ = '\t';
    row_end_at(w, p);
    row_text(w, r->file, sizeof(r->file));
    row_char(w, '\t');
    row_text(w, r->effective_url, sizeof(r->effective_url));
    row_char(w, '\t');
    row_text(w, r->content_type, sizeof(r->content_type));
    row_char(w, '\n');
    row_flush(w);
}

/* The metadata line is padded to this width when first written, so that
 * it can be completed in place at the end. */
#define META_WIDTH 1024

struct pdl_timeline_writer {
    FILE *out;
    struct row row;                  /* the row being built; row.out is out */
    const struct pdl_run_info *info; /* hosts of the rows */
    off_t meta_at; /* offset of the metadata line; -1 if out cannot seek */
    int err;       /* errno of the first failure */
};

/* The keys of an mpi run: its ranks, their hosts (a comma-separated list in
 * rank order), how well their clocks were aligned and the messages. */
static void write_mpi_meta(FILE *out, const struct pdl_run_info *info)
{
    fprintf(out, " ranks=%u rank_hosts=", info->ranks);
    for (unsigned i = 0; i < info->ranks; i++) {
        const char *h = info->rank_hosts[i] ? info->rank_hosts[i] : "unknown";
        if (i > 0)
            fputc(',', out);
        for (; *h; h++)
            fputc(*h == ',' || *h == ' ' || *h == '\t' || *h == '\n' ? '_' : *h,
                  out);
    }
    fprintf(out,
            " clock_error_us=%.0f mpi_messages=%llu messages_per_task=%.3f",
            info->clock_error * 1e6, info->messages, info->messages_per_task);
}

/* The metadata keys, without the leading "#" and the line end, in a string
 * the caller frees; *len is its length. With st the run is over: its totals
 * and, for an mpi run, its ranks. */
static char *format_meta(const struct pdl_run_info *info,
                         const struct pdl_stats *st, size_t *len)
{
    char *buf = NULL;
    FILE *out = open_memstream(&buf, len);

    /* Out of memory: a line with nothing known beats no timeline. */
    if (!out) {
        *len = 0;
        return pdl_xstrdup("");
    }
    fprintf(out, " mode=%s workers=%u", info->mode, info->workers);
    if (info->workers_asked && info->workers_asked != info->workers)
        fprintf(out, " workers_asked=%u", info->workers_asked);
    if (info->longest_first)
        fputs(" handout=longest-first", out);
    if (st)
        fprintf(out, " tasks=%zu ok=%zu failed=%zu wall=%.6f", st->tasks,
                st->ok, st->failed, st->wall);
    fprintf(out, " started=%s epoch=%.6f host=%s pdl=%s", info->started,
            info->epoch, info->host, info->version);
    if (info->lists[0])
        fprintf(out, " lists=%s", info->lists);
    fprintf(out, " order=completion");
    /* Before complete, which readers expect last outside an mpi run. */
    if (info->loops)
        fprintf(out, " loops=%u", info->loops);
    fprintf(out, " complete=%d", st ? 1 : 0);
    if (st && info->rank_hosts)
        write_mpi_meta(out, info);
    if (fclose(out) != 0 || !buf) {
        free(buf);
        *len = 0;
        return pdl_xstrdup("");
    }
    return buf;
}

static void check(struct pdl_timeline_writer *w)
{
    if (!w->err && ferror(w->out))
        w->err = errno ? errno : EIO;
}

/* Starts a timeline; with st (all rows known before the first is written)
 * the metadata is final at once. */
static struct pdl_timeline_writer *
start(FILE *out, const struct pdl_run_info *info, const struct pdl_stats *st)
{
    struct pdl_timeline_writer *w = pdl_xcalloc(1, sizeof(*w));
    struct stat sb;
    size_t k;
    char *meta;

    w->out = out;
    w->row.out = out;
    w->info = info;
    w->meta_at = -1;
    fprintf(out, "# pdl-timeline %d\n", PDL_TIMELINE_VERSION);
    meta = format_meta(info, st, &k);
    if (st) {
        fprintf(out, "#%s\n%s\n", meta, PDL_TIMELINE_HEADER);
    } else {
        /* Rows are buffered and written out by pdl_timeline_writer_flush
         * (the run does so every 50 ms): a write per row would cost more
         * than the rest of a small request. Only a regular file can be
         * completed in place. */
        setvbuf(out, NULL, _IOFBF, 65536);
        fflush(out);
        if (fstat(fileno(out), &sb) == 0 && S_ISREG(sb.st_mode))
            w->meta_at = ftello(out);
        fprintf(out, "#%s%*s\n%s\n", meta,
                k < META_WIDTH - 2 ? (int)(META_WIDTH - 2 - k) : 0, "",
                PDL_TIMELINE_HEADER);
    }
    free(meta);
    check(w);
    return w;
}

struct pdl_timeline_writer *
pdl_timeline_writer_start(FILE *out, const struct pdl_run_info *info)
{
    return start(out, info, NULL);
}

int pdl_timeline_writer_row(struct pdl_timeline_writer *w,
                            const struct pdl_task *t,
                            const struct pdl_result *r)
{
    write_row(&w->row, (size_t)t->id, r, t->url, w->info);
    check(w);
    if (w->err)
        errno = w->err;
    return w->err ? PDL_ERR_IO : PDL_OK;
}

int pdl_timeline_writer_flush(struct pdl_timeline_writer *w)
{
    if (fflush(w->out) != 0)
        check(w);
    if (w->err)
        errno = w->err;
    return w->err ? PDL_ERR_IO : PDL_OK;
}

int pdl_timeline_writer_end(struct pdl_timeline_writer *w,
                            const struct pdl_run_info *info,
                            const struct pdl_stats *st)
{
    size_t k;
    char *meta = format_meta(info, st, &k);
    int err;

    fprintf(w->out, "# end tasks=%zu ok=%zu failed=%zu wall=%.6f complete=1",
            st->tasks, st->ok, st->failed, st->wall);
    if (info->rank_hosts)
        write_mpi_meta(w->out, info);
    fputc('\n', w->out);
    if (fflush(w->out) != 0)
        check(w);
    check(w);
    /* The metadata line, completed where it stands, if it still fits. */
    if (!w->err && w->meta_at >= 0 && k < META_WIDTH - 2 &&
        fseeko(w->out, w->meta_at, SEEK_SET) == 0) {
        fprintf(w->out, "#%s%*s", meta, (int)(META_WIDTH - 2 - k), "");
        if (fflush(w->out) != 0 || fseeko(w->out, 0, SEEK_END) != 0)
            check(w);
    }
    check(w);
    free(meta);
    err = w->err;
    free(w);
    if (err)
        errno = err;
    return err ? PDL_ERR_IO : PDL_OK;
}

int pdl_timeline_write(FILE *out, const struct pdl_run_info *info,
                       const struct pdl_result *results,
                       const char *const *urls, size_t n)
{
    struct pdl_timeline_writer *w;
    struct pdl_stats st;

    pdl_stats_compute(results, n, &st);
    w = start(out, info, &st);
    for (size_t i = 0; i < n; i++) {
        struct pdl_task t = {.id = i, .url = (char *)urls[i]};
        pdl_timeline_writer_row(w, &t, &results[i]);
    }
    return pdl_timeline_writer_end(w, info, &st);
}
