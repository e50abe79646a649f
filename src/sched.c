/* The scheduler. Dynamic: one reader shared under a lock, each worker
 * taking a chunk of consecutive tasks at a time into a queue of its own.
 * Static: the lists counted once, then one reader per worker standing at
 * the start of its slice. Names are given in list order either way: as
 * tasks are read (dynamic), or while counting, keeping only the names that
 * had to be numbered (static). Longest first: tasks the durations do not
 * hold are handed out as they are read; those they hold are named as read
 * but held back, and sorted longest first when the lists end (memory
 * bounded by the durations, not by the lists). */
#include "pdl/sched.h"
#include "pdl/names.h"
#include "pdl/util.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* A worker's tasks taken but not yet handed to it: a chunk, and tasks given
 * back. A ring, front at head. */
struct queue {
    struct pdl_task *t;
    size_t cap, head, n;
};

/* A name numbered while counting (static): task id's name. */
struct renamed {
    uint64_t id;
    char *name;
};

struct worker {
    pthread_mutex_t lock; /* guards q and, for static, reader and end */
    struct queue q;
    struct pdl_reader *reader; /* static: this worker's slice */
    uint64_t end;              /* static: first id past the slice */
};

/* A task held back for longest first, and its recorded duration. */
struct keyed {
    int64_t ns; /* INT64_MAX when not recorded: it goes first */
    struct pdl_task t;
};

static int cmp_longest(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;

    if (x->ns != y->ns)
        return x->ns < y->ns ? 1 : -1;
    return (x->t.id > y->t.id) - (x->t.id < y->t.id);
}

struct pdl_sched {
    struct pdl_sched_config cfg;
    /* Locking: lock guards reader, namer and drained; each worker's lock
     * guards its own queue. A worker refilling its queue takes its own
     * lock, then lock; nothing takes them the other way round. */
    pthread_mutex_t lock;
    struct pdl_reader *reader;
    struct pdl_namer *namer;
    bool at_end;        /* the shared reader reached the end of the lists */
    struct queue ahead; /* dynamic: read ahead by pdl_sched_prefetch */
    /* Longest first: the tasks the durations hold, read and named but held
     * back until the lists end, then sorted into ahead. Bounded by the
     * durations, not by the lists: the others pass straight through. */
    struct keyed *held;
    size_t nheld, capheld;
    uint64_t total;
    struct renamed *renamed; /* static: sorted by id */
    size_t nrenamed;
    struct worker *w;
};

/* Makes room for one more task. */
static void queue_reserve(struct queue *q)
{
    if (q->n < q->cap)
        return;
    size_t cap = q->cap ? q->cap * 2 : 4;
    struct pdl_task *n = pdl_xcalloc(cap, sizeof(*n));
    for (size_t i = 0; i < q->n; i++)
        n[i] = q->t[(q->head + i) % q->cap];
    free(q->t);
    q->t = n;
    q->cap = cap;
    q->head = 0;
}

static void queue_push_back(struct queue *q, struct pdl_task *t)
{
    queue_reserve(q);
    q->t[(q->head + q->n) % q->cap] = *t;
    q->n++;
    memset(t, 0, sizeof(*t));
}

static void queue_push_front(struct queue *q, struct pdl_task *t)
{
    queue_reserve(q);
    q->head = (q->head + q->cap - 1) % q->cap;
    q->t[q->head] = *t;
    q->n++;
    memset(t, 0, sizeof(*t));
}

static bool queue_pop(struct queue *q, struct pdl_task *t)
{
    if (q->n == 0)
        return false;
    *t = q->t[q->head];
    q->head = (q->head + 1) % q->cap;
    q->n--;
    return true;
}

/* Fills t from what the reader handed out, naming it if names are on. */
static void fill(struct pdl_sched *s, const struct pdl_task_ref *ref,
                 struct pdl_task *t)
{
    char want[PDL_NAME_MAX + 1], name[PDL_NAME_MAX + 32];

    *t = (struct pdl_task){.id = ref->id,
                           .url = pdl_xstrdup(ref->url),
                           .source = ref->source,
                           .line = ref->line,
                           .opts = ref->opts ? pdl_xstrdup(ref->opts) : NULL};
    if (!s->cfg.names)
        return;
    if (ref->name)
        snprintf(want, sizeof(want), "%s", ref->name);
    else
        pdl_name_from_url(ref->url, want, sizeof(want));
    if (s->cfg.schedule == PDL_SCHED_DYNAMIC) {
        pdl_namer_take(s->namer, want, name, sizeof(name));
        t->name = pdl_xstrdup(name);
        return;
    }
    /* Static: numbered while counting, if at all. */
    size_t lo = 0, hi = s->nrenamed;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->renamed[mid].id < ref->id)
            lo = mid + 1;
        else
            hi = mid;
    }
    bool hit = lo < s->nrenamed && s->renamed[lo].id == ref->id;
    t->name = pdl_xstrdup(hit ? s->renamed[lo].name : want);
}

/* The lists have ended: the held-back tasks, longest first, queue behind
 * whatever was read ahead. A task the durations do not hold may be long:
 * handed out first, it cannot become the straggler that longest first is
 * there to prevent. Called with lock held. */
static void lists_ended(struct pdl_sched *s)
{
    s->at_end = true;
    if (s->nheld > 0)
        qsort(s->held, s->nheld, sizeof(*s->held), cmp_longest);
    for (size_t i = 0; i < s->nheld; i++)
        queue_push_back(&s->ahead, &s->held[i].t);
    free(s->held);
    s->held = NULL;
    s->nheld = s->capheld = 0;
}

/* The next task from the lists, named in list order; with durations, one
 * they do not hold (those they hold are held back). false at the end of
 * the lists, when the held-back tasks have gone into ahead. Called with
 * lock held. */
static bool read_next(struct pdl_sched *s, struct pdl_task *t)
{
    struct pdl_task_ref ref;
    int64_t ns;

    for (;;) {
        if (s->at_end || pdl_reader_next(s->reader, &ref) <= 0) {
            if (!s->at_end)
                lists_ended(s);
            return false;
        }
        fill(s, &ref, t);
        if (!s->cfg.durations ||
            !pdl_durations_get(s->cfg.durations, t->url, &ns))
            return true;
        if (s->nheld == s->capheld) {
            s->capheld = s->capheld ? 2 * s->capheld : 64;
            s->held = pdl_xrealloc(s->held, s->capheld, sizeof(*s->held));
        }
        s->held[s->nheld].ns = ns;
        s->held[s->nheld++].t = *t;
    }
}

/* The next task to hand out: read ahead, else from the lists (which may
 * have just moved the held-back tasks into ahead). Called with lock held. */
static bool next_task(struct pdl_sched *s, struct pdl_task *t)
{
    return queue_pop(&s->ahead, t) || read_next(s, t) ||
           queue_pop(&s->ahead, t);
}

/* Dynamic: reads up to chunk tasks into worker w's queue. */
static void refill(struct pdl_sched *s, struct worker *w)
{
    struct pdl_task t;
    unsigned chunk = s->cfg.chunk ? s->cfg.chunk : 1;

    pthread_mutex_lock(&s->lock);
    for (unsigned k = 0; k < chunk && next_task(s, &t); k++)
        queue_push_back(&w->q, &t);
    pthread_mutex_unlock(&s->lock);
}

/* Static: the next task of worker w's slice into its queue. */
static void refill_slice(struct pdl_sched *s, struct worker *w)
{
    struct pdl_task_ref ref;
    struct pdl_task t;

    if (!w->reader || pdl_reader_next(w->reader, &ref) <= 0 ||
        ref.id >= w->end) {
        pdl_reader_destroy(w->reader);
        w->reader = NULL;
        return;
    }
    fill(s, &ref, &t);
    queue_push_back(&w->q, &t);
}

bool pdl_sched_take(struct pdl_sched *s, unsigned worker, struct pdl_task *t)
{
    struct worker *w = &s->w[worker];
    bool got;

    pthread_mutex_lock(&w->lock);
    if (w->q.n == 0) {
        if (s->cfg.schedule == PDL_SCHED_STATIC)
            refill_slice(s, w);
        else
            refill(s, w);
    }
    got = queue_pop(&w->q, t);
    pthread_mutex_unlock(&w->lock);
    return got;
}

bool pdl_sched_take_any(struct pdl_sched *s, struct pdl_task *t)
{
    bool got;

    if (s->cfg.schedule == PDL_SCHED_STATIC)
        return false;
    pthread_mutex_lock(&s->lock);
    got = next_task(s, t);
    pthread_mutex_unlock(&s->lock);
    return got;
}

void pdl_sched_give_back(struct pdl_sched *s, unsigned worker,
                         struct pdl_task *t)
{
    struct worker *w = &s->w[worker];

    pthread_mutex_lock(&w->lock);
    queue_push_front(&w->q, t);
    pthread_mutex_unlock(&w->lock);
}

bool pdl_sched_drain(struct pdl_sched *s, struct pdl_task *t)
{
    for (unsigned i = 0; i < s->cfg.workers; i++) {
        struct worker *w = &s->w[i];
        pthread_mutex_lock(&w->lock);
        bool got = queue_pop(&w->q, t);
        if (!got && s->cfg.schedule == PDL_SCHED_STATIC) {
            refill_slice(s, w);
            got = queue_pop(&w->q, t);
        }
        pthread_mutex_unlock(&w->lock);
        if (got)
            return true;
    }
    if (s->cfg.schedule == PDL_SCHED_STATIC)
        return false;
    pthread_mutex_lock(&s->lock);
    /* A pipe is not read on after a stop: it may never end. What was held
     * back from it is drained all the same. */
    bool got = queue_pop(&s->ahead, t) ||
               (pdl_reader_seekable(s->reader) && next_task(s, t));
    if (!got && s->nheld > 0) {
        *t = s->held[--s->nheld].t;
        got = true;
    }
    pthread_mutex_unlock(&s->lock);
    return got;
}

bool pdl_sched_unread(const struct pdl_sched *s)
{
    return s->cfg.schedule == PDL_SCHED_DYNAMIC &&
           (!s->at_end || pdl_reader_cut(s->reader));
}

uint64_t pdl_sched_prefetch(struct pdl_sched *s, uint64_t n)
{
    struct pdl_task t;
    uint64_t have;

    if (s->cfg.schedule == PDL_SCHED_STATIC)
        return s->total < n ? s->total : n;
    pthread_mutex_lock(&s->lock);
    while (s->ahead.n < n && read_next(s, &t))
        queue_push_back(&s->ahead, &t);
    /* The held-back tasks join ahead at the end: more than n may wait. */
    have = s->ahead.n < n ? s->ahead.n : n;
    pthread_mutex_unlock(&s->lock);
    return have;
}

uint64_t pdl_sched_total(const struct pdl_sched *s)
{
    return s->total;
}

const struct pdl_reader *pdl_sched_reader(const struct pdl_sched *s)
{
    return s->reader;
}

size_t pdl_sched_bad(const struct pdl_sched *s)
{
    return pdl_reader_bad(s->reader);
}

/* Static: names in list order over the whole list, keeping those that
 * differ from the name the task would get alone. */
static void plan_static_names(struct pdl_sched *s)
{
    struct pdl_reader_mark m = {0};
    struct pdl_reader *c = pdl_reader_clone_at(s->reader, &m);
    struct pdl_namer *namer = s->namer;
    struct pdl_task_ref ref;
    char want[PDL_NAME_MAX + 1], name[PDL_NAME_MAX + 32];
    size_t cap = 0;

    while (c && pdl_reader_next(c, &ref) > 0) {
        if (ref.name)
            snprintf(want, sizeof(want), "%s", ref.name);
        else
            pdl_name_from_url(ref.url, want, sizeof(want));
        pdl_namer_take(namer, want, name, sizeof(name));
        if (strcmp(want, name) == 0)
            continue;
        if (s->nrenamed == cap) {
            cap = cap ? cap * 2 : 64;
            s->renamed = pdl_xrealloc(s->renamed, cap, sizeof(*s->renamed));
        }
        s->renamed[s->nrenamed++] = (struct renamed){ref.id, pdl_xstrdup(name)};
    }
    pdl_reader_destroy(c);
}

/* Static: counts the lists and gives every worker a reader at its slice. */
static int cut_slices(struct pdl_sched *s, char *err, size_t errsz)
{
    unsigned n = s->cfg.workers;
    struct pdl_reader_mark *marks = pdl_xcalloc(n + 1, sizeof(*marks));

    if (!pdl_reader_seekable(s->reader) && pdl_reader_spool(s->reader) != 0) {
        snprintf(err, errsz,
                 "cannot keep standard input for --schedule "
                 "static: %s",
                 strerror(errno));
        free(marks);
        return -1;
    }
    s->total = pdl_reader_census(s->reader, marks, n);
    if (s->total == UINT64_MAX) {
        snprintf(err, errsz, "cannot read the lists: %s", strerror(errno));
        free(marks);
        return -1;
    }
    for (unsigned i = 0; i < n; i++) {
        s->w[i].reader = pdl_reader_clone_at(s->reader, &marks[i]);
        s->w[i].end = i + 1 < n ? marks[i + 1].id : marks[0].id + s->total;
    }
    free(marks);
    if (s->cfg.names)
        plan_static_names(s);
    /* The bad lines are reported once, by reading the whole list. */
    pdl_reader_skim(s->reader);
    return 0;
}

struct pdl_sched *pdl_sched_create(struct pdl_reader *r,
                                   const struct pdl_sched_config *cfg,
                                   struct pdl_namer *namer, char *err,
                                   size_t errsz)
{
    struct pdl_sched *s = pdl_xcalloc(1, sizeof(*s));

    s->cfg = *cfg;
    if (s->cfg.workers == 0)
        s->cfg.workers = 1;
    s->reader = r;
    s->namer = namer;
    s->total = UINT64_MAX;
    pthread_mutex_init(&s->lock, NULL);
    s->w = pdl_xcalloc(s->cfg.workers, sizeof(*s->w));
    for (unsigned i = 0; i < s->cfg.workers; i++)
        pthread_mutex_init(&s->w[i].lock, NULL);
    if (cfg->schedule == PDL_SCHED_STATIC && cut_slices(s, err, errsz) != 0) {
        pdl_sched_destroy(s);
        return NULL;
    }
    if (cfg->schedule != PDL_SCHED_DYNAMIC) {
        pdl_durations_destroy(s->cfg.durations);
        s->cfg.durations = NULL;
    }
    return s;
}

void pdl_sched_destroy(struct pdl_sched *s)
{
    struct pdl_task t;

    if (!s)
        return;
    for (unsigned i = 0; i < s->cfg.workers; i++) {
        while (queue_pop(&s->w[i].q, &t))
            pdl_task_clear(&t);
        free(s->w[i].q.t);
        pdl_reader_destroy(s->w[i].reader);
        pthread_mutex_destroy(&s->w[i].lock);
    }
    while (queue_pop(&s->ahead, &t))
        pdl_task_clear(&t);
    free(s->ahead.t);
    for (size_t i = 0; i < s->nheld; i++)
        pdl_task_clear(&s->held[i].t);
    free(s->held);
    pdl_durations_destroy(s->cfg.durations);
    for (size_t i = 0; i < s->nrenamed; i++)
        free(s->renamed[i].name);
    free(s->renamed);
    free(s->w);
    pdl_reader_destroy(s->reader);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
