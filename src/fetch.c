/* One download: a curl easy handle per worker, the body streamed into a sink
 * (a temporary file renamed on success), curl's phase times copied into the
 * task's result record, and transient failures tried again after a backoff
 * with jitter. */
#include "pdl/fetch.h"
#include "pdl/request.h"
#include "pdl/resume.h"
#include "pdl/sink.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

struct pdl_fetcher {
    struct pdl_fetch_config cfg;
    CURL *curl;
    CURLM *multi;            /* pdl_fetch_perform's, made on first use */
    struct pdl_request *req; /* what the user's options add to requests */
    unsigned worker;
    uint64_t rng; /* xorshift state for backoff jitter */
    /* The task in progress. */
    const struct pdl_task *task;
    int attempt;
    pdl_monotime task_start;
    pdl_monotime attempt_start;
    struct pdl_sink sink;
    /* Whether the body continues a partial one (--continue). */
    struct pdl_resume resume;
    long http;     /* status seen by the body callback, 0 before */
    bool too_big;  /* the body passed --max-filesize */
    int64_t bytes; /* body bytes of this attempt */
    /* What this attempt told cfg.live: its size (0: nothing) and bytes. */
    int64_t live_size, live_got;
    char errbuf[CURL_ERROR_SIZE];
};

static void set_protocols(CURL *c)
{
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 */
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS,
                     CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
}

/* Tells the live counters the size of a body that takes more than one
 * read, so that a display moves before it ends. A compressed body is left
 * out: its Content-Length counts other bytes than the ones written. */
static void live_start(struct pdl_fetcher *f, size_t first)
{
    curl_off_t cl = -1;
    int64_t had;

    if (!f->cfg.live || f->http >= 400 || f->cfg.opt->compressed ||
        curl_easy_getinfo(f->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) !=
            CURLE_OK ||
        cl <= (curl_off_t)first)
        return;
    had = f->resume.verdict == PDL_RESUME_APPEND ? f->sink.offset : 0;
    f->live_size = had + (int64_t)cl;
    f->live_got = had;
    pdl_counters_sized(f->cfg.live, had, f->live_size);
}

/* The attempt no longer counts in flight. */
static void live_stop(struct pdl_fetcher *f)
{
    if (f->live_size == 0)
        return;
    pdl_counters_unsized(f->cfg.live, f->live_got, f->live_size);
    f->live_size = f->live_got = 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct pdl_fetcher *f = userdata;
    int64_t max = f->cfg.opt->max_filesize;
    size_t len = size * nmemb;

    if (f->http == 0) {
        curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &f->http);
        pdl_resume_check(&f->resume, f->curl, &f->sink);
        live_start(f, len);
    }
    f->bytes += (int64_t)len;
    if (f->live_size) {
        f->live_got += (int64_t)len;
        pdl_counters_got(f->cfg.live, (int64_t)len);
    }
    if (f->cfg.bytes)
        atomic_fetch_add_explicit(f->cfg.bytes, (long long)len,
                                  memory_order_relaxed);
    /* An error page is not the file: count it, never save it. */
    if (f->http >= 400)
        return len;
    /* Never append what does not continue the partial body. */
    if (f->resume.verdict == PDL_RESUME_RESTART)
        return 0;
    /* libcurl 7.88 enforces its own limit only from Content-Length. */
    if (max > 0 && f->sink.offset + f->bytes > max) {
        f->too_big = true;
        return 0;
    }
    return pdl_sink_write(&f->sink, data, len,
                          f->resume.verdict == PDL_RESUME_APPEND) == 0
               ? len
               : 0;
}

/* Called by libcurl at least once a second during a transfer: aborts it
 * once the run is stopped. */
static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow)
{
    struct pdl_fetcher *f = userdata;

    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return atomic_load_explicit(f->cfg.stop, memory_order_relaxed);
}

static void set_limits(CURL *c, const struct pdl_options *o)
{
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, o->max_redirs);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, o->speed_limit);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, o->speed_time_s);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_filesize);
    curl_easy_setopt(c, CURLOPT_MAX_RECV_SPEED_LARGE,
                     (curl_off_t)o->limit_rate);

    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, o->insecure ? 0L : 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, o->insecure ? 0L : 2L);
    if (o->cacert)
        curl_easy_setopt(c, CURLOPT_CAINFO, o->cacert);
}

/* The HTTP version asked for. Only with HTTP/2 does a transfer wait for a
 * connection being set up to learn whether it can share it (PIPEWAIT): with
 * HTTP/1.1 it would then wait for a whole request before opening its own. */
static void set_http_version(CURL *c, const struct pdl_options *o)
{
    long v = o->http == PDL_HTTP_1_1       ? CURL_HTTP_VERSION_1_1
             : o->http == PDL_HTTP_2       ? CURL_HTTP_VERSION_2TLS
             : o->http == PDL_HTTP_2_PRIOR ? CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE
                                           : CURL_HTTP_VERSION_NONE;

    curl_easy_setopt(c, CURLOPT_HTTP_VERSION, v);
    /* libcurl before 8.0 fails every request after the first on an HTTP/2
     * connection made by prior knowledge ("Error in the HTTP2 framing
     * layer", curl issue 10634): there, one connection per transfer. */
    if (o->http == PDL_HTTP_2_PRIOR &&
        curl_version_info(CURLVERSION_NOW)->version_num < 0x080000) {
        curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
        return;
    }
    if (o->http == PDL_HTTP_2 || o->http == PDL_HTTP_2_PRIOR)
        curl_easy_setopt(c, CURLOPT_PIPEWAIT, 1L);
}

struct pdl_fetcher *pdl_fetcher_create(const struct pdl_fetch_config *cfg,
                                       unsigned worker)
{
    struct pdl_fetcher *f = pdl_xcalloc(1, sizeof(*f));
    CURL *c = curl_easy_init();

    if (!c) {
        free(f);
        return NULL;
    }
    f->cfg = *cfg;
    f->curl = c;
    f->worker = worker;
    f->rng = (uint64_t)pdl_now() ^ ((uint64_t)getpid() << 32) ^ worker;
    f->rng |= 1;
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    set_protocols(c);
    set_limits(c, cfg->opt);
    set_http_version(c, cfg->opt);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, f->errbuf);
    /* Larger reads: fewer system calls and callbacks per byte, which is
     * what bounds one thread driving many fast transfers. */
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 256L * 1024);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, f);
    f->req = pdl_request_create(c, cfg->opt);
    if (!f->req) {
        pdl_fetcher_destroy(f);
        return NULL;
    }
    return f;
}

void pdl_fetcher_destroy(struct pdl_fetcher *f)
{
    if (!f)
        return;
    live_stop(f);
    pdl_resume_cleanup(&f->resume);
    pdl_request_destroy(f->req);
    /* The multi handle holds the kept-alive connections: closed first. */
    if (f->multi)
        curl_multi_cleanup(f->multi);
    curl_easy_cleanup(f->curl);
    free(f);
}

/* True if the transfer ended on a URL that is not http(s): a redirect led
 * there. libcurl 7.88 gives the same code to that and to a reply that is
 * not HTTP at all. */
static bool left_http(CURL *c)
{
    char *url = NULL;

    curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &url);
    return url && strncasecmp(url, "http://", 7) != 0 &&
           strncasecmp(url, "https://", 8) != 0;
}

static enum pdl_status classify(CURL *c, CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return PDL_ST_DNS;
    case CURLE_COULDNT_CONNECT:
        return PDL_ST_CONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        return PDL_ST_TIMEOUT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
        return PDL_ST_TLS;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
        return PDL_ST_NETWORK;
    case CURLE_TOO_MANY_REDIRECTS:
        return PDL_ST_REDIRECT;
    case CURLE_UNSUPPORTED_PROTOCOL:
        /* Else "Received HTTP/0.9 when not allowed" (no status line), or
         * an unsupported HTTP version or status code. */
        return left_http(c) ? PDL_ST_REDIRECT : PDL_ST_PROTOCOL;
    case CURLE_WRITE_ERROR:
        return PDL_ST_WRITE;
    case CURLE_FILESIZE_EXCEEDED:
        return PDL_ST_TOO_BIG;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_BAD_CONTENT_ENCODING:
#if LIBCURL_VERSION_NUM >= 0x080600 /* 8.6.0 names a header too large */
    case CURLE_TOO_LARGE:
#endif
        return PDL_ST_PROTOCOL;
    case CURLE_ABORTED_BY_CALLBACK:
        return PDL_ST_INTERRUPTED;
    default:
        return PDL_ST_ERROR;
    }
}

/* Phase ends after the task's start: curl measures from this attempt's
 * start, which is later than the task's after a retry. */
static void copy_phases(struct pdl_fetcher *f, struct pdl_result *r)
{
    int64_t shift = (f->attempt_start - f->task_start) / 1000;
    curl_off_t t;

    if (curl_easy_getinfo(f->curl, CURLINFO_NAMELOOKUP_TIME_T, &t) == 0 && t)
        r->dns_us = t + shift;
    if (curl_easy_getinfo(f->curl, CURLINFO_CONNECT_TIME_T, &t) == 0 && t)
        r->connect_us = t + shift;
    if (curl_easy_getinfo(f->curl, CURLINFO_APPCONNECT_TIME_T, &t) == 0 && t)
        r->tls_us = t + shift;
    if (curl_easy_getinfo(f->curl, CURLINFO_STARTTRANSFER_TIME_T, &t) == 0 && t)
        r->ttfb_us = t + shift;
}

/* The connection the final attempt used: its local port names it, whether
 * it was opened for this transfer, the HTTP version spoken and the peer. */
static void copy_connection(CURL *c, struct pdl_result *r)
{
    long port = 0, rport = 0, connects = 0, version = 0;
    char *ip = NULL;

    if (curl_easy_getinfo(c, CURLINFO_LOCAL_PORT, &port) == CURLE_OK)
        r->conn = (int32_t)port;
    if (curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK)
        r->new_conn = port > 0 && connects > 0;
    if (curl_easy_getinfo(c, CURLINFO_PRIMARY_PORT, &rport) == CURLE_OK)
        r->remote_port = (int32_t)rport;
    if (curl_easy_getinfo(c, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip) {
        size_t n = strnlen(ip, sizeof(r->remote_ip) - 1);
        memcpy(r->remote_ip, ip, n); /* a copy: snprintf cost 600 */
        r->remote_ip[n] = '\0';
    }
    if (curl_easy_getinfo(c, CURLINFO_HTTP_VERSION, &version) != CURLE_OK)
        version = 0;
    r->http_version = version == CURL_HTTP_VERSION_1_0   ? 10
                      : version == CURL_HTTP_VERSION_1_1 ? 11
                      : version == CURL_HTTP_VERSION_2_0 ? 20
                      : version == CURL_HTTP_VERSION_3   ? 30
                                                         : 0;
}

/* Appends src to dst (cap bytes, holding *len), cut to fit: a copy, not a
 * format (snprintf would cost more than the rest of this). */
static void put_text(char *dst, size_t cap, size_t *len, const char *src)
{
    size_t n = strnlen(src, cap - 1 - *len);

    memcpy(dst + *len, src, n);
    *len += n;
    dst[*len] = '\0';
}

/* What scripts need of the outcome: the content type, the URL after
 * redirects (copied only when it differs: most tasks are not redirected)
 * and the file as saved. One getinfo each, after the transfer. */
static void copy_outcome(struct pdl_fetcher *f, struct pdl_result *r)
{
    const struct pdl_sink *s = &f->sink;
    char *type = NULL, *url = NULL, path[PDL_PATH_MAX + PDL_NAME_MAX + 1];
    size_t n = 0;

    if (curl_easy_getinfo(f->curl, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK &&
        type)
        put_text(r->content_type, sizeof(r->content_type), &n, type);
    n = 0;
    if (curl_easy_getinfo(f->curl, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK &&
        url && strcmp(url, f->task->url) != 0)
        put_text(r->effective_url, sizeof(r->effective_url), &n, url);
    if (r->status != PDL_ST_OK || s->dirfd < 0 || !f->task->name)
        return;
    n = 0;
    if (pdl_request_path(f->cfg.opt, f->task,
                         s->alt_saved[0] ? s->alt_saved : f->task->name, path,
                         sizeof(path)) == PDL_OK)
        put_text(r->file, sizeof(r->file), &n, path);
}

/* Turns the transfer's outcome into status and error text. */
static void judge(struct pdl_fetcher *f, CURLcode rc, struct pdl_result *r)
{
    char why[PDL_ERROR_MAX];
    long http = 0;

    curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &http);
    r->http = (int32_t)http;
    r->status = PDL_ST_OK;
    if (f->sink.err) {
        snprintf(why, sizeof(why), "cannot write %s: %s", f->task->name,
                 strerror(f->sink.err));
        pdl_result_fail(r, PDL_ST_WRITE, why);
    } else if (f->resume.verdict == PDL_RESUME_RESTART) {
        pdl_result_fail(r, PDL_ST_PROTOCOL, f->resume.why);
    } else if (f->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
        snprintf(why, sizeof(why), "body over --max-filesize (%lld bytes)",
                 (long long)f->cfg.opt->max_filesize);
        pdl_result_fail(r, PDL_ST_TOO_BIG, why);
    } else if (rc == CURLE_ABORTED_BY_CALLBACK) {
        pdl_result_fail(r, PDL_ST_INTERRUPTED, "interrupted");
    } else if (rc == CURLE_OUT_OF_MEMORY) {
        /* How libcurl 7.88 reports a header line over its 100 KiB limit
         * (CURL_MAX_HTTP_HEADER); a real shortage in libcurl looks the
         * same, hence both in the message. */
        pdl_result_fail(r, PDL_ST_PROTOCOL,
                        "a response header line over libcurl's 100 KiB "
                        "limit (or out of memory)");
    } else if (rc != CURLE_OK) {
        pdl_result_fail(r, classify(f->curl, rc),
                        f->errbuf[0] ? f->errbuf : curl_easy_strerror(rc));
    } else if (http >= 400 && f->resume.verdict != PDL_RESUME_COMPLETE) {
        snprintf(why, sizeof(why), "HTTP %ld", http);
        pdl_result_fail(r, PDL_ST_HTTP, why);
    }
}

/* Settles the body: the final name on success, else no file (or, with
 * --continue, a partial one to resume later). */
static void settle_body(struct pdl_fetcher *f, struct pdl_result *r)
{
    if (r->status != PDL_ST_OK) {
        pdl_sink_abandon(&f->sink);
        return;
    }
    if (pdl_sink_commit(&f->sink) == 0)
        return;
    if (f->sink.mismatch)
        pdl_result_fail(r, PDL_ST_CHECKSUM, f->sink.why);
    else
        judge(f, CURLE_OK, r);
}

/* Prepares the handle for the next attempt at f->task. */
static CURL *begin_attempt(struct pdl_fetcher *f, struct pdl_result *out)
{
    live_stop(f);
    f->attempt++;
    /* The first attempt starts with the task, on the same clock reading. */
    f->attempt_start = f->attempt == 1 ? f->task_start : pdl_now();
    f->http = 0;
    f->too_big = false;
    f->bytes = 0;
    f->errbuf[0] = '\0';
    pdl_sink_init(&f->sink, f->cfg.out_dirfd, f->task->name,
                  f->cfg.opt->resume);
    curl_easy_setopt(f->curl, CURLOPT_URL, f->task->url);
    /* A Range of pdl's own, not CURLOPT_RESUME_FROM_LARGE: libcurl 7.88
     * would then let through a 206 whose Content-Range has no first byte,
     * and take a 200 as long as the partial for the whole body unread;
     * pdl_resume_check judges every reply instead. */
    pdl_resume_begin(&f->resume, f->curl, &f->sink, f->task->url);
    pdl_request_task(f->req, f->task, f->resume.headers, &f->sink);
    pdl_result_empty(out);
    out->worker = (int32_t)f->worker;
    out->start_ns = f->task_start - f->cfg.t0;
    out->attempt_ns = f->attempt_start - f->cfg.t0;
    out->status = PDL_ST_RUNNING;
    out->attempts = f->attempt;
    return f->curl;
}

CURL *pdl_fetch_begin(struct pdl_fetcher *f, const struct pdl_task *t,
                      struct pdl_result *out)
{
    f->task = t;
    f->attempt = 0;
    f->task_start = pdl_now();
    return begin_attempt(f, out);
}

CURL *pdl_fetch_retry(struct pdl_fetcher *f, struct pdl_result *out)
{
    return begin_attempt(f, out);
}

/* curl_easy_perform's codes for a multi handle that failed (7.88's
 * easy_transfer). */
static CURLcode multi_failed(CURLMcode mc)
{
    return mc == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY
                                     : CURLE_BAD_FUNCTION_ARGUMENT;
}

/* What curl_easy_perform does, on a multi handle of the fetcher's own, one
 * system call cheaper a request: libcurl 7.88's easy_perform polls before
 * it first drives the transfer, when there is nothing to wait for yet
 * (tests/bench/floor.c -o ownmulti, 20,000 x 64 B against nginx, 16
 * threads, medians of 7: CPU 0.98 -> 0.91 s, wall 0.77 -> 0.75 s). */
CURLcode pdl_fetch_perform(struct pdl_fetcher *f, CURL *c)
{
    CURLcode rc = CURLE_OK;
    CURLMcode mc;
    CURLMsg *msg;
    int running = 1, left;

    if (!f->multi) {
        if (!(f->multi = curl_multi_init()))
            return CURLE_OUT_OF_MEMORY;
        /* Keeps as many connections as curl_easy_perform did (the easy
         * handle's CURLOPT_MAXCONNECTS, 5), not a multi's 4 a handle:
         * predict.c models a blocking worker that way. */
        curl_multi_setopt(f->multi, CURLMOPT_MAXCONNECTS, 5L);
    }
    if ((mc = curl_multi_add_handle(f->multi, c)) != CURLM_OK)
        return multi_failed(mc);
    while (running) {
        if ((mc = curl_multi_perform(f->multi, &running)) != CURLM_OK)
            break;
        /* Waits at most until libcurl's own next timeout. */
        if (running &&
            (mc = curl_multi_wait(f->multi, NULL, 0, 1000, NULL)) != CURLM_OK)
            break;
    }
    if (mc != CURLM_OK)
        rc = multi_failed(mc);
    while ((msg = curl_multi_info_read(f->multi, &left)))
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == c)
            rc = msg->data.result;
    curl_multi_remove_handle(f->multi, c);
    return rc;
}

static bool transient(const struct pdl_result *r)
{
    switch (r->status) {
    case PDL_ST_CONNECT:
    case PDL_ST_TIMEOUT:
    case PDL_ST_NETWORK:
        return true;
    case PDL_ST_HTTP:
        return r->http == 408 || r->http == 429 || r->http >= 500;
    default:
        return false;
    }
}

static uint64_t next_random(struct pdl_fetcher *f)
{
    f->rng ^= f->rng << 13;
    f->rng ^= f->rng >> 7;
    f->rng ^= f->rng << 17;
    return f->rng;
}

/* How long to wait before attempt number f->attempt + 1: exponential
 * backoff with jitter (so that workers that failed together do not retry
 * together), or the server's Retry-After, within the cap. */
static long backoff_ms(struct pdl_fetcher *f)
{
    const struct pdl_options *o = f->cfg.opt;
    double d = (double)o->retry_delay_ms;
    curl_off_t after = 0;

    for (int i = 1; i < f->attempt && d < (double)o->retry_max_ms; i++)
        d *= 2;
    if (d > (double)o->retry_max_ms)
        d = (double)o->retry_max_ms;
    d = d / 2 + (d / 2) * (double)(next_random(f) % 1000) / 1000.0;
#if LIBCURL_VERSION_NUM >= 0x074200 /* 7.66.0 */
    if (curl_easy_getinfo(f->curl, CURLINFO_RETRY_AFTER, &after) == CURLE_OK &&
        after > 0 && (double)after * 1000 > d)
        d = (double)after * 1000;
#endif
    if (d > (double)o->retry_max_ms)
        d = (double)o->retry_max_ms;
    return (long)d;
}

/* A partial body the reply does not continue is dropped and the download
 * starts over from zero, at once. */
static bool restart(struct pdl_fetcher *f)
{
    if (f->resume.verdict != PDL_RESUME_RESTART)
        return false;
    pdl_sink_forget(&f->sink);
    return f->attempt < 2 * (f->cfg.opt->retries + 1);
}

/* Fills r in place: a record built aside and copied would write 2.3 KB a
 * task (cachegrind: 19 first-level cache misses a task). */
long pdl_fetch_end(struct pdl_fetcher *f, CURLcode rc, struct pdl_result *r)
{
    long wait = -1;

    pdl_result_empty(r);
    r->worker = (int32_t)f->worker;
    r->attempts = f->attempt;
    live_stop(f);
    /* 9 getinfo calls, ~1,000 instructions a request, for nothing when
     * nothing reads them. */
    if (!f->cfg.no_details) {
        copy_phases(f, r);
        copy_connection(f->curl, r);
    }
    /* A reply without a body (a 416, say) is judged here. */
    pdl_resume_check(&f->resume, f->curl, &f->sink);
    judge(f, rc, r);
    settle_body(f, r);
    copy_outcome(f, r);
    r->bytes = f->bytes;
    r->start_ns = f->task_start - f->cfg.t0;
    r->attempt_ns = f->attempt_start - f->cfg.t0;
    r->end_ns = pdl_now() - f->cfg.t0;
    if (atomic_load(f->cfg.stop))
        wait = -1;
    else if (restart(f))
        wait = 0;
    else if (transient(r) && f->attempt <= f->cfg.opt->retries)
        wait = backoff_ms(f);
    if (wait >= 0)
        r->status = PDL_ST_RUNNING; /* not settled: another attempt follows */
    return wait;
}
