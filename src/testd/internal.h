/*
 * What the parts of pdl-testd share, private to src/testd: limits, the
 * server context that every handler gets (no global state), the request,
 * the timer, the response helpers and every route's handler.
 */

#ifndef PDL_TESTD_INTERNAL_H
#define PDL_TESTD_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <microhttpd.h>

#include "testd.h"

/* For MHD_lookup_connection_value_n; MHD_DAEMON_INFO_BIND_PORT is older. */
#if MHD_VERSION < 0x00096304
#error "pdl-testd needs libmicrohttpd 0.9.64 or newer"
#endif

/* libmicrohttpd 0.9.71 changed the handler's return type from int. */
#if MHD_VERSION >= 0x00097002
typedef enum MHD_Result pdl_testd_result;
#else
typedef int pdl_testd_result;
#endif

#define PDL_TESTD_LINE                                                         \
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n"
#define PDL_TESTD_LINE_LEN (sizeof(PDL_TESTD_LINE) - 1)
#define PDL_TESTD_BLOCK ((size_t)64 * 1024)
#define PDL_TESTD_MAX_BYTES (UINT64_C(1) << 40)
#define PDL_TESTD_MAX_DELAY_MS UINT64_C(600000)
#define PDL_TESTD_MAX_THREADS 1024u
#define PDL_TESTD_CONN_LIMIT 8192u
#define PDL_TESTD_CONN_TIMEOUT_S 300u
#define PDL_TESTD_BACKLOG 4096u
/* Per connection: room for the longest request pdl sends (a 64 KiB URL
 * and 16 KiB of header= lines), not MHD's 32 KiB (it answers 414 or 431).
 * MHD fills it as it serves: peak RSS with 256 connections 13 -> 30 MB. */
#define PDL_TESTD_CONN_MEMORY ((size_t)96 * 1024)
#define PDL_TESTD_NS_PER_MS UINT64_C(1000000)
#define PDL_TESTD_NS_PER_S UINT64_C(1000000000)

/* A /hang lasts as long as MHD would keep an idle connection, then closes. */
#define PDL_TESTD_HANG_MS ((uint64_t)PDL_TESTD_CONN_TIMEOUT_S * 1000u)
#define PDL_TESTD_MAX_HANG_MS UINT64_C(3600000)
#define PDL_TESTD_MAX_REDIRECTS UINT64_C(1000)
#define PDL_TESTD_MAX_FAIL UINT64_C(1000000)
#define PDL_TESTD_MAX_RETRY_AFTER_S UINT64_C(4294967295)
#define PDL_TESTD_FLAKY_KEYS 4096u
#define PDL_TESTD_KEY_MAX 200u
/* Long enough for names past PATH_MAX; short enough that the header still
   fits in MHD's per-connection memory next to the request. */
#define PDL_TESTD_MAX_NAME 8192u
#define PDL_TESTD_MAX_HEADER 16384u
#define PDL_TESTD_MAX_LONG_HEADER (UINT64_C(16) << 20)
/* How often, and how long at most, a reset waits for the client to
   acknowledge the body before it throws the rest away. */
#define PDL_TESTD_DRAIN_POLL_NS (2 * PDL_TESTD_NS_PER_MS)
#define PDL_TESTD_DRAIN_MAX_NS (10 * PDL_TESTD_NS_PER_S)

/* Nanoseconds on CLOCK_MONOTONIC; only for relative timings. */
typedef uint64_t pdl_testd_monotime;

struct pdl_testd_timer_entry {
    pdl_testd_monotime deadline;
    struct MHD_Connection *con;
};

/*
 * Deadlines of suspended connections (/delay, /hang, /drip) as a binary
 * min-heap.
 * Locking: mutex guards heap, count, cap and stopping. A connection is in
 * the heap exactly while pdl-testd holds it suspended; it leaves the heap
 * before MHD_resume_connection, so a resumed connection is never touched.
 */
struct pdl_testd_timer {
    pthread_mutex_t mutex;
    pthread_cond_t cond; /* signalled on a new earliest deadline or stop */
    struct pdl_testd_timer_entry *heap;
    size_t count;
    size_t cap;
    bool stopping;
    pthread_t thread;
};

/* One key's request count; kind keeps /flaky and /retry-after apart. */
struct pdl_testd_flaky_slot {
    char kind;
    char key[PDL_TESTD_KEY_MAX + 1];
    uint64_t count;
};

/*
 * Request counts per key for /flaky and /retry-after.
 * Locking: mutex guards slots, used and next. Keys fill slots in order
 * and, once all are taken, replace the oldest first, so slots[0..used)
 * always hold keys and a lookup is a scan of them.
 */
struct pdl_testd_flaky {
    pthread_mutex_t mutex;
    struct pdl_testd_flaky_slot *slots; /* PDL_TESTD_FLAKY_KEYS of them */
    size_t used;
    size_t next; /* the slot the next new key takes */
};

/* Everything the handlers share; after start only timer, small and flaky
   change, each under its own lock or atomically. */
struct pdl_testd_ctx {
    struct pdl_testd_options opt;
    /* Its address marks a request whose headers the handler has seen. */
    char headers_seen;
    struct pdl_testd_timer timer;
    struct pdl_testd_flaky flaky;
    struct MHD_Response *root;
    struct MHD_Response *not_found;
    struct MHD_Response *bad_method;
    /* One shared response per small size, created on first use. */
    _Atomic(struct MHD_Response *) *small;
    /* The line repeated, long enough to copy a block from any line offset. */
    char pattern[PDL_TESTD_BLOCK + PDL_TESTD_LINE_LEN];
};

/* The request being handled, as the handlers need it. */
struct pdl_testd_req {
    struct MHD_Connection *con;
    const char *method;
    const char *url;
};

/*
 * Per-request state of a suspended /delay or /hang request, owned by
 * MHD's *req_cls; finish answers it on the handler call after its resume.
 */
struct pdl_testd_wait {
    uint64_t ms;
    pdl_testd_monotime deadline;
    pdl_testd_result (*finish)(const struct pdl_testd_ctx *ctx,
                               const struct pdl_testd_req *req,
                               const struct pdl_testd_wait *wait);
};

/* A body cut from the pattern, read by a content reader; one per response. */
struct pdl_testd_stream {
    const struct pdl_testd_ctx *ctx;
    uint64_t offset;  /* the pattern position of body byte 0 */
    uint64_t limit;   /* body bytes to produce */
    ssize_t at_limit; /* what the reader answers at limit */
    int rst_fd;       /* >= 0: reset this socket at limit, not just close it */
    /* For a reset only: what waiting for the client to take every byte
       needs, and when to stop waiting (0 until the limit is reached). */
    struct MHD_Connection *con;
    struct pdl_testd_timer *timer;
    pdl_testd_monotime drain_until;
};

/* A /drip body: one chunk per interval, suspended in between. */
struct pdl_testd_drip {
    struct pdl_testd_ctx *ctx;
    struct MHD_Connection *con;
    uint64_t offset; /* of the first byte in the /bytes content */
    uint64_t ms;
    size_t chunk;
    pdl_testd_monotime due; /* when the next chunk may go */
};

/* A growable byte string, always NUL-terminated once data is set. */
struct pdl_testd_buf {
    char *data;
    size_t len;
    size_t cap;
};

/*
 * A path the server answers: exactly path, or path followed by a number
 * in [min, max] that reaches serve as n.
 */
struct pdl_testd_route {
    const char *path;
    bool exact;
    uint64_t min;
    uint64_t max;
    pdl_testd_result (*serve)(struct pdl_testd_ctx *ctx,
                              const struct pdl_testd_req *req, uint64_t n,
                              void **req_cls);
};

/* A numeric query parameter: absent gives def, unless it is required. */
struct pdl_testd_param {
    const char *name;
    uint64_t min;
    uint64_t max;
    uint64_t def;
    bool required;
};

enum pdl_testd_num_err {
    PDL_TESTD_NUM_OK,
    PDL_TESTD_NUM_EMPTY,
    PDL_TESTD_NUM_NOT_DIGIT,
    PDL_TESTD_NUM_OVERFLOW,
    PDL_TESTD_NUM_RANGE,
};

enum pdl_testd_range {
    PDL_TESTD_RANGE_NONE, /* absent or ignored: the whole body */
    PDL_TESTD_RANGE_PART,
    PDL_TESTD_RANGE_UNSATISFIABLE,
};

/* Shared by / and --help, so the two lists cannot drift apart. */
#define PDL_TESTD_ENDPOINTS_TEXT                                               \
    "  /               this list\n"                                            \
    "  /delay/MS       200 after MS milliseconds (0..600000)\n"                \
    "  /bytes/N        N bytes (0..2^40) of the line 0-9a-zA-Z and a "         \
    "newline,\n"                                                               \
    "                  repeated: the same as `yes 0..9a..zA..Z | head -c N`\n" \
    "  /status/CODE    respond with status CODE (200..599)\n"                  \
    "  /hang[?ms=M]    never answer; close silently after M ms (default\n"     \
    "                  300000, max 3600000; 0 closes at once) or on "          \
    "shutdown\n"                                                               \
    "  /drip?bytes=N&ms=M[&chunk=K]\n"                                         \
    "                  200 with Content-Length N, then K bytes (default 1)\n"  \
    "                  of the /bytes content every M ms (0..600000)\n"         \
    "  /reset-after/N[?length=L&rst=1]\n"                                      \
    "                  Content-Length L (default N+1000), close after N "      \
    "body\n"                                                                   \
    "                  bytes; rst=1 resets (RST) instead of closing\n"         \
    "  /redirect/N[?code=C]\n"                                                 \
    "                  C (300..399, default 302) to /redirect/N-1 (N up to\n"  \
    "                  1000); /redirect/0 is 200 \"redirected\"\n"             \
    "  /redirect-loop[?code=C]  redirect to itself\n"                          \
    "  /redirect-to?url=U[&code=C]  redirect to U, percent-decoded\n"          \
    "  /flaky?key=K[&fail=F&code=C]\n"                                         \
    "                  status C (400..599, default 503) for the first F\n"     \
    "                  (default 1) requests with key K, then 200\n"            \
    "  /flaky-reset    forget every /flaky and /retry-after key\n"             \
    "  /retry-after/S[?key=K&fail=F&code=C&date=1]\n"                          \
    "                  503 (or C) with Retry-After: S (date=1: an HTTP-date\n" \
    "                  S s ahead); with a key only for the first F (default\n" \
    "                  1) requests, then 200\n"                                \
    "  /huge           an endless body, chunked, no Content-Length\n"          \
    "  /no-length/N    N bytes (0..2^40), chunked, no Content-Length\n"        \
    "  /disposition?name=X[&star=S&repeat=R&bytes=N]\n"                        \
    "                  Content-Disposition: attachment; filename=\"X\" with "  \
    "X\n"                                                                      \
    "                  percent-decoded and sent raw; star=1 sends the form\n"  \
    "                  filename*=UTF-8''X instead, star=2 both; X repeated\n"  \
    "                  R times; a body of N bytes (default 64)\n"              \
    "  /echo-headers   the request headers, one \"Name: value\" per line,\n"   \
    "                  then the query arguments, one \"?name=value\" each\n"   \
    "  /range/N        N bytes; honours Range: bytes=A-, A-B and -S with "     \
    "206\n"                                                                    \
    "                  (416 if unsatisfiable); Accept-Ranges: bytes;\n"        \
    "                  ?ms=M&chunk=K paces the body as /drip does\n"           \
    "  /range-bad/N[?start=S&last=L&total=T&cut=C&key=K]\n"                    \
    "                  a Range gets 206 with Content-Range bytes S-L/T and\n"  \
    "                  bytes S..L (S: the asked start, T: N, L: T-1)\n"        \
    "  /range-star/N[?cut=C&key=K]\n"                                          \
    "                  a Range gets 206, Content-Range bytes */N, all N "      \
    "bytes\n"                                                                  \
    "  /v1/N, /v2/N[?validator=etag|date&bare416=1&cut=C&key=K]\n"             \
    "                  one resource at two versions (v2: the bytes shifted\n"  \
    "                  by one), ETag \"vV-N\" and Last-Modified; honours\n"    \
    "                  Range bytes=A- and If-Range; 416 bytes */N from A=N\n"  \
    "  /versioned/N?key=K[&after=F]  /v1/N for the first F (default 1)\n"      \
    "                  requests with key K, then /v2/N\n"                      \
    "                  (cut=C: the first request with key K is closed after\n" \
    "                  C bytes of its Content-Length N)\n"                     \
    "  /junk           a reply that is not HTTP, then close\n"                 \
    "  /long-header/N  200 with one header line of N bytes (0..16 MiB)\n"

/* Why a number was refused, by enum pdl_testd_num_err. */
extern const char *const pdl_testd_num_why[];

/* ---- respond.c: memory, clock, numbers ---- */

/* Out of memory is not recoverable here: print and exit, like tmux. */
void *pdl_testd_xrealloc(void *old, size_t size);
void *pdl_testd_xmalloc(size_t size);
pdl_testd_monotime pdl_testd_now(void);
/* Parses a whole string of decimal digits into *out within [min, max]. */
enum pdl_testd_num_err pdl_testd_parse_u64(const char *s, uint64_t min,
                                           uint64_t max, uint64_t *out);
/* Appends len bytes of s (or the string s) to buf, keeping it
 * NUL-terminated. */
void pdl_testd_buf_add(struct pdl_testd_buf *buf, const char *s, size_t len);
void pdl_testd_buf_str(struct pdl_testd_buf *buf, const char *s);

/* ---- respond.c: answers ---- */

/* Logs "METHOD URL what" when the server logs requests. */
void pdl_testd_log(const struct pdl_testd_ctx *ctx,
                   const struct pdl_testd_req *req, const char *what);
/* Queues resp with status, logging if asked; destroys resp when owned. A
 * NULL resp closes the connection. */
pdl_testd_result pdl_testd_queue(const struct pdl_testd_ctx *ctx,
                                 const struct pdl_testd_req *req,
                                 unsigned status, struct MHD_Response *resp,
                                 bool owned);
/* Closes the connection without an answer. */
pdl_testd_result pdl_testd_close(const struct pdl_testd_ctx *ctx,
                                 const struct pdl_testd_req *req);
/* A text/plain response holding a copy of text, or pointing at text, which
 * then outlives it; NULL if MHD cannot make it. */
struct MHD_Response *pdl_testd_text_copy(const char *text, size_t len);
struct MHD_Response *pdl_testd_text_static(const char *text, size_t len);
/* Queues a text response made for this one request. */
pdl_testd_result pdl_testd_queue_text(const struct pdl_testd_ctx *ctx,
                                      const struct pdl_testd_req *req,
                                      unsigned status, const char *text);
/* Queues resp (owned) with one extra header; 400 if MHD refuses it. */
pdl_testd_result pdl_testd_queue_with_header(const struct pdl_testd_ctx *ctx,
                                             const struct pdl_testd_req *req,
                                             unsigned status,
                                             struct MHD_Response *resp,
                                             const char *name,
                                             const char *value);
/* Queues the 400 for a bad number in route's path. */
pdl_testd_result pdl_testd_bad_number(const struct pdl_testd_ctx *ctx,
                                      const struct pdl_testd_req *req,
                                      const struct pdl_testd_route *route,
                                      enum pdl_testd_num_err err);
/* The body of a status-only answer; empty on 204 and 304. */
void pdl_testd_status_body(char *body, size_t len, const char *what,
                           uint64_t code);

/* ---- respond.c: query parameters ---- */

/* Reads the parameters or queues a 400 saying why; false means queued. */
#define PDL_TESTD_PARAMS(ctx, req, specs, vals, ret)                           \
    pdl_testd_params_or_400((ctx), (req), (specs),                             \
                            sizeof(specs) / sizeof((specs)[0]), (vals), (ret))

bool pdl_testd_params_or_400(const struct pdl_testd_ctx *ctx,
                             const struct pdl_testd_req *req,
                             const struct pdl_testd_param *specs, size_t n,
                             uint64_t *vals, pdl_testd_result *ret);
/* Finds query parameter name, percent-decoded, as *value and *len (the
 * value may hold NUL bytes). False if absent. */
bool pdl_testd_query_raw(const struct pdl_testd_req *req, const char *name,
                         const char **value, size_t *len);
/* Reads the key parameter into *key. Returns NULL, or the reason it is
 * unusable; an absent key is NULL with *key NULL. */
const char *pdl_testd_query_key(const struct pdl_testd_req *req,
                                const char **key);

/* ---- respond.c: bodies of the pattern ---- */

/* Copies n bytes of the endless pattern, from position pos, into buf. */
void pdl_testd_fill(const struct pdl_testd_ctx *ctx, uint64_t pos, char *buf,
                    size_t n);
/* A response of size bytes (MHD_SIZE_UNKNOWN: chunked) read from a copy of
 * tmpl, which the response owns; NULL if MHD cannot make it. */
struct MHD_Response *
pdl_testd_stream_response(uint64_t size, const struct pdl_testd_stream *tmpl);
/* len bytes of the pattern from position offset, with a Content-Length. */
struct MHD_Response *pdl_testd_pattern_response(const struct pdl_testd_ctx *ctx,
                                                uint64_t offset, uint64_t len);
/* The socket of con, or -1 if MHD does not say. */
int pdl_testd_connection_fd(struct MHD_Connection *con);

/* ---- timer.c ---- */

/* Starts the timer thread. Returns 0, or an errno value on failure. */
int pdl_testd_timer_start(struct pdl_testd_timer *timer);
/* Resumes every waiting connection, joins the thread and frees the heap. */
void pdl_testd_timer_stop(struct pdl_testd_timer *timer);
/* Suspends con until deadline; false, without suspending, once the timer
 * is stopping. Only from the access handler or a content reader of con. */
bool pdl_testd_timer_add(struct pdl_testd_timer *timer,
                         struct MHD_Connection *con,
                         pdl_testd_monotime deadline);

/* ---- flaky.c ---- */

/* Returns 0, or an errno value if the table cannot be made. */
int pdl_testd_flaky_init(struct pdl_testd_flaky *flaky);
void pdl_testd_flaky_cleanup(struct pdl_testd_flaky *flaky);
/* Counts one more request for (kind, key); returns the count, 1 first. */
uint64_t pdl_testd_flaky_hit(struct pdl_testd_flaky *flaky, char kind,
                             const char *key);
/* Forgets every key. */
void pdl_testd_flaky_clear(struct pdl_testd_flaky *flaky);

/* ---- routes ---- */

/* Suspends the request for ms, to be answered by finish after the resume;
 * false, without suspending, when the server is shutting down. */
bool pdl_testd_wait_start(
    struct pdl_testd_ctx *ctx, const struct pdl_testd_req *req, void **req_cls,
    uint64_t ms,
    pdl_testd_result (*finish)(const struct pdl_testd_ctx *,
                               const struct pdl_testd_req *,
                               const struct pdl_testd_wait *));
/* A body of size bytes of the /bytes content from offset on, one chunk of
 * chunk bytes every ms milliseconds (suspended in between). */
struct MHD_Response *pdl_testd_drip_response(struct pdl_testd_ctx *ctx,
                                             struct MHD_Connection *con,
                                             uint64_t offset, uint64_t size,
                                             uint64_t ms, size_t chunk);

/* Every route's handler, in the order of the route table (server.c). */
#define PDL_TESTD_SERVE(name)                                                  \
    pdl_testd_result pdl_testd_serve_##name(struct pdl_testd_ctx *ctx,         \
                                            const struct pdl_testd_req *req,   \
                                            uint64_t n, void **req_cls)
PDL_TESTD_SERVE(delay);
PDL_TESTD_SERVE(bytes);
PDL_TESTD_SERVE(status);
PDL_TESTD_SERVE(hang);
PDL_TESTD_SERVE(drip);
PDL_TESTD_SERVE(reset_after);
PDL_TESTD_SERVE(redirect);
PDL_TESTD_SERVE(redirect_loop);
PDL_TESTD_SERVE(redirect_to);
PDL_TESTD_SERVE(flaky);
PDL_TESTD_SERVE(flaky_reset);
PDL_TESTD_SERVE(retry_after);
PDL_TESTD_SERVE(huge);
PDL_TESTD_SERVE(no_length);
PDL_TESTD_SERVE(disposition);
PDL_TESTD_SERVE(echo_headers);
PDL_TESTD_SERVE(range);
PDL_TESTD_SERVE(range_bad);
PDL_TESTD_SERVE(range_star);
PDL_TESTD_SERVE(v1);
PDL_TESTD_SERVE(v2);
PDL_TESTD_SERVE(versioned);
PDL_TESTD_SERVE(junk);
PDL_TESTD_SERVE(long_header);
#undef PDL_TESTD_SERVE

#endif
