/*
 * The core of pdl-testd: the route table, the MHD access handler that
 * dispatches on it, the server context and the daemon, started and stopped
 * through testd.h.
 */

#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static const char pdl_testd_root_text[] =
    "pdl-testd " PDL_TESTD_VERSION
    " endpoints (GET and HEAD):\n" PDL_TESTD_ENDPOINTS_TEXT;

static const char pdl_testd_not_found_text[] =
    "not found; GET / lists the endpoints\n";

static const char pdl_testd_bad_method_text[] =
    "method not allowed; use GET or HEAD\n";

/* ---- dispatch ---- */

static const struct pdl_testd_route pdl_testd_routes[] = {
    {"/delay/", false, 0, PDL_TESTD_MAX_DELAY_MS, pdl_testd_serve_delay},
    {"/bytes/", false, 0, PDL_TESTD_MAX_BYTES, pdl_testd_serve_bytes},
    {"/status/", false, 200, 599, pdl_testd_serve_status},
    /* The fault endpoints come after the benchmark ones, which are
       matched first and so stay the cheapest to reach. */
    {"/hang", true, 0, 0, pdl_testd_serve_hang},
    {"/drip", true, 0, 0, pdl_testd_serve_drip},
    {"/reset-after/", false, 0, PDL_TESTD_MAX_BYTES,
     pdl_testd_serve_reset_after},
    {"/redirect/", false, 0, PDL_TESTD_MAX_REDIRECTS, pdl_testd_serve_redirect},
    {"/redirect-loop", true, 0, 0, pdl_testd_serve_redirect_loop},
    {"/redirect-to", true, 0, 0, pdl_testd_serve_redirect_to},
    {"/flaky", true, 0, 0, pdl_testd_serve_flaky},
    {"/flaky-reset", true, 0, 0, pdl_testd_serve_flaky_reset},
    {"/retry-after/", false, 0, PDL_TESTD_MAX_RETRY_AFTER_S,
     pdl_testd_serve_retry_after},
    {"/huge", true, 0, 0, pdl_testd_serve_huge},
    {"/no-length/", false, 0, PDL_TESTD_MAX_BYTES, pdl_testd_serve_no_length},
    {"/disposition", true, 0, 0, pdl_testd_serve_disposition},
    {"/echo-headers", true, 0, 0, pdl_testd_serve_echo_headers},
    {"/range/", false, 0, PDL_TESTD_MAX_BYTES, pdl_testd_serve_range},
    {"/range-bad/", false, 0, PDL_TESTD_MAX_BYTES, pdl_testd_serve_range_bad},
    {"/range-star/", false, 0, PDL_TESTD_MAX_BYTES, pdl_testd_serve_range_star},
    {"/v1/", false, 0, PDL_TESTD_MAX_BYTES, pdl_testd_serve_v1},
    {"/v2/", false, 0, PDL_TESTD_MAX_BYTES, pdl_testd_serve_v2},
    {"/versioned/", false, 0, PDL_TESTD_MAX_BYTES, pdl_testd_serve_versioned},
    {"/junk", true, 0, 0, pdl_testd_serve_junk},
    {"/long-header/", false, 0, PDL_TESTD_MAX_LONG_HEADER,
     pdl_testd_serve_long_header},
};

static pdl_testd_result pdl_testd_dispatch(struct pdl_testd_ctx *ctx,
                                           const struct pdl_testd_req *req,
                                           void **req_cls)
{
    size_t i;

    if (strcmp(req->url, "/") == 0)
        return pdl_testd_queue(ctx, req, MHD_HTTP_OK, ctx->root, false);
    for (i = 0; i < sizeof pdl_testd_routes / sizeof pdl_testd_routes[0]; i++) {
        const struct pdl_testd_route *route = &pdl_testd_routes[i];
        size_t len = strlen(route->path);
        enum pdl_testd_num_err err;
        uint64_t n = 0;

        if (route->exact) {
            if (strcmp(req->url, route->path) == 0)
                return route->serve(ctx, req, 0, req_cls);
            continue;
        }
        if (strncmp(req->url, route->path, len) != 0)
            continue;
        err = pdl_testd_parse_u64(req->url + len, route->min, route->max, &n);
        if (err != PDL_TESTD_NUM_OK)
            return pdl_testd_bad_number(ctx, req, route, err);
        return route->serve(ctx, req, n, req_cls);
    }
    return pdl_testd_queue(ctx, req, MHD_HTTP_NOT_FOUND, ctx->not_found, false);
}

/*
 * MHD's access handler. *req_cls is NULL on the first call for a request,
 * then &ctx->headers_seen until the request is answered; a /delay or
 * /hang request replaces it with its wait state, suspends, and is
 * finished on the call after its resume.
 */
static pdl_testd_result pdl_testd_handle(void *cls, struct MHD_Connection *con,
                                         const char *url, const char *method,
                                         const char *version,
                                         const char *upload_data,
                                         size_t *upload_data_size,
                                         void **req_cls)
{
    struct pdl_testd_ctx *ctx = cls;
    struct pdl_testd_req req = {.con = con, .method = method, .url = url};

    (void)version;
    (void)upload_data;
    /* An answer queued before the request is complete makes MHD close the
       connection afterwards, so answer on a later call to keep it alive. */
    if (*req_cls == NULL) {
        *req_cls = &ctx->headers_seen;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*req_cls != &ctx->headers_seen) {
        const struct pdl_testd_wait *wait = *req_cls;

        return wait->finish(ctx, &req, wait);
    }
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
        strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return pdl_testd_queue(ctx, &req, MHD_HTTP_METHOD_NOT_ALLOWED,
                               ctx->bad_method, false);
    return pdl_testd_dispatch(ctx, &req, req_cls);
}

static void pdl_testd_completed(void *cls, struct MHD_Connection *con,
                                void **req_cls,
                                enum MHD_RequestTerminationCode toe)
{
    const struct pdl_testd_ctx *ctx = cls;

    (void)con;
    (void)toe;
    if (*req_cls != &ctx->headers_seen)
        free(*req_cls);
    *req_cls = NULL;
}

/* ---- context ---- */

static void pdl_testd_ctx_destroy(struct pdl_testd_ctx *ctx)
{
    size_t i;

    if (ctx == NULL)
        return;
    if (ctx->small != NULL) {
        for (i = 0; i <= PDL_TESTD_BLOCK; i++) {
            struct MHD_Response *resp = atomic_load(&ctx->small[i]);

            if (resp != NULL)
                MHD_destroy_response(resp);
        }
        free(ctx->small);
    }
    if (ctx->bad_method != NULL)
        MHD_destroy_response(ctx->bad_method);
    if (ctx->not_found != NULL)
        MHD_destroy_response(ctx->not_found);
    if (ctx->root != NULL)
        MHD_destroy_response(ctx->root);
    pdl_testd_flaky_cleanup(&ctx->flaky);
    free(ctx);
}

/* Builds the shared responses. Returns NULL if MHD cannot make them. */
static struct pdl_testd_ctx *
pdl_testd_ctx_create(const struct pdl_testd_options *opt)
{
    struct pdl_testd_ctx *ctx = pdl_testd_xmalloc(sizeof *ctx);
    size_t i;

    memset(ctx, 0, sizeof *ctx);
    /* First, so that every context destroy sees an initialised table. */
    if (pdl_testd_flaky_init(&ctx->flaky) != 0) {
        free(ctx);
        return NULL;
    }
    ctx->opt = *opt;
    ctx->opt.port_file = NULL;
    for (i = 0; i < sizeof ctx->pattern; i++)
        ctx->pattern[i] = PDL_TESTD_LINE[i % PDL_TESTD_LINE_LEN];
    ctx->small = pdl_testd_xmalloc((PDL_TESTD_BLOCK + 1) * sizeof *ctx->small);
    for (i = 0; i <= PDL_TESTD_BLOCK; i++)
        atomic_init(&ctx->small[i], NULL);
    ctx->root = pdl_testd_text_static(pdl_testd_root_text,
                                      sizeof pdl_testd_root_text - 1);
    ctx->not_found = pdl_testd_text_static(pdl_testd_not_found_text,
                                           sizeof pdl_testd_not_found_text - 1);
    ctx->bad_method = pdl_testd_text_static(
        pdl_testd_bad_method_text, sizeof pdl_testd_bad_method_text - 1);
    if (ctx->root == NULL || ctx->not_found == NULL ||
        ctx->bad_method == NULL) {
        pdl_testd_ctx_destroy(ctx);
        return NULL;
    }
    MHD_add_response_header(ctx->bad_method, MHD_HTTP_HEADER_ALLOW,
                            "GET, HEAD");
    return ctx;
}

/* ---- daemon ---- */

/*
 * MHD's error log, minus its reports of connections that pdl-testd
 * closes on purpose (/hang, /reset-after, a /drip cut by shutdown): MHD
 * calls them application errors, and they would bury the real ones.
 */
static void pdl_testd_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[1024];

    (void)cls;
    /* MHD passes its messages as arguments of formats like "%s\n", so
       only the formatted line tells which message it is. */
    vsnprintf(line, sizeof line, fmt, ap);
    if (strcasestr(line, "application reported") != NULL)
        return;
    fputs(line, stderr);
}

static struct MHD_Daemon *pdl_testd_daemon_start(struct pdl_testd_ctx *ctx,
                                                 unsigned poller)
{
    const struct pdl_testd_options *opt = &ctx->opt;
    struct sockaddr_in addr;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | poller;
    struct MHD_OptionItem opts[] = {
        /* First, or MHD logs the other options' errors its own way. */
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)pdl_testd_mhd_log, NULL},
        {MHD_OPTION_SOCK_ADDR, 0, &addr},
        {MHD_OPTION_CONNECTION_LIMIT, PDL_TESTD_CONN_LIMIT, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, PDL_TESTD_CONN_TIMEOUT_S, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, PDL_TESTD_CONN_MEMORY, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)pdl_testd_completed, ctx},
#if MHD_VERSION >= 0x00094300
        {MHD_OPTION_LISTEN_BACKLOG_SIZE, PDL_TESTD_BACKLOG, NULL},
#endif
        /* Last, so one polling thread can end the list here: MHD warns
           about a pool of size 0 or 1. */
        {MHD_OPTION_THREAD_POOL_SIZE, opt->threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };

    if (opt->threads < 2)
        opts[sizeof opts / sizeof opts[0] - 2].option = MHD_OPTION_END;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)opt->port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return MHD_start_daemon(flags, (uint16_t)opt->port, NULL, NULL,
                            pdl_testd_handle, ctx, MHD_OPTION_ARRAY, opts,
                            MHD_OPTION_END);
}

/* Prefers epoll; without it, whatever poller MHD picks. */
static struct MHD_Daemon *pdl_testd_daemon_create(struct pdl_testd_ctx *ctx)
{
    unsigned poller = MHD_USE_AUTO;

    if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
        poller = MHD_USE_EPOLL;
    return pdl_testd_daemon_start(ctx, poller);
}
/* Writes "port\n" to path through path.tmp, so readers never see half. */
static int pdl_testd_write_port_file(const char *path, unsigned port)
{
    char tmp[4096];
    FILE *f;
    int n;

    n = snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    f = fopen(tmp, "w");
    if (f == NULL)
        return -1;
    if (fprintf(f, "%u\n", port) < 0 || fflush(f) != 0) {
        int saved = errno;

        fclose(f);
        unlink(tmp);
        errno = saved;
        return -1;
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        int saved = errno;

        unlink(tmp);
        errno = saved;
        return -1;
    }
    return 0;
}
/* A running server: its context and its daemon. */
struct pdl_testd {
    struct pdl_testd_ctx *ctx;
    struct MHD_Daemon *daemon;
    unsigned port;
    bool timer_running;
};

/* Starts the timer, then the daemon, and reads back the bound port. */
static int pdl_testd_serve(struct pdl_testd *td, unsigned port, char *err,
                           size_t errsz)
{
    const union MHD_DaemonInfo *info;
    int rc = pdl_testd_timer_start(&td->ctx->timer);

    if (rc != 0) {
        snprintf(err, errsz, "timer thread: %s", strerror(rc));
        return -1;
    }
    td->timer_running = true;
    td->daemon = pdl_testd_daemon_create(td->ctx);
    if (td->daemon == NULL) {
        snprintf(err, errsz, "127.0.0.1:%u: cannot start server", port);
        return -1;
    }
    info = MHD_get_daemon_info(td->daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (info == NULL || info->port == 0) {
        snprintf(err, errsz, "cannot read the bound port");
        return -1;
    }
    td->port = info->port;
    return 0;
}

struct pdl_testd *pdl_testd_start(const struct pdl_testd_options *opt,
                                  char *err, size_t errsz)
{
    struct pdl_testd *td = pdl_testd_xmalloc(sizeof *td);

    td->daemon = NULL;
    td->port = 0;
    td->timer_running = false;
    td->ctx = pdl_testd_ctx_create(opt);
    if (td->ctx == NULL) {
        snprintf(err, errsz, "cannot create responses");
        free(td);
        return NULL;
    }
    if (pdl_testd_serve(td, opt->port, err, errsz) != 0)
        goto fail;
    if (opt->port_file != NULL &&
        pdl_testd_write_port_file(opt->port_file, td->port) != 0) {
        snprintf(err, errsz, "%s: %s", opt->port_file, strerror(errno));
        goto fail;
    }
    return td;

fail:
    pdl_testd_stop(td);
    return NULL;
}

unsigned pdl_testd_port(const struct pdl_testd *td)
{
    return td->port;
}

void pdl_testd_stop(struct pdl_testd *td)
{
    if (td == NULL)
        return;
    /* The timer stops first although it started first: stopping resumes
       every waiting request, and MHD_stop_daemon must find none suspended. */
    if (td->timer_running)
        pdl_testd_timer_stop(&td->ctx->timer);
    if (td->daemon != NULL)
        MHD_stop_daemon(td->daemon);
    pdl_testd_ctx_destroy(td->ctx);
    free(td);
}
