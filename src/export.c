/* Timeline exports: JSON lines, Chrome trace events and HAR 1.2, streamed
 * with stdio. Every time is rounded to the microsecond as the timeline TSV
 * rounds it, and every phase is kept inside its task, so that the formats
 * agree with each other and with the timeline they may be made from later. */
#include "pdl/export.h"
#include "pdl/output.h"
#include "pdl/stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Named tracks for workers that ran nothing stop here, so that a timeline
 * with a forged workers= cannot make a trace of gigabytes. */
#define IDLE_TRACKS_MAX 4096

/* What every writer gets: n tasks of one run, as records (results, urls,
 * ids) or as the rows of a timeline read back (tl), in id order (order). */
struct batch {
    const struct pdl_run_info *info;
    const struct pdl_result *results;
    const char *const *urls;
    const size_t *ids; /* NULL: a task's id is its index */
    const struct pdl_timeline *tl;
    const size_t *order; /* row of the i-th task of tl */
    size_t n;
};

/* The curl phases in order; PH_WAIT ends with the first byte. */
enum phase { PH_DNS, PH_CONNECT, PH_TLS, PH_WAIT, PH_COUNT };

/* One task in microseconds: its start from the run's start, its duration,
 * and when each phase ended after the start (-1 = did not happen), made
 * non-decreasing and no later than the task's end. */
struct span {
    int64_t start;
    int64_t dur;
    int64_t retry; /* earlier attempts and back-off: 0 to the final attempt */
    int64_t end[PH_COUNT];
};

typedef void (*write_fn)(FILE *out, const struct batch *b);

static void write_jsonl(FILE *out, const struct batch *b);
static void write_chrome(FILE *out, const struct batch *b);
static void write_har(FILE *out, const struct batch *b);
static void write_report(FILE *out, const struct batch *b);

/* Matched in this order: *.trace.json before *.json. */
static const struct exporter {
    const char *ext;
    write_fn write;
} exporters[] = {
    [PDL_EXPORT_JSONL] = {"jsonl", write_jsonl},
    [PDL_EXPORT_CHROME] = {"trace.json", write_chrome},
    [PDL_EXPORT_HAR] = {"har", write_har},
    [PDL_EXPORT_REPORT] = {"json", write_report},
};

#define NEXPORTERS (sizeof(exporters) / sizeof(exporters[0]))

/* ---- JSON text ---- */

/* Writes len bytes of s as a JSON string. Bytes from 0x80 up pass through:
 * the input is taken to be UTF-8. */
/* Length of the valid UTF-8 sequence at s (at most len bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t len)
{
    size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
    uint32_t cp;

    if (n == 0 || s[0] > 0xf4 || n > len)
        return 0;
    cp = s[0] & (0xff >> (n + 1));
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    /* Overlong forms, surrogates and beyond U+10FFFF are not UTF-8. */
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
        (n == 4 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) ||
        cp > 0x10ffff)
        return 0;
    return n;
}

/* A JSON string: control bytes escaped, and bytes that are not UTF-8 (a
 * URL may hold any) as U+FFFD, so that the document stays valid JSON. */
static void json_strn(FILE *out, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;

    fputc('"', out);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = u[i];
        size_t n = c >= 0x80 ? utf8_len(u + i, len - i) : 0;
        if (c == '"' || c == '\\') {
            fprintf(out, "\\%c", c);
        } else if (c < 0x20) {
            fprintf(out, "\\u%04x", c);
        } else if (c < 0x80) {
            fputc(c, out);
        } else if (n > 0) {
            fwrite(u + i, 1, n, out);
            i += n - 1;
        } else {
            fputs("\\ufffd", out);
        }
    }
    fputc('"', out);
}

static void json_str(FILE *out, const char *s)
{
    json_strn(out, s, strlen(s));
}

void pdl_json_strn(FILE *out, const char *s, size_t len)
{
    json_strn(out, s, len);
}

/* The error text of r, read no further than its array: a record that came
 * through shared memory or a pipe is not trusted to be terminated. */
static void json_error(FILE *out, const struct pdl_result *r)
{
    json_strn(out, r->error, strnlen(r->error, sizeof(r->error)));
}

static void json_status(FILE *out, const struct pdl_result *r)
{
    json_str(out, pdl_status_token((enum pdl_status)r->status));
}

/* ---- times ---- */

static double secs(int64_t ns)
{
    return (double)ns / 1e9;
}

/* ns to us as the timeline rounds them (to the nearest microsecond, half
 * up, never below 0), so that a direct export and one made from the
 * timeline agree to the last digit. */
static int64_t tsv_us(int64_t ns)
{
    return ns < 0 ? 0 : (ns + 500) / 1000;
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
    if (v < lo)
        return lo;
    return v > hi ? hi : v;
}

static void span_of(const struct pdl_result *r, struct span *s)
{
    const int64_t at[PH_COUNT] = {r->dns_us, r->connect_us, r->tls_us,
                                  r->ttfb_us};
    int64_t cur = 0;

    s->start = tsv_us(r->start_ns);
    s->dur = tsv_us(r->end_ns) - s->start;
    if (s->dur < 0)
        s->dur = 0;
    s->retry = r->attempt_ns > r->start_ns
                   ? clamp(tsv_us(r->attempt_ns) - s->start, 0, s->dur)
                   : 0;
    cur = s->retry;
    for (int k = 0; k < PH_COUNT; k++) {
        s->end[k] = -1;
        if (at[k] <= 0)
            continue;
        cur = clamp(at[k], cur, s->dur);
        s->end[k] = cur;
    }
}

/* When phase k began: when the last earlier phase that happened ended, or
 * the final attempt began. */
static int64_t phase_begin(const struct span *s, int k)
{
    int64_t begin = s->retry;

    for (int j = 0; j < k; j++)
        if (s->end[j] >= 0)
            begin = s->end[j];
    return begin;
}

/* The run's start in microseconds since 1970. Timelines from before epoch=
 * was recorded carry only started=, to the second. */
static int64_t run_epoch_us(const struct pdl_run_info *info)
{
    struct tm tm = {0};
    const char *end;
    time_t t;

    if (isfinite(info->epoch) && info->epoch > 0 && info->epoch < 1e11)
        return llround(info->epoch * 1e6);
    end = strptime(info->started, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!end || *end)
        return 0;
    t = timegm(&tm);
    return t > 0 ? (int64_t)t * 1000000 : 0;
}

/* Writes a JSON string of the UTC time us after 1970, to the millisecond
 * (cut, not rounded, as clocks show time). */
static void json_date(FILE *out, int64_t us)
{
    time_t t;
    struct tm tm;
    char buf[32];

    if (us < 0)
        us = 0;
    t = (time_t)(us / 1000000);
    if (!gmtime_r(&t, &tm) ||
        strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        snprintf(buf, sizeof(buf), "1970-01-01T00:00:00");
    fprintf(out, "\"%s.%03dZ\"", buf, (int)(us % 1000000 / 1000));
}

/* Milliseconds with microsecond digits, or -1 for "not applicable". */
static void put_ms(FILE *out, int64_t us)
{
    if (us < 0)
        fputs("-1", out);
    else
        fprintf(out, "%.3f", (double)us / 1e3);
}

static bool started(const struct pdl_result *r)
{
    return r->status != PDL_ST_PENDING;
}

/* The record of task i of b: in b's array, or made in tmp from the
 * timeline's row. */
static const struct pdl_result *rec(const struct batch *b, size_t i,
                                    struct pdl_result *tmp)
{
    return b->tl ? pdl_timeline_at(b->tl, b->order[i], tmp) : &b->results[i];
}

static const struct pdl_result *batch_at(const void *ctx, size_t i,
                                         struct pdl_result *tmp)
{
    return rec(ctx, i, tmp);
}

static const char *url_of(const struct batch *b, size_t i)
{
    return b->tl ? b->tl->urls[b->order[i]] : b->urls[i];
}

static size_t task_id(const struct batch *b, size_t i)
{
    if (b->tl)
        return b->tl->ids[b->order[i]];
    return b->ids ? b->ids[i] : i;
}

/* ---- JSON lines ---- */

/* The connection columns of the timeline; null where unknown. */
static void jsonl_connection(FILE *out, const struct pdl_result *r)
{
    char remote[PDL_REMOTE_IP_MAX + 16];
    const char *v = pdl_http_version_text(r);

    fprintf(out, ",\"conn\":%d,\"new_conn\":%d,\"http_version\":", r->conn,
            r->new_conn ? 1 : 0);
    if (*v)
        json_str(out, v);
    else
        fputs("null", out);
    pdl_remote_text(r, remote, sizeof(remote));
    fputs(",\"remote\":", out);
    if (*remote)
        json_str(out, remote);
    else
        fputs("null", out);
}

/* A text field of r, read no further than its array; null when empty. */
static void json_text_or_null(FILE *out, const char *s, size_t max)
{
    size_t len = strnlen(s, max);

    if (len)
        json_strn(out, s, len);
    else
        fputs("null", out);
}

/* What scripts need beyond the timing: where the body went, the URL it
 * came from after redirects (the task's own when none) and its type. */
static void jsonl_outcome(FILE *out, const struct pdl_result *r,
                          const char *url)
{
    fputs(",\"file\":", out);
    json_text_or_null(out, r->file, sizeof(r->file));
    fputs(",\"effective_url\":", out);
    if (r->effective_url[0])
        json_text_or_null(out, r->effective_url, sizeof(r->effective_url));
    else if (started(r) && r->status != PDL_ST_SKIPPED)
        json_str(out, url);
    else
        fputs("null", out);
    fputs(",\"content_type\":", out);
    json_text_or_null(out, r->content_type, sizeof(r->content_type));
}

static void jsonl_task(FILE *out, const struct pdl_run_info *info, size_t id,
                       const struct pdl_result *r, const char *url)
{
    fprintf(out,
            "{\"id\":%zu,\"worker\":%d,\"start\":%.6f,\"end\":%.6f,"
            "\"dns\":%.6f,\"connect\":%.6f,\"tls\":%.6f,\"ttfb\":%.6f,"
            "\"bytes\":%lld,\"http\":%d,\"status\":",
            id, r->worker, secs(r->start_ns), secs(r->end_ns),
            (double)r->dns_us / 1e6, (double)r->connect_us / 1e6,
            (double)r->tls_us / 1e6, (double)r->ttfb_us / 1e6,
            (long long)r->bytes, r->http);
    json_status(out, r);
    fprintf(out,
            ",\"attempts\":%d,\"attempt_start\":%.6f,\"url\":", r->attempts,
            secs(r->attempt_ns ? r->attempt_ns : r->start_ns));
    json_str(out, url);
    if (r->error[0]) {
        fputs(",\"error\":", out);
        json_error(out, r);
    }
    fprintf(out, ",\"rank\":%d,\"host\":", r->rank);
    json_str(out, pdl_timeline_host(info, r));
    jsonl_connection(out, r);
    jsonl_outcome(out, r, url);
    fputs("}\n", out);
}

static void write_jsonl(FILE *out, const struct batch *b)
{
    struct pdl_result tmp;

    for (size_t i = 0; i < b->n; i++)
        jsonl_task(out, b->info, task_id(b, i), rec(b, i, &tmp), url_of(b, i));
}

/* ---- Chrome trace events ---- */

/* The task's name on its track: the URL's path and query, which is short,
 * or the whole URL when its path says nothing ("/" or none). */
static void chrome_name(FILE *out, const char *url)
{
    const char *p = strstr(url, "://");

    p = p ? strchr(p + 3, '/') : NULL;
    json_str(out, p && p[1] ? p : url);
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

    return (x > y) - (x < y);
}

/* The workers to name a track for, sorted and unique: every worker of the
 * run, even one that ran nothing, and every worker that ran a task. */
static size_t track_ids(const struct batch *b, int32_t **out)
{
    struct pdl_result tmp;
    unsigned idle =
        b->info->workers < IDLE_TRACKS_MAX ? b->info->workers : IDLE_TRACKS_MAX;
    int32_t *ids = pdl_xcalloc(b->n + idle + 1, sizeof(*ids));
    size_t k = 0, u = 0;

    for (unsigned w = 0; w < idle; w++)
        ids[k++] = (int32_t)w;
    for (size_t i = 0; i < b->n; i++) {
        const struct pdl_result *r = rec(b, i, &tmp);
        if (started(r))
            ids[k++] = r->worker;
    }
    qsort(ids, k, sizeof(*ids), cmp_i32);
    for (size_t i = 0; i < k; i++)
        if (u == 0 || ids[i] != ids[u - 1])
            ids[u++] = ids[i];
    *out = ids;
    return u;
}

/* The "M" events: the process named after the mode, one named track per
 * worker in worker order. The process comes first, so that every later
 * event can begin with its separator. */
static void chrome_tracks(FILE *out, const struct batch *b)
{
    char name[64];
    int32_t *ids;
    size_t n = track_ids(b, &ids);

    snprintf(name, sizeof(name), "pdl %s", b->info->mode);
    fputs("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,"
          "\"args\":{\"name\":",
          out);
    json_str(out, name);
    fputs("}}", out);
    for (size_t i = 0; i < n; i++) {
        fprintf(out,
                ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,"
                "\"tid\":%d,\"args\":{\"name\":\"worker %d\"}}"
                ",\n{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":1,"
                "\"tid\":%d,\"args\":{\"sort_index\":%d}}",
                ids[i], ids[i], ids[i], ids[i]);
    }
    free(ids);
}

static void chrome_phase(FILE *out, const char *name, int64_t ts, int64_t dur,
                         int32_t tid, size_t id)
{
    fprintf(out,
            ",\n{\"name\":\"%s\",\"cat\":\"phase\",\"ph\":\"X\","
            "\"ts\":%lld,\"dur\":%lld,\"pid\":1,\"tid\":%d,"
            "\"args\":{\"id\":%zu}}",
            name, (long long)ts, (long long)dur, tid, id);
}

/* The phases that happened, as slices nested in the task's own: the span
 * keeps each inside the task, which nesting on a track requires. */
static void chrome_phases(FILE *out, const struct span *s, int32_t tid,
                          size_t id)
{
    static const char *const names[PH_COUNT] = {"dns", "connect", "tls",
                                                "wait"};

    if (s->retry > 0)
        chrome_phase(out, "retry", s->start, s->retry, tid, id);
    for (int k = 0; k < PH_COUNT; k++) {
        if (s->end[k] < 0)
            continue;
        int64_t begin = phase_begin(s, k);
        chrome_phase(out, names[k], s->start + begin, s->end[k] - begin, tid,
                     id);
    }
    if (s->end[PH_WAIT] >= 0)
        chrome_phase(out, "transfer", s->start + s->end[PH_WAIT],
                     s->dur - s->end[PH_WAIT], tid, id);
}

static void chrome_task(FILE *out, size_t id, const struct pdl_result *r,
                        const char *url)
{
    struct span s;

    span_of(r, &s);
    fputs(",\n{\"name\":", out);
    chrome_name(out, url);
    fprintf(out,
            ",\"cat\":\"%s\",\"ph\":\"X\",\"ts\":%lld,\"dur\":%lld,"
            "\"pid\":1,\"tid\":%d,\"args\":{\"id\":%zu,\"url\":",
            pdl_result_ok(r) ? "task" : "failed", (long long)s.start,
            (long long)s.dur, r->worker, id);
    json_str(out, url);
    fprintf(out, ",\"http\":%d,\"status\":", r->http);
    json_status(out, r);
    fprintf(out, ",\"bytes\":%lld,\"attempts\":%d", (long long)r->bytes,
            r->attempts);
    if (r->error[0]) {
        fputs(",\"error\":", out);
        json_error(out, r);
    }
    fputs("}}", out);
    chrome_phases(out, &s, r->worker, id);
}

static void chrome_other(FILE *out, const struct batch *b)
{
    const struct pdl_run_info *info = b->info;

    fputs("\"otherData\":{\"mode\":", out);
    json_str(out, info->mode);
    fprintf(out, ",\"workers\":%u,\"tasks\":%zu,\"started\":", info->workers,
            b->n);
    json_str(out, info->started);
    fputs(",\"host\":", out);
    json_str(out, info->host);
    fputs(",\"pdl\":", out);
    json_str(out, info->version);
    fputs("}", out);
}

static void write_chrome(FILE *out, const struct batch *b)
{
    struct pdl_result tmp;

    fputs("{\"traceEvents\":[\n", out);
    chrome_tracks(out, b);
    for (size_t i = 0; i < b->n; i++) {
        const struct pdl_result *r = rec(b, i, &tmp);
        if (started(r))
            chrome_task(out, task_id(b, i), r, url_of(b, i));
    }
    fputs("\n],\n\"displayTimeUnit\":\"ms\",\n", out);
    chrome_other(out, b);
    fputs("}\n", out);
}

/* ---- HAR 1.2 ---- */

static void har_pair(FILE *out, const char *s, size_t len, bool *first)
{
    const char *eq = memchr(s, '=', len);
    size_t nlen = eq ? (size_t)(eq - s) : len;

    fputs(*first ? "{\"name\":" : ",{\"name\":", out);
    json_strn(out, s, nlen);
    fputs(",\"value\":", out);
    json_strn(out, s + nlen + (eq != NULL), len - nlen - (eq != NULL));
    fputc('}', out);
    *first = false;
}

/* The query of url (after '?', before any '#') as name/value pairs, split
 * at '&' and the first '='; not percent-decoded. */
static void har_query(FILE *out, const char *url)
{
    size_t before_hash = strcspn(url, "#");
    const char *q = memchr(url, '?', before_hash);
    const char *stop = url + before_hash;
    bool first = true;

    fputc('[', out);
    for (const char *p = q ? q + 1 : stop; p < stop;) {
        const char *amp = memchr(p, '&', (size_t)(stop - p));
        const char *end = amp ? amp : stop;
        if (end > p)
            har_pair(out, p, (size_t)(end - p), &first);
        p = end + 1;
    }
    fputc(']', out);
}

/* HAR's name of the HTTP version r spoke ("HTTP/1.1", "HTTP/2"), "" when
 * unknown (timelines before version 4, or no response). */
static const char *har_version(const struct pdl_result *r)
{
    switch (r->http_version) {
    case 10:
        return "HTTP/1.0";
    case 11:
        return "HTTP/1.1";
    case 20:
        return "HTTP/2";
    case 30:
        return "HTTP/3";
    default:
        return "";
    }
}

/* The request as pdl sends it; the URL without its fragment, which HAR
 * leaves out and curl never sends. */
static void har_request(FILE *out, const char *url, const struct pdl_result *r)
{
    fputs("\"request\":{\"method\":\"GET\",\"url\":", out);
    json_strn(out, url, strcspn(url, "#"));
    fprintf(out,
            ",\"httpVersion\":\"%s\",\"cookies\":[],\"headers\":[],"
            "\"queryString\":",
            har_version(r));
    har_query(out, url);
    fputs(",\"headersSize\":-1,\"bodySize\":0}", out);
}

/* The response: mimeType is the Content-Type it came with ("" if none).
 * HAR's redirectURL belongs to a 3xx entry; pdl records only the final
 * response, so it stays "" and the URL reached is _pdl_effective_url. */
static void har_response(FILE *out, const struct pdl_result *r)
{
    fprintf(out,
            "\"response\":{\"status\":%d,\"statusText\":\"\","
            "\"httpVersion\":\"%s\",\"cookies\":[],\"headers\":[],"
            "\"content\":{\"size\":%lld,\"mimeType\":",
            r->http, har_version(r), (long long)r->bytes);
    json_strn(out, r->content_type,
              strnlen(r->content_type, sizeof(r->content_type)));
    fprintf(out, "},\"redirectURL\":\"\",\"headersSize\":-1,\"bodySize\":%lld}",
            (long long)r->bytes);
}

/* HAR's timings from curl's cumulative phase ends. blocked is the time
 * earlier attempts and their back-off took; connect includes ssl, as HAR
 * says; wait runs from the last earlier phase to the first byte (to the
 * end when none came) and receive from there to the end, so blocked, dns,
 * connect, wait and receive add up to the task's time exactly. */
static void har_timings(FILE *out, const struct span *s)
{
    int64_t conn_end =
        s->end[PH_TLS] >= 0 ? s->end[PH_TLS] : s->end[PH_CONNECT];
    int64_t first = s->end[PH_WAIT];
    int64_t wait_from = phase_begin(s, PH_WAIT);

    fputs("\"timings\":{\"blocked\":", out);
    put_ms(out, s->retry > 0 ? s->retry : -1);
    fputs(",\"dns\":", out);
    put_ms(out, s->end[PH_DNS] < 0 ? -1 : s->end[PH_DNS] - s->retry);
    fputs(",\"connect\":", out);
    put_ms(out, conn_end < 0 ? -1 : conn_end - phase_begin(s, PH_CONNECT));
    fputs(",\"ssl\":", out);
    put_ms(out,
           s->end[PH_TLS] < 0 ? -1 : s->end[PH_TLS] - phase_begin(s, PH_TLS));
    fputs(",\"send\":0,\"wait\":", out);
    put_ms(out, (first >= 0 ? first : s->dur) - wait_from);
    fputs(",\"receive\":", out);
    put_ms(out, first >= 0 ? s->dur - first : 0);
    fputc('}', out);
}

/* The optional serverIPAddress and connection (the local port, which names
 * the connection) of an entry, when known. */
static void har_connection(FILE *out, const struct pdl_result *r)
{
    char ip[PDL_REMOTE_IP_MAX];

    snprintf(ip, sizeof(ip), "%s", r->remote_ip);
    if (ip[0] && strspn(ip, "0123456789abcdefABCDEF.:%") == strlen(ip))
        fprintf(out, ",\"serverIPAddress\":\"%s\"", ip);
    if (r->conn > 0)
        fprintf(out, ",\"connection\":\"%d\"", r->conn);
}

static void har_entry(FILE *out, int64_t epoch_us, size_t id,
                      const struct pdl_result *r, const char *url)
{
    struct span s;

    span_of(r, &s);
    fputs("{\"pageref\":\"run\",\"startedDateTime\":", out);
    json_date(out, epoch_us + s.start);
    fputs(",\"time\":", out);
    put_ms(out, s.dur);
    fputc(',', out);
    har_request(out, url, r);
    fputc(',', out);
    har_response(out, r);
    fputs(",\"cache\":{},", out);
    har_timings(out, &s);
    har_connection(out, r);
    fprintf(out, ",\"_pdl_id\":%zu,\"_pdl_worker\":%d,\"_pdl_status\":", id,
            r->worker);
    json_status(out, r);
    fprintf(out, ",\"_pdl_attempts\":%d,\"_pdl_error\":", r->attempts);
    json_error(out, r);
    fputs(",\"_pdl_file\":", out);
    json_text_or_null(out, r->file, sizeof(r->file));
    if (r->effective_url[0]) {
        fputs(",\"_pdl_effective_url\":", out);
        json_text_or_null(out, r->effective_url, sizeof(r->effective_url));
    }
    fputc('}', out);
}

/* When the last task ended, which a HAR viewer shows as the page's load. */
static int64_t wall_us(const struct batch *b)
{
    struct pdl_result tmp;
    int64_t last = 0;

    for (size_t i = 0; i < b->n; i++) {
        const struct pdl_result *r = rec(b, i, &tmp);
        int64_t end = tsv_us(r->end_ns);
        if (started(r) && end > last)
            last = end;
    }
    return last;
}

static void har_page(FILE *out, const struct batch *b, int64_t epoch_us)
{
    char title[96];

    /* "\xc3\x97" is U+00D7, the multiplication sign, in UTF-8. */
    snprintf(title, sizeof(title), "pdl %s \xc3\x97 %u", b->info->mode,
             b->info->workers);
    fputs("\"pages\":[{\"startedDateTime\":", out);
    json_date(out, epoch_us);
    fputs(",\"id\":\"run\",\"title\":", out);
    json_str(out, title);
    fputs(",\"pageTimings\":{\"onContentLoad\":-1,\"onLoad\":", out);
    put_ms(out, wall_us(b));
    fputs("}}]", out);
}

struct order {
    int64_t start;
    size_t i;
};

static int cmp_order(const void *a, const void *b)
{
    const struct order *x = a, *y = b;

    if (x->start != y->start)
        return (x->start > y->start) - (x->start < y->start);
    return (x->i > y->i) - (x->i < y->i);
}

/* The started tasks by start time, ties in list order: HAR prefers its
 * entries sorted so. Times as the timeline keeps them (microseconds), so
 * that a run and its timeline sort alike. The caller frees *out. */
static size_t har_order(const struct batch *b, struct order **out)
{
    struct pdl_result tmp;
    struct order *o = pdl_xcalloc(b->n + 1, sizeof(*o));
    size_t k = 0;

    for (size_t i = 0; i < b->n; i++) {
        const struct pdl_result *r = rec(b, i, &tmp);
        if (started(r))
            o[k++] = (struct order){tsv_us(r->start_ns), i};
    }
    qsort(o, k, sizeof(*o), cmp_order);
    *out = o;
    return k;
}

static void write_har(FILE *out, const struct batch *b)
{
    struct pdl_result tmp;
    int64_t epoch_us = run_epoch_us(b->info);
    struct order *o;
    size_t n = har_order(b, &o);

    fputs("{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"pdl\","
          "\"version\":",
          out);
    json_str(out, PDL_VERSION);
    fputs("},\n", out);
    har_page(out, b, epoch_us);
    fputs(",\n\"entries\":[", out);
    for (size_t k = 0; k < n; k++) {
        size_t i = o[k].i;
        fputs(k == 0 ? "\n" : ",\n", out);
        har_entry(out, epoch_us, task_id(b, i), rec(b, i, &tmp), url_of(b, i));
    }
    fputs("\n]}}\n", out);
    free(o);
}

/* ---- the interface ---- */

bool pdl_export_format_for(const char *path, enum pdl_export_format *fmt)
{
    size_t len = strlen(path);

    for (size_t f = 0; f < NEXPORTERS; f++) {
        size_t elen = strlen(exporters[f].ext);
        if (len > elen && path[len - elen - 1] == '.' &&
            strcasecmp(path + len - elen, exporters[f].ext) == 0) {
            *fmt = (enum pdl_export_format)f;
            return true;
        }
    }
    return false;
}

const char *pdl_export_format_ext(enum pdl_export_format fmt)
{
    return (unsigned)fmt < NEXPORTERS ? exporters[fmt].ext : "";
}

static int write_batch(FILE *out, enum pdl_export_format fmt,
                       const struct batch *b)
{
    if ((unsigned)fmt >= NEXPORTERS)
        return PDL_ERR_USAGE;
    exporters[fmt].write(out, b);
    if (fflush(out) != 0 || ferror(out))
        return PDL_ERR_IO;
    return PDL_OK;
}

static void report_run(FILE *out, const struct pdl_run_info *info)
{
    fputs("\"run\":{\"mode\":", out);
    json_str(out, info->mode);
    fprintf(out, ",\"workers\":%u,", info->workers);
    /* A short list ran fewer workers than -w asked for. */
    if (info->workers_asked > info->workers)
        fprintf(out, "\"workers_asked\":%u,", info->workers_asked);
    fputs("\"started\":", out);
    json_str(out, info->started);
    fprintf(out, ",\"epoch\":%.6f,\"host\":", info->epoch);
    json_str(out, info->host);
    fputs("}", out);
}

static void report_summary(FILE *out, const struct pdl_stats *st,
                           unsigned workers)
{
    double bound = st->busy / (workers ? workers : 1);
    bool first = true;

    /* No schedule beats the longest task, nor busy time spread evenly. */
    if (st->longest > bound)
        bound = st->longest;
    fprintf(out,
            "\"summary\":{\"lower_bound\":%.6f,\"conns_opened\":%zu,"
            "\"conns_reused\":%zu,",
            bound, st->conns_opened, st->conns_reused);
    fprintf(out,
            "\"tasks\":%zu,\"ok\":%zu,\"failed\":%zu,"
            "\"bytes\":%lld,\"wall\":%.6f,\"busy\":%.6f,"
            "\"concurrency\":%.4f,\"max_in_flight\":%u,"
            "\"latency\":{\"p50\":%.6f,\"p95\":%.6f,\"max\":%.6f},"
            "\"statuses\":{",
            st->tasks, st->ok, st->failed, (long long)st->bytes, st->wall,
            st->busy, st->concurrency, st->max_overlap, st->p50, st->p95,
            st->longest);
    for (int s = 0; s < PDL_ST_COUNT; s++) {
        if (st->by_status[s] == 0)
            continue;
        fprintf(out, "%s\"%s\":%zu", first ? "" : ",",
                pdl_status_token((enum pdl_status)s), st->by_status[s]);
        first = false;
    }
    fputs("}}", out);
}

static void write_report(FILE *out, const struct batch *b)
{
    struct pdl_result tmp;
    struct pdl_stats st;

    pdl_stats_compute_each(batch_at, b, b->n, &st);
    fputs("{\"pdl\":", out);
    json_str(out, PDL_VERSION);
    fputs(",\"format\":1,\n", out);
    report_run(out, b->info);
    fputs(",\n", out);
    report_summary(out, &st, b->info->workers);
    fputs(",\n\"tasks\":[\n", out);
    for (size_t i = 0; i < b->n; i++) {
        if (i > 0)
            fputs(",", out);
        jsonl_task(out, b->info, task_id(b, i), rec(b, i, &tmp), url_of(b, i));
    }
    fputs("]}\n", out);
}

int pdl_export_report(FILE *out, const struct pdl_run_info *info,
                      const struct pdl_result *results, const char *const *urls,
                      size_t n)
{
    struct batch b = {.info = info, .results = results, .urls = urls, .n = n};

    return write_batch(out, PDL_EXPORT_REPORT, &b);
}

int pdl_export_write(FILE *out, enum pdl_export_format fmt,
                     const struct pdl_run_info *info,
                     const struct pdl_result *results, const char *const *urls,
                     size_t n)
{
    struct batch b = {.info = info, .results = results, .urls = urls, .n = n};

    return write_batch(out, fmt, &b);
}

/* Rows in id order, as a run numbers its tasks: a timeline of version 4
 * holds them in the order they settled. */
struct row_ref {
    size_t id, at;
};

static int cmp_row(const void *a, const void *b)
{
    const struct row_ref *x = a, *y = b;

    if (x->id != y->id)
        return (x->id > y->id) - (x->id < y->id);
    return (x->at > y->at) - (x->at < y->at);
}

/* The rows of tl in id order, in an array the caller frees. */
static size_t *sort_by_id(const struct pdl_timeline *tl)
{
    struct row_ref *ix = pdl_xcalloc(tl->count + 1, sizeof(*ix));
    size_t *order = pdl_xcalloc(tl->count + 1, sizeof(size_t));

    for (size_t i = 0; i < tl->count; i++)
        ix[i] = (struct row_ref){tl->ids[i], i};
    qsort(ix, tl->count, sizeof(*ix), cmp_row);
    for (size_t i = 0; i < tl->count; i++)
        order[i] = ix[i].at;
    free(ix);
    return order;
}

/* Reads the timeline at path; on failure err names the file. */
static int read_timeline(const char *path, struct pdl_timeline *tl, char *err,
                         size_t errsz)
{
    bool is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "(stdin)" : path;
    FILE *in = is_stdin ? stdin : fopen(path, "r");
    char why[160];
    int rc;

    if (!in) {
        snprintf(err, errsz, "%s: %s", name, strerror(errno));
        return PDL_ERR_IO;
    }
    rc = pdl_timeline_read(in, tl, why, sizeof(why));
    if (rc == PDL_ERR_FORMAT)
        snprintf(err, errsz, "%s: %s", name, why);
    else if (rc != PDL_OK)
        snprintf(err, errsz, "%s: %s", name, strerror(errno));
    if (!is_stdin)
        fclose(in);
    return rc;
}

/* Writes tl to path in fmt through a temporary file, so that a failed
 * write leaves no partial file and an earlier file is replaced only by a
 * whole one. */
static int write_file(const char *path, enum pdl_export_format fmt,
                      const struct pdl_timeline *tl, char *err, size_t errsz)
{
    size_t *order = sort_by_id(tl);
    struct batch b = {
        .info = &tl->info, .tl = tl, .order = order, .n = tl->count};
    struct pdl_output o;
    int rc;

    if (pdl_output_open(&o, path, NULL) != 0) {
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        free(order);
        return PDL_ERR_IO;
    }
    rc = write_batch(o.f, fmt, &b);
    free(order);
    int saved = errno;
    if (pdl_output_close(&o, rc == PDL_OK, NULL) != 0 && rc == PDL_OK) {
        rc = PDL_ERR_IO;
        saved = errno;
    }
    if (rc != PDL_OK)
        snprintf(err, errsz, "%s: %s", strcmp(path, "-") ? path : "stdout",
                 strerror(saved ? saved : EIO));
    return rc;
}

int pdl_export_report_file(const char *timeline, const char *out_path,
                           char *err, size_t errsz)
{
    struct pdl_timeline tl;
    int rc = read_timeline(timeline, &tl, err, errsz);

    if (rc != PDL_OK)
        return rc;
    rc = write_file(out_path, PDL_EXPORT_REPORT, &tl, err, errsz);
    pdl_timeline_cleanup(&tl);
    return rc;
}

int pdl_export_file(const char *timeline, const char *out_path, char *err,
                    size_t errsz)
{
    enum pdl_export_format fmt;
    struct pdl_timeline tl;
    int rc;

    if (!pdl_export_format_for(out_path, &fmt)) {
        snprintf(err, errsz,
                 "%s: no export format by that name (*.jsonl, *.trace.json, "
                 "*.har or *.json)",
                 out_path);
        return PDL_ERR_USAGE;
    }
    rc = read_timeline(timeline, &tl, err, errsz);
    if (rc != PDL_OK)
        return rc;
    rc = write_file(out_path, fmt, &tl, err, errsz);
    pdl_timeline_cleanup(&tl);
    return rc;
}
