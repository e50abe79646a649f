/*
 * The fault endpoints of pdl-testd: /hang, /drip, /reset-after, /huge,
 * /no-length, /flaky, /flaky-reset, /retry-after, and the replies that are
 * not HTTP (/junk, /long-header).
 */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "internal.h"

/* ---- /hang ---- */

/* A /hang ends as it lived: without a single byte of answer. */
static pdl_testd_result pdl_testd_hang_finish(const struct pdl_testd_ctx *ctx,
                                              const struct pdl_testd_req *req,
                                              const struct pdl_testd_wait *wait)
{
    (void)wait;
    return pdl_testd_close(ctx, req);
}

/*
 * The hang is bounded, by default like an idle connection, because MHD
 * cannot see a client leave while its connection is suspended.
 */
pdl_testd_result pdl_testd_serve_hang(struct pdl_testd_ctx *ctx,
                                      const struct pdl_testd_req *req,
                                      uint64_t n, void **req_cls)
{
    static const struct pdl_testd_param specs[] = {
        {"ms", 0, PDL_TESTD_MAX_HANG_MS, PDL_TESTD_HANG_MS, false},
    };
    uint64_t ms;
    pdl_testd_result ret;

    (void)n;
    if (!PDL_TESTD_PARAMS(ctx, req, specs, &ms, &ret))
        return ret;
    if (ms == 0 ||
        !pdl_testd_wait_start(ctx, req, req_cls, ms, pdl_testd_hang_finish))
        return pdl_testd_close(ctx, req);
    pdl_testd_log(ctx, req, "hanging");
    return MHD_YES;
}

/*
 * Declares more bytes than it sends: the reader ends with an error at n,
 * and MHD closes the connection with the body short.
 */
pdl_testd_result pdl_testd_serve_reset_after(struct pdl_testd_ctx *ctx,
                                             const struct pdl_testd_req *req,
                                             uint64_t n, void **req_cls)
{
    const struct pdl_testd_param specs[] = {
        {"length", 0, PDL_TESTD_MAX_BYTES * 2, n + 1000, false},
        {"rst", 0, 1, 0, false},
    };
    uint64_t v[2];
    pdl_testd_result ret;
    struct pdl_testd_stream tmpl = {
        .ctx = ctx,
        .limit = n,
        .at_limit = MHD_CONTENT_READER_END_WITH_ERROR,
        .rst_fd = -1,
    };

    (void)req_cls;
    if (!PDL_TESTD_PARAMS(ctx, req, specs, v, &ret))
        return ret;
    if (v[0] <= n)
        return pdl_testd_queue_text(ctx, req, MHD_HTTP_BAD_REQUEST,
                                    "bad parameter length: must exceed N\n");
    if (v[1] == 1) {
        tmpl.rst_fd = pdl_testd_connection_fd(req->con);
        tmpl.con = req->con;
        tmpl.timer = &ctx->timer;
    }
    return pdl_testd_queue(ctx, req, MHD_HTTP_OK,
                           pdl_testd_stream_response(v[0], &tmpl), true);
}

/* Without a size MHD sends chunked; the pattern never runs out. */
pdl_testd_result pdl_testd_serve_huge(struct pdl_testd_ctx *ctx,
                                      const struct pdl_testd_req *req,
                                      uint64_t n, void **req_cls)
{
    const struct pdl_testd_stream tmpl = {
        .ctx = ctx,
        .limit = UINT64_MAX,
        .at_limit = MHD_CONTENT_READER_END_OF_STREAM,
        .rst_fd = -1,
    };

    (void)n;
    (void)req_cls;
    return pdl_testd_queue(ctx, req, MHD_HTTP_OK,
                           pdl_testd_stream_response(MHD_SIZE_UNKNOWN, &tmpl),
                           true);
}

pdl_testd_result pdl_testd_serve_no_length(struct pdl_testd_ctx *ctx,
                                           const struct pdl_testd_req *req,
                                           uint64_t n, void **req_cls)
{
    const struct pdl_testd_stream tmpl = {
        .ctx = ctx,
        .limit = n,
        .at_limit = MHD_CONTENT_READER_END_OF_STREAM,
        .rst_fd = -1,
    };

    (void)req_cls;
    return pdl_testd_queue(ctx, req, MHD_HTTP_OK,
                           pdl_testd_stream_response(MHD_SIZE_UNKNOWN, &tmpl),
                           true);
}

/* ---- /drip ---- */

/*
 * Sends one chunk when it is due; before that it suspends the connection
 * until the due time and sends nothing, so no thread sleeps or spins.
 * MHD calls again after the resume.
 */
static ssize_t pdl_testd_drip_read(void *cls, uint64_t pos, char *buf,
                                   size_t max)
{
    struct pdl_testd_drip *drip = cls;
    pdl_testd_monotime now = pdl_testd_now();
    size_t n = max < drip->chunk ? max : drip->chunk;

    if (now < drip->due) {
        if (!pdl_testd_timer_add(&drip->ctx->timer, drip->con, drip->due))
            return MHD_CONTENT_READER_END_WITH_ERROR;
        return 0;
    }
    pdl_testd_fill(drip->ctx, drip->offset + pos, buf, n);
    drip->due = now + drip->ms * PDL_TESTD_NS_PER_MS;
    return (ssize_t)n;
}

/* A response of size bytes of the content from offset on, one chunk every
 * ms milliseconds. */
struct MHD_Response *pdl_testd_drip_response(struct pdl_testd_ctx *ctx,
                                             struct MHD_Connection *con,
                                             uint64_t offset, uint64_t size,
                                             uint64_t ms, size_t chunk)
{
    struct pdl_testd_drip *drip = pdl_testd_xmalloc(sizeof *drip);
    struct MHD_Response *resp;

    drip->ctx = ctx;
    drip->con = con;
    drip->offset = offset;
    drip->ms = ms;
    drip->chunk = chunk;
    drip->due = pdl_testd_now() + ms * PDL_TESTD_NS_PER_MS;
    resp = MHD_create_response_from_callback(size, chunk, pdl_testd_drip_read,
                                             drip, free);
    if (resp == NULL)
        free(drip);
    return resp;
}

/* Headers go at once; each chunk follows after another ms. */
pdl_testd_result pdl_testd_serve_drip(struct pdl_testd_ctx *ctx,
                                      const struct pdl_testd_req *req,
                                      uint64_t n, void **req_cls)
{
    static const struct pdl_testd_param specs[] = {
        {"bytes", 0, PDL_TESTD_MAX_BYTES, 0, true},
        {"ms", 0, PDL_TESTD_MAX_DELAY_MS, 0, true},
        {"chunk", 1, PDL_TESTD_BLOCK, 1, false},
    };
    uint64_t v[3];
    pdl_testd_result ret;
    struct MHD_Response *resp;

    (void)n;
    (void)req_cls;
    if (!PDL_TESTD_PARAMS(ctx, req, specs, v, &ret))
        return ret;
    resp = pdl_testd_drip_response(ctx, req->con, 0, v[0], v[1], (size_t)v[2]);
    if (resp != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                "text/plain");
    return pdl_testd_queue(ctx, req, MHD_HTTP_OK, resp, true);
}

static pdl_testd_result pdl_testd_recovered(const struct pdl_testd_ctx *ctx,
                                            const struct pdl_testd_req *req,
                                            uint64_t fail)
{
    char body[64];

    snprintf(body, sizeof body, "ok after %" PRIu64 " failures\n", fail);
    return pdl_testd_queue_text(ctx, req, MHD_HTTP_OK, body);
}

pdl_testd_result pdl_testd_serve_flaky(struct pdl_testd_ctx *ctx,
                                       const struct pdl_testd_req *req,
                                       uint64_t n, void **req_cls)
{
    static const struct pdl_testd_param specs[] = {
        {"fail", 0, PDL_TESTD_MAX_FAIL, 1, false},
        {"code", 400, 599, MHD_HTTP_SERVICE_UNAVAILABLE, false},
    };
    uint64_t v[2];
    pdl_testd_result ret;
    const char *key;
    const char *why = pdl_testd_query_key(req, &key);
    char body[64];

    (void)n;
    (void)req_cls;
    if (why == NULL && key == NULL)
        why = "missing parameter key\n";
    if (why != NULL)
        return pdl_testd_queue_text(ctx, req, MHD_HTTP_BAD_REQUEST, why);
    if (!PDL_TESTD_PARAMS(ctx, req, specs, v, &ret))
        return ret;
    if (pdl_testd_flaky_hit(&ctx->flaky, 'f', key) > v[0])
        return pdl_testd_recovered(ctx, req, v[0]);
    pdl_testd_status_body(body, sizeof body, "flaky failure, status", v[1]);
    return pdl_testd_queue_text(ctx, req, (unsigned)v[1], body);
}

pdl_testd_result pdl_testd_serve_flaky_reset(struct pdl_testd_ctx *ctx,
                                             const struct pdl_testd_req *req,
                                             uint64_t n, void **req_cls)
{
    (void)n;
    (void)req_cls;
    pdl_testd_flaky_clear(&ctx->flaky);
    return pdl_testd_queue_text(ctx, req, MHD_HTTP_OK,
                                "forgot every /flaky and /retry-after key\n");
}

/* Writes the Retry-After value: s, or the HTTP-date s seconds from now. */
static void pdl_testd_retry_value(char *value, size_t len, uint64_t s,
                                  bool date)
{
    time_t at = time(NULL) + (time_t)s;
    struct tm tm;

    if (!date || gmtime_r(&at, &tm) == NULL ||
        strftime(value, len, "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0)
        snprintf(value, len, "%" PRIu64, s);
}

/* Without a key every request fails, so a client's retry limit shows. */
pdl_testd_result pdl_testd_serve_retry_after(struct pdl_testd_ctx *ctx,
                                             const struct pdl_testd_req *req,
                                             uint64_t s, void **req_cls)
{
    static const struct pdl_testd_param specs[] = {
        {"fail", 0, PDL_TESTD_MAX_FAIL, 1, false},
        {"code", 400, 599, MHD_HTTP_SERVICE_UNAVAILABLE, false},
        {"date", 0, 1, 0, false},
    };
    uint64_t v[3];
    pdl_testd_result ret;
    const char *key;
    const char *why = pdl_testd_query_key(req, &key);
    char value[64];
    char body[64];

    (void)req_cls;
    if (why != NULL)
        return pdl_testd_queue_text(ctx, req, MHD_HTTP_BAD_REQUEST, why);
    if (!PDL_TESTD_PARAMS(ctx, req, specs, v, &ret))
        return ret;
    if (key != NULL && pdl_testd_flaky_hit(&ctx->flaky, 'r', key) > v[0])
        return pdl_testd_recovered(ctx, req, v[0]);
    pdl_testd_retry_value(value, sizeof value, s, v[2] == 1);
    snprintf(body, sizeof body, "retry after %" PRIu64 " s\n", s);
    return pdl_testd_queue_with_header(ctx, req, (unsigned)v[1],
                                       pdl_testd_text_copy(body, strlen(body)),
                                       MHD_HTTP_HEADER_RETRY_AFTER, value);
}

/* ---- replies that are not HTTP: /junk, /long-header ---- */

/*
 * Writes len bytes straight to the client's socket, around MHD, waiting
 * while the (non-blocking) socket is full. The handler then closes the
 * connection without an answer of MHD's own.
 */
static bool pdl_testd_send_raw(int fd, const char *data, size_t len)
{
    struct pollfd pfd = {.fd = fd, .events = POLLOUT};

    while (fd >= 0 && len > 0) {
        ssize_t k = send(fd, data, len, MSG_NOSIGNAL);

        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
            poll(&pfd, 1, 10000) > 0)
            continue;
        if (k < 0)
            return false;
        data += k;
        len -= (size_t)k;
    }
    return fd >= 0;
}

pdl_testd_result pdl_testd_serve_junk(struct pdl_testd_ctx *ctx,
                                      const struct pdl_testd_req *req,
                                      uint64_t n, void **req_cls)
{
    static const char junk[] = "this is not HTTP\r\n\r\nat all\r\n";

    (void)n;
    (void)req_cls;
    pdl_testd_send_raw(pdl_testd_connection_fd(req->con), junk,
                       sizeof junk - 1);
    return pdl_testd_close(ctx, req);
}

/* A 200 whose one header line X-Long holds n bytes. */
pdl_testd_result pdl_testd_serve_long_header(struct pdl_testd_ctx *ctx,
                                             const struct pdl_testd_req *req,
                                             uint64_t n, void **req_cls)
{
    static const char head[] = "HTTP/1.1 200 OK\r\nX-Long: ";
    static const char tail[] =
        "\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";
    size_t len = sizeof head - 1 + (size_t)n + sizeof tail - 1;
    char *buf = pdl_testd_xmalloc(len);

    (void)req_cls;
    memcpy(buf, head, sizeof head - 1);
    memset(buf + sizeof head - 1, 'a', (size_t)n);
    memcpy(buf + sizeof head - 1 + n, tail, sizeof tail - 1);
    pdl_testd_send_raw(pdl_testd_connection_fd(req->con), buf, len);
    free(buf);
    return pdl_testd_close(ctx, req);
}
