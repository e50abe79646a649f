/* One download: a curl easy handle per worker, the body streamed into a
 * temporary file in the output folder and renamed on success, and curl's
 * phase times copied into the task's result record. */
#include "pdl/fetch.h"
#include "pdl/runner.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pdl_fetcher {
    const struct pdl_job *job;
    struct pdl_board *board;
    CURL *curl;
    unsigned worker;
    /* State of the task in progress, reset by pdl_fetch. */
    const struct pdl_task *task;
    int fd; /* temporary file, -1 until the first body byte */
    char tmpname[PDL_NAME_MAX + 64];
    long http;       /* status seen by the body callback, 0 before */
    int write_errno; /* why saving failed, 0 if it did not */
    int64_t bytes;
    pdl_monotime start;
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

static int open_temp(struct pdl_fetcher *f)
{
    snprintf(f->tmpname, sizeof(f->tmpname), ".%s.part-%ld", f->task->name,
             (long)getpid());
    f->fd = openat(f->job->out_dirfd, f->tmpname,
                   O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (f->fd < 0) {
        f->write_errno = errno;
        return -1;
    }
    return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct pdl_fetcher *f = userdata;
    size_t len = size * nmemb;

    if (f->http == 0)
        curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &f->http);
    f->bytes += (int64_t)len;
    atomic_fetch_add_explicit(&f->board->bytes, (long long)len,
                              memory_order_relaxed);
    /* An error page is not the file: count it, never save it. */
    if (f->http >= 400 || f->job->out_dirfd < 0)
        return len;
    if (f->fd < 0 && open_temp(f) != 0)
        return 0;
    if (write_all(f->fd, data, len) != 0) {
        f->write_errno = errno;
        return 0;
    }
    return len;
}

/* Called by libcurl at least once a second during a transfer: publishes
 * progress and aborts the transfer once the run is stopped. */
static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow)
{
    struct pdl_fetcher *f = userdata;

    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return atomic_load_explicit(&f->board->stop, memory_order_relaxed);
}

struct pdl_fetcher *pdl_fetcher_create(const struct pdl_job *job,
                                       struct pdl_board *board,
                                       unsigned worker)
{
    const struct pdl_options *o = job->opt;
    struct pdl_fetcher *f = pdl_xcalloc(1, sizeof(*f));
    CURL *c = curl_easy_init();

    if (!c) {
        free(f);
        return NULL;
    }
    f->job = job;
    f->board = board;
    f->curl = c;
    f->worker = worker;
    f->fd = -1;
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, o->max_redirs);
    set_protocols(c);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms);
    curl_easy_setopt(c, CURLOPT_USERAGENT, o->user_agent);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, f->errbuf);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, f);
    return f;
}

void pdl_fetcher_destroy(struct pdl_fetcher *f)
{
    if (!f)
        return;
    curl_easy_cleanup(f->curl);
    free(f);
}

static enum pdl_status classify(CURLcode rc)
{
    switch (rc) {
    case CURLE_OK:
        return PDL_ST_OK;
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
    case CURLE_UNSUPPORTED_PROTOCOL:
        return PDL_ST_REDIRECT;
    case CURLE_WRITE_ERROR:
        return PDL_ST_WRITE;
    case CURLE_FILESIZE_EXCEEDED:
        return PDL_ST_TOO_BIG;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_BAD_CONTENT_ENCODING:
        return PDL_ST_PROTOCOL;
    default:
        return PDL_ST_ERROR;
    }
}

static void copy_phases(CURL *c, struct pdl_result *r)
{
    curl_off_t t;

    if (curl_easy_getinfo(c, CURLINFO_NAMELOOKUP_TIME_T, &t) == CURLE_OK)
        r->dns_us = t;
    if (curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &t) == CURLE_OK)
        r->connect_us = t;
    if (curl_easy_getinfo(c, CURLINFO_APPCONNECT_TIME_T, &t) == CURLE_OK)
        r->tls_us = t;
    if (curl_easy_getinfo(c, CURLINFO_STARTTRANSFER_TIME_T, &t) == CURLE_OK)
        r->ttfb_us = t;
}

/* Turns the transfer's outcome into status and error text. */
static void judge(struct pdl_fetcher *f, CURLcode rc, struct pdl_result *r)
{
    long http = 0;

    curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &http);
    r->http = (int32_t)http;
    if (f->write_errno) {
        r->status = PDL_ST_WRITE;
        snprintf(r->error, sizeof(r->error), "cannot write %s: %s",
                 f->task->name, strerror(f->write_errno));
    } else if (rc == CURLE_ABORTED_BY_CALLBACK) {
        r->status = PDL_ST_INTERRUPTED;
        snprintf(r->error, sizeof(r->error), "interrupted");
    } else if (rc != CURLE_OK) {
        r->status = classify(rc);
        const char *why = f->errbuf[0] ? f->errbuf : curl_easy_strerror(rc);
        snprintf(r->error, sizeof(r->error), "%.*s",
                 (int)sizeof(r->error) - 1, why);
    } else if (http >= 400) {
        r->status = PDL_ST_HTTP;
        snprintf(r->error, sizeof(r->error), "HTTP %ld", http);
    } else {
        r->status = PDL_ST_OK;
    }
}

/* Moves a complete body to its final name, or removes the partial one. */
static void finish_file(struct pdl_fetcher *f, struct pdl_result *r)
{
    int dirfd = f->job->out_dirfd;

    if (dirfd < 0)
        return;
    if (r->status == PDL_ST_OK && f->fd < 0 && open_temp(f) != 0) {
        judge(f, CURLE_OK, r);
        return;
    }
    if (f->fd < 0)
        return;
    if (close(f->fd) != 0 && r->status == PDL_ST_OK)
        f->write_errno = errno;
    f->fd = -1;
    if (f->write_errno == 0 && r->status == PDL_ST_OK &&
        renameat(dirfd, f->tmpname, dirfd, f->task->name) != 0)
        f->write_errno = errno;
    if (f->write_errno)
        judge(f, CURLE_OK, r);
    if (r->status != PDL_ST_OK)
        unlinkat(dirfd, f->tmpname, 0);
}

CURL *pdl_fetch_begin(struct pdl_fetcher *f, size_t id, struct pdl_result *out)
{
    f->task = &f->job->list->tasks[id];
    f->fd = -1;
    f->http = 0;
    f->write_errno = 0;
    f->bytes = 0;
    f->errbuf[0] = '\0';
    curl_easy_setopt(f->curl, CURLOPT_URL, f->task->url);
    f->start = pdl_now();
    *out = (struct pdl_result){.worker = (int32_t)f->worker,
                               .start_ns = f->start - f->job->t0,
                               .status = PDL_ST_RUNNING,
                               .attempts = 1};
    return f->curl;
}

void pdl_fetch_end(struct pdl_fetcher *f, CURLcode rc, struct pdl_result *out)
{
    struct pdl_result r = {.worker = (int32_t)f->worker, .attempts = 1};

    copy_phases(f->curl, &r);
    judge(f, rc, &r);
    finish_file(f, &r);
    r.bytes = f->bytes;
    r.start_ns = f->start - f->job->t0;
    r.end_ns = pdl_now() - f->job->t0;
    *out = r;
}

void pdl_fetch(struct pdl_fetcher *f, size_t id, struct pdl_result *out)
{
    CURL *c = pdl_fetch_begin(f, id, out);

    pdl_fetch_end(f, curl_easy_perform(c), out);
}
