/* Reading a timeline back into result records, strictly: any row that is not
 * what pdl writes is an error naming its line. */
#include "pdl/timeline.h"
#include "pdl/util.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define NFIELDS 24 /* version 5; 4 has 21, 3 has 17, 2 has 15, 1 has 13 */
#define RANKS_MAX (1 << 20)

struct reader {
    int version;
    char *rank_hosts; /* the metadata's list, owned until parsed */
    FILE *in;
    char *line;
    size_t cap;
    long lineno;
    char *err;
    size_t errsz;
    bool newline; /* the last line read ended with one */
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

/* Next line without its '\n'; NULL at the end. */
static char *next_line(struct reader *rd)
{
    ssize_t n = getline(&rd->line, &rd->cap, rd->in);

    if (n < 0)
        return NULL;
    rd->lineno++;
    rd->newline = n > 0 && rd->line[n - 1] == '\n';
    if (rd->newline)
        rd->line[n - 1] = '\0';
    return rd->line;
}

static bool parse_ll(const char *s, long long lo, long long hi, long long *v)
{
    char *end;

    errno = 0;
    *v = strtoll(s, &end, 10);
    return errno == 0 && end != s && *end == '\0' && *v >= lo && *v <= hi;
}

static bool parse_secs(const char *s, double scale, int64_t *v)
{
    char *end;
    double d;

    errno = 0;
    d = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(d) || d < 0 || d > 1e9)
        return false;
    *v = (int64_t)llround(d * scale);
    return true;
}

static void parse_meta(char *s, struct pdl_run_info *info, char **hosts)
{
    while (*s) {
        char *kv = s + strspn(s, " ");
        size_t len = strcspn(kv, " ");
        char *eq = memchr(kv, '=', len);
        long long v;
        s = kv + len + (kv[len] != '\0');
        kv[len] = '\0';
        if (!eq)
            continue;
        *eq = '\0';
        const char *val = eq + 1;
        if (strcmp(kv, "mode") == 0)
            snprintf(info->mode, sizeof(info->mode), "%s", val);
        else if (strcmp(kv, "workers") == 0 && parse_ll(val, 0, 1 << 30, &v))
            info->workers = (unsigned)v;
        else if (strcmp(kv, "workers_asked") == 0 &&
                 parse_ll(val, 0, 1 << 30, &v))
            info->workers_asked = (unsigned)v;
        else if (strcmp(kv, "handout") == 0)
            info->longest_first = strcmp(val, "longest-first") == 0;
        else if (strcmp(kv, "loops") == 0 && parse_ll(val, 0, 1 << 30, &v))
            info->loops = (unsigned)v;
        else if (strcmp(kv, "complete") == 0 && parse_ll(val, 0, 1, &v))
            info->complete = (int)v;
        else if (strcmp(kv, "started") == 0)
            snprintf(info->started, sizeof(info->started), "%s", val);
        else if (strcmp(kv, "epoch") == 0)
            info->epoch = strtod(val, NULL);
        else if (strcmp(kv, "host") == 0)
            snprintf(info->host, sizeof(info->host), "%s", val);
        else if (strcmp(kv, "pdl") == 0)
            snprintf(info->version, sizeof(info->version), "%s", val);
        else if (strcmp(kv, "clock_error_us") == 0)
            info->clock_error = strtod(val, NULL) / 1e6;
        else if (strcmp(kv, "mpi_messages") == 0 &&
                 parse_ll(val, 0, INT64_MAX, &v))
            info->messages = (unsigned long long)v;
        else if (strcmp(kv, "messages_per_task") == 0)
            info->messages_per_task = strtod(val, NULL);
        else if (strcmp(kv, "lists") == 0)
            snprintf(info->lists, sizeof(info->lists), "%s", val);
        else if (strcmp(kv, "rank_hosts") == 0 && !*hosts)
            *hosts = pdl_xstrdup(val);
    }
}

/* Host of rank (from a row's host column) unless already known. */
static void note_host(struct pdl_timeline *tl, long long rank, const char *host)
{
    size_t n = tl->nhosts;

    if ((size_t)rank >= n) {
        tl->hosts = pdl_xrealloc(tl->hosts, (size_t)rank + 1, sizeof(char *));
        for (size_t i = n; i <= (size_t)rank; i++)
            tl->hosts[i] = NULL;
        tl->nhosts = (size_t)rank + 1;
    }
    if (!tl->hosts[rank])
        tl->hosts[rank] = pdl_xstrdup(host);
}

/* The metadata's rank_hosts list (commas between hosts) as tl->hosts. */
static void split_hosts(struct pdl_timeline *tl, char *list)
{
    long long rank = 0;

    for (char *h = list; h && rank < RANKS_MAX; rank++) {
        char *comma = strchr(h, ',');
        if (comma)
            *comma = '\0';
        note_host(tl, rank, h);
        h = comma ? comma + 1 : NULL;
    }
}

/* Version 4's connection columns: conn, new_conn, http_version, remote. */
static int parse_connection(char **f, struct pdl_result *r)
{
    long long conn, fresh;
    int version = pdl_http_version_parse(f[2]);

    if (!parse_ll(f[0], 0, 65535, &conn) || !parse_ll(f[1], 0, 1, &fresh) ||
        version < 0 || !pdl_remote_parse(f[3], r))
        return -1;
    r->conn = (int32_t)conn;
    r->new_conn = (int32_t)fresh;
    r->http_version = version;
    return 0;
}

/* Version 5's texts: file, effective_url, content_type, cut to fit. */
static void parse_texts(char **f, struct pdl_result *r)
{
    snprintf(r->file, sizeof(r->file), "%.*s", (int)sizeof(r->file) - 1, f[0]);
    snprintf(r->effective_url, sizeof(r->effective_url), "%.*s",
             (int)sizeof(r->effective_url) - 1, f[1]);
    snprintf(r->content_type, sizeof(r->content_type), "%.*s",
             (int)sizeof(r->content_type) - 1, f[2]);
}

static int parse_row(struct reader *rd, char *s, struct pdl_timeline *tl,
                     pdl_timeline_row_fn *row, void *ctx)
{
    char *f[NFIELDS];
    struct pdl_result r = {0};
    long long id, v[4], rank = 0;
    int st, nf = rd->version == 1   ? 13
                 : rd->version == 2 ? 15
                 : rd->version == 3 ? 17
                 : rd->version == 4 ? 21
                                    : NFIELDS;

    if (pdl_split_tabs(s, f, nf) != nf)
        return fail(rd, "expected %d tab-separated fields", nf);
    /* Version 1 had no attempt_start and no error: url was field 12. */
    const char *url = nf == 13 ? f[12] : f[13];
    if (nf > 13 && !parse_secs(f[12], 1e9, &r.attempt_ns))
        return fail(rd, "bad time field");
    if (nf > 13)
        snprintf(r.error, sizeof(r.error), "%.*s", (int)sizeof(r.error) - 1,
                 f[14]);
    if (nf >= 17 &&
        (!parse_ll(f[15], 0, RANKS_MAX - 1, &rank) || f[16][0] == '\0'))
        return fail(rd, "bad rank or host field");
    if (nf >= 21 && parse_connection(f + 17, &r) != 0)
        return fail(rd, "bad conn, new_conn, http_version or remote field");
    if (nf == NFIELDS)
        parse_texts(f + 21, &r);
    if (!parse_ll(f[0], 0, (long long)1 << 40, &id) ||
        !parse_ll(f[1], -1, 1 << 30, &v[0]) ||
        !parse_ll(f[8], 0, INT64_MAX, &v[1]) ||
        !parse_ll(f[9], 0, 999, &v[2]) || !parse_ll(f[11], 0, 1 << 30, &v[3]))
        return fail(rd, "bad integer field");
    if (!parse_secs(f[2], 1e9, &r.start_ns) ||
        !parse_secs(f[3], 1e9, &r.end_ns) ||
        !parse_secs(f[4], 1e6, &r.dns_us) ||
        !parse_secs(f[5], 1e6, &r.connect_us) ||
        !parse_secs(f[6], 1e6, &r.tls_us) || !parse_secs(f[7], 1e6, &r.ttfb_us))
        return fail(rd, "bad time field");
    st = (int)pdl_status_parse(f[10]);
    if (st == PDL_ST_COUNT)
        return fail(rd, "unknown status \"%.40s\"", f[10]);
    r.worker = (int32_t)v[0];
    r.bytes = v[1];
    r.http = (int32_t)v[2];
    r.attempts = (int32_t)v[3];
    r.status = st;
    r.rank = (int32_t)rank;
    if (nf >= 17)
        note_host(tl, rank, f[16]);
    row(ctx, (size_t)id, &r, url);
    return PDL_OK;
}

_Static_assert(offsetof(struct pdl_result, effective_url) > PDL_TIMELINE_CORE &&
                   offsetof(struct pdl_result, content_type) >
                       PDL_TIMELINE_CORE,
               "the texts must be the record's last fields");

/* r's texts in one string, or NULL if all are empty (most rows). */
static char *pack_texts(const struct pdl_result *r)
{
    size_t a = strnlen(r->file, sizeof(r->file)),
           b = strnlen(r->effective_url, sizeof(r->effective_url)),
           c = strnlen(r->content_type, sizeof(r->content_type));
    char *t;

    if (a + b + c == 0)
        return NULL;
    t = pdl_xmalloc(a + b + c + 3);
    memcpy(t, r->file, a);
    t[a] = '\0';
    memcpy(t + a + 1, r->effective_url, b);
    t[a + 1 + b] = '\0';
    memcpy(t + a + b + 2, r->content_type, c);
    t[a + b + 2 + c] = '\0';
    return t;
}

void pdl_timeline_add(struct pdl_timeline *tl, size_t id,
                      const struct pdl_result *r, const char *url)
{
    if (tl->count == tl->cap) {
        tl->cap = tl->cap ? tl->cap * 2 : 64;
        tl->core = pdl_xrealloc(tl->core, tl->cap, PDL_TIMELINE_CORE);
        tl->texts = pdl_xrealloc(tl->texts, tl->cap, sizeof(char *));
        tl->ids = pdl_xrealloc(tl->ids, tl->cap, sizeof(size_t));
        tl->urls = pdl_xrealloc(tl->urls, tl->cap, sizeof(char *));
    }
    memcpy(tl->core + tl->count * PDL_TIMELINE_CORE, r, PDL_TIMELINE_CORE);
    tl->texts[tl->count] = pack_texts(r);
    tl->ids[tl->count] = id;
    tl->urls[tl->count] = pdl_xstrdup(url);
    tl->count++;
}

/* Copies the next of the packed texts at *t into dst. */
static void unpack(char *dst, size_t cap, const char **t)
{
    size_t n = strlen(*t);

    if (n >= cap)
        n = cap - 1;
    memcpy(dst, *t, n);
    dst[n] = '\0';
    *t += strlen(*t) + 1;
}

const struct pdl_result *pdl_timeline_at(const struct pdl_timeline *tl,
                                         size_t i, struct pdl_result *tmp)
{
    const char *t = tl->texts[i];

    memcpy(tmp, tl->core + i * PDL_TIMELINE_CORE, PDL_TIMELINE_CORE);
    memset((char *)tmp + PDL_TIMELINE_CORE, 0,
           sizeof(*tmp) - PDL_TIMELINE_CORE);
    if (t) {
        unpack(tmp->file, sizeof(tmp->file), &t);
        unpack(tmp->effective_url, sizeof(tmp->effective_url), &t);
        unpack(tmp->content_type, sizeof(tmp->content_type), &t);
    }
    return tmp;
}

/* Keeps one row in the timeline (pdl_timeline_read). */
static void keep_row(void *ctx, size_t id, const struct pdl_result *r,
                     const char *url)
{
    pdl_timeline_add(ctx, id, r, url);
}

static int parse_head(struct reader *rd, struct pdl_timeline *tl)
{
    char *s = next_line(rd);
    int version;
    char extra;

    if (!s)
        return ferror(rd->in) ? PDL_ERR_IO : fail(rd, "empty file");
    if (sscanf(s, "# pdl-timeline %d%c", &version, &extra) != 1 ||
        version < 1 || version > PDL_TIMELINE_VERSION)
        return fail(rd, "not a pdl timeline of version 1..%d",
                    PDL_TIMELINE_VERSION);
    rd->version = version;
    while ((s = next_line(rd)) && s[0] == '#')
        parse_meta(s + 1, &tl->info, &rd->rank_hosts);
    if (!s)
        return fail(rd, "no column header");
    if (strcmp(s, version == 1   ? PDL_TIMELINE_HEADER_V1
                  : version == 2 ? PDL_TIMELINE_HEADER_V2
                  : version == 3 ? PDL_TIMELINE_HEADER_V3
                  : version == 4 ? PDL_TIMELINE_HEADER_V4
                                 : PDL_TIMELINE_HEADER))
        return fail(rd, "unexpected column header");
    return PDL_OK;
}

/* The rows: a comment line among them (version 4's "# end" line) adds to
 * the metadata; a last line cut short (the run was killed while writing it)
 * is left out. */
static int parse_rows(struct reader *rd, struct pdl_timeline *tl,
                      pdl_timeline_row_fn *row, void *ctx)
{
    int rc = PDL_OK;
    char *s;

    while (rc == PDL_OK && (s = next_line(rd))) {
        if (s[0] == '#' && rd->version >= 4) {
            parse_meta(s + 1, &tl->info, &rd->rank_hosts);
            continue;
        }
        bool cut = !rd->newline;
        rc = parse_row(rd, s, tl, row, ctx);
        if (rc != PDL_OK && cut && rd->version >= 4)
            rc = PDL_OK;
    }
    return rc;
}

/* Applies a rank_hosts list the metadata gave; true if there was one. */
static bool take_hosts(struct reader *rd, struct pdl_timeline *tl)
{
    if (!rd->rank_hosts)
        return false;
    split_hosts(tl, rd->rank_hosts);
    free(rd->rank_hosts);
    rd->rank_hosts = NULL;
    return true;
}

static int read_all(FILE *in, struct pdl_timeline *tl, pdl_timeline_row_fn *row,
                    void *ctx, char *err, size_t errsz)
{
    struct reader rd = {.in = in, .err = err, .errsz = errsz};
    bool ranked = false;
    int rc;

    memset(tl, 0, sizeof(*tl));
    tl->info.complete = -1;
    rc = parse_head(&rd, tl);
    /* The metadata's list first; the rows name hosts it left out. */
    ranked = take_hosts(&rd, tl) || ranked;
    if (rc == PDL_OK)
        rc = parse_rows(&rd, tl, row, ctx);
    ranked = take_hosts(&rd, tl) || ranked;
    if (rc == PDL_OK && ferror(in))
        rc = PDL_ERR_IO;
    free(rd.line);
    if (ranked) {
        tl->info.ranks = (unsigned)tl->nhosts;
        tl->info.rank_hosts = (const char *const *)tl->hosts;
    }
    if (rc != PDL_OK)
        pdl_timeline_cleanup(tl);
    return rc;
}

int pdl_timeline_read(FILE *in, struct pdl_timeline *tl, char *err,
                      size_t errsz)
{
    return read_all(in, tl, keep_row, tl, err, errsz);
}

int pdl_timeline_each(FILE *in, struct pdl_timeline *tl,
                      pdl_timeline_row_fn *row, void *ctx, char *err,
                      size_t errsz)
{
    return read_all(in, tl, row, ctx, err, errsz);
}

void pdl_timeline_cleanup(struct pdl_timeline *tl)
{
    if (!tl)
        return;
    for (size_t i = 0; i < tl->count; i++) {
        free(tl->urls[i]);
        free(tl->texts[i]);
    }
    for (size_t i = 0; i < tl->nhosts; i++)
        free(tl->hosts[i]);
    free(tl->hosts);
    free(tl->urls);
    free(tl->ids);
    free(tl->core);
    free(tl->texts);
    memset(tl, 0, sizeof(*tl));
}
