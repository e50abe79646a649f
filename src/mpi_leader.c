/* Rank 0 of the mpi mode: starts the other ranks (their hellos, their
 * clocks), runs its own W transfer slots on the async runner straight from
 * the run's scheduler, and in a dispatcher thread (the only one that makes
 * MPI calls while the run is on) answers the other ranks' requests with
 * grants of tasks taken from the same scheduler, settles the records they
 * send back on rank 0's clock, and watches them; at the end it settles
 * what a rank that did not finish still held. */
#ifdef PDL_HAVE_MPI

#include "mpi_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum peer_state { PEER_RUNNING, PEER_DONE, PEER_LOST, PEER_SILENT };

struct peer {
    enum peer_state state;
    int pid;
    pdl_monotime heard, told;       /* last message from it, to it */
    int64_t t0;                     /* its run's start, on its clock */
    struct pdl_mpi_sync start, end; /* its clock, before and after the run */
    struct pdl_mpi_held held;       /* tasks granted to it, not settled */
    struct done_msg counts;         /* its own, from TAG_DONE */
    uint64_t max_inflight;          /* the most it said it had at once */
};

struct leader {
    struct pdl_mpi *M;
    struct pdl_run *run; /* the scheduler and the results stream */
    /* Rank 0's own slots see the run through a feed that hands out nothing
     * once a rank is lost. */
    struct pdl_run local;
    struct pdl_run_feed feed;
    struct pdl_mpi_link link;
    struct peer *peer;     /* M->size entries; [0] is rank 0 */
    uint64_t slots;        /* transfer slots of the whole run */
    unsigned chunk;        /* least tasks in a grant */
    atomic_int drain;      /* hand out nothing more: a rank was lost */
    atomic_int local_done; /* rank 0's own slots have finished */
    pdl_monotime stop_at;  /* when the stop went out; 0 before */
    bool broken;           /* MPI itself failed on rank 0 */
};

static bool local_take(void *ctx, unsigned worker, struct pdl_task *t)
{
    struct leader *L = ctx;

    return !atomic_load(&L->drain) && pdl_run_take(L->run, worker, t);
}

static void local_settle(void *ctx, const struct pdl_task *t,
                         const struct pdl_result *r)
{
    struct leader *L = ctx;

    pdl_run_settle(L->run, t, r);
}

static void lose(struct leader *L, int r, const char *why)
{
    struct peer *p = &L->peer[r];
    enum peer_state was = p->state;

    if (was == PEER_LOST)
        return;
    p->state = PEER_LOST;
    pdl_mpi_forget(&L->link, r);
    /* A rank that has finished took its results with it: nothing lost. */
    if (was == PEER_DONE)
        return;
    fprintf(stderr,
            "pdl: mpi: rank %d (%s, pid %d) lost: %s. Handing out no more "
            "tasks; the run ends when the other ranks have finished theirs, "
            "and what was not done goes to the failed list\n",
            r, L->M->host[r], p->pid, why);
    atomic_store(&L->drain, 1);
}

static void tell(struct leader *L, int r, int tag, void *buf, size_t len)
{
    char why[MPI_MAX_ERROR_STRING + 64], e[MPI_MAX_ERROR_STRING];
    int rc = pdl_mpi_send(&L->link, r, tag, buf, len);

    L->peer[r].told = pdl_now();
    if (rc != MPI_SUCCESS) {
        snprintf(why, sizeof(why), "a message to it failed: %s",
                 pdl_mpi_why(rc, e, sizeof(e)));
        lose(L, r, why);
    }
}

/* What is left to hand out after a grant, looking ahead no further than
 * one task per transfer slot of the run. */
static uint32_t left_after(struct leader *L)
{
    uint64_t have = pdl_sched_prefetch(L->run->sched, L->slots);

    if (have == 0)
        return LEFT_NONE;
    return have >= L->slots ? LEFT_PLENTY : LEFT_TAIL;
}

static size_t packed_size(const struct pdl_task *t)
{
    return sizeof(struct grant_task) + strlen(t->url) +
           (t->name ? strlen(t->name) : 0) + (t->opts ? strlen(t->opts) : 0);
}

static size_t pack_task(char *p, const struct pdl_task *t)
{
    struct grant_task g = {.id = t->id,
                           .url_len = (uint32_t)strlen(t->url),
                           .name_len = t->name ? (uint32_t)strlen(t->name) : 0,
                           .opts_len = t->opts ? (uint32_t)strlen(t->opts) : 0};

    memcpy(p, &g, sizeof(g));
    memcpy(p + sizeof(g), t->url, g.url_len);
    if (g.name_len)
        memcpy(p + sizeof(g) + g.url_len, t->name, g.name_len);
    if (g.opts_len)
        memcpy(p + sizeof(g) + g.url_len + g.name_len, t->opts, g.opts_len);
    return sizeof(g) + g.url_len + g.name_len + g.opts_len;
}

/* Answers rank r's request for want tasks with a grant of what it asked
 * for, at least --chunk and at most GRANT_MAX; each task granted is held
 * for r until its record comes back. --continue's skips are settled on
 * the way by pdl_run_take. */
static void grant(struct leader *L, int r, uint64_t want)
{
    size_t g = want < L->chunk ? L->chunk : want > GRANT_MAX ? GRANT_MAX : want;
    struct pdl_task *t = pdl_xcalloc(g, sizeof(*t));
    struct grant_head h = {0, LEFT_NONE};
    size_t len = sizeof(h);
    bool end = false;
    char *buf;

    while (h.n < g && !end) {
        end = atomic_load(&L->drain) ||
              !pdl_run_take(L->run, PDL_WORKER_ANY, &t[h.n]);
        if (!end)
            len += packed_size(&t[h.n++]);
    }
    if (!end)
        h.left = left_after(L);
    buf = pdl_xmalloc(len);
    memcpy(buf, &h, sizeof(h));
    len = sizeof(h);
    for (size_t i = 0; i < h.n; i++) {
        len += pack_task(buf + len, &t[i]);
        pdl_mpi_held_put(&L->peer[r].held, &t[i]);
    }
    free(t);
    tell(L, r, TAG_GRANT, buf, len);
}

/* Rank p's times on rank 0's clock: one shift per task, for its durations
 * were measured on one clock. A task that never started has no times. */
static void align(const struct leader *L, const struct peer *p,
                  struct pdl_result *r)
{
    int64_t shift;

    if (r->status == PDL_ST_PENDING && r->start_ns == 0)
        return;
    shift = pdl_mpi_on_leader(&p->start, p->t0, r->start_ns, L->run->t0) -
            r->start_ns;
    r->start_ns += shift;
    r->end_ns += shift;
    if (r->attempt_ns)
        r->attempt_ns += shift;
}

static void take_results(struct leader *L, const struct pdl_mpi_msg *m)
{
    struct peer *p = &L->peer[m->src];
    size_t n = m->len / sizeof(struct result_entry);

    for (size_t i = 0; i < n; i++) {
        struct result_entry e;
        struct pdl_task t;
        memcpy(&e, m->buf + i * sizeof(e), sizeof(e));
        /* Only the rank that holds a task may settle it, and only once. */
        if (!pdl_mpi_held_take(&p->held, e.id, &t))
            continue;
        e.r.rank = m->src;
        e.r.error[PDL_ERROR_MAX - 1] = '\0';
        align(L, p, &e.r);
        pdl_run_settle(L->run, &t, &e.r);
        pdl_task_clear(&t);
    }
}

static void note_inflight(struct peer *p, uint64_t n)
{
    if (n > p->max_inflight)
        p->max_inflight = n;
}

static void handle(struct leader *L, const struct pdl_mpi_msg *m)
{
    struct peer *p = &L->peer[m->src];
    struct request_msg q;

    if (m->src <= 0 || m->src >= L->M->size || p->state == PEER_LOST)
        return;
    p->heard = pdl_now();
    switch (m->tag) {
    case TAG_REQUEST:
        if (m->len != sizeof(q) || p->state != PEER_RUNNING)
            break;
        memcpy(&q, m->buf, sizeof(q));
        p->t0 = q.t0;
        note_inflight(p, q.max_inflight);
        grant(L, m->src, q.want);
        break;
    case TAG_RESULT:
        take_results(L, m);
        break;
    case TAG_DONE:
        if (m->len == sizeof(p->counts)) {
            memcpy(&p->counts, m->buf, sizeof(p->counts));
            note_inflight(p, p->counts.max_inflight);
        }
        if (p->state == PEER_RUNNING || p->state == PEER_SILENT)
            p->state = PEER_DONE;
        break;
    }
}

/* Stops the other ranks once rank 0 is stopped, gives up on those that say
 * nothing after the stop or for too long, and tells the others it lives. */
static void watch(struct leader *L)
{
    pdl_monotime now = pdl_now();

    if (atomic_load(&L->run->shared->stop) && !L->stop_at) {
        L->stop_at = now;
        for (int r = 1; r < L->M->size; r++)
            if (L->peer[r].state == PEER_RUNNING)
                tell(L, r, TAG_STOP, NULL, 0);
    }
    for (int r = 1; r < L->M->size; r++) {
        struct peer *p = &L->peer[r];
        if (p->state == PEER_RUNNING && L->stop_at &&
            now - L->stop_at > STOP_GRACE_NS)
            p->state = PEER_SILENT;
        if (p->state == PEER_RUNNING && now - p->heard > SILENCE_NS) {
            char why[96];
            snprintf(why, sizeof(why), "nothing heard from it for %.1f s",
                     (double)(now - p->heard) / 1e9);
            lose(L, r, why);
        }
        if ((p->state == PEER_RUNNING || p->state == PEER_DONE) &&
            now - p->told > BEAT_NS)
            tell(L, r, TAG_BEAT, NULL, 0);
    }
}

static bool leader_busy(struct leader *L)
{
    if (!atomic_load(&L->local_done))
        return true;
    for (int r = 1; r < L->M->size; r++)
        if (L->peer[r].state == PEER_RUNNING)
            return true;
    return false;
}

/* MPI failed on rank 0 itself: no rank can be reached any more. */
static void break_down(struct leader *L, int rc)
{
    char e[MPI_MAX_ERROR_STRING], why[MPI_MAX_ERROR_STRING + 32];

    snprintf(why, sizeof(why), "MPI failed: %s", pdl_mpi_why(rc, e, sizeof(e)));
    L->broken = true;
    for (int r = 1; r < L->M->size; r++)
        if (L->peer[r].state == PEER_RUNNING)
            lose(L, r, why);
}

/* The dispatcher: answers requests from the scheduler, settles results,
 * watches the ranks, until every rank (rank 0 too) has finished. */
static void *dispatch(void *arg)
{
    struct leader *L = arg;
    pdl_monotime idle = IDLE_MIN_NS;

    while (leader_busy(L) && !L->broken) {
        struct pdl_mpi_msg m;
        bool active = false;
        int rc, peer = -1;
        while ((rc = pdl_mpi_poll(L->M->comm, MPI_ANY_SOURCE, MPI_ANY_TAG,
                                  &m)) == MPI_SUCCESS &&
               m.tag) {
            handle(L, &m);
            free(m.buf);
            active = true;
        }
        if (rc != MPI_SUCCESS) {
            break_down(L, rc);
            break;
        }
        if (pdl_mpi_flush(&L->link, &peer) != MPI_SUCCESS && peer > 0)
            lose(L, peer, "a message to it failed");
        watch(L);
        idle = active ? IDLE_MIN_NS : pdl_mpi_backoff(idle);
        if (!active)
            pdl_mpi_nap(idle);
    }
    return NULL;
}

/* Rank r's hello: its host, and whether it can run. */
static bool take_hello(struct leader *L, int r, struct hello_msg *h)
{
    struct pdl_mpi *M = L->M;
    char e[MPI_MAX_ERROR_STRING];
    struct pdl_mpi_msg m;
    int rc = pdl_mpi_wait(M->comm, r, TAG_HELLO, START_NS, false, &m);

    if (rc != MPI_SUCCESS || m.len != sizeof(*h)) {
        fprintf(stderr, "pdl: mpi: rank %d did not say it was ready: %s\n", r,
                rc != MPI_SUCCESS ? pdl_mpi_why(rc, e, sizeof(e))
                                  : "a message of the wrong size");
        L->peer[r].state = PEER_LOST;
        free(m.buf);
        return false;
    }
    memcpy(h, m.buf, sizeof(*h));
    free(m.buf);
    h->host[sizeof(h->host) - 1] = '\0';
    h->why[sizeof(h->why) - 1] = '\0';
    snprintf(M->host[r], sizeof(M->host[r]), "%s", h->host);
    L->peer[r].pid = h->pid;
    if (h->result_size != sizeof(struct pdl_result) ||
        strncmp(h->version, PDL_VERSION, sizeof(h->version)) != 0)
        snprintf(h->why, sizeof(h->why),
                 "it runs another build of pdl; every rank needs the same "
                 "one");
    else if (h->ok)
        return true;
    fprintf(stderr, "pdl: mpi: rank %d (%s) cannot run: %s\n", r, M->host[r],
            h->why);
    return false;
}

/* Every other rank's hello; then the run's description names the hosts of
 * the ranks, before any record settles. */
static bool collect_hellos(struct leader *L)
{
    struct hello_msg h;
    bool ok = true;

    for (int r = 1; r < L->M->size; r++)
        if (!take_hello(L, r, &h))
            ok = false;
    if (L->run->info) {
        L->run->info->ranks = (unsigned)L->M->size;
        L->run->info->rank_hosts = L->M->hosts;
    }
    return ok;
}

/* Tells the ranks that are waiting that there will be no run. */
static void abort_start(struct leader *L)
{
    uint32_t gone = 0;

    for (int r = 1; r < L->M->size; r++)
        if (L->peer[r].state == PEER_LOST)
            gone = 1;
    L->M->no_finalize = gone;
    for (int r = 1; r < L->M->size; r++)
        if (L->peer[r].state != PEER_LOST)
            MPI_Send(&gone, sizeof(gone), MPI_BYTE, r, TAG_ABORT, L->M->comm);
}

/* The start: the slots per rank to every rank, their hellos, their clocks,
 * go. */
static int start(struct leader *L)
{
    struct pdl_mpi *M = L->M;
    struct start_msg st = {.workers = L->run->workers};
    char e[MPI_MAX_ERROR_STRING];
    int rc = MPI_Bcast(&st, sizeof(st), MPI_BYTE, 0, M->comm);
    bool ok = rc == MPI_SUCCESS;

    M->started = true;
    if (!ok)
        fprintf(stderr, "pdl: mpi: cannot reach the other ranks: %s\n",
                pdl_mpi_why(rc, e, sizeof(e)));
    ok = ok && collect_hellos(L);
    for (int r = 1; ok && r < M->size; r++) {
        ok = pdl_mpi_sync_peer(&L->link, r, &L->peer[r].start);
        if (!ok) {
            fprintf(stderr,
                    "pdl: mpi: rank %d (%s) did not answer the clock probe\n",
                    r, M->host[r]);
            L->peer[r].state = PEER_LOST;
        }
    }
    if (!ok) {
        abort_start(L);
        return PDL_ERR_SYSTEM;
    }
    for (int r = 1; r < M->size; r++) {
        pdl_mpi_send_now(&L->link, r, TAG_GO, NULL, 0);
        L->peer[r].heard = L->peer[r].told = pdl_now();
    }
    return PDL_OK;
}

static void report_silent(const struct leader *L)
{
    bool any = false;

    for (int r = 1; r < L->M->size; r++) {
        size_t held = L->peer[r].held.n;
        if (L->peer[r].state != PEER_SILENT)
            continue;
        fprintf(stderr,
                "pdl: mpi: rank %d (%s, pid %d) sent nothing after the "
                "stop; its %zu unfinished task%s go to the failed list\n",
                r, L->M->host[r], L->peer[r].pid, held, held == 1 ? "" : "s");
        any = true;
    }
    if (any)
        fputs("pdl: mpi: when one rank dies, mpirun stops all the others; "
              "with mpirun --enable-recovery pdl notices the lost rank "
              "itself and lets the others finish what they hold\n",
              stderr);
}

/* Tasks still held by a rank were not done: settled with why. */
static void settle_held(struct leader *L)
{
    for (int r = 1; r < L->M->size; r++) {
        const char *host = L->M->host[r];
        enum peer_state st = L->peer[r].state;
        struct pdl_task t;
        char why[PDL_ERROR_MAX];
        while (pdl_mpi_held_pop(&L->peer[r].held, &t)) {
            struct pdl_result res = {.rank = r};
            if (st == PEER_LOST) {
                snprintf(why, sizeof(why),
                         "rank %d (%s) was lost while it held this task", r,
                         host);
                pdl_result_fail(&res, PDL_ST_WORKER_DIED, why);
            } else if (st == PEER_SILENT) {
                snprintf(why, sizeof(why),
                         "rank %d (%s) sent no result for it before the run "
                         "ended",
                         r, host);
                pdl_result_fail(&res, PDL_ST_INTERRUPTED, why);
            } else {
                snprintf(why, sizeof(why),
                         "rank %d (%s) stopped before starting it", r, host);
                pdl_result_fail(&res, PDL_ST_PENDING, why);
            }
            pdl_run_settle(L->run, &t, &res);
            pdl_task_clear(&t);
        }
    }
}

/* What the timeline's metadata and the summary say about the run. The
 * other ranks' most transfers at once are added to rank 0's: an upper
 * bound of the run's, for their peaks need not have coincided. */
static void remember(struct leader *L)
{
    struct pdl_mpi *M = L->M;

    M->described = true;
    M->clock_error = 0;
    M->messages = L->link.sent;
    M->dispatch = L->link.dispatch;
    M->results = L->run->results;
    for (int r = 1; r < M->size; r++) {
        const struct peer *p = &L->peer[r];
        int64_t err = p->start.error;
        if (p->end.ok && p->end.error > err)
            err = p->end.error;
        if (p->start.ok && (double)err / 1e9 > M->clock_error)
            M->clock_error = (double)err / 1e9;
        M->messages += p->counts.sent;
        M->dispatch += p->counts.dispatch;
        atomic_fetch_add(&L->run->shared->counters.max_inflight,
                         (unsigned)p->max_inflight);
    }
}

/* Rank 0 between its run and teardown: the other ranks wait for its
 * goodbye while main writes the outputs, and hear it beat meanwhile, so
 * that none is taken for lost and none leaves before rank 0 is done (under
 * plain mpirun, a rank leaving while the job is being stopped makes mpirun
 * kill the others at once, rank 0 in the middle of its writes). */
struct pdl_mpi_farewell {
    struct pdl_mpi_link link;
    bool *waiting; /* per rank: waits for the goodbye */
    pdl_monotime *told;
    int size;
    uint32_t gone; /* a rank may be dead: skip MPI_Finalize */
    atomic_int done;
    pthread_t thread;
};

/* The farewell's thread: the only one that makes MPI calls meanwhile. */
static void *linger(void *arg)
{
    struct pdl_mpi_farewell *fw = arg;
    int peer;

    while (!atomic_load(&fw->done)) {
        pdl_monotime now = pdl_now();
        for (int r = 1; r < fw->size; r++) {
            if (!fw->waiting[r] || now - fw->told[r] <= BEAT_NS)
                continue;
            fw->told[r] = now;
            if (pdl_mpi_send(&fw->link, r, TAG_BEAT, NULL, 0) != MPI_SUCCESS)
                fw->waiting[r] = false;
        }
        pdl_mpi_flush(&fw->link, &peer);
        pdl_mpi_nap(10 * PDL_MPI_MS);
    }
    return NULL;
}

static void farewell_free(struct pdl_mpi_farewell *fw)
{
    free(fw->waiting);
    free(fw->told);
    free(fw);
}

/* Says goodbye to the ranks still waiting, and waits a little for it to
 * go (a rank that died never takes it). */
static void say_bye(struct pdl_mpi_farewell *fw)
{
    for (int r = 1; r < fw->size; r++)
        if (fw->waiting[r])
            pdl_mpi_send_copy(&fw->link, r, TAG_BYE, &fw->gone,
                              sizeof(fw->gone));
    pdl_mpi_close(&fw->link, 50 * PDL_MPI_MS);
}

void pdl_mpi_farewell(struct pdl_mpi *M)
{
    struct pdl_mpi_farewell *fw = M->farewell;

    if (!fw)
        return;
    atomic_store(&fw->done, 1);
    pthread_join(fw->thread, NULL);
    say_bye(fw);
    farewell_free(fw);
    M->farewell = NULL;
}

/* Hands rank 0's link over to the farewell, which keeps the ranks that
 * are still there waiting until pdl_mpi_farewell. */
static void linger_start(struct leader *L, uint32_t gone)
{
    struct pdl_mpi_farewell *fw = pdl_xcalloc(1, sizeof(*fw));

    fw->link = L->link;
    memset(&L->link, 0, sizeof(L->link));
    fw->size = L->M->size;
    fw->gone = gone;
    fw->waiting = pdl_xcalloc((size_t)fw->size, sizeof(*fw->waiting));
    fw->told = pdl_xcalloc((size_t)fw->size, sizeof(*fw->told));
    for (int r = 1; r < fw->size; r++) {
        fw->waiting[r] = L->peer[r].state != PEER_LOST;
        fw->told[r] = L->peer[r].told;
    }
    atomic_init(&fw->done, 0);
    if (pthread_create(&fw->thread, NULL, linger, fw) != 0) {
        say_bye(fw);
        farewell_free(fw);
        return;
    }
    L->M->farewell = fw;
}

/* After the run: the clocks again (for the error bound), and what the
 * ranks that did not finish held; the goodbye waits for teardown. */
static void finish(struct leader *L)
{
    struct pdl_mpi *M = L->M;
    uint32_t gone = L->broken;

    for (int r = 1; r < M->size; r++)
        if (L->peer[r].state == PEER_LOST || L->peer[r].state == PEER_SILENT)
            gone = 1;
    M->no_finalize = gone;
    for (int r = 1; r < M->size && !L->broken; r++)
        if (L->peer[r].state == PEER_DONE &&
            !pdl_mpi_sync_peer(&L->link, r, &L->peer[r].end))
            L->peer[r].end.ok = false;
    if (L->broken)
        pdl_mpi_close(&L->link, 50 * PDL_MPI_MS);
    else
        linger_start(L, gone);
    report_silent(L);
    settle_held(L);
    remember(L);
}

static int run_leader(struct leader *L)
{
    const struct pdl_options *opt = L->run->opt;
    unsigned size = (unsigned)L->M->size, split = opt->per_host / size;
    pthread_t thread;
    int rc;

    /* Each rank paces its share of --rate and of --per-host. */
    pdl_gate_init(&L->run->shared->gate, opt->rate / size,
                  opt->per_host && !split ? 1 : split, opt->per_host_loopback);
    L->feed = (struct pdl_run_feed){local_take, local_settle, L};
    L->local = *L->run;
    L->local.feed = &L->feed;
    if (pthread_create(&thread, NULL, dispatch, L) != 0) {
        fputs("pdl: mpi: cannot start the dispatcher thread\n", stderr);
        atomic_store(&L->run->shared->stop, 1);
        for (int r = 1; r < L->M->size; r++)
            tell(L, r, TAG_BYE, NULL, 0);
        L->M->no_finalize = true;
        pdl_mpi_close(&L->link, STOP_GRACE_NS);
        return PDL_ERR_SYSTEM;
    }
    rc = pdl_runner_async.run(&L->local, NULL);
    atomic_store(&L->local_done, 1);
    pthread_join(thread, NULL);
    finish(L);
    return rc;
}

void pdl_mpi_cancel(struct pdl_mpi *M)
{
    struct start_msg st = {.cancel = 1};

    MPI_Bcast(&st, sizeof(st), MPI_BYTE, 0, M->comm);
    M->started = true;
}

int pdl_mpi_lead(struct pdl_mpi *M, struct pdl_run *run)
{
    struct leader L = {.M = M, .run = run, .link = {.comm = M->comm}};
    int rc;

    if (run->opt->schedule == PDL_SCHED_STATIC) {
        fputs("pdl: mpi: tasks are handed out on demand; --schedule static "
              "does not apply\n",
              stderr);
        return PDL_ERR_USAGE;
    }
    L.slots = (uint64_t)run->workers * (uint64_t)M->size;
    L.chunk = run->opt->chunk ? run->opt->chunk : 1;
    L.peer = pdl_xcalloc((size_t)M->size, sizeof(*L.peer));
    rc = start(&L);
    if (rc == PDL_OK)
        rc = run_leader(&L);
    for (int r = 0; r < M->size; r++)
        pdl_mpi_held_cleanup(&L.peer[r].held);
    free(L.peer);
    return rc;
}

#endif
