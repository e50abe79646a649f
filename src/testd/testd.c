/*
 * pdl-testd: a local HTTP test server for pdl's tests and benchmarks.
 * Serves /delay/MS, /bytes/N and /status/CODE on 127.0.0.1 only, and
 * endpoints that produce the network faults a downloader must survive
 * (hangs, slow bodies, short bodies, redirects, flaky keys, hostile names).
 * Requests that wait are suspended on one timer thread, not on a thread each.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

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

#define PDL_TESTD_NAME "pdl-testd"
#define PDL_TESTD_VERSION "0.1.0"

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
/* How often, and how long at most, a reset waits for the client to
   acknowledge the body before it throws the rest away. */
#define PDL_TESTD_DRAIN_POLL_NS (2 * PDL_TESTD_NS_PER_MS)
#define PDL_TESTD_DRAIN_MAX_NS (10 * PDL_TESTD_NS_PER_S)

/* Nanoseconds on CLOCK_MONOTONIC; only for relative timings. */
typedef uint64_t pdl_testd_monotime;

enum pdl_testd_action {
    PDL_TESTD_RUN,
    PDL_TESTD_HELP,
    PDL_TESTD_VERSION_INFO,
};

struct pdl_testd_config {
    unsigned port; /* 0 lets the kernel pick */
    const char *port_file;
    unsigned threads;
    bool verbose;
    enum pdl_testd_action action;
};

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
    const struct pdl_testd_config *cfg;
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

static const char *const pdl_testd_num_why[] = {
    [PDL_TESTD_NUM_OK] = "ok",
    [PDL_TESTD_NUM_EMPTY] = "missing number",
    [PDL_TESTD_NUM_NOT_DIGIT] = "not a decimal number",
    [PDL_TESTD_NUM_OVERFLOW] = "number too large",
    [PDL_TESTD_NUM_RANGE] = "out of range",
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
    "  /echo-headers   the request headers, one \"Name: value\" per line\n"    \
    "  /range/N        N bytes; honours Range: bytes=A-, A-B and -S with "     \
    "206\n"                                                                    \
    "                  (416 if unsatisfiable); Accept-Ranges: bytes;\n"        \
    "                  ?ms=M&chunk=K paces the body as /drip does\n"

static const char pdl_testd_root_text[] =
    "pdl-testd " PDL_TESTD_VERSION
    " endpoints (GET and HEAD):\n" PDL_TESTD_ENDPOINTS_TEXT;

static const char pdl_testd_not_found_text[] =
    "not found; GET / lists the endpoints\n";

static const char pdl_testd_bad_method_text[] =
    "method not allowed; use GET or HEAD\n";

static const char pdl_testd_usage_text[] =
    "Usage: pdl-testd [OPTION]...\n"
    "Local HTTP test server for pdl, listening on 127.0.0.1 only.\n"
    "Prints http://127.0.0.1:PORT/ on stdout, then serves until SIGINT or"
    " SIGTERM.\n"
    "\n"
    "      --port N        port to listen on (default 0: the kernel picks)\n"
    "      --port-file F   after binding, write the port and a newline to F\n"
    "                      (atomically, through F.tmp)\n"
    "      --threads N     polling threads (default: online CPUs)\n"
    "      --quiet         no per-request log (the default)\n"
    "      --verbose       log one line per request to stderr\n"
    "  -h, --help          show this help and exit\n"
    "      --version       show the version and exit\n"
    "\n"
    "Endpoints (GET and HEAD; other methods get 405, bad parameters 400 with\n"
    "the reason, unknown paths 404):\n" PDL_TESTD_ENDPOINTS_TEXT
    "See pdl-testd(1) for details.\n";

/* Out of memory is not recoverable here: print and exit, like tmux. */
static void *pdl_testd_xrealloc(void *old, size_t size)
{
    void *p = realloc(old, size);

    if (p == NULL) {
        fprintf(stderr, PDL_TESTD_NAME ": out of memory\n");
        exit(EXIT_FAILURE);
    }
    return p;
}

static void *pdl_testd_xmalloc(size_t size)
{
    return pdl_testd_xrealloc(NULL, size);
}

static pdl_testd_monotime pdl_testd_now(void)
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
static enum pdl_testd_num_err pdl_testd_parse_u64(const char *s, uint64_t min,
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
static void pdl_testd_buf_add(struct pdl_testd_buf *buf, const char *s,
                              size_t len)
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

static void pdl_testd_buf_str(struct pdl_testd_buf *buf, const char *s)
{
    pdl_testd_buf_add(buf, s, strlen(s));
}

/* ---- deadline heap and timer thread ---- */

static void pdl_testd_heap_swap(struct pdl_testd_timer_entry *heap, size_t a,
                                size_t b)
{
    struct pdl_testd_timer_entry tmp = heap[a];

    heap[a] = heap[b];
    heap[b] = tmp;
}

/* Caller holds timer->mutex. */
static void pdl_testd_heap_push(struct pdl_testd_timer *timer,
                                struct pdl_testd_timer_entry entry)
{
    size_t i;

    if (timer->count == timer->cap) {
        size_t cap = timer->cap == 0 ? 256 : timer->cap * 2;

        timer->heap =
            pdl_testd_xrealloc(timer->heap, cap * sizeof *timer->heap);
        timer->cap = cap;
    }
    i = timer->count++;
    timer->heap[i] = entry;
    while (i > 0 &&
           timer->heap[(i - 1) / 2].deadline > timer->heap[i].deadline) {
        pdl_testd_heap_swap(timer->heap, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

/* Removes and returns the earliest entry. Caller holds the mutex, count > 0. */
static struct pdl_testd_timer_entry
pdl_testd_heap_pop(struct pdl_testd_timer *timer)
{
    struct pdl_testd_timer_entry top = timer->heap[0];
    struct pdl_testd_timer_entry *heap = timer->heap;
    size_t n = --timer->count;
    size_t i = 0;

    heap[0] = heap[n];
    for (;;) {
        size_t l = 2 * i + 1;
        size_t r = l + 1;
        size_t m = i;

        if (l < n && heap[l].deadline < heap[m].deadline)
            m = l;
        if (r < n && heap[r].deadline < heap[m].deadline)
            m = r;
        if (m == i)
            break;
        pdl_testd_heap_swap(heap, i, m);
        i = m;
    }
    return top;
}

/*
 * Resumes connections as their deadlines pass. On stop it resumes every
 * remaining one, because MHD_stop_daemon must not find suspended
 * connections. MHD_resume_connection runs unlocked so handlers never wait
 * on it.
 */
static void *pdl_testd_timer_run(void *arg)
{
    struct pdl_testd_timer *timer = arg;

    pthread_mutex_lock(&timer->mutex);
    while (!timer->stopping || timer->count > 0) {
        struct pdl_testd_timer_entry due;
        struct timespec ts;

        if (timer->count == 0) {
            pthread_cond_wait(&timer->cond, &timer->mutex);
            continue;
        }
        if (!timer->stopping && timer->heap[0].deadline > pdl_testd_now()) {
            ts.tv_sec = (time_t)(timer->heap[0].deadline / PDL_TESTD_NS_PER_S);
            ts.tv_nsec = (long)(timer->heap[0].deadline % PDL_TESTD_NS_PER_S);
            pthread_cond_timedwait(&timer->cond, &timer->mutex, &ts);
            continue;
        }
        due = pdl_testd_heap_pop(timer);
        pthread_mutex_unlock(&timer->mutex);
        MHD_resume_connection(due.con);
        pthread_mutex_lock(&timer->mutex);
    }
    pthread_mutex_unlock(&timer->mutex);
    return NULL;
}

/* Starts the timer thread. Returns 0, or an errno value on failure. */
static int pdl_testd_timer_start(struct pdl_testd_timer *timer)
{
    pthread_condattr_t attr;
    int rc;

    memset(timer, 0, sizeof *timer);
    rc = pthread_condattr_init(&attr);
    if (rc != 0)
        return rc;
    rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_cond_init(&timer->cond, &attr);
    pthread_condattr_destroy(&attr);
    if (rc != 0)
        return rc;
    rc = pthread_mutex_init(&timer->mutex, NULL);
    if (rc != 0)
        goto fail_mutex;
    rc = pthread_create(&timer->thread, NULL, pdl_testd_timer_run, timer);
    if (rc != 0)
        goto fail_thread;
    return 0;

fail_thread:
    pthread_mutex_destroy(&timer->mutex);
fail_mutex:
    pthread_cond_destroy(&timer->cond);
    return rc;
}

/* Resumes every waiting connection, joins the thread and frees the heap. */
static void pdl_testd_timer_stop(struct pdl_testd_timer *timer)
{
    pthread_mutex_lock(&timer->mutex);
    timer->stopping = true;
    pthread_cond_signal(&timer->cond);
    pthread_mutex_unlock(&timer->mutex);
    pthread_join(timer->thread, NULL);
    free(timer->heap);
    pthread_mutex_destroy(&timer->mutex);
    pthread_cond_destroy(&timer->cond);
}

/*
 * Suspends con until deadline. Returns false, without suspending, once
 * the timer is stopping. Must be called from the access handler or a
 * content reader of con, the only places MHD allows a suspend.
 */
static bool pdl_testd_timer_add(struct pdl_testd_timer *timer,
                                struct MHD_Connection *con,
                                pdl_testd_monotime deadline)
{
    struct pdl_testd_timer_entry entry = {.deadline = deadline, .con = con};

    pthread_mutex_lock(&timer->mutex);
    if (timer->stopping) {
        pthread_mutex_unlock(&timer->mutex);
        return false;
    }
    /* Suspend under the lock, so the entry is never resumed before it is
       suspended; resuming early would be undefined behaviour in MHD. */
    MHD_suspend_connection(con);
    pdl_testd_heap_push(timer, entry);
    if (timer->heap[0].con == con)
        pthread_cond_signal(&timer->cond);
    pthread_mutex_unlock(&timer->mutex);
    return true;
}

/* ---- responses ---- */

static void pdl_testd_log(const struct pdl_testd_ctx *ctx,
                          const struct pdl_testd_req *req, const char *what)
{
    if (ctx->cfg->verbose)
        fprintf(stderr, PDL_TESTD_NAME ": %s %s %s\n", req->method, req->url,
                what);
}

/* Queues resp with status, logging if asked; destroys resp when owned. */
static pdl_testd_result pdl_testd_queue(const struct pdl_testd_ctx *ctx,
                                        const struct pdl_testd_req *req,
                                        unsigned status,
                                        struct MHD_Response *resp, bool owned)
{
    pdl_testd_result ret;

    /* Without a response MHD can only close the connection. */
    if (resp == NULL)
        return MHD_NO;
    ret = MHD_queue_response(req->con, status, resp);
    if (owned)
        MHD_destroy_response(resp);
    if (ctx->cfg->verbose)
        fprintf(stderr, PDL_TESTD_NAME ": %s %s %u\n", req->method, req->url,
                status);
    return ret;
}

/* Closes the connection without an answer; MHD_NO from a handler does it. */
static pdl_testd_result pdl_testd_close(const struct pdl_testd_ctx *ctx,
                                        const struct pdl_testd_req *req)
{
    pdl_testd_log(ctx, req, "closed without an answer");
    return MHD_NO;
}

/*
 * Marks resp to carry "Connection: Keep-Alive" whenever MHD keeps the
 * connection open (it still says "close" when it does not), as nginx does.
 * HTTP/1.1 needs no such header, but wget2 before 2.0.1 (Debian 12 ships
 * 1.99.1) keeps a connection only on that header: without it, it opened a
 * new connection for every request, 3x slower on small requests. Returns
 * resp; NULL passes through.
 */
static struct MHD_Response *pdl_testd_keep_alive(struct MHD_Response *resp)
{
#if MHD_VERSION >= 0x00097310
    if (resp != NULL)
        MHD_set_response_options(resp, MHD_RF_SEND_KEEP_ALIVE_HEADER,
                                 MHD_RO_END);
#endif
    return resp;
}

/* A text response holding a copy of len bytes of text, or NULL. */
static struct MHD_Response *pdl_testd_text_copy(const char *text, size_t len)
{
    struct MHD_Response *resp;

    resp = pdl_testd_keep_alive(MHD_create_response_from_buffer(
        len, (void *)text, MHD_RESPMEM_MUST_COPY));
    if (resp != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                "text/plain");
    return resp;
}

/* A text response pointing at text, which outlives it, or NULL. */
static struct MHD_Response *pdl_testd_text_static(const char *text, size_t len)
{
    struct MHD_Response *resp;

    resp = pdl_testd_keep_alive(MHD_create_response_from_buffer(
        len, (void *)text, MHD_RESPMEM_PERSISTENT));
    if (resp != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                "text/plain");
    return resp;
}

/* Queues a formatted text response made for this one request. */
static pdl_testd_result pdl_testd_queue_text(const struct pdl_testd_ctx *ctx,
                                             const struct pdl_testd_req *req,
                                             unsigned status, const char *text)
{
    return pdl_testd_queue(ctx, req, status,
                           pdl_testd_text_copy(text, strlen(text)), true);
}

/* Queues text with one extra header; 400 if MHD refuses the header. */
static pdl_testd_result
pdl_testd_queue_with_header(const struct pdl_testd_ctx *ctx,
                            const struct pdl_testd_req *req, unsigned status,
                            struct MHD_Response *resp, const char *name,
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

static pdl_testd_result pdl_testd_bad_number(
    const struct pdl_testd_ctx *ctx, const struct pdl_testd_req *req,
    const struct pdl_testd_route *route, enum pdl_testd_num_err err)
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
static void pdl_testd_status_body(char *body, size_t len, const char *what,
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

/* Reads the parameters or queues a 400 saying why; false means queued. */
#define PDL_TESTD_PARAMS(ctx, req, specs, vals, ret)                           \
    pdl_testd_params_or_400((ctx), (req), (specs),                             \
                            sizeof(specs) / sizeof((specs)[0]), (vals), (ret))

static bool pdl_testd_params_or_400(const struct pdl_testd_ctx *ctx,
                                    const struct pdl_testd_req *req,
                                    const struct pdl_testd_param *specs,
                                    size_t n, uint64_t *vals,
                                    pdl_testd_result *ret)
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
static bool pdl_testd_query_raw(const struct pdl_testd_req *req,
                                const char *name, const char **value,
                                size_t *len)
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
static const char *pdl_testd_query_key(const struct pdl_testd_req *req,
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

/* ---- /delay and /hang ---- */

/*
 * Suspends the request for ms, to be answered by finish after the resume.
 * Returns false, without suspending, when the server is shutting down.
 */
static bool
pdl_testd_wait_start(struct pdl_testd_ctx *ctx, const struct pdl_testd_req *req,
                     void **req_cls, uint64_t ms,
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

static pdl_testd_result pdl_testd_serve_delay(struct pdl_testd_ctx *ctx,
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
static pdl_testd_result pdl_testd_serve_hang(struct pdl_testd_ctx *ctx,
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

/* ---- /bytes ---- */

/* Copies n bytes of the endless pattern, from position pos, into buf. */
static void pdl_testd_fill(const struct pdl_testd_ctx *ctx, uint64_t pos,
                           char *buf, size_t n)
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

static pdl_testd_result pdl_testd_serve_bytes(struct pdl_testd_ctx *ctx,
                                              const struct pdl_testd_req *req,
                                              uint64_t n, void **req_cls)
{
    struct MHD_Response *resp;

    (void)req_cls;
    if (n <= PDL_TESTD_BLOCK)
        return pdl_testd_queue(ctx, req, MHD_HTTP_OK,
                               pdl_testd_small_response(ctx, (size_t)n), false);
    resp = pdl_testd_keep_alive(MHD_create_response_from_callback(
        n, PDL_TESTD_BLOCK, pdl_testd_bytes_read, ctx, NULL));
    if (resp != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                "text/plain");
    return pdl_testd_queue(ctx, req, MHD_HTTP_OK, resp, true);
}

/* ---- /status ---- */

static pdl_testd_result pdl_testd_serve_status(struct pdl_testd_ctx *ctx,
                                               const struct pdl_testd_req *req,
                                               uint64_t code, void **req_cls)
{
    char body[32];

    (void)req_cls;
    pdl_testd_status_body(body, sizeof body, "status", code);
    return pdl_testd_queue_text(ctx, req, (unsigned)code, body);
}

/* ---- pattern streams: /reset-after, /huge, /no-length, /range ---- */

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
static struct MHD_Response *
pdl_testd_stream_response(uint64_t size, const struct pdl_testd_stream *tmpl)
{
    struct pdl_testd_stream *s = pdl_testd_xmalloc(sizeof *s);
    struct MHD_Response *resp;

    *s = *tmpl;
    resp = pdl_testd_keep_alive(MHD_create_response_from_callback(
        size, PDL_TESTD_BLOCK, pdl_testd_stream_read, s, free));
    if (resp == NULL) {
        free(s);
        return NULL;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
    return resp;
}

/* len bytes of the pattern from position offset, with a Content-Length. */
static struct MHD_Response *
pdl_testd_pattern_response(const struct pdl_testd_ctx *ctx, uint64_t offset,
                           uint64_t len)
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
static int pdl_testd_connection_fd(struct MHD_Connection *con)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD);

    return info == NULL ? -1 : (int)info->connect_fd;
}

/*
 * Declares more bytes than it sends: the reader ends with an error at n,
 * and MHD closes the connection with the body short.
 */
static pdl_testd_result
pdl_testd_serve_reset_after(struct pdl_testd_ctx *ctx,
                            const struct pdl_testd_req *req, uint64_t n,
                            void **req_cls)
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
static pdl_testd_result pdl_testd_serve_huge(struct pdl_testd_ctx *ctx,
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

static pdl_testd_result
pdl_testd_serve_no_length(struct pdl_testd_ctx *ctx,
                          const struct pdl_testd_req *req, uint64_t n,
                          void **req_cls)
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

static struct MHD_Response *pdl_testd_drip_response(struct pdl_testd_ctx *ctx,
                                                    struct MHD_Connection *con,
                                                    uint64_t offset,
                                                    uint64_t size, uint64_t ms,
                                                    size_t chunk);

static pdl_testd_result pdl_testd_serve_range(struct pdl_testd_ctx *ctx,
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
static struct MHD_Response *pdl_testd_drip_response(struct pdl_testd_ctx *ctx,
                                                    struct MHD_Connection *con,
                                                    uint64_t offset,
                                                    uint64_t size, uint64_t ms,
                                                    size_t chunk)
{
    struct pdl_testd_drip *drip = pdl_testd_xmalloc(sizeof *drip);
    struct MHD_Response *resp;

    drip->ctx = ctx;
    drip->con = con;
    drip->offset = offset;
    drip->ms = ms;
    drip->chunk = chunk;
    drip->due = pdl_testd_now() + ms * PDL_TESTD_NS_PER_MS;
    resp = pdl_testd_keep_alive(MHD_create_response_from_callback(
        size, chunk, pdl_testd_drip_read, drip, free));
    if (resp == NULL)
        free(drip);
    return resp;
}

/* Headers go at once; each chunk follows after another ms. */
static pdl_testd_result pdl_testd_serve_drip(struct pdl_testd_ctx *ctx,
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

static pdl_testd_result
pdl_testd_serve_redirect(struct pdl_testd_ctx *ctx,
                         const struct pdl_testd_req *req, uint64_t n,
                         void **req_cls)
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

static pdl_testd_result
pdl_testd_serve_redirect_loop(struct pdl_testd_ctx *ctx,
                              const struct pdl_testd_req *req, uint64_t n,
                              void **req_cls)
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
static pdl_testd_result
pdl_testd_serve_redirect_to(struct pdl_testd_ctx *ctx,
                            const struct pdl_testd_req *req, uint64_t n,
                            void **req_cls)
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

/* ---- /flaky, /flaky-reset and /retry-after ---- */

/* Returns 0, or an errno value if the mutex cannot be made. */
static int pdl_testd_flaky_init(struct pdl_testd_flaky *flaky)
{
    int rc = pthread_mutex_init(&flaky->mutex, NULL);

    if (rc != 0)
        return rc;
    flaky->slots = calloc(PDL_TESTD_FLAKY_KEYS, sizeof *flaky->slots);
    if (flaky->slots == NULL) {
        pthread_mutex_destroy(&flaky->mutex);
        return ENOMEM;
    }
    flaky->used = 0;
    flaky->next = 0;
    return 0;
}

static void pdl_testd_flaky_cleanup(struct pdl_testd_flaky *flaky)
{
    free(flaky->slots);
    pthread_mutex_destroy(&flaky->mutex);
}

/* Gives (kind, key) the oldest slot when all are taken. Caller locks. */
static struct pdl_testd_flaky_slot *
pdl_testd_flaky_insert(struct pdl_testd_flaky *flaky, char kind,
                       const char *key)
{
    struct pdl_testd_flaky_slot *slot = &flaky->slots[flaky->next];

    flaky->next = (flaky->next + 1) % PDL_TESTD_FLAKY_KEYS;
    if (flaky->used < PDL_TESTD_FLAKY_KEYS)
        flaky->used++;
    slot->kind = kind;
    snprintf(slot->key, sizeof slot->key, "%s", key);
    slot->count = 0;
    return slot;
}

/* Counts one more request for (kind, key); returns the count, 1 first. */
static uint64_t pdl_testd_flaky_hit(struct pdl_testd_flaky *flaky, char kind,
                                    const char *key)
{
    struct pdl_testd_flaky_slot *slot = NULL;
    uint64_t count;
    size_t i;

    pthread_mutex_lock(&flaky->mutex);
    for (i = 0; i < flaky->used && slot == NULL; i++) {
        if (flaky->slots[i].kind == kind &&
            strcmp(flaky->slots[i].key, key) == 0)
            slot = &flaky->slots[i];
    }
    if (slot == NULL)
        slot = pdl_testd_flaky_insert(flaky, kind, key);
    if (slot->count < UINT64_MAX)
        slot->count++;
    count = slot->count;
    pthread_mutex_unlock(&flaky->mutex);
    return count;
}

static void pdl_testd_flaky_clear(struct pdl_testd_flaky *flaky)
{
    pthread_mutex_lock(&flaky->mutex);
    flaky->used = 0;
    flaky->next = 0;
    pthread_mutex_unlock(&flaky->mutex);
}

static pdl_testd_result pdl_testd_recovered(const struct pdl_testd_ctx *ctx,
                                            const struct pdl_testd_req *req,
                                            uint64_t fail)
{
    char body[64];

    snprintf(body, sizeof body, "ok after %" PRIu64 " failures\n", fail);
    return pdl_testd_queue_text(ctx, req, MHD_HTTP_OK, body);
}

static pdl_testd_result pdl_testd_serve_flaky(struct pdl_testd_ctx *ctx,
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

static pdl_testd_result
pdl_testd_serve_flaky_reset(struct pdl_testd_ctx *ctx,
                            const struct pdl_testd_req *req, uint64_t n,
                            void **req_cls)
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
static pdl_testd_result
pdl_testd_serve_retry_after(struct pdl_testd_ctx *ctx,
                            const struct pdl_testd_req *req, uint64_t s,
                            void **req_cls)
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

static pdl_testd_result
pdl_testd_serve_disposition(struct pdl_testd_ctx *ctx,
                            const struct pdl_testd_req *req, uint64_t n,
                            void **req_cls)
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

static pdl_testd_result pdl_testd_echo_line(void *cls, enum MHD_ValueKind kind,
                                            const char *key, const char *value)
{
    struct pdl_testd_buf *buf = cls;

    (void)kind;
    pdl_testd_buf_str(buf, key);
    pdl_testd_buf_str(buf, ": ");
    if (value != NULL)
        pdl_testd_buf_str(buf, value);
    pdl_testd_buf_str(buf, "\n");
    return MHD_YES;
}

static pdl_testd_result
pdl_testd_serve_echo_headers(struct pdl_testd_ctx *ctx,
                             const struct pdl_testd_req *req, uint64_t n,
                             void **req_cls)
{
    struct pdl_testd_buf buf = {NULL, 0, 0};
    struct MHD_Response *resp;

    (void)n;
    (void)req_cls;
    /* Start with storage, so a request without headers gets an empty body. */
    pdl_testd_buf_add(&buf, "", 0);
    MHD_get_connection_values(req->con, MHD_HEADER_KIND, pdl_testd_echo_line,
                              &buf);
    resp = pdl_testd_keep_alive(MHD_create_response_from_buffer(
        buf.len, buf.data, MHD_RESPMEM_MUST_FREE));
    if (resp == NULL)
        free(buf.data);
    else
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                "text/plain");
    return pdl_testd_queue(ctx, req, MHD_HTTP_OK, resp, true);
}

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
pdl_testd_ctx_create(const struct pdl_testd_config *cfg)
{
    struct pdl_testd_ctx *ctx = pdl_testd_xmalloc(sizeof *ctx);
    size_t i;

    memset(ctx, 0, sizeof *ctx);
    /* First, so that every context destroy sees an initialised table. */
    if (pdl_testd_flaky_init(&ctx->flaky) != 0) {
        free(ctx);
        return NULL;
    }
    ctx->cfg = cfg;
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
    const struct pdl_testd_config *cfg = ctx->cfg;
    struct sockaddr_in addr;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | poller;
    struct MHD_OptionItem opts[] = {
        /* First, or MHD logs the other options' errors its own way. */
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)pdl_testd_mhd_log, NULL},
        {MHD_OPTION_SOCK_ADDR, 0, &addr},
        {MHD_OPTION_CONNECTION_LIMIT, PDL_TESTD_CONN_LIMIT, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, PDL_TESTD_CONN_TIMEOUT_S, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)pdl_testd_completed, ctx},
#if MHD_VERSION >= 0x00094300
        {MHD_OPTION_LISTEN_BACKLOG_SIZE, PDL_TESTD_BACKLOG, NULL},
#endif
        /* Last, so one polling thread can end the list here: MHD warns
           about a pool of size 0 or 1. */
        {MHD_OPTION_THREAD_POOL_SIZE, cfg->threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };

    if (cfg->threads < 2)
        opts[sizeof opts / sizeof opts[0] - 2].option = MHD_OPTION_END;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)cfg->port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL,
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

/* ---- process setup ---- */

/* Many concurrent test connections need many descriptors. */
static void pdl_testd_raise_nofile(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == rl.rlim_max)
        return;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        fprintf(stderr,
                PDL_TESTD_NAME ": warning: cannot raise RLIMIT_NOFILE: %s\n",
                strerror(errno));
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

/* Parses an option value into [min, max]; on error writes why into err. */
static int pdl_testd_parse_opt_uint(const char *opt, const char *arg,
                                    uint64_t min, uint64_t max, unsigned *out,
                                    char *err, size_t errlen)
{
    uint64_t v = 0;
    enum pdl_testd_num_err e = pdl_testd_parse_u64(arg, min, max, &v);

    if (e == PDL_TESTD_NUM_RANGE) {
        snprintf(err, errlen, "--%s '%s': out of range %" PRIu64 "..%" PRIu64,
                 opt, arg, min, max);
        return -1;
    }
    if (e != PDL_TESTD_NUM_OK) {
        snprintf(err, errlen, "--%s '%s': %s", opt, arg, pdl_testd_num_why[e]);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

enum {
    PDL_TESTD_OPT_PORT = 256,
    PDL_TESTD_OPT_PORT_FILE,
    PDL_TESTD_OPT_THREADS,
    PDL_TESTD_OPT_QUIET,
    PDL_TESTD_OPT_VERBOSE,
    PDL_TESTD_OPT_VERSION,
};

static const struct option pdl_testd_longopts[] = {
    {"port", required_argument, NULL, PDL_TESTD_OPT_PORT},
    {"port-file", required_argument, NULL, PDL_TESTD_OPT_PORT_FILE},
    {"threads", required_argument, NULL, PDL_TESTD_OPT_THREADS},
    {"quiet", no_argument, NULL, PDL_TESTD_OPT_QUIET},
    {"verbose", no_argument, NULL, PDL_TESTD_OPT_VERBOSE},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, PDL_TESTD_OPT_VERSION},
    {NULL, 0, NULL, 0},
};

static unsigned pdl_testd_online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    if (n < 1)
        return 1;
    if (n > (long)PDL_TESTD_MAX_THREADS)
        return PDL_TESTD_MAX_THREADS;
    return (unsigned)n;
}

/*
 * Fills cfg from the command line. Returns 0, or -1 with a message of the
 * form "<what>: <why>" in err. Never exits.
 */
static int pdl_testd_parse_args(int argc, char **argv,
                                struct pdl_testd_config *cfg, char *err,
                                size_t errlen)
{
    int c;

    cfg->port = 0;
    cfg->port_file = NULL;
    cfg->threads = pdl_testd_online_cpus();
    cfg->verbose = false;
    cfg->action = PDL_TESTD_RUN;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", pdl_testd_longopts, NULL)) !=
           -1) {
        int rc = 0;

        switch (c) {
        case PDL_TESTD_OPT_PORT:
            rc = pdl_testd_parse_opt_uint("port", optarg, 0, 65535, &cfg->port,
                                          err, errlen);
            break;
        case PDL_TESTD_OPT_PORT_FILE:
            cfg->port_file = optarg;
            break;
        case PDL_TESTD_OPT_THREADS:
            rc = pdl_testd_parse_opt_uint("threads", optarg, 1,
                                          PDL_TESTD_MAX_THREADS, &cfg->threads,
                                          err, errlen);
            break;
        case PDL_TESTD_OPT_QUIET:
            cfg->verbose = false;
            break;
        case PDL_TESTD_OPT_VERBOSE:
            cfg->verbose = true;
            break;
        case 'h':
            cfg->action = PDL_TESTD_HELP;
            return 0;
        case PDL_TESTD_OPT_VERSION:
            cfg->action = PDL_TESTD_VERSION_INFO;
            return 0;
        case ':':
            snprintf(err, errlen, "%s: missing argument", argv[optind - 1]);
            return -1;
        default:
            snprintf(err, errlen, "%s: unknown option", argv[optind - 1]);
            return -1;
        }
        if (rc != 0)
            return -1;
    }
    if (optind < argc) {
        snprintf(err, errlen, "%s: unexpected argument", argv[optind]);
        return -1;
    }
    if (cfg->port_file != NULL && cfg->port_file[0] == '\0') {
        snprintf(err, errlen, "--port-file: empty file name");
        return -1;
    }
    return 0;
}

/* Waits for SIGINT or SIGTERM, which main blocked in every thread. */
static void pdl_testd_wait_signal(const sigset_t *set)
{
    int sig = 0;

    while (sigwait(set, &sig) != 0)
        ;
}

/*
 * Starts the timer and the daemon, announces the port, serves until a
 * signal in set arrives and tears down. Returns the exit status.
 */
static int pdl_testd_run(const struct pdl_testd_config *cfg,
                         const sigset_t *set)
{
    struct pdl_testd_ctx *ctx;
    struct MHD_Daemon *daemon = NULL;
    const union MHD_DaemonInfo *info;
    bool timer_running = false;
    int status = EXIT_FAILURE;
    int rc;

    ctx = pdl_testd_ctx_create(cfg);
    if (ctx == NULL) {
        fprintf(stderr, PDL_TESTD_NAME ": cannot create responses\n");
        return EXIT_FAILURE;
    }
    rc = pdl_testd_timer_start(&ctx->timer);
    if (rc != 0) {
        fprintf(stderr, PDL_TESTD_NAME ": timer thread: %s\n", strerror(rc));
        goto out;
    }
    timer_running = true;
    daemon = pdl_testd_daemon_create(ctx);
    if (daemon == NULL) {
        fprintf(stderr, PDL_TESTD_NAME ": 127.0.0.1:%u: cannot start server\n",
                cfg->port);
        goto out;
    }
    info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (info == NULL || info->port == 0) {
        fprintf(stderr, PDL_TESTD_NAME ": cannot read the bound port\n");
        goto out;
    }
    if (cfg->port_file != NULL &&
        pdl_testd_write_port_file(cfg->port_file, info->port) != 0) {
        fprintf(stderr, PDL_TESTD_NAME ": %s: %s\n", cfg->port_file,
                strerror(errno));
        goto out;
    }
    printf("http://127.0.0.1:%u/\n", (unsigned)info->port);
    fflush(stdout);
    pdl_testd_wait_signal(set);
    status = EXIT_SUCCESS;

out:
    /* The timer stops first although it started first: stopping resumes
       every waiting request, and MHD_stop_daemon must find none suspended. */
    if (timer_running)
        pdl_testd_timer_stop(&ctx->timer);
    if (daemon != NULL)
        MHD_stop_daemon(daemon);
    pdl_testd_ctx_destroy(ctx);
    return status;
}

int main(int argc, char **argv)
{
    struct pdl_testd_config cfg;
    sigset_t set;
    char err[512];

    if (pdl_testd_parse_args(argc, argv, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, PDL_TESTD_NAME ": %s\n", err);
        fprintf(stderr,
                "Try '" PDL_TESTD_NAME " --help' for more information.\n");
        return 2;
    }
    if (cfg.action == PDL_TESTD_HELP) {
        fputs(pdl_testd_usage_text, stdout);
        return EXIT_SUCCESS;
    }
    if (cfg.action == PDL_TESTD_VERSION_INFO) {
        puts(PDL_TESTD_NAME " " PDL_TESTD_VERSION);
        return EXIT_SUCCESS;
    }
    pdl_testd_raise_nofile();
    /* Block before any thread starts, so only sigwait in main sees them. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    /* MHD sends with MSG_NOSIGNAL; this covers any path that does not. */
    signal(SIGPIPE, SIG_IGN);
    return pdl_testd_run(&cfg, &set);
}
