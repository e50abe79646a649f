/*
 * Response helpers of pdl-testd: memory, the clock, numbers, text and
 * status answers, query parameters, and bodies cut from the pattern.
 */

#include <errno.h>
#include <inttypes.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

#include "internal.h"

const char *const pdl_testd_num_why[] = {
    [PDL_TESTD_NUM_OK] = "ok",
    [PDL_TESTD_NUM_EMPTY] = "missing number",
    [PDL_TESTD_NUM_NOT_DIGIT] = "not a decimal number",
    [PDL_TESTD_NUM_OVERFLOW] = "number too large",
    [PDL_TESTD_NUM_RANGE] = "out of range",
};

/* Out of memory is not recoverable here: print and exit, like tmux. */
void *pdl_testd_xrealloc(void *old, size_t size)
{
    void *p = realloc(old, size);

    if (p == NULL) {
        fprintf(stderr, PDL_TESTD_NAME ": out of memory\n");
        exit(EXIT_FAILURE);
    }
    return p;
}

void *pdl_testd_xmalloc(size_t size)
{
    return pdl_testd_xrealloc(NULL, size);
}

pdl_testd_monotime pdl_testd_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (pdl_testd_monotime)ts.tv_sec * PDL_TESTD_NS_PER_S +
           (pdl_testd_monotime)ts.tv_nsec;
}

/*
 * Parses a whole string of decimal digits into *out within [min, max].
 * Signs, spaces and trailing bytes are rejected, unlike bare strtoull.
 */
enum pdl_testd_num_err pdl_testd_parse_u64(const char *s, uint64_t min,
                                           uint64_t max, uint64_t *out)
{
    const char *p;
    char *end;
    unsigned long long v;

    if (*s == '\0')
        return PDL_TESTD_NUM_EMPTY;
    for (p = s; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return PDL_TESTD_NUM_NOT_DIGIT;
    }
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno == ERANGE)
        return PDL_TESTD_NUM_OVERFLOW;
    if (*end != '\0')
        return PDL_TESTD_NUM_NOT_DIGIT;
    if (v < min || v > max)
        return PDL_TESTD_NUM_RANGE;
    *out = (uint64_t)v;
    return PDL_TESTD_NUM_OK;
}

/* Appends len bytes of s to buf, keeping it NUL-terminated. */
void pdl_testd_buf_add(struct pdl_testd_buf *buf, const char *s, size_t len)
{
    if (buf->cap - buf->len <= len) {
        size_t cap = buf->cap == 0 ? 256 : buf->cap;

        while (cap - buf->len <= len)
            cap *= 2;
        buf->data = pdl_testd_xrealloc(buf->data, cap);
        buf->cap = cap;
    }
    memcpy(buf->data + buf->len, s, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
}

void pdl_testd_buf_str(struct pdl_testd_buf *buf, const char *s)
{
    pdl_testd_buf_add(buf, s, strlen(s));
}

/* ---- responses ---- */

void pdl_testd_log(const struct pdl_testd_ctx *ctx,
                   const struct pdl_testd_req *req, const char *what)
{
    if (ctx->opt.log != NULL)
        fprintf(ctx->opt.log, PDL_TESTD_NAME ": %s %s %s\n", req->method,
                req->url, what);
}

/* Queues resp with status, logging if asked; destroys resp when owned. */
pdl_testd_result pdl_testd_queue(const struct pdl_testd_ctx *ctx,
                                 const struct pdl_testd_req *req,
                                 unsigned status, struct MHD_Response *resp,
                                 bool owned)
{
    pdl_testd_result ret;

    /* Without a response MHD can only close the connection. */
    if (resp == NULL)
        return MHD_NO;
#if MHD_VERSION >= 0x00097310
    /* "Connection: Keep-Alive" whenever MHD keeps the connection ("close"
     * still when it does not), as nginx says it. HTTP/1.1 needs no such
     * header, but wget2 before 2.0.1 (Debian 12 has 1.99.1) keeps a
     * connection only on it: without it, it reconnected for every
     * request, three times slower on small ones. */
    MHD_set_response_options(resp, MHD_RF_SEND_KEEP_ALIVE_HEADER, MHD_RO_END);
#endif
    ret = MHD_queue_response(req->con, status, resp);
    if (owned)
        MHD_destroy_response(resp);
    if (ctx->opt.log != NULL)
        fprintf(ctx->opt.log, PDL_TESTD_NAME ": %s %s %u\n", req->method,
                req->url, status);
    return ret;
}

/* Closes the connection without an answer; MHD_NO from a handler does it. */
pdl_testd_result pdl_testd_close(const struct pdl_testd_ctx *ctx,
                                 const struct pdl_testd_req *req)
{
    pdl_testd_log(ctx, req, "closed without an answer");
    return MHD_NO;
}

/* A text response holding a copy of len bytes of text, or NULL. */
struct MHD_Response *pdl_testd_text_copy(const char *text, size_t len)
{
    struct MHD_Response *resp;

    resp = MHD_create_response_from_buffer(len, (void *)text,
                                           MHD_RESPMEM_MUST_COPY);
    if (resp != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                "text/plain");
    return resp;
}

/* A text response pointing at text, which outlives it, or NULL. */
struct MHD_Response *pdl_testd_text_static(const char *text, size_t len)
{
    struct MHD_Response *resp;

    resp = MHD_create_response_from_buffer(len, (void *)text,
                                           MHD_RESPMEM_PERSISTENT);
    if (resp != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                "text/plain");
    return resp;
}

/* Queues a formatted text response made for this one request. */
pdl_testd_result pdl_testd_queue_text(const struct pdl_testd_ctx *ctx,
                                      const struct pdl_testd_req *req,
                                      unsigned status, const char *text)
{
    return pdl_testd_queue(ctx, req, status,
                           pdl_testd_text_copy(text, strlen(text)), true);
}

/* Queues text with one extra header; 400 if MHD refuses the header. */
pdl_testd_result pdl_testd_queue_with_header(const struct pdl_testd_ctx *ctx,
                                             const struct pdl_testd_req *req,
                                             unsigned status,
                                             struct MHD_Response *resp,
                                             const char *name,
                                             const char *value)
{
    if (resp != NULL && MHD_add_response_header(resp, name, value) != MHD_YES) {
        char body[128];

        MHD_destroy_response(resp);
        snprintf(body, sizeof body,
                 "bad parameter: the value cannot be sent in a %s header\n",
                 name);
        return pdl_testd_queue_text(ctx, req, MHD_HTTP_BAD_REQUEST, body);
    }
    return pdl_testd_queue(ctx, req, status, resp, true);
}

pdl_testd_result pdl_testd_bad_number(const struct pdl_testd_ctx *ctx,
                                      const struct pdl_testd_req *req,
                                      const struct pdl_testd_route *route,
                                      enum pdl_testd_num_err err)
{
    char body[512];

    if (err == PDL_TESTD_NUM_RANGE)
        snprintf(body, sizeof body,
                 "bad number in %.200s: %s %" PRIu64 "..%" PRIu64 "\n",
                 req->url, pdl_testd_num_why[err], route->min, route->max);
    else
        snprintf(body, sizeof body, "bad number in %.200s: %s\n", req->url,
                 pdl_testd_num_why[err]);
    return pdl_testd_queue_text(ctx, req, MHD_HTTP_BAD_REQUEST, body);
}

/* The body of a status-only answer; HTTP forbids one on 204 and 304. */
void pdl_testd_status_body(char *body, size_t len, const char *what,
                           uint64_t code)
{
    if (code == MHD_HTTP_NO_CONTENT || code == MHD_HTTP_NOT_MODIFIED)
        body[0] = '\0';
    else
        snprintf(body, len, "%s %" PRIu64 "\n", what, code);
}

/* ---- query parameters ---- */

/*
 * Reads the numeric query parameters described by specs into vals.
 * Returns true, or false with the reason, as a 400 body, in err.
 */
static bool pdl_testd_read_params(const struct pdl_testd_req *req,
                                  const struct pdl_testd_param *specs, size_t n,
                                  uint64_t *vals, char *err, size_t errlen)
{
    size_t i;

    for (i = 0; i < n; i++) {
        const struct pdl_testd_param *p = &specs[i];
        const char *v = MHD_lookup_connection_value(
            req->con, MHD_GET_ARGUMENT_KIND, p->name);
        enum pdl_testd_num_err e;

        vals[i] = p->def;
        if (v == NULL && !p->required)
            continue;
        if (v == NULL) {
            snprintf(err, errlen, "missing parameter %s\n", p->name);
            return false;
        }
        e = pdl_testd_parse_u64(v, p->min, p->max, &vals[i]);
        if (e == PDL_TESTD_NUM_RANGE)
            snprintf(err, errlen,
                     "bad parameter %s=%.100s: out of range %" PRIu64
                     "..%" PRIu64 "\n",
                     p->name, v, p->min, p->max);
        else if (e != PDL_TESTD_NUM_OK)
            snprintf(err, errlen, "bad parameter %s=%.100s: %s\n", p->name, v,
                     pdl_testd_num_why[e]);
        if (e != PDL_TESTD_NUM_OK)
            return false;
    }
    return true;
}

bool pdl_testd_params_or_400(const struct pdl_testd_ctx *ctx,
                             const struct pdl_testd_req *req,
                             const struct pdl_testd_param *specs, size_t n,
                             uint64_t *vals, pdl_testd_result *ret)
{
    char err[256];

    if (pdl_testd_read_params(req, specs, n, vals, err, sizeof err))
        return true;
    *ret = pdl_testd_queue_text(ctx, req, MHD_HTTP_BAD_REQUEST, err);
    return false;
}

/*
 * Finds query parameter name, percent-decoded by MHD, as *value and *len.
 * The value may hold NUL bytes, so len is the only measure of it.
 */
bool pdl_testd_query_raw(const struct pdl_testd_req *req, const char *name,
                         const char **value, size_t *len)
{
    const char *v = NULL;
    size_t n = 0;

    if (MHD_lookup_connection_value_n(req->con, MHD_GET_ARGUMENT_KIND, name,
                                      strlen(name), &v, &n) != MHD_YES ||
        v == NULL)
        return false;
    *value = v;
    *len = n;
    return true;
}

/*
 * Reads the key parameter for /flaky and /retry-after into *key. Returns
 * NULL, or the reason it is unusable; an absent key is NULL with *key NULL.
 */
const char *pdl_testd_query_key(const struct pdl_testd_req *req,
                                const char **key)
{
    size_t len = 0;

    *key = NULL;
    if (!pdl_testd_query_raw(req, "key", key, &len))
        return NULL;
    if (len == 0)
        return "bad parameter key: empty\n";
    if (len > PDL_TESTD_KEY_MAX)
        return "bad parameter key: longer than 200 bytes\n";
    if (memchr(*key, '\0', len) != NULL)
        return "bad parameter key: holds a NUL byte\n";
    return NULL;
}

/* ---- the pattern ---- */

/* Copies n bytes of the endless pattern, from position pos, into buf. */
void pdl_testd_fill(const struct pdl_testd_ctx *ctx, uint64_t pos, char *buf,
                    size_t n)
{
    size_t done = 0;

    while (done < n) {
        size_t off = (size_t)((pos + done) % PDL_TESTD_LINE_LEN);
        size_t len = n - done;

        if (len > PDL_TESTD_BLOCK)
            len = PDL_TESTD_BLOCK;
        memcpy(buf + done, ctx->pattern + off, len);
        done += len;
    }
}

/* ---- bodies read from the pattern: /reset-after, /huge, /no-length, /range
 * ---- */

/*
 * Resets the TCP connection on fd: connecting a TCP socket to AF_UNSPEC
 * sends RST and leaves fd open for MHD to close. SO_LINGER would not do,
 * because MHD shuts the socket down, sending FIN, before it closes it.
 * Failing only loses the reset: the close still cuts the body short.
 */
static void pdl_testd_reset_socket(int fd)
{
    struct sockaddr sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_family = AF_UNSPEC;
    (void)connect(fd, &sa, sizeof sa);
}

/* Bytes sent on fd that the peer has not acknowledged yet. */
static int pdl_testd_unacked(int fd)
{
    int n = 0;

    if (ioctl(fd, SIOCOUTQ, &n) != 0)
        return 0;
    return n;
}

/*
 * What the reader answers at the limit. A reset throws away what the
 * client has not acknowledged, so it first waits, suspended, until the
 * client has every byte: the body it gets is then exactly the limit.
 */
static ssize_t pdl_testd_stream_end(struct pdl_testd_stream *s)
{
    pdl_testd_monotime now;

    if (s->rst_fd < 0)
        return s->at_limit;
    now = pdl_testd_now();
    if (s->drain_until == 0)
        s->drain_until = now + PDL_TESTD_DRAIN_MAX_NS;
    if (now < s->drain_until && pdl_testd_unacked(s->rst_fd) > 0 &&
        pdl_testd_timer_add(s->timer, s->con, now + PDL_TESTD_DRAIN_POLL_NS))
        return 0;
    pdl_testd_reset_socket(s->rst_fd);
    return s->at_limit;
}

static ssize_t pdl_testd_stream_read(void *cls, uint64_t pos, char *buf,
                                     size_t max)
{
    struct pdl_testd_stream *s = cls;

    if (pos >= s->limit)
        return pdl_testd_stream_end(s);
    if (max > s->limit - pos)
        max = (size_t)(s->limit - pos);
    pdl_testd_fill(s->ctx, s->offset + pos, buf, max);
    return (ssize_t)max;
}

/*
 * A response of size bytes (MHD_SIZE_UNKNOWN: chunked) read from a copy
 * of tmpl, which the response owns. Returns NULL if MHD cannot make it.
 */
struct MHD_Response *
pdl_testd_stream_response(uint64_t size, const struct pdl_testd_stream *tmpl)
{
    struct pdl_testd_stream *s = pdl_testd_xmalloc(sizeof *s);
    struct MHD_Response *resp;

    *s = *tmpl;
    resp = MHD_create_response_from_callback(size, PDL_TESTD_BLOCK,
                                             pdl_testd_stream_read, s, free);
    if (resp == NULL) {
        free(s);
        return NULL;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
    return resp;
}

/* len bytes of the pattern from position offset, with a Content-Length. */
struct MHD_Response *pdl_testd_pattern_response(const struct pdl_testd_ctx *ctx,
                                                uint64_t offset, uint64_t len)
{
    const struct pdl_testd_stream tmpl = {
        .ctx = ctx,
        .offset = offset,
        .limit = len,
        .at_limit = MHD_CONTENT_READER_END_OF_STREAM,
        .rst_fd = -1,
    };

    /* The pattern holds a block from any line offset, so small bodies
       point into it and need no reader. */
    if (len <= PDL_TESTD_BLOCK)
        return pdl_testd_text_static(ctx->pattern + offset % PDL_TESTD_LINE_LEN,
                                     (size_t)len);
    return pdl_testd_stream_response(len, &tmpl);
}

/* The socket of con, or -1 if MHD does not say. */
int pdl_testd_connection_fd(struct MHD_Connection *con)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD);

    return info == NULL ? -1 : (int)info->connect_fd;
}
