/* What-if prediction. A timeline's tasks are measured (each one's time split
 * into connection set-up and the rest, each host's set-up cost, the start
 * offset and pdl's own gap between a worker's tasks), then replayed in a
 * discrete-event simulation of the scheduler, the gate and the kept-alive
 * connections of another configuration. Times are integer nanoseconds so
 * that events at one instant compare exactly. */
#include "pdl/predict.h"
#include "pdl/gate.h"
#include "pdl/result.h"
#include "pdl/tasklist.h"
#include "pdl/util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A curl easy handle keeps up to this many connections (CURLOPT_MAXCONNECTS
 * is 5 by default): a worker reuses one to any of its last hosts. */
#define PREDICT_WORKER_CONNS 5

struct ptask {
    size_t id;
    int64_t dur;  /* recorded duration, ns */
    int64_t rest; /* duration without its own connection set-up, ns */
    unsigned gate_key;
    size_t conn; /* index of its connection key (scheme, host, port) */
};

struct pdl_predict_model {
    size_t n;
    struct ptask *t; /* in id order */
    size_t nconn;
    int64_t *setup;     /* per connection key: set-up cost, ns */
    int64_t offset;     /* the first task's start, ns */
    int64_t gap;        /* a worker's end to its next start, ns */
    bool shared;        /* recorded in async mode: one connection pool */
    int64_t bound_work; /* sum of rest + one set-up per key, ns */
    int64_t longest_rest;
    size_t longest; /* index of the longest recorded task */
    size_t setups;  /* recorded tasks that opened a connection */
    int64_t setup_median;
};

void pdl_predict_config_init(struct pdl_predict_config *cfg, unsigned workers)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->workers = workers;
    cfg->schedule = PDL_SCHED_DYNAMIC;
    cfg->chunk = 1;
    cfg->per_host = PDL_PER_HOST_DEFAULT;
    cfg->order = PDL_PREDICT_LIST;
    cfg->conns = PDL_PREDICT_CONNS_AUTO;
}

/* ---- measuring the recorded tasks -------------------------------------- */

/* The connection key of url, "scheme://host:port" in lower case, in buf. */
static void conn_key(const char *url, char *buf, size_t bufsz)
{
    const char *h = url ? strstr(url, "://") : NULL;
    size_t len, o = 0;

    h = h ? h + 3 : (url ? url : "");
    len = strcspn(h, "/?#");
    const char *at = memchr(h, '@', len);
    size_t skip = url && h > url ? (size_t)(h - url) : 0;
    for (size_t i = 0; i < skip && o + 1 < bufsz; i++)
        buf[o++] = (char)tolower((unsigned char)url[i]);
    if (at) {
        len -= (size_t)(at + 1 - h);
        h = at + 1;
    }
    for (size_t i = 0; i < len && o + 1 < bufsz; i++)
        buf[o++] = (char)tolower((unsigned char)h[i]);
    buf[o] = '\0';
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* The median of v[0..n) (sorts v); 0 if n is 0. */
static int64_t median(int64_t *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof(*v), cmp_i64);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Whether row r is a task that ran (and so can be replayed). */
static bool replayable(const struct pdl_result *r)
{
    return r->status != PDL_ST_SKIPPED && r->status != PDL_ST_PENDING &&
           r->attempts > 0 && r->end_ns >= r->start_ns;
}

/* The connection set-up the final attempt of r paid, ns (0: it reused a
 * kept-alive connection). A retried task's set-up is left in its time:
 * which connection an earlier attempt used is not recorded. */
static int64_t own_setup(const struct pdl_result *r)
{
    int64_t end_us = r->tls_us > r->connect_us ? r->tls_us : r->connect_us;
    int64_t s;

    if (end_us <= 0 || r->attempt_ns > r->start_ns)
        return 0;
    s = end_us * 1000;
    return s > r->end_ns - r->start_ns ? r->end_ns - r->start_ns : s;
}

struct keyed {
    char *key;
    size_t task;
};

static int cmp_keyed(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    return c ? c : (x->task > y->task) - (x->task < y->task);
}

/* Numbers the connection keys of the tasks (0..nconn-1). */
static void number_conns(struct pdl_predict_model *m, char **urls)
{
    struct keyed *k = pdl_xcalloc(m->n, sizeof(*k));
    char buf[512];

    for (size_t i = 0; i < m->n; i++) {
        conn_key(urls[i], buf, sizeof(buf));
        k[i] = (struct keyed){pdl_xstrdup(buf), i};
    }
    qsort(k, m->n, sizeof(*k), cmp_keyed);
    m->nconn = 0;
    for (size_t i = 0; i < m->n; i++) {
        if (i > 0 && strcmp(k[i].key, k[i - 1].key) != 0)
            m->nconn++;
        m->t[k[i].task].conn = m->nconn;
    }
    m->nconn++;
    for (size_t i = 0; i < m->n; i++)
        free(k[i].key);
    free(k);
}

struct keyed_setup {
    size_t conn;
    int64_t setup;
};

static int cmp_keyed_setup(const void *a, const void *b)
{
    const struct keyed_setup *x = a, *y = b;

    if (x->conn != y->conn)
        return x->conn < y->conn ? -1 : 1;
    return (x->setup > y->setup) - (x->setup < y->setup);
}

/* Each key's set-up cost: the median over its tasks that opened a
 * connection, else over all such tasks, else 0. */
static void estimate_setup(struct pdl_predict_model *m, const int64_t *own)
{
    struct keyed_setup *k = pdl_xcalloc(m->n + 1, sizeof(*k));
    int64_t *v = pdl_xcalloc(m->n + 1, sizeof(*v));
    size_t nv = 0;

    for (size_t i = 0; i < m->n; i++)
        if (own[i] > 0) {
            k[nv] = (struct keyed_setup){m->t[i].conn, own[i]};
            v[nv++] = own[i];
        }
    m->setups = nv;
    m->setup_median = median(v, nv);
    m->setup = pdl_xcalloc(m->nconn, sizeof(*m->setup));
    for (size_t c = 0; c < m->nconn; c++)
        m->setup[c] = m->setup_median;
    /* Sorted by key, then by set-up: each key's run is in order. */
    qsort(k, nv, sizeof(*k), cmp_keyed_setup);
    for (size_t a = 0, b; a < nv; a = b) {
        for (b = a; b < nv && k[b].conn == k[a].conn; b++)
            ;
        size_t len = b - a, mid = a + len / 2;
        m->setup[k[a].conn] =
            len % 2 ? k[mid].setup : (k[mid - 1].setup + k[mid].setup) / 2;
    }
    free(v);
    free(k);
}

/* Where and when a task ran: what the gap between tasks needs of it. */
struct lane {
    int32_t rank, worker;
    int64_t start_ns, end_ns;
};

/* The gap between a worker's end and its next start that is pdl's own
 * (handing the task out, the record back): the lower quartile, since the
 * longer gaps are waits at the gate (--rate, --per-host), which the
 * simulation adds by itself. */
static int64_t estimate_gap(const struct lane *rs, size_t n)
{
    int64_t *v = pdl_xcalloc(n + 1, sizeof(*v)), g;
    size_t nv = 0;

    for (size_t i = 1; i < n; i++) {
        const struct lane *a = &rs[i - 1], *b = &rs[i];
        if (a->rank == b->rank && a->worker == b->worker &&
            b->start_ns >= a->end_ns)
            v[nv++] = b->start_ns - a->end_ns;
    }
    qsort(v, nv, sizeof(*v), cmp_i64);
    g = nv ? v[nv / 4] : 0;
    free(v);
    return g;
}

static int cmp_lane(const void *a, const void *b)
{
    const struct lane *x = a, *y = b;

    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    if (x->worker != y->worker)
        return x->worker < y->worker ? -1 : 1;
    return (x->start_ns > y->start_ns) - (x->start_ns < y->start_ns);
}

struct row_ref {
    size_t id;
    size_t row;
};

static int cmp_row_ref(const void *a, const void *b)
{
    const struct row_ref *x = a, *y = b;

    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

/* The rows to replay, in id order. */
static struct row_ref *replay_rows(const struct pdl_timeline *tl, size_t *n)
{
    struct row_ref *rows = pdl_xcalloc(tl->count + 1, sizeof(*rows));
    struct pdl_result tmp;

    *n = 0;
    for (size_t i = 0; i < tl->count; i++)
        if (replayable(pdl_timeline_at(tl, i, &tmp)))
            rows[(*n)++] = (struct row_ref){tl->ids ? tl->ids[i] : i, i};
    qsort(rows, *n, sizeof(*rows), cmp_row_ref);
    return rows;
}

/* The bound's parts: task time without set-up plus one set-up per key,
 * and the longest task without set-up. */
static void measure_bound(struct pdl_predict_model *m)
{
    bool *seen = pdl_xcalloc(m->nconn, sizeof(*seen));

    m->bound_work = 0;
    m->longest_rest = 0;
    m->longest = 0;
    for (size_t i = 0; i < m->n; i++) {
        const struct ptask *t = &m->t[i];
        m->bound_work += t->rest;
        if (!seen[t->conn]) {
            seen[t->conn] = true;
            m->bound_work += m->setup[t->conn];
        }
        if (t->rest > m->longest_rest)
            m->longest_rest = t->rest;
        if (t->dur > m->t[m->longest].dur)
            m->longest = i;
    }
    free(seen);
}

struct pdl_predict_model *
pdl_predict_model_create(const struct pdl_timeline *tl)
{
    size_t n;
    struct row_ref *rows = replay_rows(tl, &n);
    struct pdl_predict_model *m;
    struct pdl_result tmp;
    struct lane *rs;
    char **urls;
    int64_t *own;

    if (n == 0) {
        free(rows);
        return NULL;
    }
    m = pdl_xcalloc(1, sizeof(*m));
    m->n = n;
    m->t = pdl_xcalloc(n, sizeof(*m->t));
    rs = pdl_xcalloc(n, sizeof(*rs));
    urls = pdl_xcalloc(n, sizeof(*urls));
    own = pdl_xcalloc(n, sizeof(*own));
    m->offset = INT64_MAX;
    for (size_t i = 0; i < n; i++) {
        const struct pdl_result *r = pdl_timeline_at(tl, rows[i].row, &tmp);
        struct ptask *t = &m->t[i];
        rs[i] = (struct lane){r->rank, r->worker, r->start_ns, r->end_ns};
        urls[i] = tl->urls ? tl->urls[rows[i].row] : NULL;
        own[i] = own_setup(r);
        t->id = rows[i].id;
        t->dur = r->end_ns - r->start_ns;
        t->rest = t->dur - own[i];
        t->gate_key = pdl_url_host_key(urls[i] ? urls[i] : "");
        if (r->start_ns < m->offset)
            m->offset = r->start_ns;
    }
    number_conns(m, urls);
    estimate_setup(m, own);
    qsort(rs, n, sizeof(*rs), cmp_lane);
    m->gap = estimate_gap(rs, n);
    m->shared = strcmp(tl->info.mode, "async") == 0;
    measure_bound(m);
    free(own);
    free(urls);
    free(rs);
    free(rows);
    return m;
}

void pdl_predict_model_destroy(struct pdl_predict_model *m)
{
    if (!m)
        return;
    free(m->t);
    free(m->setup);
    free(m);
}

size_t pdl_predict_model_tasks(const struct pdl_predict_model *m)
{
    return m->n;
}

void pdl_predict_model_facts(const struct pdl_predict_model *m,
                             struct pdl_predict_facts *f)
{
    memset(f, 0, sizeof(*f));
    f->tasks = m->n;
    f->hosts = m->nconn;
    f->setups = m->setups;
    f->setup = m->setup_median / 1e9;
    f->offset = m->offset / 1e9;
    f->gap = m->gap / 1e9;
    for (size_t i = 0; i < m->n; i++)
        f->busy += m->t[i].dur / 1e9;
    f->longest = m->t[m->longest].dur / 1e9;
    f->longest_id = m->t[m->longest].id;
    f->first_id = m->t[0].id;
    f->shared_conns = m->shared;
}

/* ---- the simulation ----------------------------------------------------- */

/* Kinds of event, in the order they are handled at one instant: an end
 * frees its host before a waiting start looks again. */
enum ev_kind { EV_END, EV_START, EV_READY, EV_ASK };

struct event {
    int64_t at;
    enum ev_kind kind;
    unsigned worker;
};

/* A binary min-heap of events; each worker has at most one. */
struct heap {
    struct event *e;
    size_t n;
};

static bool ev_before(const struct event *a, const struct event *b)
{
    if (a->at != b->at)
        return a->at < b->at;
    if (a->kind != b->kind)
        return a->kind < b->kind;
    return a->worker < b->worker;
}

static void heap_push(struct heap *h, struct event ev)
{
    size_t i = h->n++;

    while (i > 0 && ev_before(&ev, &h->e[(i - 1) / 2])) {
        h->e[i] = h->e[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->e[i] = ev;
}

static struct event heap_pop(struct heap *h)
{
    struct event top = h->e[0], last = h->e[--h->n];
    size_t i = 0;

    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && ev_before(&h->e[c + 1], &h->e[c]))
            c++;
        if (!ev_before(&h->e[c], &last))
            break;
        h->e[i] = h->e[c];
        i = c;
    }
    h->e[i] = last;
    return top;
}

struct sworker {
    size_t next, stop; /* its queue (dynamic chunk) or slice (static) */
    size_t task;       /* index into the model of the task it holds */
    int64_t asked;     /* when it took that task */
    size_t conns[PREDICT_WORKER_CONNS]; /* kept-alive keys, newest first */
    unsigned nconns;
};

struct sim {
    const struct pdl_predict_model *m;
    const struct pdl_predict_config *cfg;
    unsigned w;
    size_t *ord; /* the tasks in the order they are handed out */
    size_t cursor;
    struct sworker *wk;
    struct heap heap;
    unsigned host_busy[PDL_HOST_SLOTS];
    unsigned *idle; /* shared pool: idle connections per key */
    bool shared;
    int64_t next_start, gap_rate;
    unsigned in_flight;
    struct pdl_predict_result *res;
    struct pdl_predict_slot *slots;
    size_t nslots;
};

static int cmp_longest(const void *a, const void *b, void *arg)
{
    const struct pdl_predict_model *m = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    if (m->t[x].dur != m->t[y].dur)
        return m->t[x].dur > m->t[y].dur ? -1 : 1;
    return (x > y) - (x < y);
}

/* Takes the worker's next task into wk->task; false if it has none. */
static bool take(struct sim *s, struct sworker *wk)
{
    if (wk->next == wk->stop && s->cfg->schedule == PDL_SCHED_DYNAMIC) {
        size_t chunk = s->cfg->chunk ? s->cfg->chunk : 1;
        if (s->cursor == s->m->n)
            return false;
        wk->next = s->cursor;
        wk->stop = s->cursor + chunk < s->m->n ? s->cursor + chunk : s->m->n;
        s->cursor = wk->stop;
    }
    if (wk->next == wk->stop)
        return false;
    wk->task = s->ord[wk->next++];
    return true;
}

static bool capped(const struct sim *s, unsigned key)
{
    return s->cfg->per_host > 0 && (key != 0 || s->cfg->loopback_too);
}

/* Whether the worker must set up a connection for key, and notes that it
 * then holds one (a worker's cache keeps its newest few). */
static bool needs_setup(struct sim *s, struct sworker *wk, size_t key)
{
    unsigned i;

    if (s->shared) {
        if (s->idle[key] == 0)
            return true;
        s->idle[key]--;
        return false;
    }
    for (i = 0; i < wk->nconns && wk->conns[i] != key; i++)
        ;
    bool hit = i < wk->nconns;
    if (!hit && wk->nconns < PREDICT_WORKER_CONNS)
        wk->nconns++;
    if (i == wk->nconns)
        i--;
    memmove(&wk->conns[1], &wk->conns[0], i * sizeof(wk->conns[0]));
    wk->conns[0] = key;
    return !hit;
}

static void start(struct sim *s, unsigned w, int64_t now)
{
    struct sworker *wk = &s->wk[w];
    const struct ptask *t = &s->m->t[wk->task];
    bool fresh = needs_setup(s, wk, t->conn);
    int64_t setup = fresh ? s->m->setup[t->conn] : 0;
    int64_t end = now + t->rest + setup;

    s->res->connections += fresh;
    s->res->setup += setup / 1e9;
    s->res->gate_waiting += (now - wk->asked) / 1e9;
    if (++s->in_flight > s->res->in_flight)
        s->res->in_flight = s->in_flight;
    if (s->slots)
        s->slots[s->nslots++] = (struct pdl_predict_slot){
            t->id, w, now / 1e9, end / 1e9, setup / 1e9, wk->asked / 1e9};
    if (end / 1e9 > s->res->makespan)
        s->res->makespan = end / 1e9;
    heap_push(&s->heap, (struct event){end, EV_END, w});
}

/* The gate, as pdl_gate_admit: the host's cap first (a refused start asks
 * again PDL_GATE_HOST_RECHECK_NS later), then the start time --rate
 * spaces out. */
static void ask(struct sim *s, unsigned w, int64_t now)
{
    unsigned key = s->m->t[s->wk[w].task].gate_key % PDL_HOST_SLOTS;
    int64_t at = now;

    if (capped(s, key)) {
        if (s->host_busy[key] >= s->cfg->per_host) {
            heap_push(&s->heap, (struct event){now + PDL_GATE_HOST_RECHECK_NS,
                                               EV_ASK, w});
            return;
        }
        s->host_busy[key]++;
    }
    if (s->gap_rate > 0) {
        at = s->next_start > now ? s->next_start : now;
        s->next_start = at + s->gap_rate;
    }
    if (at > now)
        heap_push(&s->heap, (struct event){at, EV_START, w});
    else
        start(s, w, now);
}

static void end(struct sim *s, unsigned w, int64_t now)
{
    const struct ptask *t = &s->m->t[s->wk[w].task];

    if (capped(s, t->gate_key % PDL_HOST_SLOTS))
        s->host_busy[t->gate_key % PDL_HOST_SLOTS]--;
    if (s->shared)
        s->idle[t->conn]++;
    s->in_flight--;
    heap_push(&s->heap, (struct event){now + s->m->gap, EV_READY, w});
}

static void handle(struct sim *s, struct event ev)
{
    struct sworker *wk = &s->wk[ev.worker];

    switch (ev.kind) {
    case EV_END:
        end(s, ev.worker, ev.at);
        break;
    case EV_START:
        start(s, ev.worker, ev.at);
        break;
    case EV_READY:
        if (take(s, wk)) {
            wk->asked = ev.at;
            ask(s, ev.worker, ev.at);
        }
        break;
    case EV_ASK:
        ask(s, ev.worker, ev.at);
        break;
    }
}

/* The order tasks are handed out in, and each worker's slice (static). */
static void plan(struct sim *s)
{
    size_t n = s->m->n;

    s->ord = pdl_xcalloc(n, sizeof(*s->ord));
    for (size_t i = 0; i < n; i++)
        s->ord[i] = i;
    if (s->cfg->order == PDL_PREDICT_LONGEST_FIRST)
        qsort_r(s->ord, n, sizeof(*s->ord), cmp_longest, (void *)s->m);
    for (unsigned w = 0; w < s->w; w++) {
        if (s->cfg->schedule == PDL_SCHED_STATIC) {
            s->wk[w].next = n * w / s->w;
            s->wk[w].stop = n * (w + 1) / s->w;
        }
        heap_push(&s->heap, (struct event){s->m->offset, EV_READY, w});
    }
}

static void simulate(const struct pdl_predict_model *m,
                     const struct pdl_predict_config *cfg,
                     struct pdl_predict_result *out,
                     struct pdl_predict_slot *slots)
{
    struct sim *s = pdl_xcalloc(1, sizeof(*s));

    s->m = m;
    s->cfg = cfg;
    s->w = cfg->workers < m->n ? cfg->workers : (unsigned)m->n;
    s->wk = pdl_xcalloc(s->w, sizeof(*s->wk));
    s->heap.e = pdl_xcalloc(s->w, sizeof(*s->heap.e));
    s->shared = cfg->conns == PDL_PREDICT_CONNS_SHARED ||
                (cfg->conns == PDL_PREDICT_CONNS_AUTO && m->shared);
    s->idle = pdl_xcalloc(m->nconn, sizeof(*s->idle));
    s->gap_rate = cfg->rate > 0 ? (int64_t)(1e9 / cfg->rate) : 0;
    s->res = out;
    s->slots = slots;
    memset(out, 0, sizeof(*out));
    out->workers = s->w;
    out->tasks = m->n;
    plan(s);
    while (s->heap.n > 0)
        handle(s, heap_pop(&s->heap));
    free(s->idle);
    free(s->heap.e);
    free(s->wk);
    free(s->ord);
    free(s);
}

int pdl_predict_run(const struct pdl_predict_model *m,
                    const struct pdl_predict_config *cfg,
                    struct pdl_predict_result *out,
                    struct pdl_predict_slot *slots)
{
    struct pdl_predict_config one = *cfg;
    struct pdl_predict_result r1;
    double work;

    if (cfg->workers == 0 || !(cfg->rate >= 0))
        return PDL_ERR_USAGE;
    one.workers = 1;
    simulate(m, &one, &r1, NULL);
    simulate(m, cfg, out, slots);
    work = m->bound_work / 1e9 / out->workers;
    out->bound = work > m->longest_rest / 1e9 ? work : m->longest_rest / 1e9;
    out->efficiency = out->makespan > 0 ? out->bound / out->makespan : 1;
    out->speedup = out->makespan > 0 ? r1.makespan / out->makespan : 1;
    return PDL_OK;
}

int pdl_predict_makespan(const struct pdl_timeline *tl,
                         const struct pdl_predict_config *cfg,
                         struct pdl_predict_result *out)
{
    struct pdl_predict_model *m = pdl_predict_model_create(tl);
    int rc;

    if (!m)
        return PDL_ERR_FORMAT;
    rc = pdl_predict_run(m, cfg, out, NULL);
    pdl_predict_model_destroy(m);
    return rc;
}

/* ---- the summary's clause ----------------------------------------------- */

/* A time for a person: "600 ms" below a second, else "1.11 s". */
static const char *human(double s, char *buf, size_t n)
{
    if (s < 1)
        snprintf(buf, n, "%.0f ms", s * 1000);
    else
        snprintf(buf, n, "%.2f s", s);
    return buf;
}

/* Appends to buf (len so far, size n) as snprintf does; the new length. */
static size_t append(char *buf, size_t n, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static size_t append(char *buf, size_t n, size_t len, const char *fmt, ...)
{
    va_list ap;
    int k;

    va_start(ap, fmt);
    k = vsnprintf(buf + (len < n ? len : n), len < n ? n - len : 0, fmt, ap);
    va_end(ap);
    return len + (k > 0 ? (size_t)k : 0);
}

/* A change worth advising saves at least 5 % of the makespan: less is
 * within what the model and a loaded machine get wrong. */
static bool worth_it(double now, double then)
{
    return then < 0.95 * now;
}

size_t pdl_predict_sentence(const struct pdl_timeline *tl, unsigned workers,
                            const struct pdl_predict_hint *hint, char *buf,
                            size_t n)
{
    struct pdl_predict_model *m = pdl_predict_model_create(tl);
    struct pdl_predict_config cfg;
    struct pdl_predict_result r, lf, more;
    struct pdl_predict_facts f;
    char a[32], b[32];
    size_t len = 0;

    if (n > 0)
        buf[0] = '\0';
    if (!m || workers == 0) {
        pdl_predict_model_destroy(m);
        return 0;
    }
    pdl_predict_config_init(&cfg, workers);
    if (hint && hint->longest_first)
        cfg.order = PDL_PREDICT_LONGEST_FIRST;
    pdl_predict_run(m, &cfg, &r, NULL);
    len = append(
        buf, n, len, "with these tasks the best any %u worker%s could do is %s",
        r.workers, r.workers == 1 ? "" : "s", human(r.bound, a, sizeof(a)));
    pdl_predict_model_facts(m, &f);
    if (r.workers > 1 && cfg.order == PDL_PREDICT_LIST) {
        cfg.order = PDL_PREDICT_LONGEST_FIRST;
        pdl_predict_run(m, &cfg, &lf, NULL);
        cfg.order = PDL_PREDICT_LIST;
        if (worth_it(r.makespan, lf.makespan)) {
            len = append(buf, n, len,
                         "; starting the %s task first would give %s",
                         human(f.longest, a, sizeof(a)),
                         human(lf.makespan, b, sizeof(b)));
            len = append(buf, n, len,
                         " (--order longest-first --durations-from %s)",
                         hint && hint->timeline ? hint->timeline : "TIMELINE");
        }
    }
    if (m->n >= 2 * (size_t)workers && workers <= 512) {
        cfg.workers = 2 * workers;
        pdl_predict_run(m, &cfg, &more, NULL);
        len = append(buf, n, len, "; %u workers would give about %s%s%s",
                     cfg.workers,
                     worth_it(r.makespan, more.makespan) ? "" : "the same (",
                     human(more.makespan, b, sizeof(b)),
                     worth_it(r.makespan, more.makespan) ? "" : ")");
    }
    pdl_predict_model_destroy(m);
    return len;
}
