/*
 * The benchmark endpoints of pdl-testd: /delay/MS (suspended on the
 * timer, not on a thread), /bytes/N of the pattern, /status/CODE.
 */

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- /delay (and the wait /hang shares) ---- */

/*
 * Suspends the request for ms, to be answered by finish after the resume.
 * Returns false, without suspending, when the server is shutting down.
 */
bool pdl_testd_wait_start(
    struct pdl_testd_ctx *ctx, const struct pdl_testd_req *req, void **req_cls,
    uint64_t ms,
    pdl_testd_result (*finish)(const struct pdl_testd_ctx *,
                               const struct pdl_testd_req *,
                               const struct pdl_testd_wait *))
{
    struct pdl_testd_wait *wait = pdl_testd_xmalloc(sizeof *wait);

    wait->ms = ms;
    wait->deadline = pdl_testd_now() + ms * PDL_TESTD_NS_PER_MS;
    wait->finish = finish;
    /* Owned by MHD from here on; pdl_testd_completed frees it. */
    *req_cls = wait;
    return pdl_testd_timer_add(&ctx->timer, req->con, wait->deadline);
}

static pdl_testd_result pdl_testd_delay_respond(const struct pdl_testd_ctx *ctx,
                                                const struct pdl_testd_req *req,
                                                uint64_t ms)
{
    char body[64];

    snprintf(body, sizeof body, "delayed %" PRIu64 " ms\n", ms);
    return pdl_testd_queue_text(ctx, req, MHD_HTTP_OK, body);
}

/* Called again for a /delay request once the timer has resumed it. */
static pdl_testd_result
pdl_testd_delay_finish(const struct pdl_testd_ctx *ctx,
                       const struct pdl_testd_req *req,
                       const struct pdl_testd_wait *wait)
{
    /* Only a shutdown resumes a request before its deadline. */
    if (pdl_testd_now() < wait->deadline)
        return pdl_testd_queue_text(ctx, req, MHD_HTTP_SERVICE_UNAVAILABLE,
                                    "shutting down\n");
    return pdl_testd_delay_respond(ctx, req, wait->ms);
}

pdl_testd_result pdl_testd_serve_delay(struct pdl_testd_ctx *ctx,
                                       const struct pdl_testd_req *req,
                                       uint64_t ms, void **req_cls)
{
    if (ms == 0)
        return pdl_testd_delay_respond(ctx, req, 0);
    if (!pdl_testd_wait_start(ctx, req, req_cls, ms, pdl_testd_delay_finish))
        return pdl_testd_queue_text(ctx, req, MHD_HTTP_SERVICE_UNAVAILABLE,
                                    "shutting down\n");
    return MHD_YES;
}

/* ---- /bytes ---- */

/* Fills buf with the pattern bytes at pos; MHD never asks past the end. */
static ssize_t pdl_testd_bytes_read(void *cls, uint64_t pos, char *buf,
                                    size_t max)
{
    pdl_testd_fill(cls, pos, buf, max);
    return (ssize_t)max;
}

/*
 * The shared response for n <= PDL_TESTD_BLOCK bytes, made on first use.
 * Sharing saves a malloc and a header per request on the benchmark path;
 * if two threads race, the loser destroys its copy.
 */
static struct MHD_Response *pdl_testd_small_response(struct pdl_testd_ctx *ctx,
                                                     size_t n)
{
    struct MHD_Response *resp;
    struct MHD_Response *expected = NULL;

    resp = atomic_load_explicit(&ctx->small[n], memory_order_acquire);
    if (resp != NULL)
        return resp;
    resp = pdl_testd_text_static(ctx->pattern, n);
    if (resp == NULL)
        return NULL;
    if (!atomic_compare_exchange_strong_explicit(&ctx->small[n], &expected,
                                                 resp, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        MHD_destroy_response(resp);
        resp = expected;
    }
    return resp;
}

pdl_testd_result pdl_testd_serve_bytes(struct pdl_testd_ctx *ctx,
                                       const struct pdl_testd_req *req,
                                       uint64_t n, void **req_cls)
{
    struct MHD_Response *resp;

    (void)req_cls;
    if (n <= PDL_TESTD_BLOCK)
        return pdl_testd_queue(ctx, req, MHD_HTTP_OK,
                               pdl_testd_small_response(ctx, (size_t)n), false);
    resp = MHD_create_response_from_callback(n, PDL_TESTD_BLOCK,
                                             pdl_testd_bytes_read, ctx, NULL);
    if (resp != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                "text/plain");
    return pdl_testd_queue(ctx, req, MHD_HTTP_OK, resp, true);
}

/* ---- /status ---- */

pdl_testd_result pdl_testd_serve_status(struct pdl_testd_ctx *ctx,
                                        const struct pdl_testd_req *req,
                                        uint64_t code, void **req_cls)
{
    char body[32];

    (void)req_cls;
    pdl_testd_status_body(body, sizeof body, "status", code);
    return pdl_testd_queue_text(ctx, req, (unsigned)code, body);
}
