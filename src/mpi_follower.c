/* A rank other than 0 of the mpi mode: it reads no list and writes no
 * output. Its run has no scheduler or results stream of its own but a
 * feed: its async transfer slots take the tasks rank 0 granted from a
 * queue, and leave each record for the courier, a thread (the only one
 * that makes MPI calls while the run is on) that asks rank 0 for tasks
 * before the queue runs dry, sends the records back in batches, and says
 * "alive" when it has nothing else to say. */
#ifdef PDL_HAVE_MPI

#include "mpi_internal.h"
#include "pdl/outdir.h"
#include "pdl/sigwatch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct follower {
    struct pdl_mpi *M;
    struct pdl_run run;
    struct pdl_run_feed feed;
    struct pdl_mpi_link link;
    /* lock guards what the slots and the courier share: the tasks granted
     * and not yet taken, the records not yet sent, and the flags below. */
    pthread_mutex_t lock;
    pthread_cond_t wake;  /* the courier: something to send */
    pthread_cond_t ready; /* the slots: tasks came, or none will */
    struct pdl_task *q;   /* a ring of granted tasks, front at qhead */
    size_t qhead, qn, qcap;
    struct result_entry *fin; /* records to send */
    size_t nfin, capfin;
    size_t want, low;         /* ask for want when fewer than low are queued */
    size_t chunk;             /* what to ask for in the tail */
    bool tail;                /* rank 0 has fewer left than the run has slots */
    bool hungry;              /* a slot waits for a task */
    bool asked;               /* a request is out */
    bool no_more;             /* rank 0 has nothing more */
    bool runner_done;         /* the slots have finished */
    pdl_monotime heard, told; /* last message from rank 0, to it */
    bool bye;                 /* rank 0 said the run is over */
    bool sent_done;           /* the courier said this rank has finished */
    int verdict;              /* PDL_OK, or PDL_ERR_SYSTEM if rank 0 lost */
};

/* Called with the lock held. */
static void queue_push(struct follower *F, struct pdl_task *t)
{
    if (F->qn == F->qcap) {
        size_t cap = F->qcap ? 2 * F->qcap : 16;
        struct pdl_task *n = pdl_xcalloc(cap, sizeof(*n));
        for (size_t i = 0; i < F->qn; i++)
            n[i] = F->q[(F->qhead + i) % F->qcap];
        free(F->q);
        F->q = n;
        F->qcap = cap;
        F->qhead = 0;
    }
    F->q[(F->qhead + F->qn) % F->qcap] = *t;
    F->qn++;
    memset(t, 0, sizeof(*t));
}

/* The feed's take: the next granted task, waiting for one to come. */
static bool feed_take(void *ctx, unsigned worker, struct pdl_task *t)
{
    struct follower *F = ctx;
    const atomic_int *stop = &F->run.shared->stop;
    bool ok;

    (void)worker;
    pthread_mutex_lock(&F->lock);
    while (F->qn == 0 && !F->no_more && !atomic_load(stop)) {
        F->hungry = true;
        pthread_cond_signal(&F->wake);
        pthread_cond_wait(&F->ready, &F->lock);
    }
    F->hungry = false;
    ok = F->qn > 0 && !atomic_load(stop);
    if (ok) {
        *t = F->q[F->qhead];
        memset(&F->q[F->qhead], 0, sizeof(*t));
        F->qhead = (F->qhead + 1) % F->qcap;
        F->qn--;
        if (F->qn < F->low)
            pthread_cond_signal(&F->wake);
    }
    pthread_mutex_unlock(&F->lock);
    return ok;
}

/* The feed's settle: the record waits for the courier. */
static void feed_settle(void *ctx, const struct pdl_task *t,
                        const struct pdl_result *r)
{
    struct follower *F = ctx;

    pthread_mutex_lock(&F->lock);
    if (F->nfin == F->capfin) {
        F->capfin = F->capfin ? 2 * F->capfin : 64;
        F->fin = pdl_xrealloc(F->fin, F->capfin, sizeof(*F->fin));
    }
    F->fin[F->nfin] = (struct result_entry){.id = t->id, .r = *r};
    F->fin[F->nfin++].r.rank = F->M->rank;
    pthread_cond_signal(&F->wake);
    pthread_mutex_unlock(&F->lock);
}

/* Whether the courier should ask for tasks now; called with the lock held.
 * While rank 0 has plenty it asks ahead, so that a slot never waits for
 * the answer; in the tail it asks only for a slot that waits, so that no
 * rank sits on tasks that another rank with an idle slot could run. */
static bool should_ask(const struct follower *F)
{
    if (F->asked || F->no_more)
        return false;
    return F->tail ? F->hungry && F->qn == 0 : F->qn < F->low;
}

/* One task of a grant at *p (end: the grant's end) into *t; false if it
 * is malformed. */
static bool unpack_task(const char **p, const char *end, struct pdl_task *t)
{
    struct grant_task g;

    if ((size_t)(end - *p) < sizeof(g))
        return false;
    memcpy(&g, *p, sizeof(g));
    *p += sizeof(g);
    if ((size_t)(end - *p) < (size_t)g.url_len + g.name_len + g.opts_len ||
        g.url_len == 0)
        return false;
    *t = (struct pdl_task){
        .id = g.id,
        .url = pdl_xstrndup(*p, g.url_len),
        .name = g.name_len ? pdl_xstrndup(*p + g.url_len, g.name_len) : NULL,
        .opts = g.opts_len
                    ? pdl_xstrndup(*p + g.url_len + g.name_len, g.opts_len)
                    : NULL};
    *p += (size_t)g.url_len + g.name_len + g.opts_len;
    return true;
}

/* Queues a grant's tasks where the slots will find them. False if the
 * grant is malformed. */
static bool take_grant(struct follower *F, const struct pdl_mpi_msg *m)
{
    const char *p = m->buf + sizeof(struct grant_head), *end = m->buf + m->len;
    struct grant_head h;
    struct pdl_task *t;
    bool ok = true;
    uint32_t i;

    if (m->len < sizeof(h))
        return false;
    memcpy(&h, m->buf, sizeof(h));
    if (h.n > GRANT_MAX)
        return false;
    t = pdl_xcalloc(h.n ? h.n : 1, sizeof(*t));
    for (i = 0; i < h.n && ok; i++)
        ok = unpack_task(&p, end, &t[i]);
    pthread_mutex_lock(&F->lock);
    for (uint32_t k = 0; k < h.n && ok; k++)
        queue_push(F, &t[k]);
    F->no_more = F->no_more || h.n == 0 || h.left == LEFT_NONE;
    F->tail = h.left != LEFT_PLENTY;
    F->asked = false;
    pthread_cond_broadcast(&F->ready);
    pthread_mutex_unlock(&F->lock);
    for (uint32_t k = 0; k < i; k++)
        pdl_task_clear(&t[k]);
    free(t);
    return ok;
}

/* The slots stop taking tasks: the run is stopped or over. */
static void halt(struct follower *F)
{
    if (F->run.shared)
        atomic_store(&F->run.shared->stop, 1);
    pthread_mutex_lock(&F->lock);
    F->no_more = true;
    pthread_cond_broadcast(&F->ready);
    pthread_mutex_unlock(&F->lock);
}

static void follower_lost(struct follower *F, const char *why)
{
    fprintf(stderr, "pdl: mpi: rank %d (%s): %s; stopping\n", F->M->rank,
            F->M->host[F->M->rank], why);
    F->verdict = PDL_ERR_SYSTEM;
    F->M->no_finalize = true;
    halt(F);
}

/* Rank 0's goodbye, which says whether a rank may be dead. */
static void take_bye(struct follower *F, const struct pdl_mpi_msg *m)
{
    uint32_t gone = 0;

    if (m->len == sizeof(gone))
        memcpy(&gone, m->buf, sizeof(gone));
    F->bye = true;
    F->M->no_finalize = F->M->no_finalize || gone;
}

static int send_results(struct follower *F, const struct result_entry *e,
                        size_t n)
{
    for (size_t i = 0; i < n; i += RESULTS_MAX) {
        size_t k = n - i < RESULTS_MAX ? n - i : RESULTS_MAX;
        int rc =
            pdl_mpi_send_copy(&F->link, 0, TAG_RESULT, e + i, k * sizeof(*e));
        if (rc != MPI_SUCCESS)
            return rc;
    }
    return MPI_SUCCESS;
}

/* Takes what rank 0 sent. Returns whether anything came, or -1 after an
 * error (reported). */
static int receive(struct follower *F)
{
    char e[MPI_MAX_ERROR_STRING], why[MPI_MAX_ERROR_STRING + 32];
    struct pdl_mpi_msg m;
    int got = 0, rc;

    while ((rc = pdl_mpi_poll(F->M->comm, 0, MPI_ANY_TAG, &m)) == MPI_SUCCESS &&
           m.tag) {
        bool ok = true;
        got = 1;
        F->heard = pdl_now();
        if (m.tag == TAG_GRANT)
            ok = take_grant(F, &m);
        else if (m.tag == TAG_STOP || m.tag == TAG_BYE)
            halt(F);
        if (m.tag == TAG_BYE)
            take_bye(F, &m);
        free(m.buf);
        if (!ok) {
            follower_lost(F, "rank 0 sent a malformed grant");
            return -1;
        }
    }
    if (rc == MPI_SUCCESS)
        return got;
    snprintf(why, sizeof(why), "MPI failed: %s", pdl_mpi_why(rc, e, sizeof(e)));
    follower_lost(F, why);
    return -1;
}

static uint64_t max_inflight(const struct follower *F)
{
    return atomic_load(&F->run.shared->counters.max_inflight);
}

/* What the courier sends in one round: results, a request, the end. */
static int courier_send(struct follower *F, const struct result_entry *e,
                        size_t n, bool ask, size_t want, bool last)
{
    struct request_msg q = {want, F->run.t0, max_inflight(F)};
    int rc = send_results(F, e, n);

    if (rc == MPI_SUCCESS && ask)
        rc = pdl_mpi_send_copy(&F->link, 0, TAG_REQUEST, &q, sizeof(q));
    if (rc == MPI_SUCCESS && last) {
        struct done_msg d = {F->link.sent + 1, F->link.dispatch,
                             max_inflight(F)};
        rc = pdl_mpi_send_copy(&F->link, 0, TAG_DONE, &d, sizeof(d));
        F->sent_done = rc == MPI_SUCCESS;
    }
    if (n > 0 || ask || last)
        F->told = pdl_now();
    return rc;
}

/* One round of the courier: results out, a request if tasks run low, what
 * rank 0 sent in. Returns 1 if anything happened, 0 if not, -1 to end. */
static int courier_round(struct follower *F)
{
    char e[MPI_MAX_ERROR_STRING], why[MPI_MAX_ERROR_STRING + 32];
    struct result_entry *fin;
    size_t n, want;
    bool ask, last;
    int rc, got, peer;

    pthread_mutex_lock(&F->lock);
    fin = F->fin;
    n = F->nfin;
    F->fin = NULL;
    F->nfin = F->capfin = 0;
    ask = should_ask(F);
    F->asked = F->asked || ask;
    want = F->tail ? F->chunk : F->want;
    last = F->runner_done;
    pthread_mutex_unlock(&F->lock);
    rc = courier_send(F, fin, n, ask, want, last);
    free(fin);
    if (rc == MPI_SUCCESS)
        rc = pdl_mpi_flush(&F->link, &peer);
    if (rc != MPI_SUCCESS) {
        snprintf(why, sizeof(why), "cannot reach rank 0: %s",
                 pdl_mpi_why(rc, e, sizeof(e)));
        follower_lost(F, why);
        return -1;
    }
    if (last)
        return -1;
    got = receive(F);
    return got < 0 ? -1 : (n > 0 || ask || got);
}

/* Rank 0 lost, or time to say "alive". False when rank 0 is lost. */
static bool courier_watch(struct follower *F)
{
    pdl_monotime now = pdl_now();
    char why[96];

    if (now - F->heard > SILENCE_NS) {
        snprintf(why, sizeof(why), "nothing heard from rank 0 for %.1f s",
                 (double)(now - F->heard) / 1e9);
        follower_lost(F, why);
        return false;
    }
    if (now - F->told > BEAT_NS) {
        F->told = now;
        return pdl_mpi_send(&F->link, 0, TAG_BEAT, NULL, 0) == MPI_SUCCESS;
    }
    return true;
}

/* Naps until a slot has something for the courier, at most ns. */
static void courier_nap(struct follower *F, pdl_monotime ns)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += ns;
    ts.tv_sec += ts.tv_nsec / 1000000000;
    ts.tv_nsec %= 1000000000;
    pthread_mutex_lock(&F->lock);
    if (F->nfin == 0 && !F->runner_done && !should_ask(F))
        pthread_cond_timedwait(&F->wake, &F->lock, &ts);
    pthread_mutex_unlock(&F->lock);
}

/* After the run: answers rank 0's clock probes until it says goodbye. */
static void courier_close(struct follower *F)
{
    pdl_monotime idle = IDLE_MIN_NS;
    bool probed = false;
    struct pdl_mpi_msg m;
    int peer;

    while (!F->bye) {
        if (pdl_mpi_poll(F->M->comm, 0, MPI_ANY_TAG, &m) != MPI_SUCCESS)
            break;
        pdl_mpi_flush(&F->link, &peer);
        if (m.tag) {
            F->heard = pdl_now();
            if (m.tag == TAG_BYE)
                take_bye(F, &m);
            if (m.tag == TAG_PING &&
                pdl_mpi_answer_ping(&F->link) == MPI_SUCCESS)
                probed = true;
            free(m.buf);
            continue;
        }
        if (pdl_now() - F->heard > SILENCE_NS) {
            follower_lost(F, "rank 0 did not end the run");
            break;
        }
        /* Between probes rank 0 answers at once: do not nap then. */
        if (!probed) {
            pdl_mpi_nap(idle);
            idle = pdl_mpi_backoff(idle);
        }
    }
}

static void *courier(void *arg)
{
    struct follower *F = arg;
    pdl_monotime idle = IDLE_MIN_NS;
    int r;

    while ((r = courier_round(F)) >= 0) {
        if (!courier_watch(F))
            break;
        idle = r ? IDLE_MIN_NS : pdl_mpi_backoff(idle);
        if (!r)
            courier_nap(F, idle);
    }
    if (F->verdict == PDL_OK && F->sent_done)
        courier_close(F);
    pdl_mpi_close(&F->link, STOP_GRACE_NS);
    return NULL;
}

/* Waits for rank 0's word to go, answering its clock probes meanwhile.
 * Returns TAG_GO, TAG_ABORT, or -1 (reported). */
static int wait_go(struct follower *F)
{
    pdl_monotime end = pdl_now() + 2 * START_NS, idle = IDLE_MIN_NS;
    char e[MPI_MAX_ERROR_STRING], why[MPI_MAX_ERROR_STRING + 48];
    bool probed = false;
    struct pdl_mpi_msg m;
    int rc;

    while ((rc = pdl_mpi_poll(F->M->comm, 0, MPI_ANY_TAG, &m)) == MPI_SUCCESS) {
        int tag = m.tag;
        if (tag == TAG_ABORT)
            take_bye(F, &m);
        free(m.buf);
        if (tag == TAG_GO || tag == TAG_ABORT)
            return tag;
        if (tag == TAG_PING &&
            (rc = pdl_mpi_answer_ping(&F->link)) != MPI_SUCCESS)
            break;
        probed = probed || tag == TAG_PING;
        if (tag == 0 && pdl_now() > end) {
            rc = TIMED_OUT;
            break;
        }
        if (tag == 0 && !probed) {
            pdl_mpi_nap(idle);
            idle = pdl_mpi_backoff(idle);
        }
    }
    snprintf(why, sizeof(why), "rank 0 did not start the run: %s",
             pdl_mpi_why(rc, e, sizeof(e)));
    follower_lost(F, why);
    return -1;
}

/* The run on this rank: the async runner, fed by the courier. */
static void follow_run(struct follower *F)
{
    struct pdl_sigwatch *watch;
    pthread_t thread;

    F->run.t0 = pdl_now();
    F->heard = F->told = F->run.t0;
    /* Before the courier starts, so that it too leaves signals to it. */
    watch = pdl_sigwatch_start(&F->run.shared->stop);
    if (pthread_create(&thread, NULL, courier, F) != 0) {
        follower_lost(F, "cannot start the courier thread");
        pdl_sigwatch_stop(watch);
        return;
    }
    pdl_runner_async.run(&F->run, NULL);
    pdl_sigwatch_stop(watch);
    pthread_mutex_lock(&F->lock);
    F->runner_done = true;
    pthread_cond_signal(&F->wake);
    pthread_mutex_unlock(&F->lock);
    pthread_join(thread, NULL);
}

/* A condition variable whose timed waits run on CLOCK_MONOTONIC. */
static void cond_init_monotonic(pthread_cond_t *c)
{
    pthread_condattr_t ca;

    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(c, &ca);
    pthread_condattr_destroy(&ca);
}

/* Everything this rank needs before it can say it is ready: its run (a
 * feed instead of a scheduler and results), its share of the limits, its
 * output folder. */
static void prepare(struct follower *F, const struct pdl_options *opt,
                    unsigned workers, struct hello_msg *h)
{
    const struct pdl_mpi *M = F->M;
    unsigned split = opt->per_host / (unsigned)M->size;
    size_t chunk = opt->chunk ? opt->chunk : 1;
    char err[200];

    h->ok = 1;
    h->pid = (int32_t)getpid();
    h->result_size = sizeof(struct pdl_result);
    snprintf(h->version, sizeof(h->version), "%s", PDL_VERSION);
    snprintf(h->host, sizeof(h->host), "%s", M->host[M->rank]);
    F->feed = (struct pdl_run_feed){feed_take, feed_settle, F};
    F->run = (struct pdl_run){
        .opt = opt, .out_dirfd = -1, .workers = workers, .feed = &F->feed};
    F->run.shared = pdl_shared_create();
    if (!F->run.shared) {
        h->ok = 0;
        snprintf(h->why, sizeof(h->why), "cannot map shared memory");
        return;
    }
    pdl_gate_init(&F->run.shared->gate, opt->rate / M->size,
                  opt->per_host && !split ? 1 : split, opt->per_host_loopback);
    F->chunk = chunk;
    F->want = (size_t)workers * chunk;
    F->low = ((size_t)workers + 1) / 2 * chunk;
    if (!opt->discard) {
        F->run.out_dirfd = pdl_outdir_open(opt->outdir, err, sizeof(err));
        if (F->run.out_dirfd < 0) {
            h->ok = 0;
            snprintf(h->why, sizeof(h->why), "%s: %s", opt->outdir, err);
        }
    }
}

static void cleanup(struct follower *F)
{
    if (F->run.out_dirfd >= 0)
        close(F->run.out_dirfd);
    pdl_shared_destroy(F->run.shared);
    for (size_t i = 0; i < F->qn; i++)
        pdl_task_clear(&F->q[(F->qhead + i) % F->qcap]);
    free(F->q);
    free(F->fin);
    pthread_cond_destroy(&F->wake);
    pthread_cond_destroy(&F->ready);
    pthread_mutex_destroy(&F->lock);
}

int pdl_mpi_follow(struct pdl_mpi *M, const struct pdl_options *opt)
{
    struct start_msg st;
    struct hello_msg hello = {0};
    struct follower F = {.M = M, .verdict = PDL_OK, .link = {.comm = M->comm}};
    char e[MPI_MAX_ERROR_STRING];
    unsigned workers;
    int rc = MPI_Bcast(&st, sizeof(st), MPI_BYTE, 0, M->comm);

    M->started = true;
    if (rc != MPI_SUCCESS) {
        fprintf(stderr, "pdl: mpi: rank %d: cannot hear rank 0: %s\n", M->rank,
                pdl_mpi_why(rc, e, sizeof(e)));
        return PDL_ERR_SYSTEM;
    }
    if (st.cancel)
        return PDL_OK;
    workers = st.workers < opt->workers ? st.workers : opt->workers;
    pthread_mutex_init(&F.lock, NULL);
    pthread_cond_init(&F.ready, NULL);
    cond_init_monotonic(&F.wake);
    prepare(&F, opt, workers, &hello);
    rc = pdl_mpi_send_now(&F.link, 0, TAG_HELLO, &hello, sizeof(hello));
    if (rc == MPI_SUCCESS && wait_go(&F) == TAG_GO && hello.ok)
        follow_run(&F);
    cleanup(&F);
    return rc == MPI_SUCCESS ? F.verdict : PDL_ERR_SYSTEM;
}

#endif
