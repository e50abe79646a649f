/*
 * pdl-testd: a local HTTP test server for pdl's tests and benchmarks.
 * Serves /delay/MS, /bytes/N and /status/CODE on 127.0.0.1 only; delayed
 * requests wait suspended on one timer thread, not on a thread each.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#if MHD_VERSION < 0x00095500
#error "pdl-testd needs libmicrohttpd 0.9.55 or newer (MHD_DAEMON_INFO_BIND_PORT)"
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
 * Deadlines of suspended /delay requests as a binary min-heap.
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

/* Per-request state of a /delay request, owned by MHD's *req_cls. */
struct pdl_testd_delay {
  uint64_t ms;
  pdl_testd_monotime deadline;
};

/* Everything the handlers share; read-only after start except timer/small. */
struct pdl_testd_ctx {
  const struct pdl_testd_config *cfg;
  /* Its address marks a request whose headers the handler has seen. */
  char headers_seen;
  struct pdl_testd_timer timer;
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

struct pdl_testd_route {
  const char *prefix;
  uint64_t min;
  uint64_t max;
  pdl_testd_result (*serve)(struct pdl_testd_ctx *ctx,
                            const struct pdl_testd_req *req, uint64_t n,
                            void **req_cls);
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

static const char pdl_testd_root_text[] =
    "pdl-testd " PDL_TESTD_VERSION " endpoints (GET and HEAD):\n"
    "  /              this list\n"
    "  /delay/MS      200 after MS milliseconds (0..600000)\n"
    "  /bytes/N       N bytes (0..2^40): the line 0-9a-zA-Z and a newline,"
    " repeated\n"
    "  /status/CODE   respond with status CODE (200..599)\n";

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
    "Endpoints (GET and HEAD; other methods get 405):\n"
    "  /              a list of the endpoints\n"
    "  /delay/MS      200 after MS milliseconds (0..600000)\n"
    "  /bytes/N       N bytes (0..2^40) of the line 0-9a-zA-Z and a newline,\n"
    "                 repeated: the same as `yes 0..9a..zA..Z | head -c N`\n"
    "  /status/CODE   respond with status CODE (200..599)\n";

/* Out of memory is not recoverable here: print and exit, like tmux. */
static void *pdl_testd_xmalloc(size_t size) {
  void *p = malloc(size);

  if (p == NULL) {
    fprintf(stderr, PDL_TESTD_NAME ": out of memory\n");
    exit(EXIT_FAILURE);
  }
  return p;
}

static pdl_testd_monotime pdl_testd_now(void) {
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
                                                  uint64_t max,
                                                  uint64_t *out) {
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

/* ---- deadline heap and timer thread ---- */

static void pdl_testd_heap_swap(struct pdl_testd_timer_entry *heap, size_t a,
                                size_t b) {
  struct pdl_testd_timer_entry tmp = heap[a];

  heap[a] = heap[b];
  heap[b] = tmp;
}

/* Caller holds timer->mutex. */
static void pdl_testd_heap_push(struct pdl_testd_timer *timer,
                                struct pdl_testd_timer_entry entry) {
  size_t i;

  if (timer->count == timer->cap) {
    size_t cap = timer->cap == 0 ? 256 : timer->cap * 2;
    struct pdl_testd_timer_entry *heap =
        realloc(timer->heap, cap * sizeof *heap);

    if (heap == NULL) {
      fprintf(stderr, PDL_TESTD_NAME ": out of memory\n");
      exit(EXIT_FAILURE);
    }
    timer->heap = heap;
    timer->cap = cap;
  }
  i = timer->count++;
  timer->heap[i] = entry;
  while (i > 0 && timer->heap[(i - 1) / 2].deadline > timer->heap[i].deadline) {
    pdl_testd_heap_swap(timer->heap, i, (i - 1) / 2);
    i = (i - 1) / 2;
  }
}

/* Removes and returns the earliest entry. Caller holds the mutex, count > 0. */
static struct pdl_testd_timer_entry
pdl_testd_heap_pop(struct pdl_testd_timer *timer) {
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
static void *pdl_testd_timer_run(void *arg) {
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
static int pdl_testd_timer_start(struct pdl_testd_timer *timer) {
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
static void pdl_testd_timer_stop(struct pdl_testd_timer *timer) {
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
 * the timer is stopping. Must be called from the access handler.
 */
static bool pdl_testd_timer_add(struct pdl_testd_timer *timer,
                                struct MHD_Connection *con,
                                pdl_testd_monotime deadline) {
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

/* Queues resp with status, logging if asked; destroys resp when owned. */
static pdl_testd_result pdl_testd_queue(const struct pdl_testd_ctx *ctx,
                                        const struct pdl_testd_req *req,
                                        unsigned status,
                                        struct MHD_Response *resp,
                                        bool owned) {
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

/* A text response holding a copy of len bytes of text, or NULL. */
static struct MHD_Response *pdl_testd_text_copy(const char *text, size_t len) {
  struct MHD_Response *resp;

  resp = MHD_create_response_from_buffer(len, (void *)text,
                                         MHD_RESPMEM_MUST_COPY);
  if (resp != NULL)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
  return resp;
}

/* A text response pointing at text, which outlives it, or NULL. */
static struct MHD_Response *pdl_testd_text_static(const char *text,
                                                  size_t len) {
  struct MHD_Response *resp;

  resp = MHD_create_response_from_buffer(len, (void *)text,
                                         MHD_RESPMEM_PERSISTENT);
  if (resp != NULL)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
  return resp;
}

/* Queues a formatted text response made for this one request. */
static pdl_testd_result pdl_testd_queue_text(const struct pdl_testd_ctx *ctx,
                                             const struct pdl_testd_req *req,
                                             unsigned status,
                                             const char *text) {
  return pdl_testd_queue(ctx, req, status,
                         pdl_testd_text_copy(text, strlen(text)), true);
}

static pdl_testd_result
pdl_testd_bad_number(const struct pdl_testd_ctx *ctx,
                     const struct pdl_testd_req *req,
                     const struct pdl_testd_route *route,
                     enum pdl_testd_num_err err) {
  char body[512];

  if (err == PDL_TESTD_NUM_RANGE)
    snprintf(body, sizeof body, "bad number in %.200s: %s %" PRIu64
             "..%" PRIu64 "\n", req->url, pdl_testd_num_why[err], route->min,
             route->max);
  else
    snprintf(body, sizeof body, "bad number in %.200s: %s\n", req->url,
             pdl_testd_num_why[err]);
  return pdl_testd_queue_text(ctx, req, MHD_HTTP_BAD_REQUEST, body);
}

/* ---- /delay ---- */

static pdl_testd_result pdl_testd_delay_respond(const struct pdl_testd_ctx *ctx,
                                                const struct pdl_testd_req *req,
                                                uint64_t ms) {
  char body[64];

  snprintf(body, sizeof body, "delayed %" PRIu64 " ms\n", ms);
  return pdl_testd_queue_text(ctx, req, MHD_HTTP_OK, body);
}

static pdl_testd_result pdl_testd_serve_delay(struct pdl_testd_ctx *ctx,
                                              const struct pdl_testd_req *req,
                                              uint64_t ms, void **req_cls) {
  struct pdl_testd_delay *delay;

  if (ms == 0)
    return pdl_testd_delay_respond(ctx, req, 0);
  delay = pdl_testd_xmalloc(sizeof *delay);
  delay->ms = ms;
  delay->deadline = pdl_testd_now() + ms * PDL_TESTD_NS_PER_MS;
  /* Owned by MHD from here on; pdl_testd_completed frees it. */
  *req_cls = delay;
  if (!pdl_testd_timer_add(&ctx->timer, req->con, delay->deadline))
    return pdl_testd_queue_text(ctx, req, MHD_HTTP_SERVICE_UNAVAILABLE,
                                "shutting down\n");
  return MHD_YES;
}

/* Called again for a /delay request once the timer has resumed it. */
static pdl_testd_result pdl_testd_delay_finish(const struct pdl_testd_ctx *ctx,
                                               const struct pdl_testd_req *req,
                                               const struct pdl_testd_delay
                                                   *delay) {
  /* Only a shutdown resumes a request before its deadline. */
  if (pdl_testd_now() < delay->deadline)
    return pdl_testd_queue_text(ctx, req, MHD_HTTP_SERVICE_UNAVAILABLE,
                                "shutting down\n");
  return pdl_testd_delay_respond(ctx, req, delay->ms);
}

/* ---- /bytes ---- */

/* Fills buf with the pattern bytes at pos; MHD never asks past the end. */
static ssize_t pdl_testd_bytes_read(void *cls, uint64_t pos, char *buf,
                                    size_t max) {
  const struct pdl_testd_ctx *ctx = cls;
  size_t done = 0;

  while (done < max) {
    size_t off = (size_t)((pos + done) % PDL_TESTD_LINE_LEN);
    size_t n = max - done;

    if (n > PDL_TESTD_BLOCK)
      n = PDL_TESTD_BLOCK;
    memcpy(buf + done, ctx->pattern + off, n);
    done += n;
  }
  return (ssize_t)done;
}

/*
 * The shared response for n <= PDL_TESTD_BLOCK bytes, made on first use.
 * Sharing saves a malloc and a header per request on the benchmark path;
 * if two threads race, the loser destroys its copy.
 */
static struct MHD_Response *pdl_testd_small_response(struct pdl_testd_ctx *ctx,
                                                     size_t n) {
  struct MHD_Response *resp;
  struct MHD_Response *expected = NULL;

  resp = atomic_load_explicit(&ctx->small[n], memory_order_acquire);
  if (resp != NULL)
    return resp;
  resp = pdl_testd_text_static(ctx->pattern, n);
  if (resp == NULL)
    return NULL;
  if (!atomic_compare_exchange_strong_explicit(&ctx->small[n], &expected, resp,
                                               memory_order_acq_rel,
                                               memory_order_acquire)) {
    MHD_destroy_response(resp);
    resp = expected;
  }
  return resp;
}

static pdl_testd_result pdl_testd_serve_bytes(struct pdl_testd_ctx *ctx,
                                              const struct pdl_testd_req *req,
                                              uint64_t n, void **req_cls) {
  struct MHD_Response *resp;

  (void)req_cls;
  if (n <= PDL_TESTD_BLOCK)
    return pdl_testd_queue(ctx, req, MHD_HTTP_OK,
                           pdl_testd_small_response(ctx, (size_t)n), false);
  resp = MHD_create_response_from_callback(n, PDL_TESTD_BLOCK,
                                           pdl_testd_bytes_read, ctx, NULL);
  if (resp != NULL)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
  return pdl_testd_queue(ctx, req, MHD_HTTP_OK, resp, true);
}

/* ---- /status ---- */

static pdl_testd_result pdl_testd_serve_status(struct pdl_testd_ctx *ctx,
                                               const struct pdl_testd_req *req,
                                               uint64_t code, void **req_cls) {
  char body[32];

  (void)req_cls;
  /* HTTP forbids a body on 204 and 304; a client would misread one. */
  if (code == MHD_HTTP_NO_CONTENT || code == MHD_HTTP_NOT_MODIFIED)
    body[0] = '\0';
  else
    snprintf(body, sizeof body, "status %" PRIu64 "\n", code);
  return pdl_testd_queue_text(ctx, req, (unsigned)code, body);
}

/* ---- dispatch ---- */

static const struct pdl_testd_route pdl_testd_routes[] = {
    {"/delay/", 0, PDL_TESTD_MAX_DELAY_MS, pdl_testd_serve_delay},
    {"/bytes/", 0, PDL_TESTD_MAX_BYTES, pdl_testd_serve_bytes},
    {"/status/", 200, 599, pdl_testd_serve_status},
};

static pdl_testd_result pdl_testd_dispatch(struct pdl_testd_ctx *ctx,
                                           const struct pdl_testd_req *req,
                                           void **req_cls) {
  size_t i;

  if (strcmp(req->url, "/") == 0)
    return pdl_testd_queue(ctx, req, MHD_HTTP_OK, ctx->root, false);
  for (i = 0; i < sizeof pdl_testd_routes / sizeof pdl_testd_routes[0]; i++) {
    const struct pdl_testd_route *route = &pdl_testd_routes[i];
    size_t len = strlen(route->prefix);
    enum pdl_testd_num_err err;
    uint64_t n = 0;

    if (strncmp(req->url, route->prefix, len) != 0)
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
 * then &ctx->headers_seen until the request is answered; a /delay request
 * replaces it with its state, suspends, and is answered on the call after
 * its resume.
 */
static pdl_testd_result pdl_testd_handle(void *cls, struct MHD_Connection *con,
                                         const char *url, const char *method,
                                         const char *version,
                                         const char *upload_data,
                                         size_t *upload_data_size,
                                         void **req_cls) {
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
  if (*req_cls != &ctx->headers_seen)
    return pdl_testd_delay_finish(ctx, &req, *req_cls);
  if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
      strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
    return pdl_testd_queue(ctx, &req, MHD_HTTP_METHOD_NOT_ALLOWED,
                           ctx->bad_method, false);
  return pdl_testd_dispatch(ctx, &req, req_cls);
}

static void pdl_testd_completed(void *cls, struct MHD_Connection *con,
                                void **req_cls,
                                enum MHD_RequestTerminationCode toe) {
  const struct pdl_testd_ctx *ctx = cls;

  (void)con;
  (void)toe;
  if (*req_cls != &ctx->headers_seen)
    free(*req_cls);
  *req_cls = NULL;
}

/* ---- context ---- */

static void pdl_testd_ctx_destroy(struct pdl_testd_ctx *ctx) {
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
  free(ctx);
}

/* Builds the shared responses. Returns NULL if MHD cannot make them. */
static struct pdl_testd_ctx *
pdl_testd_ctx_create(const struct pdl_testd_config *cfg) {
  struct pdl_testd_ctx *ctx = pdl_testd_xmalloc(sizeof *ctx);
  size_t i;

  memset(ctx, 0, sizeof *ctx);
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
  ctx->bad_method = pdl_testd_text_static(pdl_testd_bad_method_text,
                                          sizeof pdl_testd_bad_method_text - 1);
  if (ctx->root == NULL || ctx->not_found == NULL || ctx->bad_method == NULL) {
    pdl_testd_ctx_destroy(ctx);
    return NULL;
  }
  MHD_add_response_header(ctx->bad_method, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
  return ctx;
}

/* ---- daemon ---- */

static struct MHD_Daemon *pdl_testd_daemon_start(struct pdl_testd_ctx *ctx,
                                                 unsigned poller) {
  const struct pdl_testd_config *cfg = ctx->cfg;
  struct sockaddr_in addr;
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_ALLOW_SUSPEND_RESUME |
                   MHD_USE_ERROR_LOG | poller;
  struct MHD_OptionItem opts[] = {
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
static struct MHD_Daemon *pdl_testd_daemon_create(struct pdl_testd_ctx *ctx) {
  unsigned poller = MHD_USE_AUTO;

  if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
    poller = MHD_USE_EPOLL;
  return pdl_testd_daemon_start(ctx, poller);
}

/* ---- process setup ---- */

/* Many concurrent test connections need many descriptors. */
static void pdl_testd_raise_nofile(void) {
  struct rlimit rl;

  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == rl.rlim_max)
    return;
  rl.rlim_cur = rl.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
    fprintf(stderr, PDL_TESTD_NAME ": warning: cannot raise RLIMIT_NOFILE: %s\n",
            strerror(errno));
}

/* Writes "port\n" to path through path.tmp, so readers never see half. */
static int pdl_testd_write_port_file(const char *path, unsigned port) {
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
                                    char *err, size_t errlen) {
  uint64_t v = 0;
  enum pdl_testd_num_err e = pdl_testd_parse_u64(arg, min, max, &v);

  if (e == PDL_TESTD_NUM_RANGE) {
    snprintf(err, errlen, "--%s '%s': out of range %" PRIu64 "..%" PRIu64, opt,
             arg, min, max);
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

static unsigned pdl_testd_online_cpus(void) {
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
                                size_t errlen) {
  int c;

  cfg->port = 0;
  cfg->port_file = NULL;
  cfg->threads = pdl_testd_online_cpus();
  cfg->verbose = false;
  cfg->action = PDL_TESTD_RUN;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":h", pdl_testd_longopts, NULL)) != -1) {
    int rc = 0;

    switch (c) {
    case PDL_TESTD_OPT_PORT:
      rc = pdl_testd_parse_opt_uint("port", optarg, 0, 65535, &cfg->port, err,
                                    errlen);
      break;
    case PDL_TESTD_OPT_PORT_FILE:
      cfg->port_file = optarg;
      break;
    case PDL_TESTD_OPT_THREADS:
      rc = pdl_testd_parse_opt_uint("threads", optarg, 1, PDL_TESTD_MAX_THREADS,
                                    &cfg->threads, err, errlen);
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
static void pdl_testd_wait_signal(const sigset_t *set) {
  int sig = 0;

  while (sigwait(set, &sig) != 0)
    ;
}

/*
 * Starts the timer and the daemon, announces the port, serves until a
 * signal in set arrives and tears down. Returns the exit status.
 */
static int pdl_testd_run(const struct pdl_testd_config *cfg,
                         const sigset_t *set) {
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

int main(int argc, char **argv) {
  struct pdl_testd_config cfg;
  sigset_t set;
  char err[512];

  if (pdl_testd_parse_args(argc, argv, &cfg, err, sizeof err) != 0) {
    fprintf(stderr, PDL_TESTD_NAME ": %s\n", err);
    fprintf(stderr, "Try '" PDL_TESTD_NAME " --help' for more information.\n");
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
