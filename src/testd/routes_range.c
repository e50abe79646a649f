/*
 * The range, redirect and naming endpoints of pdl-testd: /range, /redirect,
 * /redirect-loop, /redirect-to, /disposition, /echo-headers, and the
 * resume faults /range-bad, /range-star, /v1, /v2, /versioned.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

/* Reads the decimal at *p and moves *p past it; false if none or too big. */
static bool pdl_testd_scan_u64(const char **p, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;

    if (*s < '0' || *s > '9')
        return false;
    for (; *s >= '0' && *s <= '9'; s++) {
        uint64_t digit = (uint64_t)(*s - '0');

        if (v > (UINT64_MAX - digit) / 10)
            return false;
        v = v * 10 + digit;
    }
    *p = s;
    *out = v;
    return true;
}

/*
 * Interprets a Range header for a body of size bytes as [*first, *last].
 * One range is honoured; a malformed header or a list of ranges is
 * ignored, which RFC 9110 allows, and gets the whole body.
 */
static enum pdl_testd_range pdl_testd_parse_range(const char *h, uint64_t size,
                                                  uint64_t *first,
                                                  uint64_t *last)
{
    const char *p = h;
    uint64_t a = 0;
    uint64_t b = UINT64_MAX;

    if (h == NULL || strncasecmp(h, "bytes=", 6) != 0)
        return PDL_TESTD_RANGE_NONE;
    p += 6;
    if (*p == '-') {
        p++;
        if (!pdl_testd_scan_u64(&p, &b) || *p != '\0')
            return PDL_TESTD_RANGE_NONE;
        if (b == 0 || size == 0)
            return PDL_TESTD_RANGE_UNSATISFIABLE;
        *first = size - (b < size ? b : size);
        *last = size - 1;
        return PDL_TESTD_RANGE_PART;
    }
    if (!pdl_testd_scan_u64(&p, &a) || *p++ != '-')
        return PDL_TESTD_RANGE_NONE;
    if (*p != '\0' && (!pdl_testd_scan_u64(&p, &b) || *p != '\0' || b < a))
        return PDL_TESTD_RANGE_NONE;
    if (a >= size)
        return PDL_TESTD_RANGE_UNSATISFIABLE;
    *first = a;
    *last = b < size - 1 ? b : size - 1;
    return PDL_TESTD_RANGE_PART;
}

pdl_testd_result pdl_testd_serve_range(struct pdl_testd_ctx *ctx,
                                       const struct pdl_testd_req *req,
                                       uint64_t n, void **req_cls)
{
    /* ms=M&chunk=K pace the body as /drip does, so that a download can be
     * cut part way and resumed. */
    static const struct pdl_testd_param specs[] = {
        {"ms", 0, PDL_TESTD_MAX_DELAY_MS, 0, false},
        {"chunk", 1, PDL_TESTD_BLOCK, PDL_TESTD_BLOCK, false},
    };
    const char *h = MHD_lookup_connection_value(req->con, MHD_HEADER_KIND,
                                                MHD_HTTP_HEADER_RANGE);
    uint64_t first = 0;
    uint64_t last = 0;
    enum pdl_testd_range kind = pdl_testd_parse_range(h, n, &first, &last);
    struct MHD_Response *resp;
    unsigned status = MHD_HTTP_OK;
    char value[96];
    uint64_t v[2];
    pdl_testd_result ret;

    (void)req_cls;
    if (!PDL_TESTD_PARAMS(ctx, req, specs, v, &ret))
        return ret;
    if (kind == PDL_TESTD_RANGE_NONE) {
        first = 0;
        last = n ? n - 1 : 0;
    }
    if (kind != PDL_TESTD_RANGE_UNSATISFIABLE && v[0] > 0) {
        status = kind == PDL_TESTD_RANGE_PART ? MHD_HTTP_PARTIAL_CONTENT
                                              : MHD_HTTP_OK;
        resp = pdl_testd_drip_response(
            ctx, req->con, first, n ? last - first + 1 : 0, v[0], (size_t)v[1]);
        if (kind == PDL_TESTD_RANGE_PART)
            snprintf(value, sizeof value,
                     "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, first, last, n);
    } else if (kind == PDL_TESTD_RANGE_NONE) {
        resp = pdl_testd_pattern_response(ctx, 0, n);
    } else if (kind == PDL_TESTD_RANGE_PART) {
        status = MHD_HTTP_PARTIAL_CONTENT;
        resp = pdl_testd_pattern_response(ctx, first, last - first + 1);
        snprintf(value, sizeof value, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64,
                 first, last, n);
    } else {
        static const char text[] = "range not satisfiable\n";

        status = MHD_HTTP_RANGE_NOT_SATISFIABLE;
        resp = pdl_testd_text_static(text, sizeof text - 1);
        snprintf(value, sizeof value, "bytes */%" PRIu64, n);
    }
    if (resp != NULL) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
        if (kind != PDL_TESTD_RANGE_NONE)
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, value);
    }
    return pdl_testd_queue(ctx, req, status, resp, true);
}

/* ---- redirects ---- */

static const struct pdl_testd_param pdl_testd_redirect_params[] = {
    {"code", 300, 399, MHD_HTTP_FOUND, false},
};

/* Queues a redirect with status code to location. */
static pdl_testd_result pdl_testd_redirect(const struct pdl_testd_ctx *ctx,
                                           const struct pdl_testd_req *req,
                                           uint64_t code, const char *location)
{
    char body[256];

    snprintf(body, sizeof body, "redirect to %.200s\n", location);
    return pdl_testd_queue_with_header(ctx, req, (unsigned)code,
                                       pdl_testd_text_copy(body, strlen(body)),
                                       MHD_HTTP_HEADER_LOCATION, location);
}

/* Writes path, with ?code=C when code is not the default, into loc. */
static void pdl_testd_redirect_target(char *loc, size_t len, const char *path,
                                      uint64_t code)
{
    if (code == MHD_HTTP_FOUND)
        snprintf(loc, len, "%s", path);
    else
        snprintf(loc, len, "%s?code=%" PRIu64, path, code);
}

pdl_testd_result pdl_testd_serve_redirect(struct pdl_testd_ctx *ctx,
                                          const struct pdl_testd_req *req,
                                          uint64_t n, void **req_cls)
{
    uint64_t code;
    pdl_testd_result ret;
    char path[64];
    char loc[96];

    (void)req_cls;
    if (!PDL_TESTD_PARAMS(ctx, req, pdl_testd_redirect_params, &code, &ret))
        return ret;
    if (n == 0)
        return pdl_testd_queue_text(ctx, req, MHD_HTTP_OK, "redirected\n");
    snprintf(path, sizeof path, "/redirect/%" PRIu64, n - 1);
    pdl_testd_redirect_target(loc, sizeof loc, path, code);
    return pdl_testd_redirect(ctx, req, code, loc);
}

pdl_testd_result pdl_testd_serve_redirect_loop(struct pdl_testd_ctx *ctx,
                                               const struct pdl_testd_req *req,
                                               uint64_t n, void **req_cls)
{
    uint64_t code;
    pdl_testd_result ret;
    char loc[64];

    (void)n;
    (void)req_cls;
    if (!PDL_TESTD_PARAMS(ctx, req, pdl_testd_redirect_params, &code, &ret))
        return ret;
    pdl_testd_redirect_target(loc, sizeof loc, "/redirect-loop", code);
    return pdl_testd_redirect(ctx, req, code, loc);
}

/* The target is sent as given, so any scheme (ftp:, file:) can be tried. */
pdl_testd_result pdl_testd_serve_redirect_to(struct pdl_testd_ctx *ctx,
                                             const struct pdl_testd_req *req,
                                             uint64_t n, void **req_cls)
{
    uint64_t code;
    pdl_testd_result ret;
    const char *url = NULL;
    size_t len = 0;

    (void)n;
    (void)req_cls;
    if (!PDL_TESTD_PARAMS(ctx, req, pdl_testd_redirect_params, &code, &ret))
        return ret;
    if (!pdl_testd_query_raw(req, "url", &url, &len))
        return pdl_testd_queue_text(ctx, req, MHD_HTTP_BAD_REQUEST,
                                    "missing parameter url\n");
    if (memchr(url, '\0', len) != NULL)
        return pdl_testd_queue_text(ctx, req, MHD_HTTP_BAD_REQUEST,
                                    "bad parameter url: holds a NUL byte\n");
    return pdl_testd_redirect(ctx, req, code, url);
}

/* ---- /disposition ---- */

/*
 * Appends name as raw as a header allows: only NUL, CR and LF, which
 * MHD cannot send in a header, are written as %00, %0D and %0A.
 */
static void pdl_testd_add_raw_name(struct pdl_testd_buf *buf, const char *name,
                                   size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        char esc[4];

        if (name[i] == '\0' || name[i] == '\r' || name[i] == '\n') {
            snprintf(esc, sizeof esc, "%%%02X",
                     (unsigned)(unsigned char)name[i]);
            pdl_testd_buf_str(buf, esc);
        } else {
            pdl_testd_buf_add(buf, &name[i], 1);
        }
    }
}

/* Appends name percent-encoded as RFC 5987 requires outside attr-char. */
static void pdl_testd_add_ext_name(struct pdl_testd_buf *buf, const char *name,
                                   size_t len)
{
    static const char attr[] = "!#$&+-.^_`|~";
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        char esc[4];

        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
            (c >= 'A' && c <= 'Z') || (c != '\0' && strchr(attr, c) != NULL)) {
            pdl_testd_buf_add(buf, &name[i], 1);
        } else {
            snprintf(esc, sizeof esc, "%%%02X", (unsigned)c);
            pdl_testd_buf_str(buf, esc);
        }
    }
}

/* Builds the header value: star 0 plain, 1 extended, 2 both. */
static void pdl_testd_disposition_value(struct pdl_testd_buf *buf,
                                        const char *name, size_t len,
                                        uint64_t repeat, uint64_t star)
{
    uint64_t i;

    pdl_testd_buf_str(buf, "attachment");
    if (star != 1) {
        pdl_testd_buf_str(buf, "; filename=\"");
        for (i = 0; i < repeat; i++)
            pdl_testd_add_raw_name(buf, name, len);
        pdl_testd_buf_str(buf, "\"");
    }
    if (star != 0) {
        pdl_testd_buf_str(buf, "; filename*=UTF-8''");
        for (i = 0; i < repeat; i++)
            pdl_testd_add_ext_name(buf, name, len);
    }
}

pdl_testd_result pdl_testd_serve_disposition(struct pdl_testd_ctx *ctx,
                                             const struct pdl_testd_req *req,
                                             uint64_t n, void **req_cls)
{
    static const struct pdl_testd_param specs[] = {
        {"star", 0, 2, 0, false},
        {"repeat", 1, PDL_TESTD_MAX_NAME, 1, false},
        {"bytes", 0, PDL_TESTD_BLOCK, 64, false},
    };
    uint64_t v[3];
    pdl_testd_result ret;
    const char *name = NULL;
    size_t len = 0;
    struct pdl_testd_buf value = {NULL, 0, 0};

    (void)n;
    (void)req_cls;
    if (!pdl_testd_query_raw(req, "name", &name, &len))
        return pdl_testd_queue_text(ctx, req, MHD_HTTP_BAD_REQUEST,
                                    "missing parameter name\n");
    if (!PDL_TESTD_PARAMS(ctx, req, specs, v, &ret))
        return ret;
    if (len * v[1] > PDL_TESTD_MAX_NAME)
        return pdl_testd_queue_text(ctx, req, MHD_HTTP_BAD_REQUEST,
                                    "bad parameter name: longer than 8192 bytes"
                                    " once repeated\n");
    pdl_testd_disposition_value(&value, name, len, v[1], v[0]);
    if (value.len > PDL_TESTD_MAX_HEADER)
        ret = pdl_testd_queue_text(ctx, req, MHD_HTTP_BAD_REQUEST,
                                   "bad parameter name: the header would pass"
                                   " 16384 bytes\n");
    else
        ret = pdl_testd_queue_with_header(
            ctx, req, MHD_HTTP_OK, pdl_testd_pattern_response(ctx, 0, v[2]),
            MHD_HTTP_HEADER_CONTENT_DISPOSITION, value.data);
    free(value.data);
    return ret;
}

/* ---- /echo-headers ---- */

/* One line of the echo: PREFIX KEY SEP VALUE. */
static void pdl_testd_echo_pair(struct pdl_testd_buf *buf, const char *prefix,
                                const char *key, const char *sep,
                                const char *value)
{
    pdl_testd_buf_str(buf, prefix);
    pdl_testd_buf_str(buf, key);
    pdl_testd_buf_str(buf, sep);
    if (value != NULL)
        pdl_testd_buf_str(buf, value);
    pdl_testd_buf_str(buf, "\n");
}

static pdl_testd_result pdl_testd_echo_line(void *cls, enum MHD_ValueKind kind,
                                            const char *key, const char *value)
{
    (void)kind;
    pdl_testd_echo_pair(cls, "", key, ": ", value);
    return MHD_YES;
}

/* A query argument as "?name=value", so that a test can see a URL arrive
 * whole (the request log leaves the query out). */
static pdl_testd_result pdl_testd_echo_arg(void *cls, enum MHD_ValueKind kind,
                                           const char *key, const char *value)
{
    (void)kind;
    pdl_testd_echo_pair(cls, "?", key, "=", value);
    return MHD_YES;
}

pdl_testd_result pdl_testd_serve_echo_headers(struct pdl_testd_ctx *ctx,
                                              const struct pdl_testd_req *req,
                                              uint64_t n, void **req_cls)
{
    struct pdl_testd_buf buf = {NULL, 0, 0};
    struct MHD_Response *resp;

    (void)n;
    (void)req_cls;
    /* Start with storage, so a request without headers gets an empty body. */
    pdl_testd_buf_add(&buf, "", 0);
    MHD_get_connection_values(req->con, MHD_HEADER_KIND, pdl_testd_echo_line,
                              &buf);
    MHD_get_connection_values(req->con, MHD_GET_ARGUMENT_KIND,
                              pdl_testd_echo_arg, &buf);
    resp = MHD_create_response_from_buffer(buf.len, buf.data,
                                           MHD_RESPMEM_MUST_FREE);
    if (resp == NULL)
        free(buf.data);
    else
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                "text/plain");
    return pdl_testd_queue(ctx, req, MHD_HTTP_OK, resp, true);
}

/* ---- resume faults: /range-bad, /range-star, /v1, /v2, /versioned ---- */

/* The first byte "Range: bytes=A-..." asks for (0 for a Range it cannot
 * read), or -1 without a Range. */
static int64_t pdl_testd_range_start(const struct pdl_testd_req *req)
{
    const char *h = MHD_lookup_connection_value(req->con, MHD_HEADER_KIND,
                                                MHD_HTTP_HEADER_RANGE);
    const char *p;
    uint64_t a = 0;

    if (h == NULL)
        return -1;
    p = h + 6;
    if (strncasecmp(h, "bytes=", 6) != 0 || !pdl_testd_scan_u64(&p, &a) ||
        a > PDL_TESTD_MAX_BYTES)
        return 0;
    return (int64_t)a;
}

/* True if this request's body is to be cut after ?cut=C bytes: C was given
 * and this is the first request with its ?key= at this kind of endpoint. */
static bool pdl_testd_cut_first(struct pdl_testd_ctx *ctx,
                                const struct pdl_testd_req *req, char kind,
                                uint64_t cut)
{
    const char *key;

    if (cut == UINT64_MAX || pdl_testd_query_key(req, &key) != NULL ||
        key == NULL)
        return false;
    return pdl_testd_flaky_hit(&ctx->flaky, kind, key) == 1;
}

/* The whole body: n bytes of the pattern from position shift, with a
 * Content-Length of n but the connection closed after cut bytes if cut is
 * less, so that a client is left with a partial body. */
static struct MHD_Response *pdl_testd_whole(const struct pdl_testd_ctx *ctx,
                                            uint64_t n, uint64_t shift,
                                            uint64_t cut)
{
    const struct pdl_testd_stream tmpl = {
        .ctx = ctx,
        .offset = shift,
        .limit = cut,
        .at_limit = MHD_CONTENT_READER_END_WITH_ERROR,
        .rst_fd = -1,
    };

    if (cut >= n)
        return pdl_testd_pattern_response(ctx, shift, n);
    return pdl_testd_stream_response(n, &tmpl);
}

/* Queues resp with a Content-Range of value (none if NULL). */
static pdl_testd_result pdl_testd_queue_range(const struct pdl_testd_ctx *ctx,
                                              const struct pdl_testd_req *req,
                                              unsigned status,
                                              struct MHD_Response *resp,
                                              const char *value)
{
    if (resp != NULL) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
        if (value != NULL)
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, value);
    }
    return pdl_testd_queue(ctx, req, status, resp, true);
}

/*
 * A server that answers a Range with a 206 that does not continue where
 * it was asked: Content-Range "bytes S-L/T" and the pattern bytes S..L.
 */
pdl_testd_result pdl_testd_serve_range_bad(struct pdl_testd_ctx *ctx,
                                           const struct pdl_testd_req *req,
                                           uint64_t n, void **req_cls)
{
    const struct pdl_testd_param specs[] = {
        {"start", 0, PDL_TESTD_MAX_BYTES, UINT64_MAX, false},
        {"last", 0, PDL_TESTD_MAX_BYTES, UINT64_MAX, false},
        {"total", 1, PDL_TESTD_MAX_BYTES, n ? n : 1, false},
        {"cut", 0, PDL_TESTD_MAX_BYTES, UINT64_MAX, false},
    };
    int64_t asked = pdl_testd_range_start(req);
    uint64_t v[4];
    uint64_t first, last;
    pdl_testd_result ret;
    char value[96];

    (void)req_cls;
    if (!PDL_TESTD_PARAMS(ctx, req, specs, v, &ret))
        return ret;
    if (!pdl_testd_cut_first(ctx, req, 'b', v[3]))
        v[3] = UINT64_MAX;
    if (asked < 0 || v[3] != UINT64_MAX)
        return pdl_testd_queue_range(ctx, req, MHD_HTTP_OK,
                                     pdl_testd_whole(ctx, n, 0, v[3]), NULL);
    first = v[0] == UINT64_MAX ? (uint64_t)asked : v[0];
    last = v[1] == UINT64_MAX ? v[2] - 1 : v[1];
    if (last < first)
        return pdl_testd_queue_text(ctx, req, MHD_HTTP_BAD_REQUEST,
                                    "bad parameters: last before start\n");
    snprintf(value, sizeof value, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64,
             first, last, v[2]);
    return pdl_testd_queue_range(
        ctx, req, MHD_HTTP_PARTIAL_CONTENT,
        pdl_testd_pattern_response(ctx, first, last - first + 1), value);
}

/* A 206 to any Range, whose Content-Range names no first byte (an
 * asterisk, then "/N"), with the whole body. */
pdl_testd_result pdl_testd_serve_range_star(struct pdl_testd_ctx *ctx,
                                            const struct pdl_testd_req *req,
                                            uint64_t n, void **req_cls)
{
    static const struct pdl_testd_param specs[] = {
        {"cut", 0, PDL_TESTD_MAX_BYTES, UINT64_MAX, false},
    };
    uint64_t cut;
    pdl_testd_result ret;
    char value[64];

    (void)req_cls;
    if (!PDL_TESTD_PARAMS(ctx, req, specs, &cut, &ret))
        return ret;
    if (!pdl_testd_cut_first(ctx, req, 's', cut))
        cut = UINT64_MAX;
    if (pdl_testd_range_start(req) < 0 || cut != UINT64_MAX)
        return pdl_testd_queue_range(ctx, req, MHD_HTTP_OK,
                                     pdl_testd_whole(ctx, n, 0, cut), NULL);
    snprintf(value, sizeof value, "bytes */%" PRIu64, n);
    return pdl_testd_queue_range(ctx, req, MHD_HTTP_PARTIAL_CONTENT,
                                 pdl_testd_pattern_response(ctx, 0, n), value);
}

/* One version of a resource that changes: its bytes (the pattern shifted
 * by version - 1) and its validators. */
struct pdl_testd_version {
    uint64_t shift;
    char etag[48];
    const char *date;
    bool send_etag;
    bool send_date;
};

static void pdl_testd_version_init(struct pdl_testd_version *ver,
                                   const struct pdl_testd_req *req,
                                   unsigned version, uint64_t n)
{
    static const char *const dates[] = {"Sat, 01 Jan 2000 00:00:00 GMT",
                                        "Sun, 02 Jan 2000 00:00:00 GMT"};
    const char *which = MHD_lookup_connection_value(
        req->con, MHD_GET_ARGUMENT_KIND, "validator");

    ver->shift = version - 1;
    snprintf(ver->etag, sizeof ver->etag, "\"v%u-%" PRIu64 "\"", version, n);
    ver->date = dates[version - 1];
    ver->send_etag = which == NULL || strcmp(which, "etag") == 0;
    ver->send_date = which == NULL || strcmp(which, "date") == 0;
}

/* True if the request's If-Range (if any) names this version. */
static bool pdl_testd_if_range_holds(const struct pdl_testd_req *req,
                                     const struct pdl_testd_version *ver)
{
    const char *h = MHD_lookup_connection_value(req->con, MHD_HEADER_KIND,
                                                MHD_HTTP_HEADER_IF_RANGE);

    if (h == NULL)
        return true;
    return (ver->send_etag && strcmp(h, ver->etag) == 0) ||
           (ver->send_date && strcmp(h, ver->date) == 0);
}

static struct MHD_Response *
pdl_testd_with_validators(struct MHD_Response *resp,
                          const struct pdl_testd_version *ver)
{
    if (resp != NULL && ver->send_etag)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, ver->etag);
    if (resp != NULL && ver->send_date)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, ver->date);
    return resp;
}

/* Answers for version of resource n: Range "bytes=A-" honoured to the end
 * unless If-Range names another version, 416 from A = n on. */
static pdl_testd_result pdl_testd_versioned(struct pdl_testd_ctx *ctx,
                                            const struct pdl_testd_req *req,
                                            uint64_t n, unsigned version)
{
    static const struct pdl_testd_param specs[] = {
        {"cut", 0, PDL_TESTD_MAX_BYTES, UINT64_MAX, false},
        {"bare416", 0, 1, 0, false},
    };
    static const char text[] = "range not satisfiable\n";
    struct pdl_testd_version ver;
    int64_t asked = pdl_testd_range_start(req);
    uint64_t v[2];
    pdl_testd_result ret;
    char value[96];
    struct MHD_Response *resp;

    if (!PDL_TESTD_PARAMS(ctx, req, specs, v, &ret))
        return ret;
    pdl_testd_version_init(&ver, req, version, n);
    if (!pdl_testd_cut_first(ctx, req, 'c', v[0]))
        v[0] = UINT64_MAX;
    if (v[0] != UINT64_MAX || !pdl_testd_if_range_holds(req, &ver))
        asked = -1;
    if (asked < 0) {
        resp = pdl_testd_whole(ctx, n, ver.shift, v[0]);
        return pdl_testd_queue_range(
            ctx, req, MHD_HTTP_OK, pdl_testd_with_validators(resp, &ver), NULL);
    }
    if ((uint64_t)asked >= n) {
        snprintf(value, sizeof value, "bytes */%" PRIu64, n);
        resp = pdl_testd_text_static(text, sizeof text - 1);
        return pdl_testd_queue_range(ctx, req, MHD_HTTP_RANGE_NOT_SATISFIABLE,
                                     pdl_testd_with_validators(resp, &ver),
                                     v[1] ? NULL : value);
    }
    snprintf(value, sizeof value, "bytes %" PRId64 "-%" PRIu64 "/%" PRIu64,
             asked, n - 1, n);
    resp = pdl_testd_pattern_response(ctx, (uint64_t)asked + ver.shift,
                                      n - (uint64_t)asked);
    return pdl_testd_queue_range(ctx, req, MHD_HTTP_PARTIAL_CONTENT,
                                 pdl_testd_with_validators(resp, &ver), value);
}

pdl_testd_result pdl_testd_serve_v1(struct pdl_testd_ctx *ctx,
                                    const struct pdl_testd_req *req, uint64_t n,
                                    void **req_cls)
{
    (void)req_cls;
    return pdl_testd_versioned(ctx, req, n, 1);
}

pdl_testd_result pdl_testd_serve_v2(struct pdl_testd_ctx *ctx,
                                    const struct pdl_testd_req *req, uint64_t n,
                                    void **req_cls)
{
    (void)req_cls;
    return pdl_testd_versioned(ctx, req, n, 2);
}

/* Version 1 for the first ?after=F requests with ?key=K, then version 2:
 * one URL whose resource changes under a client. */
pdl_testd_result pdl_testd_serve_versioned(struct pdl_testd_ctx *ctx,
                                           const struct pdl_testd_req *req,
                                           uint64_t n, void **req_cls)
{
    static const struct pdl_testd_param specs[] = {
        {"after", 0, PDL_TESTD_MAX_FAIL, 1, false},
    };
    uint64_t after;
    pdl_testd_result ret;
    const char *key;
    const char *why = pdl_testd_query_key(req, &key);

    (void)req_cls;
    if (why == NULL && key == NULL)
        why = "missing parameter key\n";
    if (why != NULL)
        return pdl_testd_queue_text(ctx, req, MHD_HTTP_BAD_REQUEST, why);
    if (!PDL_TESTD_PARAMS(ctx, req, specs, &after, &ret))
        return ret;
    return pdl_testd_versioned(
        ctx, req, n,
        pdl_testd_flaky_hit(&ctx->flaky, 'v', key) > after ? 2 : 1);
}
